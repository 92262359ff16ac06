"""Visit list (走访记录): the visits of the organisation, committee, sector, period and
member chosen, narrowed by channel, occasion, open problems, acknowledgement and a
search, 100 at a time; a click on a row opens the visit below the table with what the
reader may do with it (``ui.visit_detail``). Members see only the visits they are on;
staff and administrators also get the deleted visits, to restore them."""

import math
from datetime import date

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from models import Channel, VisitOccasion
from services import members, visits
from services.exports import TABLE_FORMATS, FileFormat, audited_file
from services.periods import quarter_of
from services.permissions import screens_for, sees_only_own_member
from services.visit_files import list_words, visits_workbook
from services.visits import VisitFilter, VisitSort
from ui.filter_bar import Scope, filter_bar
from ui.flash import show_flash
from ui.i18n import enum_column, enum_text, fmt_number, language, tr
from ui.member_picker import member_picker
from ui.page import open_page
from ui.periods import period_picker
from ui.table import file_buttons, labelled_table
from ui.visit_detail import visit_section

PAGE_SIZE = 100
EXPORT_ROWS = 20_000  # the whole list as a file: more is a filter forgotten
PAGE_KEY = "visit_list.page"  # the page number box
OPEN_KEY = "visit_list.open"  # the visit opened by a click on its row

page = open_page()
own_only = sees_only_own_member(page.actor)
lookup = page.cached(members.lookups)
several = len(lookup.organisations) > 1


def period_range() -> tuple[date | None, date | None]:
    """A quota period (this quarter first), dates of one's own, or all time."""
    modes = {"period": tr("visits.list.when_period"), "range": tr("visits.list.when_range"),
             "all": tr("visits.list.when_all")}
    mode_column, choice_column = st.columns([1, 3])
    mode = mode_column.selectbox(tr("visits.list.when"), list(modes), format_func=modes.get,
                                 key="visit_list.when")
    with choice_column:
        if mode == "period":
            period = period_picker(today=page.today, key="visit_list.period")
            return period.starts_on, period.ends_on
        if mode == "range":
            chosen = st.date_input(tr("visits.list.range"),
                                   value=(quarter_of(page.today).starts_on, page.today),
                                   key="visit_list.range")
            # While a range is being picked it has its first day only.
            return (chosen[0] if chosen else None, chosen[1] if len(chosen) > 1 else None)
    return None, None


def chosen_member(organisation_ids: frozenset[int] | None, committee_id: int | None,
                  sector_id: int | None) -> int | None:
    """One member of those in the chosen scope, found by name, pinyin or initials."""
    if own_only:
        return None
    roster = page.cached(members.list_members, today=page.today,
                         organisation_ids=organisation_ids, committee_id=committee_id,
                         sector_id=sector_id, in_office_only=False)
    return member_picker(roster, label=tr("visits.list.member"), key="visit_list.member",
                         search_hint=tr("visits.list.member_hint")).member_id


def one_or_all(column: DeltaGenerator, label: str, options: list, key: str) -> object | None:
    return column.selectbox(label, [None, *options], key=key, format_func=lambda value: tr(
        "filter.all") if value is None else enum_text(value))


def visit_filter() -> tuple[VisitFilter, VisitSort]:
    scope = Scope() if own_only else filter_bar(page, key="visit_list.filter")
    first, last = period_range()
    member_id = chosen_member(scope.organisation_ids, scope.committee_id, scope.sector_id)
    channel_column, occasion_column, sort_column, search_column = st.columns(4)
    channel = one_or_all(channel_column, tr("visits.list.channel"), list(Channel),
                         "visit_list.channel")
    occasion = one_or_all(occasion_column, tr("visits.list.occasion"), list(VisitOccasion),
                          "visit_list.occasion")
    sort = sort_column.selectbox(tr("visits.list.sort"), list(VisitSort), key="visit_list.sort",
                                 format_func=lambda s: tr(f"visits.list.sort_by.{s.value}"))
    search = search_column.text_input(tr("visits.list.search"), key="visit_list.search",
                                      placeholder=tr("visits.list.search_hint"))
    toggles = st.columns(3)
    open_problems = toggles[0].toggle(tr("visits.list.open_problems"), key="visit_list.open_only")
    awaiting = toggles[1].toggle(tr("visits.list.awaiting_only"), key="visit_list.awaiting")
    deleted = visits.sees_deleted_visits(page.actor) and toggles[2].toggle(
        tr("visits.list.deleted_view"), key="visit_list.deleted")
    return VisitFilter(
        organisation_ids=scope.organisation_ids, first=first, last=last,
        committee_id=scope.committee_id, sector_id=scope.sector_id, member_id=member_id,
        channel=channel, occasion=occasion, open_problems=open_problems,
        awaiting_acknowledgement=awaiting, deleted=deleted, search=search,
    ), sort


def page_number(signature: object) -> int:
    """The page of the list asked for; back to the first whenever the filters change."""
    state = st.session_state
    if state.get("visit_list.signature") != signature:
        state["visit_list.signature"] = signature
        state[PAGE_KEY] = 1
    return int(state.get(PAGE_KEY, 1))


def read_page(filters: VisitFilter, sort: VisitSort) -> tuple[pd.DataFrame, int, int]:
    """The rows of the page asked for, how many match in all, and the page's number (the
    last one, when the rows went while a later page was open)."""
    number = page_number((filters, sort))
    rows, total = page.cached(visits.list_visits, filters=filters, sort=sort,
                              offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    if rows.empty and total:
        number = st.session_state[PAGE_KEY] = math.ceil(total / PAGE_SIZE)
        rows, total = page.cached(visits.list_visits, filters=filters, sort=sort,
                                  offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    return rows, total, number


def counted(total: int) -> str:
    """The count as shown: beyond the service's limit, "20,000+"."""
    if total > visits.COUNT_LIMIT:
        return f"{fmt_number(visits.COUNT_LIMIT)}+"
    return fmt_number(total)


def page_control(total: int, shown: int, number: int) -> None:
    """The count, and the page number box when there is more than a page."""
    pages = math.ceil(min(total, visits.COUNT_LIMIT) / PAGE_SIZE)
    if pages <= 1:
        st.caption(tr("visits.list.count", count=counted(total)))
        return
    number_column, words_column = st.columns([1, 5], vertical_alignment="bottom")
    number_column.number_input(tr("table.page"), min_value=1, max_value=pages, step=1,
                               key=PAGE_KEY)
    first = (number - 1) * PAGE_SIZE + 1
    words_column.caption(tr("visits.list.count_of_page", count=counted(total),
                            first=fmt_number(first), last=fmt_number(first + shown - 1)))


def empty_state(deleted: bool) -> None:
    if deleted:
        st.info(tr("visits.list.no_deleted"))
        return
    st.info(tr("visits.list.empty"))
    entry = next((s for s in screens_for(page.actor) if s.key == "visit_entry"), None)
    if entry is not None:
        st.page_link(entry.file, label=tr(entry.title_key), icon=entry.icon)


def table(rows: pd.DataFrame) -> int | None:
    """The page's rows with their labels; the id of the row clicked, if any."""
    shown = rows.assign(
        channel=enum_column(rows["channel"], Channel),
        occasion=enum_column(rows["occasion"], VisitOccasion),
        organisation=rows["organisation_id"].map(
            lambda i: lookup.organisations.get(i, "").strip()),
    )
    labels = {"visit_date": tr("visits.list.date")}
    labels |= {"organisation": tr("filter.organisation")} if several else {}
    labels |= {
        "members": tr("visits.list.members"), "channel": tr("visits.list.channel"),
        "occasion": tr("visits.list.occasion"), "head_count": tr("visits.list.head_count"),
        "contact_targets": tr("visits.list.targets"), "summary": tr("visits.list.summary"),
        "problems": tr("visits.list.problem_count"),
        "open_problems": tr("visits.list.open_count"),
        "acknowledged": tr("visits.list.acknowledged_column"),
    }
    clicked = labelled_table(shown, labels, file_name="visits", entity="Visit", pick=True,
                             export=False)
    return None if clicked is None else int(clicked)


def all_files(filters: VisitFilter, sort: VisitSort, total: int) -> None:
    """The buttons of the whole filtered list (the first ``EXPORT_ROWS``) as the visit
    list file (``services.visit_files``), however many pages it spans. The file is made
    when its button is clicked, on a thread of Streamlit's own: everything it needs is
    taken now."""
    words, rows = list_words(language()), min(total, EXPORT_ROWS)

    def build(file_format: FileFormat) -> bytes:
        found, _ = page.read(visits.list_visits, filters=filters, sort=sort, limit=EXPORT_ROWS)
        return audited_file(engine=page.engine, actor=page.actor, what="Visit",
                            rows=len(found), file_format=file_format,
                            content=visits_workbook(found, words, file_format))

    file_buttons("visits_all", build, labels={
        file_format: tr(f"visits.list.all_{file_format.value}", count=fmt_number(rows))
        for file_format in TABLE_FORMATS})


def opened_visit(signature: object, ids: tuple[int, ...], clicked: int | None) -> int | None:
    """The visit open below the table: the row clicked. When the same filters read other
    rows (after an edit, a deletion, another user's save), the visit being worked on
    stays open, although the table may now mark another row."""
    state = st.session_state
    last = state.get("visit_list.last_view")
    if last is None or last[0] != signature or (last[1] == ids and clicked != last[2]):
        state[OPEN_KEY] = clicked
    state["visit_list.last_view"] = (signature, ids, clicked)
    return state.get(OPEN_KEY)


def close_visit() -> None:
    st.session_state[OPEN_KEY] = None


st.title(tr("visits.list.my_title") if own_only else tr("nav.visits"))
flash_slot = st.container()  # the opened visit shows the flash itself
filters, sort = visit_filter()
rows, total, number = read_page(filters, sort)
if not total:
    with flash_slot:
        show_flash()
    empty_state(filters.deleted)
    st.stop()

page_control(total, len(rows), number)
clicked = table(rows)
all_files(filters, sort, total)
open_id = opened_visit((filters, sort, number), tuple(rows["id"].tolist()), clicked)
if open_id is None:
    with flash_slot:
        show_flash()
else:
    with st.container(border=True):
        visit_section(page, open_id, deleted=filters.deleted, close=close_visit)
