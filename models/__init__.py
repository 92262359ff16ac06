"""All tables, imported here so ``SQLModel.metadata`` is complete for Alembic."""

from models.accounts import (
    AppSetting,
    AuditEntry,
    AuthSession,
    SignInThrottle,
    User,
    UserCommittee,
)
from models.base import utcnow
from models.comments import Comment
from models.enums import (
    ActivityType,
    AdoptionLevel,
    AuditAction,
    Channel,
    Gender,
    InstructionLevel,
    OpinionCategory,
    OpinionStatus,
    ProblemStatus,
    ProposalStatus,
    Role,
    TopicKind,
    TopicStatus,
    VisitOccasion,
    WorkstationKind,
)
from models.opinion import (
    LeaderInstruction,
    OpinionReport,
    OpinionReportMember,
    OpinionStatusChange,
)
from models.organisation import Committee, ContactPerson, Member, MemberLeave, Sector, Term
from models.store import DataVersion
from models.topics import ConsultationTopic, Proposal, ProposalMember
from models.visits import (
    CampaignSector,
    CollectedProblem,
    MustVisitCampaign,
    Visit,
    VisitContact,
    VisitMember,
)
from models.workstation import (
    Workstation,
    WorkstationActivity,
    WorkstationActivityMember,
    WorkstationMember,
)

__all__ = [
    "ActivityType", "AdoptionLevel", "AppSetting", "AuditAction", "AuditEntry", "AuthSession",
    "CampaignSector", "Channel",
    "CollectedProblem", "Comment", "Committee", "ConsultationTopic", "ContactPerson",
    "DataVersion", "Gender",
    "InstructionLevel", "LeaderInstruction", "Member", "MemberLeave", "MustVisitCampaign",
    "OpinionCategory", "OpinionReport", "OpinionReportMember", "OpinionStatus",
    "OpinionStatusChange", "ProblemStatus", "Proposal", "ProposalMember", "ProposalStatus",
    "Role", "Sector", "SignInThrottle", "Term", "TopicKind", "TopicStatus", "User",
    "UserCommittee", "Visit",
    "VisitContact", "VisitMember", "VisitOccasion", "Workstation", "WorkstationActivity",
    "WorkstationActivityMember", "WorkstationKind", "WorkstationMember", "utcnow",
]
