"""Organisations (政协组织) and what belongs to each: terms, sectors, committees,
members with the history of their assignments, their contact persons and leaves."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import Editable, Timestamped, enum_field, organisation_field, utcnow
from models.enums import Gender, LeaveStatus, OrgLevel


class Organisation(Timestamped, table=True):
    """A CPPCC organisation (政协组织): a province, city, district or county committee.
    A deployment holds one, or a tree of them (a city with its districts and counties);
    users see their own organisation and the ones below it."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60, unique=True)
    level: OrgLevel = enum_field(OrgLevel)
    parent_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    sort_order: int = 0


class Term(SQLModel, table=True):
    """A term of an organisation (届次), e.g. 十四届; each organisation counts its own."""

    __table_args__ = (sa.UniqueConstraint("organisation_id", "number", name="uq_term_number"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = organisation_field()
    number: int
    name: str = Field(max_length=40)
    starts_on: date
    ends_on: date | None = None
    is_current: bool = False


class Sector(Timestamped, table=True):
    """A sector (界别). A sector may have its own holiday, a must-visit occasion."""

    __table_args__ = (
        sa.CheckConstraint(
            "(holiday_month IS NULL AND holiday_day IS NULL) OR "
            "(holiday_month BETWEEN 1 AND 12 AND holiday_day BETWEEN 1 AND 31)",
            name="ck_sector_holiday",
        ),
        sa.UniqueConstraint("organisation_id", "name", name="uq_sector_name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = organisation_field()
    name: str = Field(max_length=60)
    sort_order: int = 0
    holiday_name: str | None = Field(default=None, max_length=60)
    holiday_month: int | None = None
    holiday_day: int | None = None


class Committee(Timestamped, table=True):
    """A special committee (专门委员会); ``is_liaison`` marks the liaison work committee."""

    __table_args__ = (sa.UniqueConstraint("organisation_id", "name", name="uq_committee_name"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = organisation_field()
    name: str = Field(max_length=60)
    sort_order: int = 0
    is_liaison: bool = False


class Member(Editable, table=True):
    """A CPPCC member (委员): one identity across terms. The organisation, term, sector,
    committee and office dates here are the current ones; ``MemberAssignment`` keeps every
    earlier one with its dates, and past periods are counted against those. Quotas apply
    between ``in_office_from`` and ``in_office_to`` (inclusive), outside approved leave."""

    __table_args__ = (
        sa.Index("ix_member_sector_active", "sector_id", "deleted_at"),
        sa.Index("ix_member_committee_active", "committee_id", "deleted_at"),
        sa.CheckConstraint(
            "in_office_to IS NULL OR in_office_to >= in_office_from", name="ck_member_office"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = organisation_field()
    name: str = Field(max_length=40, index=True)
    # The name's pinyin (see ``services.name_search.sort_key``): the directory's order.
    name_key: str = Field(default="", max_length=200, index=True)
    gender: Gender | None = enum_field(Gender, default=None)
    birth_year: int | None = None
    phone: str | None = Field(default=None, max_length=30)
    employer: str | None = Field(default=None, max_length=120)
    post: str | None = Field(default=None, max_length=60)  # 职务
    sector_id: int = Field(foreign_key="sector.id")
    committee_id: int = Field(foreign_key="committee.id")
    term_id: int = Field(foreign_key="term.id", index=True)
    is_standing_committee: bool = False
    is_cpc: bool = False
    base_unit: str | None = Field(default=None, max_length=120)
    in_office_from: date
    in_office_to: date | None = None


class MemberAssignment(SQLModel, table=True):
    """Where a member sat from ``starts_on`` to ``ends_on`` (inclusive; open while None):
    organisation, term, sector and committee. A member's assignments do not overlap; a
    change of any of them closes one and opens the next, so a past period is counted
    against the committee the member belonged to then."""

    __table_args__ = (
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ck_assignment_dates"),
        sa.Index("ix_assignment_member_start", "member_id", "starts_on"),
        sa.Index("ix_assignment_committee_start", "committee_id", "starts_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id")
    organisation_id: int = Field(foreign_key="organisation.id")
    term_id: int = Field(foreign_key="term.id")
    sector_id: int = Field(foreign_key="sector.id", index=True)
    committee_id: int = Field(foreign_key="committee.id")
    starts_on: date
    ends_on: date | None = None
    created_at: datetime = Field(default_factory=utcnow, nullable=False)


class MemberLeave(Editable, table=True):
    """A leave request with its dates and reason. Staff of the member's committee approve
    or refuse it (who and when is kept); only an approved leave suspends quotas."""

    __table_args__ = (sa.CheckConstraint("ends_on >= starts_on", name="ck_leave_period"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    starts_on: date
    ends_on: date
    reason: str | None = Field(default=None, max_length=200)
    status: LeaveStatus = enum_field(LeaveStatus, default=LeaveStatus.PENDING, index=True)
    requested_by_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    decided_by_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = None
    decision_note: str | None = Field(default=None, max_length=200)


class ContactPerson(Editable, table=True):
    """A sector contact person (界别群众联系人); about ten per member."""

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    name: str = Field(max_length=40)
    phone: str | None = Field(default=None, max_length=30)
    organisation: str | None = Field(default=None, max_length=120)  # their workplace
    sector_relation: str | None = Field(default=None, max_length=60)  # how they relate
    starts_on: date | None = None
    ends_on: date | None = None
    is_active: bool = True
    note: str | None = Field(default=None, max_length=200)
