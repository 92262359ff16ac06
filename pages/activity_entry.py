"""Quick entry of a station's activity (工作站活动登记), as fast as a visit's: the station
and type start on the user's last ones, the day on today; after a save the form is ready
for the next activity, keeping station, day and type. Below, the activities the user
recorded last; for the office, a second tab lists every activity with filters and
exports.

Saved exactly once (``ui.entry_form``).
"""

import streamlit as st

from models import Role
from services import activities
from services.activities import ActivityFilter
from ui import entry_form
from ui.activity_form import activity_fields
from ui.flash import flash, show_flash
from ui.forms import save_form
from ui.i18n import tr
from ui.page import open_page
from ui.periods import period_picker
from ui.table import labelled_table
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
    else:
        labelled_table(recent, labels(True), file_name="my_activities",
                       entity="WorkstationActivity", export=False)


def records() -> None:
    period = period_picker(today=page.today, key="activity_records_period")
    search = st.text_input(tr("activities.records.search"), key="activity_records_search",
                           placeholder=tr("activities.records.search_hint"))
    filters = ActivityFilter(first=period.starts_on, last=period.ends_on, search=search)
    rows = page.read(activities.list_activities, filters=filters)
    if rows.empty:
        st.info(tr("activities.records.empty"))
        return
    st.caption(tr("activities.records.count", count=len(rows),
                  people=int(rows["people_served"].sum())))
    labelled_table(rows, labels(True, True), file_name="activities",
                   entity="WorkstationActivity")


if page.actor.role is Role.MEMBER:
    entry()
else:
    lazy_tabs("activity_tabs", [(tr("activities.tab.entry"), entry),
                                  (tr("activities.tab.records"), records)])
