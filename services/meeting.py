"""The figures of the weekly office meeting (issue 13), in one read: this week against
last week, the quotas of the current quarter and half-year, the committees ranked, the
opinion pipeline with its overdue reports, the stations' highlights and the members to
remind. Every figure is the dashboards' own (``services.dashboard``,
``services.opinion_figures``, ``services.station_dashboard``) under the same
``DashboardFilters``, so the projector and the dashboards never disagree.

Choices where the issue is silent (docs/meeting.md):
- "this week" is the seven days ending on the figures' day, against the seven before;
- the pipeline's stages count the reports submitted in the figures' year; the overdue
  reports are all those past their deadline, whenever submitted;
- the stations' most active are counted over the current quarter; idle is the idle rule
  of ``services.workstations`` on the day;
- the members to remind are those still pending in the current quarter (contacts) or
  half-year (reports), the fewest days left first; no phone numbers go on the screen;
- the term filter narrows the visits, activities, problems, quotas and reminders, not
  the reports (a report has no term: ``services.opinion_figures``), as on the overview.
"""

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlmodel import Session

from services import opinion_figures, station_dashboard
from services.actors import Actor
from services.compliance import ComplianceStatus
from services.dashboard import (
    READERS,
    DashboardFilters,
    OverviewFigures,
    WeekFigures,
    figures_day,
    overview_figures,
    week_figures,
)
from services.opinion_figures import FigureFilters, StageCounts
from services.workstation_figures import ActivityScope

TOP = 5  # stations shown as most active and as idle


@dataclass(frozen=True)
class StationHighlights:
    active: int
    idle: int
    most_active: pd.DataFrame  # station_dashboard.STATION_COLUMNS, at most TOP
    idle_list: pd.DataFrame  # station_dashboard.IDLE_COLUMNS, at most TOP


@dataclass(frozen=True)
class MeetingFigures:
    day: date
    week: WeekFigures
    overview: OverviewFigures
    stages: StageCounts  # the reports submitted in the figures' year
    overdue: pd.DataFrame  # opinion_figures.OVERDUE_COLUMNS, most overdue first, all
    stations: StationHighlights
    remind: pd.DataFrame  # dashboard.BEHIND_COLUMNS, pending only, fewest days left first


def meeting_figures(*, session: Session, actor: Actor, filters: DashboardFilters,
                    today: date) -> MeetingFigures:
    actor.require_role(*READERS)
    day = figures_day(filters, today)
    overview = overview_figures(session=session, actor=actor, filters=filters, today=today)
    reports = FigureFilters(organisation_ids=filters.organisation_ids,
                            committee_id=filters.committee_id, sector_id=filters.sector_id)
    year = FigureFilters(organisation_ids=filters.organisation_ids,
                         committee_id=filters.committee_id, sector_id=filters.sector_id,
                         first=date(day.year, 1, 1), last=day)
    behind = overview.behind
    return MeetingFigures(
        day=day,
        week=week_figures(session=session, actor=actor, filters=filters, today=today),
        overview=overview,
        stages=opinion_figures.stage_counts(session=session, actor=actor, today=day,
                                            filters=year),
        overdue=opinion_figures.overdue_list(session=session, actor=actor, today=day,
                                             filters=reports),
        stations=_stations(session, actor, filters, day, overview),
        remind=behind[behind["status"] == ComplianceStatus.PENDING.value].reset_index(
            drop=True),
    )


def _stations(session: Session, actor: Actor, filters: DashboardFilters, day: date,
              overview: OverviewFigures) -> StationHighlights:
    scope = ActivityScope(first=overview.quarter.starts_on, last=day,
                          organisation_ids=filters.organisation_ids,
                          committee_id=filters.committee_id)
    return StationHighlights(
        active=overview.active_stations.now, idle=overview.idle_stations.now,
        most_active=station_dashboard.most_active_stations(
            session=session, actor=actor, scope=scope, today=day, limit=TOP),
        idle_list=station_dashboard.idle_station_list(
            session=session, actor=actor, today=day,
            organisation_ids=filters.organisation_ids,
            committee_id=filters.committee_id).head(TOP))
