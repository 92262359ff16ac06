"""社情民意流转: where the public-opinion reports of a period stand and where they stall.
The reports in each stage, adoption by level, leaders' instructions, the days to
forwarding, reply and feedback with the spread of the days to feedback, and the overdue
reports; a click on one opens it on the reports board. Filters: organisation,
committee, sector, and a quarter, half-year or year of submission."""

import pandas as pd
import streamlit as st

from services import opinion_dashboard, opinion_figures
from services.opinion_figures import FigureFilters
from services.permissions import screens_for
from ui.charts import bar_chart, chart_with_table
from ui.filter_bar import filter_bar
from ui.i18n import enum_text, fmt_number, fmt_percent, tr
from ui.live import LIVE_SECONDS, live_page
from ui.page import open_page
from ui.report_figures import figure_filters, overdue_section, tile_row, turnaround_tiles
from ui.tabs import lazy_tabs

OPEN_REPORT = "report_board.open"  # pages/reports.py: the report open on its board
PICK_REPORT = "report_board.pick"  # and its picker, which a new choice would override
TAB_KEY = "opinion_pipeline_tab"

page = open_page()
reports_screen = next((screen for screen in screens_for(page.actor)
                       if screen.key == "reports"), None)


def open_report(report_id: int) -> None:
    st.session_state[OPEN_REPORT] = report_id
    st.session_state[PICK_REPORT] = report_id
    st.switch_page(reports_screen.file)


def counts_chart(counts: dict, *, name: str, file_name: str, empty: str) -> None:
    """One bar per value of an enum (a stage, a level), in the enum's order."""
    rows = pd.DataFrame({"name": [enum_text(value) for value in counts],
                         "reports": [int(count) for count in counts.values()]})
    labels = {"name": name, "reports": tr("opinion_dashboard.reports")}
    chart = bar_chart(rows, "name", "reports", x_title=name, y_title=labels["reports"],
                      horizontal=True, values=True)
    chart_with_table(chart, rows, labels=labels, file_name=file_name,
                     entity="OpinionReport", empty=empty, total_of="reports")


def feedback_days(filters: FigureFilters) -> None:
    spread = page.cached(opinion_dashboard.days_to_feedback, filters=filters)
    rows = spread.assign(span=[
        tr("opinion_dashboard.span_open", low=low) if pd.isna(high)
        else tr("opinion_dashboard.span", low=low, high=high)
        for low, high in zip(spread["low"], spread["high"], strict=True)])
    labels = {"span": tr("opinion_dashboard.days"), "reports": tr("opinion_dashboard.reports")}
    chart = bar_chart(rows, "span", "reports", x_title=labels["span"],
                      y_title=labels["reports"], values=True)
    st.markdown(f"**{tr('opinion_dashboard.feedback_days')}**")
    chart_with_table(chart, rows, labels=labels, file_name="opinion_pipeline_feedback_days",
                     entity="OpinionReport", empty=tr("opinion_dashboard.no_feedback"),
                     total_of="reports")


st.title(tr("nav.opinion_pipeline"))
st.caption(tr("opinion_dashboard.caption"))
scope = filter_bar(page, key="opinion_pipeline_filter")
filters = figure_filters(page, scope, key="opinion_pipeline_period")
@st.fragment(run_every=LIVE_SECONDS)
def live() -> None:
    """Redrawn every LIVE_SECONDS (ui/live.py): a fresh page context reads the data
    version again, so the figures are read afresh only after a write."""
    global page
    page = live_page()
    adoption = page.cached(opinion_figures.adoption_by_level, filters=filters)
    if not adoption.submitted:
        anything = page.cached(opinion_figures.adoption_by_level).submitted
        st.info(tr("opinion.figures.empty") if anything else tr("opinion.board.none_yet"))
        return

    stages = page.cached(opinion_figures.stage_counts, today=page.today, filters=filters)
    instructions = page.cached(opinion_figures.instruction_counts, filters=filters)
    tile_row([(tr("opinion.figures.submitted"), fmt_number(adoption.submitted)),
              (tr("opinion.figures.adopted"), fmt_number(adoption.adopted)),
              (tr("opinion.figures.adoption_rate"), fmt_percent(adoption.rate)),
              (tr("opinion.figures.instructed"), fmt_number(instructions.reports)),
              (tr("opinion.kpi.overdue"), fmt_number(stages.overdue))])


    def stages_tab() -> None:
        st.subheader(tr("opinion_dashboard.stages"), anchor=False)
        counts_chart(stages.by_status, name=tr("opinion_dashboard.stage"),
                     file_name="opinion_pipeline_stages", empty=tr("opinion.figures.empty"))
        adopted, instructed = st.columns(2)
        with adopted:
            st.subheader(tr("opinion_dashboard.adoption"), anchor=False)
            counts_chart(adoption.by_level, name=tr("opinion_dashboard.level"),
                         file_name="opinion_pipeline_adoption",
                         empty=tr("opinion_dashboard.no_adoption"))
        with instructed:
            st.subheader(tr("opinion_dashboard.instructions"), anchor=False)
            counts_chart(instructions.by_level, name=tr("opinion_dashboard.level"),
                         file_name="opinion_pipeline_instructions",
                         empty=tr("opinion_dashboard.no_instruction"))


    def turnaround_tab() -> None:
        turnaround_tiles(page, filters)
        feedback_days(filters)


    lazy_tabs(TAB_KEY, [  # each runs only when open
        (tr("opinion_dashboard.tab_stages"), stages_tab),
        (tr("opinion_dashboard.turnaround"), turnaround_tab),
        (tr("opinion.figures.overdue_list"), lambda: overdue_section(
            page, filters, open_report=open_report if reports_screen else None)),
    ])


live()
