"""A member's sector contact persons (界别群众联系人): the "1158" method ties each member
to about ``CONTACT_TARGET`` of them. Kept by whoever may edit the member (the member
themself, staff of the member's committee, administrators); read by whoever may read
the member.

A contact who no longer takes part is *retired* (inactive from a date) and stays in the
member's history; a contact entered by mistake is deleted (soft, audited).
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import date

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, col, select

from models import AuditAction, ContactPerson, Member
from services.actors import Actor
from services.audit import record_audit, snapshot
from services.errors import ServiceError, StaleRecord, ValidationFailed
from services.name_search import sort_key
from services.permissions import require_edit_member, require_read_member
from services.records import load_live, soft_delete, update_record
from services.roster import PHONE_PATTERN
from services.text import clean_phone, clean_text

CONTACT_TARGET = 10  # "1158": about ten sector contact persons per member
MAX_LENGTHS = {"name": 40, "phone": 30, "organisation": 120, "sector_relation": 60,
               "note": 200}
CONTACT_COLUMNS = ["id", "version", "name", "phone", "organisation", "sector_relation",
                   "starts_on", "ends_on", "is_active", "note"]


@dataclass(frozen=True)
class ContactInput:
    """A contact person as a form gives it; blank texts and dates are not known."""

    name: str
    phone: str = ""
    organisation: str = ""
    sector_relation: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    note: str = ""


EDITABLE_FIELDS = frozenset(field.name for field in fields(ContactInput))


class ContactAlreadyRetired(ServiceError):
    message_key = "contacts.error.already_retired"


def contact_count(*, session: Session, member_id: int) -> int:
    """The member's active contact persons, to set against ``CONTACT_TARGET``."""
    return session.exec(
        select(func.count()).select_from(ContactPerson).where(
            ContactPerson.member_id == member_id, col(ContactPerson.is_active).is_(True),
            col(ContactPerson.deleted_at).is_(None),
        )
    ).one()


def list_contacts(*, session: Session, actor: Actor, member_id: int,
                  include_retired: bool = False) -> pd.DataFrame:
    """The member's contact persons (``CONTACT_COLUMNS``): active ones first, each group
    by name in pinyin order."""
    require_read_member(actor, load_live(session, Member, member_id))
    query = select(ContactPerson).where(ContactPerson.member_id == member_id,
                                        col(ContactPerson.deleted_at).is_(None))
    if not include_retired:
        query = query.where(col(ContactPerson.is_active).is_(True))
    found = sorted(session.exec(query).all(),
                   key=lambda row: (not row.is_active, sort_key(row.name), row.id))
    return pd.DataFrame([{column: getattr(row, column) for column in CONTACT_COLUMNS}
                         for row in found], columns=CONTACT_COLUMNS)


def get_contact(*, session: Session, actor: Actor, contact_id: int) -> ContactPerson:
    """One contact person as stored now, e.g. to seed an edit form."""
    contact = load_live(session, ContactPerson, contact_id)
    require_read_member(actor, load_live(session, Member, contact.member_id))
    return contact


def add_contact(*, session: Session, actor: Actor, member_id: int,
                data: ContactInput) -> ContactPerson:
    """A new active contact person. The member's row is locked until the end of the
    transaction, so two saves of the same form cannot both pass the duplicate check."""
    _require_editable_member(session, actor, member_id, lock=True)
    values = _cleaned(asdict(data))
    errors = _errors(values)
    if not errors and _name_taken(session, member_id, values["name"]):
        errors["name"] = "contacts.error.duplicate"
    if errors:
        raise ValidationFailed(errors)
    contact = ContactPerson(member_id=member_id, is_active=True, **values)
    session.add(contact)
    session.flush()
    record_audit(session=session, actor=actor, action=AuditAction.CREATE,
                 entity="ContactPerson", entity_id=contact.id, after=snapshot(contact))
    return contact


def update_contact(*, session: Session, actor: Actor, contact_id: int, expected_version: int,
                   changes: Mapping[str, object]) -> ContactPerson:
    """Save ``changes`` (field → new value; a blank text or a None date clears it),
    against the version the editor read. Only the fields given are checked and written,
    so a form sends what its user changed and nothing it merely showed."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)} of a contact person")
    contact = load_live(session, ContactPerson, contact_id)
    _require_editable_member(session, actor, contact.member_id, lock=True)
    values = _cleaned(changes)
    merged = {field: getattr(contact, field) for field in EDITABLE_FIELDS} | values
    errors = {field: error for field, error in _errors(merged).items()
              if field in values or (field == "ends_on" and "starts_on" in values)}
    if ("name" in values and "name" not in errors and contact.is_active
            and _name_taken(session, contact.member_id, values["name"], but=contact_id)):
        errors["name"] = "contacts.error.duplicate"
    if errors:
        raise ValidationFailed(errors)
    return update_record(
        session=session, actor=actor, model=ContactPerson, record_id=contact_id,
        expected_version=expected_version, changes=values,
    )


def retire_contact(*, session: Session, actor: Actor, contact_id: int, expected_version: int,
                   ends_on: date) -> ContactPerson:
    """The contact takes part no more from ``ends_on``: inactive, kept in the history."""
    contact = load_live(session, ContactPerson, contact_id)
    _require_editable_member(session, actor, contact.member_id)
    if not contact.is_active:
        raise ContactAlreadyRetired()
    if contact.starts_on is not None and ends_on < contact.starts_on:
        raise ValidationFailed({"ends_on": "contacts.error.ends_before_start"})
    return update_record(
        session=session, actor=actor, model=ContactPerson, record_id=contact_id,
        expected_version=expected_version, changes={"is_active": False, "ends_on": ends_on},
    )


def delete_contact(*, session: Session, actor: Actor, contact_id: int,
                   expected_version: int) -> None:
    """Remove a contact entered by mistake (soft delete: the audit trail keeps it)."""
    contact = load_live(session, ContactPerson, contact_id)
    _require_editable_member(session, actor, contact.member_id)
    soft_delete(session=session, actor=actor, model=ContactPerson, record_id=contact_id,
                expected_version=expected_version)


def _require_editable_member(session: Session, actor: Actor, member_id: int, *,
                             lock: bool = False) -> Member:
    """The member, checked for the actor's right to keep their contacts; ``lock`` holds
    the member's row (PostgreSQL; SQLite writers queue anyway) until the transaction
    ends, so checks across the member's contacts are not raced."""
    member = session.get(Member, member_id, with_for_update=lock, populate_existing=True)
    if member is None or member.deleted_at is not None:
        raise StaleRecord()
    require_edit_member(actor, member)
    return member


def _cleaned(values: Mapping[str, object]) -> dict[str, object]:
    """Texts without invisible characters, trimmed, and None when blank; phones with
    full-width digits made plain; dates as given."""
    cleaned: dict[str, object] = {}
    for field, value in values.items():
        if field in {"starts_on", "ends_on"}:
            cleaned[field] = value
        elif field == "phone":
            cleaned[field] = clean_phone(value) or None
        else:
            cleaned[field] = clean_text(value, single_line=field != "note") or None
    return cleaned


def _errors(values: Mapping[str, object]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not values["name"]:
        errors["name"] = "contacts.error.name_required"
    for field, longest in MAX_LENGTHS.items():
        if len(values[field] or "") > longest:
            errors[field] = "members.error.too_long"
    if values["phone"] and "phone" not in errors and not PHONE_PATTERN.match(values["phone"]):
        errors["phone"] = "members.error.phone_format"
    starts_on, ends_on = values["starts_on"], values["ends_on"]
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = "contacts.error.ends_before_start"
    return errors


def _name_taken(session: Session, member_id: int, name: str, *, but: int | None = None) -> bool:
    """Whether another active contact of the member has this name (letters in any case)."""
    names = session.exec(
        select(ContactPerson.name).where(
            ContactPerson.member_id == member_id, col(ContactPerson.is_active).is_(True),
            col(ContactPerson.deleted_at).is_(None), ContactPerson.id != but,
        )
    ).all()
    return name.casefold() in {other.casefold() for other in names}
