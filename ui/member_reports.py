"""The profile's tab of a member's public-opinion reports: those signed this half-year
against the quota, how many were adopted, and every report with where it stands."""

import streamlit as st

from models import AdoptionLevel, OpinionStatus
from services import opinion_board
from services.opinion_board import BoardFilters
from services.periods import half_year_of
from ui.i18n import enum_text, fmt_number, tr
from ui.page import PageContext
from ui.periods import period_name
from ui.report_view import status_text
from ui.table import labelled_table


def reports_section(page: PageContext, member_id: int) -> None:
    rows = page.cached(opinion_board.report_board, today=page.today, limit=None,
                       filters=BoardFilters(member_id=member_id))
    half_year = half_year_of(page.today)
    in_half_year = rows["submitted_on"].between(half_year.starts_on, half_year.ends_on)
    figures = st.columns(3)
    figures[0].metric(tr("member_reports.this_half_year", period=period_name(half_year)),
                      fmt_number(int(in_half_year.sum())))
    figures[1].metric(tr("member_reports.all"), fmt_number(len(rows)))
    figures[2].metric(tr("member_reports.adopted"),
                      fmt_number(int(rows["adoption_level"].notna().sum())))
    if rows.empty:
        st.info(tr("member_reports.none"))
        return
    shown = rows.sort_values(["submitted_on", "id"], ascending=False).assign(
        status=[status_text(OpinionStatus(s), d)
                for s, d in zip(rows["status"], rows["overdue_days"], strict=True)],
        adoption_level=rows["adoption_level"].map(
            lambda v: enum_text(AdoptionLevel(v)) if isinstance(v, str) else ""))
    labelled_table(shown, {column: tr(f"opinion.column.{column}") for column in (
        "id", "submitted_on", "title", "status", "members", "adoption_level", "departments")},
        file_name=f"member-{member_id}-reports", entity="OpinionReport")
