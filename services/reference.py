"""Reference lists: the organisations (政协组织) and, per organisation, its sectors,
committees and terms. Administrators keep them, within the organisations they see
(``Actor.require_organisation``).

- An organisation sits below a parent the administrator sees, one level lower at least
  (province > city > district, county); only the command line makes a top organisation.
  Moving one never puts it below itself.
- Names are unique: an organisation's over the store, a sector's or committee's within
  its organisation (two districts may both have 教育界), a term's number likewise.
- An organisation with terms has exactly one current term; the first term added is it,
  and ``set_current_term`` moves the mark. An organisation has at most one liaison work
  committee (联络工委): marking one takes the mark from the other.
- Nothing is deleted while anything refers to it (members, their past assignments, users,
  records, organisations below): the refusal says what still does.

Every change is audited. Changes to one organisation's lists lock its row first, so two
administrators never leave two current terms or two liaison committees.
"""

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

import pandas as pd
from sqlalchemy import func, union
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from models import (
    AuditAction,
    Committee,
    Member,
    MemberAssignment,
    Organisation,
    OrgLevel,
    Role,
    Sector,
    Term,
    User,
)
from models.base import utcnow
from services.actors import Actor
from services.audit import changed_values, record_audit, snapshot
from services.errors import ServiceError, StaleRecord, ValidationFailed
from services.organisations import below, organisation_tree, visible_organisations
from services.text import clean_text

MAX_NAME_LENGTH = 60  # organisations, sectors, committees, holidays
MAX_TERM_NAME_LENGTH = 40
MAX_TERM_NUMBER = 99
# A child's level ranks below its parent's; district and county are one level.
LEVEL_RANK = {OrgLevel.PROVINCE: 0, OrgLevel.CITY: 1, OrgLevel.DISTRICT: 2,
              OrgLevel.COUNTY: 2}

Row = TypeVar("Row", Sector, Committee, Term)


class InUse(ServiceError):
    """A delete refused because something still refers to the row; the message says what."""

    message_key = "organisations.error.in_use"


@dataclass(frozen=True)
class OrganisationInput:
    name: str
    level: OrgLevel
    parent_id: int | None


@dataclass(frozen=True)
class SectorInput:
    name: str
    # A sector's holiday (a must-visit occasion): a name and a day of the year, or none.
    holiday_name: str | None = None
    holiday_month: int | None = None
    holiday_day: int | None = None


@dataclass(frozen=True)
class CommitteeInput:
    name: str
    is_liaison: bool = False


@dataclass(frozen=True)
class TermInput:
    number: int | None  # 14 for 十四届; None when the form was left empty
    name: str
    starts_on: date | None
    ends_on: date | None = None


@dataclass(frozen=True)
class OrganisationLists:
    """An organisation's lists for pickers: id → name, in their order."""

    name: str
    level: OrgLevel
    sectors: dict[int, str]
    committees: dict[int, str]
    terms: dict[int, str]
    current_term_id: int | None


# --- reading ---------------------------------------------------------------------------

ORGANISATION_COLUMNS = ["id", "name", "indented_name", "level", "parent_id", "parent",
                        "depth", "members", "users"]


def organisation_table(*, session: Session, actor: Actor) -> pd.DataFrame:
    """The organisations the administrator sees, in tree order, with their parent's name
    and how many members (not deleted) and users belong to each."""
    actor.require_role(Role.ADMIN)
    names = {row.id: row.name for row in organisation_tree(session=session)}
    members = _count_by(session, Member.organisation_id, col(Member.deleted_at).is_(None))
    users = _count_by(session, User.organisation_id)
    return pd.DataFrame(
        [
            {
                "id": row.id, "name": row.name, "indented_name": row.indented_name,
                "level": row.level.value, "parent_id": row.parent_id,
                "parent": names.get(row.parent_id), "depth": row.depth,
                "members": members.get(row.id, 0), "users": users.get(row.id, 0),
            }
            for row in visible_organisations(session=session, actor=actor)
        ],
        columns=ORGANISATION_COLUMNS,
    )


def sector_table(*, session: Session, actor: Actor, organisation_id: int) -> pd.DataFrame:
    """An organisation's sectors in their order, with their holiday and member count."""
    _require_reader(actor, organisation_id)
    members = _count_by(session, Member.sector_id, col(Member.deleted_at).is_(None))
    rows = session.exec(select(Sector).where(Sector.organisation_id == organisation_id)
                        .order_by(Sector.sort_order, Sector.id)).all()
    return pd.DataFrame(
        [
            {
                "id": row.id, "name": row.name, "sort_order": row.sort_order,
                "holiday_name": row.holiday_name, "holiday_month": row.holiday_month,
                "holiday_day": row.holiday_day, "members": members.get(row.id, 0),
            }
            for row in rows
        ],
        columns=["id", "name", "sort_order", "holiday_name", "holiday_month", "holiday_day",
                 "members"],
    )


def committee_table(*, session: Session, actor: Actor, organisation_id: int) -> pd.DataFrame:
    """An organisation's committees in their order, with their member count."""
    _require_reader(actor, organisation_id)
    members = _count_by(session, Member.committee_id, col(Member.deleted_at).is_(None))
    rows = session.exec(select(Committee).where(Committee.organisation_id == organisation_id)
                        .order_by(Committee.sort_order, Committee.id)).all()
    return pd.DataFrame(
        [
            {"id": row.id, "name": row.name, "sort_order": row.sort_order,
             "is_liaison": row.is_liaison, "members": members.get(row.id, 0)}
            for row in rows
        ],
        columns=["id", "name", "sort_order", "is_liaison", "members"],
    )


def term_table(*, session: Session, actor: Actor, organisation_id: int) -> pd.DataFrame:
    """An organisation's terms, the latest first, with their member count."""
    _require_reader(actor, organisation_id)
    members = _count_by(session, Member.term_id, col(Member.deleted_at).is_(None))
    rows = session.exec(select(Term).where(Term.organisation_id == organisation_id)
                        .order_by(col(Term.number).desc())).all()
    return pd.DataFrame(
        [
            {"id": row.id, "number": row.number, "name": row.name, "starts_on": row.starts_on,
             "ends_on": row.ends_on, "is_current": row.is_current,
             "members": members.get(row.id, 0)}
            for row in rows
        ],
        columns=["id", "number", "name", "starts_on", "ends_on", "is_current", "members"],
    )


def parent_choices(*, session: Session, actor: Actor,
                   organisation_id: int | None = None) -> dict[int | None, str]:
    """The parents the organisation form offers (None: no parent), names indented as in
    the tree: the organisations the administrator sees, but for an organisation being
    edited neither itself nor one below it, and always the parent it has (an
    administrator of a district keeps their city, which they do not see). Only the
    command line offers no parent to an organisation that has one."""
    actor.require_role(Role.ADMIN)
    tree = organisation_tree(session=session)
    excluded = below(tree, organisation_id) if organisation_id is not None else frozenset()
    current = next((row for row in tree if row.id == organisation_id), None)
    choices: dict[int | None, str] = {}
    if actor.organisation_ids is None or (current is not None and current.parent_id is None):
        choices[None] = ""
    if current is not None and current.parent_id is not None \
            and not actor.sees_organisation(current.parent_id):
        choices[current.parent_id] = next(r.name for r in tree if r.id == current.parent_id)
    for row in visible_organisations(session=session, actor=actor):
        if row.id not in excluded:
            choices[row.id] = row.indented_name
    return choices


def lookups_for(*, session: Session, actor: Actor) -> dict[int, OrganisationLists]:
    """The lists of every organisation the actor sees, by organisation, in tree order:
    for pickers that offer an organisation's sectors, committees or terms."""
    actor.require_role(Role.ADMIN, Role.LEADER, Role.STAFF)
    organisations = visible_organisations(session=session, actor=actor)
    ids = [row.id for row in organisations]

    def by_organisation(model: type[Row], *order: object) -> dict[int, dict[int, str]]:
        found: dict[int, dict[int, str]] = {i: {} for i in ids}
        rows = session.exec(select(model.organisation_id, model.id, model.name)
                            .where(col(model.organisation_id).in_(ids)).order_by(*order))
        for organisation_id, row_id, name in rows:
            found[organisation_id][row_id] = name
        return found

    sectors = by_organisation(Sector, Sector.sort_order, Sector.id)
    committees = by_organisation(Committee, Committee.sort_order, Committee.id)
    terms = by_organisation(Term, col(Term.number).desc())
    current = dict(session.exec(select(Term.organisation_id, Term.id).where(
        col(Term.organisation_id).in_(ids), col(Term.is_current).is_(True))).all())
    return {
        row.id: OrganisationLists(row.name, row.level, sectors[row.id], committees[row.id],
                                  terms[row.id], current.get(row.id))
        for row in organisations
    }


def _require_reader(actor: Actor, organisation_id: int) -> None:
    actor.require_role(Role.ADMIN)
    actor.require_organisation(organisation_id)


def _count_by(session: Session, column: object, *conditions: object) -> dict[int, int]:
    rows = session.exec(select(column, func.count()).where(*conditions).group_by(column))
    return dict(rows.all())


# --- organisations ---------------------------------------------------------------------


def add_organisation(*, session: Session, actor: Actor, data: OrganisationInput) -> Organisation:
    """A new organisation below one the administrator sees."""
    actor.require_role(Role.ADMIN)
    parent = _parent(session, actor, data.parent_id)
    name = clean_text(data.name)
    errors = _organisation_errors(session, name, data.level, parent, organisation_id=None)
    if errors:
        raise ValidationFailed(errors)
    organisation = Organisation(name=name, level=data.level, parent_id=data.parent_id)
    session.add(organisation)
    _flush_or_name_taken(session)
    record_audit(session=session, actor=actor, action=AuditAction.CREATE,
                 entity="Organisation", entity_id=organisation.id, after=snapshot(organisation))
    return organisation


def update_organisation(
    *, session: Session, actor: Actor, organisation_id: int, data: OrganisationInput,
) -> Organisation:
    """Rename an organisation, change its level or move it below another parent. A move
    needs the new parent in the administrator's sight, as adding does; the parent an
    organisation already has stays even when the administrator does not see it (an
    administrator of a district renames their own district)."""
    actor.require_role(Role.ADMIN)
    organisation = _organisation_for_update(session, actor, organisation_id)
    moved = data.parent_id != organisation.parent_id
    if moved:  # two moves at once must not close a cycle: the tree changes one at a time
        session.exec(select(Organisation.id).with_for_update()).all()
    parent = _parent(session, actor, data.parent_id) if moved else (
        session.get(Organisation, data.parent_id) if data.parent_id is not None else None)
    name = clean_text(data.name)
    errors = _organisation_errors(session, name, data.level, parent,
                                  organisation_id=organisation_id)
    if moved and data.parent_id in _below(session, organisation_id):
        errors["parent_id"] = "organisations.error.cycle"
    child_levels = session.exec(
        select(Organisation.level).where(Organisation.parent_id == organisation_id)).all()
    if any(LEVEL_RANK[level] <= LEVEL_RANK[data.level] for level in child_levels):
        errors.setdefault("level", "organisations.error.level_above_children")
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(organisation)
    organisation.name, organisation.level = name, data.level
    organisation.parent_id = data.parent_id
    _audit_update(session, actor, organisation, before, ("name", "level", "parent_id"))
    return organisation


def delete_organisation(*, session: Session, actor: Actor, organisation_id: int) -> None:
    """Remove an organisation that nothing refers to (no organisation below it, no
    users, members, lists or records)."""
    actor.require_role(Role.ADMIN)
    organisation = _organisation_for_update(session, actor, organisation_id)
    _refuse_when_used(session, Organisation, organisation_id, organisation.name)
    _delete(session, actor, organisation)


def _parent(session: Session, actor: Actor, parent_id: int | None) -> Organisation | None:
    """The parent a new or moved organisation is put below: one the administrator sees.
    Only the command line (which sees every organisation) makes a top organisation."""
    if parent_id is None:
        if actor.organisation_ids is not None:
            raise ValidationFailed({"parent_id": "organisations.error.parent_required"})
        return None
    actor.require_organisation(parent_id)
    parent = session.get(Organisation, parent_id)
    if parent is None:
        raise StaleRecord()
    return parent


def _organisation_errors(session: Session, name: str, level: OrgLevel,
                         parent: Organisation | None, *, organisation_id: int | None,
                         ) -> dict[str, str]:
    errors = _name_errors(name, MAX_NAME_LENGTH)
    if not errors:
        clash = session.exec(select(Organisation.id).where(Organisation.name == name)).first()
        if clash is not None and clash != organisation_id:
            errors["name"] = "organisations.error.organisation_name_taken"
    if parent is not None and LEVEL_RANK[level] <= LEVEL_RANK[parent.level]:
        errors["level"] = "organisations.error.level_below_parent"
    return errors


def _organisation_for_update(session: Session, actor: Actor, organisation_id: int,
                             ) -> Organisation:
    """The organisation's row, locked until the transaction ends: its lists change one
    administrator at a time. ``StaleRecord`` if it is gone."""
    actor.require_organisation(organisation_id)
    organisation = session.exec(select(Organisation).where(Organisation.id == organisation_id)
                                .with_for_update()).first()
    if organisation is None:
        raise StaleRecord()
    return organisation


def _below(session: Session, organisation_id: int) -> frozenset[int]:
    return below(organisation_tree(session=session), organisation_id)


# --- sectors ---------------------------------------------------------------------------


def add_sector(*, session: Session, actor: Actor, organisation_id: int,
               data: SectorInput) -> Sector:
    """A sector at the end of its organisation's list."""
    return _add_listed(session, actor, organisation_id, Sector, *_sector_values(data))


def update_sector(*, session: Session, actor: Actor, sector_id: int,
                  data: SectorInput) -> Sector:
    """Rename a sector, or set or clear its holiday."""
    return _update_listed(session, actor, Sector, sector_id, *_sector_values(data))


def reorder_sectors(*, session: Session, actor: Actor, organisation_id: int,
                    sector_ids: Sequence[int]) -> None:
    """Put an organisation's sectors in the order of ``sector_ids`` (all of them)."""
    _reorder(session, actor, Sector, organisation_id, sector_ids)


def delete_sector(*, session: Session, actor: Actor, sector_id: int) -> None:
    _delete_listed(session, actor, Sector, sector_id)


def _sector_values(data: SectorInput) -> tuple[dict[str, object], dict[str, str]]:
    name = clean_text(data.name)
    holiday_name = clean_text(data.holiday_name) or None
    month, day = data.holiday_month, data.holiday_day
    errors = _name_errors(name, MAX_NAME_LENGTH)
    if holiday_name and len(holiday_name) > MAX_NAME_LENGTH:
        errors["holiday_name"] = "organisations.error.name_too_long"
    elif (holiday_name is None) != (month is None) or (month is None) != (day is None):
        field = "holiday_name" if holiday_name is None else "holiday_day"
        errors[field] = "organisations.error.holiday_incomplete"
    elif month is not None and not _is_day_of_year(month, day):
        errors["holiday_day"] = "organisations.error.holiday_date_invalid"
    return {"name": name, "holiday_name": holiday_name, "holiday_month": month,
            "holiday_day": day}, errors


def _is_day_of_year(month: int, day: int | None) -> bool:
    """A day that some year has (29 February included)."""
    return 1 <= month <= 12 and day is not None and 1 <= day <= calendar.monthrange(2024, month)[1]


# --- committees ------------------------------------------------------------------------


def add_committee(*, session: Session, actor: Actor, organisation_id: int,
                  data: CommitteeInput) -> Committee:
    """A committee at the end of its organisation's list; marked the liaison work
    committee, it takes the mark from the one that had it."""
    committee = _add_listed(session, actor, organisation_id, Committee,
                            *_committee_values(data))
    _one_liaison(session, actor, committee)
    return committee


def update_committee(*, session: Session, actor: Actor, committee_id: int,
                     data: CommitteeInput) -> Committee:
    """Rename a committee, or mark or unmark it as the liaison work committee."""
    committee = _update_listed(session, actor, Committee, committee_id,
                               *_committee_values(data))
    _one_liaison(session, actor, committee)
    return committee


def reorder_committees(*, session: Session, actor: Actor, organisation_id: int,
                       committee_ids: Sequence[int]) -> None:
    """Put an organisation's committees in the order of ``committee_ids`` (all of them)."""
    _reorder(session, actor, Committee, organisation_id, committee_ids)


def delete_committee(*, session: Session, actor: Actor, committee_id: int) -> None:
    _delete_listed(session, actor, Committee, committee_id)


def _committee_values(data: CommitteeInput) -> tuple[dict[str, object], dict[str, str]]:
    name = clean_text(data.name)
    return {"name": name, "is_liaison": data.is_liaison}, _name_errors(name, MAX_NAME_LENGTH)


def _one_liaison(session: Session, actor: Actor, committee: Committee) -> None:
    if not committee.is_liaison:
        return
    others = session.exec(select(Committee).where(
        Committee.organisation_id == committee.organisation_id, Committee.id != committee.id,
        col(Committee.is_liaison).is_(True))).all()
    for other in others:
        before = snapshot(other)
        other.is_liaison = False
        _audit_update(session, actor, other, before, ("is_liaison",))


# --- terms -----------------------------------------------------------------------------


def add_term(*, session: Session, actor: Actor, organisation_id: int, data: TermInput) -> Term:
    """A term of an organisation; an organisation's first term is its current one."""
    values, errors = _term_values(data)
    has_current = session.exec(select(Term.id).where(
        Term.organisation_id == organisation_id, col(Term.is_current).is_(True))).first()
    return _add_listed(session, actor, organisation_id, Term, values, errors,
                       is_current=has_current is None)


def update_term(*, session: Session, actor: Actor, term_id: int, data: TermInput) -> Term:
    """Correct a term's number, name or dates (``set_current_term`` moves the mark)."""
    return _update_listed(session, actor, Term, term_id, *_term_values(data))


def set_current_term(*, session: Session, actor: Actor, term_id: int) -> None:
    """Make ``term_id`` its organisation's one current term."""
    actor.require_role(Role.ADMIN)
    chosen = _listed_for_update(session, actor, Term, term_id)
    terms = session.exec(select(Term).where(Term.organisation_id == chosen.organisation_id))
    for term in terms.all():
        if term.is_current != (term.id == term_id):
            before = snapshot(term)
            term.is_current = term.id == term_id
            _audit_update(session, actor, term, before, ("is_current",))


def delete_term(*, session: Session, actor: Actor, term_id: int) -> None:
    """Remove a term nothing refers to. The current one goes only as the last one: an
    organisation with terms keeps a current term."""
    actor.require_role(Role.ADMIN)
    term = _listed_for_update(session, actor, Term, term_id)
    others = session.exec(select(Term.id).where(Term.organisation_id == term.organisation_id,
                                                Term.id != term_id)).first()
    if term.is_current and others is not None:
        raise InUse("organisations.error.current_term", name=term.name)
    _refuse_when_used(session, Term, term_id, term.name)
    _delete(session, actor, term)


def _term_values(data: TermInput) -> tuple[dict[str, object], dict[str, str]]:
    name = clean_text(data.name)
    errors = _name_errors(name, MAX_TERM_NAME_LENGTH,
                          too_long="organisations.error.term_name_too_long")
    if data.number is None or not 1 <= data.number <= MAX_TERM_NUMBER:
        errors["number"] = "organisations.error.term_number_invalid"
    if data.starts_on is None:
        errors["starts_on"] = "organisations.error.starts_on_required"
    elif data.ends_on is not None and data.ends_on < data.starts_on:
        errors["ends_on"] = "organisations.error.ends_before_start"
    return {"number": data.number, "name": name, "starts_on": data.starts_on,
            "ends_on": data.ends_on}, errors


# --- what the lists share --------------------------------------------------------------

# The field that must be unique within an organisation, and the message when it is not.
_UNIQUE = {Sector: ("name", "organisations.error.sector_name_taken"),
           Committee: ("name", "organisations.error.committee_name_taken"),
           Term: ("number", "organisations.error.term_number_taken")}


def _add_listed(session: Session, actor: Actor, organisation_id: int, model: type[Row],
                values: dict[str, object], errors: dict[str, str], **more: object) -> Row:
    """A row with ``values`` (and ``more``), unless the fields have ``errors``."""
    actor.require_role(Role.ADMIN)
    _organisation_for_update(session, actor, organisation_id)
    _refuse_bad_input(session, model, organisation_id, values, errors, row_id=None)
    values = values | more
    if hasattr(model, "sort_order"):
        last = session.exec(select(func.max(model.sort_order))
                            .where(model.organisation_id == organisation_id)).one()
        values["sort_order"] = (last or 0) + 1
    row = model(organisation_id=organisation_id, **values)
    session.add(row)
    _flush_or_name_taken(session, model)
    record_audit(session=session, actor=actor, action=AuditAction.CREATE,
                 entity=model.__name__, entity_id=row.id, after=snapshot(row))
    return row


def _update_listed(session: Session, actor: Actor, model: type[Row], row_id: int,
                   values: dict[str, object], errors: dict[str, str]) -> Row:
    actor.require_role(Role.ADMIN)
    row = _listed_for_update(session, actor, model, row_id)
    _refuse_bad_input(session, model, row.organisation_id, values, errors, row_id=row_id)
    before = snapshot(row)
    for field, value in values.items():
        setattr(row, field, value)
    _flush_or_name_taken(session, model)
    _audit_update(session, actor, row, before, tuple(values))
    return row


def _listed_for_update(session: Session, actor: Actor, model: type[Row], row_id: int) -> Row:
    """A sector, committee or term, its organisation locked; ``StaleRecord`` if gone."""
    row = session.get(model, row_id)
    if row is None:
        raise StaleRecord()
    _organisation_for_update(session, actor, row.organisation_id)
    return row


def _refuse_bad_input(session: Session, model: type[Row], organisation_id: int,
                      values: dict[str, object], errors: dict[str, str], *,
                      row_id: int | None) -> None:
    """Every field's problem at once: those of ``errors``, and a name (or number) the
    organisation has already."""
    field, message_key = _UNIQUE[model]
    if field not in errors:
        clash = session.exec(select(model.id).where(
            model.organisation_id == organisation_id, getattr(model, field) == values[field],
        )).first()
        if clash is not None and clash != row_id:
            errors = errors | {field: message_key}
    if errors:
        raise ValidationFailed(errors)


def _reorder(session: Session, actor: Actor, model: type[Row], organisation_id: int,
             ordered_ids: Sequence[int]) -> None:
    """The whole list in a new order. A list changed meanwhile (a row added or deleted by
    someone else) is refused as stale: the order would be a guess."""
    actor.require_role(Role.ADMIN)
    _organisation_for_update(session, actor, organisation_id)
    rows = {row.id: row for row in session.exec(
        select(model).where(model.organisation_id == organisation_id))}
    if sorted(ordered_ids) != sorted(rows):
        raise StaleRecord()
    for position, row_id in enumerate(ordered_ids, start=1):
        row = rows[row_id]
        if row.sort_order != position:
            before = snapshot(row)
            row.sort_order = position
            _audit_update(session, actor, row, before, ("sort_order",))


def _delete_listed(session: Session, actor: Actor, model: type[Row], row_id: int) -> None:
    actor.require_role(Role.ADMIN)
    row = _listed_for_update(session, actor, model, row_id)
    _refuse_when_used(session, model, row_id, row.name)
    _delete(session, actor, row)


# --- checks and audit --------------------------------------------------------------------


def _name_errors(name: str, max_length: int, *,
                 too_long: str = "organisations.error.name_too_long") -> dict[str, str]:
    if not name:
        return {"name": "organisations.error.name_required"}
    if len(name) > max_length:
        return {"name": too_long}
    return {}


def _flush_or_name_taken(session: Session, model: type[SQLModel] = Organisation) -> None:
    """Flush; a unique name another administrator took a moment ago is a field error."""
    try:
        session.flush()
    except IntegrityError as exc:
        field, message_key = _UNIQUE.get(
            model, ("name", "organisations.error.organisation_name_taken"))
        raise ValidationFailed({field: message_key}) from exc


# What refers to a row, by the table that refers, in the order a refusal names it.
_REFERRERS = {"organisation": "organisations.error.has_children",
              "app_user": "organisations.error.has_users",
              "usercommittee": "organisations.error.has_users",
              "sector": "organisations.error.has_lists",
              "committee": "organisations.error.has_lists",
              "term": "organisations.error.has_lists"}
_MEMBER_TABLES = {"member", "memberassignment"}


def _refuse_when_used(session: Session, model: type[SQLModel], row_id: int, name: str) -> None:
    """Refuse to delete a row another row refers to, naming what refers to it: members
    (now or in their history) first, then organisations below, users, lists, records.
    Every foreign key of the schema is asked, so a table added later is asked too."""
    target = model.__table__
    members = _members_referring(session, target.name, row_id)
    if members:
        raise InUse("organisations.error.has_members", name=name, count=members)
    counts: dict[str, int] = {}
    for table in SQLModel.metadata.sorted_tables:
        if table.name in _MEMBER_TABLES:
            continue
        for key in table.foreign_keys:
            if key.column.table is target:
                found = session.exec(select(func.count()).select_from(table)
                                     .where(key.parent == row_id)).one()
                message_key = _REFERRERS.get(table.name, "organisations.error.has_records")
                counts[message_key] = counts.get(message_key, 0) + found
    for message_key in [*dict.fromkeys(_REFERRERS.values()), "organisations.error.has_records"]:
        if counts.get(message_key):
            raise InUse(message_key, name=name, count=counts[message_key])


def _members_referring(session: Session, table: str, row_id: int) -> int:
    """Members whose current row or any past assignment names the row."""
    column = {"organisation": "organisation_id", "sector": "sector_id",
              "committee": "committee_id", "term": "term_id"}.get(table)
    if column is None:
        return 0
    ids = union(select(Member.id).where(getattr(Member, column) == row_id),
                select(MemberAssignment.member_id)
                .where(getattr(MemberAssignment, column) == row_id)).subquery()
    return session.exec(select(func.count()).select_from(ids)).one()


def _delete(session: Session, actor: Actor, row: SQLModel) -> None:
    before = snapshot(row)
    session.delete(row)
    try:
        session.flush()
    except IntegrityError as exc:  # a reference made a moment ago
        raise InUse("organisations.error.has_records", name=before.get("name"),
                    count=1) from exc
    record_audit(session=session, actor=actor, action=AuditAction.DELETE,
                 entity=type(row).__name__, entity_id=before["id"], before=before)


def _audit_update(session: Session, actor: Actor, row: SQLModel, before: dict,
                  fields: Sequence[str]) -> None:
    after = snapshot(row)
    old_values, new_values = changed_values(before, after, fields)
    if not new_values:
        return
    if hasattr(row, "updated_at"):
        row.updated_at = utcnow()
    session.flush()
    record_audit(session=session, actor=actor, action=AuditAction.UPDATE,
                 entity=type(row).__name__, entity_id=before["id"], before=old_values,
                 after=new_values)

