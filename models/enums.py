"""Vocabularies of the domain. Values are stored as strings; Chinese labels live in the
message catalog under ``enum.<EnumName>.<value>``."""

from enum import StrEnum


class Channel(StrEnum):
    """The five channels of the "1158" method."""

    FACE_TO_FACE = "face_to_face"  # visits and heart-to-heart talks
    REGULAR_WORK = "regular_work"  # research, opinion gathering
    ONLINE = "online"  # online / mobile contact
    SERVICE_ACTIVITY = "service_activity"  # legal aid, condolence visits ...
    PLATFORM = "platform"  # salons, studios, stations


class VisitOccasion(StrEnum):
    """Routine contact or one of the eight must-visit occasions (八必访)."""

    ROUTINE = "routine"
    MAJOR_SPEECH = "major_speech"
    CONGRESS_OR_TWO_SESSIONS = "congress_or_two_sessions"
    NEW_POLICY = "new_policy"
    BEFORE_PLENARY = "before_plenary"
    CONTACT_LIFE_CHANGE = "contact_life_change"
    CONTACT_REQUEST = "contact_request"
    CONTACT_DIFFICULTY = "contact_difficulty"
    SECTOR_HOLIDAY = "sector_holiday"


class ProblemStatus(StrEnum):
    """Where a collected problem stands: pending → referred to a department → handled →
    the reply passed back to the people who raised it; or turned into an opinion report
    or a consultation-topic suggestion, or closed without action (with a reason)."""

    PENDING = "pending"
    REFERRED = "referred"
    HANDLED = "handled"
    FED_BACK = "fed_back"
    TO_REPORT = "to_report"
    TO_TOPIC = "to_topic"
    TO_PROPOSAL = "to_proposal"
    CLOSED = "closed"


class ListKind(StrEnum):
    """The editable lists an office keeps (``ListEntry``)."""

    PROBLEM_CATEGORY = "problem_category"
    DEPARTMENT = "department"
    PROBLEM_REPLY_TEMPLATE = "problem_reply_template"
    OPINION_CATEGORY = "opinion_category"
    OPINION_REPLY_TEMPLATE = "opinion_reply_template"
    ACTIVITY_TYPE = "activity_type"  # a workstation activity's type


class OpinionStatus(StrEnum):
    """The stages of a public-opinion report's feedback loop (``services.opinion``)."""

    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"  # the committee reviews and edits it
    RETURNED = "returned"  # back to the member for revision
    ADOPTED = "adopted"
    NOT_ADOPTED = "not_adopted"
    FORWARDED = "forwarded"  # to one or more departments, some still silent
    REPLIED = "replied"  # every department it was forwarded to has replied
    FEEDBACK_GIVEN = "feedback_given"  # the outcome told to the members
    CLOSED = "closed"


class OpinionAction(StrEnum):
    """What can happen to a report: each is one row of its timeline."""

    SUBMIT = "submit"
    START_REVIEW = "start_review"
    RETURN = "return"
    RESUBMIT = "resubmit"
    ADOPT = "adopt"  # the first adoption, or one at a further level
    REJECT = "reject"  # not adopted, with the reason
    FORWARD = "forward"
    REPLY = "reply"  # one department's reply
    INSTRUCT = "instruct"  # a leader's instruction: any time, not a stage
    GIVE_FEEDBACK = "give_feedback"
    CLOSE = "close"


class AdoptionLevel(StrEnum):
    CITY = "city"
    PROVINCIAL = "provincial"
    NATIONAL = "national"


class InstructionLevel(StrEnum):
    CITY = "city"
    PROVINCIAL = "provincial"
    NATIONAL = "national"


class WorkstationKind(StrEnum):
    STUDIO = "studio"  # 委员工作室
    STATION = "station"  # 委员工作站


class TopicKind(StrEnum):
    CONSULTATION = "consultation"
    SUPERVISION = "supervision"


class TopicStage(StrEnum):
    """Where a consultation or supervision topic stands (协商在一线): chosen, researched,
    consulted on, answered by the departments, its outcome converted, carried out, and
    finally concluded with the verdict whether it was carried out."""

    SELECTION = "selection"  # 选题
    RESEARCH = "research"  # 调研
    CONSULTATION = "consultation"  # 协商
    RESPONSE = "response"  # 部门回应
    CONVERSION = "conversion"  # 成果转化
    IMPLEMENTATION = "implementation"  # 落实
    DONE = "done"  # 办结: the verdict on whether it was carried out is recorded


class Satisfaction(StrEnum):
    """The lead member's view of a proposal's reply."""

    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    UNSATISFIED = "unsatisfied"


class ProposalStatus(StrEnum):
    SUBMITTED = "submitted"
    FILED = "filed"
    NOT_FILED = "not_filed"
    HANDLING = "handling"
    REPLIED = "replied"


class OrgLevel(StrEnum):
    """The level of a CPPCC organisation (政协组织)."""

    PROVINCE = "province"
    CITY = "city"
    DISTRICT = "district"
    COUNTY = "county"


class LeaveStatus(StrEnum):
    """A leave request: only an approved one exempts the member from quotas."""

    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class Gender(StrEnum):
    MALE = "male"
    FEMALE = "female"


class Role(StrEnum):
    ADMIN = "admin"
    LEADER = "leader"
    STAFF = "staff"
    MEMBER = "member"


class AuditAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    STATUS_CHANGE = "status_change"
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    LOCKOUT = "lockout"
    SIGN_OUT = "sign_out"
    DEMO_LOAD = "demo_load"
    EXPORT = "export"
    IMPORT = "import"
