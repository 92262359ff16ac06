"""Member directory: find a member, read the profile, correct contact details within one's
scope, and comment (leadership). A member sees only their own profile."""

import streamlit as st

from models import Member
from services import members
from services.members import store_has_members
from services.permissions import sees_only_own_member
from ui.components import plain
from ui.fields import text_area_field, text_field
from ui.filter_bar import filter_bar
from ui.flash import flash, show_flash
from ui.forms import changed_fields, edit_form, forget_form, save_form, stale_notice
from ui.i18n import fmt_datetime, fmt_number, tr
from ui.member_picker import member_picker
from ui.page import open_page
from ui.table import labelled_table

page = open_page()
own_only = sees_only_own_member(page.actor)


def profile(member_id: int) -> None:
    view = page.cached(members.member_profile, member_id=member_id)
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
    show_flash()

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
            text_field(form, "phone", labels["phone"], max_chars=30)
            text_field(form, "employer", labels["employer"], max_chars=members.MAX_TEXT_LENGTH)
            text_field(form, "base_unit", labels["base_unit"],
                       max_chars=members.MAX_TEXT_LENGTH)
            saved = st.form_submit_button(tr("members.save"), type="primary")
    if saved and save_form(form, page.engine, lambda session: members.update_member_contact(
        session=session, actor=page.actor, member_id=member.id, expected_version=version,
        **changed_fields(form),
    )):
        forget_form(form)
        flash("members.saved")
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
            body = text_area_field(form, "body", tr("members.comment"),
                                   max_chars=members.MAX_COMMENT_LENGTH)
            added = st.form_submit_button(tr("members.add_comment"))
        if added and save_form(form, page.engine, lambda session: members.add_member_comment(
            session=session, actor=page.actor, member_id=view.member.id, body=body,
        )):
            st.rerun()


st.title(tr("members.my_title") if own_only else tr("nav.members"))

if own_only:
    if page.actor.member_id is None:
        st.info(tr("members.no_link"))
    else:
        profile(page.actor.member_id)
    st.stop()

bar, office = st.columns([4, 1], vertical_alignment="bottom")
with bar:
    scope = filter_bar(page)
in_office_only = office.checkbox(tr("members.in_office_only"), value=True)
roster = page.cached(members.list_members, today=page.today, sector_id=scope.sector_id,
                     committee_id=scope.committee_id, in_office_only=in_office_only)
pick = member_picker(roster, label=tr("members.pick"), search_hint=tr("members.search_hint"),
                     also_search=["employer"])
table = pick.found
if table.empty:
    st.info(tr("members.empty") if page.cached(store_has_members) else tr("members.none_yet"))
    st.stop()

st.caption(tr("members.count", count=fmt_number(len(table))))
if pick.member_id is not None:
    with st.container(border=True):
        profile(int(pick.member_id))

labels = {
    "name": tr("members.name"), "sector": tr("members.sector"),
    "committee": tr("members.committee"), "employer": tr("members.employer"),
    "phone": tr("members.phone"), "is_standing_committee": tr("members.standing"),
    "is_cpc": tr("members.cpc"),
}
if table["editable"].any():  # a column of blanks tells leaders nothing
    labels["editable"] = tr("members.editable")
labelled_table(table, labels, file_name="members", entity="Member", screen_only=["editable"])
