"""What the quick entry form offers: the members in office on the chosen day (with a
pinyin code the picker's search matches), their contact persons, the workstations and
problem categories of their organisation, and the must-visit campaigns open that day."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_
from sqlmodel import Session, col, select

from models import (
    ContactPerson,
    ListKind,
    Member,
    MemberAssignment,
    Role,
    Sector,
    Workstation,
)
from services.actors import Actor
from services.lists import entry_names
from services.name_search import sort_key
from services.problems import ProblemItem


@dataclass(frozen=True)
class MemberChoice:
    id: int
    label: str  # 刘洋 · 教育界 · liuyang ly: the picker's search matches any part


@dataclass(frozen=True)
class EntryChoices:
    members: list[MemberChoice]
    workstations: dict[int, str]
    categories: dict[int, str]


def pinyin_code(name: str) -> str:
    """The name's pinyin and initials (刘洋 → ``liuyang ly``), for a search to match."""
    words = sort_key(name).split()
    return f"{''.join(words)} {''.join(word[0] for word in words if word)}"


def entry_choices(*, session: Session, actor: Actor, organisation_id: int,
                  on: date) -> EntryChoices:
    """The organisation's members in office on ``on`` (its own, not those below it: a
    district enters its visits in its own organisation) in pinyin order, and its lists.
    A member sees only themself."""
    if actor.role is not Role.MEMBER:
        actor.require_organisation(organisation_id)
    query = (
        select(Member.id, Member.name, Sector.name)
        .join(MemberAssignment, col(MemberAssignment.member_id) == Member.id)
        .join(Sector, col(Sector.id) == MemberAssignment.sector_id)
        .where(col(Member.deleted_at).is_(None),
               MemberAssignment.organisation_id == organisation_id,
               MemberAssignment.starts_on <= on,
               or_(col(MemberAssignment.ends_on).is_(None), col(MemberAssignment.ends_on) >= on))
        .order_by(col(Member.name_key), col(Member.id))
    )
    if actor.role is Role.MEMBER:
        query = query.where(Member.id == actor.member_id)
    members = [MemberChoice(member_id, f"{name} · {sector} · {pinyin_code(name)}")
               for member_id, name, sector in session.exec(query).all()]
    stations = dict(session.exec(
        select(Workstation.id, Workstation.name).where(
            Workstation.organisation_id == organisation_id,
            col(Workstation.deleted_at).is_(None))
        .order_by(col(Workstation.name), col(Workstation.id))).all())
    categories = entry_names(session=session, organisation_id=organisation_id,
                             kind=ListKind.PROBLEM_CATEGORY)
    return EntryChoices(members, stations, categories)


def contacts_of(*, session: Session, member_ids: Sequence[int]) -> dict[int, str]:
    """The active contact persons of these members: id → "name（member）"."""
    if not member_ids:
        return {}
    rows = session.exec(
        select(ContactPerson.id, ContactPerson.name, Member.name)
        .join(Member, col(Member.id) == ContactPerson.member_id)
        .where(col(ContactPerson.member_id).in_(list(member_ids)),
               col(ContactPerson.is_active).is_(True), col(ContactPerson.deleted_at).is_(None))
        .order_by(col(ContactPerson.member_id), col(ContactPerson.id))
    ).all()
    return {contact_id: f"{name}（{member}）" for contact_id, name, member in rows}


_SEPARATORS = ("：", ":")


def problem_lines(text: str, categories: dict[int, str],
                  default_category: int | None) -> list[ProblemItem]:
    """One problem or suggestion per line; a line may start with its category
    ("教育：课后服务收费不透明"), else it takes ``default_category``. Blank lines are
    skipped."""
    by_name = {name: category_id for category_id, name in categories.items()}
    items = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        category_id, content = default_category, line
        for separator in _SEPARATORS:
            head, found, rest = line.partition(separator)
            if found and head.strip() in by_name:
                category_id, content = by_name[head.strip()], rest.strip()
                break
        items.append(ProblemItem(content, category_id))
    return items
