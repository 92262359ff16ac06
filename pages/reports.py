"""社情民意办理: the committee staff's board of public-opinion reports. The reports by
stage with their counts, age and overdue marks; filters; one report with its timeline
and next action; one action (forward, close) for several reports; for administrators,
the stage deadlines and the office's lists. Leaders read it all."""

from dataclasses import replace

import streamlit as st

from models import AdoptionLevel, ListKind, OpinionStatus, Role
from services import lists, opinion, opinion_board
from services.opinion_board import BoardFilters
from ui.filter_bar import Scope, filter_bar
from ui.flash import show_flash
from ui.i18n import enum_text, fmt_number, tr
from ui.page import open_page
from ui.problem_lists import REPORT_LISTS, lists_tab
from ui.report_board import bulk_section, deadlines_tab, figures_tab
from ui.report_view import report_section, status_text
from ui.table import labelled_table, last_chosen
from ui.tabs import lazy_tabs

page = open_page()
LISTED = 500  # reports offered in the "open a report" list; the table has them all


def more_filters(scope: Scope) -> BoardFilters:
    """Stage, category, level, department, submission period, overdue, urgent, search."""
    stage, category, level = st.columns(3)
    statuses = stage.multiselect(tr("opinion.filter.status"), list(OpinionStatus),
                                 default=sorted(opinion.OPEN - {OpinionStatus.RETURNED},
                                                key=list(OpinionStatus).index),
                                 key="report_board.status", format_func=enum_text,
                                 placeholder=tr("filter.all"))
    categories = page.cached(lists.names_in_scope, kind=ListKind.OPINION_CATEGORY)
    category_id = category.selectbox(
        tr("opinion.filter.category"), [None, *categories], key="report_board.category",
        format_func=lambda i: tr("filter.all") if i is None else categories[i])
    adoption = level.selectbox(tr("opinion.filter.level"), [None, *AdoptionLevel],
                               key="report_board.level",
                               format_func=lambda v: tr("filter.all") if v is None
                               else enum_text(v))
    department, period, search = st.columns(3)
    departments = page.cached(opinion_board.departments_in_use)
    forwarded_to = department.selectbox(
        tr("opinion.filter.department"), ["", *departments], key="report_board.department",
        format_func=lambda d: d or tr("filter.all"))
    days = period.date_input(tr("opinion.filter.period"), value=(), key="report_board.period")
    text = search.text_input(tr("opinion.filter.search"), key="report_board.search",
                             placeholder=tr("opinion.filter.search_hint"))
    overdue, urgent = st.columns(2)
    overdue_only = overdue.toggle(tr("opinion.filter.overdue_only"), key="report_board.overdue")
    urgent_only = urgent.toggle(tr("opinion.filter.urgent_only"), key="report_board.urgent")
    first, last = (*days, None, None)[:2]
    return BoardFilters(
        organisation_ids=scope.organisation_ids, committee_id=scope.committee_id,
        sector_id=scope.sector_id, statuses=frozenset(statuses), category_id=category_id,
        adoption_level=adoption, department=forwarded_to, first=first,
        last=last if last is not None else first, overdue_only=overdue_only,
        urgent_only=urgent_only, search=text,
    )


def stage_tiles(summary: opinion_board.BoardSummary) -> None:
    """The pipeline: the reports in each stage under every filter but the stage one,
    and the overdue ones; two rows of five, so the stages' names fit."""
    tiles = [(enum_text(status), count) for status, count in summary.by_status.items()]
    tiles.append((tr("opinion.kpi.overdue"), summary.overdue))
    for row in (tiles[:5], tiles[5:]):
        for column, (label, count) in zip(st.columns(5), row, strict=True):
            with column.container(border=True):
                st.metric(label, fmt_number(count))


def board_table(rows) -> int | None:  # noqa: ANN001 (a DataFrame)
    # words looked up once per distinct value, not once per row (2,000 rows a run)
    stages = {pair: status_text(OpinionStatus(pair[0]), pair[1])
              for pair in set(zip(rows["status"], rows["overdue_days"], strict=True))}
    levels = {level: enum_text(AdoptionLevel(level)) for level in AdoptionLevel}
    shown = rows.assign(
        status=[stages[pair] for pair in zip(rows["status"], rows["overdue_days"], strict=True)],
        urgent=rows["is_urgent"].map({True: tr("opinion.urgent_mark"), False: ""}),
        adoption_level=rows["adoption_level"].map(levels).fillna(""),
    )
    labels = {column: tr(f"opinion.column.{column}") for column in (
        "id", "status", "urgent", "title", "members", "committee", "category",
        "submitted_on", "age_days", "due_on", "departments", "adoption_level")}
    return labelled_table(shown, labels, file_name="opinion_reports", entity="OpinionReport",
                          pick=True)


def opened_report(rows, clicked: int | None) -> int | None:  # noqa: ANN001
    """The report open below: the last one chosen, in the list or by a click on a row.
    It stays open after an action takes it out of the filtered board."""
    worked_on = st.session_state.get("report_board.open")
    listed = rows.head(LISTED).set_index("id")["title"]
    options = [None, *listed.index]
    if worked_on is not None and worked_on not in listed.index:
        options.append(worked_on)
    if len(options) == 1:
        return None
    picked = st.selectbox(tr("opinion.open"), options, key="report_board.pick",
                          format_func=lambda i: tr("opinion.open_none") if i is None
                          else f"#{i} {listed[i][:40]}" if i in listed.index else f"#{i}")
    return last_chosen("report_board", picked, clicked)


def board_tab(scope: Scope) -> None:
    filters = more_filters(scope)
    rows = page.cached(opinion_board.report_board, today=page.today, filters=filters)
    summary = page.cached(opinion_board.board_summary, today=page.today,
                          filters=replace(filters, statuses=frozenset()))
    stage_tiles(summary)
    if rows.empty:
        unfiltered = BoardFilters(organisation_ids=scope.organisation_ids,
                                  committee_id=scope.committee_id, sector_id=scope.sector_id)
        anything = page.cached(opinion_board.board_summary, today=page.today,
                               filters=unfiltered).total
        st.info(tr("opinion.board.empty") if anything else tr("opinion.board.none_yet"))
    elif len(rows) == opinion_board.BOARD_LIMIT:
        st.caption(tr("opinion.board.first_rows", shown=fmt_number(len(rows))))
    detail_slot = st.container()
    clicked = None if rows.empty else board_table(rows)
    opened = opened_report(rows, clicked)
    if opened is not None:
        with detail_slot, st.container(border=True):
            report_section(page, int(opened))
    if not rows.empty:
        bulk_section(page, rows)


st.title(tr("nav.reports"))
show_flash()
scope = filter_bar(page, key="report_board.filter")
views = [(tr("opinion.tab.board"), lambda: board_tab(scope)),
         (tr("opinion.tab.figures"), lambda: figures_tab(page, scope))]
if page.read(opinion.may_set_deadlines):
    views.append((tr("opinion.tab.deadlines"), lambda: deadlines_tab(page)))
if page.actor.role is Role.ADMIN:  # each administrator keeps their organisations' lists
    # the categories, departments and feedback templates among them
    views.append((tr("problems.tab.lists"),
                  lambda: lists_tab(page, REPORT_LISTS, with_overdue_days=False)))
lazy_tabs("report_board.tab", views)
