"""Problems and suggestions collected at visits (and workstation activities), followed up
by the committee of the member who collected them until they are handled.

The follow-up (``ProblemStatus``, the steps in ``TRANSITIONS``): pending → referred to a
department → handled (the department's reply) → the reply passed back to the people who
raised it; or, from pending or referred, handled directly, turned into an opinion report,
a consultation-topic suggestion or a proposal, or closed without action (reason required).
Passed back, turned into a report, a topic or a proposal, and closed are final: only an
administrator reopens one (back to pending, with a note). Every change is versioned, a
``ProblemStatusChange`` row and an audit row, in one transaction.

Administrators follow up the problems of their organisations, staff those of their
committees; leaders read; a member reads the problems of the visits and activities they
took part in. Problems of a deleted visit or activity are gone with it.

A problem is *overdue* while pending or referred past its due date, or, without one,
more than the overdue days (``overdue_days``, a setting) after it was collected. The
handled rate of a committee is its problems concluded (``CONCLUDED``) over those
collected in the period (docs/problems.md).
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    false,
    func,
    literal_column,
    or_,
    union_all,
    update,
)
from sqlmodel import Session, col, select

from models import (
    AppSetting,
    AuditAction,
    CollectedProblem,
    Committee,
    ConsultationTopic,
    ListEntry,
    ListKind,
    Member,
    OpinionReport,
    Organisation,
    ProblemStatus,
    ProblemStatusChange,
    Proposal,
    Role,
    User,
    Visit,
    VisitMember,
    Workstation,
    WorkstationActivity,
    WorkstationActivityMember,
    utcnow,
)
from services.actors import Actor
from services.audit import changed_values, record_audit, snapshot
from services.errors import PermissionDenied, ServiceError, StaleRecord, ValidationFailed
from services.lists import entries, entry_names
from services.organisations import in_scope
from services.records import insert_if_absent, load_live, versioned_update
from services.search import contains
from services.text import clean_text

MAX_PROBLEMS = 20  # items on one form
CONTENT_LENGTH = 500


@dataclass(frozen=True)
class ProblemItem:
    """One problem or suggestion as a form gives it."""

    content: str
    category_id: int | None = None


def cleaned_items(items: Sequence[ProblemItem]) -> list[ProblemItem]:
    """The items with their text cleaned; blank items (an empty row left on the form)
    are dropped."""
    cleaned = [ProblemItem(clean_text(item.content, single_line=False), item.category_id)
               for item in items]
    return [item for item in cleaned if item.content]


def item_errors(session: Session, organisation_id: int, items: Sequence[ProblemItem], *,
                categories: Mapping[int, str] | None = None) -> str | None:
    """The message key of what is wrong with the (cleaned) items, or None.
    ``categories`` is the organisation's category list when the caller has read it
    already (an import checks thousands of rows against one list)."""
    if not items:
        return None
    if len(items) > MAX_PROBLEMS:
        return "problems.error.too_many"
    if any(len(item.content) > CONTENT_LENGTH for item in items):
        return "problems.error.too_long"
    if categories is None:
        categories = entry_names(session=session, organisation_id=organisation_id,
                                 kind=ListKind.PROBLEM_CATEGORY)
    for item in items:
        if item.category_id is None and categories:
            return "problems.error.category_required"
        if item.category_id is not None and item.category_id not in categories:
            return "problems.error.unknown_category"
    return None


def add_problems(session: Session, actor: Actor, *, organisation_id: int, committee_id: int,
                 collected_on: date, items: Sequence[ProblemItem], visit_id: int | None = None,
                 activity_id: int | None = None) -> list[CollectedProblem]:
    """Store checked items as pending problems, each with the first row of its history.
    The caller has checked the items (``item_errors``) and audits the record they came
    with."""
    problems = [
        CollectedProblem(organisation_id=organisation_id, committee_id=committee_id,
                         visit_id=visit_id, activity_id=activity_id, content=item.content,
                         category_id=item.category_id, collected_on=collected_on,
                         status=ProblemStatus.PENDING)
        for item in items
    ]
    session.add_all(problems)
    session.flush()
    session.add_all([
        ProblemStatusChange(problem_id=problem.id, from_status=None,
                            to_status=ProblemStatus.PENDING, actor_user_id=actor.user_id,
                            actor_name=actor.name)
        for problem in problems
    ])
    return problems


# --- the follow-up's rules ----------------------------------------------------------------

DEPARTMENT_LENGTH = 120
REPLY_LENGTH = 1000
REASON_LENGTH = 500
NOTE_LENGTH = 500
OVERDUE_SETTING = "problems.overdue_days"
DEFAULT_OVERDUE_DAYS = 30
OVERDUE_DAYS_RANGE = range(1, 366)

OPEN = (ProblemStatus.PENDING, ProblemStatus.REFERRED)
CONCLUDED = (ProblemStatus.HANDLED, ProblemStatus.FED_BACK, ProblemStatus.TO_REPORT,
             ProblemStatus.TO_TOPIC, ProblemStatus.TO_PROPOSAL, ProblemStatus.CLOSED)
FINAL = frozenset({ProblemStatus.FED_BACK, ProblemStatus.TO_REPORT, ProblemStatus.TO_TOPIC,
                   ProblemStatus.TO_PROPOSAL, ProblemStatus.CLOSED})
_ONWARD = (ProblemStatus.HANDLED, ProblemStatus.TO_REPORT, ProblemStatus.TO_TOPIC,
           ProblemStatus.TO_PROPOSAL, ProblemStatus.CLOSED)
TRANSITIONS: dict[ProblemStatus, tuple[ProblemStatus, ...]] = {
    ProblemStatus.PENDING: (ProblemStatus.REFERRED, *_ONWARD),
    ProblemStatus.REFERRED: _ONWARD,
    ProblemStatus.HANDLED: (ProblemStatus.FED_BACK,),
    **dict.fromkeys(FINAL, ()),
}
"""The steps staff take; an administrator may also reopen a final one (back to pending)."""

# Each refusal names the steps its status allows.
_REFUSED = {
    ProblemStatus.PENDING: "problems.error.from_pending",
    ProblemStatus.REFERRED: "problems.error.from_referred",
    ProblemStatus.HANDLED: "problems.error.from_handled",
    **dict.fromkeys(FINAL, "problems.error.from_final"),
}
# What reopening clears: the follow-up starts again (the audit trail keeps the old values).
_FOLLOW_UP_FIELDS = ("department", "referred_on", "due_on", "handled_on", "handling_note",
                     "fed_back_on", "close_reason")


class TransitionRefused(ServiceError):
    """The step is not one the problem's status allows; the message names those it does."""


class BulkChangeRefused(ServiceError):
    """Some of the problems chosen cannot take the step, so none did. ``reasons`` maps
    each of them to the message key of why."""

    message_key = "problems.error.bulk_refused"

    def __init__(self, reasons: Mapping[int, str]):
        super().__init__(ids=", ".join(f"#{problem_id}" for problem_id in reasons))
        self.reasons = dict(reasons)


@dataclass(frozen=True)
class StatusChange:
    """One step as a form gives it. Each step reads its own fields: referred (department,
    referred_on, due_on, note), handled (reply, handled_on), fed_back (fed_back_on, note),
    to_report (note, opinion_report_id), to_topic (note, topic_id), to_proposal (note,
    proposal_id: required), closed (reason), pending (reopening: note). A date left empty
    is today; due_on defaults to the overdue days after the referral."""

    to_status: ProblemStatus
    department: str = ""
    referred_on: date | None = None
    due_on: date | None = None
    reply: str = ""
    handled_on: date | None = None
    fed_back_on: date | None = None
    reason: str = ""
    note: str = ""
    opinion_report_id: int | None = None
    topic_id: int | None = None
    proposal_id: int | None = None


def can_follow_up(actor: Actor, organisation_id: int, committee_id: int) -> bool:
    """Administrators within their organisations; staff for their committees' problems."""
    if not actor.sees_organisation(organisation_id):
        return False
    return actor.role is Role.ADMIN or (
        actor.role is Role.STAFF and committee_id in actor.committee_ids)


def next_steps(actor: Actor, problem: CollectedProblem) -> list[ProblemStatus]:
    """The statuses the actor may move the problem to, in the order forms offer them."""
    if not can_follow_up(actor, problem.organisation_id, problem.committee_id):
        return []
    reopen = [ProblemStatus.PENDING] if (problem.status in FINAL
                                         and actor.role is Role.ADMIN) else []
    return [*TRANSITIONS[problem.status], *reopen]


def change_status(*, session: Session, actor: Actor, problem_id: int, expected_version: int,
                  change: StatusChange, today: date,
                  now: datetime | None = None) -> CollectedProblem:
    """Take one step, against the version the user saw. Refusals: ``PermissionDenied``,
    ``StaleRecord`` (someone else changed it), ``TransitionRefused``, ``ValidationFailed``
    (every field's problem at once)."""
    change = _cleaned(change, today)
    form_errors = _form_errors(session, change, today)
    problem = _checked_problem(session, actor, problem_id, expected_version, change,
                               form_errors)
    return _apply(session, actor, problem, expected_version, change, now or utcnow(),
                  overdue_days(session=session))


def change_statuses(*, session: Session, actor: Actor, versions: Mapping[int, int],
                    change: StatusChange, today: date,
                    now: datetime | None = None) -> list[CollectedProblem]:
    """The same step for several problems (id → the version the user saw), all or none:
    a field's problem is ``ValidationFailed`` for the form; any problem that cannot take
    the step refuses them all with ``BulkChangeRefused`` naming each, before anything is
    written."""
    if not versions:
        raise ValidationFailed({"problem_ids": "problems.error.none_chosen"})
    change = _cleaned(change, today)
    form_errors = _form_errors(session, change, today)
    if form_errors:
        raise ValidationFailed(form_errors)
    checked, reasons = {}, {}
    for problem_id, version in versions.items():
        try:
            checked[problem_id] = _checked_problem(session, actor, problem_id, version, change,
                                                   {})
        except ValidationFailed as exc:
            reasons[problem_id] = next(iter(exc.field_errors.values()))
        except ServiceError as exc:
            reasons[problem_id] = exc.message_key
    if reasons:
        raise BulkChangeRefused(reasons)
    days, when = overdue_days(session=session), now or utcnow()
    return [_apply(session, actor, problem, versions[problem_id], change, when, days)
            for problem_id, problem in checked.items()]


def _checked_problem(session: Session, actor: Actor, problem_id: int, version: int,
                     change: StatusChange, form_errors: dict[str, str]) -> CollectedProblem:
    """The problem, locked, once the actor may take this step on the version seen."""
    problem = _live_problem(session, problem_id, lock=True)
    if not can_follow_up(actor, problem.organisation_id, problem.committee_id):
        raise PermissionDenied()
    if problem.version != version:
        raise StaleRecord()
    if change.to_status not in next_steps(actor, problem):
        raise TransitionRefused(_REFUSED[problem.status])
    errors = form_errors | _date_errors(session, problem, change)
    if errors:
        raise ValidationFailed(errors)
    return problem


def _cleaned(change: StatusChange, today: date) -> StatusChange:
    """Texts without invisible characters, trimmed; empty dates of the step are today."""
    return replace(
        change, department=clean_text(change.department),
        reply=clean_text(change.reply, single_line=False),
        reason=clean_text(change.reason, single_line=False),
        note=clean_text(change.note, single_line=False),
        referred_on=change.referred_on or today, handled_on=change.handled_on or today,
        fed_back_on=change.fed_back_on or today,
    )


def _form_errors(session: Session, change: StatusChange, today: date) -> dict[str, str]:
    """What is wrong with the step's own fields, whatever the problem."""
    errors: dict[str, str] = {}
    match change.to_status:
        case ProblemStatus.REFERRED:
            errors |= _text_error("department", change.department, DEPARTMENT_LENGTH)
            errors |= _future_error("referred_on", change.referred_on, today)
            if change.due_on is not None and change.due_on < change.referred_on:
                errors["due_on"] = "problems.error.due_before_referred"
        case ProblemStatus.HANDLED:
            errors |= _text_error("reply", change.reply, REPLY_LENGTH)
            errors |= _future_error("handled_on", change.handled_on, today)
        case ProblemStatus.FED_BACK:
            errors |= _future_error("fed_back_on", change.fed_back_on, today)
        case ProblemStatus.CLOSED:
            errors |= _text_error("reason", change.reason, REASON_LENGTH)
        case ProblemStatus.PENDING:
            errors |= _text_error("note", change.note, NOTE_LENGTH)
        case ProblemStatus.TO_REPORT if change.opinion_report_id is not None:
            if _missing(session, OpinionReport, change.opinion_report_id):
                errors["opinion_report_id"] = "problems.error.unknown_report"
        case ProblemStatus.TO_TOPIC if change.topic_id is not None:
            if _missing(session, ConsultationTopic, change.topic_id):
                errors["topic_id"] = "problems.error.unknown_topic"
        case ProblemStatus.TO_PROPOSAL:
            if change.proposal_id is None:
                errors["proposal_id"] = "proposals.problem_step.proposal_required"
            elif _missing(session, Proposal, change.proposal_id):
                errors["proposal_id"] = "proposals.problem_step.unknown_proposal"
    if len(change.note) > NOTE_LENGTH:
        errors.setdefault("note", "problems.error.note_too_long")
    return errors


def _text_error(field: str, text: str, longest: int) -> dict[str, str]:
    """A required text: its message key when empty or too long."""
    if not text:
        return {field: f"problems.error.{field}_required"}
    if len(text) > longest:
        return {field: f"problems.error.{field}_too_long"}
    return {}


def _future_error(field: str, day: date, today: date) -> dict[str, str]:
    return {field: "problems.error.future_date"} if day > today else {}


def _missing(session: Session, model: type[OpinionReport | ConsultationTopic | Proposal],
             record_id: int) -> bool:
    found = session.get(model, record_id)
    return found is None or found.deleted_at is not None


def _date_errors(session: Session, problem: CollectedProblem,
                 change: StatusChange) -> dict[str, str]:
    """A step's date before the one it follows (collected, referred, handled); a proposal
    of another organisation than the problem's."""
    match change.to_status:
        case ProblemStatus.TO_PROPOSAL if change.proposal_id is not None:
            proposal = session.get(Proposal, change.proposal_id)
            if proposal is not None and proposal.organisation_id != problem.organisation_id:
                return {"proposal_id": "proposals.problem_step.other_organisation"}
        case ProblemStatus.REFERRED if change.referred_on < problem.collected_on:
            return {"referred_on": "problems.error.before_collected"}
        case ProblemStatus.HANDLED if change.handled_on < (problem.referred_on
                                                            or problem.collected_on):
            return {"handled_on": "problems.error.before_referred" if problem.referred_on
                    else "problems.error.before_collected"}
        case ProblemStatus.FED_BACK if change.fed_back_on < (problem.handled_on
                                                              or problem.collected_on):
            return {"fed_back_on": "problems.error.before_handled"}
    return {}


def _step_values(change: StatusChange, overdue: int) -> dict[str, object]:
    """The problem's fields the step writes."""
    match change.to_status:
        case ProblemStatus.REFERRED:
            return {"department": change.department, "referred_on": change.referred_on,
                    "due_on": change.due_on or change.referred_on + timedelta(days=overdue)}
        case ProblemStatus.HANDLED:
            return {"handling_note": change.reply, "handled_on": change.handled_on}
        case ProblemStatus.FED_BACK:
            return {"fed_back_on": change.fed_back_on}
        case ProblemStatus.TO_REPORT if change.opinion_report_id is not None:
            return {"opinion_report_id": change.opinion_report_id}
        case ProblemStatus.TO_TOPIC if change.topic_id is not None:
            return {"topic_id": change.topic_id}
        case ProblemStatus.TO_PROPOSAL:
            return {"proposal_id": change.proposal_id}
        case ProblemStatus.CLOSED:
            return {"close_reason": change.reason}
        case ProblemStatus.PENDING:
            return dict.fromkeys(_FOLLOW_UP_FIELDS)
    return {}


def _history_note(change: StatusChange) -> str | None:
    """What the history shows beside the step: the reply, the reason, or the note."""
    match change.to_status:
        case ProblemStatus.HANDLED:
            return change.reply
        case ProblemStatus.CLOSED:
            return change.reason
    return change.note or None


def _apply(session: Session, actor: Actor, problem: CollectedProblem, version: int,
           change: StatusChange, now: datetime, overdue: int) -> CollectedProblem:
    """Write a checked step: the problem (compare-and-set on its version), its history row
    and the audit row."""
    values = _step_values(change, overdue) | {"status": change.to_status,
                                              "status_changed_at": now}
    before, from_status = snapshot(problem), problem.status
    versioned_update(session, CollectedProblem, problem.id, version, values)
    session.add(ProblemStatusChange(
        problem_id=problem.id, from_status=from_status, to_status=change.to_status,
        changed_at=now, actor_user_id=actor.user_id, actor_name=actor.name,
        note=_history_note(change),
    ))
    stored = load_live(session, CollectedProblem, problem.id)
    old, new = changed_values(before, snapshot(stored), values)
    record_audit(session=session, actor=actor, action=AuditAction.STATUS_CHANGE,
                 entity="CollectedProblem", entity_id=problem.id, before=old, after=new)
    return stored


def _live_problem(session: Session, problem_id: int, *, lock: bool = False) -> CollectedProblem:
    """The problem as stored now (locked until the transaction ends with ``lock``);
    ``StaleRecord`` if it, or the visit or activity it came from, is deleted."""
    problem = session.get(CollectedProblem, problem_id, with_for_update=lock,
                          populate_existing=True)
    if problem is None or problem.deleted_at is not None:
        raise StaleRecord()
    for model, source_id in ((Visit, problem.visit_id),
                             (WorkstationActivity, problem.activity_id)):
        source = session.get(model, source_id) if source_id is not None else None
        if source is not None and source.deleted_at is not None:
            raise StaleRecord()
    return problem


def mark_turned_into_report(*, session: Session, actor: Actor, problem_id: int,
                            report_id: int, now: datetime | None = None) -> None:
    """An open problem became the opinion report ``report_id``: the step "turned into a
    report", taken by whoever submitted the report (a member too), with its history and
    audit rows. The caller has checked the problem is open."""
    mark_taken_up(session=session, actor=actor, problem_ids=[problem_id],
                  change=StatusChange(ProblemStatus.TO_REPORT, opinion_report_id=report_id),
                  now=now)


def mark_taken_up(*, session: Session, actor: Actor, problem_ids: Sequence[int],
                  change: StatusChange, now: datetime | None = None) -> None:
    """Open problems became the report, topic or proposal ``change`` names (its
    ``to_status`` one of to_report, to_topic, to_proposal): each takes that step, with its
    history and audit rows, as part of the record's creation. The caller has checked the
    actor may (``take_up_refusal``); a problem no longer open refuses them all."""
    when, days = now or utcnow(), overdue_days(session=session)
    for problem_id in problem_ids:
        problem = _live_problem(session, problem_id, lock=True)
        if problem.status not in OPEN:
            raise TransitionRefused(_REFUSED[problem.status])
        _apply(session, actor, problem, problem.version, change, when, days)


def take_up_refusal(session: Session, actor: Actor, problem_ids: Sequence[int],
                    organisation_id: int) -> str | None:
    """Why the problems cannot become a topic or proposal of ``organisation_id`` (the
    message key), or None: each must be live, of that organisation, still open, and one
    the actor follows up."""
    for problem_id in problem_ids:
        try:
            problem = _live_problem(session, problem_id)
        except StaleRecord:
            return "topics.error.problem_unknown"
        if problem.organisation_id != organisation_id:
            return "topics.error.problem_other_organisation"
        if not can_follow_up(actor, problem.organisation_id, problem.committee_id):
            return "topics.error.problem_not_yours"
        if problem.status not in OPEN:
            return "topics.error.problem_not_open"
    return None


SOURCE_LIMIT = 500  # open problems a topic or proposal form offers


def open_problems(*, session: Session, actor: Actor, organisation_id: int,
                  limit: int = SOURCE_LIMIT) -> dict[int, str]:
    """The open problems of the organisation the actor follows up, newest first, as
    id → "#12 2026-11-02 content…": what a topic or proposal may be made from."""
    query = (_visible(actor, CollectedProblem.id, CollectedProblem.collected_on,
                      CollectedProblem.content, CollectedProblem.committee_id)
             .where(col(CollectedProblem.organisation_id) == organisation_id,
                    col(CollectedProblem.status).in_(OPEN)))
    if actor.role is Role.STAFF:  # theirs before the limit, not the organisation's newest
        query = query.where(col(CollectedProblem.committee_id).in_(sorted(actor.committee_ids)))
    rows = session.connection().execute(
        query.order_by(col(CollectedProblem.collected_on).desc(),
                       col(CollectedProblem.id).desc()).limit(limit)).all()
    return {problem_id: f"#{problem_id} {day.isoformat()} {_short(content, 40)}"
            for problem_id, day, content, committee_id in rows
            if can_follow_up(actor, organisation_id, committee_id)}


def _short(text: str, length: int) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= length else text[:length - 1] + "…"


# --- reply templates ------------------------------------------------------------------------


def fill_template(text: str, department: str) -> str:
    """A reply template's wording with ``{department}`` filled in (other braces stay)."""
    return text.replace("{department}", department)


def render_reply(*, session: Session, actor: Actor, problem_id: int, template_id: int,
                 department: str = "") -> str:
    """The template's wording for the problem: ``{department}`` is the department given
    (a form's), else the one the problem was referred to."""
    problem = _live_problem(session, problem_id)
    _require_read(session, actor, problem)
    templates = {entry.id: entry for entry in entries(
        session=session, organisation_id=problem.organisation_id,
        kind=ListKind.PROBLEM_REPLY_TEMPLATE)}
    if template_id not in templates:
        raise ValidationFailed({"template": "problems.error.unknown_template"})
    return fill_template(templates[template_id].text or "",
                         clean_text(department) or problem.department or "")


# --- the overdue setting --------------------------------------------------------------------


def overdue_days(*, session: Session) -> int:
    """Days after collection a problem without a due date becomes overdue (a setting)."""
    stored = session.get(AppSetting, OVERDUE_SETTING)
    try:
        days = int(stored.value) if stored is not None else DEFAULT_OVERDUE_DAYS
    except ValueError:
        return DEFAULT_OVERDUE_DAYS
    return days if days in OVERDUE_DAYS_RANGE else DEFAULT_OVERDUE_DAYS


def set_overdue_days(*, session: Session, actor: Actor, days: int | None) -> None:
    """Change the overdue days (1..365). The setting holds for the whole deployment, so
    only an administrator of a top organisation changes it."""
    if not may_set_overdue_days(session=session, actor=actor):
        raise PermissionDenied()
    if days is None or days not in OVERDUE_DAYS_RANGE:
        raise ValidationFailed({"overdue_days": "problems.error.overdue_days_range"})
    before = overdue_days(session=session)
    insert_if_absent(session, AppSetting, {"key": OVERDUE_SETTING, "value": str(days)},
                     key="key")
    session.execute(update(AppSetting).where(col(AppSetting.key) == OVERDUE_SETTING)
                    .values(value=str(days)))
    if before != days:
        record_audit(session=session, actor=actor, action=AuditAction.UPDATE,
                     entity="AppSetting", before={OVERDUE_SETTING: before},
                     after={OVERDUE_SETTING: days})


def may_set_overdue_days(*, session: Session, actor: Actor) -> bool:
    """Administrators of a top organisation (the setting holds for every organisation)."""
    if actor.role is not Role.ADMIN:
        return False
    own = session.get(Organisation, actor.organisation_id) if actor.organisation_id else None
    return actor.organisation_id is None or (own is not None and own.parent_id is None)


def days_overdue(status: ProblemStatus, collected_on: date, due_on: date | None, today: date,
                 overdue: int) -> int:
    """How many days past its deadline an open problem is (0 when it is not overdue): the
    due date, else ``overdue`` days after collection."""
    if status not in OPEN:
        return 0
    deadline = due_on or collected_on + timedelta(days=overdue)
    return max((today - deadline).days, 0)


def _overdue_clause(today: date, overdue: int) -> ColumnElement[bool]:
    """``days_overdue(...) > 0`` in SQL."""
    due, collected = col(CollectedProblem.due_on), col(CollectedProblem.collected_on)
    return and_(col(CollectedProblem.status).in_(OPEN), or_(
        and_(due.is_not(None), due < today),
        and_(due.is_(None), collected < today - timedelta(days=overdue)),
    ))


# --- reading: who sees which problems ---------------------------------------------------


def _visible(actor: Actor, *columns: object) -> Select:
    """``columns`` of the live problems the actor may read (their visit or activity not
    deleted either)."""
    query = (
        select(*columns).select_from(CollectedProblem)
        .outerjoin(Visit, col(CollectedProblem.visit_id) == Visit.id)
        .outerjoin(WorkstationActivity,
                   col(CollectedProblem.activity_id) == WorkstationActivity.id)
        .where(col(CollectedProblem.deleted_at).is_(None), col(Visit.deleted_at).is_(None),
               col(WorkstationActivity.deleted_at).is_(None))
    )
    if actor.role is Role.MEMBER:
        return query.where(false() if actor.member_id is None
                           else _raised_by(col(Member.id) == actor.member_id))
    return query.where(in_scope(CollectedProblem.organisation_id, actor))


def visible_problems(actor: Actor, *columns: object) -> Select:
    """``columns`` of the live problems the actor may read, for other modules' figures:
    a problem whose visit or activity was deleted is gone with it."""
    return _visible(actor, *columns)


def _raised_by(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """Whether a member meeting ``condition`` was at the problem's visit or activity."""
    at_visit = (select(VisitMember.visit_id)
                .join(Member, col(VisitMember.member_id) == Member.id)
                .where(col(VisitMember.visit_id) == CollectedProblem.visit_id, condition))
    at_activity = (select(WorkstationActivityMember.activity_id)
                   .join(Member, col(WorkstationActivityMember.member_id) == Member.id)
                   .where(col(WorkstationActivityMember.activity_id)
                          == CollectedProblem.activity_id, condition))
    return or_(at_visit.exists(), at_activity.exists())


def _require_read(session: Session, actor: Actor, problem: CollectedProblem) -> None:
    if actor.role is Role.MEMBER:
        readable = actor.member_id in dict(_members_of(session, problem))
    else:
        readable = actor.sees_organisation(problem.organisation_id)
    if not readable:
        raise PermissionDenied()


_AT_VISIT, _AT_ACTIVITY = 1, 2  # which a problem came from


def _source(visit_id: int | None, activity_id: int | None) -> tuple[int, int] | None:
    if visit_id is not None:
        return _AT_VISIT, visit_id
    return (_AT_ACTIVITY, activity_id) if activity_id is not None else None


def _members_at(session: Session, sources: Select) -> dict[tuple[int, int], list[tuple[int, str]]]:
    """The members (id, name) of each visit and activity of ``sources`` (a query of
    problems' ``visit_id`` and ``activity_id``), in pinyin order, by ``_source``. One
    query; per visit, not per problem (a visit collects several)."""
    chosen = sources.subquery()
    at_visits = (
        select(literal_column(str(_AT_VISIT)), VisitMember.visit_id, Member.id, Member.name,
               Member.name_key)
        .join(Member, col(VisitMember.member_id) == Member.id)
        .where(col(VisitMember.visit_id).in_(select(chosen.c.visit_id)))
    )
    at_activities = (
        select(literal_column(str(_AT_ACTIVITY)), WorkstationActivityMember.activity_id,
               Member.id, Member.name, Member.name_key)
        .join(Member, col(WorkstationActivityMember.member_id) == Member.id)
        .where(col(WorkstationActivityMember.activity_id).in_(select(chosen.c.activity_id)))
    )
    found: dict[tuple[int, int], list[tuple[int, str]]] = defaultdict(list)
    rows = session.connection().execute(union_all(at_visits, at_activities)).all()
    for kind, source_id, member_id, name, _ in sorted(rows, key=lambda row: (row[4], row[3])):
        found[(kind, source_id)].append((member_id, name))
    return found


def _members_of(session: Session, problem: CollectedProblem) -> list[tuple[int, str]]:
    sources = select(CollectedProblem.visit_id, CollectedProblem.activity_id).where(
        col(CollectedProblem.id) == problem.id)
    return _members_at(session, sources).get(_source(problem.visit_id, problem.activity_id), [])


# --- the queue --------------------------------------------------------------------------


class QueueSort(StrEnum):
    OLDEST = "oldest"  # collected longest ago first: the office's working order
    NEWEST = "newest"
    MOST_OVERDUE = "most_overdue"


@dataclass(frozen=True)
class ProblemFilters:
    """What the queue shows; None (or empty) means all that the actor may read.
    ``first``..``last`` bound the collection date (inclusive); ``search`` looks in the
    content, the department and the names of the members who raised the problem."""

    organisation_ids: frozenset[int] | None = None
    committee_id: int | None = None
    sector_id: int | None = None  # a member of the sector raised it
    statuses: frozenset[ProblemStatus] = frozenset()
    category_id: int | None = None
    first: date | None = None
    last: date | None = None
    overdue_only: bool = False
    search: str = ""


QUEUE_COLUMNS = ["id", "version", "organisation_id", "collected_on", "committee_id",
                 "committee", "category", "content", "status", "department", "referred_on",
                 "due_on", "handled_on", "members", "age_days", "overdue_days", "can_act"]
_QUEUE_FIELDS = (CollectedProblem.id, CollectedProblem.version,
                 CollectedProblem.organisation_id, CollectedProblem.collected_on,
                 CollectedProblem.committee_id, col(Committee.name).label("committee"),
                 col(ListEntry.name).label("category"), CollectedProblem.content,
                 CollectedProblem.status, CollectedProblem.department,
                 CollectedProblem.referred_on, CollectedProblem.due_on,
                 CollectedProblem.handled_on, CollectedProblem.visit_id,
                 CollectedProblem.activity_id)


QUEUE_LIMIT = 2_000  # rows the queue reads at most: more is a filter forgotten


def problem_queue(*, session: Session, actor: Actor, today: date,
                  filters: ProblemFilters = ProblemFilters(),
                  sort: QueueSort = QueueSort.OLDEST,
                  limit: int | None = QUEUE_LIMIT) -> pd.DataFrame:
    """The problems the actor may read under ``filters`` (``QUEUE_COLUMNS``; ``status``
    as stored; ``members`` joined with 、; ``overdue_days`` 0 unless overdue;
    ``can_act``: the actor may take a step), in ``sort`` order, the first ``limit`` of
    them (``queue_summary`` counts them all). Two queries whatever the number of rows,
    sorted and cut in SQL, without the ORM's per-row work (a province has 100,000)."""
    overdue = overdue_days(session=session)
    query = (
        _filtered(_visible(actor, *_QUEUE_FIELDS), filters, today, overdue)
        .join(Committee, col(CollectedProblem.committee_id) == Committee.id)
        .outerjoin(ListEntry, col(CollectedProblem.category_id) == ListEntry.id)
        .order_by(*_order(session, sort, overdue)).limit(limit)
    )
    rows = session.connection().execute(query).all()
    chosen = query.with_only_columns(CollectedProblem.visit_id, CollectedProblem.activity_id)
    names = {source: "、".join(name for _, name in found)
             for source, found in (_members_at(session, chosen) if rows else {}).items()}
    return pd.DataFrame([
        (*row[:8], row[8].value, *row[9:13], names.get(_source(row[13], row[14]), ""),
         (today - row[3]).days, days_overdue(row[8], row[3], row[11], today, overdue),
         can_follow_up(actor, row[2], row[4]))
        for row in rows
    ], columns=QUEUE_COLUMNS)


def _filtered(query: Select, filters: ProblemFilters, today: date, overdue: int) -> Select:
    conditions: list[ColumnElement[bool]] = []
    if filters.organisation_ids is not None:
        conditions.append(col(CollectedProblem.organisation_id).in_(
            sorted(filters.organisation_ids)))
    if filters.committee_id is not None:
        conditions.append(col(CollectedProblem.committee_id) == filters.committee_id)
    if filters.sector_id is not None:
        conditions.append(_raised_by(col(Member.sector_id) == filters.sector_id))
    if filters.statuses:
        conditions.append(col(CollectedProblem.status).in_(sorted(filters.statuses)))
    if filters.category_id is not None:
        conditions.append(col(CollectedProblem.category_id) == filters.category_id)
    if filters.first is not None:
        conditions.append(col(CollectedProblem.collected_on) >= filters.first)
    if filters.last is not None:
        conditions.append(col(CollectedProblem.collected_on) <= filters.last)
    if filters.overdue_only:
        conditions.append(_overdue_clause(today, overdue))
    if filters.search.strip():
        conditions.append(or_(contains(CollectedProblem.content, filters.search),
                              contains(CollectedProblem.department, filters.search),
                              _raised_by(contains(Member.name, filters.search))))
    return query.where(*conditions)


def _order(session: Session, sort: QueueSort, overdue: int) -> tuple[object, ...]:
    """The queue is oldest first; the other orders keep that among equals. Most overdue:
    open problems first, by their deadline (the due date, else the collection date plus
    the overdue days), earliest first."""
    oldest = (col(CollectedProblem.collected_on), col(CollectedProblem.id))
    match sort:
        case QueueSort.NEWEST:
            return tuple(column.desc() for column in oldest)
        case QueueSort.MOST_OVERDUE:
            still_open = case((col(CollectedProblem.status).in_(OPEN), 0), else_=1)
            return (still_open, _deadline(session, overdue), *oldest)
    return oldest


def _deadline(session: Session, overdue: int) -> ColumnElement:
    due, collected = col(CollectedProblem.due_on), col(CollectedProblem.collected_on)
    if session.get_bind().dialect.name == "postgresql":
        return func.coalesce(due, collected + overdue)  # date + integer is a date
    return func.coalesce(due, func.date(collected, f"+{overdue} days"))  # ISO text sorts


@dataclass(frozen=True)
class QueueSummary:
    """The KPI line over a queue."""

    collected: int
    concluded: int
    overdue: int

    @property
    def handled_rate(self) -> float | None:
        return self.concluded / self.collected if self.collected else None


def queue_summary(*, session: Session, actor: Actor, today: date,
                  filters: ProblemFilters = ProblemFilters()) -> QueueSummary:
    """How many problems the filters find, how many are concluded and how many overdue:
    counted in SQL, all of them, however many the queue shows."""
    overdue = overdue_days(session=session)
    concluded = func.sum(case((col(CollectedProblem.status).in_(CONCLUDED), 1), else_=0))
    late = func.sum(case((_overdue_clause(today, overdue), 1), else_=0))
    total, done, behind = session.connection().execute(
        _filtered(_visible(actor, func.count(), concluded, late), filters, today, overdue)
    ).one()
    return QueueSummary(collected=total, concluded=int(done or 0), overdue=int(behind or 0))


# --- the handled rate -----------------------------------------------------------------------

RATE_COLUMNS = ["committee_id", "committee", "collected", "concluded", "handled_rate",
                "pending", "referred", "overdue"]


def handled_rates(*, session: Session, actor: Actor, first: date, last: date, today: date,
                  organisation_ids: frozenset[int] | None = None) -> pd.DataFrame:
    """Per committee of the organisations (every committee, none collected or not), the
    problems collected in ``first``..``last`` and, as of ``today``, how many of them are
    concluded, still pending, referred and overdue; ``handled_rate`` is concluded over
    collected (None without any). A last row, ``committee_id`` None, holds the totals."""
    actor.require_role(Role.ADMIN, Role.LEADER, Role.STAFF)
    overdue = overdue_days(session=session)
    late = func.sum(case((_overdue_clause(today, overdue), 1), else_=0))
    query = _visible(actor, CollectedProblem.committee_id, CollectedProblem.status,
                     func.count(), late).where(
        col(CollectedProblem.collected_on).between(first, last),
    ).group_by(CollectedProblem.committee_id, CollectedProblem.status)
    if organisation_ids is not None:
        query = query.where(col(CollectedProblem.organisation_id).in_(sorted(organisation_ids)))
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for committee_id, status, count, overdue_count in session.exec(query).all():
        tally = counts[committee_id]
        tally["collected"] += count
        tally["concluded"] += count if status in CONCLUDED else 0
        tally[status.value] += count
        tally["overdue"] += int(overdue_count or 0)
    names = _committee_names(session, actor, organisation_ids, extra=set(counts))
    rows = [_rate_row(committee_id, name, counts.get(committee_id, {}))
            for committee_id, name in names.items()]
    total = {key: sum(counts[c][key] for c in counts) for key in
             ("collected", "concluded", "pending", "referred", "overdue")}
    rows.append(_rate_row(None, None, total))
    return pd.DataFrame(rows, columns=RATE_COLUMNS)


def _rate_row(committee_id: int | None, name: str | None,
              tally: Mapping[str, int]) -> dict[str, object]:
    collected, concluded = tally.get("collected", 0), tally.get("concluded", 0)
    return {"committee_id": committee_id, "committee": name, "collected": collected,
            "concluded": concluded,
            "handled_rate": concluded / collected if collected else None,
            "pending": tally.get("pending", 0), "referred": tally.get("referred", 0),
            "overdue": tally.get("overdue", 0)}


def _committee_names(session: Session, actor: Actor, organisation_ids: frozenset[int] | None,
                     *, extra: set[int]) -> dict[int, str]:
    """The committees of the organisations the actor sees (or of ``organisation_ids``),
    and those of ``extra``, in their order."""
    shown = in_scope(Committee.organisation_id, actor)
    if organisation_ids is not None:
        shown = and_(shown, col(Committee.organisation_id).in_(sorted(organisation_ids)))
    rows = session.exec(
        select(Committee.id, Committee.name)
        .where(or_(shown, col(Committee.id).in_(sorted(extra))))
        .order_by(Committee.organisation_id, Committee.sort_order, Committee.id)
    ).all()
    return dict(rows)


# --- one problem ----------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    from_status: ProblemStatus | None
    to_status: ProblemStatus
    changed_at: datetime
    actor: str
    note: str | None


@dataclass(frozen=True)
class ProblemDetail:
    problem: CollectedProblem
    committee: str
    category: str | None
    members: list[str]
    held_on: date | None  # the date of the visit (or activity) that collected it
    history: list[HistoryRow]
    steps: list[ProblemStatus]  # what the actor may do next
    overdue_days: int
    station: str | None = None  # the studio or station, when an activity collected it


def problem_detail(*, session: Session, actor: Actor, problem_id: int,
                   today: date) -> ProblemDetail:
    """The problem with its members, its visit's date, its history (oldest first) and
    the steps the actor may take."""
    problem = _live_problem(session, problem_id)
    _require_read(session, actor, problem)
    category = session.get(ListEntry, problem.category_id) if problem.category_id else None
    visit = session.get(Visit, problem.visit_id) if problem.visit_id else None
    activity = (session.get(WorkstationActivity, problem.activity_id)
                if problem.activity_id else None)
    return ProblemDetail(
        problem=problem, committee=session.get(Committee, problem.committee_id).name,
        category=category.name if category else None,
        members=[name for _, name in _members_of(session, problem)],
        held_on=visit.visit_date if visit else activity.activity_date if activity else None,
        station=(session.get(Workstation, activity.workstation_id).name
                 if activity is not None else None),
        history=_history(session, problem_id), steps=next_steps(actor, problem),
        overdue_days=days_overdue(problem.status, problem.collected_on, problem.due_on,
                                  today, overdue_days(session=session)),
    )


def _history(session: Session, problem_id: int) -> list[HistoryRow]:
    """The problem's steps; who took each by the person's name when the user is known."""
    who = func.coalesce(func.nullif(User.display_name, ""), ProblemStatusChange.actor_name)
    rows = session.exec(
        select(ProblemStatusChange, who)
        .outerjoin(User, col(ProblemStatusChange.actor_user_id) == User.id)
        .where(ProblemStatusChange.problem_id == problem_id)
        .order_by(ProblemStatusChange.id)  # the order they were taken in
    ).all()
    return [HistoryRow(change.from_status, change.to_status, change.changed_at, name,
                       change.note) for change, name in rows]
