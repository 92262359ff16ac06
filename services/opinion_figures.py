"""The figures of public-opinion reports (社情民意信息) for the dashboards: how many are in
each stage and overdue, adopted at each level, instructed by leaders, how long the loop
takes, the share of collected problems that became reports, the same figures by
organisation, committee, sector, month or quarter, and the overdue reports themselves.

**Which reports.** The live reports (soft-deleted ones never count) of the organisations
the actor sees, narrowed by ``FigureFilters``. The period is the *submission* date
(``first``..``last``, inclusive): every figure describes the reports submitted in it,
whenever their later steps came (a report submitted in March and adopted in May counts
as adopted in March's figures). "Overdue" is ``services.opinion.days_overdue`` > 0 on
``today``: an open stage (``services.opinion.OPEN``) past its deadline (``due_on``).

**Sector.** A report belongs to a sector through its members' sector *at submission*:
the ``MemberAssignment`` that covers ``OpinionReportMember.submitted_on`` (the member's
current ``Member.sector_id`` when no assignment covers that day, e.g. a report dated
before the member's first assignment). The sector *filter* keeps the reports with at
least one signer (lead or co-signer) of the sector; the sector *grouping* puts each
report under its lead member's sector, so it is counted once. A collected problem
belongs to the sectors of the members at its visit or workstation activity, by the same
rule on the day of the visit or activity.

**Who.** Administrators, leaders and staff read the figures of their organisations (and
those below them); a member is refused (``PermissionDenied``).

Everything is counted in SQL, the same on SQLite and PostgreSQL; only the turnaround's
percentiles are computed here, from the day counts of the reports that reached each
point.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    cast,
    extract,
    func,
    or_,
    union,
)
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from models import (
    AdoptionLevel,
    CollectedProblem,
    Committee,
    InstructionLevel,
    LeaderInstruction,
    Member,
    MemberAssignment,
    OpinionAdoption,
    OpinionReport,
    OpinionReportMember,
    OpinionStatus,
    ProblemStatus,
    Role,
    Sector,
    Visit,
    VisitMember,
    WorkstationActivity,
    WorkstationActivityMember,
)
from services.actors import Actor
from services.opinion import OPEN
from services.organisations import in_scope, visible_organisations

READERS = (Role.ADMIN, Role.LEADER, Role.STAFF)


def share_of(part: int, whole: int) -> float | None:
    """``part`` over ``whole``; None when there is no whole to share."""
    return part / whole if whole else None


@dataclass(frozen=True)
class FigureFilters:
    """Which reports the figures count; None means all the actor may read.

    ``organisation_ids``: the reports of these organisations (exactly these, within the
    actor's); ``committee_id``: the report's committee (``OpinionReport.committee_id``,
    the lead's committee when it was submitted); ``sector_id``: at least one signer was
    of the sector when it was submitted (see the module's note); ``first``..``last``: the
    submission date, inclusive (for collected problems, the collection date);
    ``urgent``: only through-train (直通车) reports (True) or only the others (False)."""

    organisation_ids: frozenset[int] | None = None
    committee_id: int | None = None
    sector_id: int | None = None
    first: date | None = None
    last: date | None = None
    urgent: bool | None = None


NO_FILTERS = FigureFilters()


# --- 1. stages ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StageCounts:
    """``by_status``: every ``OpinionStatus`` (zeros included), in the enum's order;
    ``total``: their sum; ``overdue``: those past their stage's deadline on ``today``."""

    by_status: dict[OpinionStatus, int]
    total: int
    overdue: int


def stage_counts(*, session: Session, actor: Actor, today: date,
                 filters: FigureFilters = NO_FILTERS) -> StageCounts:
    """How many reports are in each stage, and how many are overdue on ``today``."""
    _require_reader(actor)
    query = _reports(actor, filters, OpinionReport.status, func.count(),
                     _sum(_overdue(today))).group_by(OpinionReport.status)
    found = {status: (count, late) for status, count, late in session.exec(query).all()}
    by_status = {status: int(found.get(status, (0, 0))[0]) for status in OpinionStatus}
    overdue = sum(int(late or 0) for _, late in found.values())
    return StageCounts(by_status=by_status, total=sum(by_status.values()), overdue=overdue)


def reports_per_month(*, session: Session, actor: Actor, months: list[tuple[date, date]],
                      filters: FigureFilters = NO_FILTERS) -> list[int]:
    """How many reports were submitted in each month (first..last day, inclusive)."""
    _require_reader(actor)
    day = OpinionReport.submitted_on
    sums = [func.coalesce(func.sum(case((and_(day >= a, day <= b), 1), else_=0)), 0)
            for a, b in months]
    return [int(n) for n in session.execute(_reports(actor, filters, *sums)).one()]


# --- 2. adoption --------------------------------------------------------------------------


@dataclass(frozen=True)
class AdoptionFigures:
    """``by_level``: per ``AdoptionLevel`` (zeros included), the reports adopted at that
    level (a report adopted by the city and then the province counts once in each);
    ``adopted``: the reports adopted at any level; ``submitted``: all the reports counted;
    ``rate``: adopted over submitted (None when none was submitted)."""

    by_level: dict[AdoptionLevel, int]
    adopted: int
    submitted: int

    @property
    def rate(self) -> float | None:
        return share_of(self.adopted, self.submitted)


def adoption_by_level(*, session: Session, actor: Actor,
                      filters: FigureFilters = NO_FILTERS) -> AdoptionFigures:
    """The reports adopted at each level (``OpinionAdoption``, one row per level and
    report) and the adoption rate."""
    _require_reader(actor)
    levels = dict(session.exec(
        _reports(actor, filters, OpinionAdoption.level, func.count())
        .join(OpinionAdoption, col(OpinionAdoption.report_id) == OpinionReport.id)
        .group_by(OpinionAdoption.level)).all())
    submitted, adopted = session.exec(
        _reports(actor, filters, func.count(), _sum(_adopted()))).one()
    return AdoptionFigures(by_level={level: int(levels.get(level, 0)) for level in AdoptionLevel},
                           adopted=int(adopted or 0), submitted=int(submitted))


# --- 3. leaders' instructions -------------------------------------------------------------


@dataclass(frozen=True)
class InstructionFigures:
    """``by_level``: the instructions (批示) per ``InstructionLevel`` (zeros included);
    ``instructions``: their sum; ``reports``: the reports with at least one."""

    by_level: dict[InstructionLevel, int]
    instructions: int
    reports: int


def instruction_counts(*, session: Session, actor: Actor,
                       filters: FigureFilters = NO_FILTERS) -> InstructionFigures:
    """Leaders' instructions on the reports, by level, and how many reports got one."""
    _require_reader(actor)
    query = (_reports(actor, filters, LeaderInstruction.level, func.count())
             .join(LeaderInstruction, col(LeaderInstruction.report_id) == OpinionReport.id)
             .group_by(LeaderInstruction.level))
    levels = {level: int(count) for level, count in session.exec(query).all()}
    reports = session.exec(
        _reports(actor, filters, func.count(func.distinct(LeaderInstruction.report_id)))
        .join(LeaderInstruction, col(LeaderInstruction.report_id) == OpinionReport.id)).one()
    by_level = {level: levels.get(level, 0) for level in InstructionLevel}
    return InstructionFigures(by_level=by_level, instructions=sum(by_level.values()),
                              reports=int(reports or 0))


# --- 4. turnaround ------------------------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    """Days from submission to one point of the loop over the ``n`` reports that reached
    it: the median and the 90th percentile, by linear interpolation between the closest
    ranks (the default of numpy and pandas: the median of 2 and 5 days is 3.5). None
    when no report reached it."""

    n: int
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class Turnaround:
    """``to_forwarding``: submission to the first forwarding (``forwarded_on``);
    ``to_reply``: to the day the last silent department replied (``replied_on``);
    ``to_feedback``: to the feedback to the members (``feedback_on``)."""

    to_forwarding: Spread
    to_reply: Spread
    to_feedback: Spread


def turnaround(*, session: Session, actor: Actor,
               filters: FigureFilters = NO_FILTERS) -> Turnaround:
    """How many days the reports took from submission to forwarding, reply and
    feedback (the day counts are computed in SQL, one small row per report that reached
    any of them; the percentiles here)."""
    _require_reader(actor)
    dialect = session.get_bind().dialect.name
    submitted = col(OpinionReport.submitted_on)
    points = (col(OpinionReport.forwarded_on), col(OpinionReport.replied_on),
              col(OpinionReport.feedback_on))
    rows = session.exec(
        _reports(actor, filters, *(_days_between(point, submitted, dialect) for point in points))
        .where(or_(*(point.is_not(None) for point in points)))).all()
    columns = [sorted(row[index] for row in rows if row[index] is not None)
               for index in range(len(points))]
    forwarding, reply, feedback = (_spread(days) for days in columns)
    return Turnaround(to_forwarding=forwarding, to_reply=reply, to_feedback=feedback)


def percentile(values: Sequence[float], share: float) -> float | None:
    """The ``share`` (0..1) percentile of sorted ``values`` by linear interpolation
    between the closest ranks; None for no values."""
    if not values:
        return None
    position = (len(values) - 1) * share
    low, high = math.floor(position), math.ceil(position)
    return float(values[low] + (values[high] - values[low]) * (position - low))


def _spread(days: Sequence[int]) -> Spread:
    return Spread(n=len(days), median=percentile(days, 0.5), p90=percentile(days, 0.9))


def _days_between(later: ColumnElement, earlier: ColumnElement,
                  dialect: str) -> ColumnElement:
    """``later - earlier`` in whole days (None when either is None). SQLite keeps dates
    as ISO text, so it counts Julian days."""
    if dialect == "sqlite":
        return cast(func.julianday(later) - func.julianday(earlier), Integer)
    return later - earlier


# --- 5. collected problems that became reports --------------------------------------------


@dataclass(frozen=True)
class ProblemShare:
    """``collected``: the live problems collected in the period (their visit or activity
    not deleted either); ``to_report``: those turned into an opinion report (status
    ``to_report``, or linked to a report); ``share``: to_report over collected (None when
    none was collected)."""

    collected: int
    to_report: int

    @property
    def share(self) -> float | None:
        return share_of(self.to_report, self.collected)


def problems_to_reports_share(*, session: Session, actor: Actor,
                              filters: FigureFilters = NO_FILTERS) -> ProblemShare:
    """How many collected problems became opinion reports. The filters apply to the
    problem: its organisation, its committee (the one following it up), a member of the
    sector at its visit or activity (of the sector that day), and its collection date;
    ``urgent`` does not apply. A problem counts as turned into a report even when that
    report was deleted later."""
    _require_reader(actor)
    problem = CollectedProblem
    became = or_(col(problem.status) == ProblemStatus.TO_REPORT,
                 col(problem.opinion_report_id).is_not(None))
    query = (
        select(func.count(), _sum(became)).select_from(problem)
        .outerjoin(Visit, col(problem.visit_id) == Visit.id)
        .outerjoin(WorkstationActivity, col(problem.activity_id) == WorkstationActivity.id)
        .where(col(problem.deleted_at).is_(None), col(Visit.deleted_at).is_(None),
               col(WorkstationActivity.deleted_at).is_(None),
               in_scope(problem.organisation_id, actor))
    )
    conditions: list[ColumnElement[bool]] = []
    if filters.organisation_ids is not None:
        conditions.append(col(problem.organisation_id).in_(sorted(filters.organisation_ids)))
    if filters.committee_id is not None:
        conditions.append(col(problem.committee_id) == filters.committee_id)
    if filters.sector_id is not None:
        conditions.append(_problem_of_sector(filters.sector_id))
    if filters.first is not None:
        conditions.append(col(problem.collected_on) >= filters.first)
    if filters.last is not None:
        conditions.append(col(problem.collected_on) <= filters.last)
    collected, to_report = session.exec(query.where(*conditions)).one()
    return ProblemShare(collected=int(collected), to_report=int(to_report or 0))


def _problem_of_sector(sector_id: int) -> ColumnElement[bool]:
    """A member of the sector (on the day of the visit or activity) was at the problem's
    visit or activity."""
    visitor = aliased(VisitMember)
    visits_of_sector = _of_sector(
        select(col(visitor.visit_id)), col(visitor.member_id), col(visitor.visit_date),
        sector_id)
    attendee = aliased(WorkstationActivityMember)
    activity = aliased(WorkstationActivity)
    activities_of_sector = _of_sector(
        select(col(attendee.activity_id))
        .join(activity, col(activity.id) == col(attendee.activity_id)),
        col(attendee.member_id), col(activity.activity_date), sector_id)
    return or_(col(CollectedProblem.visit_id).in_(visits_of_sector),
               col(CollectedProblem.activity_id).in_(activities_of_sector))


# --- 6. the figures by group --------------------------------------------------------------


class FigureGroup(StrEnum):
    ORGANISATION = "organisation"
    COMMITTEE = "committee"
    SECTOR = "sector"  # the lead member's sector at submission
    MONTH = "month"  # the submission month, 'YYYY-MM'
    QUARTER = "quarter"  # the submission quarter, 'YYYY-Qn'


FIGURE_COLUMNS = ["key", "name", "submitted", "adopted", "instructed", "forwarded",
                  "replied", "feedback_given", "overdue"]
_COUNTS = FIGURE_COLUMNS[2:]


def figures_by(*, session: Session, actor: Actor, group: FigureGroup | str, today: date,
               filters: FigureFilters = NO_FILTERS) -> pd.DataFrame:
    """The figures per group (``FIGURE_COLUMNS``), one row per group:

    - ``key``: the organisation, committee or sector id, or the month ('2026-11') or
      quarter ('2026-Q4'); ``name``: the organisation, committee or sector's name, or
      the key again for a period;
    - ``submitted``: the reports; ``adopted``: those adopted at any level;
      ``instructed``: those with a leader's instruction; ``forwarded``: forwarded to a
      department; ``replied``: every department they were forwarded to has replied
      (``replied_on`` set); ``feedback_given``: the members were told the outcome
      (``feedback_on`` set, also after a later close); ``overdue``: past their current
      stage's deadline on ``today``.

    Organisations, committees and sectors come in their order and each one the filters
    leave (of the organisations the actor sees) is listed, with zeros when it has no
    report; periods are listed in order without gaps from the earliest to the latest
    of ``first``, ``last`` and the reports' own."""
    _require_reader(actor)
    group = FigureGroup(group)
    flags = [
        _flag(_adopted()), _flag(_instructed()),
        _flag(col(OpinionReport.forwarded_on).is_not(None)),
        _flag(col(OpinionReport.replied_on).is_not(None)),
        _flag(col(OpinionReport.feedback_on).is_not(None)),
        _flag(_overdue(today)),
    ]
    inner = _reports(actor, filters)
    if group is FigureGroup.SECTOR:
        inner, sector = _lead_sector(inner)
        key = [sector.label("k0")]
    else:
        key = _group_key(group)
    per_report = inner.with_only_columns(
        *key, *(flag.label(f"c{index}") for index, flag in enumerate(flags)),
        maintain_column_froms=False).subquery()
    keys = [per_report.c[f"k{index}"] for index in range(len(key))]
    rows = session.exec(
        select(*keys, func.count(),
               *(func.sum(per_report.c[f"c{index}"]) for index in range(len(flags))))
        .group_by(*keys)).all()
    counts: dict[object, list[int]] = {}
    for row in rows:
        found = _key_text(group, row[:len(key)])  # the months of a quarter add up
        tally = counts.setdefault(found, [0] * len(_COUNTS))
        for index, value in enumerate(row[len(key):]):
            tally[index] += int(value or 0)
    names = _group_names(session, actor, group, filters, set(counts))
    table = [(found, name, *counts.get(found, [0] * len(_COUNTS)))
             for found, name in names.items()]
    frame = pd.DataFrame(table, columns=FIGURE_COLUMNS)
    return frame.astype({column: "int64" for column in _COUNTS})


def _group_key(group: FigureGroup) -> list[ColumnElement]:
    """The labelled columns (``k0``, ``k1``) a report is grouped by (the sector's are
    ``_lead_sector``'s)."""
    submitted = col(OpinionReport.submitted_on)
    match group:
        case FigureGroup.ORGANISATION:
            found = [col(OpinionReport.organisation_id)]
        case FigureGroup.COMMITTEE:
            found = [col(OpinionReport.committee_id)]
        case _:
            found = [cast(extract("year", submitted), Integer),
                     cast(extract("month", submitted), Integer)]
    return [column.label(f"k{index}") for index, column in enumerate(found)]


def _key_text(group: FigureGroup, values: Sequence[object]) -> object:
    match group:
        case FigureGroup.MONTH:
            return f"{values[0]:04d}-{values[1]:02d}"
        case FigureGroup.QUARTER:
            return f"{values[0]:04d}-Q{(values[1] - 1) // 3 + 1}"
    return values[0]


def _group_names(session: Session, actor: Actor, group: FigureGroup, filters: FigureFilters,
                 found: set[object]) -> dict[object, object]:
    """The groups to list, in order, with their names: the ones the filters leave and
    those that have reports."""
    if group in (FigureGroup.MONTH, FigureGroup.QUARTER):
        return {key: key for key in _periods(group, filters, found)}
    organisations = [row for row in visible_organisations(session=session, actor=actor)
                     if filters.organisation_ids is None
                     or row.id in filters.organisation_ids]
    if group is FigureGroup.ORGANISATION:  # the reports' are among them (``_reports``)
        return {row.id: row.name for row in organisations}
    model = Committee if group is FigureGroup.COMMITTEE else Sector
    chosen = filters.committee_id if group is FigureGroup.COMMITTEE else filters.sector_id
    listed = col(model.organisation_id).in_([row.id for row in organisations])
    if chosen is not None:
        listed = and_(listed, col(model.id) == chosen)
    known = [key for key in found if key is not None]
    rows = session.exec(
        select(model.id, model.name)
        .where(or_(listed, col(model.id).in_(sorted(known))))
        .order_by(model.organisation_id, model.sort_order, model.id)).all()
    names = dict(rows)
    if None in found:  # a report without a lead member: no sector to name
        names[None] = None
    return names


def _periods(group: FigureGroup, filters: FigureFilters, found: Iterable[object]) -> list[str]:
    """Every month (or quarter) from the earliest to the latest of the bounds and the
    periods found."""
    def month_of(day: date) -> int:
        return day.year * 12 + day.month - 1

    months = [month_of(day) for day in (filters.first, filters.last) if day is not None]
    for key in found:
        year, rest = str(key).split("-")
        months.append(int(year) * 12 + (3 * (int(rest[1:]) - 1) if rest.startswith("Q")
                                        else int(rest) - 1))
    if not months:
        return []
    keys: dict[str, None] = {}
    for month in range(min(months), max(months) + 1):
        year, index = divmod(month, 12)
        keys[f"{year:04d}-{index + 1:02d}" if group is FigureGroup.MONTH
             else f"{year:04d}-Q{index // 3 + 1}"] = None
    return list(keys)


# --- 7. the overdue reports ---------------------------------------------------------------

OVERDUE_COLUMNS = ["id", "title", "status", "committee", "lead_member", "submitted_on",
                   "due_on", "days_overdue"]


def overdue_list(*, session: Session, actor: Actor, today: date,
                 filters: FigureFilters = NO_FILTERS, limit: int | None = None) -> pd.DataFrame:
    """The reports past their current stage's deadline on ``today`` (``OVERDUE_COLUMNS``;
    ``status`` as stored, e.g. 'under_review'; ``committee`` and ``lead_member`` are
    names), the most overdue first (then by id), the first ``limit`` of them (all when
    None)."""
    _require_reader(actor)
    lead = aliased(OpinionReportMember)
    person = aliased(Member)
    query = (
        _reports(actor, filters, OpinionReport.id, OpinionReport.title, OpinionReport.status,
                 Committee.name, person.name, OpinionReport.submitted_on,
                 OpinionReport.due_on)
        .join(Committee, col(OpinionReport.committee_id) == Committee.id)
        .outerjoin(lead, and_(col(lead.report_id) == OpinionReport.id,
                              col(lead.is_lead).is_(True)))
        .outerjoin(person, col(lead.member_id) == person.id)
        .where(_overdue(today))
        .order_by(col(OpinionReport.due_on), col(OpinionReport.id))
        .limit(limit)
    )
    rows = session.exec(query).all()
    return pd.DataFrame([
        (report_id, title, status.value, committee, lead_name, submitted_on, due_on,
         (today - due_on).days)
        for report_id, title, status, committee, lead_name, submitted_on, due_on in rows
    ], columns=OVERDUE_COLUMNS)


# --- shared -------------------------------------------------------------------------------


def _require_reader(actor: Actor) -> None:
    actor.require_role(*READERS)


def _reports(actor: Actor, filters: FigureFilters, *columns: object) -> Select:
    """``columns`` of the live reports the actor may read that the filters keep."""
    report = OpinionReport
    conditions: list[ColumnElement[bool]] = [col(report.deleted_at).is_(None),
                                             in_scope(report.organisation_id, actor)]
    if filters.organisation_ids is not None:
        conditions.append(col(report.organisation_id).in_(sorted(filters.organisation_ids)))
    if filters.committee_id is not None:
        conditions.append(col(report.committee_id) == filters.committee_id)
    if filters.sector_id is not None:
        conditions.append(_signed_in_sector(filters.sector_id))
    if filters.first is not None:
        conditions.append(col(report.submitted_on) >= filters.first)
    if filters.last is not None:
        conditions.append(col(report.submitted_on) <= filters.last)
    if filters.urgent is not None:
        conditions.append(col(report.is_urgent).is_(filters.urgent))
    return select(*columns).select_from(report).where(*conditions)


def _signed_in_sector(sector_id: int) -> ColumnElement[bool]:
    """A signer of the report was of the sector when it was submitted."""
    signer = aliased(OpinionReportMember)
    return col(OpinionReport.id).in_(_of_sector(
        select(col(signer.report_id)), col(signer.member_id), col(signer.submitted_on),
        sector_id))


def _covering(assignment: type[MemberAssignment], member_id: ColumnElement,
              on: ColumnElement) -> ColumnElement[bool]:
    """The assignment is the member's on the day ``on``."""
    return and_(col(assignment.member_id) == member_id, col(assignment.starts_on) <= on,
                or_(col(assignment.ends_on).is_(None), col(assignment.ends_on) >= on))


def _of_sector(rows: Select, member_id: ColumnElement, on: ColumnElement,
               sector_id: int) -> Select:
    """``rows`` (a select of one column over a table naming a member and a day) kept
    where the member was of the sector that day: by the assignment covering the day,
    else (no assignment covers it) by the member's current sector. Set-based, for an
    ``IN``: the sector's assignments and members are few, and each is one index range
    on the rows."""
    assignment = aliased(MemberAssignment)
    other = aliased(MemberAssignment)
    member = aliased(Member)
    by_assignment = rows.join(assignment, _covering(assignment, member_id, on)).where(
        col(assignment.sector_id) == sector_id)
    by_member = rows.join(member, col(member.id) == member_id).where(
        col(member.sector_id) == sector_id,
        ~select(other.id).where(_covering(other, member_id, on)).exists())
    return union(by_assignment, by_member)


def _lead_sector(query: Select) -> tuple[Select, ColumnElement]:
    """``query`` joined to the lead signer's sector when the report was submitted, and
    that sector (see ``_of_sector``; a member's assignments do not overlap, so each
    report keeps one row)."""
    lead = aliased(OpinionReportMember)
    assignment = aliased(MemberAssignment)
    member = aliased(Member)
    joined = (
        query.outerjoin(lead, and_(col(lead.report_id) == OpinionReport.id,
                                   col(lead.is_lead).is_(True)))
        .outerjoin(assignment, _covering(assignment, col(lead.member_id),
                                         col(lead.submitted_on)))
        .outerjoin(member, col(member.id) == col(lead.member_id))
    )
    return joined, func.coalesce(col(assignment.sector_id), col(member.sector_id))


def _overdue(today: date) -> ColumnElement[bool]:
    """``services.opinion.days_overdue(...) > 0`` in SQL."""
    due = col(OpinionReport.due_on)
    return and_(col(OpinionReport.status).in_(sorted(OPEN)), due.is_not(None), due < today)


def _adopted() -> ColumnElement[bool]:
    return select(OpinionAdoption.id).where(
        col(OpinionAdoption.report_id) == OpinionReport.id).exists()


def _instructed() -> ColumnElement[bool]:
    return select(LeaderInstruction.id).where(
        col(LeaderInstruction.report_id) == OpinionReport.id).exists()


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def _sum(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(_flag(condition))
