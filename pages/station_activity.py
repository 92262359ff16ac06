"""工作站活跃度: which studios and stations are alive and which are empty shells. The
stations' state today (active, idle, closed), the activities and people served in a
period month by month, the ranking by guiding committee and by organisation, the most
active stations and the idle ones; a click on a station opens it on its own screen.
Filters: organisation, committee, and a year, half-year or quarter."""

import pandas as pd
import streamlit as st

from services import members, station_dashboard, workstation_figures, workstations
from services.periods import PeriodKind
from services.permissions import screens_for
from services.workstation_figures import ActivityGroup, ActivityScope
from ui.charts import bar_chart, chart_with_table, line_chart, linked_table
from ui.components import kpi_tile
from ui.filter_bar import filter_bar
from ui.i18n import fmt_number, tr
from ui.live import LIVE_SECONDS, live_page
from ui.page import open_page
from ui.periods import period_picker
from ui.tabs import lazy_tabs

TOP_STATIONS = 10
TAB_KEY = "station_activity_tab"
CHART_BARS = 20  # a ranking's chart shows the first; its table has every group
GOTO_STATION = "station_page.#goto"  # pages/workstations.py opens it in its station tab

page = open_page()
several = len(page.cached(members.lookups).organisations) > 1
workstations_screen = next((screen for screen in screens_for(page.actor)
                            if screen.key == "workstations"), None)


def open_station(station_id: int) -> None:
    st.session_state[GOTO_STATION] = station_id
    st.switch_page(workstations_screen.file)


opener = open_station if workstations_screen is not None else None


def tiles(status: pd.Series, months: pd.DataFrame) -> None:
    figures = [(tr("station_dashboard.stations"), status["stations"]),
               (tr("workstations.active"), status["active"]),
               (tr("workstations.idle"), status["idle"]),
               (tr("workstations.closed"), status["closed"]),
               (tr("station_dashboard.activities"), months["activities"].sum()),
               (tr("station_dashboard.people_served"), months["people_served"].sum())]
    for column, (label, value) in zip(st.columns(len(figures)), figures, strict=True):
        with column:
            kpi_tile(label, int(value))


def monthly(months: pd.DataFrame) -> None:
    st.subheader(tr("station_dashboard.months"), anchor=False)
    words = {"name": tr("station_dashboard.month"),
             "activities": tr("station_dashboard.activities"),
             "people_served": tr("station_dashboard.people_served"),
             "attendances": tr("station_dashboard.attendances")}
    activities = bar_chart(months, "name", "activities", x_title=words["name"],
                           y_title=words["activities"],
                           tooltip=[("people_served", words["people_served"])])
    people = line_chart(months, "name", "people_served", x_title=words["name"],
                        y_title=words["people_served"],
                        tooltip=[("activities", words["activities"])])
    chart_with_table([activities, people], months, labels=words,
                     file_name="station_activity_months", entity="WorkstationActivity",
                     empty=tr("station_dashboard.empty_period"), total_of="activities")


def with_label(rows: pd.DataFrame, whose: bool) -> pd.DataFrame:
    """One bar per row: a name that two organisations' committees or stations share says
    whose it is."""
    if not whose:
        return rows.assign(label=rows["name"])
    return rows.assign(label=[f"{name}（{organisation}）" for name, organisation
                              in zip(rows["name"], rows["organisation"], strict=True)])


def ranking(scope: ActivityScope, group: ActivityGroup) -> None:
    rows = with_label(page.cached(station_dashboard.group_ranking, scope=scope, group=group,
                                  today=page.today),
                      several and group is ActivityGroup.COMMITTEE)
    name = tr(f"station_dashboard.{group.value}")
    labels = {"name": name}
    labels |= ({"organisation": tr("filter.organisation")}
               if several and group is ActivityGroup.COMMITTEE else {})
    labels |= {"stations": tr("station_dashboard.stations"),
              "active": tr("workstations.active"), "idle": tr("workstations.idle"),
              "closed": tr("workstations.closed"),
              "activities": tr("station_dashboard.activities"),
              "people_served": tr("station_dashboard.people_served"),
              "attendances": tr("station_dashboard.attendances")}
    chart = bar_chart(rows.head(CHART_BARS), "label", "activities", x_title=name,
                      y_title=labels["activities"], horizontal=True, values=True,
                      tooltip=[(column, labels[column]) for column in (
                          "people_served", "stations", "idle")])
    if len(rows) > CHART_BARS and rows["activities"].sum():
        st.caption(tr("station_dashboard.chart_first", count=CHART_BARS))
    chart_with_table(chart, rows, labels=labels, file_name=f"station_ranking_{group.value}",
                     entity="Workstation", empty=tr("station_dashboard.empty_period"),
                     total_of="activities")


def most_active(scope: ActivityScope) -> None:
    rows = with_label(page.cached(station_dashboard.most_active_stations, scope=scope,
                                  today=page.today, limit=TOP_STATIONS), several)
    labels = {"name": tr("workstations.field.name")}
    labels |= {"organisation": tr("filter.organisation")} if several else {}
    labels |= {"committee": tr("workstations.field.committee"),
               "activities": tr("station_dashboard.activities"),
               "people_served": tr("station_dashboard.people_served"),
               "attendances": tr("station_dashboard.attendances"),
               "last_on": tr("workstations.column.last_on"),
               "days_since": tr("workstations.column.days_since")}
    chart = bar_chart(rows, "label", "activities", x_title=labels["name"],
                      y_title=labels["activities"], horizontal=True, values=True,
                      tooltip=[("committee", labels["committee"]),
                               ("people_served", labels["people_served"])])
    chart_with_table(chart, rows, labels=labels, file_name="station_activity_top",
                     entity="Workstation", empty=tr("station_dashboard.empty_period"),
                     open_row=opener)


def idle_list(scope) -> None:  # noqa: ANN001 (the filter bar's Scope)
    days = page.cached(workstations.idle_days)
    st.caption(tr("workstations.idle_rule", days=fmt_number(days)))
    rows = page.cached(station_dashboard.idle_station_list, today=page.today,
                       organisation_ids=scope.organisation_ids, committee_id=scope.committee_id)
    if rows.empty:
        st.success(tr("workstations.idle_none", days=fmt_number(days)))
        return
    never = tr("workstations.never")
    shown = rows.assign(last_activity=[never if day is None or pd.isna(day) else day.isoformat()
                                       for day in rows["last_on"]])
    labels = {"organisation": tr("filter.organisation")} if several else {}
    labels |= {"committee": tr("workstations.field.committee"),
               "name": tr("workstations.field.name"),
               "district": tr("workstations.field.district"),
               "is_active": tr("workstations.field.is_active"),
               "stationed": tr("workstations.column.stationed"),
               "last_activity": tr("workstations.column.last_on"),
               "days_since": tr("workstations.column.days_since")}
    linked_table(shown, labels, file_name="station_activity_idle", entity="Workstation",
                 open_row=opener)


st.title(tr("nav.station_activity"))
st.caption(tr("station_dashboard.caption"))
scope = filter_bar(page, key="station_activity_filter", with_sector=False)
period = period_picker(today=page.today, key="station_activity_period",
                       kinds=(PeriodKind.YEAR, PeriodKind.HALF_YEAR, PeriodKind.QUARTER))
@st.fragment(run_every=LIVE_SECONDS)
def live() -> None:
    """Redrawn every LIVE_SECONDS (ui/live.py): a fresh page context reads the data
    version again, so the figures are read afresh only after a write."""
    global page
    page = live_page()
    status = page.cached(workstation_figures.station_status, today=page.today,
                         organisation_ids=scope.organisation_ids,
                         committee_id=scope.committee_id).iloc[0]
    if not status["stations"]:
        anything = page.cached(workstation_figures.station_status, today=page.today).iloc[0]
        st.info(tr("station_dashboard.empty_filtered") if anything["stations"]
                else tr("station_dashboard.none_yet"))
        return

    activity_scope = ActivityScope(first=period.starts_on, last=min(period.ends_on, page.today),
                                   organisation_ids=scope.organisation_ids,
                                   committee_id=scope.committee_id)
    months = page.cached(workstation_figures.activity_figures, scope=activity_scope,
                         group=ActivityGroup.MONTH)
    tiles(status, months)
    st.caption(tr("station_dashboard.status_note"))
    monthly(months)
    views = [(tr("station_dashboard.by_committee"),
              lambda: ranking(activity_scope, ActivityGroup.COMMITTEE))]
    if several:
        views.append((tr("station_dashboard.by_organisation"),
                      lambda: ranking(activity_scope, ActivityGroup.ORGANISATION)))
    views += [(tr("station_dashboard.top", count=TOP_STATIONS),
               lambda: most_active(activity_scope)),
              (tr("station_dashboard.idle_list"), lambda: idle_list(scope))]
    lazy_tabs(TAB_KEY, views)  # each runs only when open: a list of stations is not cheap


live()
