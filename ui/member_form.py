"""The roster form: every field of a member, for adding one and for editing one
(``services.roster``). The organisation is picked above the form (its lists of terms,
sectors and committees depend on it, and a form sends nothing before it is submitted);
with one organisation there is no picker.
"""

from datetime import date

import streamlit as st

from models import Gender, Member, Role
from services import roster
from services.actors import Actor
from services.members import Lookups
from ui.fields import choice_field, date_field, number_field, text_field
from ui.forms import field_error, field_key
from ui.i18n import enum_text, tr

LABEL_KEYS = {
    "name": "members.name", "gender": "roster.gender", "birth_year": "roster.birth_year",
    "organisation_id": "filter.organisation", "term_id": "roster.term",
    "sector_id": "members.sector", "committee_id": "members.committee",
    "is_standing_committee": "members.standing", "is_cpc": "members.cpc",
    "employer": "roster.employer", "post": "roster.post", "phone": "members.phone",
    "base_unit": "members.base_unit", "in_office_from": "roster.in_office_from",
    "in_office_to": "roster.in_office_to", "effective_on": "roster.effective_on",
}
FORM_FIELDS = [field for field in LABEL_KEYS if field not in {"organisation_id", "effective_on"}]


def labels() -> dict[str, str]:
    return {field: tr(key) for field, key in LABEL_KEYS.items()}


def stored_values(member: Member) -> dict[str, object]:
    """The member's fields as the form's widgets show them."""
    return {field: getattr(member, field) for field in FORM_FIELDS}


def organisation_choice(form: str, lookup: Lookups, start: int) -> int:
    """The organisation the member belongs to, picked outside the form; ``start`` when
    there is only one to choose."""
    if len(lookup.organisations) <= 1:
        return start
    options = list(lookup.organisations)
    key = field_key(form, "organisation_id")
    if st.session_state.get(key) not in options:
        st.session_state[key] = start if start in options else options[0]
    value = st.selectbox(tr("filter.organisation"), options, key=key,
                         format_func=lookup.organisations.__getitem__)
    field_error(form, "organisation_id")
    return value


def roster_fields(form: str, lookup: Lookups, organisation_id: int, *, today: date,
                  editing: bool, actor: Actor) -> dict[str, object]:
    """Draw the fields inside ``st.form(form)``; returns the values by field. Editing
    adds the date from which a change of committee, sector or term takes effect. Staff
    are offered their own committees only."""
    words = labels()
    lists = {kind: lookup.of_one(kind, organisation_id)
             for kind in ("terms", "sectors", "committees")}
    if actor.role is Role.STAFF:
        lists["committees"] = {i: name for i, name in lists["committees"].items()
                               if i in actor.committee_ids}
    for kind, field in (("terms", "term_id"), ("sectors", "sector_id"),
                        ("committees", "committee_id")):
        if st.session_state.get(field_key(form, field)) not in lists[kind]:
            st.session_state.pop(field_key(form, field), None)  # another organisation's
    values: dict[str, object] = {}
    left, middle, right = st.columns(3)
    with left:
        values["name"] = text_field(form, "name", words["name"],
                                    max_chars=roster.MAX_NAME_LENGTH)
        values["gender"] = choice_field(
            form, "gender", words["gender"], [None, *Gender],
            format_func=lambda g: "—" if g is None else enum_text(g))
        values["birth_year"] = number_field(form, "birth_year", words["birth_year"],
                                            min_value=roster.OLDEST_BIRTH_YEAR,
                                            max_value=today.year - roster.YOUNGEST_AGE,
                                            placeholder=tr("roster.optional"))
        values["phone"] = text_field(form, "phone", words["phone"], max_chars=30)
    with middle:
        for kind, field in (("terms", "term_id"), ("sectors", "sector_id"),
                            ("committees", "committee_id")):
            names = lists[kind]
            values[field] = choice_field(form, field, words[field], list(names),
                                         format_func=names.__getitem__,
                                         placeholder=tr("roster.choose"), index=None)
        flags = st.columns(2)
        with flags[0]:
            values["is_standing_committee"] = st.checkbox(
                words["is_standing_committee"], key=field_key(form, "is_standing_committee"))
        with flags[1]:
            values["is_cpc"] = st.checkbox(words["is_cpc"], key=field_key(form, "is_cpc"))
    with right:
        for field, limit in roster.TEXT_FIELDS.items():
            values[field] = text_field(form, field, words[field], max_chars=limit)
    dates = st.columns(3)
    with dates[0]:
        values["in_office_from"] = date_field(form, "in_office_from", words["in_office_from"],
                                              default=today)
    with dates[1]:
        values["in_office_to"] = date_field(form, "in_office_to", words["in_office_to"])
    if editing:
        with dates[2]:
            values["effective_on"] = date_field(form, "effective_on", words["effective_on"],
                                                default=today, help=tr("roster.effective_help"))
    return values


def member_input(values: dict[str, object], organisation_id: int) -> roster.MemberInput:
    """The form's values as the service's input (a choice left empty is None: the
    service says it is required, under its field)."""
    fields = {field: values[field] for field in FORM_FIELDS}
    return roster.MemberInput(organisation_id=organisation_id, **fields)  # type: ignore[arg-type]
