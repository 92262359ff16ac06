"""Visits recorded on the registration form, the problems they collect, and must-visit
campaigns."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import Editable, Timestamped, enum_field, organisation_field, utcnow
from models.enums import Channel, ProblemStatus, VisitOccasion


class MustVisitCampaign(Timestamped, table=True):
    """A must-visit occasion declared for some sectors with a time window."""

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = organisation_field()
    occasion: VisitOccasion = enum_field(VisitOccasion)
    title: str = Field(max_length=200)
    starts_on: date = Field(index=True)
    ends_on: date
    description: str | None = None


class CampaignSector(SQLModel, table=True):
    campaign_id: int = Field(foreign_key="mustvisitcampaign.id", primary_key=True)
    sector_id: int = Field(foreign_key="sector.id", primary_key=True)


class Visit(Editable, table=True):
    """One contact activity: the registration form (登记表).

    ``contact_targets`` (联系对象) and ``summary`` (主要做法和基本情况) are the form's
    free-text fields; the problems and suggestions are ``CollectedProblem`` rows.
    """

    __table_args__ = (sa.CheckConstraint("head_count >= 1", name="ck_visit_head_count"),
                      sa.Index("ix_visit_deleted_at", "deleted_at",
                               sqlite_where=sa.text("deleted_at IS NOT NULL"),
                               postgresql_where=sa.text("deleted_at IS NOT NULL")))

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = organisation_field()
    visit_date: date = Field(index=True)
    channel: Channel = enum_field(Channel, index=True)
    occasion: VisitOccasion = enum_field(VisitOccasion, default=VisitOccasion.ROUTINE)
    campaign_id: int | None = Field(default=None, foreign_key="mustvisitcampaign.id", index=True)
    contact_targets: str = Field(max_length=500)
    head_count: int = 1
    workstation_id: int | None = Field(default=None, foreign_key="workstation.id", index=True)
    summary: str
    at_base_unit: bool = False  # held at the member's own employer (所在单位)
    recorded_by_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    # One key per filled-in form: a double click or a retried request finds the visit
    # the first submit saved instead of writing a second one.
    idempotency_key: str | None = Field(default=None, max_length=64, unique=True)
    # Fed back to the committee: who of its staff took note of the visit, and when
    # (staff entries are acknowledged on save, a member's own waits for staff).
    acknowledged_by_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    acknowledged_at: datetime | None = Field(default=None, index=True)


class VisitMember(SQLModel, table=True):
    """A member taking part in a visit (joint visits have several).

    ``visit_date`` is copied from the visit so quota queries read one index
    (member, date) without joining the visits.
    """

    __table_args__ = (sa.Index("ix_visitmember_member_date", "member_id", "visit_date"),
                      sa.Index("ix_visitmember_date_member", "visit_date", "member_id"))

    visit_id: int = Field(foreign_key="visit.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True)
    visit_date: date
    position: int = 0  # 0 for the lead member, then in the order entered


class VisitContact(SQLModel, table=True):
    """A registered contact person reached by a visit."""

    visit_id: int = Field(foreign_key="visit.id", primary_key=True)
    contact_person_id: int = Field(foreign_key="contactperson.id", primary_key=True, index=True)


class CollectedProblem(Editable, table=True):
    """A problem or suggestion collected at a visit or a workstation activity, followed
    up by ``committee_id`` until handled."""

    __table_args__ = (sa.Index("ix_problem_committee_status", "committee_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    visit_id: int | None = Field(default=None, foreign_key="visit.id", index=True)
    organisation_id: int = organisation_field()
    activity_id: int | None = Field(default=None, foreign_key="workstationactivity.id", index=True)
    committee_id: int = Field(foreign_key="committee.id")
    category_id: int | None = Field(default=None, foreign_key="listentry.id", index=True)
    content: str
    suggestion: str | None = None
    status: ProblemStatus = enum_field(ProblemStatus, default=ProblemStatus.PENDING, index=True)
    collected_on: date = Field(index=True)
    department: str | None = Field(default=None, max_length=120)  # referred to
    referred_on: date | None = None
    due_on: date | None = None
    handled_on: date | None = Field(default=None, index=True)
    handling_note: str | None = None  # the department's reply, or how it was handled
    fed_back_on: date | None = None  # the reply passed back to the people who raised it
    close_reason: str | None = Field(default=None, max_length=500)
    opinion_report_id: int | None = Field(
        default=None, foreign_key="opinionreport.id", index=True
    )
    topic_id: int | None = Field(default=None, foreign_key="consultationtopic.id", index=True)
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id", index=True)
    status_changed_at: datetime | None = None


class ProblemStatusChange(SQLModel, table=True):
    """One step in a problem's history: kept for every change, never edited."""

    id: int | None = Field(default=None, primary_key=True)
    problem_id: int = Field(foreign_key="collectedproblem.id", index=True)
    from_status: ProblemStatus | None = enum_field(ProblemStatus, default=None)
    to_status: ProblemStatus = enum_field(ProblemStatus)
    changed_at: datetime = Field(default_factory=utcnow)
    actor_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    actor_name: str = Field(max_length=60)
    note: str | None = Field(default=None, max_length=1000)
