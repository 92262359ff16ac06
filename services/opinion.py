"""Public-opinion reports (社情民意信息): submission and the feedback loop, the one place
that moves a report through its stages.

The loop (``TRANSITIONS``): submitted → under review by the committee → (returned to the
member for revision → resubmitted →) adopted, or not adopted with a reason → forwarded to
one or more departments → replied (when every department has replied) → feedback given
to the members → closed. A not-adopted report is fed back (or closed) too. Adoption may
be recorded again at further levels (city, provincial, national) at any later stage; a
report may be forwarded to more departments until feedback is given; a leader's
instruction (批示) may be added at any time after submission and is not a stage. An
action the stage does not allow is refused with a message naming the ones it does.

Every action is one ``OpinionEvent`` (the timeline: actor, time, note) and an audit row,
written with the report's new state in one transaction against the version the user saw.

Deadlines (settings, days): the committee takes a report up within ``review`` days of its
submission and decides within ``review`` days of taking it up,
forwards an adopted report within ``forward`` days, each department replies within
``reply`` days of its forwarding, and the members hear back within ``feedback`` days of the
last reply (or of the decision not to adopt). Through-train (直通车) reports have shorter
ones. A stage's deadline is fixed when the stage begins (``OpinionReport.due_on``): a
later change of the settings applies to stages that begin after it.

Who: a member submits their own reports (as lead) and resubmits a returned one they
signed; staff submit on behalf of the members of their committees and take every step
on their committees' reports; administrators do both within their organisations; leaders
read. Reading is ``services.opinion_board``.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from models import (
    AdoptionLevel,
    AppSetting,
    AuditAction,
    CollectedProblem,
    InstructionLevel,
    LeaderInstruction,
    ListKind,
    Member,
    OpinionAction,
    OpinionAdoption,
    OpinionEvent,
    OpinionForwarding,
    OpinionReport,
    OpinionReportMember,
    OpinionStatus,
    Role,
    Visit,
    VisitMember,
    WorkstationActivityMember,
    utcnow,
)
from services.actors import Actor
from services.audit import changed_values, record_audit, snapshot
from services.errors import PermissionDenied, ServiceError, StaleRecord, ValidationFailed
from services.lists import entries, entry_names
from services.problems import OPEN as OPEN_PROBLEM
from services.problems import mark_turned_into_report, may_set_overdue_days
from services.records import insert_if_absent, load_live, versioned_update
from services.text import clean_text
from services.visits import lead_committee, not_in_office

TITLE_LENGTH = 200
BODY_LENGTH = 20_000
TEXT_LENGTH = 2_000  # a note, reason, reply, feedback or instruction
NAME_LENGTH = 80  # a leader's name
DEPARTMENT_LENGTH = 120
PUBLICATION_LENGTH = 120
MAX_MEMBERS = 20
MAX_DEPARTMENTS = 20

S, A = OpinionStatus, OpinionAction

# What each stage allows, and the stage each action leads to (None: the stage stays, or,
# for a reply, becomes "replied" once no department is silent). An instruction is
# allowed in every stage and keeps it.
TRANSITIONS: dict[OpinionStatus, dict[OpinionAction, OpinionStatus | None]] = {
    S.SUBMITTED: {A.START_REVIEW: S.UNDER_REVIEW},
    S.UNDER_REVIEW: {A.RETURN: S.RETURNED, A.ADOPT: S.ADOPTED, A.REJECT: S.NOT_ADOPTED},
    S.RETURNED: {A.RESUBMIT: S.SUBMITTED},
    S.ADOPTED: {A.ADOPT: None, A.FORWARD: S.FORWARDED, A.GIVE_FEEDBACK: S.FEEDBACK_GIVEN},
    S.NOT_ADOPTED: {A.GIVE_FEEDBACK: S.FEEDBACK_GIVEN, A.CLOSE: S.CLOSED},
    S.FORWARDED: {A.ADOPT: None, A.FORWARD: None, A.REPLY: None},
    S.REPLIED: {A.ADOPT: None, A.FORWARD: S.FORWARDED, A.GIVE_FEEDBACK: S.FEEDBACK_GIVEN},
    S.FEEDBACK_GIVEN: {A.ADOPT: None, A.CLOSE: S.CLOSED},
    S.CLOSED: {A.ADOPT: None},
}
ANY_TIME = (A.INSTRUCT,)
OPEN = frozenset({S.SUBMITTED, S.UNDER_REVIEW, S.RETURNED, S.ADOPTED, S.NOT_ADOPTED,
                  S.FORWARDED, S.REPLIED, S.FEEDBACK_GIVEN})
ADOPTED_STAGES = frozenset({S.ADOPTED, S.FORWARDED, S.REPLIED, S.FEEDBACK_GIVEN, S.CLOSED})


class TransitionRefused(ServiceError):
    """The action is not one the report's stage allows; the message names those it does."""

    def __init__(self, status: OpinionStatus):
        super().__init__(f"opinion.error.from_{status.value}")


class BulkRefused(ServiceError):
    """Some chosen reports cannot take the action, so none did; ``reasons`` maps each to
    the message key of why."""

    message_key = "opinion.error.bulk_refused"

    def __init__(self, reasons: Mapping[int, str]):
        super().__init__(ids=", ".join(f"#{report_id}" for report_id in reasons))
        self.reasons = dict(reasons)


# --- deadlines ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadlines:
    """Days each stage may take; the ``*_urgent`` ones for through-train reports."""

    review: int = 7
    review_urgent: int = 3
    forward: int = 7
    forward_urgent: int = 2
    reply: int = 30
    reply_urgent: int = 15
    feedback: int = 15

    def days(self, stage: str, urgent: bool) -> int:
        return getattr(self, f"{stage}_urgent") if urgent and stage != "feedback" else \
            getattr(self, stage)


DEADLINE_SETTING = "opinion.deadline.{}"
DEADLINE_RANGE = range(1, 366)
DEADLINE_FIELDS = tuple(Deadlines.__dataclass_fields__)


def deadlines(*, session: Session) -> Deadlines:
    """The stage deadlines as set (each falls back to its default when unset or bad)."""
    keys = {DEADLINE_SETTING.format(name): name for name in DEADLINE_FIELDS}
    stored = dict(session.exec(select(AppSetting.key, AppSetting.value)
                               .where(col(AppSetting.key).in_(list(keys)))).all())
    values: dict[str, int] = {}
    for key, name in keys.items():
        try:
            days = int(stored[key])
        except (KeyError, ValueError):
            continue
        if days in DEADLINE_RANGE:
            values[name] = days
    return Deadlines(**values)


def may_set_deadlines(*, session: Session, actor: Actor) -> bool:
    """Administrators of a top organisation (the deadlines hold for every one)."""
    return may_set_overdue_days(session=session, actor=actor)


def set_deadlines(*, session: Session, actor: Actor, values: Deadlines) -> None:
    """Change the deadlines (1..365 days each). They hold for every organisation, so only
    an administrator of a top organisation (or the command line) changes them."""
    if not may_set_deadlines(session=session, actor=actor):
        raise PermissionDenied()
    errors = {name: "opinion.error.deadline_range" for name in DEADLINE_FIELDS
              if getattr(values, name) not in DEADLINE_RANGE}
    if errors:
        raise ValidationFailed(errors)
    before = deadlines(session=session)
    for name in DEADLINE_FIELDS:
        key, days = DEADLINE_SETTING.format(name), str(getattr(values, name))
        insert_if_absent(session, AppSetting, {"key": key, "value": days}, key="key")
        session.execute(update(AppSetting).where(col(AppSetting.key) == key)
                        .values(value=days))
    old, new = changed_values(asdict(before), asdict(values), list(DEADLINE_FIELDS))
    if new:
        record_audit(session=session, actor=actor, action=AuditAction.UPDATE,
                     entity="AppSetting", before=old, after=new)


def stage_due(status: OpinionStatus, started_on: date, urgent: bool, limits: Deadlines,
              silent_dues: Sequence[date] = ()) -> date | None:
    """The deadline of a stage begun on ``started_on``: None for the stages that wait on
    nobody in the office (returned to the member, fed back, closed). A forwarded report
    is due when its earliest silent department is."""
    match status:
        case S.SUBMITTED | S.UNDER_REVIEW:
            return started_on + timedelta(days=limits.days("review", urgent))
        case S.ADOPTED:
            return started_on + timedelta(days=limits.days("forward", urgent))
        case S.FORWARDED:
            return min(silent_dues) if silent_dues else None
        case S.REPLIED | S.NOT_ADOPTED:
            return started_on + timedelta(days=limits.days("feedback", urgent))
    return None


def days_overdue(status: OpinionStatus, due_on: date | None, today: date) -> int:
    """Days past the current stage's deadline (0 when not overdue)."""
    if due_on is None or status not in OPEN:
        return 0
    return max((today - due_on).days, 0)


# --- who may do what -------------------------------------------------------------------


def can_manage(actor: Actor, organisation_id: int, committee_id: int) -> bool:
    """Staff for their committees' reports, administrators within their organisations."""
    if actor.role not in (Role.ADMIN, Role.STAFF) or not actor.sees_organisation(
            organisation_id):
        return False
    return actor.role is Role.ADMIN or committee_id in actor.committee_ids


def signer_ids(session: Session, report_id: int) -> list[int]:
    """The report's members, the lead first."""
    rows = session.exec(
        select(OpinionReportMember.member_id, OpinionReportMember.is_lead)
        .where(OpinionReportMember.report_id == report_id)
    ).all()
    return [member_id for member_id, _ in sorted(rows, key=lambda row: (not row[1], row[0]))]


def next_actions(actor: Actor, report: OpinionReport,
                 signers: Sequence[int]) -> list[OpinionAction]:
    """The actions the actor may take on the report now, in the order forms offer them."""
    if can_manage(actor, report.organisation_id, report.committee_id):
        allowed = [*TRANSITIONS[report.status], *ANY_TIME]
        if report.adoption_level is None and report.status is not S.UNDER_REVIEW:
            # a further level needs a first: a report not adopted is not adopted later
            allowed = [action for action in allowed if action is not A.ADOPT]
        return allowed
    if (actor.role is Role.MEMBER and actor.member_id in signers
            and report.status is S.RETURNED):
        return [A.RESUBMIT]
    return []


def require_read(session: Session, actor: Actor, report: OpinionReport) -> None:
    """A member reads the reports they signed; everyone else those of their
    organisations."""
    if actor.role is Role.MEMBER:
        readable = actor.member_id in signer_ids(session, report.id)
    else:
        readable = actor.sees_organisation(report.organisation_id)
    if not readable:
        raise PermissionDenied()


# --- submission -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReportDraft:
    """A report as the submission form gives it."""

    title: str = ""
    body: str = ""
    category_id: int | None = None
    lead_member_id: int | None = None
    co_signer_ids: tuple[int, ...] = ()
    is_urgent: bool = False
    submitted_on: date | None = None
    source_visit_id: int | None = None
    source_problem_id: int | None = None


def _cleaned_draft(draft: ReportDraft) -> ReportDraft:
    co_signers = tuple(dict.fromkeys(member_id for member_id in draft.co_signer_ids
                                     if member_id != draft.lead_member_id))
    return replace(draft, title=clean_text(draft.title),
                   body=clean_text(draft.body, single_line=False), co_signer_ids=co_signers)


def submit_report(*, session: Session, actor: Actor, draft: ReportDraft, idempotency_key: str,
                  today: date, now: datetime | None = None) -> OpinionReport:
    """Save a new report, once: a second call with the same ``idempotency_key`` returns
    what the first saved. Refusals: ``PermissionDenied``, ``ValidationFailed`` (every
    field's problem at once). A source problem still open is marked as turned into this
    report."""
    if not idempotency_key or len(idempotency_key) > 64:
        raise ValueError("an idempotency key of 1 to 64 characters is required")
    earlier = _by_key(session, idempotency_key)
    if earlier is not None:
        require_read(session, actor, earlier)  # a key replayed by someone else finds nothing
        return earlier
    draft = _cleaned_draft(draft)
    submitted_on = draft.submitted_on or today
    draft = replace(draft, submitted_on=submitted_on)
    lead = _lead(session, draft)
    if lead is not None and not may_submit_for(
            actor, lead, committee_id=lead_committee(session, lead, submitted_on)):
        raise PermissionDenied()
    errors = draft_errors(session, draft, lead, today=today, source_members=(
        [actor.member_id] if actor.role is Role.MEMBER else None))
    if errors:
        raise ValidationFailed(errors)
    assert lead is not None  # draft_errors requires it
    when = now or utcnow()
    limits = deadlines(session=session)
    values = {
        "title": draft.title, "body": draft.body, "category_id": draft.category_id,
        "organisation_id": lead.organisation_id,
        "committee_id": lead_committee(session, lead, submitted_on),
        "source_visit_id": draft.source_visit_id, "is_urgent": draft.is_urgent,
        "submitted_on": submitted_on, "status": S.SUBMITTED, "stage_started_on": submitted_on,
        "due_on": stage_due(S.SUBMITTED, submitted_on, draft.is_urgent, limits),
        "status_changed_at": when, "idempotency_key": idempotency_key, "version": 1,
        "created_at": when, "updated_at": when,
    }
    report_id = _insert_once(session, values)
    if report_id is None:  # a concurrent submit of the same form saved it first
        return _by_key(session, idempotency_key)
    session.add_all(
        OpinionReportMember(report_id=report_id, member_id=member_id,
                            is_lead=member_id == lead.id, submitted_on=submitted_on)
        for member_id in (lead.id, *draft.co_signer_ids))
    _event(session, actor, report_id, A.SUBMIT, None, S.SUBMITTED, submitted_on, when, None)
    if draft.source_problem_id is not None:
        mark_turned_into_report(session=session, actor=actor,
                                problem_id=draft.source_problem_id, report_id=report_id,
                                now=when)
    report = load_live(session, OpinionReport, report_id)
    record_audit(session=session, actor=actor, action=AuditAction.CREATE,
                 entity="OpinionReport", entity_id=report_id,
                 after=snapshot(report) | {"members": [lead.id, *draft.co_signer_ids]})
    return report


def may_submit_for(actor: Actor, lead: Member, *, committee_id: int | None = None) -> bool:
    """A member submits their own; staff for members of their committees (the lead's
    ``committee_id`` on the submission day, else today's: the report goes to it);
    administrators for members of their organisations."""
    if actor.role is Role.MEMBER:
        return lead.id == actor.member_id
    if actor.role not in (Role.ADMIN, Role.STAFF) or not actor.sees_organisation(
            lead.organisation_id):
        return False
    committee = lead.committee_id if committee_id is None else committee_id
    return actor.role is Role.ADMIN or committee in actor.committee_ids


def _lead(session: Session, draft: ReportDraft) -> Member | None:
    if draft.lead_member_id is None:
        return None
    member = session.get(Member, draft.lead_member_id)
    return member if member is not None and member.deleted_at is None else None


def draft_errors(session: Session, draft: ReportDraft, lead: Member | None, *,
                 today: date, categories: Mapping[int, str] | None = None,
                 source_members: Sequence[int] | None = None) -> dict[str, str]:
    """Every field's problem (field → message key) of a cleaned draft. ``categories``:
    the organisation's category list when the caller has read it (an import)."""
    errors: dict[str, str] = {}
    errors |= _text_error("title", draft.title, TITLE_LENGTH)
    errors |= _text_error("body", draft.body, BODY_LENGTH)
    if lead is None:
        errors["lead"] = ("opinion.error.lead_required" if draft.lead_member_id is None
                          else "opinion.error.member_unknown")
    if len(draft.co_signer_ids) + 1 > MAX_MEMBERS:
        errors["co_signers"] = "opinion.error.too_many_members"
    elif lead is not None and draft.co_signer_ids:
        found = session.exec(select(Member.id).where(
            col(Member.id).in_(list(draft.co_signer_ids)), col(Member.deleted_at).is_(None),
            Member.organisation_id == lead.organisation_id)).all()
        if len(found) != len(draft.co_signer_ids):
            errors["co_signers"] = "opinion.error.member_unknown"
    if draft.submitted_on is not None and draft.submitted_on > today:
        errors["submitted_on"] = "opinion.error.future_date"
    elif (draft.submitted_on is not None and lead is not None and "co_signers" not in errors
          and not_in_office(session, [lead.id, *draft.co_signer_ids], draft.submitted_on)):
        errors["submitted_on"] = "opinion.error.not_in_office"
    if lead is not None:
        if categories is None:
            categories = entry_names(session=session, organisation_id=lead.organisation_id,
                                     kind=ListKind.OPINION_CATEGORY)
        if draft.category_id is None and categories:
            errors["category"] = "opinion.error.category_required"
        elif draft.category_id is not None and draft.category_id not in categories:
            errors["category"] = "opinion.error.unknown_category"
        errors |= _source_errors(session, draft, lead, source_members)
    return errors


def _text_error(field_name: str, text: str, longest: int) -> dict[str, str]:
    if not text:
        return {field_name: f"opinion.error.{field_name}_required"}
    if len(text) > longest:
        return {field_name: "opinion.error.too_long"}
    return {}


def _source_errors(session: Session, draft: ReportDraft, lead: Member,
                   source_members: Sequence[int] | None) -> dict[str, str]:
    """The source visit is one a signer took part in (``source_members``, when given: a
    member submitting names only their own); the source problem is still open and was
    collected at a visit or activity one of them took part in (and at the source visit,
    when both are given)."""
    errors: dict[str, str] = {}
    members = list(source_members or [lead.id, *draft.co_signer_ids])
    if draft.source_visit_id is not None:
        visit = session.get(Visit, draft.source_visit_id)
        if visit is None or visit.deleted_at is not None or not _took_part(
                session, members, visit_id=visit.id):
            errors["source_visit"] = "opinion.error.unknown_visit"
    if draft.source_problem_id is not None:
        problem = session.get(CollectedProblem, draft.source_problem_id)
        if problem is None or problem.deleted_at is not None or (
                problem.organisation_id != lead.organisation_id) or not _took_part(
                session, members, visit_id=problem.visit_id,
                activity_id=problem.activity_id) or (
                draft.source_visit_id is not None
                and problem.visit_id != draft.source_visit_id):
            errors["source_problem"] = "opinion.error.unknown_problem"
        elif problem.status not in OPEN_PROBLEM:
            errors["source_problem"] = "opinion.error.problem_not_open"
    return errors


def _took_part(session: Session, members: list[int], *, visit_id: int | None,
               activity_id: int | None = None) -> bool:
    """Whether one of ``members`` was at the visit (or the workstation activity)."""
    if visit_id is not None:
        query = select(VisitMember.member_id).where(VisitMember.visit_id == visit_id,
                                                    col(VisitMember.member_id).in_(members))
    elif activity_id is not None:
        query = select(WorkstationActivityMember.member_id).where(
            WorkstationActivityMember.activity_id == activity_id,
            col(WorkstationActivityMember.member_id).in_(members))
    else:
        return False
    return session.exec(query.limit(1)).first() is not None


def _by_key(session: Session, idempotency_key: str) -> OpinionReport | None:
    return session.exec(select(OpinionReport)
                        .where(OpinionReport.idempotency_key == idempotency_key)).first()


def _insert_once(session: Session, values: dict[str, Any]) -> int | None:
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (insert(OpinionReport).values(**values)
                 .on_conflict_do_nothing(index_elements=["idempotency_key"])
                 .returning(OpinionReport.__table__.c.id))
    return session.execute(statement).scalar()


# --- the loop's actions ------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One action as a form gives it. Each action reads its own fields: return (note),
    resubmit (title, body, category_id: None keeps them; note), adopt (level, on,
    publication), reject (note: the reason), forward (departments, on, due_on: None is
    the reply deadline), reply (forwarding_id, reply, on), instruct (leader,
    instruction_level, on, note: its text), give_feedback (note: what the members were
    told, on), close (note), start_review (note). A date left empty is today."""

    action: OpinionAction
    on: date | None = None
    note: str = ""
    level: AdoptionLevel | None = None
    publication: str = ""
    departments: tuple[str, ...] = ()
    due_on: date | None = None
    forwarding_id: int | None = None
    reply: str = ""
    leader: str = ""
    instruction_level: InstructionLevel | None = None
    title: str | None = None
    body: str | None = None
    category_id: int | None = field(default=None)


def take_step(*, session: Session, actor: Actor, report_id: int, expected_version: int,
              step: Step, today: date, now: datetime | None = None) -> OpinionReport:
    """Take one action on the report, against the version the user saw. Refusals:
    ``PermissionDenied``, ``StaleRecord``, ``TransitionRefused`` (naming the allowed
    actions), ``ValidationFailed`` (every field's problem at once)."""
    step = _cleaned_step(step, today)
    report = _checked(session, actor, report_id, expected_version, step, today)
    return _apply(session, actor, report, expected_version, step, now or utcnow())


def take_steps(*, session: Session, actor: Actor, versions: Mapping[int, int], step: Step,
               today: date, now: datetime | None = None) -> list[OpinionReport]:
    """The same action on several reports (id → version seen), all or none: any report
    that cannot take it refuses them all with ``BulkRefused`` before anything is
    written. Bulk forward and bulk close."""
    if not versions:
        raise ValidationFailed({"reports": "opinion.error.none_chosen"})
    step = _cleaned_step(step, today)
    checked: dict[int, OpinionReport] = {}
    reasons: dict[int, str] = {}
    field_errors: dict[str, str] = {}
    for report_id, version in versions.items():
        try:
            checked[report_id] = _checked(session, actor, report_id, version, step, today)
        except ValidationFailed as exc:
            field_errors |= exc.field_errors
            reasons[report_id] = next(iter(exc.field_errors.values()))
        except ServiceError as exc:
            reasons[report_id] = exc.message_key
    if field_errors and len(reasons) == len(versions):
        raise ValidationFailed(field_errors)  # the form's own fields are wrong
    if reasons:
        raise BulkRefused(reasons)
    when = now or utcnow()
    return [_apply(session, actor, report, versions[report_id], step, when)
            for report_id, report in checked.items()]


def _cleaned_step(step: Step, today: date) -> Step:
    departments = tuple(dict.fromkeys(
        name for name in (clean_text(d) for d in step.departments) if name))
    return replace(
        step, on=step.on or today, note=clean_text(step.note, single_line=False),
        publication=clean_text(step.publication), departments=departments,
        reply=clean_text(step.reply, single_line=False), leader=clean_text(step.leader),
        title=None if step.title is None else clean_text(step.title),
        body=None if step.body is None else clean_text(step.body, single_line=False),
    )


def _checked(session: Session, actor: Actor, report_id: int, version: int, step: Step,
             today: date) -> OpinionReport:
    """The report, locked, once the actor may take the step on the version seen and its
    fields are right."""
    report = session.get(OpinionReport, report_id, with_for_update=True,
                         populate_existing=True)
    if report is None or report.deleted_at is not None:
        raise StaleRecord()
    signers = signer_ids(session, report_id)
    if actor.role is Role.MEMBER and actor.member_id not in signers:
        raise PermissionDenied()
    if not can_manage(actor, report.organisation_id, report.committee_id) and not (
            actor.role is Role.MEMBER and step.action is A.RESUBMIT):
        raise PermissionDenied()
    if report.version != version:
        raise StaleRecord()
    if step.action not in next_actions(actor, report, signers):
        raise TransitionRefused(report.status)
    errors = _step_errors(session, report, step, today)
    if errors:
        raise ValidationFailed(errors)
    return report


def _step_errors(session: Session, report: OpinionReport, step: Step,
                 today: date) -> dict[str, str]:
    """What is wrong with the step's fields for this report."""
    errors: dict[str, str] = {}
    on = step.on or today
    forwarding = (session.get(OpinionForwarding, step.forwarding_id)
                  if step.action is A.REPLY and step.forwarding_id is not None else None)
    if on > today:
        errors["on"] = "opinion.error.future_date"
    elif on < _earliest(report, step, forwarding):
        errors["on"] = "opinion.error.too_early"
    if len(step.note) > TEXT_LENGTH:
        errors["note"] = "opinion.error.too_long"
    match step.action:
        case A.RETURN | A.REJECT if not step.note:
            errors["note"] = ("opinion.error.reason_required" if step.action is A.REJECT
                              else "opinion.error.note_required")
        case A.RESUBMIT:
            errors |= _revision_errors(session, report, step)
        case A.ADOPT:
            errors |= _adoption_errors(session, report, step)
        case A.FORWARD:
            errors |= _forward_errors(session, report, step, on)
        case A.REPLY:
            errors |= _reply_errors(report, step, forwarding)
        case A.INSTRUCT:
            errors |= _instruction_errors(step)
        case A.GIVE_FEEDBACK if not step.note:
            errors["note"] = "opinion.error.feedback_required"
    return errors


def _earliest(report: OpinionReport, step: Step,
              forwarding: OpinionForwarding | None) -> date:
    """The earliest date the step may carry: an instruction any day from submission, a
    further adoption from the first, a reply from its forwarding, every other step from
    the day the current stage began."""
    stage = report.stage_started_on or report.submitted_on
    match step.action:
        case A.INSTRUCT:
            return report.submitted_on
        case A.ADOPT:
            return report.adopted_on or stage
        case A.REPLY if forwarding is not None:
            return forwarding.forwarded_on
    return stage


def _instruction_errors(step: Step) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not step.leader:
        errors["leader"] = "opinion.error.leader_required"
    elif len(step.leader) > NAME_LENGTH:
        errors["leader"] = "opinion.error.too_long"
    if step.instruction_level is None:
        errors["instruction_level"] = "opinion.error.level_required"
    return errors


def _revision_errors(session: Session, report: OpinionReport, step: Step) -> dict[str, str]:
    errors: dict[str, str] = {}
    if step.title is not None:
        errors |= _text_error("title", step.title, TITLE_LENGTH)
    if step.body is not None:
        errors |= _text_error("body", step.body, BODY_LENGTH)
    if step.category_id is not None and step.category_id not in entry_names(
            session=session, organisation_id=report.organisation_id,
            kind=ListKind.OPINION_CATEGORY):
        errors["category"] = "opinion.error.unknown_category"
    return errors


def _adoption_errors(session: Session, report: OpinionReport, step: Step) -> dict[str, str]:
    errors: dict[str, str] = {}
    if step.level is None:
        errors["level"] = "opinion.error.level_required"
    elif session.exec(select(OpinionAdoption.id).where(
            OpinionAdoption.report_id == report.id,
            OpinionAdoption.level == step.level)).first() is not None:
        errors["level"] = "opinion.error.level_adopted"
    if len(step.publication) > PUBLICATION_LENGTH:
        errors["publication"] = "opinion.error.too_long"
    return errors


def _forward_errors(session: Session, report: OpinionReport, step: Step,
                    on: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not step.departments:
        errors["departments"] = "opinion.error.departments_required"
    elif len(step.departments) > MAX_DEPARTMENTS:
        errors["departments"] = "opinion.error.too_many_departments"
    elif any(len(name) > DEPARTMENT_LENGTH for name in step.departments):
        errors["departments"] = "opinion.error.too_long"
    else:
        already = set(session.exec(select(OpinionForwarding.department).where(
            OpinionForwarding.report_id == report.id)).all())
        if already & set(step.departments):
            errors["departments"] = "opinion.error.already_forwarded"
    if step.due_on is not None and step.due_on < on:
        errors["due_on"] = "opinion.error.due_before_forwarded"
    return errors


def _reply_errors(report: OpinionReport, step: Step,
                  forwarding: OpinionForwarding | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if forwarding is None or forwarding.report_id != report.id:
        errors["forwarding"] = "opinion.error.forwarding_required"
    elif forwarding.replied_on is not None:
        errors["forwarding"] = "opinion.error.already_replied"
    if not step.reply:
        errors["reply"] = "opinion.error.reply_required"
    elif len(step.reply) > TEXT_LENGTH:
        errors["reply"] = "opinion.error.too_long"
    return errors


def _apply(session: Session, actor: Actor, report: OpinionReport, version: int, step: Step,
           now: datetime) -> OpinionReport:
    """Write a checked step: its rows, the report's new state (compare-and-set on its
    version), the event and the audit row."""
    on = step.on or now.date()
    before, from_status = snapshot(report), report.status
    values = _write_step_rows(session, actor, report, step, on)
    to_status = TRANSITIONS.get(from_status, {}).get(step.action) or from_status
    silent, started = _silent_dues(session, report.id), on
    if step.action is A.REPLY and not silent:
        # Replied once the last department has: on the latest reply's day, whatever
        # order the replies were recorded in.
        to_status, started = S.REPLIED, max(session.exec(
            select(OpinionForwarding.replied_on)
            .where(OpinionForwarding.report_id == report.id)).all())
        values["replied_on"] = started
    if to_status is not from_status:
        values |= {"status": to_status, "stage_started_on": started, "status_changed_at": now,
                   "due_on": stage_due(to_status, started, report.is_urgent,
                                       deadlines(session=session), silent)}
    elif to_status is S.FORWARDED:  # its departments changed: the earliest silent one's
        values["due_on"] = min(silent) if silent else None
    # Any other action keeps the stage and the deadline it began with.
    versioned_update(session, OpinionReport, report.id, version, values)
    _event(session, actor, report.id, step.action, from_status, to_status, on, now,
           _event_note(session, step))
    stored = load_live(session, OpinionReport, report.id)
    old, new = changed_values(before, snapshot(stored), values)
    record_audit(session=session, actor=actor, action=AuditAction.STATUS_CHANGE,
                 entity="OpinionReport", entity_id=report.id,
                 before=old | {"action": step.action.value}, after=new)
    return stored


def _write_step_rows(session: Session, actor: Actor, report: OpinionReport, step: Step,
                     on: date) -> dict[str, Any]:
    """The rows an action adds (adoption, forwardings, reply, instruction) and the
    report's fields it sets."""
    match step.action:
        case A.RESUBMIT:
            revised = {"title": step.title, "body": step.body, "category_id": step.category_id}
            return {name: value for name, value in revised.items() if value is not None}
        case A.REJECT:
            return {"not_adopted_reason": step.note}
        case A.ADOPT:
            session.add(OpinionAdoption(report_id=report.id, level=step.level, adopted_on=on,
                                        publication=step.publication or None))
            levels = [*session.exec(select(OpinionAdoption.level).where(
                OpinionAdoption.report_id == report.id)).all(), step.level]
            highest = max(levels, key=list(AdoptionLevel).index)
            return {"adoption_level": highest,
                    "adopted_on": min(filter(None, (report.adopted_on, on)))}
        case A.FORWARD:
            due = step.due_on or on + timedelta(
                days=deadlines(session=session).days("reply", report.is_urgent))
            session.add_all(OpinionForwarding(report_id=report.id, department=name,
                                              forwarded_on=on, due_on=due)
                            for name in step.departments)
            session.flush()
            return {"forwarded_on": report.forwarded_on or on, "replied_on": None}
        case A.REPLY:
            session.execute(update(OpinionForwarding)
                            .where(col(OpinionForwarding.id) == step.forwarding_id)
                            .values(reply=step.reply, replied_on=on, updated_at=utcnow()))
            return {}
        case A.INSTRUCT:
            session.add(LeaderInstruction(report_id=report.id, level=step.instruction_level,
                                          leader=step.leader, instructed_on=on,
                                          content=step.note or None))
            return {}
        case A.GIVE_FEEDBACK:
            return {"feedback_on": on, "feedback_summary": step.note}
        case A.CLOSE:
            return {"closed_on": on}
    return {}


def _silent_dues(session: Session, report_id: int) -> list[date]:
    """The due dates of the departments that have not replied."""
    session.flush()
    return list(session.exec(select(OpinionForwarding.due_on).where(
        OpinionForwarding.report_id == report_id,
        col(OpinionForwarding.replied_on).is_(None))).all())


def _event_note(session: Session, step: Step) -> str | None:
    """What the timeline shows beside the action (a reply: which department's)."""
    match step.action:
        case A.ADOPT:
            return step.publication or None
        case A.FORWARD:
            return "、".join(step.departments) + (f"：{step.note}" if step.note else "")
        case A.REPLY:
            department = session.get(OpinionForwarding, step.forwarding_id).department
            return f"{department}：{step.reply}"
        case A.INSTRUCT:
            return f"{step.leader}：{step.note}" if step.note else step.leader
    return step.note or None


def _event(session: Session, actor: Actor, report_id: int, action: OpinionAction,
           from_status: OpinionStatus | None, to_status: OpinionStatus, on: date,
           now: datetime, note: str | None) -> None:
    session.add(OpinionEvent(report_id=report_id, action=action, from_status=from_status,
                             to_status=to_status, changed_at=now, changed_on=on,
                             actor_user_id=actor.user_id, actor_name=actor.label[:60],
                             note=note))


# --- reply templates -------------------------------------------------------------------


def render_template(*, session: Session, actor: Actor, report_id: int, template_id: int,
                    department: str = "") -> str:
    """A template's wording for the report: ``{title}`` is its title, ``{department}``
    the department given, else those it was forwarded to."""
    report = load_live(session, OpinionReport, report_id)
    require_read(session, actor, report)
    templates = {entry.id: entry for entry in entries(
        session=session, organisation_id=report.organisation_id,
        kind=ListKind.OPINION_REPLY_TEMPLATE)}
    if template_id not in templates:
        raise ValidationFailed({"template": "opinion.error.unknown_template"})
    departments = clean_text(department) or "、".join(session.exec(
        select(OpinionForwarding.department).where(OpinionForwarding.report_id == report_id)
        .order_by(col(OpinionForwarding.id))).all())
    fills = {"title": report.title, "department": departments}
    return re.sub(r"\{(title|department)\}", lambda found: fills[found.group(1)],
                  templates[template_id].text or "")  # one pass: a title's braces stay
