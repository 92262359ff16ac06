"""Organisations (政协组织) and the scope they give: a user works within their own
organisation and sees the ones below it. A deployment with one organisation shows no
organisation anywhere (``is_single``).

Every list of members and records is filtered with ``in_scope``; every service that
touches one row asks ``Actor.require_organisation``.
"""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, true
from sqlmodel import Session, col, select

from models import Organisation, OrgLevel
from services.actors import Actor


@dataclass(frozen=True)
class OrganisationRow:
    id: int
    name: str
    level: OrgLevel
    parent_id: int | None
    depth: int  # 0 for a top organisation

    @property
    def indented_name(self) -> str:
        """The name indented by its depth, for pickers that show the tree."""
        return "\u3000" * self.depth + self.name


def organisation_tree(*, session: Session) -> list[OrganisationRow]:
    """Every organisation, each followed by those below it (by sort order, then name)."""
    rows = session.exec(
        select(Organisation.id, Organisation.name, Organisation.level, Organisation.parent_id)
        .order_by(Organisation.sort_order, Organisation.name, Organisation.id)
    ).all()
    children: dict[int | None, list] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    known = {row.id for row in rows}
    tree: list[OrganisationRow] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for row in children.get(parent_id, []):
            tree.append(OrganisationRow(row.id, row.name, row.level, row.parent_id, depth))
            walk(row.id, depth + 1)

    walk(None, 0)
    # A parent outside the store cannot happen (foreign key), a cycle only by hand-editing:
    # such rows are still listed, as top organisations.
    for row in rows:
        if row.id not in {r.id for r in tree} and row.parent_id in known:
            tree.append(OrganisationRow(row.id, row.name, row.level, None, 0))
    return tree


def below(tree: list[OrganisationRow], organisation_id: int) -> frozenset[int]:
    """The organisation and every organisation below it."""
    children: dict[int | None, list[int]] = {}
    for row in tree:
        children.setdefault(row.parent_id, []).append(row.id)
    found, todo = {organisation_id}, [organisation_id]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return frozenset(found)


def scope_of(*, session: Session, organisation_id: int) -> frozenset[int]:
    return below(organisation_tree(session=session), organisation_id)


def visible_organisations(*, session: Session, actor: Actor) -> list[OrganisationRow]:
    """The organisations the actor sees, in tree order, indented from the actor's own."""
    tree = organisation_tree(session=session)
    if actor.organisation_ids is None:
        return tree
    rows = [row for row in tree if row.id in actor.organisation_ids]
    top = min((row.depth for row in rows), default=0)
    return [OrganisationRow(r.id, r.name, r.level, r.parent_id, r.depth - top) for r in rows]


def is_single(*, session: Session) -> bool:
    """One organisation in the store: no picker, no organisation column anywhere."""
    return len(session.exec(select(Organisation.id).limit(2)).all()) <= 1


def top_organisation_id(*, session: Session) -> int:
    """The first top organisation: where the first administrator and the command line's
    imports belong when nothing else is said."""
    found = session.exec(
        select(Organisation.id).where(col(Organisation.parent_id).is_(None))
        .order_by(Organisation.sort_order, Organisation.id).limit(1)
    ).first()
    if found is None:  # the migration creates one; someone removed it by hand
        raise LookupError("the store has no organisation")
    return found


def in_scope(column: ColumnElement, actor: Actor) -> ColumnElement[bool]:
    """A filter keeping the rows of the organisations the actor sees."""
    if actor.organisation_ids is None:
        return true()
    return col(column).in_(sorted(actor.organisation_ids))
