"""The profile's tab of the studio and station activities a member attended: this
quarter's count, what counts as contacts for the quota (visits and, per the setting,
activities), and every activity with its station."""

import streamlit as st

from services.activities import member_activities, member_stints
from services.member_visits import member_visits
from ui.i18n import tr
from ui.page import PageContext
from ui.table import labelled_table


def activities_section(page: PageContext, member_id: int) -> None:
    work = page.cached(member_visits, member_id=member_id, today=page.today)
    st.caption(tr("activities.profile_count", count=work.activities, counted=work.contacts))
    stints = page.cached(member_stints, member_id=member_id)
    if stints.empty:
        st.caption(tr("activities.profile_no_stint"))
    else:
        st.markdown(f"**{tr('activities.profile_stints')}**")
        labelled_table(stints, {"station": tr("activities.column.station"),
                                "from_on": tr("activities.column.from_on"),
                                "to_on": tr("activities.column.to_on"),
                                "duty_days": tr("activities.column.duty_days")},
                       file_name=f"member-{member_id}-stints", entity="WorkstationMember",
                       export=False)
    rows = page.cached(member_activities, member_id=member_id)
    if rows.empty:
        st.info(tr("activities.profile_empty"))
        return
    labelled_table(rows, {
        "activity_date": tr("activities.column.date"),
        "station": tr("activities.column.station"),
        "activity_type": tr("activities.column.type"),
        "members": tr("activities.column.members"),
        "people_served": tr("activities.column.people_served"),
        "title": tr("activities.column.title"),
        "summary": tr("activities.column.summary"),
    }, file_name=f"member-{member_id}-activities", entity="WorkstationActivity")
