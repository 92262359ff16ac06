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
    Satisfaction,
    TopicEvent,
    TopicKind,
    TopicMember,
    TopicStage,
)
from services.demo import vocabulary as vocab
from services.demo.problems import take_up
from services.demo.world import OrgPlan, World, editable

_TOPIC_STATUSES = tuple(TopicStage)
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
        # each stage reached took a share of the topic's age so far
        reached = _TOPIC_STATUSES[:status + 1]
        stage_days = [day]
        for _ in reached[1:]:
            left = t_ord - stage_days[-1]
            stage_days.append(stage_days[-1] + max(1, int(left * rng.uniform(0.15, 0.45))))
        stage_days = [min(d, t_ord) for d in stage_days]
        consulted = status >= _TOPIC_STATUSES.index(TopicStage.CONSULTATION)
        responded = status >= _TOPIC_STATUSES.index(TopicStage.RESPONSE)
        converted = status >= _TOPIC_STATUSES.index(TopicStage.CONVERSION)
        done = state is TopicStage.DONE
        month = date.fromordinal(day).replace(day=1)
        sink.add(ConsultationTopic, {
            "id": topic_id,
            "title": rng.choice(vocab.TOPIC_TITLES[kind.value]).format(topic=item.topic),
            "kind": kind, "stage": state, "stage_on": date.fromordinal(stage_days[-1]),
            "organisation_id": org.id, "committee_id": rng.choice(committees),
            "workstation_id": station.id if station else None,
            "opinion_report_id": None, "description": None,
            "supervision_month": month if kind is TopicKind.SUPERVISION else None,
            "supervision_group": (f"{month.month}月民主监督小组"
                                  if kind is TopicKind.SUPERVISION else None),
            "proposed_on": date.fromordinal(day),
            "residents": (vocab.TOPIC_PARTICIPANTS.format(dept=department,
                                                          n=rng.randint(12, 60))
                          if consulted else None),
            "residents_count": rng.randint(12, 60) if consulted else 0,
            "experts": None, "experts_count": rng.randint(0, 4) if consulted else 0,
            "departments": department if consulted else None,
            "department_response": (f"{department}表示将认真研究落实。" if responded
                                    else None),
            "outcome": (rng.choice(vocab.TOPIC_OUTCOMES).format(n=rng.randint(3, 12),
                                                                dept=department)
                        if converted else None),
            "implementation": (rng.choice(vocab.TOPIC_FOLLOW_UPS).format(dept=department)
                               if converted else None),
            "carried_out": (rng.random() < 0.85) if done else None,
            "done_on": date.fromordinal(stage_days[-1]) if done else None,
            "idempotency_key": None,
            **editable(w.stamp(day, 1), w.stamp(stage_days[-1], 5)),
        })
        previous = None
        for stage, happened in zip(reached, stage_days, strict=True):
            sink.add(TopicEvent, {
                "topic_id": topic_id, "from_stage": previous, "to_stage": stage,
                "happened_on": date.fromordinal(happened), "note": None,
                "recorded_at": w.stamp(happened, 5), "actor_user_id": None,
                "actor_name": "",
            })
            previous = stage
        if consulted:
            for member_index in _members_on(w, org, day, rng.randint(2, 5)):
                sink.add(TopicMember, {"topic_id": topic_id,
                                       "member_id": w.members[member_index].id})
        # general problems that fed the topic (collected in the 120 days before)
        lo = bisect.bisect_left(problem_days, day - 120)
        hi = bisect.bisect_right(problem_days, day)
        if hi > lo:
            for position in rng.sample(range(lo, hi), min(hi - lo, rng.randint(1, 3))):
                take_up(w, org.visit_problems[position][0], ProblemStatus.TO_TOPIC, topic_id,
                        day)
    return next_id + count


def _members_on(w: World, org: OrgPlan, day: int, count: int) -> list[int]:
    """Up to ``count`` distinct members of the organisation in office on ``day``."""
    chosen: list[int] = []
    for candidate in w.rng.sample(org.members, min(len(org.members), count * 4)):
        if w.members[candidate].in_office(day) and candidate not in chosen:
            chosen.append(candidate)
        if len(chosen) == count:
            break
    return chosen


def _topic_status(age: int) -> int:
    if age < 30:
        return 0 if age < 12 else 1
    if age < 90:
        return 1 + (age % 2)
    if age < 200:
        return 2 + (age % 3)
    return 3 + (age % 4)


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
            "is_key": rng.random() < 0.08, "topic_id": None, "satisfaction": None,
            "idempotency_key": None,
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
    problem_days = [day for _, day in org.visit_problems]
    for (row, members), status in zip(rows, statuses, strict=True):
        day = row["submitted_on"].toordinal()
        # now and then a problem collected in the 60 days before became the proposal
        lo = bisect.bisect_left(problem_days, day - 60)
        hi = bisect.bisect_right(problem_days, day)
        if hi > lo and rng.random() < 0.04:
            take_up(w, org.visit_problems[rng.randrange(lo, hi)][0], ProblemStatus.TO_PROPOSAL,
                    row["id"], day)
        reply, span = row.pop("_reply"), row.pop("_span")
        if status is ProposalStatus.SUBMITTED or status is ProposalStatus.NOT_FILED:
            row["handling_unit"] = None
        updated = w.stamp(min(day + 20, t_ord), 3)
        if status is ProposalStatus.REPLIED:
            replied = min(day + span, t_ord)
            row["replied_on"] = date.fromordinal(replied)
            row["reply_summary"] = reply
            row["satisfaction"] = rng.choices(tuple(Satisfaction), (70, 25, 5))[0]
            updated = w.stamp(replied, 4)
        elif status is ProposalStatus.SUBMITTED:
            updated = w.stamp(day, 1)
        sink.add(Proposal, {**row, **editable(w.stamp(day, 1), updated)})
        for position, member_index in enumerate(members):
            sink.add(ProposalMember, {"proposal_id": row["id"],
                                      "member_id": w.members[member_index].id,
                                      "is_lead": position == 0})
    return proposal_id + 1
