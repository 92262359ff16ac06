"""Public-opinion reports (社情民意信息) and their feedback loop.

A report that grew out of a collected problem is linked from the problem
(``CollectedProblem.opinion_report_id``); one that grew out of a visit names it here.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import Editable, enum_field, organisation_field, utcnow
from models.enums import AdoptionLevel, InstructionLevel, OpinionCategory, OpinionStatus


class OpinionReport(Editable, table=True):
    __table_args__ = (sa.Index("ix_report_committee_status", "committee_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    body: str
    organisation_id: int = organisation_field()
    category: OpinionCategory = enum_field(OpinionCategory, index=True)
    status: OpinionStatus = enum_field(OpinionStatus, default=OpinionStatus.SUBMITTED, index=True)
    committee_id: int = Field(foreign_key="committee.id")
    source_visit_id: int | None = Field(default=None, foreign_key="visit.id", index=True)
    is_urgent: bool = False  # the "through-train" (直通车)
    submitted_on: date = Field(index=True)
    adoption_level: AdoptionLevel | None = enum_field(AdoptionLevel, default=None)
    adopted_on: date | None = None
    not_adopted_reason: str | None = None
    forwarded_to: str | None = Field(default=None, max_length=120)
    forwarded_on: date | None = None
    feedback_on: date | None = None
    feedback_summary: str | None = None
    closed_on: date | None = None
    status_changed_at: datetime = Field(default_factory=utcnow)


class OpinionReportMember(SQLModel, table=True):
    """A submitting member; ``submitted_on`` is copied for the half-year quota index."""

    __table_args__ = (sa.Index("ix_reportmember_member_date", "member_id", "submitted_on"),)

    report_id: int = Field(foreign_key="opinionreport.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True)
    is_lead: bool = False
    submitted_on: date


class OpinionStatusChange(SQLModel, table=True):
    """One step of a report's history; the latest step equals the report's status."""

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="opinionreport.id", index=True)
    from_status: OpinionStatus | None = enum_field(OpinionStatus, default=None)
    to_status: OpinionStatus = enum_field(OpinionStatus)
    changed_at: datetime = Field(default_factory=utcnow, index=True)
    changed_on: date
    actor_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    note: str | None = None


class LeaderInstruction(SQLModel, table=True):
    """A leader's written instruction (领导批示) on a report."""

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="opinionreport.id", index=True)
    level: InstructionLevel = enum_field(InstructionLevel)
    leader: str = Field(max_length=80)
    instructed_on: date
    content: str | None = None
