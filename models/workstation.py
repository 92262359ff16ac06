"""Member studios and stations, and the activities held in them."""

from datetime import date

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import Editable, enum_field, organisation_field
from models.enums import ActivityType, WorkstationKind


class Workstation(Editable, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = organisation_field()
    name: str = Field(max_length=120, index=True)
    kind: WorkstationKind = enum_field(WorkstationKind)
    committee_id: int = Field(foreign_key="committee.id", index=True)
    sector_id: int | None = Field(default=None, foreign_key="sector.id", index=True)
    district: str | None = Field(default=None, max_length=60)
    address: str | None = Field(default=None, max_length=200)
    established_on: date | None = None
    is_active: bool = True


class WorkstationMember(SQLModel, table=True):
    """A member stationed at a workstation."""

    workstation_id: int = Field(foreign_key="workstation.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True, index=True)


class WorkstationActivity(Editable, table=True):
    __table_args__ = (
        sa.Index("ix_activity_station_date", "workstation_id", "activity_date"),
        sa.CheckConstraint("people_served >= 0", name="ck_activity_people_served"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workstation_id: int = Field(foreign_key="workstation.id")
    activity_date: date = Field(index=True)
    activity_type: ActivityType = enum_field(ActivityType, index=True)
    title: str = Field(max_length=200)
    people_served: int = 0
    notes: str | None = None


class WorkstationActivityMember(SQLModel, table=True):
    """A member present at an activity."""

    activity_id: int = Field(foreign_key="workstationactivity.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True, index=True)
