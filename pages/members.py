"""Member directory: find a member, read the profile, correct contact details within one's
scope, and comment (leadership). A member sees only their own profile."""

import streamlit as st

from core.db import read_session
from models import Member
from services import members
from services.overview import store_has_members
from services.permissions import home_committee, sees_only_own_member
from ui import context
from ui.components import export_buttons, for_display, plain
from ui.forms import (
    changed_fields,
    edit_form,
    field_error,
    field_key,
    forget_form,
    save_form,
    stale_notice,
)
from ui.i18n import fmt_datetime, fmt_number, tr

engine = context.store()
actor = context.actor()
today = context.today()
own_only = sees_only_own_member(actor)


def profile(member_id: int) -> None:
    with read_session(engine) as session:
        view = members.member_profile(session=session, actor=actor, member_id=member_id)
    member = view.member
    st.subheader(member.name, anchor=False)
    flags = [tr("members.standing")] if member.is_standing_committee else []
    flags += [tr("members.cpc")] if member.is_cpc else []
    st.caption(" · ".join([view.sector, view.committee, *flags]))
    facts = st.columns(4)
    facts[0].markdown(f"**{tr('members.employer')}**  \n{plain(member.employer)}")
    facts[1].markdown(f"**{tr('members.phone')}**  \n{plain(member.phone)}")
    facts[2].markdown(f"**{tr('members.base_unit')}**  \n{plain(member.base_unit)}")
    contacts = tr("members.contacts_count", count=fmt_number(view.contact_count))
    facts[3].markdown(f"**{tr('members.contacts')}**  \n{contacts}")
    if notice := st.session_state.pop("members_notice", None):
        st.success(tr(notice))

    if view.can_edit:
        contact_form(member)
    else:
        st.caption(tr("members.read_only"))
    if view.can_read_comments:
        comments(view)


def contact_form(member: Member) -> None:
    """Correct contact details; saves only what the user changed, against the version
    they saw (after someone else's save, the form shows both and the user decides)."""
    form = f"member_contact_{member.id}"
    labels = {"phone": tr("members.phone"), "employer": tr("members.employer"),
              "base_unit": tr("members.base_unit")}
    version = edit_form(form, member.version,
                        {field: getattr(member, field) or "" for field in labels})
    with st.expander(tr("members.edit"), icon=":material/edit:"):
        stale_notice(form, labels)
        with st.form(form):
            st.text_input(labels["phone"], max_chars=30, key=field_key(form, "phone"))
            field_error(form, "phone")
            st.text_input(labels["employer"], max_chars=members.MAX_TEXT_LENGTH,
                          key=field_key(form, "employer"))
            field_error(form, "employer")
            st.text_input(labels["base_unit"], max_chars=members.MAX_TEXT_LENGTH,
                          key=field_key(form, "base_unit"))
            field_error(form, "base_unit")
            saved = st.form_submit_button(tr("members.save"), type="primary")
    if saved and save_form(form, engine, lambda session: members.update_member_contact(
        session=session, actor=actor, member_id=member.id, expected_version=version,
        **changed_fields(form),
    )):
        forget_form(form)
        st.session_state["members_notice"] = "members.saved"
        st.rerun()


def comments(view: members.MemberProfile) -> None:
    """Leaders' and staff's internal comments on the member, and adding one."""
    st.markdown(f"**{tr('members.comments')}**")
    if not view.comments:
        st.caption(tr("members.no_comments"))
    for comment in view.comments:
        with st.chat_message("user", avatar=":material/comment:"):
            st.markdown(f"**{plain(comment.author)}** · {fmt_datetime(comment.created_at)}")
            st.text(comment.body)
    if view.can_comment:
        form = f"member_comment_{view.member.id}"
        with st.form(form, clear_on_submit=True):
            body = st.text_area(tr("members.comment"), max_chars=members.MAX_COMMENT_LENGTH)
            field_error(form, "body")
            added = st.form_submit_button(tr("members.add_comment"))
        if added and save_form(form, engine, lambda session: members.add_member_comment(
            session=session, actor=actor, member_id=view.member.id, body=body,
        )):
            st.rerun()


st.title(tr("members.my_title") if own_only else tr("nav.members"))

if own_only:
    if actor.member_id is None:
        st.info(tr("members.no_link"))
    else:
        profile(actor.member_id)
    st.stop()

with read_session(engine) as session:
    lookup = members.lookups(session=session)
search_col, sector_col, committee_col, office_col = st.columns([3, 2, 2, 1])
search = search_col.text_input(tr("members.search"), placeholder=tr("members.search_hint"))
ALL = 0  # "all" in the filters (ids start at 1)
sectors = {ALL: tr("members.all"), **lookup.sectors}
committees = {ALL: tr("members.all"), **lookup.committees}
sector_id = sector_col.selectbox(tr("members.sector"), list(sectors),
                                 format_func=lambda i: sectors[i])
committee_id = committee_col.selectbox(
    tr("members.committee"), list(committees), format_func=lambda i: committees[i],
    index=list(committees).index(home_committee(actor, list(committees)) or ALL),
)
in_office_only = office_col.checkbox(tr("members.in_office_only"), value=True)

with read_session(engine) as session:
    table = members.list_members(session=session, actor=actor, today=today, search=search,
                                 sector_id=sector_id or None, committee_id=committee_id or None,
                                 in_office_only=in_office_only)
    anyone = store_has_members(session=session)
if table.empty:
    st.info(tr("members.empty") if anyone else tr("members.none_yet"))
    st.stop()

st.caption(tr("members.count", count=fmt_number(len(table))))
names = dict(zip(table["id"], table["label"], strict=True))
chosen = st.selectbox(tr("members.pick"), [None, *names],
                      format_func=lambda i: tr("members.pick_hint") if i is None else names[i])
if chosen is not None:
    with st.container(border=True):
        profile(int(chosen))

labels = {
    "name": tr("members.name"), "sector": tr("members.sector"),
    "committee": tr("members.committee"), "employer": tr("members.employer"),
    "phone": tr("members.phone"), "is_standing_committee": tr("members.standing"),
    "is_cpc": tr("members.cpc"),
}
if table["editable"].any():  # a column of blanks tells leaders nothing
    labels["editable"] = tr("members.editable")
st.dataframe(
    for_display(table[list(labels)]),
    hide_index=True,
    width="stretch",
    column_config={
        **labels,
        "is_standing_committee": st.column_config.CheckboxColumn(labels["is_standing_committee"]),
        "is_cpc": st.column_config.CheckboxColumn(labels["is_cpc"]),
        "editable": st.column_config.CheckboxColumn(tr("members.editable")),
    },
)
export_buttons(table, "members", {k: v for k, v in labels.items() if k != "editable"},
               entity="Member")
