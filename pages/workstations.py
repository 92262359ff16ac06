"""委员工作室（站）: the registry of studios and stations. The list with its filters and
search; one station with its record, stationed members, activities, people served per
month and problems collected; the idle stations (by their last activity, whatever the
open flag says) by organisation and committee; registering a station (administrators,
staff); the settings (administrators: the idle days, changed at the top organisation;
whether activities count as contacts; the activity types). Leaders read it all."""

import streamlit as st

from models import Role
from services import members, station_registry, workstations
from services.station_registry import StationFilter
from ui import goto
from ui.contact_setting import activity_settings
from ui.entry_form import organisation_choice
from ui.fields import number_field
from ui.flash import show_flash
from ui.forms import field_key, save_form
from ui.goto import open_here
from ui.i18n import fmt_number, tr
from ui.page import open_page
from ui.station_form import saved, station_fields, station_input
from ui.station_lists import idle_tab, list_tab
from ui.station_view import station_section
from ui.tabs import lazy_tabs

TAB_KEY = "station_page.tab"
PICK_KEY = "station_page.station"  # the station picker of the station tab
OPEN_KEY = "station_page.open"  # the station open there (kept while the tab is closed)
GOTO_KEY = "station_page.#goto"  # a station to open on the next run

page = open_page()
lookup = page.cached(members.lookups)
several = len(lookup.organisations) > 1


def open_station(station_id: int) -> None:
    open_here(GOTO_KEY, station_id)


def follow_goto() -> None:
    goto.follow_goto(GOTO_KEY, open_key=OPEN_KEY, pick_key=PICK_KEY, tab_key=TAB_KEY,
                     tab=tr("workstations.tab.station"))


def station_tab() -> None:
    every = page.cached(station_registry.station_list, filters=StationFilter(), today=page.today)
    if every.empty:
        st.info(tr("workstations.list.none_yet"))
        return
    names = dict(zip(every["id"].astype(int), every["name"], strict=True))
    if several:
        names = {i: f"{name}（{organisation}）" for (i, name), organisation
                 in zip(names.items(), every["organisation"], strict=True)}
    opened = st.session_state.get(OPEN_KEY)
    if st.session_state.get(PICK_KEY) not in names:
        st.session_state[PICK_KEY] = opened if opened in names else None
    station_id = st.selectbox(tr("workstations.pick"), [None, *names], key=PICK_KEY,
                              format_func=lambda i: tr("workstations.pick_none") if i is None
                              else names[i])
    st.session_state[OPEN_KEY] = station_id
    if station_id is None:
        st.caption(tr("workstations.pick_hint"))
        return
    with st.container(border=True):
        station_section(page, int(station_id))


def new_tab() -> None:
    form = "station_new"
    organisation_id = organisation_choice(form, page)
    with st.form(form):
        values = station_fields(form, lookup, organisation_id, actor=page.actor)
        added = st.form_submit_button(tr("workstations.add"), type="primary")
    if not added:
        return
    data = station_input(values, organisation_id)
    created: list[int] = []
    if save_form(form, page.engine, lambda session: created.append(
            station_registry.create_station(session=session, actor=page.actor, data=data,
                                            today=page.today).id)):
        st.session_state[GOTO_KEY] = created[0]
        saved("workstations.added", form)


def settings_tab() -> None:
    """The idle days (administrators of the top organisation change them), then the
    activities' settings: whether they count as contacts, and the activity types."""
    current = page.read(workstations.idle_days)
    st.caption(tr("workstations.settings.caption"))
    if page.read(workstations.may_change_settings):
        idle_days_form(current)
    st.caption(tr("workstations.settings.current", days=fmt_number(current)))
    st.divider()
    activity_settings(page)


def idle_days_form(current: int) -> None:
    form = "station_settings"
    st.session_state.setdefault(field_key(form, "idle_days"), current)
    with st.form(form):
        days = number_field(form, "idle_days", tr("workstations.settings.idle_days"),
                            help=tr("workstations.settings.idle_days_help"))
        sent = st.form_submit_button(tr("workstations.save"), type="primary")
    if sent and save_form(form, page.engine, lambda session: workstations.set_idle_days(
            session=session, actor=page.actor, days=days)):
        saved("workstations.settings.saved", form)


st.title(tr("nav.workstations"))
show_flash()
follow_goto()
views = [
    (tr("workstations.tab.list"),
     lambda: list_tab(page, several=several, open_station=open_station)),
    (tr("workstations.tab.station"), station_tab),
    (tr("workstations.tab.idle"),
     lambda: idle_tab(page, several=several, open_station=open_station)),
]
if station_registry.may_register(page.actor):
    views.append((tr("workstations.tab.new"), new_tab))
if page.actor.role is Role.ADMIN:  # each administrator keeps their organisations' types
    views.append((tr("workstations.tab.settings"), settings_tab))
lazy_tabs(TAB_KEY, views)
