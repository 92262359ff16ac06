"""My account: who I am, and changing my password (required after an admin reset)."""

import streamlit as st

from core import clock
from services import accounts
from ui import context
from ui.auth import notify_next_sign_in
from ui.forms import field_error, run_form
from ui.i18n import tr

FORM = "change_password"

engine = context.store()
actor = context.actor()

st.title(tr("account.title"))
if actor.must_change_password:
    st.warning(tr("account.must_change"), icon=":material/key:")

st.subheader(tr("account.change_password"))
with st.form(FORM):
    current = st.text_input(tr("password.current"), type="password", max_chars=128)
    field_error(FORM, "current")
    new = st.text_input(tr("password.new"), type="password", max_chars=128,
                        help=tr("password.policy"))
    field_error(FORM, "password")
    confirm = st.text_input(tr("password.confirm"), type="password", max_chars=128)
    field_error(FORM, "confirm")
    submitted = st.form_submit_button(tr("account.submit"), type="primary")

# The service runs its own transactions: a wrong current password is counted even though
# the change fails, and bcrypt runs outside the write lock.
if submitted and run_form(FORM, lambda: accounts.change_own_password(
    engine=engine, actor=actor, current=current, new=new, confirm=confirm, now=clock.now(),
)):
    notify_next_sign_in("account.changed_sign_in_again")
    st.rerun()
