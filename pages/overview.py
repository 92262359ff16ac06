"""Overview (履职总览): what leadership opens every morning. The quotas of the current
quarter and half-year, the week's change of each headline figure, who is behind (a click
opens the member), the monthly trends and the committees and sectors ranked, all under
the same filters. The figures refresh by themselves (``ui.live``): an entry saved by
anyone, in any app process, shows within ``LIVE_SECONDS``."""

from datetime import date

import pandas as pd
import streamlit as st

from services.compliance import ComplianceRule, ComplianceStatus
from services.dashboard import OverviewFigures, QuotaTally, Tally, overview_figures
from ui.charts import bar_chart, chart_with_table, line_chart, linked_table
from ui.components import kpi_tile
from ui.dashboard_filters import dashboard_filters
from ui.goto import member_opener
from ui.i18n import enum_column, fmt_date, fmt_number, fmt_percent, tr
from ui.live import LIVE_SECONDS, live_caption, live_page
from ui.page import PageContext, open_page
from ui.tabs import lazy_tabs

page = open_page()
st.title(tr("nav.overview"), anchor=False)
filters = dashboard_filters(page, key="overview")


def change(tally: Tally) -> str:
    return tr("overview.change", change=f"{tally.change:+,}")


def quota_tile(label: str, quota: QuotaTally, day: date) -> None:
    points = None
    if quota.share is not None and quota.share_week_ago is not None:
        points = round((quota.share - quota.share_week_ago) * 100, 1)
    kpi_tile(label, fmt_percent(quota.share),
             delta=None if points is None else tr("overview.change_points",
                                                  change=f"{points:+}"),
             flat=not points,
             note=tr("overview.quota_note", met=fmt_number(quota.met),
                     required=fmt_number(quota.required), exempt=fmt_number(quota.exempt),
                     days=fmt_number(quota.period.days_left(day))))


def tiles(figures: OverviewFigures) -> None:
    first, second = st.columns(2), st.columns(4)
    with first[0]:
        quota_tile(tr("overview.contact_quota"), figures.contact, figures.day)
    with first[1]:
        quota_tile(tr("overview.report_quota"), figures.report, figures.day)
    for place, label, tally, colour in (
            (second[0], "overview.visits", figures.visits, "normal"),
            (second[1], "overview.reports", figures.reports, "normal"),
            (second[2], "overview.problems", figures.problems_collected, "off")):
        with place:
            note = (tr("overview.problems_handled",
                       handled=fmt_number(figures.problems_handled.now),
                       change=f"{figures.problems_handled.change:+,}")
                    if tally is figures.problems_collected else None)
            kpi_tile(tr(label), tally.now, delta=change(tally), delta_color=colour, note=note,
                     flat=not tally.change)
    with second[3]:
        kpi_tile(tr("overview.stations"), figures.active_stations.now,
                 delta=change(figures.active_stations), flat=not figures.active_stations.change,
                 note=tr("overview.idle", idle=fmt_number(figures.idle_stations.now),
                         change=f"{figures.idle_stations.change:+,}"))


def behind(figures: OverviewFigures, current: PageContext) -> None:
    st.subheader(tr("overview.behind"), anchor=False)
    rows = figures.behind.assign(
        rule=lambda f: enum_column(f["rule"], ComplianceRule),
        status=lambda f: enum_column(f["status"], ComplianceStatus),
        id=lambda f: f["member_id"])
    labels = {"member": tr("compliance.column.member")}
    if rows["organisation"].nunique() > 1:
        labels["organisation"] = tr("compliance.column.organisation")
    labels |= {column: tr(f"compliance.column.{column}")
               for column in ("committee", "sector", "rule", "period", "done", "required",
                              "status", "days_left", "phone")}
    if rows.empty:
        st.success(tr("overview.nobody_behind"))
        return
    st.caption(tr("overview.behind_count", count=fmt_number(rows["member_id"].nunique())))
    linked_table(rows, labels, file_name="overview_behind", entity="Compliance",
                 open_row=member_opener(current))


def trends(figures: OverviewFigures) -> None:
    frame = figures.trends.assign(month=lambda f: [m.strftime("%Y-%m") for m in f["month"]])
    long = frame.melt("month", var_name="kind", value_name="count")
    long["kind"] = long["kind"].map({k: tr(f"overview.trend.{k}")
                                     for k in ("visits", "reports", "activities")})
    chart = line_chart(long, "month", "count", x_title=tr("overview.month"),
                       y_title=tr("overview.count"), color="kind",
                       color_title=tr("overview.kind"))
    chart_with_table(chart, frame, labels={
        "month": tr("overview.month"), "visits": tr("overview.trend.visits"),
        "reports": tr("overview.trend.reports"),
        "activities": tr("overview.trend.activities")},
        file_name="overview_trends", entity="Overview", empty=tr("overview.no_trend"))


def ranking(frame: pd.DataFrame, by: str) -> None:
    if frame["organisation"].nunique() > 1:  # every organisation has its 提案委员会
        frame = frame.assign(name=frame["name"] + "（" + frame["organisation"] + "）")
    shown = frame.assign(contact_percent=lambda f: (f["contact_share"] * 100).round(1),
                         contact_text=lambda f: f["contact_share"].map(fmt_percent),
                         report_text=lambda f: f["report_share"].map(fmt_percent))
    chart = bar_chart(shown, "name", "contact_percent", x_title=tr(f"overview.{by}"),
                      y_title=tr("overview.contact_share"), horizontal=True, values=True)
    chart_with_table(chart, shown, labels={
        "name": tr(f"overview.{by}"), "members": tr("overview.members"),
        "contact_met": tr("overview.contact_met"),
        "contact_required": tr("overview.contact_required"),
        "contact_text": tr("overview.contact_share"),
        "report_met": tr("overview.report_met"),
        "report_required": tr("overview.report_required"),
        "report_text": tr("overview.report_share")},
        file_name=f"overview_{by}_ranking", entity="Compliance",
        empty=tr("overview.no_members"), total_of="members")


@st.fragment(run_every=LIVE_SECONDS)
def live() -> None:
    """Redrawn every ``LIVE_SECONDS``: a fresh page context reads the data version again,
    so the figures are computed afresh only after a write (``page.cached``)."""
    current = live_page()
    figures = current.cached(overview_figures, filters=filters, today=current.today)
    live_caption(tr("overview.as_of", day=fmt_date(figures.day),
                    quarter=f"{figures.quarter.year}Q{figures.quarter.index}",
                    half=f"{figures.half_year.year}H{figures.half_year.index}"))
    if not figures.contact.required + figures.contact.exempt:
        st.info(tr("overview.empty"))
        return
    tiles(figures)
    behind(figures, current)
    lazy_tabs("overview_tab", [
        (tr("overview.tab.trends"), lambda: trends(figures)),
        (tr("overview.tab.committees"), lambda: ranking(figures.committees, "committee")),
        (tr("overview.tab.sectors"), lambda: ranking(figures.sectors, "sector")),
    ])


live()
