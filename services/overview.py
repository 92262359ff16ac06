"""What the home page shows: the size of the store and where we are in the quota periods."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, case, func
from sqlmodel import Session, SQLModel, select

from models import Member, OpinionReport, Visit, Workstation
from services.actors import Actor
from services.members import members_in_office_clause, store_has_members
from services.organisations import in_scope
from services.periods import Period, half_year_of, quarter_of
from services.workstations import closed_clause, idle_days, idle_now


@dataclass(frozen=True)
class StoreCounts:
    members_in_office: int
    visits: int
    opinion_reports: int
    workstations: int
    active_workstations: int  # held an activity within the idle days (not the open flag)
    idle_workstations: int
    closed_workstations: int  # their closing day has come: neither active nor idle


@dataclass(frozen=True)
class Overview:
    today: date
    counts: StoreCounts
    quarter: Period
    half_year: Period
    has_members: bool


def _count(
    session: Session, model: type[SQLModel], *conditions: ColumnElement[bool] | bool,
) -> int:
    return session.exec(select(func.count()).select_from(model).where(*conditions)).one()


def store_counts(*, session: Session, actor: Actor, today: date) -> StoreCounts:
    """Counts of the organisations the actor sees (totals reveal no record, so a member
    sees them too). A station is active or idle by its real activity
    (``services.workstations``), whatever its open flag says."""
    idle = case((idle_now(today, idle_days(session=session)), 1), else_=0)
    closed = case((closed_clause(today), 1), else_=0)
    stations, idle, closed = session.exec(
        select(func.count(Workstation.id), func.coalesce(func.sum(idle), 0),
               func.coalesce(func.sum(closed), 0))
        .where(Workstation.deleted_at.is_(None),
               in_scope(Workstation.organisation_id, actor))).one()
    stations, idle, closed = int(stations), int(idle), int(closed)
    return StoreCounts(
        members_in_office=_count(session, Member, *members_in_office_clause(today),
                                 in_scope(Member.organisation_id, actor)),
        visits=_count(session, Visit, Visit.deleted_at.is_(None),
                      in_scope(Visit.organisation_id, actor)),
        opinion_reports=_count(session, OpinionReport, OpinionReport.deleted_at.is_(None),
                               in_scope(OpinionReport.organisation_id, actor)),
        workstations=stations, active_workstations=stations - idle - closed,
        idle_workstations=idle, closed_workstations=closed,
    )


def overview(*, session: Session, actor: Actor, today: date) -> Overview:
    return Overview(
        today=today,
        counts=store_counts(session=session, actor=actor, today=today),
        quarter=quarter_of(today),
        half_year=half_year_of(today),
        has_members=store_has_members(session=session),
    )
