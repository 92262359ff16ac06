"""Problems and suggestions collected on visits and at workstation activities."""

from datetime import date, datetime

from models import CollectedProblem, ProblemStatus
from services.demo import vocabulary as vocab
from services.demo.world import OrgPlan, World, editable

_PROBLEM_STATUSES = tuple(ProblemStatus)


def problem_status(w: World, age: int) -> int:
    """A ``ProblemStatus`` index for a problem ``age`` days old."""
    if age < 14:
        weights = (60, 30, 10, 0, 0)
    elif age < 60:
        weights = (15, 30, 35, 15, 5)
    elif age < 180:
        weights = (5, 10, 25, 50, 10)
    else:
        weights = (2, 3, 8, 75, 12)
    return w.rng.choices(range(5), weights)[0]


def cover_problem_statuses(statuses: bytearray) -> None:
    """Every ``ProblemStatus`` occurs: re-label a problem of a plausible age."""
    counts = [statuses.count(s) for s in range(5)]
    for status in range(5):
        if counts[status] or not statuses:
            continue
        # open states on the most recent problems, closed ones on the oldest
        order = range(len(statuses) - 1, -1, -1) if status < 3 else range(len(statuses))
        for index in order:
            if counts[statuses[index]] > 1:
                counts[statuses[index]] -= 1
                statuses[index] = status
                counts[status] += 1
                break


def add_problem(w: World, *, org: OrgPlan, day: int, issue: int, status: int, place: str,
                visit_id: int | None, activity_id: int | None, committee_id: int,
                created: datetime) -> int:
    """A problem collected on a visit or at an activity of ``org``; returns its id."""
    rng, t_ord = w.rng, w.t_ord
    item = vocab.ISSUES[issue]
    state = _PROBLEM_STATUSES[status]
    handled: int | None = None
    note: str | None = None
    if state is ProblemStatus.COLLECTED:
        changed = day
    elif state is ProblemStatus.REFERRED:
        changed = min(day + rng.randint(1, 10), t_ord)
    elif state is ProblemStatus.IN_PROGRESS:
        changed = min(day + rng.randint(5, 40), t_ord)
    else:
        handled = min(day + rng.randint(7, 120), t_ord)
        changed = handled
        notes = (vocab.HANDLING_NOTES_RESOLVED if state is ProblemStatus.RESOLVED
                 else vocab.HANDLING_NOTES_NOT_RESOLVABLE)
        note = rng.choice(notes).format(dept=org.local(item.department))
    problem_id = w.next_problem_id
    w.next_problem_id += 1
    changed_at = max(created, w.stamp(changed, 8))
    w.sink.add(CollectedProblem, {
        "id": problem_id, "organisation_id": org.id, "visit_id": visit_id,
        "activity_id": activity_id, "committee_id": committee_id,
        "content": item.problem.format(place=place),
        "suggestion": item.suggestion, "status": state,
        "collected_on": date.fromordinal(day),
        "handled_on": date.fromordinal(handled) if handled is not None else None,
        "handling_note": note, "opinion_report_id": None, "topic_id": None,
        "status_changed_at": changed_at,
        **editable(created, changed_at),
    })
    return problem_id
