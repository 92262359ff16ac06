"""The roster: members added, edited and retired, with the history of where they sat.

A member is one identity across terms. The organisation, term, sector and committee a
member belongs to, and the days of office, are kept as assignments (``MemberAssignment``)
that do not overlap:

- a change of organisation, term, sector or committee takes effect on a date: the
  current assignment ends the day before and a new one begins (on the current
  assignment's first day the change corrects it instead, leaving no history of a
  mistake);
- re-appointment for a new term is such a change: the member keeps their identity and
  every earlier figure;
- ``in_office_from`` is the first day of the first assignment, ``in_office_to`` the last
  day of the last one; changing either moves that day. Retiring a member is setting
  ``in_office_to``.

The ``Member`` row repeats the current assignment so that lists need no join; past
periods are counted against ``assignment_on`` (see ``assignments_between``).

Who may: administrators within their organisations; staff for members of the committees
assigned to them (moving a member needs both committees). A member corrects only their
own contact details (``services.members.update_member_contact``).
"""

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from models import (
    AuditAction,
    AuditEntry,
    Committee,
    Gender,
    Member,
    MemberAssignment,
    Organisation,
    Role,
    Sector,
    Term,
    utcnow,
)
from services.actors import Actor
from services.audit import audit_row, record_audit
from services.errors import PermissionDenied, StaleRecord, ValidationFailed
from services.name_search import sort_key
from services.records import load_live, versioned_update
from services.text import clean_phone, clean_text

PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 \-]{4,28}$")
MAX_NAME_LENGTH = 40
MAX_TEXT_LENGTH = 120  # employer, base unit
MAX_POST_LENGTH = 60
OLDEST_BIRTH_YEAR = 1900
YOUNGEST_AGE = 18

ASSIGNMENT_FIELDS = ("organisation_id", "term_id", "sector_id", "committee_id")
TEXT_FIELDS = {"employer": MAX_TEXT_LENGTH, "post": MAX_POST_LENGTH,
               "base_unit": MAX_TEXT_LENGTH}


@dataclass(frozen=True)
class MemberInput:
    """Every roster field of a member, as a form or an import row gives them."""

    name: str
    organisation_id: int
    term_id: int
    sector_id: int
    committee_id: int
    in_office_from: date
    in_office_to: date | None = None
    gender: Gender | None = None
    birth_year: int | None = None
    is_standing_committee: bool = False
    is_cpc: bool = False
    employer: str | None = None
    post: str | None = None
    phone: str | None = None
    base_unit: str | None = None

    @classmethod
    def of(cls, member: Member) -> "MemberInput":
        return cls(**{name: getattr(member, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class AssignmentView:
    starts_on: date
    ends_on: date | None
    organisation: str
    term: str
    sector: str
    committee: str


# --- permissions ---------------------------------------------------------------------


def can_manage(actor: Actor, organisation_id: int, committee_id: int) -> bool:
    """Whether the actor may add, edit or retire a member sitting there."""
    if not actor.sees_organisation(organisation_id):
        return False
    match actor.role:
        case Role.ADMIN:
            return True
        case Role.STAFF:
            return committee_id in actor.committee_ids
        case _:
            return False


def _require_manage(actor: Actor, organisation_id: int, committee_id: int) -> None:
    if not can_manage(actor, organisation_id, committee_id):
        raise PermissionDenied()


def _require_manage_if_chosen(actor: Actor, data: MemberInput) -> None:
    """Refused unless the actor may manage a member sitting where ``data`` says; a
    missing choice is left to validation, which names the field."""
    if actor.role not in {Role.ADMIN, Role.STAFF}:
        raise PermissionDenied()
    if data.organisation_id is not None and data.committee_id is not None:
        _require_manage(actor, data.organisation_id, data.committee_id)


# --- validation ----------------------------------------------------------------------


def clean_input(data: MemberInput) -> MemberInput:
    """The input as it will be stored: texts cleaned, empty texts as None."""
    texts: dict[str, Any] = {
        field: clean_text(getattr(data, field)) or None for field in TEXT_FIELDS
    }
    return replace(data, name=clean_text(data.name), phone=clean_phone(data.phone) or None,
                   **texts)


def validate(session: Session, data: MemberInput, *, today: date,
             member_id: int | None = None, check_namesake: bool = True) -> dict[str, str]:
    """Field errors of a cleaned input (message keys), empty when it may be stored."""
    errors: dict[str, str] = {}
    if not data.name:
        errors["name"] = "roster.error.name_required"
    elif len(data.name) > MAX_NAME_LENGTH:
        errors["name"] = "roster.error.too_long"
    if data.birth_year is not None and not (
        OLDEST_BIRTH_YEAR <= data.birth_year <= today.year - YOUNGEST_AGE
    ):
        errors["birth_year"] = "roster.error.birth_year"
    if data.phone and not PHONE_PATTERN.match(data.phone):
        errors["phone"] = "roster.error.phone_format"
    for field, limit in TEXT_FIELDS.items():
        if len(getattr(data, field) or "") > limit:
            errors[field] = "roster.error.too_long"
    if data.in_office_from is None:
        errors["in_office_from"] = "roster.error.required"
    elif data.in_office_to is not None and data.in_office_to < data.in_office_from:
        errors["in_office_to"] = "roster.error.office_dates"
    if data.organisation_id is None or session.get(Organisation, data.organisation_id) is None:
        errors["organisation_id"] = "roster.error.required"
        return errors
    for field, model in (("term_id", Term), ("sector_id", Sector),
                         ("committee_id", Committee)):
        value = getattr(data, field)
        row = None if value is None else session.get(model, value)
        if value is None:
            errors[field] = "roster.error.required"
        elif row is None or row.organisation_id != data.organisation_id:
            errors[field] = "roster.error.not_in_organisation"
    if check_namesake and "name" not in errors and _namesake(session, data, member_id):
        errors["name"] = "roster.error.duplicate"
    return errors


def _namesake(session: Session, data: MemberInput, member_id: int | None) -> int | None:
    """Another member with the same natural key: organisation, name and birth year."""
    query = select(Member.id).where(
        Member.organisation_id == data.organisation_id, Member.name == data.name,
        col(Member.deleted_at).is_(None),
    )
    if data.birth_year is None:
        query = query.where(col(Member.birth_year).is_(None))
    else:
        query = query.where(Member.birth_year == data.birth_year)
    if member_id is not None:
        query = query.where(Member.id != member_id)
    return session.exec(query.limit(1)).first()


def find_by_key(session: Session, organisation_id: int, name: str,
                birth_year: int | None) -> list[Member]:
    """Live members under the natural key (the import's upsert key)."""
    query = select(Member).where(
        Member.organisation_id == organisation_id, Member.name == clean_text(name),
        col(Member.deleted_at).is_(None),
    )
    query = query.where(col(Member.birth_year).is_(None) if birth_year is None
                        else Member.birth_year == birth_year)
    return list(session.exec(query.order_by(Member.id)).all())


def members_by_key(session: Session, organisation_id: int) -> dict[tuple[str, int | None],
                                                                   list[Member]]:
    """The organisation's live members under their natural key (name, birth year): an
    import looks every row up here instead of asking the store row by row."""
    found: dict[tuple[str, int | None], list[Member]] = {}
    for member in session.exec(select(Member).where(
        Member.organisation_id == organisation_id, col(Member.deleted_at).is_(None),
    ).order_by(Member.id)):
        found.setdefault((member.name, member.birth_year), []).append(member)
    return found


# --- writing -------------------------------------------------------------------------


def _fields(data: MemberInput) -> dict[str, Any]:
    """The input's fields (``dataclasses.asdict`` copies deeply: ten times slower)."""
    return {name: getattr(data, name) for name in MemberInput.__dataclass_fields__}


def _snapshot(data: MemberInput) -> dict[str, Any]:
    return {key: value.value if isinstance(value, Gender) else
            value.isoformat() if isinstance(value, date) else value
            for key, value in _fields(data).items()}


def create_member(*, session: Session, actor: Actor, data: MemberInput, today: date) -> Member:
    member_id, = insert_members(session=session, actor=actor,
                                members=[checked_new_member(session=session, actor=actor,
                                                            data=data, today=today)])
    return session.get(Member, member_id)


def checked_new_member(*, session: Session, actor: Actor, data: MemberInput, today: date,
                       check_namesake: bool = True) -> MemberInput:
    """``data`` cleaned and checked for a new member: ``ValidationFailed`` or
    ``PermissionDenied`` if it may not be added. An import that has looked the key up
    already skips the second lookup (``check_namesake``)."""
    data = clean_input(data)
    _require_manage_if_chosen(actor, data)
    errors = validate(session, data, today=today, check_namesake=check_namesake)
    if errors:
        raise ValidationFailed(errors)
    return data


def insert_members(*, session: Session, actor: Actor, members: list[MemberInput]) -> list[int]:
    """Add members checked by ``checked_new_member``, each with their first assignment
    and audit row, in three statements whatever their number (an import of 10,000 rows
    would otherwise hold the store's write lock for a minute)."""
    if not members:
        return []
    now = utcnow()
    rows = [_fields(data) | {"name_key": sort_key(data.name), "created_at": now,
                             "updated_at": now, "version": 1} for data in members]
    ids = list(session.execute(
        insert(Member).returning(Member.id, sort_by_parameter_order=True), rows,
    ).scalars())
    session.execute(insert(MemberAssignment), [
        {"member_id": member_id, "starts_on": data.in_office_from, "ends_on": data.in_office_to,
         "created_at": now, **{field: getattr(data, field) for field in ASSIGNMENT_FIELDS}}
        for member_id, data in zip(ids, members, strict=True)
    ])
    session.execute(insert(AuditEntry), [
        audit_row(actor=actor, action=AuditAction.CREATE, entity="Member", entity_id=member_id,
                  after=_snapshot(data))
        for member_id, data in zip(ids, members, strict=True)
    ])
    return ids


def _assignments(session: Session, member_id: int) -> list[MemberAssignment]:
    return list(session.exec(
        select(MemberAssignment).where(MemberAssignment.member_id == member_id)
        .order_by(MemberAssignment.starts_on, MemberAssignment.id)
    ).all())


def update_member(
    *, session: Session, actor: Actor, member_id: int, expected_version: int,
    changes: dict[str, Any], today: date, effective_on: date | None = None,
) -> Member:
    """Apply ``changes`` (fields of ``MemberInput``) if nobody saved the member since
    ``expected_version``. A change of organisation, term, sector or committee takes
    effect on ``effective_on`` (default today) and keeps the earlier assignment."""
    unknown = set(changes) - set(MemberInput.__dataclass_fields__)
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)} of a member")
    member = load_live(session, Member, member_id)
    if member.version != expected_version:
        raise StaleRecord()
    before = MemberInput.of(member)
    _require_manage(actor, before.organisation_id, before.committee_id)
    after = clean_input(replace(before, **changes))
    _require_manage_if_chosen(actor, after)
    errors = validate(session, after, today=today, member_id=member_id)
    moved = any(getattr(after, f) != getattr(before, f) for f in ASSIGNMENT_FIELDS)
    effective_on = effective_on or today
    assignments = _assignments(session, member_id)
    errors |= _history_errors(assignments, before, after, moved=moved, effective_on=effective_on,
                              today=today)
    if errors:
        raise ValidationFailed(errors)
    if moved:
        _move(session, member_id, assignments, after, effective_on)
    _set_office_dates(session, _assignments(session, member_id), after)

    old = _snapshot(before)
    new = _snapshot(after)
    changed = {key for key in new if new[key] != old[key]}
    if not changed:
        return member
    values = {key: getattr(after, key) for key in changed}
    if "name" in changed:
        values["name_key"] = sort_key(after.name)
    versioned_update(session, Member, member_id, expected_version, values)
    detail_after = {key: new[key] for key in sorted(changed)}
    if moved:
        detail_after["effective_on"] = effective_on.isoformat()
    record_audit(session=session, actor=actor, action=AuditAction.UPDATE, entity="Member",
                 entity_id=member_id, before={key: old[key] for key in sorted(changed)},
                 after=detail_after)
    return load_live(session, Member, member_id)


def _history_errors(assignments: list[MemberAssignment], before: MemberInput,
                    after: MemberInput, *, moved: bool, effective_on: date,
                    today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    current = assignments[-1]
    if moved and effective_on < current.starts_on:
        errors["effective_on"] = "roster.error.effective_before_current"
    elif moved and effective_on > today:  # the Member row is the assignment of today
        errors["effective_on"] = "roster.error.effective_in_future"
    if (after.in_office_from != before.in_office_from and len(assignments) > 1
            and after.in_office_from >= assignments[1].starts_on):
        errors["in_office_from"] = "roster.error.office_from_after_history"
    # The day the last assignment begins once the change is made:
    if moved and effective_on > current.starts_on:
        last_start = effective_on
    elif len(assignments) == 1:
        last_start = after.in_office_from
    else:
        last_start = current.starts_on
    if after.in_office_to is not None and after.in_office_to < last_start:
        errors["in_office_to"] = "roster.error.office_to_before_assignment"
    return errors


def _move(session: Session, member_id: int, assignments: list[MemberAssignment],
          after: MemberInput, effective_on: date) -> None:
    current = assignments[-1]
    if effective_on == current.starts_on:  # a correction of the current assignment
        for field in ASSIGNMENT_FIELDS:
            setattr(current, field, getattr(after, field))
        session.add(current)
        return
    if current.ends_on is None or current.ends_on >= effective_on:
        current.ends_on = effective_on - timedelta(days=1)
        session.add(current)
    session.add(MemberAssignment(
        member_id=member_id, starts_on=effective_on, ends_on=after.in_office_to,
        **{field: getattr(after, field) for field in ASSIGNMENT_FIELDS},
    ))
    session.flush()


def _set_office_dates(session: Session, assignments: list[MemberAssignment],
                      after: MemberInput) -> None:
    """The first assignment begins on ``in_office_from``, the last ends on
    ``in_office_to``."""
    first, last = assignments[0], assignments[-1]
    if first.starts_on != after.in_office_from:
        first.starts_on = after.in_office_from
        session.add(first)
    if last.ends_on != after.in_office_to:
        last.ends_on = after.in_office_to
        session.add(last)
    session.flush()


def retire_member(*, session: Session, actor: Actor, member_id: int, expected_version: int,
                  on: date, today: date) -> Member:
    """The member leaves office at the end of ``on``."""
    return update_member(session=session, actor=actor, member_id=member_id,
                         expected_version=expected_version, changes={"in_office_to": on},
                         today=today)


# --- reading -------------------------------------------------------------------------


def member_history(*, session: Session, actor: Actor, member_id: int) -> list[AssignmentView]:
    """Where the member sat, newest first."""
    member = load_live(session, Member, member_id)
    actor.require_organisation(member.organisation_id)
    if actor.role is Role.MEMBER and actor.member_id != member_id:
        raise PermissionDenied()
    rows = session.exec(
        select(MemberAssignment, Organisation.name, Term.name, Sector.name, Committee.name)
        .join(Organisation, col(MemberAssignment.organisation_id) == Organisation.id)
        .join(Term, col(MemberAssignment.term_id) == Term.id)
        .join(Sector, col(MemberAssignment.sector_id) == Sector.id)
        .join(Committee, col(MemberAssignment.committee_id) == Committee.id)
        .where(MemberAssignment.member_id == member_id)
        .order_by(col(MemberAssignment.starts_on).desc(), col(MemberAssignment.id).desc())
    ).all()
    return [AssignmentView(a.starts_on, a.ends_on, org, term, sector, committee)
            for a, org, term, sector, committee in rows]


def assignment_on(session: Session, member_id: int, day: date) -> MemberAssignment | None:
    """Where the member sat on ``day``; None when not in office that day."""
    return session.exec(
        select(MemberAssignment).where(
            MemberAssignment.member_id == member_id, MemberAssignment.starts_on <= day,
            (col(MemberAssignment.ends_on).is_(None)) | (col(MemberAssignment.ends_on) >= day),
        ).order_by(col(MemberAssignment.starts_on).desc()).limit(1)
    ).first()


def members_of_committee_between(session: Session, committee_id: int, first: date,
                                 last: date) -> set[int]:
    """Members who sat in the committee on some day of ``first``..``last``: how a past
    period is counted against the committee of then."""
    rows = session.exec(
        select(func.distinct(MemberAssignment.member_id)).where(
            MemberAssignment.committee_id == committee_id, MemberAssignment.starts_on <= last,
            (col(MemberAssignment.ends_on).is_(None)) | (col(MemberAssignment.ends_on) >= first),
        )
    ).all()
    return set(rows)
