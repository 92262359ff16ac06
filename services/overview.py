"""What the home page shows: the size of the store and where we are in the quota periods."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, SQLModel, select

from models import Member, OpinionReport, Visit, Workstation
from services.members import members_in_office_clause, store_has_members
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


def _count(
    session: Session, model: type[SQLModel], *conditions: ColumnElement[bool] | bool,
) -> int:
    return session.exec(select(func.count()).select_from(model).where(*conditions)).one()


def store_counts(*, session: Session, today: date) -> StoreCounts:
    """Counts everyone may see, whoever asks: totals reveal no record."""
    return StoreCounts(
        members_in_office=_count(session, Member, *members_in_office_clause(today)),
        visits=_count(session, Visit, Visit.deleted_at.is_(None)),
        opinion_reports=_count(session, OpinionReport, OpinionReport.deleted_at.is_(None)),
        workstations=_count(session, Workstation, Workstation.deleted_at.is_(None)),
        active_workstations=_count(
            session, Workstation, Workstation.deleted_at.is_(None), Workstation.is_active
        ),
    )


def overview(*, session: Session, today: date) -> Overview:
    return Overview(
        today=today,
        counts=store_counts(session=session, today=today),
        quarter=quarter_of(today),
        half_year=half_year_of(today),
        has_members=store_has_members(session=session),
    )
