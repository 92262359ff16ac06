"""Opinion reports (社情民意信息) through their whole workflow: co-authors, status changes,
leaders' instructions, and the collected problems they grew out of."""

import bisect
from dataclasses import dataclass
from datetime import date

from models import (
    AdoptionLevel,
    InstructionLevel,
    LeaderInstruction,
    OpinionReport,
    OpinionReportMember,
    OpinionStatus,
    OpinionStatusChange,
    ProblemStatus,
)
from services.demo import vocabulary as vocab
from services.demo.problems import take_up
from services.demo.world import World, editable

_OPINION_STATUSES = tuple(OpinionStatus)
_Steps = list[tuple[OpinionStatus, int]]
_Path = tuple[bool, _Steps, _Steps]  # (urgent, full path, the part taken so far)


@dataclass(slots=True)
class _ReportPlan:
    day: int
    lead: int
    co: list[int]


def _on(reached: dict[OpinionStatus, int], step: OpinionStatus) -> date | None:
    return date.fromordinal(reached[step]) if step in reached else None


def build_reports(w: World) -> None:
    """Opinion reports, most members one a half-year, many written jointly, each through
    its workflow as far as the days since allow."""
    rng = w.rng
    halves = _half_years(w)
    last = len(halves) - 1
    quiet = w.members_without_any(0.2, last)
    plans: list[_ReportPlan] = []
    for hi, (h_start, h_end) in enumerate(halves):
        windows: dict[int, tuple[int, int]] = {}
        for mi, member in enumerate(w.members):
            a = max(h_start, member.from_ord, w.h_ord)
            b = min(h_end, member.to_ord, w.t_ord)
            if a > b or (mi, hi) in quiet:
                continue
            if hi < last and rng.random() < 0.15:
                quiet.add((mi, hi))
                continue
            windows[mi] = (a, b)
        order = list(windows)
        rng.shuffle(order)
        covered: set[int] = set()
        for mi in order:
            if mi in covered and rng.random() < 0.9:
                continue
            for _ in range(2 if rng.random() < 0.05 else 1):
                a, b = windows[mi]
                day = w.pick_day(a, b)
                if not w.members[mi].in_office(day):
                    continue
                co: list[int] = []
                if rng.random() < 0.55:  # written jointly, mostly with those still owing one
                    co = _co_authors(w, mi, day, rng.choice((1, 2, 2, 3)), windows, covered)
                plans.append(_ReportPlan(day=day, lead=mi, co=co))
                covered.add(mi)
                covered.update(co)
    plans.sort(key=lambda p: (p.day, p.lead))
    paths = [_report_path(w, plan) for plan in plans]
    _cover_report_statuses(w, plans, paths)
    _write_reports(w, plans, paths)


def _half_years(w: World) -> list[tuple[int, int]]:
    halves = []
    day = date.fromordinal(w.h_ord)
    start = date(day.year, 1 if day.month <= 6 else 7, 1)
    while start.toordinal() <= w.t_ord:
        following = date(start.year, 7, 1) if start.month == 1 else date(start.year + 1, 1, 1)
        halves.append((start.toordinal(), following.toordinal() - 1))
        start = following
    return halves


def _co_authors(w: World, lead: int, day: int, count: int, windows: dict[int, tuple[int, int]],
                covered: set[int]) -> list[int]:
    """Colleagues who owe a report this half-year, those who do not yet have one first."""
    return w.colleagues(
        lead, day, count, draws_per_seat=6, committee_first=True,
        welcome=lambda other, draw: other in windows and (other not in covered
                                                          or draw >= count * 4),
    )


def _full_path(w: World, day: int, urgent: bool, adopted: bool, instructed: bool) -> _Steps:
    rng = w.rng
    path = [(OpinionStatus.SUBMITTED, day)]
    t = day + rng.randint(0, 4)
    path.append((OpinionStatus.UNDER_REVIEW, t))
    if not adopted:
        path.append((OpinionStatus.NOT_ADOPTED, t + rng.randint(3, 25)))
        return path
    t += rng.randint(1, 5) if urgent else rng.randint(3, 25)
    path.append((OpinionStatus.ADOPTED, t))
    t += rng.randint(0, 2) if urgent else rng.randint(2, 15)
    path.append((OpinionStatus.FORWARDED, t))
    if instructed:
        t += rng.randint(3, 20)
        path.append((OpinionStatus.INSTRUCTED, t))
    t += rng.randint(2, 10)
    path.append((OpinionStatus.HANDLING, t))
    t += rng.randint(20, 75)
    path.append((OpinionStatus.FEEDBACK_RECEIVED, t))
    path.append((OpinionStatus.CLOSED, t + rng.randint(3, 20)))
    return path


def _report_path(w: World, plan: _ReportPlan) -> _Path:
    rng = w.rng
    urgent = rng.random() < 0.1
    adopted = rng.random() < 0.8
    instructed = rng.random() < (0.35 if urgent else 0.15)
    full = _full_path(w, plan.day, urgent, adopted, instructed)
    taken = [step for step in full if step[1] <= w.t_ord]
    reached = {status for status, _ in taken}
    roll = rng.random()
    # Some reports got stuck: in review or in a department for many weeks.
    if (roll < 0.06 and len(taken) > 2 and taken[1][1] <= w.t_ord - 42):
        taken = taken[:2]
    elif roll < 0.14 and OpinionStatus.HANDLING in reached:
        stuck = next(s for s in taken if s[0] is OpinionStatus.HANDLING)
        if stuck[1] <= w.t_ord - 56:
            taken = taken[:taken.index(stuck) + 1]
    elif roll < 0.22 and taken[-1][0] is OpinionStatus.CLOSED:
        taken = taken[:-1]  # feedback in, never formally closed
    return urgent, full, taken


def _cover_report_statuses(w: World, plans: list[_ReportPlan], paths: list[_Path]) -> None:
    """Every ``OpinionStatus`` occurs: stop a report at the missing step."""
    if not plans:
        return
    counts: dict[OpinionStatus, int] = dict.fromkeys(_OPINION_STATUSES, 0)
    for _urgent, _full, taken in paths:
        counts[taken[-1][0]] += 1
    for status in _OPINION_STATUSES:
        if counts[status]:
            continue
        done = False
        for index in range(len(paths) - 1, -1, -1):  # most recent first
            urgent, full, taken = paths[index]
            steps = [s for s in full if s[0] is status and s[1] <= w.t_ord]
            if steps and counts[taken[-1][0]] > 1:
                counts[taken[-1][0]] -= 1
                paths[index] = (urgent, full, full[:full.index(steps[0]) + 1])
                counts[status] += 1
                done = True
                break
        if done:
            continue
        for index in range(len(paths)):  # oldest first: force the branch
            urgent, _full, taken = paths[index]
            if counts[taken[-1][0]] <= 1:
                continue
            full = _full_path(w, plans[index].day, urgent,
                                   status is not OpinionStatus.NOT_ADOPTED,
                                   status is OpinionStatus.INSTRUCTED)
            steps = [s for s in full if s[0] is status and s[1] <= w.t_ord]
            if steps:
                counts[taken[-1][0]] -= 1
                paths[index] = (urgent, full, full[:full.index(steps[0]) + 1])
                counts[status] += 1
                break


def _write_reports(w: World, plans: list[_ReportPlan], paths: list[_Path]) -> None:
    rng, sink = w.rng, w.sink
    change_id = 1
    instruction_id = 1
    total = len(plans)
    for index, (plan, (urgent, _full, taken)) in enumerate(zip(plans, paths, strict=True)):
        report_id = index + 1
        member = w.members[plan.lead]
        spec = vocab.SECTORS[member.sector]
        source_visit: int | None = None
        issue: int | None = None
        place = member.district
        roll = rng.random()
        if roll < 0.25:  # grew out of a collected problem
            for p_day, p_id, p_issue, p_visit in reversed(w.member_problems[plan.lead]):
                if p_day > plan.day:
                    continue
                if p_day < plan.day - 120:
                    break
                if take_up(w, p_id, ProblemStatus.TO_REPORT, report_id, plan.day):
                    issue, source_visit = p_issue, p_visit
                    break
        elif roll < 0.6:  # written up after a visit
            visits = w.member_visits[plan.lead]
            position = bisect.bisect_right(visits, (plan.day, 1 << 62)) - 1
            if position >= 0 and visits[position][0] >= plan.day - 60:
                source_visit = visits[position][1]
                issue = w.visit_issue[source_visit - 1]
        if issue is None:
            issue = w.issue_for(member.sector)
        item = vocab.ISSUES[issue]
        station = w.stations[member.stations[0]] if member.stations else None
        opening = rng.choice(vocab.REPORT_OPENINGS[:3] if station is None
                             else vocab.REPORT_OPENINGS)
        if station is not None and "{station}" in opening:
            place = station.place
        body = (opening.format(sector=spec.name.removesuffix("界") + "界",
                               station=station.name if station else "")
                + item.problem.format(place=place) + rng.choice(vocab.REPORT_ANALYSES)
                + item.suggestion)
        title = rng.choice(vocab.REPORT_TITLES).format(topic=item.topic, place=place)
        reached = {status: day for status, day in taken}
        status, last_day = taken[-1]
        adoption: AdoptionLevel | None = None
        if OpinionStatus.ADOPTED in reached:
            adoption = rng.choices(tuple(AdoptionLevel), (75, 20, 5))[0]
        changed_at = w.stamp(last_day, len(taken) - 1)
        submitted = date.fromordinal(plan.day)

        org = w.orgs[member.org]
        department = org.local(item.department)
        sink.add(OpinionReport, {
            "id": report_id, "title": title[:200], "body": body,
            "category": item.category, "status": status,
            "organisation_id": org.id, "committee_id": member.committee_on(plan.day),
            "source_visit_id": source_visit,
            "is_urgent": urgent, "submitted_on": submitted, "adoption_level": adoption,
            "adopted_on": _on(reached, OpinionStatus.ADOPTED),
            "not_adopted_reason": (rng.choice(vocab.NOT_ADOPTED_REASONS)
                                   if OpinionStatus.NOT_ADOPTED in reached else None),
            "forwarded_to": department if OpinionStatus.FORWARDED in reached else None,
            "forwarded_on": _on(reached, OpinionStatus.FORWARDED),
            "feedback_on": _on(reached, OpinionStatus.FEEDBACK_RECEIVED),
            "feedback_summary": (rng.choice(vocab.FEEDBACKS).format(dept=department)
                                 if OpinionStatus.FEEDBACK_RECEIVED in reached else None),
            "closed_on": _on(reached, OpinionStatus.CLOSED), "status_changed_at": changed_at,
            **editable(w.stamp(plan.day, 0), changed_at),
        })
        for position, other in enumerate([plan.lead, *plan.co]):
            sink.add(OpinionReportMember, {
                "report_id": report_id, "member_id": w.members[other].id,
                "is_lead": position == 0, "submitted_on": submitted,
            })
        previous: OpinionStatus | None = None
        for slot, (step, day) in enumerate(taken):
            note = rng.choice(vocab.STATUS_NOTES)
            sink.add(OpinionStatusChange, {
                "id": change_id, "report_id": report_id, "from_status": previous,
                "to_status": step, "changed_at": w.stamp(day, slot),
                "changed_on": date.fromordinal(day), "actor_user_id": None,
                "note": note or None,
            })
            change_id += 1
            previous = step
        if OpinionStatus.INSTRUCTED in reached:
            level = (adoption.value if adoption and rng.random() < 0.8 else "city")
            sink.add(LeaderInstruction, {
                "id": instruction_id, "report_id": report_id,
                "level": InstructionLevel(level),
                "leader": rng.choice(vocab.LEADERS[level]),
                "instructed_on": _on(reached, OpinionStatus.INSTRUCTED),
                "content": rng.choice(vocab.INSTRUCTIONS).format(dept=department),
            })
            instruction_id += 1
        if index % 2000 == 1999:
            w.advance(index / total)
