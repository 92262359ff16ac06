"""Proposals (提案), kept light: not a proposal system, but enough for the members'
dossiers and the handled rates.

A proposal has a number unique in its organisation, a title, the term and the day it was
submitted, a lead member and co-signers, the unit handling it, the key-proposal flag
(重点督办), and may come from a consultation topic or from open collected problems (each
takes the step "turned into a proposal" with its history and audit rows). Its status,
handling unit, reply, reply day and the lead member's satisfaction are updated against
the version the user saw, audited. A filled-in form is saved exactly once.

**Committee.** A proposal has no committee of its own: it is its lead member's committee
on the day it was submitted (``MemberAssignment``), which is whose staff keep it and
where the figures count it.

**Handled rate.** Replied over filed + handling + replied: proposals merely submitted
(not yet decided) and those not filed are outside it.

**Who.** Administrators within their organisations and staff for their committees'
proposals write; leaders read; a member reads only their own (lead or co-signer), on
their profile.
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Select, and_, case, false, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from models import (
    AuditAction,
    CollectedProblem,
    Committee,
    ConsultationTopic,
    Member,
    MemberAssignment,
    ProblemStatus,
    Proposal,
    ProposalMember,
    ProposalStatus,
    Role,
    Satisfaction,
    Term,
    utcnow,
)
from services.actors import Actor
from services.audit import changed_values, record_audit, snapshot
from services.errors import PermissionDenied, StaleRecord, ValidationFailed
from services.opinion_figures import share_of
from services.organisations import in_scope
from services.problems import StatusChange, mark_taken_up, take_up_refusal
from services.records import load_live, versioned_update
from services.search import contains
from services.text import clean_text
from services.topics import (
    Grouping,
    by_key,
    group_names,
    insert_once,
    members_error,
)

NUMBER_LENGTH = 30
TITLE_LENGTH = 200
UNIT_LENGTH = 120
REPLY_LENGTH = 20_000
MAX_MEMBERS = 50
MAX_PROBLEMS = 100
P = ProposalStatus
IN_RATE = (P.FILED, P.HANDLING, P.REPLIED)  # the handled rate's whole


# --- who may do what ------------------------------------------------------------------


def lead_committee_clause() -> Any:
    """The committee of the proposal's lead member on the day it was submitted (their
    current one when no assignment covers that day), as a scalar subquery."""
    lead = aliased(ProposalMember)
    assigned = (select(MemberAssignment.committee_id)
                .join(lead, col(lead.member_id) == MemberAssignment.member_id)
                .where(col(lead.proposal_id) == Proposal.id, col(lead.is_lead),
                       col(MemberAssignment.starts_on) <= Proposal.submitted_on,
                       or_(col(MemberAssignment.ends_on).is_(None),
                           col(MemberAssignment.ends_on) >= Proposal.submitted_on))
                .order_by(col(MemberAssignment.starts_on).desc()).limit(1).scalar_subquery())
    current = (select(Member.committee_id)
               .join(lead, col(lead.member_id) == Member.id)
               .where(col(lead.proposal_id) == Proposal.id, col(lead.is_lead))
               .limit(1).scalar_subquery())
    return func.coalesce(assigned, current)


def committee_of(session: Session, proposal_id: int) -> int | None:
    """The proposal's committee (its lead's on the submission day)."""
    return session.exec(select(lead_committee_clause())
                        .where(col(Proposal.id) == proposal_id)).first()


def _member_committee(session: Session, member_id: int, day: date) -> int | None:
    assigned = session.exec(
        select(MemberAssignment.committee_id).where(
            MemberAssignment.member_id == member_id, MemberAssignment.starts_on <= day,
            or_(col(MemberAssignment.ends_on).is_(None), col(MemberAssignment.ends_on) >= day))
        .order_by(col(MemberAssignment.starts_on).desc()).limit(1)).first()
    if assigned is not None:
        return assigned
    member = session.get(Member, member_id)
    return member.committee_id if member is not None else None


def can_manage(actor: Actor, organisation_id: int, committee_id: int | None) -> bool:
    """Administrators within their organisations; staff for their committees'
    proposals."""
    if actor.role not in (Role.ADMIN, Role.STAFF) or not actor.sees_organisation(
            organisation_id):
        return False
    return actor.role is Role.ADMIN or committee_id in actor.committee_ids


def _signers(session: Session, proposal_id: int) -> list[tuple[int, bool]]:
    return list(session.exec(select(ProposalMember.member_id, ProposalMember.is_lead)
                             .where(ProposalMember.proposal_id == proposal_id)).all())


def _require_read(session: Session, actor: Actor, proposal: Proposal) -> None:
    if actor.role is Role.MEMBER:
        readable = actor.member_id in {m for m, _ in _signers(session, proposal.id)}
    else:
        readable = actor.sees_organisation(proposal.organisation_id)
    if not readable:
        raise PermissionDenied()


# --- creation --------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalDraft:
    """A new proposal as the form gives it."""

    number: str = ""
    title: str = ""
    term_id: int | None = None
    submitted_on: date | None = None
    lead_member_id: int | None = None
    co_signer_ids: tuple[int, ...] = ()
    handling_unit: str = ""
    is_key: bool = False
    topic_id: int | None = None
    problem_ids: tuple[int, ...] = ()


def _cleaned_draft(draft: ProposalDraft, today: date) -> ProposalDraft:
    co_signers = tuple(dict.fromkeys(member_id for member_id in draft.co_signer_ids
                                     if member_id != draft.lead_member_id))
    return replace(draft, number=clean_text(draft.number), title=clean_text(draft.title),
                   handling_unit=clean_text(draft.handling_unit),
                   submitted_on=draft.submitted_on or today, co_signer_ids=co_signers,
                   problem_ids=tuple(dict.fromkeys(draft.problem_ids)))


def create_proposal(*, session: Session, actor: Actor, organisation_id: int,
                    draft: ProposalDraft, idempotency_key: str, today: date,
                    now: datetime | None = None) -> Proposal:
    """Save a new proposal (status submitted), once: a second call with the same
    ``idempotency_key`` returns what the first saved. Its source problems become
    "turned into a proposal". Refusals: ``PermissionDenied`` (staff: the lead is not of
    their committees), ``ValidationFailed`` (every field's problem at once; a number
    already used in the organisation under ``number``)."""
    if not idempotency_key or len(idempotency_key) > 64:
        raise ValueError("an idempotency key of 1 to 64 characters is required")
    earlier = by_key(session, Proposal, idempotency_key)
    if earlier is not None:
        _require_read(session, actor, earlier)
        return earlier
    actor.require_role(Role.ADMIN, Role.STAFF)
    actor.require_organisation(organisation_id)
    draft = _cleaned_draft(draft, today)
    errors = draft_errors(session, actor, organisation_id, draft, today)
    lead = session.get(Member, draft.lead_member_id) if "lead" not in errors else None
    if lead is not None and not can_manage(
            actor, organisation_id, _member_committee(session, lead.id, draft.submitted_on)):
        raise PermissionDenied()
    if errors:
        raise ValidationFailed(errors)
    when = now or utcnow()
    values = {
        "organisation_id": organisation_id, "number": draft.number, "title": draft.title,
        "term_id": draft.term_id, "submitted_on": draft.submitted_on, "status": P.SUBMITTED,
        "is_key": draft.is_key, "topic_id": draft.topic_id,
        "handling_unit": draft.handling_unit or None, "idempotency_key": idempotency_key,
        "version": 1, "created_at": when, "updated_at": when,
    }
    proposal_id = insert_once(session, Proposal, values)
    if proposal_id is None:
        earlier = by_key(session, Proposal, idempotency_key)
        if earlier is not None:  # a concurrent submit of the same form saved it first
            return earlier
        raise ValidationFailed({"number": "proposals.error.number_taken"})  # just now
    members = (draft.lead_member_id, *draft.co_signer_ids)
    session.add_all(ProposalMember(proposal_id=proposal_id, member_id=member_id,
                                   is_lead=member_id == draft.lead_member_id)
                    for member_id in members)
    if draft.problem_ids:
        mark_taken_up(session=session, actor=actor, problem_ids=draft.problem_ids,
                      change=StatusChange(ProblemStatus.TO_PROPOSAL, proposal_id=proposal_id),
                      now=when)
    proposal = load_live(session, Proposal, proposal_id)
    record_audit(session=session, actor=actor, action=AuditAction.CREATE, entity="Proposal",
                 entity_id=proposal_id,
                 after=snapshot(proposal) | {"members": list(members),
                                             "problems": list(draft.problem_ids)})
    return proposal


def draft_errors(session: Session, actor: Actor, organisation_id: int, draft: ProposalDraft,
                 today: date) -> dict[str, str]:
    """Every field's problem (field → message key) of a cleaned draft."""
    errors: dict[str, str] = {}
    errors |= _text_error("number", draft.number, NUMBER_LENGTH, required=True)
    if "number" not in errors and number_taken(session, organisation_id, draft.number):
        errors["number"] = "proposals.error.number_taken"
    errors |= _text_error("title", draft.title, TITLE_LENGTH, required=True)
    errors |= _text_error("handling_unit", draft.handling_unit, UNIT_LENGTH)
    term = session.get(Term, draft.term_id) if draft.term_id is not None else None
    if draft.term_id is None:
        errors["term_id"] = "proposals.error.term_required"
    elif term is None or term.organisation_id != organisation_id:
        errors["term_id"] = "proposals.error.term_unknown"
    if draft.submitted_on > today:
        errors["submitted_on"] = "proposals.error.future_date"
    if draft.lead_member_id is None:
        errors["lead"] = "proposals.error.lead_required"
    elif members_error(session, [draft.lead_member_id], organisation_id):
        errors["lead"] = "proposals.error.member_unknown"
    if len(draft.co_signer_ids) + 1 > MAX_MEMBERS:
        errors["co_signers"] = "proposals.error.too_many_members"
    elif members_error(session, draft.co_signer_ids, organisation_id):
        errors["co_signers"] = "proposals.error.member_unknown"
    if draft.topic_id is not None:
        topic = session.get(ConsultationTopic, draft.topic_id)
        if topic is None or topic.deleted_at is not None or (
                topic.organisation_id != organisation_id):
            errors["topic_id"] = "proposals.error.topic_unknown"
    if len(draft.problem_ids) > MAX_PROBLEMS:
        errors["problem_ids"] = "topics.error.too_many_problems"
    elif refusal := take_up_refusal(session, actor, draft.problem_ids, organisation_id):
        errors["problem_ids"] = refusal
    return errors


def number_taken(session: Session, organisation_id: int, number: str) -> bool:
    """Whether the organisation has a proposal of that number (deleted ones too: the
    store keeps their number)."""
    return session.exec(select(Proposal.id).where(
        Proposal.organisation_id == organisation_id, Proposal.number == number)
    ).first() is not None


def _text_error(field: str, text: str, longest: int, *,
                required: bool = False) -> dict[str, str]:
    if required and not text:
        return {field: f"proposals.error.{field}_required"}
    if len(text) > longest:
        return {field: "proposals.error.too_long"}
    return {}


# --- the reply --------------------------------------------------------------------------

EDITABLE_FIELDS = ("status", "handling_unit", "reply_summary", "replied_on", "satisfaction",
                   "is_key")


def update_proposal(*, session: Session, actor: Actor, proposal_id: int,
                    expected_version: int, changes: Mapping[str, object],
                    today: date) -> Proposal:
    """Change some of ``EDITABLE_FIELDS`` against the version the user saw (only those
    given change). The result must hold together: a reply day (not before submission,
    not after today) once replied, and a satisfaction only for a replied proposal.
    Refusals: ``PermissionDenied``, ``StaleRecord``, ``ValidationFailed``."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)} of a proposal")
    proposal = session.get(Proposal, proposal_id, with_for_update=True,
                           populate_existing=True)
    if proposal is None or proposal.deleted_at is not None:
        raise StaleRecord()
    if not can_manage(actor, proposal.organisation_id, committee_of(session, proposal_id)):
        raise PermissionDenied()
    if proposal.version != expected_version:
        raise StaleRecord()
    values = _cleaned_changes(changes)
    errors = _reply_errors(proposal, values, today)
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(proposal)
    versioned_update(session, Proposal, proposal_id, expected_version, values)
    stored = load_live(session, Proposal, proposal_id)
    old, new = changed_values(before, snapshot(stored), values)
    record_audit(session=session, actor=actor, action=AuditAction.UPDATE, entity="Proposal",
                 entity_id=proposal_id, before=old, after=new)
    return stored


def _cleaned_changes(changes: Mapping[str, object]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field, value in changes.items():
        match field:
            case "handling_unit":
                values[field] = clean_text(str(value or "")) or None
            case "reply_summary":
                values[field] = clean_text(str(value or ""), single_line=False) or None
            case "status":
                values[field] = None if value is None else ProposalStatus(value)
            case "satisfaction":
                values[field] = None if value is None else Satisfaction(value)
            case "is_key":
                values[field] = bool(value)
            case _:
                values[field] = value
    return values


def _reply_errors(proposal: Proposal, values: Mapping[str, Any],
                  today: date) -> dict[str, str]:
    """What is wrong with the proposal as it would be after the change."""
    after = {field: values.get(field, getattr(proposal, field)) for field in EDITABLE_FIELDS}
    errors: dict[str, str] = {}
    if after["status"] is None:
        errors["status"] = "proposals.error.status_required"
    errors |= _text_error("handling_unit", after["handling_unit"] or "", UNIT_LENGTH)
    errors |= _text_error("reply_summary", after["reply_summary"] or "", REPLY_LENGTH)
    replied = after["status"] is P.REPLIED
    day = after["replied_on"]
    if replied and day is None:
        errors["replied_on"] = "proposals.error.reply_day_required"
    elif day is not None and day > today:
        errors["replied_on"] = "proposals.error.future_date"
    elif day is not None and day < proposal.submitted_on:
        errors["replied_on"] = "proposals.error.before_submitted"
    elif day is not None and not replied:
        errors["replied_on"] = "proposals.error.reply_day_not_replied"
    if after["satisfaction"] is not None and not replied:
        errors["satisfaction"] = "proposals.error.satisfaction_not_replied"
    return errors


# --- the list ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalFilters:
    """What the list shows; None (or empty) means all the actor may read.
    ``first``..``last`` bound the submission day (inclusive); ``search`` looks in the
    number, the title, the handling unit and the members' names."""

    organisation_ids: frozenset[int] | None = None
    committee_id: int | None = None  # the lead's on the submission day
    term_id: int | None = None
    statuses: frozenset[ProposalStatus] = frozenset()
    key_only: bool = False
    first: date | None = None
    last: date | None = None
    search: str = ""
    member_id: int | None = None  # lead or co-signer


LIST_COLUMNS = ["id", "version", "organisation_id", "number", "title", "term",
                "submitted_on", "status", "is_key", "lead", "co_signers", "committee_id",
                "committee", "handling_unit", "replied_on", "satisfaction", "topic_id",
                "can_edit"]
LIST_LIMIT = 2_000


def list_proposals(*, session: Session, actor: Actor,
                   filters: ProposalFilters = ProposalFilters(),
                   limit: int | None = LIST_LIMIT) -> pd.DataFrame:
    """The proposals the actor may read under ``filters`` (``LIST_COLUMNS``; ``status``
    and ``satisfaction`` as stored; ``lead`` the lead's name, ``co_signers`` theirs
    joined with 、; ``can_edit`` whether the actor may update it), newest first."""
    committee = lead_committee_clause().label("committee_id")
    inner = _filtered(_visible(actor, Proposal.id, Proposal.version, Proposal.organisation_id,
                               Proposal.number, Proposal.title, col(Term.name).label("term"),
                               Proposal.submitted_on, Proposal.status, Proposal.is_key,
                               committee, Proposal.handling_unit, Proposal.replied_on,
                               Proposal.satisfaction, Proposal.topic_id)
                      .join(Term, col(Term.id) == Proposal.term_id), filters)
    query = (inner.order_by(col(Proposal.submitted_on).desc(), col(Proposal.id).desc())
             .limit(limit))
    rows = session.connection().execute(query).all()
    signers = _signer_names(session, [row[0] for row in rows])
    committees = dict(session.exec(select(Committee.id, Committee.name).where(
        col(Committee.id).in_(sorted({row[9] for row in rows if row[9] is not None})))).all())
    table = []
    for row in rows:
        lead, others = signers.get(row[0], ("", []))
        table.append((*row[:7], row[7].value, row[8], lead, "、".join(others), row[9],
                      committees.get(row[9], ""), row[10], row[11],
                      row[12].value if row[12] else None, row[13],
                      can_manage(actor, row[2], row[9])))
    return pd.DataFrame(table, columns=LIST_COLUMNS)


def _visible(actor: Actor, *columns: object) -> Select:
    query = select(*columns).select_from(Proposal).where(col(Proposal.deleted_at).is_(None))
    if actor.role is Role.MEMBER:
        return query.where(false() if actor.member_id is None
                           else _signed_by(actor.member_id))
    return query.where(in_scope(Proposal.organisation_id, actor))


def _signed_by(member_id: int) -> ColumnElement[bool]:
    return select(ProposalMember.proposal_id).where(
        col(ProposalMember.proposal_id) == Proposal.id,
        ProposalMember.member_id == member_id).exists()


def _filtered(query: Select, filters: ProposalFilters) -> Select:
    conditions: list[ColumnElement[bool]] = []
    if filters.organisation_ids is not None:
        conditions.append(col(Proposal.organisation_id).in_(sorted(filters.organisation_ids)))
    if filters.committee_id is not None:
        conditions.append(lead_committee_clause() == filters.committee_id)
    if filters.term_id is not None:
        conditions.append(col(Proposal.term_id) == filters.term_id)
    if filters.statuses:
        conditions.append(col(Proposal.status).in_(sorted(filters.statuses)))
    if filters.key_only:
        conditions.append(col(Proposal.is_key))
    if filters.first is not None:
        conditions.append(col(Proposal.submitted_on) >= filters.first)
    if filters.last is not None:
        conditions.append(col(Proposal.submitted_on) <= filters.last)
    if filters.member_id is not None:
        conditions.append(_signed_by(filters.member_id))
    if filters.search.strip():
        by_name = (select(ProposalMember.proposal_id)
                   .join(Member, col(Member.id) == ProposalMember.member_id)
                   .where(col(ProposalMember.proposal_id) == Proposal.id,
                          contains(Member.name, filters.search)).exists())
        conditions.append(or_(contains(Proposal.number, filters.search),
                              contains(Proposal.title, filters.search),
                              contains(Proposal.handling_unit, filters.search), by_name))
    return query.where(*conditions)


def _signer_names(session: Session,
                  proposal_ids: list[int]) -> dict[int, tuple[str, list[str]]]:
    """Each proposal's lead's name and its co-signers' (in pinyin order)."""
    leads: dict[int, str] = {}
    others: dict[int, list[str]] = defaultdict(list)
    for chunk in range(0, len(proposal_ids), 900):  # SQLite's bound parameters
        rows = session.exec(
            select(ProposalMember.proposal_id, ProposalMember.is_lead, Member.name)
            .join(Member, col(Member.id) == ProposalMember.member_id)
            .where(col(ProposalMember.proposal_id).in_(proposal_ids[chunk:chunk + 900]))
            .order_by(col(Member.name_key), col(Member.id))
        ).all()
        for proposal_id, is_lead, name in rows:
            if is_lead:
                leads[proposal_id] = name
            else:
                others[proposal_id].append(name)
    return {i: (leads.get(i, ""), others.get(i, [])) for i in {*leads, *others}}


# --- one proposal -----------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalDetail:
    proposal: Proposal
    term: str
    committee: str | None
    lead: tuple[int, str] | None
    co_signers: list[tuple[int, str]]
    topic: tuple[int, str] | None  # the source topic: id, title
    problems: list[tuple[int, str]]  # the source problems: id, content
    can_edit: bool


def proposal_detail(*, session: Session, actor: Actor, proposal_id: int) -> ProposalDetail:
    proposal = load_live(session, Proposal, proposal_id)
    _require_read(session, actor, proposal)
    committee_id = committee_of(session, proposal_id)
    committee = session.get(Committee, committee_id) if committee_id else None
    rows = session.exec(
        select(Member.id, Member.name, ProposalMember.is_lead)
        .join(ProposalMember, col(ProposalMember.member_id) == Member.id)
        .where(ProposalMember.proposal_id == proposal_id)
        .order_by(col(Member.name_key), col(Member.id))).all()
    topic = (session.get(ConsultationTopic, proposal.topic_id) if proposal.topic_id else None)
    return ProposalDetail(
        proposal=proposal, term=session.get(Term, proposal.term_id).name,
        committee=committee.name if committee else None,
        lead=next(((i, name) for i, name, is_lead in rows if is_lead), None),
        co_signers=[(i, name) for i, name, is_lead in rows if not is_lead],
        topic=(topic.id, topic.title) if topic and topic.deleted_at is None else None,
        problems=[tuple(row) for row in session.exec(
            select(CollectedProblem.id, CollectedProblem.content)
            .where(CollectedProblem.proposal_id == proposal_id,
                   col(CollectedProblem.deleted_at).is_(None))
            .order_by(col(CollectedProblem.id))).all()],
        can_edit=can_manage(actor, proposal.organisation_id, committee_id),
    )


def term_choices(*, session: Session, actor: Actor, organisation_id: int) -> dict[int, str]:
    """The organisation's terms, the newest first (the current one is the default)."""
    actor.require_organisation(organisation_id)
    rows = session.exec(select(Term.id, Term.name)
                        .where(Term.organisation_id == organisation_id)
                        .order_by(col(Term.is_current).desc(), col(Term.starts_on).desc())
                        ).all()
    return dict(rows)


def proposal_choices(*, session: Session, actor: Actor, organisation_id: int) -> dict[int, str]:
    """The organisation's live proposals, newest first, as "number title": what a
    problem may be turned into."""
    actor.require_organisation(organisation_id)
    rows = session.exec(
        select(Proposal.id, Proposal.number, Proposal.title)
        .where(Proposal.organisation_id == organisation_id, col(Proposal.deleted_at).is_(None))
        .order_by(col(Proposal.submitted_on).desc(), col(Proposal.id).desc()).limit(500)
    ).all()
    return {proposal_id: f"{number} {title}" for proposal_id, number, title in rows}


# --- figures ----------------------------------------------------------------------------

RATE_COLUMNS = ["id", "name", "submitted", "filed", "not_filed", "handling", "replied",
                "in_rate", "handled_rate", "key", "satisfied"]


def handled_rates(*, session: Session, actor: Actor, by: Grouping = Grouping.COMMITTEE,
                  first: date | None = None, last: date | None = None,
                  organisation_ids: frozenset[int] | None = None) -> pd.DataFrame:
    """Per committee (the lead's on the submission day) or organisation the actor sees,
    none submitted or not, the live proposals submitted in ``first``..``last`` (all when
    None) by status; ``in_rate`` is filed + handling + replied and ``handled_rate``
    replied over it (None without any); ``key`` the key proposals; ``satisfied`` the
    replied ones whose lead was satisfied or basically satisfied. A last row, ``id``
    None, holds the totals."""
    actor.require_role(Role.ADMIN, Role.LEADER, Role.STAFF)
    group = (lead_committee_clause() if by is Grouping.COMMITTEE
             else col(Proposal.organisation_id)).label("group_id")
    pleased = and_(col(Proposal.status) == P.REPLIED, col(Proposal.satisfaction).in_(
        [Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED]))
    inner = _visible(actor, group, Proposal.status,
                     case((col(Proposal.is_key), 1), else_=0).label("key"),
                     case((pleased, 1), else_=0).label("satisfied"))
    if first is not None:
        inner = inner.where(col(Proposal.submitted_on) >= first)
    if last is not None:
        inner = inner.where(col(Proposal.submitted_on) <= last)
    if organisation_ids is not None:
        inner = inner.where(col(Proposal.organisation_id).in_(sorted(organisation_ids)))
    chosen = inner.subquery()
    query = select(chosen.c.group_id, chosen.c.status, func.count(), func.sum(chosen.c.key),
                   func.sum(chosen.c.satisfied)).group_by(chosen.c.group_id, chosen.c.status)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for group_id, status, count, key, satisfied in session.execute(query).all():
        tally = counts[group_id]
        tally[ProposalStatus(status).value] += count
        tally["submitted_total"] += count
        tally["key"] += int(key or 0)
        tally["satisfied"] += int(satisfied or 0)
    names = group_names(session, actor, by, organisation_ids, extra=set(counts) - {None})
    rows = [_rate_row(group_id, name, counts.get(group_id, {}))
            for group_id, name in names.items()]
    total: dict[str, int] = defaultdict(int)
    for tally in counts.values():
        for field, value in tally.items():
            total[field] += value
    rows.append(_rate_row(None, None, total))
    return pd.DataFrame(rows, columns=RATE_COLUMNS)


def _rate_row(group_id: int | None, name: str | None,
              tally: Mapping[str, int]) -> dict[str, object]:
    in_rate = sum(tally.get(status.value, 0) for status in IN_RATE)
    replied = tally.get(P.REPLIED.value, 0)
    return {"id": group_id, "name": name, "submitted": tally.get("submitted_total", 0),
            "filed": tally.get(P.FILED.value, 0), "not_filed": tally.get(P.NOT_FILED.value, 0),
            "handling": tally.get(P.HANDLING.value, 0), "replied": replied,
            "in_rate": in_rate, "handled_rate": share_of(replied, in_rate),
            "key": tally.get("key", 0), "satisfied": tally.get("satisfied", 0)}


def member_proposals(*, session: Session, actor: Actor, member_id: int) -> pd.DataFrame:
    """The member's proposals, lead or co-signer (``LIST_COLUMNS`` and ``is_lead``: the
    member leads it), newest first: a member reads their own, the office those of its
    organisations."""
    if actor.role is Role.MEMBER and actor.member_id != member_id:
        raise PermissionDenied()
    table = list_proposals(session=session, actor=actor,
                           filters=ProposalFilters(member_id=member_id), limit=None)
    led = set(session.exec(select(ProposalMember.proposal_id).where(
        ProposalMember.member_id == member_id, col(ProposalMember.is_lead))).all())
    return table.assign(is_lead=table["id"].isin(led))
