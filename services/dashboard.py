"""The leadership overview (issue 12): where the quotas stand this quarter and half-year,
the week's change of each headline figure, the monthly trends, the committees and
sectors ranked, and who is behind.

Every figure honours the same filters (``DashboardFilters``): organisation, term, year,
committee and sector. The *day* of the figures is today in the current year and the last
day of a past year otherwise; "a week ago" is the same figure as it stood seven days
earlier, counting only records dated up to then. Committee and sector are those of the
member when the record was made (the quota figures: of the period), so a past period
keeps the committee of then.

Which records a filter keeps:
- visits and activities: one of their members sat in the committee / sector / term
  on the day (a joint visit counts once);
- reports: the report's committee, or a signer of the sector (``services.opinion_figures``);
- problems: the committee following them up; the sector filter keeps those raised on a
  visit or an activity of a member of the sector that day;
- stations: the guiding committee (a station has no sector or term: those filters leave
  the station figures as they are).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import ColumnElement, and_, case, func, or_
from sqlmodel import Session, col, select

from models import (
    CollectedProblem,
    MemberAssignment,
    ProblemStatus,
    Role,
    Visit,
    VisitMember,
    Workstation,
    WorkstationActivity,
    WorkstationActivityMember,
)
from services import opinion_figures
from services.actors import Actor
from services.compliance import ComplianceRule, ComplianceStatus, compliance_frame
from services.organisations import in_scope
from services.periods import Period, half_year_of, quarter_of
from services.workstation_figures import station_status

READERS = (Role.ADMIN, Role.LEADER, Role.STAFF)
WEEK = timedelta(days=7)
HANDLED = (ProblemStatus.HANDLED, ProblemStatus.CLOSED)
TREND_COLUMNS = ["month", "visits", "reports", "activities"]
RANK_COLUMNS = ["id", "name", "organisation", "members", "contact_required", "contact_met",
                "contact_share",
                "report_required", "report_met", "report_share"]
BEHIND_COLUMNS = ["member_id", "member", "phone", "organisation", "committee", "sector",
                  "rule", "period", "required", "done", "status", "days_left"]


@dataclass(frozen=True)
class DashboardFilters:
    """None means all the actor sees (``year``: the current one)."""

    organisation_ids: frozenset[int] | None = None
    term_id: int | None = None
    year: int | None = None
    committee_id: int | None = None
    sector_id: int | None = None


@dataclass(frozen=True)
class Tally:
    """A headline figure now and as it stood a week earlier."""

    now: int
    week_ago: int

    @property
    def change(self) -> int:
        return self.now - self.week_ago


@dataclass(frozen=True)
class QuotaTally:
    """Members meeting a quota in its current period: met of those required (the exempt
    left out), now and a week earlier (in the period holding that day)."""

    period: Period
    met: int
    required: int
    exempt: int
    met_week_ago: int
    required_week_ago: int

    @property
    def share(self) -> float | None:
        return self.met / self.required if self.required else None

    @property
    def share_week_ago(self) -> float | None:
        return self.met_week_ago / self.required_week_ago if self.required_week_ago else None


@dataclass(frozen=True)
class OverviewFigures:
    day: date
    quarter: Period
    half_year: Period
    contact: QuotaTally
    report: QuotaTally
    visits: Tally  # in the quarter up to the day
    reports: Tally  # submitted in the quarter
    problems_collected: Tally
    problems_handled: Tally
    active_stations: Tally
    idle_stations: Tally
    trends: pd.DataFrame  # TREND_COLUMNS, a row per month of the year up to the day
    committees: pd.DataFrame  # RANK_COLUMNS, best first
    sectors: pd.DataFrame
    behind: pd.DataFrame  # BEHIND_COLUMNS: pending or missed, fewest days left first


def figures_day(filters: DashboardFilters, today: date) -> date:
    """Today in the current year (or a later one), the last day of a past year."""
    if filters.year is None or filters.year >= today.year:
        return today
    return date(filters.year, 12, 31)


def overview_figures(*, session: Session, actor: Actor, filters: DashboardFilters,
                     today: date) -> OverviewFigures:
    actor.require_role(*READERS)
    day = figures_day(filters, today)
    before = day - WEEK
    quarter, half_year = quarter_of(day), half_year_of(day)
    contact_now, report_now = _quotas(session, actor, filters, day, done_by=before)
    if quarter_of(before) == quarter:  # a week ago is the same periods, counted to then
        contact_then, report_then = (_as_then(contact_now), _as_then(report_now))
    else:  # the first week of a quarter: a week ago is the previous quarter
        contact_then, report_then = _quotas(session, actor, filters, before)
    return OverviewFigures(
        day=day, quarter=quarter, half_year=half_year,
        contact=_quota_tally(contact_now, contact_then, quarter),
        report=_quota_tally(report_now, report_then, half_year),
        # each "a week ago" of its quarter so far, like the quotas' (in a quarter's
        # first week: the previous quarter's)
        visits=Tally(*(_visits(session, actor, filters, quarter_of(d).starts_on, d)
                       for d in (day, before))),
        reports=Tally(*(_reports(session, actor, filters, quarter_of(d).starts_on, d)
                        for d in (day, before))),
        problems_collected=Tally(*(_problems(session, actor, filters, quarter_of(d).starts_on,
                                             d, handled=False) for d in (day, before))),
        problems_handled=Tally(*(_problems(session, actor, filters, quarter_of(d).starts_on,
                                           d, handled=True) for d in (day, before))),
        **_stations(session, actor, filters, day, before),
        trends=monthly_trends(session=session, actor=actor, filters=filters, today=today),
        committees=_ranking(contact_now, report_now, "committee"),
        sectors=_ranking(contact_now, report_now, "sector"),
        behind=_behind(contact_now, report_now),
    )


@dataclass(frozen=True)
class WeekFigures:
    """The week's work against the week before: ``now`` counts the seven days ending on
    the figures' day (``first``..``last``), ``week_ago`` the seven days before them."""

    first: date
    last: date
    visits: Tally
    reports: Tally  # submitted
    problems_handled: Tally  # handled or closed
    activities: Tally  # station activities held


def week_figures(*, session: Session, actor: Actor, filters: DashboardFilters,
                 today: date) -> WeekFigures:
    """This week against last week under the filters (see ``WeekFigures``): a rolling
    week of seven days ending on the figures' day, today included, so a meeting on any
    weekday sees a whole week's work (on a Monday: the Tuesday before to that Monday)."""
    actor.require_role(*READERS)
    last = figures_day(filters, today)
    weeks = [(last - timedelta(days=6), last), (last - timedelta(days=13), last - WEEK)]

    def tally(count: Callable[[date, date], int]) -> Tally:
        return Tally(*(count(first, end) for first, end in weeks))

    return WeekFigures(
        first=weeks[0][0], last=last,
        visits=tally(lambda a, b: _visits(session, actor, filters, a, b)),
        reports=tally(lambda a, b: _reports(session, actor, filters, a, b)),
        problems_handled=tally(lambda a, b: _problems(session, actor, filters, a, b,
                                                      handled=True)),
        activities=tally(lambda a, b: _activities(session, actor, filters, a, b)))


# --- quotas ---------------------------------------------------------------------------------


def _quotas(session: Session, actor: Actor, filters: DashboardFilters, day: date,
            done_by: date | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The contact rows of the quarter holding ``day`` and the report rows of its
    half-year, as they stood on ``day`` (with ``done_by``: also what was done by then)."""
    frame = compliance_frame(session=session, actor=actor, span=quarter_of(day), today=day,
                             organisation_ids=filters.organisation_ids,
                             committee_id=filters.committee_id, sector_id=filters.sector_id,
                             term_id=filters.term_id, as_of=day, done_by=done_by)
    return (frame[frame["rule"] == ComplianceRule.CONTACT.value],
            frame[frame["rule"] == ComplianceRule.REPORT.value])


def _as_then(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows as they stood on the ``done_by`` day: who is required does not depend on
    the day, what was done does."""
    met = (rows["status"] != ComplianceStatus.EXEMPT.value) & (
        rows["done_by"] >= rows["required"])
    return rows.assign(status=rows["status"].where(
        (rows["status"] == ComplianceStatus.EXEMPT.value) | ~met, ComplianceStatus.MET.value)
        .where(met | (rows["status"] == ComplianceStatus.EXEMPT.value),
               ComplianceStatus.PENDING.value))


def _quota_tally(now: pd.DataFrame, then: pd.DataFrame, period: Period) -> QuotaTally:
    def counts(rows: pd.DataFrame) -> tuple[int, int, int]:
        exempt = int((rows["status"] == ComplianceStatus.EXEMPT.value).sum())
        met = int((rows["status"] == ComplianceStatus.MET.value).sum())
        return met, len(rows) - exempt, exempt

    met, required, exempt = counts(now)
    met_then, required_then, _ = counts(then)
    return QuotaTally(period=period, met=met, required=required, exempt=exempt,
                      met_week_ago=met_then, required_week_ago=required_then)


def _ranking(contact: pd.DataFrame, report: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per committee (or sector): members, and of those required how many met each quota,
    best contact share first (one grouping over both rules' rows)."""
    rows = pd.concat([contact, report], ignore_index=True)
    if rows.empty:
        return pd.DataFrame(columns=RANK_COLUMNS)
    key = rows[f"{by}_id"].to_numpy()
    status = rows["status"].to_numpy()
    counts = pd.DataFrame({
        "id": key, "rule": rows["rule"].to_numpy(),
        "required": (status != ComplianceStatus.EXEMPT.value).astype(int),
        "met": (status == ComplianceStatus.MET.value).astype(int),
    }).groupby(["id", "rule"])[["required", "met"]].sum().unstack("rule", fill_value=0)
    first = rows.drop_duplicates(f"{by}_id").set_index(f"{by}_id")
    table = pd.DataFrame({"name": first[by], "organisation": first["organisation"],
                          "members": rows.groupby(f"{by}_id")["member_id"].nunique()})
    for rule in ("contact", "report"):
        for what in ("required", "met"):
            table[f"{rule}_{what}"] = counts.get((what, rule), 0)
        table[[f"{rule}_required", f"{rule}_met"]] = table[
            [f"{rule}_required", f"{rule}_met"]].fillna(0).astype(int)
        table[f"{rule}_share"] = table[f"{rule}_met"] / table[f"{rule}_required"].where(
            table[f"{rule}_required"] > 0)
    table = table.rename_axis("id").reset_index()
    return table.sort_values(["contact_share", "report_share", "name"],
                             ascending=[False, False, True], na_position="last",
                             ignore_index=True)[RANK_COLUMNS]


def _behind(contact: pd.DataFrame, report: pd.DataFrame) -> pd.DataFrame:
    rows = pd.concat([contact, report])
    behind = rows[rows["status"].isin([ComplianceStatus.PENDING.value,
                                       ComplianceStatus.MISSED.value])]
    return behind.sort_values(["days_left", "committee", "name_key"],
                              ignore_index=True)[BEHIND_COLUMNS]


# --- records ----------------------------------------------------------------------------------


def _seated(member: ColumnElement, day: ColumnElement,
            filters: DashboardFilters) -> ColumnElement[bool] | None:
    """The member sat in the filters' committee, sector and term on ``day`` (None when
    no such filter is set)."""
    if filters.committee_id is None and filters.sector_id is None and filters.term_id is None:
        return None
    seat = select(MemberAssignment.id).where(
        col(MemberAssignment.member_id) == member, col(MemberAssignment.starts_on) <= day,
        or_(col(MemberAssignment.ends_on).is_(None), col(MemberAssignment.ends_on) >= day))
    for column, value in ((MemberAssignment.committee_id, filters.committee_id),
                          (MemberAssignment.sector_id, filters.sector_id),
                          (MemberAssignment.term_id, filters.term_id)):
        if value is not None:
            seat = seat.where(col(column) == value)
    return seat.exists()


def _organisations(column: ColumnElement, actor: Actor,
                   filters: DashboardFilters) -> list[ColumnElement[bool]]:
    conditions = [in_scope(column, actor)]
    if filters.organisation_ids is not None:
        conditions.append(col(column).in_(sorted(filters.organisation_ids)))
    return conditions


def _visit_conditions(actor: Actor, filters: DashboardFilters) -> list[ColumnElement[bool]]:
    conditions = [col(Visit.deleted_at).is_(None),
                  *_organisations(Visit.organisation_id, actor, filters)]
    seated = _seated(VisitMember.member_id, VisitMember.visit_date, filters)
    if seated is not None:
        conditions.append(col(Visit.id).in_(select(VisitMember.visit_id).where(seated)))
    return conditions


def _activity_conditions(actor: Actor, filters: DashboardFilters) -> list[ColumnElement[bool]]:
    stations = select(Workstation.id).where(
        col(Workstation.deleted_at).is_(None),
        *_organisations(Workstation.organisation_id, actor, filters))
    conditions = [col(WorkstationActivity.deleted_at).is_(None),
                  col(WorkstationActivity.workstation_id).in_(stations)]
    seated = _seated(WorkstationActivityMember.member_id,
                     WorkstationActivityMember.activity_date, filters)
    if seated is not None:
        conditions.append(col(WorkstationActivity.id).in_(
            select(WorkstationActivityMember.activity_id).where(seated)))
    return conditions


def _visits(session: Session, actor: Actor, filters: DashboardFilters, first: date,
            last: date) -> int:
    return session.exec(select(func.count()).select_from(Visit).where(
        *_visit_conditions(actor, filters), Visit.visit_date >= first,
        Visit.visit_date <= last)).one()


def _activities(session: Session, actor: Actor, filters: DashboardFilters, first: date,
                last: date) -> int:
    return session.exec(select(func.count()).select_from(WorkstationActivity).where(
        *_activity_conditions(actor, filters), WorkstationActivity.activity_date >= first,
        WorkstationActivity.activity_date <= last)).one()


def _report_filters(filters: DashboardFilters, first: date | None,
                    last: date | None) -> opinion_figures.FigureFilters:
    return opinion_figures.FigureFilters(organisation_ids=filters.organisation_ids,
                                         committee_id=filters.committee_id,
                                         sector_id=filters.sector_id, first=first, last=last)


def _reports(session: Session, actor: Actor, filters: DashboardFilters, first: date,
             last: date) -> int:
    if last < first:
        return 0
    return opinion_figures.stage_counts(session=session, actor=actor, today=last,
                                        filters=_report_filters(filters, first, last)).total


def _problems(session: Session, actor: Actor, filters: DashboardFilters, first: date,
              last: date, *, handled: bool) -> int:
    """Problems collected in ``first``..``last``, or handled (or closed) in it."""
    day = CollectedProblem.handled_on if handled else CollectedProblem.collected_on
    conditions = [col(CollectedProblem.deleted_at).is_(None), col(day).is_not(None),
                  day >= first, day <= last,
                  *_organisations(CollectedProblem.organisation_id, actor, filters)]
    if handled:
        conditions.append(col(CollectedProblem.status).in_(HANDLED))
    if filters.committee_id is not None:
        conditions.append(CollectedProblem.committee_id == filters.committee_id)
    if filters.sector_id is not None or filters.term_id is not None:
        only = DashboardFilters(sector_id=filters.sector_id, term_id=filters.term_id)
        conditions.append(or_(
            col(CollectedProblem.visit_id).in_(select(VisitMember.visit_id).where(
                _seated(VisitMember.member_id, VisitMember.visit_date, only))),
            col(CollectedProblem.activity_id).in_(
                select(WorkstationActivityMember.activity_id).where(
                    _seated(WorkstationActivityMember.member_id,
                            WorkstationActivityMember.activity_date, only)))))
    return session.exec(select(func.count()).select_from(CollectedProblem)
                        .where(*conditions)).one()


def _stations(session: Session, actor: Actor, filters: DashboardFilters, day: date,
              before: date) -> dict[str, Tally]:
    def status(on: date) -> tuple[int, int]:
        frame = station_status(session=session, actor=actor, today=on,
                               organisation_ids=filters.organisation_ids,
                               committee_id=filters.committee_id)
        if frame.empty:
            return 0, 0
        return int(frame["active"].sum()), int(frame["idle"].sum())

    (active, idle), (active_then, idle_then) = status(day), status(before)
    return {"active_stations": Tally(active, active_then),
            "idle_stations": Tally(idle, idle_then)}


# --- trends -----------------------------------------------------------------------------------


def _months(first: date, last: date) -> list[tuple[date, date]]:
    months, start = [], first
    while start <= last:
        following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        months.append((start, min(following - timedelta(days=1), last)))
        start = following
    return months


def _monthly(session: Session, day: ColumnElement, months: list[tuple[date, date]],
             table: object, conditions: list[ColumnElement[bool]]) -> list[int]:
    """How many rows of ``table`` fall in each month: one row of conditional sums."""
    sums = [func.coalesce(func.sum(case((and_(day >= a, day <= b), 1), else_=0)), 0)
            for a, b in months]
    found = session.execute(select(*sums).select_from(table).where(
        *conditions, day >= months[0][0], day <= months[-1][1])).one()
    return [int(n) for n in found]


def monthly_trends(*, session: Session, actor: Actor, filters: DashboardFilters,
                   today: date) -> pd.DataFrame:
    """Visits, reports submitted and station activities per month of the filters' year,
    up to the figures' day (``TREND_COLUMNS``; ``month`` its first day)."""
    actor.require_role(*READERS)
    day = figures_day(filters, today)
    months = _months(date(day.year, 1, 1), day)
    report_rows = opinion_figures.reports_per_month(
        session=session, actor=actor, months=months,
        filters=_report_filters(filters, months[0][0], months[-1][1]))
    return pd.DataFrame({
        "month": [first for first, _ in months],
        "visits": _monthly(session, Visit.visit_date, months, Visit,
                           _visit_conditions(actor, filters)),
        "reports": report_rows,
        "activities": _monthly(session, WorkstationActivity.activity_date, months,
                               WorkstationActivity, _activity_conditions(actor, filters)),
    }, columns=TREND_COLUMNS)
