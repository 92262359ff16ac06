"""The settings of the station activities: whether the activities members attend count
as contacts for the quarterly quota (a dated setting: a change applies from its day and
never rewrites a quarter already over), and the activity types (the office's list)."""

import pandas as pd
import streamlit as st

from models import ListKind
from services import workstations
from ui.fields import date_field
from ui.flash import flash
from ui.forms import field_key, save_form
from ui.i18n import fmt_date, tr
from ui.page import PageContext
from ui.problem_lists import lists_tab

FORM = "contact_setting"


def activity_settings(page: PageContext) -> None:
    """The contact setting (its history, and a change for administrators of a top
    organisation) and the activity types."""
    st.subheader(tr("activities.setting.title"), anchor=False)
    now = page.cached(workstations.activities_count_as_contacts, on=page.today)
    st.markdown(tr("activities.setting.now_counts" if now else "activities.setting.now_not"))
    history = page.cached(workstations.contact_setting_history)
    if history:
        st.dataframe(pd.DataFrame({
            tr("activities.setting.from"): [fmt_date(row.effective_from) for row in history],
            tr("activities.setting.value"): [tr("activities.setting.yes" if row.value
                                                else "activities.setting.no")
                                             for row in history]}),
            hide_index=True)
    if page.read(workstations.may_change_settings):
        with st.form(FORM):
            value = st.radio(tr("activities.setting.value"), [True, False],
                             format_func=lambda v: tr("activities.setting.yes" if v
                                                      else "activities.setting.no"),
                             index=0 if now else 1, horizontal=True,
                             key=field_key(FORM, "value"))
            day = date_field(FORM, "effective_from", tr("activities.setting.from"),
                             default=page.today)
            st.caption(tr("activities.setting.help"))
            sent = st.form_submit_button(tr("lists.save"))
        if sent and save_form(FORM, page.engine, lambda session:
                              workstations.set_activities_count_as_contacts(
                                  session=session, actor=page.actor, value=value,
                                  effective_from=day, today=page.today)):
            flash("lists.saved")
            st.rerun()
    st.divider()
    lists_tab(page, (ListKind.ACTIVITY_TYPE,), with_overdue_days=False)
