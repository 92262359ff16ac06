"""Small builders for hand-made test data (the demo generator covers bulk data)."""

from datetime import date

from sqlmodel import Session, select

from models import (
    Channel,
    Committee,
    ListEntry,
    ListKind,
    Member,
    MemberAssignment,
    Role,
    Sector,
    Term,
    User,
    Visit,
    VisitMember,
    Workstation,
    WorkstationActivity,
    WorkstationActivityMember,
    WorkstationMember,
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


def workstation(session: Session, committee: Committee, *, active: bool = True,
                name: str = "东城街道委员工作站",
                established_on: date | None = None) -> Workstation:
    row = Workstation(
        organisation_id=committee.organisation_id, name=name,
        kind=WorkstationKind.STATION, committee_id=committee.id,
        is_active=active, established_on=established_on,
    )
    session.add(row)
    session.flush()
    return row


def stationed(session: Session, station: Workstation, member_row: Member, *,
              from_on: date = date(2023, 1, 1), to_on: date | None = None) -> None:
    """A stint of the member at the station."""
    session.add(WorkstationMember(workstation_id=station.id, member_id=member_row.id,
                                  from_on=from_on, to_on=to_on))
    session.flush()


def activity_type(session: Session, name: str = "测试活动",
                  organisation_id: int = TOP) -> ListEntry:
    row = ListEntry(organisation_id=organisation_id, kind=ListKind.ACTIVITY_TYPE, name=name)
    session.add(row)
    session.flush()
    return row


def activity(session: Session, station: Workstation, members: list[Member], *, on: date,
             type_id: int, people_served: int = 10) -> WorkstationActivity:
    """An activity at the station with these members present (no problems)."""
    row = WorkstationActivity(workstation_id=station.id, activity_date=on,
                              activity_type_id=type_id, people_served=people_served,
                              members_present=len(members), title="活动")
    session.add(row)
    session.flush()
    session.add_all(WorkstationActivityMember(activity_id=row.id, member_id=m.id,
                                              activity_date=on) for m in members)
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
