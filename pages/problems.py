"""问题办理: the problems collected at visits and activities, followed up by committee
staff until handled. The queue (filters, the KPI line, overdue ones marked, exports), one
problem's detail with its next step, one step for several problems; the handled rate by
committee for a period; for administrators, the lists and the overdue days."""

import pandas as pd
import streamlit as st

from models import ListKind, ProblemStatus, Role
from services import lists, problems
from services.problems import ProblemFilters, QueueSort
from ui.filter_bar import Scope, filter_bar
from ui.flash import show_flash
from ui.i18n import enum_text, fmt_number, fmt_percent, tr
from ui.page import open_page
from ui.periods import period_picker
from ui.problem_lists import lists_tab
from ui.problem_steps import bulk_section, problem_section
from ui.table import labelled_table, last_chosen
from ui.tabs import lazy_tabs

page = open_page()
LISTED = 500  # problems offered in the "open a problem" list; the table has them all


def more_filters(scope: Scope) -> tuple[ProblemFilters, QueueSort]:
    """Status, category, collection period, overdue only, search and order."""
    status, category, period = st.columns(3)
    statuses = status.multiselect(tr("problems.filter.status"), list(ProblemStatus),
                                  default=list(problems.OPEN), key="problem_queue.status",
                                  format_func=enum_text, placeholder=tr("filter.all"))
    categories = page.cached(lists.names_in_scope, kind=ListKind.PROBLEM_CATEGORY)
    category_id = category.selectbox(
        tr("problems.filter.category"), [None, *categories], key="problem_queue.category",
        format_func=lambda i: tr("filter.all") if i is None else categories[i])
    days = period.date_input(tr("problems.filter.period"), value=(), key="problem_queue.period")
    search, overdue, sort = st.columns([3, 1, 1], vertical_alignment="bottom")
    text = search.text_input(tr("problems.filter.search"), key="problem_queue.search",
                             placeholder=tr("problems.filter.search_hint"))
    overdue_only = overdue.toggle(tr("problems.filter.overdue_only"), key="problem_queue.overdue")
    order = sort.selectbox(tr("problems.filter.sort"), list(QueueSort), key="problem_queue.sort",
                           format_func=lambda o: tr(f"problems.sort.{o.value}"))
    first, last = (*days, None, None)[:2]
    return ProblemFilters(
        organisation_ids=scope.organisation_ids, committee_id=scope.committee_id,
        sector_id=scope.sector_id, statuses=frozenset(statuses), category_id=category_id,
        first=first, last=last if last is not None else first, overdue_only=overdue_only,
        search=text,
    ), order


def kpi_line(summary: problems.QueueSummary) -> None:
    rate = summary.handled_rate
    tiles = [(tr("problems.kpi.collected"), fmt_number(summary.collected)),
             (tr("problems.kpi.concluded"), fmt_number(summary.concluded)),
             (tr("problems.kpi.rate"), fmt_percent(rate)),
             (tr("problems.kpi.overdue"), fmt_number(summary.overdue))]
    for column, (label, value) in zip(st.columns(4), tiles, strict=True):
        with column.container(border=True):
            st.metric(label, value)




def queue_table(rows: pd.DataFrame) -> int | None:
    """The queue, overdue ones marked; the id of the row clicked."""
    # the words looked up once per distinct value, not once per row (a city's queue has
    # about 1,500 rows; each lookup reads the language from the address)
    statuses = {s: enum_text(ProblemStatus(s)) for s in rows["status"].unique()}
    overdue = {d: tr("problems.overdue_label", days=fmt_number(d)) if d else ""
               for d in rows["overdue_days"].unique()}
    shown = rows.assign(status=rows["status"].map(statuses),
                        overdue=rows["overdue_days"].map(overdue))
    labels = {column: tr(f"problems.column.{column}") for column in (
        "id", "overdue", "collected_on", "members", "committee", "category", "content",
        "status", "department", "due_on", "age_days")}
    return labelled_table(shown, labels, file_name="problems", entity="CollectedProblem",
                          pick=True)


def opened_problem(rows: pd.DataFrame, clicked: int | None) -> int | None:
    """The problem open below: the last one chosen, in the list or by clicking a row. It
    stays open after a step takes it out of the filtered queue (handled problems leave
    the open ones), so its next step is at hand."""
    worked_on = st.session_state.get("problem_queue.open")
    listed = rows.head(LISTED).set_index("id")["content"]
    options = [None, *listed.index]
    if worked_on is not None and worked_on not in listed.index:
        options.append(worked_on)
    if len(options) == 1:
        return None  # nothing listed, nothing open: no picker
    picked = st.selectbox(tr("problems.open"), options, key="problem_queue.pick",
                          format_func=lambda i: tr("problems.open_none") if i is None
                          else f"#{i} {listed[i][:40]}" if i in listed.index else f"#{i}")
    return last_chosen("problem_queue", picked, clicked)


def queue_tab(scope: Scope) -> None:
    filters, order = more_filters(scope)
    rows = page.cached(problems.problem_queue, today=page.today, filters=filters, sort=order)
    summary = page.cached(problems.queue_summary, today=page.today, filters=filters)
    if rows.empty:
        unfiltered = ProblemFilters(organisation_ids=scope.organisation_ids,
                                    committee_id=scope.committee_id, sector_id=scope.sector_id)
        anything = page.cached(problems.queue_summary, today=page.today,
                               filters=unfiltered).collected
        st.info(tr("problems.empty") if anything else tr("problems.none_yet"))
    else:
        kpi_line(summary)
        if summary.collected > len(rows):
            st.caption(tr("problems.more.first_rows", shown=fmt_number(len(rows)),
                          total=fmt_number(summary.collected)))
    detail_slot = st.container()
    clicked = None if rows.empty else queue_table(rows)
    opened = opened_problem(rows, clicked)
    if opened is not None:
        with detail_slot, st.container(border=True):
            problem_section(page, int(opened))
    if not rows.empty:
        bulk_section(page, rows)


def rate_tab(scope: Scope) -> None:
    period = period_picker(today=page.today, key="problem_queue.rate_period")
    rates = page.cached(problems.handled_rates, first=period.starts_on, last=period.ends_on,
                        today=page.today, organisation_ids=scope.organisation_ids)
    st.caption(tr("problems.rate.definition"))
    if rates["collected"].iloc[-1] == 0:
        st.info(tr("problems.rate.empty"))
    rates["committee"] = rates["committee"].fillna(tr("problems.rate.total"))
    rates["handled_rate"] = rates["handled_rate"].map(fmt_percent)
    labelled_table(rates, {column: tr(f"problems.rate.{column}") for column in (
        "committee", "collected", "concluded", "handled_rate", "pending", "referred",
        "overdue")}, file_name=f"problem_rates_{period.starts_on:%Y%m%d}",
        entity="CollectedProblem")


st.title(tr("nav.problems"))
show_flash()
scope = filter_bar(page, key="problem_queue.filter")
is_admin = page.actor.role is Role.ADMIN
views = [(tr("problems.tab.queue"), lambda: queue_tab(scope)),
         (tr("problems.tab.rate"), lambda: rate_tab(scope))]
if is_admin:
    views.append((tr("problems.tab.lists"), lambda: lists_tab(page)))
lazy_tabs("problem_queue.tab", views)
