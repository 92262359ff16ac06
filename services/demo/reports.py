"""Opinion reports (社情民意信息) through their feedback loop: co-authors, the timeline of
actions (``OpinionEvent``), adoptions at one level after another, forwardings to one to
three departments and their replies, leaders' instructions, and the collected problems
they grew out of.

A report's life is planned whole (``_life``: its actions, by day), then cut where it
stands today, or earlier where it got stuck. Its row, adoptions, forwardings and timeline
are all read off the actions it got through (``_replay``), so they cannot disagree.
"""

import bisect
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import select

from models import (
    AdoptionLevel,
    InstructionLevel,
    LeaderInstruction,
    ListEntry,
    ListKind,
    OpinionAction,
    OpinionAdoption,
    OpinionEvent,
    OpinionForwarding,
    OpinionReport,
    OpinionReportMember,
    OpinionStatus,
    OrgLevel,
    ProblemStatus,
)
from services.demo import vocabulary as vocab
from services.demo.problems import ACTOR_NAME, take_up
from services.demo.sink import table
from services.demo.world import World, editable
from services.opinion import Deadlines, stage_due

S = OpinionStatus
A = OpinionAction
_LIMITS = Deadlines()  # the service's defaults (the demo does not read the settings)
_OVERDUE_SHARE = 0.07  # of the open reports, so the board shows overdue marks
_STUCK_WITHIN = 120  # a stuck report's stage began at most this many days ago
# The stage each action leads to; adopt, forward and reply depend on the report
# (``_replay``), an instruction keeps the stage.
_MOVES = {A.SUBMIT: S.SUBMITTED, A.RESUBMIT: S.SUBMITTED, A.START_REVIEW: S.UNDER_REVIEW,
          A.RETURN: S.RETURNED, A.REJECT: S.NOT_ADOPTED, A.GIVE_FEEDBACK: S.FEEDBACK_GIVEN,
          A.CLOSE: S.CLOSED}
_MEMBERS_ACTIONS = frozenset({A.SUBMIT, A.RESUBMIT})  # the lead member's; the rest staff's
_LEVELS = tuple(AdoptionLevel)  # city, provincial, national: each adoption one higher
# The departments a report of each category may also go to, beside its issue's.
_CO_DEPARTMENTS = {
    category: list(dict.fromkeys([*sorted({item.department for item in vocab.ISSUES
                                           if item.category is category}),
                                  *vocab.CO_DEPARTMENTS]))
    for category in vocab.IssueCategory
}


@dataclass(slots=True)
class _ReportPlan:
    day: int
    lead: int
    co: list[int]


@dataclass(slots=True)
class _Action:
    day: int
    action: OpinionAction
    departments: tuple[int, ...] = ()  # forward: those it went to that day; reply: who
    level: AdoptionLevel | None = None  # adopt


@dataclass(slots=True)
class _Life:
    urgent: bool
    departments: int  # how many it is forwarded to, once adopted
    actions: list[_Action]  # the whole life, by day
    taken: int  # how many of them happened


class _State(NamedTuple):
    """Where a report stands after some of its actions."""

    stages: list[OpinionStatus]  # after each action
    began: int  # the action that began the current stage
    started: int  # its day
    due: date | None  # the current stage's deadline


def build_reports(w: World) -> None:
    """Opinion reports, most members one a half-year, many written jointly, each through
    its feedback loop as far as the days since allow."""
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
    lives = [_report_life(w, plan) for plan in plans]
    _stall_some(w, lives)
    _cover_report_statuses(w, plans, lives)
    _cover_partly_replied(w, lives)
    _write_reports(w, plans, lives, _opinion_categories(w))


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


# --- the office's lists ----------------------------------------------------------------

def _opinion_categories(w: World) -> list[int]:
    """The opinion category (``ListEntry`` id) of each issue, from the top organisation's
    list (migration 0010 seeds it, with the reply templates); what it lacks is added."""
    names = [vocab.OPINION_CATEGORIES[issue.category] for issue in vocab.ISSUES]
    wanted = {ListKind.OPINION_CATEGORY: {name: None for name in vocab.OPINION_CATEGORIES.values()},
              ListKind.OPINION_REPLY_TEMPLATE: dict(vocab.OPINION_REPLY_TEMPLATES)}
    created = w.stamp(w.previous_term_start)
    for kind, texts in wanted.items():
        have = _entry_ids(w, kind)
        missing = [name for name in texts if name not in have]
        for position, name in enumerate(missing, start=len(have)):
            w.sink.add(ListEntry, {
                "organisation_id": w.top_id, "kind": kind, "name": name, "text": texts[name],
                "position": position, "is_active": True,
                "created_at": created, "updated_at": created,
            })
    ids = _entry_ids(w, ListKind.OPINION_CATEGORY)
    return [ids[name] for name in names]


def _entry_ids(w: World, kind: ListKind) -> dict[str, int]:
    entries = table(ListEntry)
    return dict(w.sink.read(select(entries.c.name, entries.c.id).where(
        entries.c.organisation_id == w.top_id, entries.c.kind == kind)))


# --- a report's life ---------------------------------------------------------------------

def _report_life(w: World, plan: _ReportPlan) -> _Life:
    rng = w.rng
    urgent = rng.random() < 0.1
    adopted = rng.random() < 0.8
    returned = rng.random() < 0.1
    return _life(w, plan, urgent, adopted=adopted, returned=returned)


def _life(w: World, plan: _ReportPlan, urgent: bool, *, adopted: bool,
          returned: bool) -> _Life:
    """Every action of the report's life, whether or not its day has come."""
    rng = w.rng
    review, forward = _LIMITS.days("review", urgent), _LIMITS.days("forward", urgent)
    actions = [_Action(plan.day, A.SUBMIT)]
    t = plan.day + rng.randint(0, 1 if urgent else 2)
    actions.append(_Action(t, A.START_REVIEW))
    if returned:  # sent back for revision, and sent in again
        t += rng.randint(1, review - 1)
        actions.append(_Action(t, A.RETURN))
        t += rng.randint(2, 20)
        actions.append(_Action(t, A.RESUBMIT))
        t += rng.randint(0, 1 if urgent else 2)
        actions.append(_Action(t, A.START_REVIEW))
    t += _took(w, review, 1)
    if not adopted:
        actions.append(_Action(t, A.REJECT))
        actions += _feedback_and_close(w, t)
        return _Life(urgent, 0, actions, _today_cut(w, actions))
    level = _first_level(w, plan)
    actions.append(_Action(t, A.ADOPT, level=level))
    departments = rng.choices((1, 2, 3), (70, 22, 8))[0]
    forwardings = _forwardings(w, t + _took(w, forward, 0), departments, urgent)
    actions += forwardings
    ending = _feedback_and_close(w, forwardings[-1].day)
    actions += ending
    end = ending[-1].day if ending[-1].action is A.CLOSE else None
    actions += _further_adoptions(w, t, level, end)
    if rng.random() < (0.3 if urgent else 0.07):  # a leader's instruction, before it closed
        latest = 40 if end is None else max(1, min(40, end - t - 1))
        actions.append(_Action(t + rng.randint(1, latest), A.INSTRUCT))
    actions.sort(key=lambda action: action.day)  # stable: the same day keeps this order
    return _Life(urgent, departments, actions, _today_cut(w, actions))


def _forwardings(w: World, day: int, count: int, urgent: bool) -> list[_Action]:
    """Forwarded to ``count`` departments, the others mostly the same day (one action),
    else one to three days later; then each department's reply, never before the last
    forwarding."""
    rng = w.rng
    days = [day] + [day if rng.random() < 0.6 else day + rng.randint(1, 3)
                    for _ in range(count - 1)]
    forwards = [_Action(on, A.FORWARD, tuple(d for d in range(count) if days[d] == on))
                for on in sorted(set(days))]
    limit = _LIMITS.days("reply", urgent)
    replies = [_Action(days[d] + _took(w, limit, 3), A.REPLY, (d,)) for d in range(count)]
    return forwards + sorted(replies, key=lambda action: action.day)


def _took(w: World, limit: int, least: int) -> int:
    """Days an action took against its deadline: in time, but one in ten late."""
    if w.rng.random() < 0.1:
        return w.rng.randint(limit + 1, 2 * limit + 5)
    return w.rng.randint(least, limit)


def _feedback_and_close(w: World, day: int) -> list[_Action]:
    """The members told the outcome, and the report closed (but not always formally)."""
    rng = w.rng
    told = day + _took(w, _LIMITS.feedback, 1)
    ending = [_Action(told, A.GIVE_FEEDBACK)]
    if rng.random() < 0.9:
        ending.append(_Action(told + rng.randint(3, 30), A.CLOSE))
    return ending


def _first_level(w: World, plan: _ReportPlan) -> AdoptionLevel:
    """A province's reports are adopted at its level first; the others mostly at the
    city's, the best of them higher at once."""
    if w.orgs[w.members[plan.lead].org].level is OrgLevel.PROVINCE:
        return AdoptionLevel.PROVINCIAL
    return w.rng.choices(_LEVELS, (85, 12, 3))[0]


def _further_adoptions(w: World, day: int, level: AdoptionLevel,
                       end: int | None) -> list[_Action]:
    """Adopted again a level higher some weeks later (before the report closed)."""
    rng = w.rng
    further: list[_Action] = []
    for higher in _LEVELS[_LEVELS.index(level) + 1:]:
        if rng.random() >= 0.15:
            break
        day += rng.randint(10, 60)
        if end is not None and day >= end:
            break
        further.append(_Action(day, A.ADOPT, level=higher))
    return further


def _replay(life: _Life, taken: int) -> _State:
    """The stages after each of the first ``taken`` actions, and the deadline of the
    stage the report is in after them."""
    stage = S.SUBMITTED
    stages: list[OpinionStatus] = []
    began = 0
    forwarded: dict[int, int] = {}  # department -> day, while it is silent
    for action in life.actions[:taken]:
        before = stage
        match action.action:
            case A.ADOPT:
                stage = S.ADOPTED if stage is S.UNDER_REVIEW else stage
            case A.FORWARD:
                forwarded |= dict.fromkeys(action.departments, action.day)
                stage = S.FORWARDED
            case A.REPLY:
                del forwarded[action.departments[0]]
                stage = stage if forwarded else S.REPLIED
            case A.INSTRUCT:
                pass
            case other:
                stage = _MOVES[other]
        if stage is not before:
            began = len(stages)
        stages.append(stage)
    started = life.actions[began].day
    return _State(stages, began, started, _due(life, stage, started, forwarded.values()))


def _due(life: _Life, stage: OpinionStatus, started: int,
         silent_since: Iterable[int]) -> date | None:
    """The stage's deadline as the service sets it; a forwarded report's is the earliest
    of the departments still silent."""
    reply = timedelta(days=_LIMITS.days("reply", life.urgent))
    return stage_due(stage, date.fromordinal(started), life.urgent, _LIMITS,
                     [date.fromordinal(day) + reply for day in silent_since])


def _today_cut(w: World, actions: list[_Action]) -> int:
    """How many of the actions have happened by today."""
    return bisect.bisect_right([action.day for action in actions], w.t_ord)


# --- what the demo must show ---------------------------------------------------------------

def _stall_some(w: World, lives: list[_Life]) -> None:
    """Some reports got stuck past their stage's deadline, a few in a hundred of the open
    ones, in every stage that has one: the board shows them overdue."""
    states = [_replay(life, life.taken) for life in lives]
    open_count = sum(state.stages[-1] is not S.CLOSED for state in states)
    overdue = sum(_overdue(w, state) for state in states)
    order = list(range(len(lives)))
    w.rng.shuffle(order)
    for index in order:
        if overdue >= _OVERDUE_SHARE * open_count:
            break
        life, state = lives[index], states[index]
        if _overdue(w, state):
            continue
        cuts = [taken for taken in range(1, life.taken)
                if _overdue(w, stuck := _replay(life, taken))
                and stuck.started >= w.t_ord - _STUCK_WITHIN]
        if cuts:
            life.taken = w.rng.choice(cuts)
            open_count += state.stages[-1] is S.CLOSED
            overdue += 1


def _overdue(w: World, state: _State) -> bool:
    return state.due is not None and state.due < w.today


def _cover_report_statuses(w: World, plans: list[_ReportPlan], lives: list[_Life]) -> None:
    """Every ``OpinionStatus`` occurs: stop a report at the missing stage (forcing its
    branch, returned or not adopted, when no report took it)."""
    if not lives:
        return
    counts = Counter(_replay(life, life.taken).stages[-1] for life in lives)
    for status in S:
        if counts[status]:
            continue
        if _stop_where(w, lives, counts, _reaching(status)):
            continue
        for index in range(len(lives) - 1, -1, -1):  # no report took the branch: force it
            life = lives[index]
            current = _replay(life, life.taken).stages[-1]
            if counts[current] <= 1:
                continue
            lives[index] = _life(w, plans[index], life.urgent,
                                 adopted=status is not S.NOT_ADOPTED,
                                 returned=status is S.RETURNED)
            if _stop_at(w, lives[index], _reaching(status)):
                counts[current] -= 1
                counts[status] += 1
                break
            lives[index] = life


def _cover_partly_replied(w: World, lives: list[_Life]) -> None:
    """Some forwarded report has one department's reply and waits for another's."""
    counts = Counter(_replay(life, life.taken).stages[-1] for life in lives)
    if not any(_partly_replied(life) for life in lives):
        _stop_where(w, lives, counts,
                    lambda action, stage: action.action is A.REPLY and stage is S.FORWARDED)


def _partly_replied(life: _Life) -> bool:
    taken = life.actions[:life.taken]
    return (_replay(life, life.taken).stages[-1] is S.FORWARDED
            and any(action.action is A.REPLY for action in taken))


_Wanted = Callable[[_Action, OpinionStatus], bool]


def _reaching(status: OpinionStatus) -> _Wanted:
    return lambda action, stage: stage is status


def _stop_where(w: World, lives: list[_Life], counts: Counter[OpinionStatus],
                wanted: _Wanted) -> bool:
    """Stop the most recent report that got as far as ``wanted`` (an action and the stage
    after it) there, unless it is the last of its status. One that is not overdue there
    if any (``_stall_some`` made the overdue ones); False if no report got as far."""
    for overdue_too in (False, True):
        for life in reversed(lives):
            before = _replay(life, life.taken)
            if counts[before.stages[-1]] <= 1:
                continue
            taken = life.taken
            if _stop_at(w, life, wanted):
                after = _replay(life, life.taken)
                if overdue_too or not _overdue(w, after):
                    counts[before.stages[-1]] -= 1
                    counts[after.stages[-1]] += 1
                    return True
                life.taken = taken
    return False


def _stop_at(w: World, life: _Life, wanted: _Wanted) -> bool:
    """Cut the life at the first action ``wanted``, if its day has come."""
    stages = _replay(life, len(life.actions)).stages
    for index, (action, stage) in enumerate(zip(life.actions, stages, strict=True)):
        if action.day > w.t_ord:
            break
        if wanted(action, stage):
            life.taken = index + 1
            return True
    return False


# --- the rows ------------------------------------------------------------------------------

@dataclass(slots=True)
class _Ids:
    event: int = 1
    adoption: int = 1
    forwarding: int = 1
    instruction: int = 1


class _Instruction(NamedTuple):
    level: InstructionLevel
    leader: str
    content: str


@dataclass(slots=True)
class _Report:
    """One report as written: the actions it got through and what the rows say of each."""

    id: int
    urgent: bool
    state: _State
    actions: list[_Action]
    stamps: list[datetime]
    departments: list[str]  # as the report's organisation's government names them
    instructions: dict[int, _Instruction]  # by action
    notes: list[str | None]  # the timeline's, as the service writes them (``_notes``)


def _write_reports(w: World, plans: list[_ReportPlan], lives: list[_Life],
                   category_ids: list[int]) -> None:
    ids = _Ids()
    total = len(plans)
    for index, (plan, life) in enumerate(zip(plans, lives, strict=True)):
        _write_report(w, index + 1, plan, life, category_ids, ids)
        if index % 2000 == 1999:
            w.advance(index / total)


def _write_report(w: World, report_id: int, plan: _ReportPlan, life: _Life,
                  category_ids: list[int], ids: _Ids) -> None:
    member = w.members[plan.lead]
    org = w.orgs[member.org]
    issue, source_visit = _source(w, report_id, plan)
    title, body = _texts(w, plan, issue)
    departments = [org.local(name) for name in _departments(w, issue, life.departments)]
    actions = life.actions[:life.taken]
    stamps = _stamps(w, actions)
    instructions = _instructions(w, actions,
                                 departments or [org.local(vocab.ISSUES[issue].department)])
    report = _Report(report_id, life.urgent, _replay(life, life.taken), actions, stamps,
                     departments, instructions, [])
    report.notes = _notes(w, report, title)
    w.sink.add(OpinionReport, {
        "id": report_id, "title": title, "body": body, "organisation_id": org.id,
        "category_id": category_ids[issue], "committee_id": member.committee_on(plan.day),
        "source_visit_id": source_visit, "is_urgent": life.urgent,
        "submitted_on": date.fromordinal(plan.day), **_how_far(report),
        "idempotency_key": None, **editable(stamps[0], stamps[-1]),
    })
    for position, other in enumerate([plan.lead, *plan.co]):
        w.sink.add(OpinionReportMember, {
            "report_id": report_id, "member_id": w.members[other].id,
            "is_lead": position == 0, "submitted_on": date.fromordinal(plan.day),
        })
    _write_events(w, report, w.names[plan.lead], ids)
    _write_adoptions(w, report, ids)
    _write_forwardings(w, report, ids)
    _write_instructions(w, report, ids)


def _how_far(report: _Report) -> dict[str, Any]:
    """The report's columns that say how far it got, as the service sets them."""
    actions, state, notes = report.actions, report.state, report.notes
    first = {action.action: index for index, action in reversed(list(enumerate(actions)))}

    def on(action: OpinionAction) -> date | None:
        return date.fromordinal(actions[first[action]].day) if action in first else None

    levels = [action.level for action in actions if action.action is A.ADOPT]
    replied = state.stages.index(S.REPLIED) if S.REPLIED in state.stages else None
    return {
        "status": state.stages[-1],
        "adoption_level": max(levels, key=_LEVELS.index) if levels else None,
        "adopted_on": on(A.ADOPT),
        "not_adopted_reason": notes[first[A.REJECT]] if A.REJECT in first else None,
        "forwarded_on": on(A.FORWARD),
        "replied_on": date.fromordinal(actions[replied].day) if replied is not None else None,
        "feedback_on": on(A.GIVE_FEEDBACK),
        "feedback_summary": notes[first[A.GIVE_FEEDBACK]] if A.GIVE_FEEDBACK in first else None,
        "closed_on": on(A.CLOSE),
        "stage_started_on": date.fromordinal(state.started), "due_on": state.due,
        "status_changed_at": report.stamps[state.began],
    }


def _write_events(w: World, report: _Report, member_name: str, ids: _Ids) -> None:
    """The timeline: one event an action, the first from no stage."""
    previous: OpinionStatus | None = None
    for action, stage, stamp, note in zip(report.actions, report.state.stages, report.stamps,
                                          report.notes, strict=True):
        w.sink.add(OpinionEvent, {
            "id": ids.event, "report_id": report.id, "action": action.action,
            "from_status": previous, "to_status": stage, "changed_at": stamp,
            "changed_on": date.fromordinal(action.day), "actor_user_id": None,
            "actor_name": member_name if action.action in _MEMBERS_ACTIONS else ACTOR_NAME,
            "note": note,
        })
        ids.event += 1
        previous = stage


def _write_adoptions(w: World, report: _Report, ids: _Ids) -> None:
    for action, stamp, publication in zip(report.actions, report.stamps, report.notes,
                                          strict=True):
        if action.action is A.ADOPT:
            w.sink.add(OpinionAdoption, {
                "id": ids.adoption, "report_id": report.id, "level": action.level,
                "adopted_on": date.fromordinal(action.day), "publication": publication,
                "created_at": stamp, "updated_at": stamp,
            })
            ids.adoption += 1


def _write_forwardings(w: World, report: _Report, ids: _Ids) -> None:
    """One row a department, with its reply (the reply's note) once it came."""
    reply_days = timedelta(days=_LIMITS.days("reply", report.urgent))
    replies = {action.departments[0]: (action.day, stamp, note) for action, stamp, note
               in zip(report.actions, report.stamps, report.notes, strict=True)
               if action.action is A.REPLY}
    for action, stamp in zip(report.actions, report.stamps, strict=True):
        if action.action is not A.FORWARD:
            continue
        forwarded_on = date.fromordinal(action.day)
        for department in action.departments:
            replied_on, replied_at, reply = replies.get(department, (None, stamp, None))
            w.sink.add(OpinionForwarding, {
                "id": ids.forwarding, "report_id": report.id,
                "department": report.departments[department], "forwarded_on": forwarded_on,
                "due_on": forwarded_on + reply_days, "reply": reply,
                "replied_on": date.fromordinal(replied_on) if replied_on else None,
                "created_at": stamp, "updated_at": replied_at,
            })
            ids.forwarding += 1


def _instructions(w: World, actions: Sequence[_Action],
                  departments: list[str]) -> dict[int, _Instruction]:
    """A leader, mostly of the highest level that had adopted the report by then (else of
    the first), asks the department it went to first to act."""
    rng = w.rng
    instructions = {}
    levels: list[AdoptionLevel] = []
    for index, action in enumerate(actions):
        if action.action is A.ADOPT and action.level is not None:
            levels.append(action.level)
        elif action.action is A.INSTRUCT:
            level = InstructionLevel((levels[-1] if rng.random() < 0.8 else levels[0]).value)
            instructions[index] = _Instruction(
                level, rng.choice(vocab.LEADERS[level.value]),
                rng.choice(vocab.INSTRUCTIONS).format(dept=departments[0]))
    return instructions


def _write_instructions(w: World, report: _Report, ids: _Ids) -> None:
    for index, instruction in report.instructions.items():
        w.sink.add(LeaderInstruction, {
            "id": ids.instruction, "report_id": report.id, "level": instruction.level,
            "leader": instruction.leader,
            "instructed_on": date.fromordinal(report.actions[index].day),
            "content": instruction.content,
        })
        ids.instruction += 1


def _source(w: World, report_id: int, plan: _ReportPlan) -> tuple[int, int | None]:
    """The report's issue and the visit it came from: a collected problem it took up, a
    visit it was written up after, or neither."""
    rng = w.rng
    roll = rng.random()
    if roll < 0.25:  # grew out of a collected problem
        for p_day, p_id, p_issue, p_visit in reversed(w.member_problems[plan.lead]):
            if p_day > plan.day:
                continue
            if p_day < plan.day - 120:
                break
            if take_up(w, p_id, ProblemStatus.TO_REPORT, report_id, plan.day):
                return p_issue, p_visit
    elif roll < 0.6:  # written up after a visit
        visits = w.member_visits[plan.lead]
        position = bisect.bisect_right(visits, (plan.day, 1 << 62)) - 1
        if position >= 0 and visits[position][0] >= plan.day - 60:
            source_visit = visits[position][1]
            return w.visit_issue[source_visit - 1], source_visit
    return w.issue_for(w.members[plan.lead].sector), None


def _texts(w: World, plan: _ReportPlan, issue: int) -> tuple[str, str]:
    """The title and body."""
    rng = w.rng
    member = w.members[plan.lead]
    spec = vocab.SECTORS[member.sector]
    item = vocab.ISSUES[issue]
    place = member.district
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
    return title[:200], body


def _departments(w: World, issue: int, count: int) -> list[str]:
    """The issue's department first, then others of its category or those often asked
    beside it (city names: ``OrgPlan.local`` makes them the organisation's)."""
    if count == 0:
        return []
    item = vocab.ISSUES[issue]
    others = [name for name in _CO_DEPARTMENTS[item.category] if name != item.department]
    return [item.department, *w.rng.sample(others, count - 1)]


def _stamps(w: World, actions: Sequence[_Action]) -> list[datetime]:
    """When each action was recorded: in order through its day (``World.stamp``'s slots
    0-8 keep their order; later ones on the same day tie, and the event ids order them)."""
    stamps = []
    same_day = 0
    for index, action in enumerate(actions):
        same_day = same_day + 1 if index and actions[index - 1].day == action.day else 0
        stamps.append(w.stamp(action.day, min(same_day, 8)))
    return stamps


def _notes(w: World, report: _Report, title: str) -> list[str | None]:
    """What the timeline says beside each action, as the service writes it: where an
    adoption was published, the departments a forwarding went to, a department's reply,
    the leader and the instruction, the feedback told the members (a reply template),
    a reason."""
    rng = w.rng
    replied = any(action.action is A.REPLY for action in report.actions)
    notes: list[str | None] = []
    for index, action in enumerate(report.actions):
        note: str | None = None
        match action.action:
            case A.START_REVIEW:
                note = rng.choice(vocab.STATUS_NOTES) or None
            case A.RETURN:
                note = rng.choice(vocab.RETURN_REASONS)
            case A.REJECT:
                note = rng.choice(vocab.NOT_ADOPTED_REASONS)
            case A.ADOPT:
                note = _publication(action)
            case A.FORWARD:
                note = "、".join(report.departments[d] for d in action.departments)
            case A.REPLY:
                note = rng.choice(vocab.FEEDBACKS).format(
                    dept=report.departments[action.departments[0]])
            case A.INSTRUCT:
                instruction = report.instructions[index]
                note = f"{instruction.leader}：{instruction.content}"
            case A.GIVE_FEEDBACK:
                template = vocab.OPINION_REPLIED if replied else vocab.OPINION_NOT_ADOPTED
                note = vocab.OPINION_REPLY_TEMPLATES[template].format(
                    title=title, department="、".join(report.departments))
        notes.append(note)
    return notes


def _publication(action: _Action) -> str:
    """The issue of the level's bulletin it appeared in: one a week."""
    assert action.level is not None
    on = date.fromordinal(action.day)
    return vocab.PUBLICATIONS[action.level.value].format(
        year=on.year, n=(on.timetuple().tm_yday - 1) // 7 + 1)
