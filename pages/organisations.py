"""Organisations and their lists (administrators): the tree of the organisations one
sees, adding, renaming and moving one, and per organisation its sectors, committees and
terms. A deployment of one organisation shows no organisation picker."""

from collections.abc import Callable

import pandas as pd
import streamlit as st
from sqlmodel import Session

from models import OrgLevel
from services import reference
from services.reference import CommitteeInput, OrganisationInput, SectorInput, TermInput
from ui.components import plain
from ui.fields import choice_field, date_field, number_field, text_field
from ui.flash import flash, show_flash
from ui.forms import edit_form, field_key, forget_form, save_form
from ui.i18n import enum_column, enum_text, tr
from ui.page import open_page
from ui.table import labelled_table

page = open_page()
MONTHS, DAYS = [None, *range(1, 13)], [None, *range(1, 32)]


def saved(message_key: str, *forms: str) -> None:
    """After a save: the forms start again from the store, and the page says so."""
    for form in forms:
        forget_form(form)
    flash(message_key)
    st.rerun()


def whole(value: object) -> int | None:
    """A whole number from a table cell (pandas makes a column with blanks float)."""
    return None if value is None or pd.isna(value) else int(value)


def delete_button(key: str, name: str, delete: Callable[[Session], object]) -> None:
    """A delete that needs a ticked confirmation; a refusal (still in use) shows here."""
    confirmed = st.checkbox(tr("organisations.confirm_delete", name=name), key=f"{key}.confirm")
    if st.button(tr("organisations.delete"), key=key, disabled=not confirmed,
                 icon=":material/delete:") and save_form(key, page.engine, delete):
        saved("organisations.deleted", key)


# --- the organisation --------------------------------------------------------------------


NO_PARENT = 0


def organisation_form(form: str, title: str, button: str, stored: dict,
                      parents: dict[int | None, str]) -> OrganisationInput | None:
    """The organisation's fields, seeded with ``stored``; the input once submitted. "No
    parent" is offered as 0: a select box holding None shows its placeholder instead."""
    stored = stored | {"parent_id": stored["parent_id"] or NO_PARENT}
    parents = {NO_PARENT if i is None else i: name for i, name in parents.items()}
    edit_form(form, 0, stored)
    with st.form(form):
        st.markdown(f"**{title}**")
        name = text_field(form, "name", tr("organisations.name"),
                          max_chars=reference.MAX_NAME_LENGTH)
        left, right = st.columns(2)
        with left:
            level = choice_field(form, "level", tr("organisations.level"), list(OrgLevel),
                                 format_func=enum_text)
        with right:
            parent_id = choice_field(
                form, "parent_id", tr("organisations.parent"), list(parents),
                format_func=lambda i: parents[i] or tr("organisations.no_parent"))
        submitted = st.form_submit_button(button, type="primary")
    return OrganisationInput(name, level, parent_id or None) if submitted else None


def organisation_pane(chosen: dict) -> None:
    """Rename or move the chosen organisation, add one below it, or delete it."""
    form = f"organisation_{chosen['id']}"
    data = organisation_form(
        form, tr("organisations.edit"), tr("organisations.save"),
        {"name": chosen["name"], "level": OrgLevel(chosen["level"]),
         "parent_id": whole(chosen["parent_id"])},
        page.cached(reference.parent_choices, organisation_id=chosen["id"]))
    if data and save_form(form, page.engine, lambda session: reference.update_organisation(
        session=session, actor=page.actor, organisation_id=chosen["id"], data=data,
    )):
        saved("organisations.saved", form)

    form = f"add_organisation_{chosen['id']}"
    level = OrgLevel.CITY if chosen["level"] == OrgLevel.PROVINCE else OrgLevel.DISTRICT
    data = organisation_form(form, tr("organisations.add"), tr("organisations.add_button"),
                             {"name": "", "level": level, "parent_id": chosen["id"]},
                             page.cached(reference.parent_choices))
    if data and save_form(form, page.engine, lambda session: reference.add_organisation(
        session=session, actor=page.actor, data=data,
    )):
        saved("organisations.added", form)

    delete_button(f"delete_organisation_{chosen['id']}", chosen["name"],
                  lambda session: reference.delete_organisation(
                      session=session, actor=page.actor, organisation_id=chosen["id"]))


# --- one list of the organisation: sectors, committees or terms --------------------------


def list_pane(kind: str, rows: pd.DataFrame, *, entity: str, labels: dict[str, str],
              fields: Callable[[str], object], stored: Callable[[dict], dict],
              add: Callable[[Session, object], object],
              update: Callable[[Session, int, object], object],
              delete: Callable[[Session, int], object],
              reorder: Callable[[Session, list[int]], object] | None = None,
              more: Callable[[int, dict], None] | None = None) -> None:
    """The list (or what to do while it is empty), the form that adds one, and for the
    one picked its edit form, its moves up and down, ``more`` and its delete.
    ``fields(form)`` draws the fields and returns the service's input; ``stored(row)``
    gives the values they start from; the rest call the service."""
    if rows.empty:
        st.info(tr(f"organisations.{kind}_empty"))
    else:
        labelled_table(rows, labels, file_name=kind, entity=entity)

    form = f"add_{kind}_{organisation_id}"
    with st.form(form):
        st.markdown(f"**{tr(f'organisations.add_{kind}')}**")
        data = fields(form)
        submitted = st.form_submit_button(tr("organisations.add_button"))
    if submitted and save_form(form, page.engine, lambda session: add(session, data)):
        saved("organisations.added", form)
    if rows.empty:
        return

    st.divider()
    records = rows.set_index("id").to_dict("index")
    row_id = st.selectbox(tr(f"organisations.pick_{kind}"), list(records),
                          key=f"pick_{kind}_{organisation_id}",
                          format_func=lambda i: records[i]["name"])
    form = f"edit_{kind}_{row_id}"
    edit_form(form, 0, stored(records[row_id]))
    with st.form(form):
        data = fields(form)
        submitted = st.form_submit_button(tr("organisations.save"), type="primary")
    if submitted and save_form(form, page.engine, lambda session: update(session, row_id, data)):
        saved("organisations.saved", form)
    if reorder is not None:
        move_buttons(f"move_{kind}_{row_id}", list(records), row_id, reorder)
    if more is not None:
        more(row_id, records[row_id])
    delete_button(f"delete_{kind}_{row_id}", records[row_id]["name"],
                  lambda session: delete(session, row_id))


def move_buttons(key: str, order: list[int], row_id: int,
                 reorder: Callable[[Session, list[int]], object]) -> None:
    place = order.index(row_id)
    up, down, _ = st.columns([1, 1, 4])
    step = -1 if up.button(tr("organisations.move_up"), key=f"{key}.up", disabled=place == 0,
                           icon=":material/arrow_upward:") else 0
    step += 1 if down.button(tr("organisations.move_down"), key=f"{key}.down",
                             disabled=place == len(order) - 1,
                             icon=":material/arrow_downward:") else 0
    if step:
        order[place], order[place + step] = order[place + step], order[place]
        if save_form(key, page.engine, lambda session: reorder(session, order)):
            saved("organisations.saved")


def sector_fields(form: str) -> SectorInput:
    name = text_field(form, "name", tr("organisations.sector_name"),
                      max_chars=reference.MAX_NAME_LENGTH)
    holiday, month, day = st.columns([2, 1, 1])
    with holiday:
        holiday_name = text_field(form, "holiday_name", tr("organisations.holiday_name"),
                                  max_chars=reference.MAX_NAME_LENGTH,
                                  help=tr("organisations.holiday_help"))
    with month:
        holiday_month = choice_field(form, "holiday_month", tr("organisations.holiday_month"),
                                     MONTHS, format_func=lambda m: "—" if m is None else str(m))
    with day:
        holiday_day = choice_field(form, "holiday_day", tr("organisations.holiday_day"), DAYS,
                                   format_func=lambda d: "—" if d is None else str(d))
    return SectorInput(name, holiday_name, holiday_month, holiday_day)


def holiday_text(row: pd.Series) -> str:
    if not isinstance(row["holiday_name"], str):
        return ""
    return tr("organisations.holiday_on", name=row["holiday_name"],
              month=whole(row["holiday_month"]), day=whole(row["holiday_day"]))


def committee_fields(form: str) -> CommitteeInput:
    name = text_field(form, "name", tr("organisations.committee_name"),
                      max_chars=reference.MAX_NAME_LENGTH)
    is_liaison = st.checkbox(tr("organisations.is_liaison"), key=field_key(form, "is_liaison"),
                             help=tr("organisations.is_liaison_help"))
    return CommitteeInput(name, is_liaison)


def term_fields(form: str) -> TermInput:
    number_column, name_column = st.columns([1, 2])
    with number_column:
        number = number_field(form, "number", tr("organisations.term_number"),
                              min_value=1, max_value=reference.MAX_TERM_NUMBER)
    with name_column:
        name = text_field(form, "name", tr("organisations.term_name"),
                          max_chars=reference.MAX_TERM_NAME_LENGTH,
                          placeholder=tr("organisations.term_name_hint"))
    starts, ends = st.columns(2)
    with starts:
        starts_on = date_field(form, "starts_on", tr("organisations.starts_on"))
    with ends:
        ends_on = date_field(form, "ends_on", tr("organisations.ends_on"))
    return TermInput(number, name, starts_on, ends_on)


def current_term_button(term_id: int, term: dict) -> None:
    key = f"current_term_{term_id}"
    if not term["is_current"] and st.button(tr("organisations.make_current"), key=key) \
            and save_form(key, page.engine, lambda session: reference.set_current_term(
                session=session, actor=page.actor, term_id=term_id)):
        saved("organisations.saved")


# --- the page ----------------------------------------------------------------------------

st.title(tr("nav.organisations"))
st.caption(tr("organisations.intro"))
show_flash()

tree = page.cached(reference.organisation_table)
labelled_table(tree.assign(level=enum_column(tree["level"], OrgLevel)),
               {"indented_name": tr("organisations.name"), "level": tr("organisations.level"),
                "members": tr("organisations.members"), "users": tr("organisations.users")},
               file_name="organisations", entity="Organisation")

organisations = tree.set_index("id").to_dict("index")
organisation_id = next(iter(organisations))
if len(organisations) > 1:
    organisation_id = st.selectbox(tr("organisations.pick"), list(organisations),
                                   format_func=lambda i: organisations[i]["indented_name"])
st.subheader(plain(organisations[organisation_id]["name"]), anchor=False)
actor = page.actor

organisation_tab, sectors_tab, committees_tab, terms_tab = st.tabs(
    [tr("organisations.tab_organisation"), tr("organisations.tab_sectors"),
     tr("organisations.tab_committees"), tr("organisations.tab_terms")])
with organisation_tab:
    organisation_pane(organisations[organisation_id] | {"id": organisation_id})

with sectors_tab:
    sectors = page.cached(reference.sector_table, organisation_id=organisation_id)
    list_pane(
        "sectors", sectors.assign(holiday=[holiday_text(row) for _, row in sectors.iterrows()]),
        entity="Sector",
        labels={"name": tr("organisations.sector_name"), "holiday": tr("organisations.holiday"),
                "members": tr("organisations.members")},
        fields=sector_fields,
        stored=lambda row: {
            "name": row["name"],  # a missing text in a column with texts is NaN in pandas
            "holiday_name": row["holiday_name"] if isinstance(row["holiday_name"], str) else "",
            "holiday_month": whole(row["holiday_month"]), "holiday_day": whole(row["holiday_day"]),
        },
        add=lambda session, data: reference.add_sector(
            session=session, actor=actor, organisation_id=organisation_id, data=data),
        update=lambda session, sector_id, data: reference.update_sector(
            session=session, actor=actor, sector_id=sector_id, data=data),
        delete=lambda session, sector_id: reference.delete_sector(
            session=session, actor=actor, sector_id=sector_id),
        reorder=lambda session, order: reference.reorder_sectors(
            session=session, actor=actor, organisation_id=organisation_id, sector_ids=order),
    )

with committees_tab:
    committees = page.cached(reference.committee_table, organisation_id=organisation_id)
    list_pane(
        "committees", committees, entity="Committee",
        labels={"name": tr("organisations.committee_name"),
                "is_liaison": tr("organisations.is_liaison"),
                "members": tr("organisations.members")},
        fields=committee_fields,
        stored=lambda row: {"name": row["name"], "is_liaison": bool(row["is_liaison"])},
        add=lambda session, data: reference.add_committee(
            session=session, actor=actor, organisation_id=organisation_id, data=data),
        update=lambda session, committee_id, data: reference.update_committee(
            session=session, actor=actor, committee_id=committee_id, data=data),
        delete=lambda session, committee_id: reference.delete_committee(
            session=session, actor=actor, committee_id=committee_id),
        reorder=lambda session, order: reference.reorder_committees(
            session=session, actor=actor, organisation_id=organisation_id, committee_ids=order),
    )

with terms_tab:
    terms = page.cached(reference.term_table, organisation_id=organisation_id)
    list_pane(
        "terms", terms, entity="Term",
        labels={"number": tr("organisations.term_number"), "name": tr("organisations.term_name"),
                "starts_on": tr("organisations.starts_on"), "ends_on": tr("organisations.ends_on"),
                "is_current": tr("organisations.is_current"),
                "members": tr("organisations.members")},
        fields=term_fields,
        stored=lambda row: {"number": whole(row["number"]), "name": row["name"],
                            "starts_on": row["starts_on"], "ends_on": row["ends_on"]},
        add=lambda session, data: reference.add_term(
            session=session, actor=actor, organisation_id=organisation_id, data=data),
        update=lambda session, term_id, data: reference.update_term(
            session=session, actor=actor, term_id=term_id, data=data),
        delete=lambda session, term_id: reference.delete_term(
            session=session, actor=actor, term_id=term_id),
        more=current_term_button,
    )
