"""One recorded activity opened below a list: correct it (not its problems, which are
followed up on their own) against the version shown, or delete it after a confirmation.
Offered to those ``services.activities.can_change_activity`` allows; the others read."""

from collections.abc import Callable

import streamlit as st

from services import activities
from ui.activity_form import activity_fields, widget_values
from ui.flash import flash
from ui.forms import edit_form, field_key, forget_form, save_form, stale_notice
from ui.i18n import tr
from ui.page import PageContext


def activity_editor(page: PageContext, activity_id: int, close: Callable[[], None]) -> None:
    if not page.cached(activities.may_change, activity_id=activity_id):
        st.caption(tr("activities.edit.read_only"))
        return
    form = f"activity_edit_{activity_id}"
    stored, stored_version = page.cached(activities.stored_input, activity_id=activity_id)
    version = edit_form(form, stored_version, widget_values(stored))
    with st.expander(tr("activities.edit.title"), icon=":material/edit:", expanded=True):
        stale_notice(form, {"workstation_id": tr("activities.field.station"),
                            "activity_date": tr("activities.field.date"),
                            "activity_type_id": tr("activities.field.type"),
                            "members": tr("activities.field.members"),
                            "people_served": tr("activities.field.people_served"),
                            "title": tr("activities.field.title"),
                            "summary": tr("activities.field.summary")})
        data = activity_fields(form, page, with_problems=False)
        saved = st.button(tr("activities.edit.save"), key=f"{form}_save", type="primary",
                          icon=":material/save:")
    if saved and data is not None and save_form(
            form, page.engine, lambda session: activities.update_activity(
                session=session, actor=page.actor, activity_id=activity_id,
                expected_version=version, data=data, today=page.today)):
        forget_form(form)
        flash("activities.edit.saved")
        st.rerun()
    delete_form = f"activity_delete_{activity_id}"
    with st.expander(tr("activities.edit.delete"), icon=":material/delete:"):
        sure = st.checkbox(tr("activities.edit.delete_confirm"),
                           key=field_key(delete_form, "sure"))
        if st.button(tr("activities.edit.delete_now"), key=field_key(delete_form, "go"),
                     disabled=not sure, icon=":material/delete_forever:") \
                and save_form(delete_form, page.engine, lambda session:
                              activities.delete_activity(
                                  session=session, actor=page.actor,
                                  activity_id=activity_id, expected_version=version)):
            forget_form(delete_form)
            forget_form(form)
            close()
            flash("activities.edit.deleted")
            st.rerun()
