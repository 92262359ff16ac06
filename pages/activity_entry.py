"""Quick entry of a station's activity (工作站活动登记), as fast as a visit's: the station
and type start on the user's last ones, the day on today; after a save the form is ready
for the next activity, keeping station, day and type. Below, the activities the user
recorded last; for the office, a second tab lists every activity with filters and
exports. An activity clicked in either list opens below it to be corrected or deleted by
those who may.

Saved exactly once (``ui.entry_form``).
"""

import pandas as pd
import streamlit as st

from core.db import read_session
from models import Role
from services import activities
from services.activities import ActivityFilter
from ui import entry_form
from ui.activity_edit import activity_editor
from ui.activity_form import activity_fields
from ui.components import plain
from ui.flash import flash, show_flash
from ui.forms import save_form
from ui.i18n import fmt_date, fmt_number, tr
from ui.page import open_page
from ui.periods import period_picker
from ui.table import export_buttons, labelled_table
from ui.tabs import lazy_tabs

FORM = "activity_entry"
KEPT = ("workstation_id", "activity_date", "activity_type_id", "default_category")

page = open_page()
st.title(tr("activities.entry.title"), anchor=False)
st.caption(tr("activities.entry.caption"))


def labels(with_station: bool, with_committee: bool = False) -> dict[str, str]:
    shown = {"activity_date": tr("activities.column.date")}
    if with_station:
        shown["station"] = tr("activities.column.station")
    if with_committee:
        shown["committee"] = tr("activities.column.committee")
    return shown | {
        "activity_type": tr("activities.column.type"),
        "members": tr("activities.column.members"),
        "people_served": tr("activities.column.people_served"),
        "title": tr("activities.column.title"),
        "summary": tr("activities.column.summary"),
        "problems": tr("activities.column.problems"),
    }


OPEN_KEY = "activity_page.open"  # the activity opened below a list


def open_below(rows: pd.DataFrame, clicked: object | None, list_key: str) -> None:
    """The activity clicked in a list opens below it (the last click wins) and stays
    open until it is closed, deleted, or another is clicked."""
    if clicked is not None and st.session_state.get(f"{list_key}.last") != clicked:
        st.session_state[OPEN_KEY] = int(clicked)
    st.session_state[f"{list_key}.last"] = clicked
    opened = st.session_state.get(OPEN_KEY)
    if opened is None or opened not in set(rows["id"].tolist()):
        return
    with st.container(border=True):
        row = rows.set_index("id").loc[opened]
        st.markdown(f"**{tr('activities.edit.heading', date=fmt_date(row['activity_date']))}**"
                    f" · {plain(row.get('station', ''))}")
        activity_editor(page, int(opened), close)


def close() -> None:
    st.session_state[OPEN_KEY] = None


def entry() -> None:
    entry_form.ready_for_the_next(FORM, KEPT)
    show_flash()
    station, kind = page.read(activities.last_choices)
    data = activity_fields(FORM, page, default_station=station, default_type=kind)
    if data is None:
        st.info(tr("activities.entry.no_station_member" if page.actor.role is Role.MEMBER
                   else "activities.entry.no_station"))
        return
    if st.button(tr("activities.entry.save"), type="primary", icon=":material/save:",
                 key=f"{FORM}.#save"):
        form_digest = entry_form.digest(activities.clean_input(data))
        key = entry_form.idempotency_key(FORM, page, form_digest)
        saved: list[int] = []
        if save_form(FORM, page.engine, lambda session: saved.append(
                activities.record_activity(session=session, actor=page.actor, data=data,
                                           idempotency_key=key, today=page.today).id)):
            entry_form.saved(FORM, form_digest, key)
            flash("activities.entry.saved", number=saved[0], problems=len(data.problems))
            st.rerun()
    st.subheader(tr("activities.entry.recent"), anchor=False)
    recent = page.read(activities.recent_by_me)
    if recent.empty:
        st.caption(tr("activities.entry.recent_empty"))
        return
    st.caption(tr("activities.edit.pick_hint"))
    clicked = labelled_table(recent, labels(True), file_name="my_activities",
                             entity="WorkstationActivity", export=False, pick=True)
    open_below(recent, clicked, "activity_page.recent")


def records() -> None:
    show_flash()
    period = period_picker(today=page.today, key="activity_records_period")
    search = st.text_input(tr("activities.records.search"), key="activity_records_search",
                           placeholder=tr("activities.records.search_hint"))
    filters = ActivityFilter(first=period.starts_on, last=period.ends_on, search=search)
    count, people = page.read(activities.activity_totals, filters=filters)
    if not count:
        st.info(tr("activities.records.empty"))
        return
    rows = page.read(activities.list_activities, filters=filters)
    st.caption(tr("activities.records.count", count=fmt_number(count),
                  people=fmt_number(people)))
    if count > len(rows):
        st.caption(tr("activities.records.cut", shown=fmt_number(len(rows))))
    shown = labels(True, True)
    clicked = labelled_table(rows, shown, file_name="activities",
                             entity="WorkstationActivity", export=False, pick=True)
    engine, actor = page.engine, page.actor

    def everything():
        with read_session(engine) as session:
            return activities.list_activities(session=session, actor=actor, filters=filters,
                                              limit=activities.EXPORT_LIMIT)

    export_buttons(everything, "activities", shown, entity="WorkstationActivity")
    open_below(rows, clicked, "activity_page.records")


if page.actor.role is Role.MEMBER:
    entry()
else:
    lazy_tabs("activity_tabs", [(tr("activities.tab.entry"), entry),
                                (tr("activities.tab.records"), records)])
