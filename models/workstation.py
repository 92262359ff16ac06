"""Member studios and stations, who is stationed there, and the activities held in them."""

from datetime import date

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import Editable, enum_field, organisation_field
from models.enums import WorkstationKind


class Workstation(Editable, table=True):
    """A studio (委员工作室) or station (委员工作站), guided by a special committee.

    ``is_active`` is the open/closed flag the office sets; whether a station is *idle*
    is decided by its last activity (``services.workstations``), whatever the flag says.
    """

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = organisation_field()
    name: str = Field(max_length=120, index=True)
    kind: WorkstationKind = enum_field(WorkstationKind)
    committee_id: int = Field(foreign_key="committee.id", index=True)
    sector_id: int | None = Field(default=None, foreign_key="sector.id", index=True)
    district: str | None = Field(default=None, max_length=60)
    address: str | None = Field(default=None, max_length=200)
    head_name: str | None = Field(default=None, max_length=60)  # 负责人
    head_phone: str | None = Field(default=None, max_length=30)
    established_on: date | None = None
    closed_on: date | None = None
    is_active: bool = True


class WorkstationMember(SQLModel, table=True):
    """A member stationed at a workstation from ``from_on`` to ``to_on`` (inclusive;
    open while ``to_on`` is empty). A member may serve several stints at one station."""

    __table_args__ = (
        sa.CheckConstraint("to_on IS NULL OR to_on >= from_on", name="ck_stationed_dates"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workstation_id: int = Field(foreign_key="workstation.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    from_on: date
    to_on: date | None = None
    duty_days: str | None = Field(default=None, max_length=60)  # e.g. 每周三上午


class WorkstationActivity(Editable, table=True):
    """One activity at a station: its type is an entry of the office's editable list."""

    __table_args__ = (
        # the last live activity of a station is one seek (idle rule, station lists)
        sa.Index("ix_activity_station_date", "workstation_id", "deleted_at", "activity_date"),
        sa.Index("ix_workstationactivity_deleted_at", "deleted_at",
                 sqlite_where=sa.text("deleted_at IS NOT NULL"),
                 postgresql_where=sa.text("deleted_at IS NOT NULL")),
        sa.Index("ix_activity_recorded_by", "recorded_by_user_id", "created_at"),
        sa.CheckConstraint("people_served >= 0", name="ck_activity_people_served"),
        sa.CheckConstraint("members_present >= 0", name="ck_activity_members_present"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workstation_id: int = Field(foreign_key="workstation.id")
    activity_date: date = Field(index=True)
    activity_type_id: int = Field(foreign_key="listentry.id", index=True)
    title: str | None = Field(default=None, max_length=200)
    people_served: int = 0
    # how many members were present (the rows of WorkstationActivityMember), kept on write
    # so the figures sum attendances without reading every attendance
    members_present: int = 0
    summary: str | None = None
    recorded_by_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    # One key per filled-in form: a double click finds the activity the first saved.
    idempotency_key: str | None = Field(default=None, max_length=64, unique=True)


class WorkstationActivityMember(SQLModel, table=True):
    """A member present at an activity. ``activity_date`` is copied from the activity so
    the quota reads one index (member, date) without joining the activities."""

    __table_args__ = (
        sa.Index("ix_activitymember_member_date", "member_id", "activity_date"),
        sa.Index("ix_activitymember_date_member", "activity_date", "member_id"),
    )

    activity_id: int = Field(foreign_key="workstationactivity.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True)
    activity_date: date
