"""Reading opinion reports: the staff's board, one report with its timeline, and a
member's own reports with what is new to them.

Who reads what: a member the reports they signed (lead or co-signer); leaders, staff
and administrators those of the organisations they see (staff act only on their
committees' ones: ``can_act``). "New" to a user is every event someone else recorded
after the user last opened the report (``OpinionReportSeen``); a report never opened
shows as new everything after its submission.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
from sqlalchemy import ColumnElement, Select, and_, case, false, func, or_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from models import (
    AdoptionLevel,
    CollectedProblem,
    Committee,
    LeaderInstruction,
    ListEntry,
    Member,
    OpinionAction,
    OpinionAdoption,
    OpinionEvent,
    OpinionForwarding,
    OpinionReport,
    OpinionReportMember,
    OpinionReportSeen,
    OpinionStatus,
    Role,
    User,
    Visit,
    utcnow,
)
from services.actors import Actor
from services.errors import StaleRecord
from services.opinion import OPEN, can_manage, days_overdue, next_actions, require_read
from services.organisations import in_scope
from services.search import contains

BOARD_LIMIT = 2_000  # rows the board reads at most: more is a filter forgotten


@dataclass(frozen=True)
class BoardFilters:
    """What the board shows; None (or empty) means all the actor may read. ``first`` ..
    ``last`` bound the submission date (inclusive); ``search`` looks in the title, the
    body and the members' names."""

    organisation_ids: frozenset[int] | None = None
    committee_id: int | None = None
    sector_id: int | None = None  # a member of the sector signed it
    member_id: int | None = None  # the member signed it
    category_id: int | None = None
    statuses: frozenset[OpinionStatus] = frozenset()
    adoption_level: AdoptionLevel | None = None  # adopted at this level
    department: str = ""  # forwarded to this department (its name, exactly)
    first: date | None = None
    last: date | None = None
    overdue_only: bool = False
    urgent_only: bool = False
    search: str = ""


BOARD_COLUMNS = ["id", "version", "organisation_id", "committee_id", "committee", "title",
                 "category", "status", "is_urgent", "submitted_on", "members", "departments",
                 "adoption_level", "stage_started_on", "age_days", "due_on", "overdue_days",
                 "can_act"]


def _visible(actor: Actor, *columns: object) -> Select:
    query = select(*columns).select_from(OpinionReport).where(
        col(OpinionReport.deleted_at).is_(None))
    if actor.role is Role.MEMBER:
        if actor.member_id is None:
            return query.where(false())
        return query.where(_signed_by(col(OpinionReportMember.member_id) == actor.member_id))
    return query.where(in_scope(OpinionReport.organisation_id, actor))


def _signed_by(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return (select(OpinionReportMember.report_id)
            .join(Member, col(OpinionReportMember.member_id) == Member.id)
            .where(col(OpinionReportMember.report_id) == OpinionReport.id, condition)
            .exists())


def _overdue_clause(today: date) -> ColumnElement[bool]:
    return and_(col(OpinionReport.status).in_(sorted(OPEN)),
                col(OpinionReport.due_on).is_not(None), col(OpinionReport.due_on) < today)


def _filtered(query: Select, filters: BoardFilters, today: date) -> Select:
    conditions: list[ColumnElement[bool]] = []
    if filters.organisation_ids is not None:
        conditions.append(col(OpinionReport.organisation_id).in_(sorted(filters.organisation_ids)))
    if filters.committee_id is not None:
        conditions.append(col(OpinionReport.committee_id) == filters.committee_id)
    if filters.sector_id is not None:
        conditions.append(_signed_by(col(Member.sector_id) == filters.sector_id))
    if filters.member_id is not None:
        conditions.append(_signed_by(col(Member.id) == filters.member_id))
    if filters.category_id is not None:
        conditions.append(col(OpinionReport.category_id) == filters.category_id)
    if filters.statuses:
        conditions.append(col(OpinionReport.status).in_(sorted(filters.statuses)))
    if filters.adoption_level is not None:
        conditions.append(select(OpinionAdoption.id).where(
            col(OpinionAdoption.report_id) == OpinionReport.id,
            OpinionAdoption.level == filters.adoption_level).exists())
    if filters.department.strip():
        conditions.append(select(OpinionForwarding.id).where(
            col(OpinionForwarding.report_id) == OpinionReport.id,
            OpinionForwarding.department == filters.department.strip()).exists())
    if filters.first is not None:
        conditions.append(col(OpinionReport.submitted_on) >= filters.first)
    if filters.last is not None:
        conditions.append(col(OpinionReport.submitted_on) <= filters.last)
    if filters.overdue_only:
        conditions.append(_overdue_clause(today))
    if filters.urgent_only:
        conditions.append(col(OpinionReport.is_urgent).is_(True))
    if filters.search.strip():
        conditions.append(or_(contains(OpinionReport.title, filters.search),
                              contains(OpinionReport.body, filters.search),
                              _signed_by(contains(Member.name, filters.search))))
    return query.where(*conditions)


_BOARD_FIELDS = (OpinionReport.id, OpinionReport.version, OpinionReport.organisation_id,
                 OpinionReport.committee_id, col(Committee.name).label("committee"),
                 OpinionReport.title, col(ListEntry.name).label("category"),
                 OpinionReport.status, OpinionReport.is_urgent, OpinionReport.submitted_on,
                 OpinionReport.adoption_level, OpinionReport.stage_started_on,
                 OpinionReport.due_on)


def report_board(*, session: Session, actor: Actor, today: date,
                 filters: BoardFilters = BoardFilters(),
                 limit: int | None = BOARD_LIMIT) -> pd.DataFrame:
    """The reports the actor may read under ``filters`` (``BOARD_COLUMNS``), the most
    overdue first, then the oldest stage; ``members`` lead first, joined with 、;
    ``status`` and ``adoption_level`` as stored values; ``can_act``: the actor may take
    a step. Three queries whatever the number of rows."""
    overdue_first = func.coalesce(OpinionReport.due_on, date.max)
    query = (
        _filtered(_visible(actor, *_BOARD_FIELDS), filters, today)
        .join(Committee, col(OpinionReport.committee_id) == Committee.id)
        .outerjoin(ListEntry, col(OpinionReport.category_id) == ListEntry.id)
        .order_by(col(OpinionReport.status).in_(sorted(OPEN)).desc(), overdue_first,
                  col(OpinionReport.submitted_on), col(OpinionReport.id))
        .limit(limit)
    )
    rows = session.connection().execute(query).all()
    ids = [row.id for row in rows]
    members = _member_names(session, ids)
    departments = _departments(session, ids)
    return pd.DataFrame([
        (row.id, row.version, row.organisation_id, row.committee_id, row.committee,
         row.title, row.category, row.status.value, row.is_urgent, row.submitted_on,
         "、".join(members.get(row.id, [])), "、".join(departments.get(row.id, [])),
         row.adoption_level.value if row.adoption_level else None, row.stage_started_on,
         (today - row.submitted_on).days, row.due_on,
         days_overdue(row.status, row.due_on, today),
         can_manage(actor, row.organisation_id, row.committee_id))
        for row in rows
    ], columns=BOARD_COLUMNS)


def _member_names(session: Session, report_ids: list[int]) -> dict[int, list[str]]:
    """Each report's members' names, the lead first."""
    found: dict[int, list[tuple[bool, str, str]]] = defaultdict(list)
    for start in range(0, len(report_ids), 900):  # SQLite's bound-parameter limit
        chunk = report_ids[start:start + 900]
        for report_id, is_lead, name, key in session.connection().execute(
                select(OpinionReportMember.report_id, OpinionReportMember.is_lead,
                       Member.name, Member.name_key)
                .join(Member, col(OpinionReportMember.member_id) == Member.id)
                .where(col(OpinionReportMember.report_id).in_(chunk))).all():
            found[report_id].append((not is_lead, key, name))
    return {report_id: [name for *_, name in sorted(names)]
            for report_id, names in found.items()}


def _departments(session: Session, report_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(report_ids), 900):
        chunk = report_ids[start:start + 900]
        for report_id, department in session.connection().execute(
                select(OpinionForwarding.report_id, OpinionForwarding.department)
                .where(col(OpinionForwarding.report_id).in_(chunk))
                .order_by(col(OpinionForwarding.id))).all():
            found[report_id].append(department)
    return found


@dataclass(frozen=True)
class BoardSummary:
    """The counts over the board: reports per stage (every stage), overdue, total."""

    by_status: dict[OpinionStatus, int]
    overdue: int

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def board_summary(*, session: Session, actor: Actor, today: date,
                  filters: BoardFilters = BoardFilters()) -> BoardSummary:
    """How many reports the filters find in each stage, and how many are overdue: all
    of them, counted in SQL, however many the board shows."""
    late = func.sum(case((_overdue_clause(today), 1), else_=0))
    query = _filtered(_visible(actor, OpinionReport.status, func.count(), late), filters,
                      today).group_by(OpinionReport.status)
    counts = dict.fromkeys(OpinionStatus, 0)
    overdue = 0
    for status, count, behind in session.connection().execute(query).all():
        counts[status] = count
        overdue += int(behind or 0)
    return BoardSummary(by_status=counts, overdue=overdue)


def departments_in_use(*, session: Session, actor: Actor) -> list[str]:
    """The departments the actor's reports were forwarded to, for the board's filter."""
    query = _visible(actor, OpinionForwarding.department).join(
        OpinionForwarding, col(OpinionForwarding.report_id) == OpinionReport.id
    ).distinct().order_by(col(OpinionForwarding.department))
    return list(session.connection().execute(query).scalars())


# --- one report ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SignerRow:
    member_id: int
    name: str
    is_lead: bool


@dataclass(frozen=True)
class ForwardingRow:
    id: int
    department: str
    forwarded_on: date
    due_on: date
    reply: str | None
    replied_on: date | None
    overdue_days: int


@dataclass(frozen=True)
class TimelineRow:
    action: OpinionAction
    from_status: OpinionStatus | None
    to_status: OpinionStatus
    changed_at: datetime
    changed_on: date
    actor: str
    note: str | None
    is_new: bool  # recorded by someone else since the reader last opened the report


@dataclass(frozen=True)
class ReportDetail:
    report: OpinionReport
    committee: str
    category: str | None
    members: list[SignerRow]
    adoptions: list[OpinionAdoption]
    forwardings: list[ForwardingRow]
    instructions: list[LeaderInstruction]
    timeline: list[TimelineRow]  # oldest first
    actions: list[OpinionAction]  # what the reader may do next
    overdue_days: int
    source_visit_on: date | None
    source_problems: list[tuple[int, str]]  # the collected problems it was made from

    @property
    def new_count(self) -> int:
        return sum(row.is_new for row in self.timeline)


def report_detail(*, session: Session, actor: Actor, report_id: int,
                  today: date) -> ReportDetail:
    """The report with everything that happened to it, for one reader."""
    report = session.get(OpinionReport, report_id, populate_existing=True)
    if report is None or report.deleted_at is not None:
        raise StaleRecord()
    require_read(session, actor, report)
    signers = [SignerRow(member_id, name, is_lead) for member_id, name, is_lead in
               session.exec(select(Member.id, Member.name, OpinionReportMember.is_lead)
                            .join(OpinionReportMember,
                                  col(OpinionReportMember.member_id) == Member.id)
                            .where(OpinionReportMember.report_id == report_id)
                            .order_by(col(OpinionReportMember.is_lead).desc(),
                                      col(Member.name_key))).all()]
    category = session.get(ListEntry, report.category_id) if report.category_id else None
    visit = session.get(Visit, report.source_visit_id) if report.source_visit_id else None
    return ReportDetail(
        report=report, committee=session.get(Committee, report.committee_id).name,
        category=category.name if category else None, members=signers,
        adoptions=list(session.exec(select(OpinionAdoption)
                                    .where(OpinionAdoption.report_id == report_id)
                                    .order_by(col(OpinionAdoption.adopted_on))).all()),
        forwardings=[
            ForwardingRow(f.id, f.department, f.forwarded_on, f.due_on, f.reply, f.replied_on,
                          max((today - f.due_on).days, 0) if f.replied_on is None else 0)
            for f in session.exec(select(OpinionForwarding)
                                  .where(OpinionForwarding.report_id == report_id)
                                  .order_by(col(OpinionForwarding.id))).all()],
        instructions=list(session.exec(select(LeaderInstruction)
                                       .where(LeaderInstruction.report_id == report_id)
                                       .order_by(col(LeaderInstruction.instructed_on))).all()),
        timeline=_timeline(session, actor, report_id),
        actions=next_actions(actor, report, [s.member_id for s in signers]),
        overdue_days=days_overdue(report.status, report.due_on, today),
        source_visit_on=visit.visit_date if visit and visit.deleted_at is None else None,
        source_problems=list(session.exec(
            select(CollectedProblem.id, CollectedProblem.content)
            .where(CollectedProblem.opinion_report_id == report_id,
                   col(CollectedProblem.deleted_at).is_(None))
            .order_by(col(CollectedProblem.id))).all()),
    )


def _timeline(session: Session, actor: Actor, report_id: int) -> list[TimelineRow]:
    seen = _seen_at(session, actor, report_id)
    who = func.coalesce(func.nullif(User.display_name, ""), OpinionEvent.actor_name)
    rows = session.exec(
        select(OpinionEvent, who)
        .outerjoin(User, col(OpinionEvent.actor_user_id) == User.id)
        .where(OpinionEvent.report_id == report_id)
        .order_by(col(OpinionEvent.id))
    ).all()
    return [TimelineRow(event.action, event.from_status, event.to_status, event.changed_at,
                        event.changed_on, name or "", event.note,
                        _is_new(event, actor, seen))
            for event, name in rows]


def _is_new(event: OpinionEvent, actor: Actor, seen: datetime | None) -> bool:
    if actor.user_id is None or event.actor_user_id == actor.user_id:
        return False
    if seen is None:
        return event.action is not OpinionAction.SUBMIT
    return event.changed_at > seen


def _seen_at(session: Session, actor: Actor, report_id: int) -> datetime | None:
    if actor.user_id is None:
        return None
    return session.exec(select(OpinionReportSeen.seen_at).where(
        OpinionReportSeen.user_id == actor.user_id,
        OpinionReportSeen.report_id == report_id)).first()


def mark_seen(*, session: Session, actor: Actor, report_id: int,
              seen_up_to: datetime | None = None) -> None:
    """The reader has looked at the report's timeline up to ``seen_up_to`` (the time of
    the latest event shown; now when None): those events are no longer new, one recorded
    after the page was read still is. Not audited (a reading, not a change)."""
    if actor.user_id is None:
        return
    report = session.get(OpinionReport, report_id)
    if report is None or report.deleted_at is not None:
        raise StaleRecord()
    require_read(session, actor, report)
    when = seen_up_to or utcnow()
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(OpinionReportSeen).values(user_id=actor.user_id, report_id=report_id,
                                                 seen_at=when)
    session.execute(statement.on_conflict_do_update(
        index_elements=["user_id", "report_id"], set_={"seen_at": when}))


# --- a member's own reports --------------------------------------------------------------

MY_COLUMNS = ["id", "title", "status", "submitted_on", "is_lead", "adoption_level",
              "departments", "replies", "instructions", "new", "overdue_days"]


def _new_events(actor: Actor) -> Select:
    """(report id, number of events new to the actor) for the reports the actor signed."""
    seen = (select(OpinionReportSeen.seen_at)
            .where(OpinionReportSeen.user_id == actor.user_id,
                   col(OpinionReportSeen.report_id) == OpinionEvent.report_id)
            .scalar_subquery())
    never_seen_new = and_(seen.is_(None), OpinionEvent.action != OpinionAction.SUBMIT)
    return (
        select(OpinionEvent.report_id, func.count())
        .join(OpinionReportMember, col(OpinionReportMember.report_id) == OpinionEvent.report_id)
        .join(OpinionReport, col(OpinionReport.id) == OpinionEvent.report_id)
        .where(OpinionReportMember.member_id == actor.member_id,
               col(OpinionReport.deleted_at).is_(None),
               or_(col(OpinionEvent.actor_user_id).is_(None),
                   OpinionEvent.actor_user_id != actor.user_id),
               or_(never_seen_new, OpinionEvent.changed_at > seen))
        .group_by(OpinionEvent.report_id)
    )


def my_reports(*, session: Session, actor: Actor, today: date) -> pd.DataFrame:
    """The reports the member signed (``MY_COLUMNS``), newest first: where each stands,
    its departments, replies received ("1/2"), instructions and how many of its events
    are new to the member. Empty for a user who is not a member."""
    if actor.member_id is None:
        return pd.DataFrame(columns=MY_COLUMNS)
    rows = session.exec(
        select(OpinionReport.id, OpinionReport.title, OpinionReport.status,
               OpinionReport.submitted_on, OpinionReportMember.is_lead,
               OpinionReport.adoption_level, OpinionReport.due_on)
        .join(OpinionReportMember, col(OpinionReportMember.report_id) == OpinionReport.id)
        .where(OpinionReportMember.member_id == actor.member_id,
               col(OpinionReport.deleted_at).is_(None))
        .order_by(col(OpinionReport.submitted_on).desc(), col(OpinionReport.id).desc())
    ).all()
    ids = [row[0] for row in rows]
    departments = _departments(session, ids)
    new = dict(session.connection().execute(_new_events(actor)).all()) if ids else {}
    replies = {report_id: f"{done}/{total}" for report_id, done, total in
               session.connection().execute(
                   select(OpinionForwarding.report_id, func.count(OpinionForwarding.replied_on),
                          func.count()).where(col(OpinionForwarding.report_id).in_(ids))
                   .group_by(OpinionForwarding.report_id)).all()} if ids else {}
    instructions = dict(session.connection().execute(
        select(LeaderInstruction.report_id, func.count())
        .where(col(LeaderInstruction.report_id).in_(ids))
        .group_by(LeaderInstruction.report_id)).all()) if ids else {}
    return pd.DataFrame([
        (report_id, title, status.value, submitted_on, is_lead,
         level.value if level else None, "、".join(departments.get(report_id, [])),
         replies.get(report_id, ""), instructions.get(report_id, 0), new.get(report_id, 0),
         days_overdue(status, due_on, today))
        for report_id, title, status, submitted_on, is_lead, level, due_on in rows
    ], columns=MY_COLUMNS)


def unseen_count(*, session: Session, actor: Actor) -> int:
    """How many of the member's reports have something new to them (the sidebar's
    badge); 0 for a user who is not a member."""
    if actor.role is not Role.MEMBER or actor.member_id is None or actor.user_id is None:
        return 0
    return len(session.connection().execute(_new_events(actor)).all())
