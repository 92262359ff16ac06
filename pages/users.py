"""User administration (admins): create users of the organisations one sees, set their
organisation, role, committee scope and linked member, deactivate, reset passwords.
Password hashes never appear here. The organisation is asked only when there is more than
one to choose from."""

import streamlit as st

from core import clock
from models import Role
from services.users import (
    UserInput,
    create_user,
    list_users,
    reset_password,
    set_active,
    update_user,
    user_choices,
)
from ui.fields import choice_field, choices_field, password_field, text_field
from ui.flash import flash, show_flash
from ui.forms import field_error, save_form
from ui.i18n import enum_column, enum_text, tr
from ui.page import open_page
from ui.table import labelled_table

EDIT, RESET = "edit_user", "reset_password"
# A new form (a new name) after each user created, so the next one starts empty.
CREATE = f"create_user_{st.session_state.setdefault('users_created', 0)}"

page = open_page()
users = page.cached(list_users)
choices = page.cached(user_choices)
several_organisations = len(choices.organisations) > 1
all_committees = {i: name for named in choices.committees.values() for i, name in named.items()}


def committee_names(ids: list[int]) -> str:
    return "、".join(all_committees.get(i, "?") for i in ids)


def organisation_picker(key: str, current: int) -> int:
    """The user's organisation, chosen before the form: its committees and members are
    what the form offers. None to choose from when the administrator sees one."""
    if not several_organisations:
        return current
    options = list(choices.organisations)
    return st.selectbox(tr("users.organisation"), options, key=key,
                        index=options.index(current) if current in options else 0,
                        format_func=choices.organisations.get, help=tr("users.organisation_help"))


def user_form(form: str, organisation_id: int, *,
              user: dict | None = None) -> tuple[UserInput, str | None, bool]:
    """The fields of a user of ``organisation_id``; returns the input, the first password
    (new users) and submit. The linked member is chosen from a list that the browser
    filters as one types: a form sends nothing before submit, so the pinyin search of the
    member picker cannot run here."""
    defaults = user or {}
    roles = list(Role)
    committees_offered = choices.committees_of(organisation_id)
    member_names = choices.members_for(organisation_id)
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
                form, "committee_ids", tr("users.committees"), list(committees_offered),
                format_func=committees_offered.get,
                default=[i for i in defaults.get("committee_ids", []) if i in committees_offered],
                help=tr("users.committees_help"), placeholder=tr("users.choose"),
            )
            password = None if user else password_field(
                form, "password", tr("users.first_password"), help=tr("password.policy"))
        submitted = st.form_submit_button(tr("users.save"), type="primary")
    data = UserInput(username=username, display_name=display_name, role=role,
                     committee_ids=frozenset(committees), member_id=member_id,
                     organisation_id=organisation_id)
    return data, password, submitted


st.title(tr("nav.users"))
show_flash()

labels = {
    "username": tr("users.username"), "display_name": tr("users.display_name"),
    **({"organisation": tr("users.organisation")} if several_organisations else {}),
    "role": tr("users.role"), "committee_ids": tr("users.committees"),
    "member": tr("users.member"), "is_active": tr("users.active"),
    "locked_until": tr("users.locked_until"), "must_change_password": tr("users.must_change"),
    "last_sign_in_at": tr("users.last_sign_in"),
}
labelled_table(users.assign(role=enum_column(users["role"], Role),
                            committee_ids=users["committee_ids"].map(committee_names)),
               labels, file_name="users", entity="User")

create_tab, edit_tab = st.tabs([tr("users.create"), tr("users.edit")])
with create_tab:
    organisation_id = organisation_picker(f"{CREATE}_organisation", page.actor.organisation_id)
    data, password, submitted = user_form(CREATE, organisation_id)
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
    organisation_id = organisation_picker(f"{form}_organisation", chosen["organisation_id"])
    data, _, submitted = user_form(form, organisation_id, user=chosen)
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
