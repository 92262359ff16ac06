"""Member directory: find members (filters, pinyin order, pages), read a profile with its
history, contact persons and leaves, keep the roster (staff of the member's committee and
administrators), correct one's own contact details, comment (leadership). A member sees
only their own profile."""

from datetime import date

import pandas as pd
import streamlit as st

from models import Member, Role
from services import members, roster
from services.members import SortOrder, store_has_members
from services.permissions import sees_only_own_member
from ui.components import plain
from ui.fields import text_area_field, text_field
from ui.filter_bar import filter_bar
from ui.flash import flash, show_flash
from ui.forms import (
    changed_fields,
    edit_form,
    field_error,
    field_key,
    forget_form,
    save_form,
    stale_notice,
)
from ui.goto import take_goto_member
from ui.i18n import fmt_date, fmt_datetime, fmt_number, tr
from ui.member_activities import activities_section
from ui.member_contacts import contacts_section
from ui.member_form import (
    labels,
    member_input,
    organisation_choice,
    roster_fields,
    stored_values,
)
from ui.member_leaves import leaves_section
from ui.member_picker import member_picker
from ui.member_reports import reports_section
from ui.member_topics import topics_tab
from ui.member_visits import visits_section
from ui.page import open_page
from ui.table import labelled_table, last_chosen
from ui.tabs import lazy_tabs

PROFILE_TABS = "member_profile.tab"  # the profile's open tab, kept from member to member

page = open_page()
own_only = sees_only_own_member(page.actor)
lookup = page.cached(members.lookups)
several = len(lookup.organisations) > 1


def profile(member_id: int) -> None:
    view = page.cached(members.member_profile, member_id=member_id)
    member = view.member
    st.subheader(plain(member.name), anchor=False)
    where = [view.organisation] if several else []
    flags = [tr("members.standing")] if member.is_standing_committee else []
    flags += [tr("members.cpc")] if member.is_cpc else []
    if member.in_office_to is not None and member.in_office_to < page.today:
        flags.append(tr("roster.left_on", date=fmt_date(member.in_office_to)))
    st.caption(" · ".join([plain(name) for name in (*where, view.term, view.sector,
                                                     view.committee)] + flags))
    facts = st.columns(4)
    post = f"{plain(member.employer)}  \n{plain(member.post)}" if member.post else plain(
        member.employer)
    facts[0].markdown(f"**{tr('roster.employer')}**  \n{post}")
    facts[1].markdown(f"**{tr('members.phone')}**  \n{plain(member.phone)}")
    facts[2].markdown(f"**{tr('members.base_unit')}**  \n{plain(member.base_unit)}")
    facts[3].markdown(f"**{tr('members.contacts')}**  \n"
                      f"{tr('roster.contacts_of_target', count=fmt_number(view.contact_count))}")
    with st.container():  # the tabs keep their place (and the open tab) when it goes
        show_flash()
    def details() -> None:
        if view.can_manage:
            roster_edit(member)
            retire(member)
        elif view.can_edit:
            contact_form(member)
        else:
            st.caption(tr("members.read_only"))

    # Lazy: only the open tab runs (a profile has nine, each with its reads and widgets).
    views = [(tr("roster.tab.details"), details),
             (tr("roster.tab.history"), lambda: history(member.id)),
             (tr("members.contacts"), lambda: contacts_section(page, member)),
             (tr("roster.tab.leaves"), lambda: leaves_section(page, member)),
             (tr("member_visits.tab"), lambda: visits_section(page, member.id)),
             (tr("activities.profile_tab"), lambda: activities_section(page, member.id)),
             (tr("member_reports.tab"), lambda: reports_section(page, member.id)),
             (tr("topics.member.tab"), lambda: topics_tab(page, member.id))]
    if view.can_read_comments:
        views.append((tr("members.comments"), lambda: comments(view)))
    lazy_tabs(PROFILE_TABS, views)


def roster_edit(member: Member) -> None:
    """Every roster field; a change of committee, sector, term or organisation keeps the
    earlier assignment and takes effect on the date given."""
    form = f"member_roster_{member.id}"
    version = edit_form(form, member.version, stored_values(member))
    with st.expander(tr("roster.edit"), icon=":material/edit:"):
        stale_notice(form, labels())
        organisation_id = organisation_choice(form, lookup, member.organisation_id)
        with st.form(form):
            values = roster_fields(form, lookup, organisation_id, today=page.today,
                                   editing=True, actor=page.actor)
            saved = st.form_submit_button(tr("members.save"), type="primary")
    if not saved:
        return
    changes = changed_fields(form)
    if organisation_id != member.organisation_id:
        changes["organisation_id"] = organisation_id
    if save_form(form, page.engine, lambda session: roster.update_member(
        session=session, actor=page.actor, member_id=member.id, expected_version=version,
        changes=changes, effective_on=values["effective_on"], today=page.today,
    )):
        forget_form(form)
        flash("members.saved")
        st.rerun()


def retire(member: Member) -> None:
    """The member leaves office on a date (a reappointment later is an edit of the term)."""
    if member.in_office_to is not None:
        return
    form = f"member_retire_{member.id}"
    with st.expander(tr("roster.retire"), icon=":material/logout:"), st.form(form):
        on = st.date_input(tr("roster.retire_on"), value=page.today,
                           key=field_key(form, "in_office_to"))
        field_error(form, "in_office_to")
        sure = st.checkbox(tr("roster.retire_confirm", name=member.name),
                           key=field_key(form, "sure"))
        done = st.form_submit_button(tr("roster.retire"))
    if done and not sure:
        st.warning(tr("roster.confirm_first"))
    elif done and save_form(form, page.engine, lambda session: roster.retire_member(
        session=session, actor=page.actor, member_id=member.id,
        expected_version=member.version, on=on, today=page.today,
    )):
        forget_form(form)
        flash("roster.retired")
        st.rerun()


def history(member_id: int) -> None:
    rows = page.cached(roster.member_history, member_id=member_id)
    table = pd.DataFrame([vars(row) for row in rows])
    shown = {"starts_on": tr("roster.from"), "ends_on": tr("roster.to")}
    shown |= {"organisation": tr("filter.organisation")} if several else {}
    shown |= {"term": tr("roster.term"), "sector": tr("members.sector"),
              "committee": tr("members.committee")}
    st.caption(tr("roster.history_hint"))
    labelled_table(table, shown, file_name=f"member_{member_id}_history", entity="Member")


def contact_form(member: Member) -> None:
    """A member corrects their own contact details; saves only what was changed, against
    the version shown (after someone else's save, the form shows both)."""
    form = f"member_contact_{member.id}"
    words = {"phone": tr("members.phone"), "employer": tr("members.employer"),
             "base_unit": tr("members.base_unit")}
    version = edit_form(form, member.version,
                        {field: getattr(member, field) or "" for field in words})
    with st.expander(tr("members.edit"), icon=":material/edit:"):
        stale_notice(form, words)
        with st.form(form):
            text_field(form, "phone", words["phone"], max_chars=30)
            text_field(form, "employer", words["employer"], max_chars=members.MAX_TEXT_LENGTH)
            text_field(form, "base_unit", words["base_unit"], max_chars=members.MAX_TEXT_LENGTH)
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


def add_member() -> None:
    form = "member_new"
    with st.expander(tr("roster.add"), icon=":material/person_add:"):
        organisation_id = organisation_choice(
            form, lookup, page.actor.organisation_id or next(iter(lookup.organisations)))
        with st.form(form):
            values = roster_fields(form, lookup, organisation_id, today=page.today,
                                   editing=False, actor=page.actor)
            added = st.form_submit_button(tr("roster.add"), type="primary")
    if added and save_form(form, page.engine, lambda session: roster.create_member(
        session=session, actor=page.actor, data=member_input(values, organisation_id),
        today=page.today,
    )):
        forget_form(form)
        flash("roster.added")
        st.rerun()


def opened_member(picked: int | None, clicked: int | None) -> int | None:
    """The member whose profile is open: the last one chosen, in the picker or by
    clicking a row of the table (the picker lists the first 500 found; the table has
    them all, page by page)."""
    return last_chosen("directory", picked, clicked)


def more_filters(organisation_ids: frozenset[int] | None) -> dict[str, object]:
    """Term, the two flags, who is in office when, and the order."""
    term, standing, cpc, office, sort = st.columns(5)
    terms = lookup.of("terms", organisation_ids)
    yes_no = {None: tr("filter.all"), True: tr("roster.yes"), False: tr("roster.no")}
    chosen: dict[str, object] = {
        "term_id": term.selectbox(tr("roster.term"), [None, *terms], key="directory_term",
                                  format_func=lambda i: tr("filter.all") if i is None
                                  else terms[i]),
        "standing": standing.selectbox(tr("members.standing"), list(yes_no),
                                       key="directory_standing", format_func=yes_no.get),
        "cpc": cpc.selectbox(tr("members.cpc"), list(yes_no), key="directory_cpc",
                             format_func=yes_no.get),
        "sort": sort.selectbox(tr("roster.sort"), list(SortOrder), key="directory_sort",
                               format_func=lambda o: tr(f"roster.sort_by.{o.value}")),
    }
    modes = {"today": tr("roster.office.today"), "on": tr("roster.office.on"),
             "all": tr("roster.office.all")}
    mode = office.selectbox(tr("roster.office.label"), list(modes), key="directory_office",
                            format_func=modes.get)
    on: date | None = page.today
    if mode == "on":
        on = office.date_input(tr("roster.office.date"), value=page.today,
                               key="directory_office_on")
    chosen["in_office_on"] = None if mode == "all" else on
    chosen["in_office_only"] = mode != "all"
    return chosen


st.title(tr("members.my_title") if own_only else tr("nav.members"))

if own_only:
    if page.actor.member_id is None:
        st.info(tr("members.no_link"))
    else:
        profile(page.actor.member_id)
    st.stop()

if page.actor.role is Role.ADMIN or (page.actor.role is Role.STAFF
                                     and page.actor.committee_ids):
    add_member()
flash_slot = st.container()  # filled once it is known whether a profile is open
scope = filter_bar(page)
roster_rows = page.cached(
    members.list_members, today=page.today, organisation_ids=scope.organisation_ids,
    sector_id=scope.sector_id, committee_id=scope.committee_id,
    **more_filters(scope.organisation_ids),
)
pick = member_picker(roster_rows, label=tr("members.pick"),
                     search_hint=tr("members.search_hint"), also_search=["employer", "phone"])
table = pick.found
if table.empty:
    with flash_slot:
        show_flash()
    st.info(tr("members.empty") if page.cached(store_has_members) else tr("members.none_yet"))
    st.stop()

st.caption(tr("members.count", count=fmt_number(len(table))))
profile_slot = st.container()  # above the table, drawn once the table says what was clicked

shown = {"name": tr("members.name")}
shown |= {"organisation": tr("filter.organisation")} if several else {}
shown |= {
    "sector": tr("members.sector"), "committee": tr("members.committee"),
    "term": tr("roster.term"), "employer": tr("roster.employer"), "post": tr("roster.post"),
    "phone": tr("members.phone"), "is_standing_committee": tr("members.standing"),
    "is_cpc": tr("members.cpc"), "in_office_from": tr("roster.in_office_from"),
    "in_office_to": tr("roster.in_office_to"),
}
if table["editable"].any():  # a column of blanks tells leaders nothing
    shown["editable"] = tr("members.editable")
clicked = labelled_table(table, shown, file_name="members", entity="Member",
                         screen_only=["editable"], pick=True)
goto = take_goto_member()
if goto is not None:  # another screen (the overview's "who is behind") opened this member
    st.session_state["directory.open"] = goto
    st.session_state["directory.last_choice"] = (pick.member_id, clicked)
open_id = opened_member(pick.member_id, clicked)
if open_id is None:
    with flash_slot:
        show_flash()
else:
    with profile_slot, st.container(border=True):
        profile(int(open_id))
