"""Home: the store at a glance and where we stand in the quota periods. An empty store
gets a welcome that loads demo data."""

import streamlit as st

from services.demo import PRESETS, load_demo_data
from services.errors import ServiceError
from services.overview import overview
from services.permissions import can_load_demo_data
from ui.components import kpi_tile, progress_reporter, show_problem
from ui.flash import flash, show_flash
from ui.i18n import fmt_date, fmt_number, tr
from ui.page import open_page
from ui.periods import period_card

WELCOME_SIZES = ("city", "small")  # the province size belongs on the command line

page = open_page()
home = page.cached(overview, today=page.today)

if not home.has_members:
    st.title(tr("welcome.title"))
    st.markdown(tr("welcome.body"))
    if not can_load_demo_data(page.actor):
        st.info(tr("welcome.ask_admin"))
        st.stop()
    with st.form("demo_load"):
        size_key = st.radio(
            tr("welcome.size"),
            options=WELCOME_SIZES,
            format_func=lambda key: tr(f"welcome.size_{key}"),
            horizontal=True,
        )
        load = st.form_submit_button(tr("welcome.load_demo"), type="primary")
    st.caption(tr("welcome.cli_hint"))
    if load:
        bar = st.progress(0.0, text=tr("demo.step.starting"))
        try:
            summary = load_demo_data(
                engine=page.engine,
                actor=page.actor,
                size=PRESETS[size_key],
                today=page.today,
                progress=progress_reporter(bar),
            )
        except ServiceError as exc:
            show_problem(exc)
        else:
            flash("welcome.loaded", rows=fmt_number(sum(summary.rows.values())))
            st.rerun()
    st.stop()

st.title(tr("home.title"), anchor=False)
st.caption(tr("home.subtitle", today=fmt_date(page.today)))
show_flash()

counts = home.counts
tiles = st.columns(4)
with tiles[0]:
    kpi_tile(tr("home.members_in_office"), counts.members_in_office)
with tiles[1]:
    kpi_tile(tr("home.visits"), counts.visits)
with tiles[2]:
    kpi_tile(tr("home.opinion_reports"), counts.opinion_reports)
with tiles[3]:
    kpi_tile(
        tr("home.workstations"),
        counts.workstations,
        help_text=tr("home.workstations_help"),
        note=tr("home.workstations_active", active=fmt_number(counts.active_workstations),
                idle=fmt_number(counts.idle_workstations),
                closed=fmt_number(counts.closed_workstations)),
    )

st.subheader(tr("home.periods"), anchor=False)
left, right = st.columns(2)
with left:
    period_card(home.quarter, today=page.today)
with right:
    period_card(home.half_year, today=page.today)
