"""Consultation and supervision topics, and proposals (提案)."""

from datetime import date

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import Editable, enum_field, organisation_field
from models.enums import ProposalStatus, TopicKind, TopicStatus


class ConsultationTopic(Editable, table=True):
    """A front-line consultation or supervision topic, tracked until its outcome is
    converted and carried out."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    kind: TopicKind = enum_field(TopicKind)
    organisation_id: int = organisation_field()
    status: TopicStatus = enum_field(TopicStatus, default=TopicStatus.PROPOSED, index=True)
    committee_id: int = Field(foreign_key="committee.id", index=True)
    workstation_id: int | None = Field(default=None, foreign_key="workstation.id", index=True)
    proposed_on: date = Field(index=True)
    consulted_on: date | None = None
    participants: str | None = None
    outcome: str | None = None
    follow_up: str | None = None
    done_on: date | None = None


class Proposal(Editable, table=True):
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
    handling_unit: str | None = Field(default=None, max_length=120)
    reply_summary: str | None = None
    replied_on: date | None = None


class ProposalMember(SQLModel, table=True):
    proposal_id: int = Field(foreign_key="proposal.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True, index=True)
    is_lead: bool = False
