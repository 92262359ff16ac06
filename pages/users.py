"""User administration (admins): create users, set role, committee scope and linked member,
deactivate, reset passwords. Password hashes never appear here."""

import streamlit as st

from core import clock
from core.db import read_session
from models import Role
from services import accounts, members
from services.accounts import UserInput
from ui import context
from ui.components import export_buttons, for_display
from ui.forms import field_error, save_form
from ui.i18n import tr

EDIT, RESET = "edit_user", "reset_password"
# A new form (a new name) after each user created, so the next one starts empty.
CREATE = f"create_user_{st.session_state.setdefault('users_created', 0)}"

engine = context.store()
actor = context.actor()
with read_session(engine) as session:
    users = accounts.list_users(session=session, actor=actor)
    lookup = members.lookups(session=session)
    member_names = members.member_names(session=session, actor=actor)


def committee_names(ids: list[int]) -> str:
    return "、".join(lookup.committees.get(i, "?") for i in ids)


def user_form(form: str, *, user: dict | None = None) -> tuple[UserInput, str | None, bool]:
    """The fields of a user; returns the input, the first password (new users) and submit."""
    defaults = user or {}
    roles = list(Role)
    with st.form(form, clear_on_submit=False):
        left, right = st.columns(2)
        username = left.text_input(tr("users.username"), value=defaults.get("username", ""),
                                   max_chars=60, disabled=user is not None)
        with left:
            field_error(form, "username")
        display_name = right.text_input(tr("users.display_name"),
                                        value=defaults.get("display_name", ""), max_chars=60)
        with right:
            field_error(form, "display_name")
        role = left.selectbox(
            tr("users.role"), roles, format_func=lambda r: tr(f"enum.Role.{r}"),
            index=roles.index(Role(defaults["role"])) if user else roles.index(Role.STAFF),
        )
        with left:
            field_error(form, "role")
        committees = right.multiselect(
            tr("users.committees"), list(lookup.committees), format_func=lookup.committees.get,
            default=defaults.get("committee_ids", []), help=tr("users.committees_help"),
            placeholder=tr("users.choose"),
        )
        with right:
            field_error(form, "committee_ids")
        member_options = [None, *member_names]
        current_member = defaults.get("member_id")
        member_id = left.selectbox(
            tr("users.member"), member_options,
            format_func=lambda m: tr("users.no_member") if m is None else member_names[m],
            index=member_options.index(current_member) if current_member in member_options else 0,
            help=tr("users.member_help"),
        )
        with left:
            field_error(form, "member_id")
        password = None
        if user is None:
            password = right.text_input(tr("users.first_password"), type="password",
                                        max_chars=128, help=tr("password.policy"))
            with right:
                field_error(form, "password")
        submitted = st.form_submit_button(tr("users.save"), type="primary")
    data = UserInput(username=username, display_name=display_name, role=role,
                     committee_ids=frozenset(committees), member_id=member_id)
    return data, password, submitted


st.title(tr("nav.users"))
if notice := st.session_state.pop("users_notice", None):
    st.success(tr(notice))

table = for_display(users.assign(
    role=users["role"].map(lambda r: tr(f"enum.Role.{r}")),
    committee_ids=users["committee_ids"].map(committee_names),
))
labels = {
    "username": tr("users.username"), "display_name": tr("users.display_name"),
    "role": tr("users.role"), "committee_ids": tr("users.committees"),
    "member": tr("users.member"), "is_active": tr("users.active"),
    "locked_until": tr("users.locked_until"), "must_change_password": tr("users.must_change"),
    "last_sign_in_at": tr("users.last_sign_in"),
}
st.dataframe(table[list(labels)], hide_index=True, width="stretch", column_config=labels)
export_buttons(table, "users", labels, entity="User")

create_tab, edit_tab = st.tabs([tr("users.create"), tr("users.edit")])
with create_tab:
    data, password, submitted = user_form(CREATE)
    if submitted and save_form(CREATE, engine, lambda session: accounts.create_user(
        session=session, actor=actor, data=data, password=password, now=clock.now(),
    )):
        st.session_state["users_created"] += 1
        st.session_state["users_notice"] = "users.created"
        st.rerun()

with edit_tab:
    records = users.set_index("id").to_dict("index")
    user_id = st.selectbox(
        tr("users.pick"), list(records),
        format_func=lambda i: f"{records[i]['display_name']}（{records[i]['username']}）",
    )
    chosen = {**records[user_id], "id": user_id}
    form = f"{EDIT}_{user_id}"
    data, _, submitted = user_form(form, user=chosen)
    if submitted and save_form(form, engine, lambda session: accounts.update_user(
        session=session, actor=actor, user_id=user_id, data=data,
    )):
        st.session_state["users_notice"] = "users.updated"
        st.rerun()

    st.divider()
    active_col, reset_col = st.columns(2)
    with active_col:
        st.markdown(f"**{tr('users.active')}**")
        label = tr("users.deactivate") if chosen["is_active"] else tr("users.activate")
        confirmed = st.checkbox(tr("users.confirm_active_change"), key=f"confirm_{user_id}")
        toggle = f"toggle_{user_id}"
        field_error(toggle, "is_active")
        if st.button(label, disabled=not confirmed, key=toggle) and save_form(
            toggle, engine, lambda session: accounts.set_active(
                session=session, actor=actor, user_id=user_id, active=not chosen["is_active"],
            ),
        ):
            st.session_state["users_notice"] = "users.updated"
            st.rerun()
    with reset_col:
        form = f"{RESET}_{user_id}"
        with st.form(form):
            st.markdown(f"**{tr('users.reset_password')}**")
            temporary = st.text_input(tr("users.temporary_password"), type="password",
                                      max_chars=128, help=tr("users.reset_help"))
            field_error(form, "password")
            reset = st.form_submit_button(tr("users.reset_password"))
        if reset and save_form(form, engine, lambda session: accounts.reset_password(
            session=session, actor=actor, user_id=user_id, password=temporary, now=clock.now(),
        )):
            st.session_state["users_notice"] = "users.password_reset"
            st.rerun()
