"""Visits recorded on the registration form (《委员联系界别群众情况登记表》): one contact
activity of one or several members, the contact persons it reached and the problems it
collected.

- **Exactly once.** Each filled-in form carries an idempotency key; the visit row is
  inserted with ``ON CONFLICT (idempotency_key) DO NOTHING``, so a double click, a rerun
  or a retried request finds the visit the first submit saved (on PostgreSQL the second
  of two concurrent inserts waits for the first and then finds it).
- **Fed back to the committee.** A visit a member records themself waits for their
  committee's staff to acknowledge it; staff and administrators' entries are acknowledged
  on save.
- **Who may record.** Administrators for members of their organisations; staff when at
  least one member of the visit sits in one of their committees (a joint visit may take
  a member of another committee along); a member for visits they are on. Leaders read.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

import pandas as pd
from sqlalchemy import and_, case, exists, func, or_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from models import (
    AuditAction,
    Channel,
    CollectedProblem,
    ContactPerson,
    ListEntry,
    Member,
    MemberAssignment,
    MustVisitCampaign,
    ProblemStatus,
    Role,
    User,
    Visit,
    VisitContact,
    VisitMember,
    VisitOccasion,
    Workstation,
    utcnow,
)
from services.actors import Actor
from services.audit import record_audit, snapshot
from services.errors import PermissionDenied, StaleRecord, ValidationFailed
from services.problems import ProblemItem, add_problems, cleaned_items, item_errors
from services.records import load_live, soft_delete, versioned_update
from services.search import contains
from services.text import clean_text

MAX_MEMBERS = 20  # on one joint visit
MAX_HEAD_COUNT = 10_000  # people reached by one visit: more is a typing error
MAX_LENGTHS = {"contact_targets": 500, "summary": 4000}
OPEN_PROBLEM_STATUSES = (ProblemStatus.PENDING, ProblemStatus.REFERRED)
_FIELDS = ("visit_date", "channel", "occasion", "campaign_id", "at_base_unit",
           "contact_targets", "head_count", "workstation_id", "summary")


@dataclass(frozen=True)
class VisitInput:
    """The registration form as a page (or an import row) gives it."""

    member_ids: tuple[int, ...]
    visit_date: date | None
    channel: Channel | None
    occasion: VisitOccasion = VisitOccasion.ROUTINE
    campaign_id: int | None = None
    at_base_unit: bool = False
    contact_targets: str = ""
    contact_person_ids: tuple[int, ...] = ()
    head_count: int | None = 1
    workstation_id: int | None = None
    summary: str = ""
    problems: tuple[ProblemItem, ...] = ()


@dataclass(frozen=True)
class LastChoices:
    """What the actor chose on their last visit: the form's defaults."""

    channel: Channel | None = None
    occasion: VisitOccasion = VisitOccasion.ROUTINE
    campaign_id: int | None = None


@dataclass(frozen=True)
class ProblemView:
    id: int
    content: str
    category_id: int | None
    status: ProblemStatus


@dataclass(frozen=True)
class VisitDetail:
    """One visit with the names a page, the Word form or an export shows."""

    visit: Visit
    members: list[tuple[int, str]]  # (member id, name), lead first
    member_units: list[str]  # each member's employer and post, as on the paper form
    contacts: list[tuple[int, str]]  # registered contact persons reached
    workstation: str | None
    campaign: str | None
    problems: list[ProblemView]
    recorded_by: str | None
    acknowledged_by: str | None
    can_edit: bool = False
    can_acknowledge: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


# --- permissions ---------------------------------------------------------------------


def _members(session: Session, member_ids: Sequence[int]) -> list[Member]:
    found = {m.id: m for m in session.exec(
        select(Member).where(col(Member.id).in_(list(member_ids)),
                             col(Member.deleted_at).is_(None))).all()}
    return [found[i] for i in member_ids if i in found]


def can_record_for(actor: Actor, members: Sequence[Member]) -> bool:
    """Whether the actor may record (or change) a visit of these members."""
    if not members:
        return actor.role in {Role.ADMIN, Role.STAFF, Role.MEMBER}
    if actor.role is Role.MEMBER:
        return any(m.id == actor.member_id for m in members)
    if not all(actor.sees_organisation(m.organisation_id) for m in members):
        return False
    match actor.role:
        case Role.ADMIN:
            return True
        case Role.STAFF:
            return any(m.committee_id in actor.committee_ids for m in members)
        case _:
            return False


def can_acknowledge(actor: Actor, members: Sequence[Member]) -> bool:
    """Staff of a member's committee, or an administrator, take note of a member's entry."""
    return actor.role in {Role.ADMIN, Role.STAFF} and can_record_for(actor, members)


def _require_read(session: Session, actor: Actor, visit: Visit) -> list[int]:
    """The visit's member ids, after checking the actor may read it."""
    member_ids = _visit_member_ids(session, visit.id)
    if actor.role is Role.MEMBER:
        if actor.member_id not in member_ids:
            raise PermissionDenied()
    else:
        actor.require_organisation(visit.organisation_id)
    return member_ids


def _visit_member_ids(session: Session, visit_id: int | None) -> list[int]:
    """Members of a visit, the lead (the first entered) first."""
    return list(session.exec(
        select(VisitMember.member_id).where(VisitMember.visit_id == visit_id)
        .order_by(col(VisitMember.position), col(VisitMember.member_id))
    ).all())


# --- validation ----------------------------------------------------------------------


def clean_input(data: VisitInput) -> VisitInput:
    """Texts cleaned, members without repeats in the order chosen, blank problem rows
    dropped."""
    return replace(
        data,
        member_ids=tuple(dict.fromkeys(data.member_ids)),
        contact_person_ids=tuple(dict.fromkeys(data.contact_person_ids)),
        contact_targets=clean_text(data.contact_targets),
        summary=clean_text(data.summary, single_line=False),
        problems=tuple(cleaned_items(data.problems)),
        campaign_id=data.campaign_id if data.occasion is not VisitOccasion.ROUTINE
        or data.campaign_id else None,
    )


def visit_errors(session: Session, data: VisitInput, members: list[Member], *,
                 today: date, categories: Mapping[int, str] | None = None) -> dict[str, str]:
    """Every field's problem at once (field → message key); ``data`` is cleaned.
    ``categories``: the organisation's problem categories, if already read."""
    errors: dict[str, str] = {}
    if not data.member_ids:
        errors["members"] = "visits.error.members_required"
    elif len(data.member_ids) > MAX_MEMBERS:
        errors["members"] = "visits.error.too_many_members"
    elif len(members) != len(data.member_ids):
        errors["members"] = "visits.error.member_unknown"
    if data.visit_date is None:
        errors["visit_date"] = "visits.error.date_required"
    elif data.visit_date > today:
        errors["visit_date"] = "visits.error.date_in_future"
    elif members and "members" not in errors:
        outside = not_in_office(session, [m.id for m in members], data.visit_date)
        if outside:
            errors["visit_date"] = "visits.error.not_in_office"
    if data.channel is None:
        errors["channel"] = "visits.error.channel_required"
    if data.head_count is None or not 1 <= data.head_count <= MAX_HEAD_COUNT:
        errors["head_count"] = "visits.error.head_count"
    if not data.contact_targets and not data.contact_person_ids:
        errors["contact_targets"] = "visits.error.targets_required"
    if not data.summary:
        errors["summary"] = "visits.error.summary_required"
    for name, longest in MAX_LENGTHS.items():
        if len(getattr(data, name)) > longest:
            errors[name] = "visits.error.too_long"
    organisation_id = members[0].organisation_id if members else None
    if organisation_id is not None:
        errors.update(_reference_errors(session, data, members, organisation_id, categories))
    return errors


def not_in_office(session: Session, member_ids: list[int], day: date) -> set[int]:
    """Those of the members who held no assignment on ``day``."""
    seated = set(session.exec(
        select(MemberAssignment.member_id).where(
            col(MemberAssignment.member_id).in_(member_ids), MemberAssignment.starts_on <= day,
            or_(col(MemberAssignment.ends_on).is_(None), col(MemberAssignment.ends_on) >= day),
        )
    ).all())
    return set(member_ids) - seated


def _reference_errors(session: Session, data: VisitInput, members: list[Member],
                      organisation_id: int,
                      categories: Mapping[int, str] | None) -> dict[str, str]:
    """The chosen campaign, workstation, contact persons and categories exist and fit."""
    errors: dict[str, str] = {}
    if data.campaign_id is not None:
        campaign = session.get(MustVisitCampaign, data.campaign_id)
        if campaign is None or campaign.occasion is not data.occasion:
            errors["occasion"] = "visits.error.campaign_unknown"
        elif data.visit_date is not None and not (
                campaign.starts_on <= data.visit_date <= campaign.ends_on):
            errors["occasion"] = "visits.error.campaign_window"
    if data.workstation_id is not None:
        station = session.get(Workstation, data.workstation_id)
        if station is None or station.deleted_at is not None or not any(
                m.organisation_id == station.organisation_id for m in members):
            errors["workstation"] = "visits.error.workstation_unknown"
    if data.contact_person_ids:
        owners = dict(session.exec(
            select(ContactPerson.id, ContactPerson.member_id).where(
                col(ContactPerson.id).in_(list(data.contact_person_ids)),
                col(ContactPerson.deleted_at).is_(None))).all())
        member_ids = {m.id for m in members}
        if set(owners) != set(data.contact_person_ids) or not set(owners.values()) <= member_ids:
            errors["contact_targets"] = "visits.error.contact_unknown"
    problem = item_errors(session, organisation_id, data.problems, categories=categories)
    if problem:
        errors["problems"] = problem
    return errors


def _checked(session: Session, actor: Actor, data: VisitInput, *,
             today: date) -> tuple[VisitInput, list[Member]]:
    data = clean_input(data)
    members = _members(session, data.member_ids)
    if not can_record_for(actor, members):
        raise PermissionDenied()
    errors = visit_errors(session, data, members, today=today)
    if errors:
        raise ValidationFailed(errors)
    return data, members


# --- writing -------------------------------------------------------------------------


def record_visit(*, session: Session, actor: Actor, data: VisitInput, idempotency_key: str,
                 today: date) -> Visit:
    """Save a new visit with its members, contact persons and problems, once: a second
    call with the same ``idempotency_key`` returns the visit the first one saved."""
    if not idempotency_key or len(idempotency_key) > 64:
        raise ValueError("an idempotency key of 1 to 64 characters is required")
    earlier = _by_key(session, idempotency_key)
    if earlier is not None:
        return earlier
    data, members = _checked(session, actor, data, today=today)
    values = visit_values(data) | {
        "organisation_id": members[0].organisation_id, "idempotency_key": idempotency_key,
        "recorded_by_user_id": actor.user_id, **acknowledgement(actor, members),
        "version": 1, "created_at": utcnow(), "updated_at": utcnow(),
    }
    visit_id = _insert_once(session, values)
    if visit_id is None:  # a concurrent submit of the same form saved it first
        return _by_key(session, idempotency_key)
    _write_links(session, visit_id, data)
    committee_id = lead_committee(session, members[0], data.visit_date)
    add_problems(session, actor, organisation_id=members[0].organisation_id,
                 committee_id=committee_id, collected_on=data.visit_date,
                 items=data.problems, visit_id=visit_id)
    visit = load_live(session, Visit, visit_id)
    record_audit(session=session, actor=actor, action=AuditAction.CREATE, entity="Visit",
                 entity_id=visit_id, after=audited(visit, data))
    return visit


def _by_key(session: Session, idempotency_key: str) -> Visit | None:
    return session.exec(select(Visit).where(Visit.idempotency_key == idempotency_key)).first()


def _insert_once(session: Session, values: dict[str, Any]) -> int | None:
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (insert(Visit).values(**values)
                 .on_conflict_do_nothing(index_elements=["idempotency_key"])
                 .returning(Visit.__table__.c.id))
    return session.execute(statement).scalar()


def visit_values(data: VisitInput) -> dict[str, Any]:
    return {name: getattr(data, name) for name in _FIELDS}


def acknowledgement(actor: Actor, members: Sequence[Member]) -> dict[str, Any]:
    if can_acknowledge(actor, members):
        return {"acknowledged_by_user_id": actor.user_id, "acknowledged_at": utcnow()}
    return {"acknowledged_by_user_id": None, "acknowledged_at": None}


def lead_committee(session: Session, lead: Member, day: date) -> int:
    """The committee that follows up the visit's problems: the lead member's on the day."""
    committee_id = session.exec(
        select(MemberAssignment.committee_id).where(
            MemberAssignment.member_id == lead.id, MemberAssignment.starts_on <= day,
            or_(col(MemberAssignment.ends_on).is_(None), col(MemberAssignment.ends_on) >= day),
        ).order_by(col(MemberAssignment.starts_on).desc()).limit(1)
    ).first()
    return committee_id if committee_id is not None else lead.committee_id


def _write_links(session: Session, visit_id: int, data: VisitInput) -> None:
    session.add_all(VisitMember(visit_id=visit_id, member_id=member_id,
                                visit_date=data.visit_date, position=position)
                    for position, member_id in enumerate(data.member_ids))
    session.add_all(VisitContact(visit_id=visit_id, contact_person_id=contact_id)
                    for contact_id in data.contact_person_ids)
    session.flush()


def audited(visit: Visit, data: VisitInput) -> dict[str, Any]:
    return snapshot(visit) | {
        "member_ids": list(data.member_ids),
        "contact_person_ids": list(data.contact_person_ids),
        "problems": [item.content for item in data.problems],
    }


def update_visit(*, session: Session, actor: Actor, visit_id: int, expected_version: int,
                 data: VisitInput, today: date) -> Visit:
    """Save an edited visit against the version its editor read (someone else's save in
    between → ``StaleRecord``). Members and contact persons are replaced; the problems
    in ``data`` are added to those the visit already has (which keep their follow-up)."""
    visit = load_live(session, Visit, visit_id)
    old_members = _members(session, _visit_member_ids(session, visit_id))
    if not can_record_for(actor, old_members):
        raise PermissionDenied()
    data, members = _checked(session, actor, data, today=today)
    before = audited(visit, _stored_input(session, visit))
    values = visit_values(data) | {"organisation_id": members[0].organisation_id}
    versioned_update(session, Visit, visit_id, expected_version, values)
    session.execute(VisitMember.__table__.delete().where(
        VisitMember.__table__.c.visit_id == visit_id))
    session.execute(VisitContact.__table__.delete().where(
        VisitContact.__table__.c.visit_id == visit_id))
    _write_links(session, visit_id, data)
    add_problems(session, actor, organisation_id=members[0].organisation_id,
                 committee_id=lead_committee(session, members[0], data.visit_date),
                 collected_on=data.visit_date, items=data.problems, visit_id=visit_id)
    visit = load_live(session, Visit, visit_id)
    after = audited(visit, data)
    changed = [key for key in after if before.get(key) != after.get(key)
               and key not in {"version", "updated_at"}]
    record_audit(session=session, actor=actor, action=AuditAction.UPDATE, entity="Visit",
                 entity_id=visit_id, before={k: before.get(k) for k in changed},
                 after={k: after[k] for k in changed})
    return visit


def _stored_input(session: Session, visit: Visit) -> VisitInput:
    """The visit as the form shows it for editing (without its problems)."""
    contacts = tuple(session.exec(select(VisitContact.contact_person_id).where(
        VisitContact.visit_id == visit.id).order_by(col(VisitContact.contact_person_id))).all())
    return VisitInput(member_ids=tuple(_visit_member_ids(session, visit.id)),
                      contact_person_ids=contacts,
                      **{name: getattr(visit, name) for name in _FIELDS})


def stored_input(*, session: Session, actor: Actor, visit_id: int) -> tuple[VisitInput, int]:
    """An edit form's starting values and the version they belong to."""
    visit = load_live(session, Visit, visit_id)
    _require_read(session, actor, visit)
    return _stored_input(session, visit), visit.version


def delete_visit(*, session: Session, actor: Actor, visit_id: int,
                 expected_version: int) -> None:
    """Soft delete: the visit and its problems leave every list and count; the audit
    trail keeps them and ``restore_visit`` brings them back."""
    _require_change(session, actor, visit_id)
    soft_delete(session=session, actor=actor, model=Visit, record_id=visit_id,
                expected_version=expected_version)


def restore_visit(*, session: Session, actor: Actor, visit_id: int,
                  expected_version: int) -> Visit:
    visit = session.get(Visit, visit_id, populate_existing=True)
    if visit is None or visit.deleted_at is None or visit.version != expected_version:
        raise StaleRecord()
    members = _members(session, _visit_member_ids(session, visit_id))
    if not can_record_for(actor, members):
        raise PermissionDenied()
    visit.deleted_at = None
    visit.version += 1
    visit.updated_at = utcnow()
    session.add(visit)
    session.flush()
    record_audit(session=session, actor=actor, action=AuditAction.UPDATE, entity="Visit",
                 entity_id=visit_id, before={"deleted_at": "deleted"},
                 after={"deleted_at": None}, detail="visits.audit.restored")
    return visit


def acknowledge_visit(*, session: Session, actor: Actor, visit_id: int,
                      expected_version: int) -> Visit:
    """Staff of the committee take note of a visit a member recorded."""
    visit = load_live(session, Visit, visit_id)
    members = _members(session, _visit_member_ids(session, visit_id))
    if not can_acknowledge(actor, members):
        raise PermissionDenied()
    if visit.acknowledged_at is not None:
        raise StaleRecord()
    versioned_update(session, Visit, visit_id, expected_version,
                     acknowledgement(actor, members))
    record_audit(session=session, actor=actor, action=AuditAction.STATUS_CHANGE,
                 entity="Visit", entity_id=visit_id, detail="visits.audit.acknowledged")
    return load_live(session, Visit, visit_id)


def _require_change(session: Session, actor: Actor, visit_id: int) -> Visit:
    visit = load_live(session, Visit, visit_id)
    if not can_record_for(actor, _members(session, _visit_member_ids(session, visit_id))):
        raise PermissionDenied()
    return visit


# --- reading -------------------------------------------------------------------------


def last_choices(*, session: Session, actor: Actor) -> LastChoices:
    """The channel and occasion of the actor's last recorded visit (the form's defaults,
    kept in the store so every app process offers the same)."""
    if actor.user_id is None:
        return LastChoices()
    row = session.exec(
        select(Visit.channel, Visit.occasion, Visit.campaign_id)
        .where(Visit.recorded_by_user_id == actor.user_id)
        .order_by(col(Visit.created_at).desc(), col(Visit.id).desc()).limit(1)
    ).first()
    if row is None:
        return LastChoices()
    return LastChoices(row.channel, row.occasion, row.campaign_id)


def open_campaigns(*, session: Session, actor: Actor, on: date) -> dict[int, str]:
    """Must-visit campaigns open on ``on`` in the actor's organisations: id → title."""
    query = select(MustVisitCampaign.id, MustVisitCampaign.title).where(
        MustVisitCampaign.starts_on <= on, MustVisitCampaign.ends_on >= on,
    ).order_by(col(MustVisitCampaign.starts_on).desc(), col(MustVisitCampaign.id))
    if actor.organisation_ids is not None:
        query = query.where(col(MustVisitCampaign.organisation_id).in_(
            sorted(actor.organisation_ids)))
    return dict(session.exec(query).all())


def campaign_occasions(*, session: Session,
                       campaign_ids: Sequence[int]) -> dict[int, VisitOccasion]:
    return dict(session.exec(select(MustVisitCampaign.id, MustVisitCampaign.occasion).where(
        col(MustVisitCampaign.id).in_(list(campaign_ids)))).all())


def visit_detail(*, session: Session, actor: Actor, visit_id: int,
                 include_deleted: bool = False) -> VisitDetail:
    visit = session.get(Visit, visit_id, populate_existing=True)
    if visit is None or (visit.deleted_at is not None and not include_deleted):
        raise StaleRecord()
    member_ids = _require_read(session, actor, visit)
    members = _members(session, member_ids)
    contacts = session.exec(
        select(ContactPerson.id, ContactPerson.name).join(
            VisitContact, col(VisitContact.contact_person_id) == ContactPerson.id)
        .where(VisitContact.visit_id == visit_id).order_by(col(ContactPerson.id))
    ).all()
    problems = session.exec(
        select(CollectedProblem).where(CollectedProblem.visit_id == visit_id,
                                       col(CollectedProblem.deleted_at).is_(None))
        .order_by(col(CollectedProblem.id))
    ).all()
    station = session.get(Workstation, visit.workstation_id) if visit.workstation_id else None
    campaign = session.get(MustVisitCampaign, visit.campaign_id) if visit.campaign_id else None
    return VisitDetail(
        visit=visit,
        members=[(m.id, m.name) for m in members],
        member_units=["".join(filter(None, (m.employer, m.post))) for m in members],
        contacts=[(row.id, row.name) for row in contacts],
        workstation=station.name if station else None,
        campaign=campaign.title if campaign else None,
        problems=[ProblemView(p.id, p.content, p.category_id, p.status) for p in problems],
        recorded_by=_user_name(session, visit.recorded_by_user_id),
        acknowledged_by=_user_name(session, visit.acknowledged_by_user_id),
        can_edit=can_record_for(actor, members),
        can_acknowledge=visit.acknowledged_at is None and can_acknowledge(actor, members),
    )


def _user_name(session: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    user = session.get(User, user_id)
    return (user.display_name or user.username) if user else None


def visits_of_member_between(session: Session, member_id: int, first: date, last: date) -> int:
    """Live visits the member took part in from ``first`` to ``last`` (inclusive)."""
    return session.exec(
        select(func.count()).select_from(VisitMember)
        .join(Visit, col(Visit.id) == VisitMember.visit_id)
        .where(VisitMember.member_id == member_id, VisitMember.visit_date >= first,
               VisitMember.visit_date <= last, col(Visit.deleted_at).is_(None))
    ).one()


def open_problems_clause() -> Any:
    """Visits with a problem still pending or referred."""
    return exists().where(
        CollectedProblem.visit_id == Visit.id, col(CollectedProblem.deleted_at).is_(None),
        col(CollectedProblem.status).in_(OPEN_PROBLEM_STATUSES),
    )


def member_on_visit_clause(member_id: int) -> Any:
    return exists().where(and_(VisitMember.visit_id == Visit.id,
                               VisitMember.member_id == member_id))


# --- the list ------------------------------------------------------------------------


class VisitSort(StrEnum):
    NEWEST = "newest"  # visit date, latest first
    OLDEST = "oldest"
    RECORDED = "recorded"  # entered most recently first


_SORT = {
    VisitSort.NEWEST: (col(Visit.visit_date).desc(), col(Visit.id).desc()),
    VisitSort.OLDEST: (col(Visit.visit_date), col(Visit.id)),
    VisitSort.RECORDED: (col(Visit.created_at).desc(), col(Visit.id).desc()),
}
VISIT_LIST_COLUMNS = ["id", "version", "organisation_id", "visit_date", "members", "channel",
                      "occasion", "head_count", "contact_targets", "summary", "problems",
                      "open_problems", "acknowledged", "deleted"]


@dataclass(frozen=True)
class VisitFilter:
    """What the visit list is narrowed to; None or empty means "any"."""

    organisation_ids: frozenset[int] | None = None
    first: date | None = None
    last: date | None = None
    committee_id: int | None = None  # of a member on the day of the visit
    sector_id: int | None = None  # likewise
    member_id: int | None = None
    channel: Channel | None = None
    occasion: VisitOccasion | None = None
    open_problems: bool = False
    awaiting_acknowledgement: bool = False
    deleted: bool = False  # the deleted visits instead of the live ones (to restore)
    search: str = ""


COUNT_LIMIT = 20_000  # counted exactly up to here; beyond, "more than" is enough


def list_visits(*, session: Session, actor: Actor, filters: VisitFilter = VisitFilter(),
                sort: VisitSort = VisitSort.NEWEST, offset: int = 0,
                limit: int = 500) -> tuple[pd.DataFrame, int]:
    """One page of the visits the actor may read, filtered and sorted, and how many
    match in all (exactly up to ``COUNT_LIMIT``; ``COUNT_LIMIT + 1`` means more: a
    province's 400,000 visits are not counted on every page run). Filters run in SQL;
    the page's member names and problem counts are read in two more queries, whatever
    the page size."""
    conditions = _list_conditions(actor, filters)
    matching = select(Visit.id).where(*conditions).limit(COUNT_LIMIT + 1).subquery()
    total = session.exec(select(func.count()).select_from(matching)).one()
    rows = session.connection().execute(
        select(Visit.id, Visit.version, Visit.organisation_id, Visit.visit_date,
               Visit.channel, Visit.occasion, Visit.head_count, Visit.contact_targets,
               Visit.summary, Visit.acknowledged_at, Visit.deleted_at)
        .where(*conditions).order_by(*_SORT[VisitSort(sort)]).offset(offset).limit(limit)
    ).all()
    ids = [row.id for row in rows]
    names = _member_names(session, ids)
    problems = _problem_counts(session, ids)
    table = pd.DataFrame({
        "id": ids,
        "version": [row.version for row in rows],
        "organisation_id": [row.organisation_id for row in rows],
        "visit_date": [row.visit_date for row in rows],
        "members": ["、".join(names.get(i, ())) for i in ids],
        "channel": [row.channel for row in rows],
        "occasion": [row.occasion for row in rows],
        "head_count": [row.head_count for row in rows],
        "contact_targets": [row.contact_targets for row in rows],
        "summary": [row.summary for row in rows],
        "problems": [problems.get(i, (0, 0))[0] for i in ids],
        "open_problems": [problems.get(i, (0, 0))[1] for i in ids],
        "acknowledged": [row.acknowledged_at is not None for row in rows],
        "deleted": [row.deleted_at is not None for row in rows],
    }, columns=VISIT_LIST_COLUMNS)
    return table, total


def _list_conditions(actor: Actor, filters: VisitFilter) -> list[Any]:
    conditions: list[Any] = [
        col(Visit.deleted_at).is_not(None) if filters.deleted else col(Visit.deleted_at).is_(None),
    ]
    if actor.role is Role.MEMBER:
        conditions.append(member_on_visit_clause(actor.member_id or -1))
    elif actor.organisation_ids is not None:
        conditions.append(_organisation_in(actor.organisation_ids))
    if filters.organisation_ids is not None:
        conditions.append(_organisation_in(filters.organisation_ids))
    if filters.first is not None:
        conditions.append(Visit.visit_date >= filters.first)
    if filters.last is not None:
        conditions.append(Visit.visit_date <= filters.last)
    if filters.member_id is not None:
        conditions.append(member_on_visit_clause(filters.member_id))
    if filters.committee_id is not None or filters.sector_id is not None:
        conditions.append(_seated_clause(filters.committee_id, filters.sector_id))
    if filters.channel is not None:
        conditions.append(Visit.channel == filters.channel)
    if filters.occasion is not None:
        conditions.append(Visit.occasion == filters.occasion)
    if filters.open_problems:
        conditions.append(open_problems_clause())
    if filters.awaiting_acknowledgement:
        conditions.append(col(Visit.acknowledged_at).is_(None))
    if filters.search.strip():
        conditions.append(_search_clause(filters.search))
    return conditions


def _organisation_in(organisation_ids: frozenset[int]) -> Any:
    """The visit belongs to one of the organisations. Written ``organisation_id + 0`` so
    the store walks the visit-date index in the list's order instead of gathering every
    visit of the organisations and sorting them: a province administrator's scope is 31
    organisations and 400,000 visits, and the first page then takes 50 ms, not 400."""
    return (col(Visit.organisation_id) + 0).in_(sorted(organisation_ids))


def _seated_clause(committee_id: int | None, sector_id: int | None) -> Any:
    """A member of the visit sat in the committee (and/or sector) on the visit's day."""
    seat = [MemberAssignment.member_id == VisitMember.member_id,
            MemberAssignment.starts_on <= VisitMember.visit_date,
            or_(col(MemberAssignment.ends_on).is_(None),
                col(MemberAssignment.ends_on) >= VisitMember.visit_date)]
    if committee_id is not None:
        seat.append(MemberAssignment.committee_id == committee_id)
    if sector_id is not None:
        seat.append(MemberAssignment.sector_id == sector_id)
    return exists().where(VisitMember.visit_id == Visit.id, exists().where(*seat))


def _search_clause(text: str) -> Any:
    """The text in the contact targets or summary, or in a member's name."""
    named = exists().where(VisitMember.visit_id == Visit.id,
                           Member.id == VisitMember.member_id, contains(Member.name, text))
    return or_(contains(Visit.contact_targets, text), contains(Visit.summary, text), named)


def _member_names(session: Session, visit_ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    if not visit_ids:
        return names
    for visit_id, name in session.connection().execute(
        select(VisitMember.visit_id, Member.name)
        .join(Member, col(Member.id) == VisitMember.member_id)
        .where(col(VisitMember.visit_id).in_(visit_ids))
        .order_by(col(VisitMember.visit_id), col(VisitMember.position), col(Member.id))
    ).all():
        names.setdefault(visit_id, []).append(name)
    return names


def _problem_counts(session: Session, visit_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per visit: its live problems, and those still open."""
    if not visit_ids:
        return {}
    open_flag = func.sum(case((col(CollectedProblem.status).in_(OPEN_PROBLEM_STATUSES), 1),
                              else_=0))
    rows = session.connection().execute(
        select(CollectedProblem.visit_id, func.count(), open_flag)
        .where(col(CollectedProblem.visit_id).in_(visit_ids),
               col(CollectedProblem.deleted_at).is_(None))
        .group_by(col(CollectedProblem.visit_id))
    ).all()
    return {visit_id: (total, int(still_open or 0)) for visit_id, total, still_open in rows}


# --- list page helpers -----------------------------------------------------------------


def category_names(*, session: Session, category_ids: Sequence[int]) -> dict[int, str]:
    """The names of problem categories, retired ones too (problems keep theirs)."""
    if not category_ids:
        return {}
    return dict(session.exec(select(ListEntry.id, ListEntry.name).where(
        col(ListEntry.id).in_(sorted(set(category_ids))))).all())


def sees_deleted_visits(actor: Actor) -> bool:
    """Staff and administrators get the deleted visits to restore them; leaders and
    members read the live ones only."""
    return actor.role in {Role.ADMIN, Role.STAFF}
