"""Consultation and supervision topics (协商在一线, 每月一题), and proposals (提案), light."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import Editable, enum_field, organisation_field, utcnow
from models.enums import ProposalStatus, Satisfaction, TopicKind, TopicStage


class ConsultationTopic(Editable, table=True):
    """A front-line consultation topic or a monthly supervision topic, tracked from its
    choice until its outcome is carried out: "协商有成果、办理有结果、落实有效果".

    It comes from collected problems (their ``topic_id``), from an opinion report, or is
    typed. The stage's dates are its ``TopicEvent`` rows.
    """

    __table_args__ = (
        sa.CheckConstraint("residents_count >= 0 AND experts_count >= 0",
                           name="ck_topic_counts"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = organisation_field()
    kind: TopicKind = enum_field(TopicKind)
    title: str = Field(max_length=200)
    description: str | None = None
    committee_id: int = Field(foreign_key="committee.id", index=True)
    workstation_id: int | None = Field(default=None, foreign_key="workstation.id", index=True)
    opinion_report_id: int | None = Field(default=None, foreign_key="opinionreport.id",
                                          index=True)
    supervision_month: date | None = None  # first day of the month (每月一题)
    supervision_group: str | None = Field(default=None, max_length=120)
    stage: TopicStage = enum_field(TopicStage, default=TopicStage.SELECTION, index=True)
    stage_on: date  # the day the current stage began
    proposed_on: date = Field(index=True)  # the day the topic was chosen (选题)
    residents: str | None = Field(default=None, max_length=1000)
    residents_count: int = 0
    experts: str | None = Field(default=None, max_length=1000)
    experts_count: int = 0
    departments: str | None = Field(default=None, max_length=1000)  # one per line
    department_response: str | None = None
    outcome: str | None = None
    implementation: str | None = None
    carried_out: bool | None = None  # the verdict recorded when the topic is concluded
    done_on: date | None = None
    idempotency_key: str | None = Field(default=None, max_length=64, unique=True)


class TopicMember(SQLModel, table=True):
    """A member taking part in a topic: a record of their own, counted in dossiers."""

    topic_id: int = Field(foreign_key="consultationtopic.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True, index=True)


class TopicEvent(SQLModel, table=True):
    """One step of a topic's timeline: kept for every step, never edited."""

    id: int | None = Field(default=None, primary_key=True)
    topic_id: int = Field(foreign_key="consultationtopic.id", index=True)
    from_stage: TopicStage | None = enum_field(TopicStage, default=None)
    to_stage: TopicStage = enum_field(TopicStage)
    happened_on: date
    note: str | None = Field(default=None, max_length=2000)
    recorded_at: datetime = Field(default_factory=utcnow)
    actor_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    actor_name: str = Field(max_length=60)


class Proposal(Editable, table=True):
    """A proposal (提案), kept light: enough for dossiers and handled rates."""

    __table_args__ = (sa.UniqueConstraint("organisation_id", "number", name="uq_proposal_number"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = organisation_field()
    number: str = Field(max_length=30)
    title: str = Field(max_length=200)
    term_id: int = Field(foreign_key="term.id", index=True)
    submitted_on: date = Field(index=True)
    status: ProposalStatus = enum_field(
        ProposalStatus, default=ProposalStatus.SUBMITTED, index=True
    )
    is_key: bool = False  # a key proposal followed by the leadership (重点督办)
    topic_id: int | None = Field(default=None, foreign_key="consultationtopic.id", index=True)
    handling_unit: str | None = Field(default=None, max_length=120)
    reply_summary: str | None = None
    replied_on: date | None = None
    satisfaction: Satisfaction | None = enum_field(Satisfaction, default=None)
    idempotency_key: str | None = Field(default=None, max_length=64, unique=True)


class ProposalMember(SQLModel, table=True):
    proposal_id: int = Field(foreign_key="proposal.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True, index=True)
    is_lead: bool = False
