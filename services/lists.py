"""The office's editable lists (``ListEntry``): problem categories, departments, reply
templates. An organisation uses its own entries and those of the organisations above it
(a district uses the city's categories and adds its own departments)."""

from sqlmodel import Session, col, select

from models import ListEntry, ListKind, Organisation


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
