"""A member's sector contact persons on their profile: the count against the target of
ten, the list, and (for whoever may edit the member) adding, editing, retiring and
deleting one. Messages after a save are flashed: the profile shows them."""


import pandas as pd
import streamlit as st

from models import ContactPerson, Member
from services import contacts
from services.contacts import CONTACT_TARGET, MAX_LENGTHS, ContactInput
from services.permissions import can_edit_member
from ui.fields import date_field, text_area_field, text_field
from ui.flash import flash
from ui.forms import (
    changed_fields,
    edit_form,
    forget_form,
    save_form,
    stale_notice,
)
from ui.i18n import fmt_number, tr
from ui.page import PageContext
from ui.table import labelled_table


def contacts_section(page: PageContext, member: Member) -> None:
    count = page.cached(contacts.contact_count, member_id=member.id)
    st.progress(min(count / CONTACT_TARGET, 1.0), text=tr(
        "contacts.progress", count=fmt_number(count), target=fmt_number(CONTACT_TARGET),
    ))
    editable = can_edit_member(page.actor, member)
    with_retired = st.toggle(tr("contacts.show_retired"), key=f"contacts_retired_{member.id}")
    rows = page.cached(contacts.list_contacts, member_id=member.id,
                       include_retired=with_retired)
    if rows.empty:
        st.info(tr("contacts.empty_can_add" if editable else "contacts.empty"))
    else:
        rows["state"] = rows["is_active"].map(
            lambda active: tr("contacts.active") if active else tr("contacts.retired"))
        labels = _labels() | ({"state": tr("contacts.state")} if with_retired else {})
        labelled_table(rows, labels, file_name="contacts", entity="ContactPerson")
    if not editable:
        st.caption(tr("contacts.read_only"))
        return
    _add_form(page, member)
    if not rows.empty:
        _edit(page, member, rows)


def _labels() -> dict[str, str]:
    return {field: tr(f"contacts.{field}") for field in (
        "name", "phone", "organisation", "sector_relation", "starts_on", "ends_on", "note")}


def _fields(form: str) -> ContactInput:
    """The contact's widgets, for a new contact and for an edit alike."""
    left, right = st.columns(2)
    with left:
        name = text_field(form, "name", tr("contacts.name"), max_chars=MAX_LENGTHS["name"])
    with right:
        phone = text_field(form, "phone", tr("contacts.phone"), max_chars=MAX_LENGTHS["phone"])
    organisation = text_field(form, "organisation", tr("contacts.organisation"),
                              max_chars=MAX_LENGTHS["organisation"])
    relation = text_field(form, "sector_relation", tr("contacts.sector_relation"),
                          max_chars=MAX_LENGTHS["sector_relation"],
                          placeholder=tr("contacts.sector_relation_hint"))
    left, right = st.columns(2)
    with left:
        starts_on = date_field(form, "starts_on", tr("contacts.starts_on"))
    with right:
        ends_on = date_field(form, "ends_on", tr("contacts.ends_on"))
    note = text_area_field(form, "note", tr("contacts.note"), max_chars=MAX_LENGTHS["note"],
                           height=68)
    return ContactInput(name=name, phone=phone, organisation=organisation,
                        sector_relation=relation, starts_on=starts_on, ends_on=ends_on,
                        note=note)


def _add_form(page: PageContext, member: Member) -> None:
    """A new contact; the typing stays after a refusal and goes after a save."""
    form = f"contact_add_{member.id}"
    with st.expander(tr("contacts.add"), icon=":material/person_add:"), st.form(form):
        data = _fields(form)
        added = st.form_submit_button(tr("contacts.add_submit"), type="primary")
    if added and save_form(form, page.engine, lambda session: contacts.add_contact(
        session=session, actor=page.actor, member_id=member.id, data=data,
    )):
        forget_form(form)
        flash("contacts.added")
        st.rerun()


def _edit(page: PageContext, member: Member, rows: pd.DataFrame) -> None:
    """One chosen contact: correct it (only what the user changed, against the version
    they saw), retire it from a date, or delete it when it was entered by mistake."""
    names = {int(row.id): row.name if row.is_active else f"{row.name}（{row.state}）"
             for row in rows.itertuples()}
    with st.expander(tr("contacts.edit"), icon=":material/edit:"):
        contact_id = st.selectbox(tr("contacts.pick"), list(names), format_func=names.get,
                                  key=f"contact_pick_{member.id}")
        contact = page.read(contacts.get_contact, contact_id=contact_id)
        form = f"contact_edit_{contact_id}"
        version = edit_form(form, contact.version, _stored(contact))
        stale_notice(form, _labels())
        with st.form(form):
            _fields(form)
            saved = st.form_submit_button(tr("contacts.save"), type="primary")
        if saved and save_form(form, page.engine, lambda session: contacts.update_contact(
            session=session, actor=page.actor, contact_id=contact_id,
            expected_version=version, changes=changed_fields(form),
        )):
            forget_form(form)
            flash("contacts.saved")
            st.rerun()
        retire, delete = st.columns(2)
        if contact.is_active:
            with retire:
                _retire(page, contact)
        with delete:
            _delete(page, contact)


def _stored(contact: ContactPerson) -> dict[str, object]:
    """The contact's fields as its widgets show them: blank text, empty dates."""
    return {field: getattr(contact, field) or ("" if field not in {"starts_on", "ends_on"}
                                               else None)
            for field in contacts.EDITABLE_FIELDS}


def _retire(page: PageContext, contact: ContactPerson) -> None:
    form = f"contact_retire_{contact.id}"
    ends_on = date_field(form, "ends_on", tr("contacts.retire_on"), default=page.today)
    confirmed = st.checkbox(tr("contacts.retire_confirm"), key=f"{form}_confirm")
    if st.button(tr("contacts.retire"), disabled=not confirmed or ends_on is None,
                 key=f"{form}_button", icon=":material/person_off:") and save_form(
        form, page.engine, lambda session: contacts.retire_contact(
            session=session, actor=page.actor, contact_id=contact.id,
            expected_version=contact.version, ends_on=ends_on,
        ),
    ):
        forget_form(form)
        flash("contacts.retired_done")
        st.rerun()


def _delete(page: PageContext, contact: ContactPerson) -> None:
    form = f"contact_delete_{contact.id}"
    confirmed = st.checkbox(tr("contacts.delete_confirm"), key=f"{form}_confirm")
    if st.button(tr("contacts.delete"), disabled=not confirmed, key=f"{form}_button",
                 icon=":material/delete:") and save_form(
        form, page.engine, lambda session: contacts.delete_contact(
            session=session, actor=page.actor, contact_id=contact.id,
            expected_version=contact.version,
        ),
    ):
        flash("contacts.deleted")
        st.rerun()
