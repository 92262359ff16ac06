"""Consultation on the front line (协商在一线) and monthly supervision topics (每月一题):
a topic is chosen, researched, consulted on, answered by the departments, its outcome
converted and carried out, then concluded with the verdict whether it was carried out
("协商有成果、办理有结果、落实有效果").

**Creation.** A topic is of a kind (consultation; or supervision, with its month and its
supervision group), of one organisation and followed by one of its committees. It comes
from open collected problems (each takes the step "turned into a topic" with its history
and audit rows, ``services.problems.mark_taken_up``), from an opinion report, or is
typed. A filled-in form is saved exactly once (its idempotency key).

**Stages** (``NEXT_STAGE``): one at a time, in order, each with the day it happened (not
before the day the current stage began, not after today) and a note: a ``TopicEvent`` row
(the timeline) and an audit row, written against the version the user saw. The last step
(``conclude_topic``) records the verdict, carried out or not, and the day. A refused step
names the one allowed.

**Participants and results** (``update_topic``): the members taking part (``TopicMember``
rows: records of their own, counted in dossiers), residents and experts (names and
counts), the departments (one per line), the departments' response, the outcome and its
implementation; versioned and audited.

**Who.** Administrators within their organisations and staff for their committees'
topics write; leaders read; a member reads only the topics they took part in (their
profile), and no figures.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Select, case, false, func, or_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel, col, select

from models import (
    AuditAction,
    CollectedProblem,
    Committee,
    ConsultationTopic,
    Member,
    OpinionReport,
    Organisation,
    ProblemStatus,
    Proposal,
    Role,
    Sector,
    TopicEvent,
    TopicKind,
    TopicMember,
    TopicStage,
    User,
    Workstation,
    utcnow,
)
from services import problems
from services.actors import Actor
from services.audit import changed_values, record_audit, snapshot
from services.errors import PermissionDenied, ServiceError, StaleRecord, ValidationFailed
from services.opinion_figures import share_of
from services.organisations import in_scope
from services.problems import StatusChange, mark_taken_up, take_up_refusal
from services.records import load_live, versioned_update
from services.search import contains
from services.text import clean_text
from services.visit_entry import pinyin_code

TITLE_LENGTH = 200
TEXT_LENGTH = 20_000  # description, the departments' response, outcome, implementation
NAMES_LENGTH = 1_000  # residents', experts' names; the departments (the columns' size)
DEPARTMENT_LENGTH = 120  # one department
GROUP_LENGTH = 120
NOTE_LENGTH = 2_000
MAX_MEMBERS = 100
MAX_PROBLEMS = 100
MAX_COUNT = 1_000_000  # residents or experts taking part
CHOICES_LIMIT = 500  # reports offered as a source

S = TopicStage
NEXT_STAGE: dict[TopicStage, TopicStage | None] = {
    S.SELECTION: S.RESEARCH, S.RESEARCH: S.CONSULTATION, S.CONSULTATION: S.RESPONSE,
    S.RESPONSE: S.CONVERSION, S.CONVERSION: S.IMPLEMENTATION, S.IMPLEMENTATION: S.DONE,
    S.DONE: None,
}
"""The one step each stage allows; done is reached by ``conclude_topic`` only."""


class StageRefused(ServiceError):
    """The step is not the one the topic's stage allows; the message names that one."""

    def __init__(self, stage: TopicStage):
        super().__init__(f"topics.error.from_{stage.value}")


# --- who may do what ------------------------------------------------------------------


def can_manage(actor: Actor, organisation_id: int, committee_id: int) -> bool:
    """Administrators within their organisations; staff for their committees' topics."""
    if actor.role not in (Role.ADMIN, Role.STAFF) or not actor.sees_organisation(
            organisation_id):
        return False
    return actor.role is Role.ADMIN or committee_id in actor.committee_ids


def _require_read(session: Session, actor: Actor, topic: ConsultationTopic) -> None:
    if actor.role is Role.MEMBER:
        readable = actor.member_id is not None and session.get(
            TopicMember, (topic.id, actor.member_id)) is not None
    else:
        readable = actor.sees_organisation(topic.organisation_id)
    if not readable:
        raise PermissionDenied()


# --- creation --------------------------------------------------------------------------


@dataclass(frozen=True)
class TopicDraft:
    """A new topic as the form gives it. ``supervision_month`` is any day of the month
    (stored as its first day); it and the group are kept for supervision topics only."""

    kind: TopicKind | None = TopicKind.CONSULTATION
    title: str = ""
    description: str = ""
    committee_id: int | None = None
    proposed_on: date | None = None
    supervision_month: date | None = None
    supervision_group: str = ""
    workstation_id: int | None = None
    opinion_report_id: int | None = None
    problem_ids: tuple[int, ...] = ()
    member_ids: tuple[int, ...] = ()


def _cleaned_draft(draft: TopicDraft, today: date) -> TopicDraft:
    supervision = draft.kind is TopicKind.SUPERVISION
    month = draft.supervision_month.replace(day=1) if (
        supervision and draft.supervision_month) else None
    return replace(
        draft, title=clean_text(draft.title),
        description=clean_text(draft.description, single_line=False),
        proposed_on=draft.proposed_on or today, supervision_month=month,
        supervision_group=clean_text(draft.supervision_group) if supervision else "",
        problem_ids=tuple(dict.fromkeys(draft.problem_ids)),
        member_ids=tuple(dict.fromkeys(draft.member_ids)),
    )


def create_topic(*, session: Session, actor: Actor, organisation_id: int, draft: TopicDraft,
                 idempotency_key: str, today: date,
                 now: datetime | None = None) -> ConsultationTopic:
    """Save a new topic in the selection stage, once: a second call with the same
    ``idempotency_key`` returns what the first saved. Its source problems become
    "turned into a topic" with its id. Refusals: ``PermissionDenied`` (the committee is
    not one the actor follows up), ``ValidationFailed`` (every field's problem at once)."""
    if not idempotency_key or len(idempotency_key) > 64:
        raise ValueError("an idempotency key of 1 to 64 characters is required")
    earlier = by_key(session, ConsultationTopic, idempotency_key)
    if earlier is not None:
        _require_read(session, actor, earlier)  # a key replayed by someone else finds nothing
        return earlier
    actor.require_role(Role.ADMIN, Role.STAFF)
    actor.require_organisation(organisation_id)
    draft = _cleaned_draft(draft, today)
    if draft.committee_id is not None and _committee_of(session, draft.committee_id,
                                                        organisation_id) and not can_manage(
            actor, organisation_id, draft.committee_id):
        raise PermissionDenied()
    errors = draft_errors(session, actor, organisation_id, draft, today)
    if errors:
        raise ValidationFailed(errors)
    when = now or utcnow()
    values = {
        "organisation_id": organisation_id, "kind": draft.kind, "title": draft.title,
        "description": draft.description or None, "committee_id": draft.committee_id,
        "workstation_id": draft.workstation_id, "opinion_report_id": draft.opinion_report_id,
        "supervision_month": draft.supervision_month,
        "supervision_group": draft.supervision_group or None, "stage": S.SELECTION,
        "stage_on": draft.proposed_on, "proposed_on": draft.proposed_on,
        "idempotency_key": idempotency_key, "version": 1, "created_at": when,
        "updated_at": when,
    }
    topic_id = insert_once(session, ConsultationTopic, values)
    if topic_id is None:  # a concurrent submit of the same form saved it first
        return by_key(session, ConsultationTopic, idempotency_key)
    session.add_all(TopicMember(topic_id=topic_id, member_id=member_id)
                    for member_id in draft.member_ids)
    session.add(_event(actor, topic_id, None, S.SELECTION, draft.proposed_on, None, when))
    if draft.problem_ids:
        mark_taken_up(session=session, actor=actor, problem_ids=draft.problem_ids,
                      change=StatusChange(ProblemStatus.TO_TOPIC, topic_id=topic_id),
                      now=when)
    topic = load_live(session, ConsultationTopic, topic_id)
    record_audit(session=session, actor=actor, action=AuditAction.CREATE,
                 entity="ConsultationTopic", entity_id=topic_id,
                 after=snapshot(topic) | {"members": list(draft.member_ids),
                                          "problems": list(draft.problem_ids)})
    return topic


def draft_errors(session: Session, actor: Actor, organisation_id: int, draft: TopicDraft,
                 today: date) -> dict[str, str]:
    """Every field's problem (field → message key) of a cleaned draft."""
    errors: dict[str, str] = {}
    if draft.kind is None:
        errors["kind"] = "topics.error.kind_required"
    errors |= _text_error("title", draft.title, TITLE_LENGTH, required=True)
    errors |= _text_error("description", draft.description, TEXT_LENGTH)
    if draft.committee_id is None:
        errors["committee_id"] = "topics.error.committee_required"
    elif not _committee_of(session, draft.committee_id, organisation_id):
        errors["committee_id"] = "topics.error.committee_unknown"
    if draft.proposed_on > today:
        errors["proposed_on"] = "topics.error.future_date"
    if draft.kind is TopicKind.SUPERVISION:
        if draft.supervision_month is None:
            errors["supervision_month"] = "topics.error.month_required"
        errors |= _text_error("supervision_group", draft.supervision_group, GROUP_LENGTH,
                              required=True)
    if draft.workstation_id is not None:
        station = session.get(Workstation, draft.workstation_id)
        if station is None or station.deleted_at is not None or (
                station.organisation_id != organisation_id):
            errors["workstation_id"] = "topics.error.workstation_unknown"
    if draft.opinion_report_id is not None:
        report = session.get(OpinionReport, draft.opinion_report_id)
        if report is None or report.deleted_at is not None or (
                report.organisation_id != organisation_id):
            errors["opinion_report_id"] = "topics.error.report_unknown"
    if len(draft.problem_ids) > MAX_PROBLEMS:
        errors["problem_ids"] = "topics.error.too_many_problems"
    else:
        refusal = take_up_refusal(session, actor, draft.problem_ids, organisation_id)
        if refusal is not None:
            errors["problem_ids"] = refusal
    if member_error := members_error(session, draft.member_ids, organisation_id):
        errors["member_ids"] = member_error
    return errors


def members_error(session: Session, member_ids: Sequence[int],
                  organisation_id: int) -> str | None:
    """Why the members cannot take part (the message key), or None: live members of the
    organisation, at most ``MAX_MEMBERS``."""
    if len(member_ids) > MAX_MEMBERS:
        return "topics.error.too_many_members"
    if not member_ids:
        return None
    found = session.exec(select(func.count()).select_from(Member).where(
        col(Member.id).in_(list(member_ids)), col(Member.deleted_at).is_(None),
        Member.organisation_id == organisation_id)).one()
    return None if found == len(set(member_ids)) else "topics.error.member_unknown"


def _committee_of(session: Session, committee_id: int, organisation_id: int) -> bool:
    committee = session.get(Committee, committee_id)
    return committee is not None and committee.organisation_id == organisation_id


def _text_error(field: str, text: str, longest: int, *,
                required: bool = False) -> dict[str, str]:
    if required and not text:
        return {field: f"topics.error.{field}_required"}
    if len(text) > longest:
        return {field: "topics.error.too_long"}
    return {}


def by_key(session: Session, model: type[ConsultationTopic | Proposal],
           idempotency_key: str) -> Any:
    """The record a form saved under ``idempotency_key``, if any."""
    return session.exec(select(model).where(col(model.idempotency_key) == idempotency_key)
                        ).first()


def insert_once(session: Session, model: type[SQLModel], values: dict[str, Any]) -> int | None:
    """Insert the row unless it would break a unique rule (the idempotency key, a
    number): its id, or None when nothing was inserted."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (insert(model).values(**values).on_conflict_do_nothing()
                 .returning(model.__table__.c.id))
    return session.execute(statement).scalar()


# --- the stages -----------------------------------------------------------------------


def advance_stage(*, session: Session, actor: Actor, topic_id: int, expected_version: int,
                  to_stage: TopicStage, happened_on: date | None = None, note: str = "",
                  today: date, now: datetime | None = None) -> ConsultationTopic:
    """Move the topic to its next stage (``NEXT_STAGE``; done only by
    ``conclude_topic``), on ``happened_on`` (today when empty), against the version the
    user saw. Refusals: ``PermissionDenied``, ``StaleRecord``, ``StageRefused`` (naming
    the allowed step), ``ValidationFailed``."""
    topic = _checked(session, actor, topic_id, expected_version)
    if to_stage is S.DONE or NEXT_STAGE[topic.stage] is not to_stage:
        raise StageRefused(topic.stage)
    on, note = happened_on or today, clean_text(note, single_line=False)
    errors = _day_errors("happened_on", topic, on, today) | _text_error("note", note,
                                                                         NOTE_LENGTH)
    if errors:
        raise ValidationFailed(errors)
    return _move(session, actor, topic, expected_version, to_stage, on, note, {},
                 now or utcnow())


def conclude_topic(*, session: Session, actor: Actor, topic_id: int, expected_version: int,
                   carried_out: bool | None, done_on: date | None = None, note: str = "",
                   today: date, now: datetime | None = None) -> ConsultationTopic:
    """Conclude a topic being carried out (stage implementation → done) with the verdict
    whether it was carried out and the day. Refusals as ``advance_stage``; the verdict is
    required."""
    topic = _checked(session, actor, topic_id, expected_version)
    if NEXT_STAGE[topic.stage] is not S.DONE:
        raise StageRefused(topic.stage)
    on, note = done_on or today, clean_text(note, single_line=False)
    errors = _day_errors("done_on", topic, on, today) | _text_error("note", note, NOTE_LENGTH)
    if carried_out is None:
        errors["carried_out"] = "topics.error.verdict_required"
    if errors:
        raise ValidationFailed(errors)
    return _move(session, actor, topic, expected_version, S.DONE, on, note,
                 {"carried_out": carried_out, "done_on": on}, now or utcnow())


def may_step_back(actor: Actor, topic: ConsultationTopic) -> bool:
    """Administrators of the topic's organisation undo a step taken by mistake."""
    return (actor.role is Role.ADMIN and actor.sees_organisation(topic.organisation_id)
            and topic.stage is not S.SELECTION)


def step_back(*, session: Session, actor: Actor, topic_id: int, expected_version: int,
              note: str, today: date, now: datetime | None = None) -> ConsultationTopic:
    """Undo the last step (a mis-click): the topic returns to the stage it came from, with
    that stage's first day again; a concluded topic loses its verdict. The undo is a step
    of its own in the timeline (today, with the reason, which is required), so nothing
    is erased. Administrators only."""
    topic = _checked(session, actor, topic_id, expected_version)
    if not may_step_back(actor, topic):
        raise PermissionDenied()
    note = clean_text(note, single_line=False)
    errors = _text_error("note", note, NOTE_LENGTH)
    if not note:
        errors["note"] = "topics.error.reason_required"
    if errors:
        raise ValidationFailed(errors)
    events = session.exec(select(TopicEvent).where(TopicEvent.topic_id == topic_id)
                          .order_by(col(TopicEvent.recorded_at).desc(),
                                    col(TopicEvent.id).desc())).all()
    reached = next((event for event in events if event.to_stage is topic.stage
                    and event.from_stage is not None), None)
    previous = reached.from_stage if reached is not None else S.SELECTION
    began = next((event.happened_on for event in events if event.to_stage is previous),
                 topic.proposed_on)
    extra: dict[str, Any] = {"stage_on": began}
    if topic.stage is S.DONE:
        extra |= {"carried_out": None, "done_on": None}
    stored = _move(session, actor, topic, expected_version, previous, today, note, extra,
                   now or utcnow())
    return stored


def _checked(session: Session, actor: Actor, topic_id: int,
             version: int) -> ConsultationTopic:
    """The topic, locked, once the actor may change it and has seen this version."""
    topic = session.get(ConsultationTopic, topic_id, with_for_update=True,
                        populate_existing=True)
    if topic is None or topic.deleted_at is not None:
        raise StaleRecord()
    if not can_manage(actor, topic.organisation_id, topic.committee_id):
        raise PermissionDenied()
    if topic.version != version:
        raise StaleRecord()
    return topic


def _day_errors(field: str, topic: ConsultationTopic, on: date, today: date) -> dict[str, str]:
    if on > today:
        return {field: "topics.error.future_date"}
    if on < topic.stage_on:
        return {field: "topics.error.before_stage"}
    return {}


def _move(session: Session, actor: Actor, topic: ConsultationTopic, version: int,
          to_stage: TopicStage, on: date, note: str, extra: dict[str, Any],
          now: datetime) -> ConsultationTopic:
    before, from_stage = snapshot(topic), topic.stage
    values = {"stage": to_stage, "stage_on": on} | extra  # a step back names its own
    versioned_update(session, ConsultationTopic, topic.id, version, values)
    session.add(_event(actor, topic.id, from_stage, to_stage, on, note or None, now))
    stored = load_live(session, ConsultationTopic, topic.id)
    old, new = changed_values(before, snapshot(stored), values)
    record_audit(session=session, actor=actor, action=AuditAction.STATUS_CHANGE,
                 entity="ConsultationTopic", entity_id=topic.id, before=old,
                 after=new | ({"note": note} if note else {}))
    return stored


def _event(actor: Actor, topic_id: int, from_stage: TopicStage | None, to_stage: TopicStage,
           on: date, note: str | None, now: datetime) -> TopicEvent:
    return TopicEvent(topic_id=topic_id, from_stage=from_stage, to_stage=to_stage,
                      happened_on=on, note=note, recorded_at=now, actor_user_id=actor.user_id,
                      actor_name=actor.label[:60])


# --- participants and results ----------------------------------------------------------

EDITABLE_FIELDS = ("title", "description", "supervision_group", "residents",
                   "residents_count", "experts", "experts_count", "departments",
                   "department_response", "outcome", "implementation")
_LONG_TEXTS = ("description", "department_response", "outcome", "implementation")
_NAME_TEXTS = ("residents", "experts")
_COUNTS = ("residents_count", "experts_count")


def update_topic(*, session: Session, actor: Actor, topic_id: int, expected_version: int,
                 changes: Mapping[str, object]) -> ConsultationTopic:
    """Change some of ``EDITABLE_FIELDS`` and ``member_ids`` (the members taking part, the
    whole list) against the version the user saw; only the fields given change (an edit
    form sends those its user changed). Empty texts clear; an empty count is 0; the
    departments are one per line. Refusals: ``PermissionDenied``, ``StaleRecord``,
    ``ValidationFailed``."""
    unknown = set(changes) - {*EDITABLE_FIELDS, "member_ids"}
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)} of a topic")
    topic = _checked(session, actor, topic_id, expected_version)
    values, errors = _cleaned_changes(topic, changes)
    member_ids = None
    if "member_ids" in changes:
        member_ids = tuple(dict.fromkeys(int(i) for i in changes["member_ids"] or ()))
        if member_error := members_error(session, member_ids, topic.organisation_id):
            errors["member_ids"] = member_error
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(topic)
    old_members = _member_ids(session, topic_id)
    # the version moves even when only the members change: others see a stale form
    versioned_update(session, ConsultationTopic, topic_id, expected_version, values)
    if member_ids is not None and set(member_ids) != set(old_members):
        session.execute(TopicMember.__table__.delete().where(
            TopicMember.__table__.c.topic_id == topic_id))
        session.add_all(TopicMember(topic_id=topic_id, member_id=member_id)
                        for member_id in member_ids)
    stored = load_live(session, ConsultationTopic, topic_id)
    old, new = changed_values(before, snapshot(stored), values)
    if member_ids is not None and set(member_ids) != set(old_members):
        old, new = old | {"members": old_members}, new | {"members": list(member_ids)}
    record_audit(session=session, actor=actor, action=AuditAction.UPDATE,
                 entity="ConsultationTopic", entity_id=topic_id, before=old, after=new)
    return stored


def _cleaned_changes(topic: ConsultationTopic,
                     changes: Mapping[str, object]) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field, value in changes.items():
        if field in _COUNTS:
            count = 0 if value in (None, "") else value
            if not isinstance(count, int) or isinstance(count, bool) or not (
                    0 <= count <= MAX_COUNT):
                errors[field] = "topics.error.count_range"
            values[field] = count
        elif field == "departments":
            text, error = departments_text(str(value or ""))
            values[field] = text or None
            if error:
                errors[field] = error
        elif field in (*_LONG_TEXTS, *_NAME_TEXTS):
            text = clean_text(str(value or ""), single_line=False)
            errors |= _text_error(field, text, TEXT_LENGTH if field in _LONG_TEXTS
                                  else NAMES_LENGTH)
            values[field] = text or None
        elif field in ("title", "supervision_group"):
            text = clean_text(str(value or ""))
            required = field == "title" or topic.kind is TopicKind.SUPERVISION
            errors |= _text_error(field, text, TITLE_LENGTH if field == "title"
                                  else GROUP_LENGTH, required=required)
            values[field] = text or None
    return values, errors


def departments_text(text: str) -> tuple[str, str | None]:
    """The departments one per line (blank lines and repeats dropped), and the message
    key of what is wrong with them, if anything."""
    names = list(dict.fromkeys(name for name in (clean_text(line) for line in
                                                 text.splitlines()) if name))
    joined = "\n".join(names)
    if any(len(name) > DEPARTMENT_LENGTH for name in names) or len(joined) > NAMES_LENGTH:
        return joined, "topics.error.too_long"
    return joined, None


def _member_ids(session: Session, topic_id: int) -> list[int]:
    return sorted(session.exec(select(TopicMember.member_id)
                               .where(TopicMember.topic_id == topic_id)).all())


# --- the list ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TopicFilters:
    """What the list shows; None (or empty) means all the actor may read.
    ``first``..``last`` bound the day the topic was chosen (inclusive); ``search`` looks
    in the title, the description, the supervision group and the departments."""

    organisation_ids: frozenset[int] | None = None
    committee_id: int | None = None
    kind: TopicKind | None = None
    stages: frozenset[TopicStage] = frozenset()
    supervision_month: date | None = None  # any day of the month
    first: date | None = None
    last: date | None = None
    search: str = ""
    member_id: int | None = None  # topics the member took part in


LIST_COLUMNS = ["id", "version", "organisation_id", "kind", "title", "committee_id",
                "committee", "stage", "stage_on", "proposed_on", "supervision_month",
                "supervision_group", "members", "residents_count", "experts_count",
                "problems", "proposals", "carried_out", "done_on", "can_edit"]
LIST_LIMIT = 2_000


def list_topics(*, session: Session, actor: Actor, filters: TopicFilters = TopicFilters(),
                limit: int | None = LIST_LIMIT) -> pd.DataFrame:
    """The topics the actor may read under ``filters`` (``LIST_COLUMNS``: ``kind`` and
    ``stage`` as stored, ``members`` the names joined with 、, ``problems`` and
    ``proposals`` how many came from it, ``can_edit`` whether the actor may change it),
    newest chosen first, at most ``limit``."""
    problems = (select(func.count()).select_from(CollectedProblem)
                .where(col(CollectedProblem.topic_id) == ConsultationTopic.id,
                       col(CollectedProblem.deleted_at).is_(None))
                .scalar_subquery())
    proposals = (select(func.count()).select_from(Proposal)
                 .where(col(Proposal.topic_id) == ConsultationTopic.id,
                        col(Proposal.deleted_at).is_(None))
                 .scalar_subquery())
    query = _filtered(_visible(actor, ConsultationTopic.id, ConsultationTopic.version,
                               ConsultationTopic.organisation_id, ConsultationTopic.kind,
                               ConsultationTopic.title, ConsultationTopic.committee_id,
                               col(Committee.name), ConsultationTopic.stage,
                               ConsultationTopic.stage_on, ConsultationTopic.proposed_on,
                               ConsultationTopic.supervision_month,
                               ConsultationTopic.supervision_group,
                               ConsultationTopic.residents_count,
                               ConsultationTopic.experts_count, problems, proposals,
                               ConsultationTopic.carried_out, ConsultationTopic.done_on),
                      filters)
    query = (query.join(Committee, col(Committee.id) == ConsultationTopic.committee_id)
             .order_by(col(ConsultationTopic.proposed_on).desc(),
                       col(ConsultationTopic.id).desc()).limit(limit))
    rows = session.connection().execute(query).all()
    names = _member_names(session, [row[0] for row in rows])
    return pd.DataFrame([
        (*row[:3], row[3].value, *row[4:7], row[7].value, *row[8:12],
         "、".join(names.get(row[0], [])), *row[12:],
         can_manage(actor, row[2], row[5]))
        for row in rows
    ], columns=LIST_COLUMNS)


def _visible(actor: Actor, *columns: object) -> Select:
    query = select(*columns).select_from(ConsultationTopic).where(
        col(ConsultationTopic.deleted_at).is_(None))
    if actor.role is Role.MEMBER:
        return query.where(false() if actor.member_id is None else _with_member(
            actor.member_id))
    return query.where(in_scope(ConsultationTopic.organisation_id, actor))


def _with_member(member_id: int) -> ColumnElement[bool]:
    return select(TopicMember.topic_id).where(
        col(TopicMember.topic_id) == ConsultationTopic.id,
        TopicMember.member_id == member_id).exists()


def _filtered(query: Select, filters: TopicFilters) -> Select:
    conditions: list[ColumnElement[bool]] = []
    if filters.organisation_ids is not None:
        conditions.append(col(ConsultationTopic.organisation_id).in_(
            sorted(filters.organisation_ids)))
    if filters.committee_id is not None:
        conditions.append(col(ConsultationTopic.committee_id) == filters.committee_id)
    if filters.kind is not None:
        conditions.append(col(ConsultationTopic.kind) == filters.kind)
    if filters.stages:
        conditions.append(col(ConsultationTopic.stage).in_(sorted(filters.stages)))
    if filters.supervision_month is not None:
        conditions.append(col(ConsultationTopic.supervision_month)
                          == filters.supervision_month.replace(day=1))
    if filters.first is not None:
        conditions.append(col(ConsultationTopic.proposed_on) >= filters.first)
    if filters.last is not None:
        conditions.append(col(ConsultationTopic.proposed_on) <= filters.last)
    if filters.member_id is not None:
        conditions.append(_with_member(filters.member_id))
    if filters.search.strip():
        conditions.append(or_(*(contains(column, filters.search) for column in (
            ConsultationTopic.title, ConsultationTopic.description,
            ConsultationTopic.supervision_group, ConsultationTopic.departments))))
    return query.where(*conditions)


def _member_names(session: Session, topic_ids: list[int]) -> dict[int, list[str]]:
    """The names of each topic's members, in pinyin order."""
    found: dict[int, list[str]] = defaultdict(list)
    if not topic_ids:
        return found
    for chunk in range(0, len(topic_ids), 900):  # SQLite's bound parameters
        rows = session.exec(
            select(TopicMember.topic_id, Member.name)
            .join(Member, col(Member.id) == TopicMember.member_id)
            .where(col(TopicMember.topic_id).in_(topic_ids[chunk:chunk + 900]))
            .order_by(col(Member.name_key), col(Member.id))
        ).all()
        for topic_id, name in rows:
            found[topic_id].append(name)
    return found


# --- one topic ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineRow:
    from_stage: TopicStage | None
    to_stage: TopicStage
    happened_on: date
    note: str | None
    actor: str
    recorded_at: datetime


@dataclass(frozen=True)
class TopicDetail:
    topic: ConsultationTopic
    organisation: str
    committee: str
    workstation: str | None
    members: list[tuple[int, str]]  # id, name, in pinyin order
    timeline: list[TimelineRow]  # oldest first
    problems: list[tuple[int, str]]  # the source problems: id, content
    report: tuple[int, str] | None  # the source report: id, title
    proposals: list[tuple[int, str, str]]  # made from it: id, number, title
    next_stage: TopicStage | None  # the step the actor may take (done: conclude)
    can_edit: bool


def topic_detail(*, session: Session, actor: Actor, topic_id: int) -> TopicDetail:
    """The topic with its timeline, members, sources and proposals, and what the actor
    may do next."""
    topic = load_live(session, ConsultationTopic, topic_id)
    _require_read(session, actor, topic)
    editable = can_manage(actor, topic.organisation_id, topic.committee_id)
    station = session.get(Workstation, topic.workstation_id) if topic.workstation_id else None
    report = (session.get(OpinionReport, topic.opinion_report_id)
              if topic.opinion_report_id else None)
    return TopicDetail(
        topic=topic, organisation=session.get(Organisation, topic.organisation_id).name,
        committee=session.get(Committee, topic.committee_id).name,
        workstation=station.name if station else None,
        members=[tuple(row) for row in session.exec(
            select(Member.id, Member.name).join(TopicMember,
                                                col(TopicMember.member_id) == Member.id)
            .where(TopicMember.topic_id == topic_id)
            .order_by(col(Member.name_key), col(Member.id))).all()],
        timeline=_timeline(session, topic_id),
        problems=[tuple(row) for row in session.exec(
            select(CollectedProblem.id, CollectedProblem.content)
            .where(CollectedProblem.topic_id == topic_id,
                   col(CollectedProblem.deleted_at).is_(None))
            .order_by(col(CollectedProblem.id))).all()],
        report=(report.id, report.title) if report and report.deleted_at is None else None,
        proposals=[tuple(row) for row in session.exec(
            select(Proposal.id, Proposal.number, Proposal.title)
            .where(Proposal.topic_id == topic_id, col(Proposal.deleted_at).is_(None))
            .order_by(col(Proposal.id))).all()],
        next_stage=NEXT_STAGE[topic.stage] if editable else None,
        can_edit=editable,
    )


def _timeline(session: Session, topic_id: int) -> list[TimelineRow]:
    who = func.coalesce(func.nullif(User.display_name, ""), TopicEvent.actor_name)
    rows = session.exec(
        select(TopicEvent, who).outerjoin(User, col(TopicEvent.actor_user_id) == User.id)
        .where(TopicEvent.topic_id == topic_id).order_by(col(TopicEvent.id))
    ).all()
    return [TimelineRow(event.from_stage, event.to_stage, event.happened_on, event.note, name,
                        event.recorded_at) for event, name in rows]


# --- what the forms offer ----------------------------------------------------------------


def committee_choices(*, session: Session, actor: Actor, organisation_id: int) -> dict[int, str]:
    """The organisation's committees the actor may make a topic for, in their order."""
    rows = session.exec(select(Committee.id, Committee.name)
                        .where(Committee.organisation_id == organisation_id)
                        .order_by(Committee.sort_order, Committee.id)).all()
    return {committee_id: name for committee_id, name in rows
            if can_manage(actor, organisation_id, committee_id)}


def member_choices(*, session: Session, actor: Actor, organisation_id: int) -> dict[int, str]:
    """The organisation's live members as "name · sector · pinyin", in pinyin order (the
    picker's search matches all three)."""
    actor.require_role(Role.ADMIN, Role.LEADER, Role.STAFF)
    actor.require_organisation(organisation_id)
    rows = session.exec(
        select(Member.id, Member.name, Sector.name)
        .join(Sector, col(Sector.id) == Member.sector_id)
        .where(Member.organisation_id == organisation_id, col(Member.deleted_at).is_(None))
        .order_by(col(Member.name_key), col(Member.id))
    ).all()
    return {member_id: f"{name} · {sector} · {pinyin_code(name)}"
            for member_id, name, sector in rows}


def report_choices(*, session: Session, actor: Actor, organisation_id: int) -> dict[int, str]:
    """The organisation's live opinion reports, newest first, as "#id title"."""
    actor.require_role(Role.ADMIN, Role.STAFF)
    actor.require_organisation(organisation_id)
    rows = session.exec(
        select(OpinionReport.id, OpinionReport.title)
        .where(OpinionReport.organisation_id == organisation_id,
               col(OpinionReport.deleted_at).is_(None))
        .order_by(col(OpinionReport.submitted_on).desc(), col(OpinionReport.id).desc())
        .limit(CHOICES_LIMIT)
    ).all()
    return {report_id: f"#{report_id} {title}" for report_id, title in rows}


def workstation_choices(*, session: Session, actor: Actor,
                        organisation_id: int) -> dict[int, str]:
    """The organisation's live studios and stations, by name."""
    actor.require_organisation(organisation_id)
    rows = session.exec(select(Workstation.id, Workstation.name)
                        .where(Workstation.organisation_id == organisation_id,
                               col(Workstation.deleted_at).is_(None))
                        .order_by(col(Workstation.name), col(Workstation.id))).all()
    return dict(rows)


def topic_choices(*, session: Session, actor: Actor, organisation_id: int) -> dict[int, str]:
    """The organisation's live topics, newest first, as "#id title": what a proposal
    may come from."""
    actor.require_role(Role.ADMIN, Role.LEADER, Role.STAFF)
    actor.require_organisation(organisation_id)
    rows = session.exec(
        select(ConsultationTopic.id, ConsultationTopic.title)
        .where(ConsultationTopic.organisation_id == organisation_id,
               col(ConsultationTopic.deleted_at).is_(None))
        .order_by(col(ConsultationTopic.proposed_on).desc(), col(ConsultationTopic.id).desc())
        .limit(CHOICES_LIMIT)
    ).all()
    return {topic_id: f"#{topic_id} {title}" for topic_id, title in rows}


# --- figures ----------------------------------------------------------------------------


class Grouping(StrEnum):
    """How a figure is broken down: by organisation or by committee."""

    ORGANISATION = "organisation"
    COMMITTEE = "committee"


def stage_counts(*, session: Session, actor: Actor,
                 filters: TopicFilters = TopicFilters()) -> dict[TopicStage, int]:
    """How many topics are in each stage (every stage, 0 included) under ``filters``
    (their ``stages`` ignored)."""
    _require_figures(actor)
    query = _filtered(_visible(actor, ConsultationTopic.stage, func.count()),
                      replace(filters, stages=frozenset())
                      ).group_by(ConsultationTopic.stage)
    counts = dict(session.exec(query).all())
    return {stage: int(counts.get(stage, 0)) for stage in TopicStage}


def topics_by_stage(*, session: Session, actor: Actor, by: Grouping = Grouping.COMMITTEE,
                    filters: TopicFilters = TopicFilters()) -> pd.DataFrame:
    """Topics per stage, one row per committee (or organisation) the actor sees under
    the filters' organisations, none counted or not: ``id``, ``name``, a column per stage
    (its value), ``total``. A last row, ``id`` None, holds the totals."""
    _require_figures(actor)
    group = (ConsultationTopic.committee_id if by is Grouping.COMMITTEE
             else ConsultationTopic.organisation_id)
    query = _filtered(_visible(actor, group, ConsultationTopic.stage, func.count()),
                      replace(filters, stages=frozenset())
                      ).group_by(group, ConsultationTopic.stage)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for group_id, stage, count in session.exec(query).all():
        counts[group_id][stage.value] += count
    names = group_names(session, actor, by, filters.organisation_ids, extra=set(counts))
    stages = [stage.value for stage in TopicStage]
    rows = [{"id": group_id, "name": name, **{s: counts[group_id][s] for s in stages}}
            for group_id, name in names.items()]
    rows.append({"id": None, "name": None,
                 **{s: sum(row[s] for row in rows) for s in stages}})
    table = pd.DataFrame(rows, columns=["id", "name", *stages])
    table["total"] = table[stages].sum(axis=1)
    return table


TAKEN_UP_COLUMNS = ["id", "name", "collected", "to_topic", "to_proposal", "taken_up",
                    "topic_share", "proposal_share", "taken_up_share"]


def problems_taken_up(*, session: Session, actor: Actor, first: date, last: date,
                      by: Grouping = Grouping.COMMITTEE,
                      organisation_ids: frozenset[int] | None = None) -> pd.DataFrame:
    """Of the live problems collected in ``first``..``last`` (inclusive), how many were
    turned into a topic (status to_topic) or a proposal (to_proposal), per committee (the
    one following the problem up) or organisation the actor sees, none collected or not
    (``TAKEN_UP_COLUMNS``: the shares are over collected, None without any). A last
    row, ``id`` None, holds the totals."""
    _require_figures(actor)
    group = (CollectedProblem.committee_id if by is Grouping.COMMITTEE
             else CollectedProblem.organisation_id)
    status = col(CollectedProblem.status)
    # problems of a deleted visit or activity are gone too (``problems._visible``)
    query = (problems.visible_problems(
                actor, group, func.count(),
                func.sum(case((status == ProblemStatus.TO_TOPIC, 1), else_=0)),
                func.sum(case((status == ProblemStatus.TO_PROPOSAL, 1), else_=0)))
             .where(col(CollectedProblem.collected_on).between(first, last))
             .group_by(group))
    if organisation_ids is not None:
        query = query.where(col(CollectedProblem.organisation_id).in_(sorted(organisation_ids)))
    counts = {row[0]: tuple(int(value or 0) for value in row[1:])
              for row in session.exec(query).all()}
    names = group_names(session, actor, by, organisation_ids, extra=set(counts))
    rows = [_taken_up_row(group_id, name, counts.get(group_id, (0, 0, 0)))
            for group_id, name in names.items()]
    total = tuple(sum(values[i] for values in counts.values()) for i in range(3))
    rows.append(_taken_up_row(None, None, total))
    return pd.DataFrame(rows, columns=TAKEN_UP_COLUMNS)


def _taken_up_row(group_id: int | None, name: str | None,
                  counts: tuple[int, ...]) -> dict[str, object]:
    collected, to_topic, to_proposal = counts
    return {"id": group_id, "name": name, "collected": collected, "to_topic": to_topic,
            "to_proposal": to_proposal, "taken_up": to_topic + to_proposal,
            "topic_share": share_of(to_topic, collected),
            "proposal_share": share_of(to_proposal, collected),
            "taken_up_share": share_of(to_topic + to_proposal, collected)}


def member_topics(*, session: Session, actor: Actor, member_id: int) -> pd.DataFrame:
    """The topics the member took part in (``LIST_COLUMNS``), newest first: a member
    reads their own, the office those of its organisations."""
    if actor.role is Role.MEMBER and actor.member_id != member_id:
        raise PermissionDenied()
    return list_topics(session=session, actor=actor, filters=TopicFilters(member_id=member_id),
                       limit=None)


def _require_figures(actor: Actor) -> None:
    actor.require_role(Role.ADMIN, Role.LEADER, Role.STAFF)


def group_names(session: Session, actor: Actor, by: Grouping,
                organisation_ids: frozenset[int] | None, *, extra: set[int]) -> dict[int, str]:
    """The committees (or organisations) the actor sees, of ``organisation_ids`` when
    given, and those of ``extra``, in their order: the rows of a figure."""
    model = Committee if by is Grouping.COMMITTEE else Organisation
    owner = Committee.organisation_id if by is Grouping.COMMITTEE else Organisation.id
    shown = in_scope(owner, actor)
    if organisation_ids is not None:
        shown = shown & col(owner).in_(sorted(organisation_ids))
    order = ((Committee.organisation_id, Committee.sort_order, Committee.id)
             if by is Grouping.COMMITTEE else (Organisation.sort_order, Organisation.id))
    rows = session.exec(select(model.id, model.name)
                        .where(or_(shown, col(model.id).in_(sorted(extra))))
                        .order_by(*order)).all()
    return dict(rows)
