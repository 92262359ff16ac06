"""My account: who I am, and changing my password (required after an admin reset)."""

import streamlit as st

from services import accounts
from ui import context
from ui.auth import notify_next_sign_in
from ui.forms import field_error, save_form
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

if submitted and save_form(FORM, engine, lambda session: accounts.change_own_password(
    session=session, actor=actor, current=current, new=new, confirm=confirm,
)):
    notify_next_sign_in("account.changed_sign_in_again")
    st.rerun()
