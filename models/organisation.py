"""The organisation: terms, sectors, committees, members and their contacts."""

from datetime import date

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import Editable, Timestamped, enum_field
from models.enums import Gender


class Term(SQLModel, table=True):
    """A term of the committee (届次), e.g. 十四届."""

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True)
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
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60, unique=True)
    sort_order: int = 0
    holiday_name: str | None = Field(default=None, max_length=60)
    holiday_month: int | None = None
    holiday_day: int | None = None


class Committee(Timestamped, table=True):
    """A special committee (专门委员会); ``is_liaison`` marks the liaison work committee."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60, unique=True)
    sort_order: int = 0
    is_liaison: bool = False


class Member(Editable, table=True):
    """A CPPCC member (委员). Quotas apply between ``in_office_from`` and
    ``in_office_to`` (inclusive), outside approved leave periods."""

    __table_args__ = (
        sa.Index("ix_member_sector_active", "sector_id", "deleted_at"),
        sa.Index("ix_member_committee_active", "committee_id", "deleted_at"),
        sa.CheckConstraint(
            "in_office_to IS NULL OR in_office_to >= in_office_from", name="ck_member_office"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40, index=True)
    gender: Gender | None = enum_field(Gender, default=None)
    birth_year: int | None = None
    phone: str | None = Field(default=None, max_length=30)
    employer: str | None = Field(default=None, max_length=120)
    sector_id: int = Field(foreign_key="sector.id")
    committee_id: int = Field(foreign_key="committee.id")
    term_id: int = Field(foreign_key="term.id", index=True)
    is_standing_committee: bool = False
    is_cpc: bool = False
    base_unit: str | None = Field(default=None, max_length=120)
    in_office_from: date
    in_office_to: date | None = None


class MemberLeave(Timestamped, table=True):
    """A leave period; only an approved leave suspends the member's quotas."""

    __table_args__ = (sa.CheckConstraint("ends_on >= starts_on", name="ck_leave_period"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    starts_on: date
    ends_on: date
    reason: str | None = Field(default=None, max_length=200)
    approved: bool = False


class ContactPerson(Editable, table=True):
    """A sector contact person (界别群众联系人); about ten per member."""

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    name: str = Field(max_length=40)
    phone: str | None = Field(default=None, max_length=30)
    organisation: str | None = Field(default=None, max_length=120)
    note: str | None = Field(default=None, max_length=200)
