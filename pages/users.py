"""User administration (admins): create users, set role, committee scope and linked member,
deactivate, reset passwords. Password hashes never appear here."""

import streamlit as st

from core import clock
from models import Role
from services import members
from services.users import (
    UserInput,
    create_user,
    list_users,
    reset_password,
    set_active,
    update_user,
)
from ui.fields import choice_field, choices_field, password_field, text_field
from ui.flash import flash, show_flash
from ui.forms import field_error, save_form
from ui.i18n import enum_text, tr
from ui.page import open_page
from ui.table import labelled_table

EDIT, RESET = "edit_user", "reset_password"
# A new form (a new name) after each user created, so the next one starts empty.
CREATE = f"create_user_{st.session_state.setdefault('users_created', 0)}"

page = open_page()
users = page.cached(list_users)
lookup = page.cached(members.lookups)
member_names = page.cached(members.member_names)


def committee_names(ids: list[int]) -> str:
    return "、".join(lookup.committees.get(i, "?") for i in ids)


def user_form(form: str, *, user: dict | None = None) -> tuple[UserInput, str | None, bool]:
    """The fields of a user; returns the input, the first password (new users) and submit.
    The linked member is chosen from a list that the browser filters as one types: a
    form sends nothing before submit, so the pinyin search of the member picker cannot
    run here."""
    defaults = user or {}
    roles = list(Role)
    member_options = [None, *member_names]
    current_member = defaults.get("member_id")
    with st.form(form, clear_on_submit=False):
        left, right = st.columns(2)
        with left:
            username = text_field(form, "username", tr("users.username"),
                                  value=defaults.get("username", ""), max_chars=60,
                                  disabled=user is not None)
            role = choice_field(
                form, "role", tr("users.role"), roles, format_func=enum_text,
                index=roles.index(Role(defaults["role"]) if user else Role.STAFF),
            )
            member_id = choice_field(
                form, "member_id", tr("users.member"), member_options,
                format_func=lambda m: tr("users.no_member") if m is None else member_names[m],
                index=member_options.index(current_member)
                if current_member in member_options else 0,
                help=tr("users.member_help"),
            )
        with right:
            display_name = text_field(form, "display_name", tr("users.display_name"),
                                      value=defaults.get("display_name", ""), max_chars=60)
            committees = choices_field(
                form, "committee_ids", tr("users.committees"), list(lookup.committees),
                format_func=lookup.committees.get, default=defaults.get("committee_ids", []),
                help=tr("users.committees_help"), placeholder=tr("users.choose"),
            )
            password = None if user else password_field(
                form, "password", tr("users.first_password"), help=tr("password.policy"))
        submitted = st.form_submit_button(tr("users.save"), type="primary")
    data = UserInput(username=username, display_name=display_name, role=role,
                     committee_ids=frozenset(committees), member_id=member_id)
    return data, password, submitted


st.title(tr("nav.users"))
show_flash()

labels = {
    "username": tr("users.username"), "display_name": tr("users.display_name"),
    "role": tr("users.role"), "committee_ids": tr("users.committees"),
    "member": tr("users.member"), "is_active": tr("users.active"),
    "locked_until": tr("users.locked_until"), "must_change_password": tr("users.must_change"),
    "last_sign_in_at": tr("users.last_sign_in"),
}
labelled_table(users.assign(role=users["role"].map(lambda role: enum_text(Role(role))),
                            committee_ids=users["committee_ids"].map(committee_names)),
               labels, file_name="users", entity="User")

create_tab, edit_tab = st.tabs([tr("users.create"), tr("users.edit")])
with create_tab:
    data, password, submitted = user_form(CREATE)
    if submitted and save_form(CREATE, page.engine, lambda session: create_user(
        session=session, actor=page.actor, data=data, password=password, now=clock.now(),
    )):
        st.session_state["users_created"] += 1
        flash("users.created")
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
    if submitted and save_form(form, page.engine, lambda session: update_user(
        session=session, actor=page.actor, user_id=user_id, data=data,
    )):
        flash("users.updated")
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
            toggle, page.engine, lambda session: set_active(
                session=session, actor=page.actor, user_id=user_id,
                active=not chosen["is_active"],
            ),
        ):
            flash("users.updated")
            st.rerun()
    with reset_col:
        form = f"{RESET}_{user_id}"
        with st.form(form):
            st.markdown(f"**{tr('users.reset_password')}**")
            temporary = password_field(form, "password", tr("users.temporary_password"),
                                       help=tr("users.reset_help"))
            reset = st.form_submit_button(tr("users.reset_password"))
        if reset and save_form(form, page.engine, lambda session: reset_password(
            session=session, actor=page.actor, user_id=user_id, password=temporary,
            now=clock.now(),
        )):
            flash("users.password_reset")
            st.rerun()
