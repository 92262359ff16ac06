"""Submitting a public-opinion report (社情民意报送): members their own, staff on a
member's behalf (often copied from a WeChat message). After a save the form is ready for
the next report, keeping the date. Saved exactly once (``ui.entry_form``)."""

import streamlit as st

from models import Role
from services import opinion
from ui import entry_form
from ui.flash import flash, show_flash
from ui.forms import save_form
from ui.i18n import tr
from ui.page import open_page
from ui.report_form import report_fields

FORM = "report_entry"

page = open_page()
# What the next report starts with: the date, and a member's own name as the lead.
KEPT = ("submitted_on", "lead") if page.actor.role is Role.MEMBER else ("submitted_on",)
st.title(tr("opinion.entry.title"), anchor=False)
st.caption(tr("opinion.entry.caption"))
entry_form.ready_for_the_next(FORM, KEPT)
show_flash()
draft = report_fields(FORM, page, organisation_id=entry_form.organisation_choice(FORM, page))
if page.actor.role is Role.MEMBER:
    st.caption(tr("opinion.entry.member_note"))
if st.button(tr("opinion.entry.save"), type="primary", icon=":material/send:",
             key=f"{FORM}.#save"):
    form_digest = entry_form.digest(draft)
    key = entry_form.idempotency_key(FORM, page, form_digest)
    numbers: list[int] = []
    if save_form(FORM, page.engine, lambda session: numbers.append(opinion.submit_report(
            session=session, actor=page.actor, draft=draft, idempotency_key=key,
            today=page.today).id)):
        entry_form.saved(FORM, form_digest, key)
        flash("opinion.entry.saved", number=numbers[0])
        st.rerun()
