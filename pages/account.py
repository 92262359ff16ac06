"""My account: who I am, and changing my password (required after an admin reset)."""

import streamlit as st

from core import clock
from services import sign_in
from ui.auth import notify_next_sign_in
from ui.fields import password_field
from ui.forms import run_form
from ui.i18n import tr
from ui.page import open_page

FORM = "change_password"

page = open_page()

st.title(tr("account.title"))
if page.actor.must_change_password:
    st.warning(tr("account.must_change"), icon=":material/key:")

st.subheader(tr("account.change_password"))
with st.form(FORM):
    current = password_field(FORM, "current", tr("password.current"))
    new = password_field(FORM, "password", tr("password.new"), help=tr("password.policy"))
    confirm = password_field(FORM, "confirm", tr("password.confirm"))
    submitted = st.form_submit_button(tr("account.submit"), type="primary")

# The service runs its own transactions: a wrong current password is counted even though
# the change fails, and bcrypt runs outside the write lock.
if submitted and run_form(FORM, lambda: sign_in.change_own_password(
    engine=page.engine, actor=page.actor, current=current, new=new, confirm=confirm,
    now=clock.now(),
)):
    notify_next_sign_in("account.changed_sign_in_again")
    st.rerun()
