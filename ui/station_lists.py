"""The two lists of stations: every station with its filters and search, and the idle
ones by organisation and committee. A click on a row opens the station
(``open_station``: the page shows it in its station tab)."""

from collections.abc import Callable

import pandas as pd
import streamlit as st

from models.enums import WorkstationKind
from services import station_registry
from services.station_registry import StationFilter
from ui.filter_bar import filter_bar
from ui.i18n import enum_text, fmt_number, tr
from ui.page import PageContext
from ui.table import labelled_table

Opener = Callable[[int], None]


def _one_or_all(column, label: str, options: dict, key: str) -> object | None:  # noqa: ANN001
    return column.selectbox(label, [None, *options], key=key, format_func=lambda value: tr(
        "filter.all") if value is None else options[value])


def station_filter(page: PageContext) -> StationFilter:
    scope = filter_bar(page, key="station_page.filter")
    kind_column, open_column, idle_column, search_column = st.columns([1, 1, 1, 2])
    kind = _one_or_all(kind_column, tr("workstations.field.kind"),
                       {kind: enum_text(kind) for kind in WorkstationKind}, "station_page.kind")
    is_open = _one_or_all(open_column, tr("workstations.filter.flag"),
                          {True: tr("workstations.open"), False: tr("workstations.closed")},
                          "station_page.flag")
    idle = _one_or_all(idle_column, tr("workstations.filter.idle"),
                       {True: tr("workstations.idle"), False: tr("workstations.active")},
                       "station_page.idle")
    search = search_column.text_input(tr("workstations.filter.search"), key="station_page.search",
                                      placeholder=tr("workstations.filter.search_hint"))
    return StationFilter(organisation_ids=scope.organisation_ids,
                         committee_id=scope.committee_id, sector_id=scope.sector_id,
                         kind=kind, is_open=is_open, idle=idle, search=search)


def _opened_by_click(key: str, clicked: object | None, open_station: Opener) -> None:
    """A new click on a row opens that station (the same selection, redrawn, does not)."""
    last = st.session_state.get(f"{key}.clicked")
    st.session_state[f"{key}.clicked"] = clicked
    if clicked is not None and clicked != last:
        open_station(int(clicked))


def _kinds(rows: pd.DataFrame) -> pd.Series:
    words = {kind.value: enum_text(kind) for kind in WorkstationKind}
    return rows["kind"].map(words)


def list_tab(page: PageContext, *, several: bool, open_station: Opener) -> None:
    filters = station_filter(page)
    rows = page.cached(station_registry.station_list, filters=filters, today=page.today)
    if rows.empty:
        everything = page.cached(station_registry.station_list, filters=StationFilter(),
                                 today=page.today)
        st.info(tr("workstations.list.empty") if len(everything)
                else tr("workstations.list.none_yet"))
        return
    st.caption(tr("workstations.list.count", count=fmt_number(len(rows)),
                  idle=fmt_number(int(rows["idle"].sum()))))
    labels = {"name": tr("workstations.field.name")}
    labels |= {"organisation": tr("filter.organisation")} if several else {}
    labels |= {
        "kind": tr("workstations.field.kind"), "committee": tr("workstations.field.committee"),
        "sector": tr("workstations.field.sector"), "district": tr("workstations.field.district"),
        "address": tr("workstations.field.address"),
        "head_name": tr("workstations.field.head_name"),
        "head_phone": tr("workstations.field.head_phone"),
        "is_active": tr("workstations.field.is_active"),
        "stationed": tr("workstations.column.stationed"),
        "last_on": tr("workstations.column.last_on"),
        "days_since": tr("workstations.column.days_since"), "idle": tr("workstations.idle"),
        "activities": tr("workstations.column.activities", year=page.today.year),
        "people_served": tr("workstations.column.people_served", year=page.today.year),
    }
    st.caption(tr("workstations.list.pick_hint"))
    clicked = labelled_table(rows.assign(kind=_kinds(rows)), labels, file_name="workstations",
                             entity="Workstation", pick=True)
    _opened_by_click("station_page.list", clicked, open_station)


def idle_tab(page: PageContext, *, several: bool, open_station: Opener) -> None:
    found = page.cached(station_registry.idle_stations, today=page.today)
    st.caption(tr("workstations.idle_rule", days=fmt_number(found.idle_days)))
    stations = found.stations
    if found.by_organisation.empty:
        st.info(tr("workstations.list.none_yet"))
        return
    if stations.empty:
        st.success(tr("workstations.idle_none", days=fmt_number(found.idle_days)))
        return
    total = int(found.by_organisation["stations"].sum())
    st.metric(tr("workstations.idle_count"), tr("workstations.idle_of",
                                                 idle=fmt_number(len(stations)),
                                                 total=fmt_number(total)))
    count_labels = {"stations": tr("workstations.column.stations"),
                    "idle": tr("workstations.idle")}
    if several:
        by_organisation, by_committee = st.columns(2)
        with by_organisation:
            labelled_table(found.by_organisation,
                           {"organisation": tr("filter.organisation")} | count_labels,
                           file_name="workstations_idle_by_organisation", entity="Workstation",
                           export=False)
    else:
        by_committee = st.container()
    with by_committee:
        committee_labels = {"organisation": tr("filter.organisation")} if several else {}
        labelled_table(found.by_committee, committee_labels | {
            "committee": tr("workstations.field.committee")} | count_labels,
            file_name="workstations_idle_by_committee", entity="Workstation", export=False)
    never = tr("workstations.never")
    shown = stations.assign(
        kind=_kinds(stations),
        last_activity=[never if day is None or pd.isna(day) else day.isoformat()
                       for day in stations["last_on"]])
    labels = {"organisation": tr("filter.organisation")} if several else {}
    labels |= {
        "committee": tr("workstations.field.committee"), "name": tr("workstations.field.name"),
        "kind": tr("workstations.field.kind"), "district": tr("workstations.field.district"),
        "is_active": tr("workstations.field.is_active"),
        "last_activity": tr("workstations.column.last_on"),
        "days_since": tr("workstations.column.days_since"),
        "members": tr("workstations.column.members"),
    }
    clicked = labelled_table(shown, labels, file_name="workstations_idle", entity="Workstation",
                             pick=True)
    _opened_by_click("station_page.idle_list", clicked, open_station)
