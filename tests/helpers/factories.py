"""Small builders for hand-made test data (the demo generator covers bulk data)."""

from datetime import date

from sqlmodel import Session, select

from models import (
    Channel,
    Committee,
    Member,
    MemberAssignment,
    Role,
    Sector,
    Term,
    User,
    Visit,
    VisitMember,
    Workstation,
)
from models.enums import WorkstationKind
from services.actors import Actor
from services.name_search import sort_key

TOP = 1  # the organisation every store starts with (migration 0008)


def organisation(session: Session, organisation_id: int = TOP) -> tuple[Sector, Committee, Term]:
    """A sector, a committee and the current term of an organisation."""
    sector = Sector(organisation_id=organisation_id, name="教育界")
    committee = Committee(organisation_id=organisation_id, name="教科卫体委员会")
    term = Term(organisation_id=organisation_id, number=14, name="十四届",
                starts_on=date(2023, 1, 1), is_current=True)
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
        organisation_id=sector.organisation_id, name=name, name_key=sort_key(name),
        sector_id=sector.id, committee_id=committee.id, term_id=term.id,
        in_office_from=in_office_from, in_office_to=in_office_to,
    )
    session.add(row)
    session.flush()
    session.add(MemberAssignment(
        member_id=row.id, organisation_id=row.organisation_id, term_id=term.id,
        sector_id=sector.id, committee_id=committee.id, starts_on=in_office_from,
        ends_on=in_office_to,
    ))
    session.flush()
    return row


def visit(session: Session, members: list[Member], *, on: date) -> Visit:
    row = Visit(
        organisation_id=members[0].organisation_id, visit_date=on,
        channel=Channel.FACE_TO_FACE, contact_targets="社区居民",
        summary="走访了解情况",
    )
    session.add(row)
    session.flush()
    session.add_all(VisitMember(visit_id=row.id, member_id=m.id, visit_date=on) for m in members)
    return row


def workstation(session: Session, committee: Committee, *, active: bool = True) -> Workstation:
    row = Workstation(
        organisation_id=committee.organisation_id, name="东城街道委员工作站",
        kind=WorkstationKind.STATION, committee_id=committee.id,
        is_active=active,
    )
    session.add(row)
    session.flush()
    return row


def user(session: Session, username: str, role: Role, *, organisation_id: int = TOP) -> User:
    """A user row with an unusable password (tests of scope never sign in)."""
    row = User(organisation_id=organisation_id, username=username, display_name=username,
               password_hash="!", role=role)
    session.add(row)
    session.flush()
    return row


def actor(session: Session, username: str, role: Role, *, committees=(), member_id=None,
          organisations=frozenset({TOP})) -> Actor:
    """A user row and the actor it signs in as, with the scope given (not read back)."""
    user(session, username, role)
    row = session.exec(select(User).where(User.username == username)).one()
    return Actor(user_id=row.id, name=username, role=role, committee_ids=frozenset(committees),
                 member_id=member_id, organisation_id=TOP,
                 organisation_ids=frozenset(organisations))
