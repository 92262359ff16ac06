"""Small builders for hand-made test data (the demo generator covers bulk data)."""

from datetime import date

from sqlmodel import Session

from models import (
    Channel,
    Committee,
    Member,
    Role,
    Sector,
    Term,
    User,
    Visit,
    VisitMember,
    Workstation,
)
from models.enums import WorkstationKind


def organisation(session: Session) -> tuple[Sector, Committee, Term]:
    sector, committee = Sector(name="教育界"), Committee(name="教科卫体委员会")
    term = Term(number=14, name="十四届", starts_on=date(2023, 1, 1), is_current=True)
    session.add_all([sector, committee, term])
    session.flush()
    return sector, committee, term


def member(
    session: Session,
    org: tuple[Sector, Committee, Term],
    *,
    name: str = "王芳",
    in_office_from: date = date(2023, 1, 1),
    in_office_to: date | None = None,
) -> Member:
    sector, committee, term = org
    row = Member(
        name=name, sector_id=sector.id, committee_id=committee.id, term_id=term.id,
        in_office_from=in_office_from, in_office_to=in_office_to,
    )
    session.add(row)
    session.flush()
    return row


def visit(session: Session, members: list[Member], *, on: date) -> Visit:
    row = Visit(
        visit_date=on, channel=Channel.FACE_TO_FACE, contact_targets="社区居民",
        summary="走访了解情况",
    )
    session.add(row)
    session.flush()
    session.add_all(VisitMember(visit_id=row.id, member_id=m.id, visit_date=on) for m in members)
    return row


def workstation(session: Session, committee: Committee, *, active: bool = True) -> Workstation:
    row = Workstation(
        name="东城街道委员工作站", kind=WorkstationKind.STATION, committee_id=committee.id,
        is_active=active,
    )
    session.add(row)
    session.flush()
    return row


def user(session: Session, username: str, role: Role) -> User:
    """A user row with an unusable password (tests of scope never sign in)."""
    row = User(username=username, display_name=username, password_hash="!", role=role)
    session.add(row)
    session.flush()
    return row
