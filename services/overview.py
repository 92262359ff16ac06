"""What the home page shows: the size of the store and where we are in the quota periods."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, select

from models import Member, OpinionReport, Visit, Workstation
from services.actors import Actor
from services.periods import Period, half_year_of, quarter_of


@dataclass(frozen=True)
class StoreCounts:
    members_in_office: int
    visits: int
    opinion_reports: int
    workstations: int
    active_workstations: int


@dataclass(frozen=True)
class Overview:
    today: date
    counts: StoreCounts
    quarter: Period
    half_year: Period
    has_members: bool


def members_in_office_clause(today: date) -> tuple[ColumnElement[bool], ...]:
    return (
        Member.deleted_at.is_(None),
        Member.in_office_from <= today,
        or_(Member.in_office_to.is_(None), Member.in_office_to >= today),
    )


def _count(session: Session, model: type, *conditions: object) -> int:
    return session.exec(select(func.count()).select_from(model).where(*conditions)).one()


def store_counts(*, session: Session, actor: Actor, today: date) -> StoreCounts:
    """Counts everyone may see: leadership reads all, and totals reveal no record."""
    return StoreCounts(
        members_in_office=_count(session, Member, *members_in_office_clause(today)),
        visits=_count(session, Visit, Visit.deleted_at.is_(None)),
        opinion_reports=_count(session, OpinionReport, OpinionReport.deleted_at.is_(None)),
        workstations=_count(session, Workstation, Workstation.deleted_at.is_(None)),
        active_workstations=_count(
            session, Workstation, Workstation.deleted_at.is_(None), Workstation.is_active
        ),
    )


def store_has_members(*, session: Session) -> bool:
    return session.exec(select(Member.id).limit(1)).first() is not None


def overview(*, session: Session, actor: Actor, today: date) -> Overview:
    return Overview(
        today=today,
        counts=store_counts(session=session, actor=actor, today=today),
        quarter=quarter_of(today),
        half_year=half_year_of(today),
        has_members=store_has_members(session=session),
    )
