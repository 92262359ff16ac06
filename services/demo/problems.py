"""Problems and suggestions collected on visits and at workstation activities, and their
follow-up.

A problem is planned where it is collected (``add_problem``) and written last
(``write_problems``), once the opinion reports and consultation topics have taken up
theirs (``take_up``): those are ``to_report`` or ``to_topic`` from the report's or topic's
day. The others went as far as their age allows: pending, referred to the issue's
department, handled (the department's reply), the reply fed back to the people, or closed
with a reason. Every problem has its history, a first ``ProblemStatusChange`` None →
pending when it was recorded, then one row a step.
"""

from collections import Counter
from datetime import date, datetime
from itertools import accumulate
from typing import Any

from sqlalchemy import select

from models import (
    CollectedProblem,
    ListEntry,
    ListKind,
    ProblemStatus,
    ProblemStatusChange,
    utcnow,
)
from services.demo import vocabulary as vocab
from services.demo.sink import table
from services.demo.world import OrgPlan, ProblemPlan, World, editable

P = ProblemStatus
# The problems no report or topic took up, by age: (younger than, weights) of each status.
_AGED = (P.PENDING, P.REFERRED, P.HANDLED, P.FED_BACK, P.CLOSED)
_AGE_WEIGHTS = ((14, (60, 35, 5, 0, 0)), (60, (15, 35, 30, 15, 5)),
                (180, (4, 10, 20, 56, 10)), (None, (2, 3, 8, 75, 12)))
_AGE_CUM_WEIGHTS = tuple((limit, tuple(accumulate(weights))) for limit, weights in _AGE_WEIGHTS)
_TAKEN_UP = (P.TO_REPORT, P.TO_TOPIC, P.TO_PROPOSAL)
# The steps after pending to each status, and the days each takes after the one before.
_FOLLOW_UP = ((P.REFERRED, (1, 10)), (P.HANDLED, (5, 60)), (P.FED_BACK, (1, 14)))
_DEPTH = {P.PENDING: 0, P.REFERRED: 1, P.HANDLED: 2, P.FED_BACK: 3}
_CLOSED_AFTER = (3, 30)
DUE_DAYS = 30  # a department has this long to reply
ACTOR_NAME = "demo"
_SLOT = 10  # step k after pending is stamped at slot _SLOT + k of its day (``World.stamp``)


def find_categories(w: World) -> None:
    """The problem category of each issue, from the top organisation's list (migration
    0009 seeds it); the categories it lacks are added."""
    names = [vocab.problem_category(issue) for issue in vocab.ISSUES]
    ids = _category_ids(w)
    missing = [name for name in dict.fromkeys(names) if name not in ids]
    created = w.stamp(w.previous_term_start)
    for position, name in enumerate(missing, start=len(ids)):
        w.sink.add(ListEntry, {
            "organisation_id": w.top_id, "kind": ListKind.PROBLEM_CATEGORY, "name": name,
            "text": None, "position": position, "is_active": True,
            "created_at": created, "updated_at": created,
        })
    if missing:
        ids = _category_ids(w)
    w.category_ids = [ids[name] for name in names]


def _category_ids(w: World) -> dict[str, int]:
    entries = table(ListEntry)
    return dict(w.sink.read(select(entries.c.name, entries.c.id).where(
        entries.c.organisation_id == w.top_id, entries.c.kind == ListKind.PROBLEM_CATEGORY)))


def find_departments(w: World) -> None:
    """Every department an organisation's problems are referred and its reports forwarded
    to (``vocab.DEPARTMENTS`` as its government names them, ``OrgPlan.local``) is in its
    department list, so the pickers and filters offer the names the records carry. The
    store's entries stay as they are (migration 0009 seeds the top organisation's with
    bare names: 教育局), the names an organisation lacks are added after its own, a name
    it has but deactivated is brought back, and a lower organisation adds only what its
    list does not already have from above (``services.lists.entries``)."""
    entries = table(ListEntry)
    have: dict[int, dict[str, tuple[int, bool]]] = {}
    for organisation_id, entry_id, name, active in w.sink.read(select(
            entries.c.organisation_id, entries.c.id, entries.c.name, entries.c.is_active
    ).where(entries.c.kind == ListKind.DEPARTMENT)):
        have.setdefault(organisation_id, {})[name] = (entry_id, active)
    created = w.stamp(w.previous_term_start)
    visible: dict[int, set[str]] = {}  # by organisation id: the active names it is offered
    for org in w.orgs:  # each after the one above it
        above = visible[org.parent_id] if org.parent_id is not None else set()
        own = have.get(org.id, {})
        names = [name for name in dict.fromkeys(map(org.local, vocab.DEPARTMENTS))
                 if name not in above]
        missing = [name for name in names if name not in own]
        for position, name in enumerate(missing, start=len(own)):
            w.sink.add(ListEntry, {
                "organisation_id": org.id, "kind": ListKind.DEPARTMENT, "name": name,
                "text": None, "position": position, "is_active": True,
                "created_at": created, "updated_at": created,
            })
        for name in names:
            if name in own and not own[name][1]:
                w.sink.update_row(ListEntry, own[name][0],
                                  {"is_active": True, "updated_at": utcnow()})
        visible[org.id] = above | {name for name, (_, active) in own.items() if active}
        visible[org.id] |= set(names)


def add_problem(w: World, *, org: OrgPlan, day: int, issue: int, place: str,
                visit_id: int | None, activity_id: int | None, committee_id: int,
                created: datetime) -> int:
    """A problem collected on a visit or at an activity of ``org``; returns its id."""
    w.problems.append(ProblemPlan(day=day, issue=issue, org=org.index, place=place,
                                  visit_id=visit_id, activity_id=activity_id,
                                  committee_id=committee_id, created=created))
    return len(w.problems)


def take_up(w: World, problem_id: int, status: ProblemStatus, target_id: int, day: int) -> bool:
    """The problem grew into the opinion report or topic ``target_id`` on ``day``; False
    if another one took it up before."""
    if problem_id in w.taken_up:
        return False
    w.taken_up[problem_id] = (status, target_id, day)
    return True


def problem_status(w: World, age: int) -> ProblemStatus:
    """The status of a problem ``age`` days old no report or topic took up."""
    cum_weights = next(cum for limit, cum in _AGE_CUM_WEIGHTS if limit is None or age < limit)
    return w.rng.choices(_AGED, cum_weights=cum_weights)[0]


def cover_problem_statuses(statuses: list[ProblemStatus], days: list[int]) -> None:
    """Every ``ProblemStatus`` occurs: re-label a problem of a plausible age (never one a
    report or topic took up)."""
    counts = Counter(statuses)
    for status in ProblemStatus:
        if counts[status] or not statuses:
            continue
        by_age = sorted(range(len(statuses)), key=days.__getitem__)  # oldest first
        # open states on the most recent problems, the others on the oldest
        order = reversed(by_age) if status in (P.PENDING, P.REFERRED) else by_age
        for index in order:
            if statuses[index] in _AGED and counts[statuses[index]] > 1:
                counts[statuses[index]] -= 1
                statuses[index] = status
                counts[status] += 1
                break


def write_problems(w: World) -> None:
    """Every planned problem with its history."""
    statuses = [w.taken_up[i][0] if i in w.taken_up else problem_status(w, w.t_ord - plan.day)
                for i, plan in enumerate(w.problems, start=1)]
    cover_problem_statuses(statuses, [plan.day for plan in w.problems])
    change_id = 1
    total = len(w.problems)
    for problem_id, (plan, status) in enumerate(zip(w.problems, statuses, strict=True), 1):
        change_id = _write_problem(w, problem_id, plan, status, change_id)
        if problem_id % 20_000 == 0:
            w.advance(problem_id / total)


def _write_problem(w: World, problem_id: int, plan: ProblemPlan, status: ProblemStatus,
                   change_id: int) -> int:
    """The problem's row and history; returns the next history id."""
    rng = w.rng
    org = w.orgs[plan.org]
    item = vocab.ISSUES[plan.issue]
    taken = w.taken_up.get(problem_id)
    target, taken_on = (taken[1], taken[2]) if taken else (None, None)
    steps = _steps(w, plan, status, taken_on)
    reached = dict(steps)
    referred = reached.get(P.REFERRED)
    department = org.local(item.department) if referred else None
    notes = {P.REFERRED: vocab.REFERRAL_NOTE.format(dept=department) if referred else None,
             P.CLOSED: rng.choice(vocab.CLOSE_REASONS) if P.CLOSED in reached else None}
    stamps = [max(plan.created, w.stamp(day, _SLOT + k)) for k, (_, day) in enumerate(steps)]
    changed_at = stamps[-1] if stamps else plan.created
    w.sink.add(CollectedProblem, {
        "id": problem_id, "organisation_id": org.id, "visit_id": plan.visit_id,
        "activity_id": plan.activity_id, "committee_id": plan.committee_id,
        "category_id": w.category_ids[plan.issue],
        "content": item.problem.format(place=plan.place), "suggestion": item.suggestion,
        "status": status, "collected_on": date.fromordinal(plan.day),
        "department": department, "referred_on": _on(referred),
        "due_on": _on(referred + DUE_DAYS) if referred else None,
        "handled_on": _on(reached.get(P.HANDLED)),
        "handling_note": (rng.choice(vocab.HANDLING_NOTES).format(dept=department)
                          if P.HANDLED in reached else None),
        "fed_back_on": _on(reached.get(P.FED_BACK)), "close_reason": notes[P.CLOSED],
        "opinion_report_id": target if status is P.TO_REPORT else None,
        "topic_id": target if status is P.TO_TOPIC else None,
        "proposal_id": target if status is P.TO_PROPOSAL else None,
        "status_changed_at": changed_at, **editable(plan.created, changed_at),
    })
    previous: ProblemStatus | None = None
    for state, stamp in [(P.PENDING, plan.created), *zip(reached, stamps, strict=True)]:
        w.sink.add(ProblemStatusChange, _change(change_id, problem_id, previous, state, stamp,
                                                notes.get(state)))
        change_id += 1
        previous = state
    return change_id


def _steps(w: World, plan: ProblemPlan, status: ProblemStatus,
           taken_on: int | None) -> list[tuple[ProblemStatus, int]]:
    """The days the problem reached each status after pending, from the day it was
    recorded (a report or topic took it up on ``taken_on``), never after today."""
    rng, t_ord = w.rng, w.t_ord
    day = plan.created.date().toordinal()
    if taken_on is not None:
        return [(status, max(day, taken_on))]
    if status in _TAKEN_UP:  # only when no report or topic took any problem up
        return [(status, min(day + rng.randint(1, 20), t_ord))]
    if status is P.CLOSED:
        return [(status, min(day + rng.randint(*_CLOSED_AFTER), t_ord))]
    steps = []
    for step, (low, high) in _FOLLOW_UP[:_DEPTH[status]]:
        day = min(day + rng.randint(low, high), t_ord)
        steps.append((step, day))
    return steps


def _change(change_id: int, problem_id: int, before: ProblemStatus | None,
            after: ProblemStatus, at: datetime, note: str | None) -> dict[str, Any]:
    return {"id": change_id, "problem_id": problem_id, "from_status": before,
            "to_status": after, "changed_at": at, "actor_user_id": None,
            "actor_name": ACTOR_NAME, "note": note}


def _on(ordinal: int | None) -> date | None:
    return date.fromordinal(ordinal) if ordinal else None
