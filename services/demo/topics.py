"""Consultation topics and proposals."""

import bisect
from datetime import date
from typing import Any

from models import (
    ConsultationTopic,
    ProblemStatus,
    Proposal,
    ProposalMember,
    ProposalStatus,
    TopicKind,
    TopicStatus,
)
from services.demo import vocabulary as vocab
from services.demo.problems import take_up
from services.demo.world import OrgPlan, World, editable

_TOPIC_STATUSES = tuple(TopicStatus)
_PROPOSAL_STATUSES = tuple(ProposalStatus)


def build_topics(w: World) -> None:
    """Every organisation's consultation and supervision topics, and the collected
    problems that fed them."""
    next_id = 1
    for org in w.orgs:
        next_id = _build_org_topics(w, org, next_id)


def _build_org_topics(w: World, org: OrgPlan, next_id: int) -> int:
    """The organisation's topics from id ``next_id``; returns the next free id."""
    rng, t_ord, sink = w.rng, w.t_ord, w.sink
    count = max(8, round(org.member_count / 500 * 15 * w.size.years))
    latest = max(w.h_ord, t_ord - 5)
    days = sorted(w.pick_day(w.h_ord, latest) for _ in range(count))
    statuses = [_topic_status(t_ord - day) for day in days]
    # every TopicStatus occurs: re-label a topic old enough for it
    for status in range(len(_TOPIC_STATUSES)):
        if status in statuses:
            continue
        for index in range(len(days) - 1, -1, -1):
            if statuses.count(statuses[index]) > 1 and t_ord - days[index] >= 20 * status:
                statuses[index] = status
                break
    committees = [*org.committee_ids.values(), org.liaison_id]
    problem_days = [day for _, day in org.visit_problems]
    stations = [w.stations[index] for index in org.stations]
    for index, (day, status) in enumerate(zip(days, statuses, strict=True)):
        topic_id = next_id + index
        state = _TOPIC_STATUSES[status]
        kind = TopicKind.SUPERVISION if rng.random() < 0.2 else TopicKind.CONSULTATION
        item = vocab.ISSUES[rng.randrange(len(vocab.ISSUES))]
        department = org.local(item.department)
        usable = [s for s in stations if s.established <= day <= s.active_until]
        station = rng.choice(usable) if usable and rng.random() < 0.4 else None
        age = t_ord - day
        consulted = done = None
        if status >= _TOPIC_STATUSES.index(TopicStatus.CONSULTED):
            consulted = day + max(1, int(age * rng.uniform(0.3, 0.6)))
        if state is TopicStatus.DONE and consulted is not None:
            done = consulted + max(1, int((t_ord - consulted) * rng.uniform(0.3, 0.9)))
        converted = status >= _TOPIC_STATUSES.index(TopicStatus.OUTCOME_CONVERTED)
        updated = w.stamp(done or consulted or day, 5)
        sink.add(ConsultationTopic, {
            "id": topic_id,
            "title": rng.choice(vocab.TOPIC_TITLES[kind.value]).format(topic=item.topic),
            "kind": kind, "status": state, "organisation_id": org.id,
            "committee_id": rng.choice(committees),
            "workstation_id": station.id if station else None,
            "proposed_on": date.fromordinal(day),
            "consulted_on": date.fromordinal(consulted) if consulted else None,
            "participants": (vocab.TOPIC_PARTICIPANTS.format(dept=department,
                                                             n=rng.randint(12, 60))
                             if consulted else None),
            "outcome": (rng.choice(vocab.TOPIC_OUTCOMES).format(n=rng.randint(3, 12),
                                                                dept=department)
                        if converted else None),
            "follow_up": (rng.choice(vocab.TOPIC_FOLLOW_UPS).format(dept=department)
                          if converted else None),
            "done_on": date.fromordinal(done) if done else None,
            **editable(w.stamp(day, 1), updated),
        })
        # general problems that fed the topic (collected in the 120 days before)
        lo = bisect.bisect_left(problem_days, day - 120)
        hi = bisect.bisect_right(problem_days, day)
        if hi > lo:
            for position in rng.sample(range(lo, hi), min(hi - lo, rng.randint(1, 3))):
                take_up(w, org.visit_problems[position][0], ProblemStatus.TO_TOPIC, topic_id,
                        day)
    return next_id + count


def _topic_status(age: int) -> int:
    if age < 30:
        return 0 if age < 12 else 1
    if age < 90:
        return 1 + (age % 2)
    if age < 200:
        return 2 + (age % 3)
    return 3 + (age % 3)


def build_proposals(w: World) -> None:
    """Every organisation's proposals, most around the plenary sessions, with their
    co-signers (of the same organisation) and replies; numbered per organisation."""
    next_id = 1
    for org in w.orgs:
        next_id = _build_org_proposals(w, org, next_id)


def _build_org_proposals(w: World, org: OrgPlan, next_id: int) -> int:
    """The organisation's proposals from id ``next_id``; returns the next free id."""
    rng, t_ord, sink = w.rng, w.t_ord, w.sink
    count = round(org.member_count * 0.6 * (t_ord - w.h_ord + 1) / 365)
    plenaries = [p for p in w.plenaries.values() if w.h_ord <= p <= t_ord]
    days = []
    for _ in range(count):
        if plenaries and rng.random() < 0.65:
            day = rng.choice(plenaries) + rng.randint(-3, 3)
            days.append(min(max(day, w.h_ord), t_ord))
        else:
            days.append(w.pick_day(w.h_ord, t_ord))
    days.sort()
    start_year = date.fromordinal(w.term_start).year
    sequence: dict[int, int] = {}
    proposal_id = next_id - 1
    statuses: list[ProposalStatus] = []
    rows: list[tuple[dict[str, Any], list[int]]] = []
    roster = org.members
    for day in days:
        lead = w.members[rng.choice(roster)]
        if not lead.in_office(day):
            lead = next((w.members[m] for m in rng.sample(roster, min(20, len(roster)))
                         if w.members[m].in_office(day)), lead)
            if not lead.in_office(day):
                continue
        lead_index = lead.id - 1
        co = (w.colleagues(lead_index, day, rng.randint(1, 4), draws_per_seat=4)
              if rng.random() < 0.5 else [])
        when = date.fromordinal(day)
        session = when.year - start_year + (1 if day >= w.plenaries[when.year] else 0)
        session = min(max(session, 1), 5)
        sequence[session] = sequence.get(session, 0) + 1
        proposal_id += 1
        item = vocab.ISSUES[w.issue_for(lead.sector)]
        department = org.local(item.department)
        age = t_ord - day
        if age <= 20:
            status = ProposalStatus.SUBMITTED
        elif rng.random() < 0.1:
            status = ProposalStatus.NOT_FILED
        elif age <= 45:
            status = ProposalStatus.FILED
        elif age <= 150:
            status = ProposalStatus.REPLIED if rng.random() < 0.3 else ProposalStatus.HANDLING
        else:
            status = ProposalStatus.HANDLING if rng.random() < 0.12 else ProposalStatus.REPLIED
        statuses.append(status)
        row = {
            "id": proposal_id, "organisation_id": org.id,
            "number": f"{org.term_number}-{session}-{sequence[session]:05d}",
            "title": rng.choice(vocab.PROPOSAL_TITLES).format(topic=item.topic)[:200],
            "term_id": org.term_id, "submitted_on": when, "status": status,
            "handling_unit": department, "reply_summary": None, "replied_on": None,
            "_reply": rng.choice(vocab.PROPOSAL_REPLIES).format(dept=department),
            "_span": rng.randint(60, 150),
        }
        rows.append((row, [lead_index, *co]))
    # every ProposalStatus occurs (the oldest ones can be anything)
    for status in _PROPOSAL_STATUSES:
        if status in statuses or not rows:
            continue
        for index, (row, _members) in enumerate(rows):
            age = t_ord - row["submitted_on"].toordinal()
            if statuses.count(statuses[index]) > 1 and age > 20:
                statuses[index] = row["status"] = status
                break
    for (row, members), status in zip(rows, statuses, strict=True):
        day = row["submitted_on"].toordinal()
        reply, span = row.pop("_reply"), row.pop("_span")
        if status is ProposalStatus.SUBMITTED or status is ProposalStatus.NOT_FILED:
            row["handling_unit"] = None
        updated = w.stamp(min(day + 20, t_ord), 3)
        if status is ProposalStatus.REPLIED:
            replied = min(day + span, t_ord)
            row["replied_on"] = date.fromordinal(replied)
            row["reply_summary"] = reply
            updated = w.stamp(replied, 4)
        elif status is ProposalStatus.SUBMITTED:
            updated = w.stamp(day, 1)
        sink.add(Proposal, {**row, **editable(w.stamp(day, 1), updated)})
        for position, member_index in enumerate(members):
            sink.add(ProposalMember, {"proposal_id": row["id"],
                                      "member_id": w.members[member_index].id,
                                      "is_lead": position == 0})
    return proposal_id + 1
