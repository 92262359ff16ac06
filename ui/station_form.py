"""A station's fields, for registering one and for editing one
(``services.station_registry``), and what every form of the screen does once saved.

The organisation is chosen above the form (its committees and sectors depend on it); a
station keeps its organisation once registered. Staff are offered the committees they
guide."""

import streamlit as st

from models import Role, Workstation
from models.enums import WorkstationKind
from services import station_registry
from services.actors import Actor
from services.members import Lookups
from services.station_registry import StationInput
from ui.fields import choice_field, date_field, text_field
from ui.flash import flash
from ui.forms import field_key, forget_form
from ui.i18n import enum_text, tr

LABEL_KEYS = {
    "name": "workstations.field.name", "kind": "workstations.field.kind",
    "committee_id": "workstations.field.committee", "sector_id": "workstations.field.sector",
    "district": "workstations.field.district", "address": "workstations.field.address",
    "head_name": "workstations.field.head_name", "head_phone": "workstations.field.head_phone",
    "established_on": "workstations.field.established_on",
    "closed_on": "workstations.field.closed_on", "is_active": "workstations.field.is_active",
}
TEXTS = ("name", "district", "address", "head_name", "head_phone")


def labels() -> dict[str, str]:
    return {field: tr(key) for field, key in LABEL_KEYS.items()}


def stored_values(station: Workstation) -> dict[str, object]:
    """The station's fields as the widgets show them (an empty text is "")."""
    return {field: (getattr(station, field) or "") if field in TEXTS
            else getattr(station, field) for field in LABEL_KEYS}


def saved(message_key: str, *forms: str) -> None:
    """After a save: the forms start again from the store, and the page says so."""
    for form in forms:
        forget_form(form)
    flash(message_key)
    st.rerun()


def station_fields(form: str, lookup: Lookups, organisation_id: int, *,
                   actor: Actor) -> dict[str, object]:
    """Draw the fields inside ``st.form(form)``; the values by field."""
    words = labels()
    committees = lookup.of_one("committees", organisation_id)
    if actor.role is Role.STAFF:
        committees = {i: name for i, name in committees.items() if i in actor.committee_ids}
    sectors = lookup.of_one("sectors", organisation_id)
    for field, names in (("committee_id", committees), ("sector_id", sectors)):
        if st.session_state.get(field_key(form, field)) not in (None, *names):
            st.session_state.pop(field_key(form, field))  # another organisation's
    values: dict[str, object] = {}
    name_column, kind_column = st.columns([2, 1])
    with name_column:
        values["name"] = text_field(form, "name", words["name"],
                                    max_chars=station_registry.MAX_NAME_LENGTH)
    with kind_column:
        values["kind"] = choice_field(form, "kind", words["kind"], list(WorkstationKind),
                                      format_func=enum_text, index=None,
                                      placeholder=tr("workstations.choose"))
    committee_column, sector_column = st.columns(2)
    with committee_column:
        values["committee_id"] = choice_field(
            form, "committee_id", words["committee_id"], list(committees),
            format_func=committees.__getitem__, index=None, placeholder=tr("workstations.choose"))
    with sector_column:
        values["sector_id"] = choice_field(
            form, "sector_id", words["sector_id"], [None, *sectors],
            format_func=lambda i: tr("workstations.no_sector") if i is None else sectors[i])
    district_column, address_column = st.columns([1, 2])
    with district_column:
        values["district"] = text_field(form, "district", words["district"],
                                        max_chars=station_registry.TEXT_LIMITS["district"])
    with address_column:
        values["address"] = text_field(form, "address", words["address"],
                                       max_chars=station_registry.TEXT_LIMITS["address"])
    head_column, phone_column = st.columns(2)
    with head_column:
        values["head_name"] = text_field(form, "head_name", words["head_name"],
                                         max_chars=station_registry.TEXT_LIMITS["head_name"])
    with phone_column:
        values["head_phone"] = text_field(form, "head_phone", words["head_phone"],
                                          max_chars=station_registry.MAX_PHONE_LENGTH)
    established, closed, flag = st.columns(3)
    with established:
        values["established_on"] = date_field(form, "established_on", words["established_on"])
    with closed:
        values["closed_on"] = date_field(form, "closed_on", words["closed_on"],
                                         help=tr("workstations.closed_help"))
    with flag:
        st.session_state.setdefault(field_key(form, "is_active"), True)
        values["is_active"] = st.checkbox(words["is_active"], key=field_key(form, "is_active"),
                                          help=tr("workstations.flag_help"))
    return values


def station_input(values: dict[str, object], organisation_id: int) -> StationInput:
    return StationInput(organisation_id=organisation_id, **values)  # type: ignore[arg-type]
