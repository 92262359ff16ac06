"""The dashboards' filters in one bar: organisation, committee and sector
(``ui.filter_bar``), then term and year. Every figure of a dashboard honours them."""

import streamlit as st

from services import members
from services.dashboard import DashboardFilters
from ui.filter_bar import filter_bar
from ui.i18n import tr
from ui.page import PageContext

YEARS_BACK = 5  # the province data set holds five years


def dashboard_filters(page: PageContext, *, key: str) -> DashboardFilters:
    scope = filter_bar(page, key=key)
    terms = page.cached(members.lookups).of("terms", scope.organisation_ids)
    term_column, year_column = st.columns(2)
    term_id = term_column.selectbox(
        tr("filter.term"), [None, *terms], key=f"{key}_term",
        format_func=lambda i: tr("filter.all") if i is None else terms[i])
    years = list(range(page.today.year, page.today.year - YEARS_BACK, -1))
    year = year_column.selectbox(tr("filter.year"), years, key=f"{key}_year",
                                 format_func=str)
    return DashboardFilters(organisation_ids=scope.organisation_ids, term_id=term_id,
                            year=None if year == page.today.year else year,
                            committee_id=scope.committee_id, sector_id=scope.sector_id)
