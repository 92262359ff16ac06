"""The office's editable lists (``ListEntry``): problem categories, departments, reply
templates. An organisation uses its own entries and those of the organisations above it
(a district uses the city's categories and adds its own departments).

Administrators keep their organisations' own entries: add, rename (and reword a reply
template), reorder, deactivate and bring back. Entries are never deleted: problems carry
them. Names are unique per organisation and kind, letters in any case."""

from collections.abc import Sequence

from sqlmodel import Session, col, select

from models import AuditAction, ListEntry, ListKind, Organisation, Role, utcnow
from services.actors import Actor
from services.audit import changed_values, record_audit, snapshot
from services.errors import StaleRecord, ValidationFailed
from services.text import clean_text


def ancestors(session: Session, organisation_id: int) -> list[int]:
    """The organisation and those above it, nearest first."""
    parents = dict(session.exec(select(Organisation.id, Organisation.parent_id)).all())
    chain: list[int] = []
    current: int | None = organisation_id
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return chain


def entries(*, session: Session, organisation_id: int, kind: ListKind,
            include_inactive: bool = False) -> list[ListEntry]:
    """The list as the organisation uses it: the top organisation's entries first, then
    each level's own, each in its order."""
    chain = ancestors(session, organisation_id)
    query = select(ListEntry).where(ListEntry.kind == kind,
                                    col(ListEntry.organisation_id).in_(chain))
    if not include_inactive:
        query = query.where(col(ListEntry.is_active).is_(True))
    depth = {org: index for index, org in enumerate(reversed(chain))}
    return sorted(session.exec(query).all(),
                  key=lambda e: (depth[e.organisation_id], e.position, e.name, e.id))


def entry_names(*, session: Session, organisation_id: int, kind: ListKind) -> dict[int, str]:
    """Active entries as id → name, in the list's order (for a picker)."""
    return {entry.id: entry.name
            for entry in entries(session=session, organisation_id=organisation_id, kind=kind)}


# --- keeping the lists (administrators) -----------------------------------------------

NAME_LENGTH = 60
TEXT_LENGTH = 1000


def own_entries(*, session: Session, actor: Actor, organisation_id: int,
                kind: ListKind) -> list[ListEntry]:
    """The organisation's own entries of ``kind``, inactive ones too, in their order: what
    its administrators edit (the entries above it are their own organisations')."""
    _require_admin(actor, organisation_id)
    return _own(session, organisation_id, kind)


def names_in_scope(*, session: Session, actor: Actor, kind: ListKind) -> dict[int, str]:
    """Every entry of ``kind`` an actor's records may carry (their organisations' and
    those above), inactive ones too, as id → name: the choices of a filter."""
    owners = set(ancestors(session, actor.organisation_id)) if actor.organisation_id else set()
    query = select(ListEntry).where(ListEntry.kind == kind)
    if actor.organisation_ids is not None:
        owners |= actor.organisation_ids
        query = query.where(col(ListEntry.organisation_id).in_(sorted(owners)))
    rows = session.exec(query).all()
    return {entry.id: entry.name
            for entry in sorted(rows, key=lambda e: (e.organisation_id, e.position, e.name))}


def add_entry(*, session: Session, actor: Actor, organisation_id: int, kind: ListKind,
              name: str, text: str = "") -> ListEntry:
    """A new active entry at the end of the organisation's list. A reply template needs
    its wording (``{department}`` stands for the department a problem went to)."""
    _require_admin(actor, organisation_id)
    _lock_organisation(session, organisation_id)
    values = _checked(session, organisation_id, kind, name, text, entry_id=None)
    last = max((entry.position for entry in _own(session, organisation_id, kind)), default=-1)
    entry = ListEntry(organisation_id=organisation_id, kind=kind, position=last + 1,
                      is_active=True, **values)
    session.add(entry)
    session.flush()
    record_audit(session=session, actor=actor, action=AuditAction.CREATE, entity="ListEntry",
                 entity_id=entry.id, after=snapshot(entry))
    return entry


def update_entry(*, session: Session, actor: Actor, entry_id: int, name: str,
                 text: str = "") -> ListEntry:
    """Rename an entry (and for a template, reword it). Records that carry the entry show
    the new name: a correction, not a new entry."""
    entry = _entry_for_update(session, actor, entry_id)
    values = _checked(session, entry.organisation_id, entry.kind, name, text,
                      entry_id=entry_id)
    _save(session, actor, entry, values)
    return entry


def set_entry_active(*, session: Session, actor: Actor, entry_id: int,
                     active: bool) -> ListEntry:
    """Deactivate an entry (pickers no longer offer it; records keep it) or bring it back."""
    entry = _entry_for_update(session, actor, entry_id)
    _save(session, actor, entry, {"is_active": active})
    return entry


def reorder_entries(*, session: Session, actor: Actor, organisation_id: int, kind: ListKind,
                    entry_ids: Sequence[int]) -> None:
    """Put the organisation's own entries of ``kind`` in the order of ``entry_ids`` (all
    of them). A list changed meanwhile is refused as stale: the order would be a guess."""
    _require_admin(actor, organisation_id)
    _lock_organisation(session, organisation_id)
    rows = {entry.id: entry for entry in _own(session, organisation_id, kind)}
    if sorted(entry_ids) != sorted(rows):
        raise StaleRecord()
    for position, entry_id in enumerate(entry_ids):
        if rows[entry_id].position != position:
            _save(session, actor, rows[entry_id], {"position": position})


def _own(session: Session, organisation_id: int, kind: ListKind) -> list[ListEntry]:
    return list(session.exec(
        select(ListEntry).where(ListEntry.organisation_id == organisation_id,
                                ListEntry.kind == kind)
        .order_by(ListEntry.position, ListEntry.name, ListEntry.id)
    ).all())


def _require_admin(actor: Actor, organisation_id: int) -> None:
    actor.require_role(Role.ADMIN)
    actor.require_organisation(organisation_id)


def _lock_organisation(session: Session, organisation_id: int) -> None:
    """Hold the organisation's row until the transaction ends (PostgreSQL), so two saves
    at once cannot both pass the check for a duplicate name."""
    if session.get(Organisation, organisation_id, with_for_update=True) is None:
        raise StaleRecord()


def _entry_for_update(session: Session, actor: Actor, entry_id: int) -> ListEntry:
    entry = session.get(ListEntry, entry_id, populate_existing=True)
    if entry is None:
        raise StaleRecord()
    _require_admin(actor, entry.organisation_id)
    _lock_organisation(session, entry.organisation_id)
    return entry


TEMPLATE_KINDS = frozenset({ListKind.PROBLEM_REPLY_TEMPLATE, ListKind.OPINION_REPLY_TEMPLATE})
"""The kinds whose entries have a wording (``text``) besides their name."""


def _checked(session: Session, organisation_id: int, kind: ListKind, name: str, text: str,
             *, entry_id: int | None) -> dict[str, object]:
    """The entry's cleaned name and text; ``ValidationFailed`` with every field's problem.
    Only a reply template has a text."""
    name = clean_text(name)
    wording = clean_text(text, single_line=False) if kind in TEMPLATE_KINDS else ""
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "lists.error.name_required"
    elif len(name) > NAME_LENGTH:
        errors["name"] = "lists.error.name_too_long"
    elif any(other.name.casefold() == name.casefold() and other.id != entry_id
             for other in _own(session, organisation_id, kind)):
        errors["name"] = "lists.error.duplicate"
    if kind in TEMPLATE_KINDS and not wording:
        errors["text"] = "lists.error.text_required"
    elif len(wording) > TEXT_LENGTH:
        errors["text"] = "lists.error.text_too_long"
    if errors:
        raise ValidationFailed(errors)
    return {"name": name, "text": wording or None}


def _save(session: Session, actor: Actor, entry: ListEntry, values: dict[str, object]) -> None:
    """Change the entry and audit what changed (nothing changed writes nothing)."""
    before = snapshot(entry)
    for field, value in values.items():
        setattr(entry, field, value)
    old, new = changed_values(before, snapshot(entry), values)
    if not new:
        return
    entry.updated_at = utcnow()
    session.add(entry)
    session.flush()
    record_audit(session=session, actor=actor, action=AuditAction.UPDATE, entity="ListEntry",
                 entity_id=entry.id, before=old, after=new)
