"""Quick entry of a visit (走访登记): the registration form that staff copy from paper and
WeChat all day. The date starts on today, the channel and occasion on the user's last
choice (face to face, routine, for a first visit); after a save the form is ready for
the next visit, keeping date and channel.

Saved exactly once (``ui.entry_form``).
"""

import streamlit as st

from models import Channel, Role
from services import visits
from ui import entry_form
from ui.flash import flash, show_flash
from ui.forms import save_form
from ui.i18n import tr
from ui.page import open_page
from ui.visit_form import visit_fields

FORM = "visit_entry"
# What the next visit starts with: the date and channel, and the occasion and default
# category (the user's last choices, which the form would start on anyway).
KEPT = ("visit_date", "channel", "occasion", "default_category")

page = open_page()
st.title(tr("visits.entry.title"), anchor=False)
st.caption(tr("visits.entry.caption"))
entry_form.ready_for_the_next(FORM, KEPT)
show_flash()
last = page.read(visits.last_choices)
data = visit_fields(FORM, page, organisation_id=entry_form.organisation_choice(FORM, page),
                    default_channel=last.channel or Channel.FACE_TO_FACE,
                    default_occasion=(last.occasion, last.campaign_id))
if page.actor.role is Role.MEMBER:
    st.caption(tr("visits.entry.member_note"))
if st.button(tr("visits.entry.save"), type="primary", icon=":material/save:",
             key=f"{FORM}.#save"):
    form_digest = entry_form.digest(visits.clean_input(data))
    key = entry_form.idempotency_key(FORM, page, form_digest)
    saved: list[int] = []
    if save_form(FORM, page.engine, lambda session: saved.append(visits.record_visit(
            session=session, actor=page.actor, data=data, idempotency_key=key,
            today=page.today).id)):
        entry_form.saved(FORM, form_digest, key)
        flash("visits.entry.saved", number=saved[0], problems=len(data.problems))
        st.rerun()
