"""Public-opinion reports (社情民意信息) and their feedback loop.

The stage a report is in is ``OpinionReport.status``; the service
``services.opinion`` is the one place that moves it. Adoptions (one per level, over
time), forwardings to departments (each with its own due date and reply), leaders'
instructions and the feedback to the members are rows of their own; every action is an
``OpinionEvent``, the report's timeline.

A report that grew out of a collected problem is linked from the problem
(``CollectedProblem.opinion_report_id``); one that grew out of a visit names it here.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import Editable, Timestamped, enum_field, organisation_field, utcnow
from models.enums import AdoptionLevel, InstructionLevel, OpinionAction, OpinionStatus


class OpinionReport(Editable, table=True):
    __table_args__ = (
        sa.Index("ix_report_committee_status", "committee_id", "status"),
        sa.Index("ix_report_status_due", "status", "due_on"),
        sa.Index("ix_opinionreport_deleted_at", "deleted_at",
                 sqlite_where=sa.text("deleted_at IS NOT NULL"),
                 postgresql_where=sa.text("deleted_at IS NOT NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    body: str
    organisation_id: int = organisation_field()
    category_id: int | None = Field(default=None, foreign_key="listentry.id", index=True)
    status: OpinionStatus = enum_field(OpinionStatus, default=OpinionStatus.SUBMITTED, index=True)
    committee_id: int = Field(foreign_key="committee.id")
    source_visit_id: int | None = Field(default=None, foreign_key="visit.id", index=True)
    is_urgent: bool = False  # the "through-train" (直通车)
    submitted_on: date = Field(index=True)
    # The highest level that adopted it and the first adoption's date (the rows are
    # ``OpinionAdoption``); kept here for the board's filters and the figures.
    adoption_level: AdoptionLevel | None = enum_field(AdoptionLevel, default=None)
    adopted_on: date | None = None
    not_adopted_reason: str | None = None
    forwarded_on: date | None = None  # the first forwarding
    replied_on: date | None = None  # the day the last department still silent replied
    feedback_on: date | None = None  # feedback given to the members
    feedback_summary: str | None = None
    closed_on: date | None = None
    stage_started_on: date | None = None  # the day the current stage began
    due_on: date | None = None  # the current stage's deadline; None when it has none
    status_changed_at: datetime = Field(default_factory=utcnow)
    idempotency_key: str | None = Field(default=None, max_length=64, unique=True)


class OpinionReportMember(SQLModel, table=True):
    """A submitting member; ``submitted_on`` is copied for the half-year quota index."""

    __table_args__ = (sa.Index("ix_reportmember_member_date", "member_id", "submitted_on"),
                      sa.Index("ix_reportmember_date_member", "submitted_on", "member_id"))

    report_id: int = Field(foreign_key="opinionreport.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True)
    is_lead: bool = False
    submitted_on: date


class OpinionEvent(SQLModel, table=True):
    """One action on a report, its timeline: a stage change (``from_status`` differs from
    ``to_status``) or an action that keeps the stage (an instruction, a further
    adoption, a department's reply before the last one). The latest event's
    ``to_status`` equals the report's status."""

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="opinionreport.id", index=True)
    action: OpinionAction = enum_field(OpinionAction)
    from_status: OpinionStatus | None = enum_field(OpinionStatus, default=None)
    to_status: OpinionStatus = enum_field(OpinionStatus)
    changed_at: datetime = Field(default_factory=utcnow, index=True)
    changed_on: date
    actor_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    actor_name: str = Field(default="", max_length=60)
    note: str | None = None


class OpinionAdoption(Timestamped, table=True):
    """A report adopted at one level (city, provincial, national), once per level."""

    __table_args__ = (sa.UniqueConstraint("report_id", "level", name="uq_adoption_level"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="opinionreport.id", index=True)
    level: AdoptionLevel = enum_field(AdoptionLevel)
    adopted_on: date
    publication: str | None = Field(default=None, max_length=120)  # e.g. 《社情民意》第12期


class OpinionForwarding(Timestamped, table=True):
    """The report forwarded to one department, and that department's reply."""

    __table_args__ = (
        sa.UniqueConstraint("report_id", "department", name="uq_forwarding_department"),
        sa.Index("ix_forwarding_department", "department"),
    )

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="opinionreport.id", index=True)
    department: str = Field(max_length=120)
    forwarded_on: date
    due_on: date
    reply: str | None = None
    replied_on: date | None = None


class LeaderInstruction(SQLModel, table=True):
    """A leader's written instruction (领导批示) on a report: at any time after submission,
    not a stage."""

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="opinionreport.id", index=True)
    level: InstructionLevel = enum_field(InstructionLevel)
    leader: str = Field(max_length=80)
    instructed_on: date
    content: str | None = None


class OpinionReportSeen(SQLModel, table=True):
    """When a user last looked at a report: what happened after it is new to them."""

    user_id: int = Field(foreign_key="app_user.id", primary_key=True)
    report_id: int = Field(foreign_key="opinionreport.id", primary_key=True)
    seen_at: datetime = Field(default_factory=utcnow)
