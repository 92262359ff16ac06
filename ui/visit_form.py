"""The registration form's fields, drawn for a new visit (the quick entry page) or an
edit (the visit list). Not an ``st.form``: the members chosen decide which contact
persons are offered, so a choice must reach the server before the save.

Each widget's key is ``field_key(form, field)`` with ``field`` named like the
``VisitInput`` field it fills, so the service's ``ValidationFailed`` shows under it.
"""

from datetime import date

import streamlit as st

from models import Channel, VisitOccasion
from services import visit_entry, visits
from services.visit_entry import EntryChoices
from services.visits import VisitInput
from ui.fields import (
    choice_field,
    choices_field,
    date_field,
    multi_choice,
    number_field,
    text_area_field,
)
from ui.forms import field_error, field_key
from ui.i18n import enum_text, tr
from ui.page import PageContext

SUMMARY_HEIGHT = 120
# The occasion picker's options: an occasion, or an open campaign (its occasion is the
# campaign's).
Occasion = tuple[VisitOccasion, int | None]


def widget_values(data: VisitInput) -> dict[str, object]:
    """A stored visit as this form's widgets hold it (field → value), to seed an edit
    form (``ui.forms.edit_form``); the problems are not edited here."""
    return {
        "visit_date": data.visit_date, "members": list(data.member_ids),
        "channel": data.channel, "occasion": (data.occasion, data.campaign_id),
        "contact_person_ids": list(data.contact_person_ids),
        "contact_targets": data.contact_targets, "head_count": data.head_count,
        "at_base_unit": data.at_base_unit, "workstation_id": data.workstation_id,
        "summary": data.summary,
    }


def visit_fields(form: str, page: PageContext, *, organisation_id: int,
                 default_channel: Channel | None = None,
                 default_occasion: Occasion = (VisitOccasion.ROUTINE, None),
                 with_problems: bool = True) -> VisitInput:
    """Draw the form and return what it holds. The date comes first: the members offered
    are those in office that day."""
    top = st.columns([1, 3])
    with top[0]:
        visit_date = date_field(form, "visit_date", tr("visits.field.date"),
                                default=page.today, max_value=page.today)
    choices: EntryChoices = page.cached(visit_entry.entry_choices,
                                        organisation_id=organisation_id,
                                        on=visit_date or page.today)
    labels = {choice.id: choice.label for choice in choices.members}
    with top[1]:
        _keep_known(form, "members", labels)
        member_ids = choices_field(
            form, "members", tr("visits.field.members"), list(labels),
            format_func=lambda member_id: labels.get(member_id, str(member_id)),
            placeholder=tr("visits.field.members_hint"),
        )
    channel, occasion = _channel_and_occasion(form, page, visit_date, default_channel,
                                              default_occasion)
    contact_ids, targets, head_count, at_base_unit = _targets(form, page, member_ids)
    station = _workstation(form, choices)
    summary = text_area_field(form, "summary", tr("visits.field.summary"),
                              height=SUMMARY_HEIGHT, max_chars=visits.MAX_LENGTHS["summary"],
                              placeholder=tr("visits.field.summary_hint"))
    problems = _problems(form, choices) if with_problems else ()
    return VisitInput(
        member_ids=tuple(member_ids), visit_date=visit_date, channel=channel,
        occasion=occasion[0], campaign_id=occasion[1], at_base_unit=at_base_unit,
        contact_targets=targets, contact_person_ids=tuple(contact_ids),
        head_count=head_count, workstation_id=station, summary=summary,
        problems=tuple(problems),
    )


def _keep_known(form: str, field: str, known: dict[int, str]) -> None:
    """Drop chosen ids no longer offered (another day, another organisation) before the
    widget is drawn: Streamlit refuses a value outside its options."""
    key = field_key(form, field)
    if key in st.session_state:
        st.session_state[key] = [i for i in st.session_state[key] if i in known]


def _channel_and_occasion(form: str, page: PageContext, visit_date: date | None,
                          default_channel: Channel | None,
                          default_occasion: Occasion) -> tuple[Channel | None, Occasion]:
    left, right = st.columns(2)
    channels = list(Channel)
    with left:
        channel = choice_field(
            form, "channel", tr("visits.field.channel"), channels, format_func=enum_text,
            index=channels.index(default_channel) if default_channel else None,
            placeholder=tr("visits.field.choose"),
        )
    campaigns = page.cached(visits.open_campaigns, on=visit_date or page.today)
    options: list[Occasion] = [(occasion, None) for occasion in VisitOccasion]
    occasions = page.cached(visits.campaign_occasions, campaign_ids=list(campaigns))
    options += [(occasions[campaign_id], campaign_id) for campaign_id in campaigns]
    key = field_key(form, "occasion")
    if key in st.session_state and st.session_state[key] not in options:
        st.session_state[key] = options[0]
    start = options.index(default_occasion) if default_occasion in options else 0

    def name(option: Occasion) -> str:
        occasion, campaign_id = option
        if campaign_id is None:
            return enum_text(occasion)
        return tr("visits.field.campaign", title=campaigns[campaign_id])

    with right:
        occasion = choice_field(form, "occasion", tr("visits.field.occasion"), options,
                                format_func=name, index=start)
    return channel, occasion


def _targets(form: str, page: PageContext,
             member_ids: list[int]) -> tuple[list[int], str, int | None, bool]:
    contacts = page.cached(visit_entry.contacts_of, member_ids=sorted(member_ids))
    _keep_known(form, "contact_person_ids", contacts)
    left, right = st.columns([3, 1])
    with left:
        contact_ids = multi_choice(
            tr("visits.field.contacts"), list(contacts), format_func=contacts.get,
            key=field_key(form, "contact_person_ids"),
            placeholder=tr("visits.field.contacts_hint" if contacts
                           else "visits.field.no_contacts"),
        )
        targets = st.text_input(tr("visits.field.targets"),
                                max_chars=visits.MAX_LENGTHS["contact_targets"],
                                placeholder=tr("visits.field.targets_hint"),
                                key=field_key(form, "contact_targets"))
        field_error(form, "contact_targets")
    with right:
        head_count = number_field(form, "head_count", tr("visits.field.head_count"),
                                  min_value=0, max_value=visits.MAX_HEAD_COUNT)
        at_base_unit = st.checkbox(tr("visits.field.at_base_unit"),
                                   key=field_key(form, "at_base_unit"))
    return contact_ids, targets, head_count, at_base_unit


def _workstation(form: str, choices: EntryChoices) -> int | None:
    stations = choices.workstations
    if not stations:
        return None
    key = field_key(form, "workstation_id")
    if st.session_state.get(key) not in (None, *stations):
        st.session_state[key] = None
    value = st.selectbox(tr("visits.field.workstation"), [None, *stations], key=key,
                         format_func=lambda i: tr("visits.field.none") if i is None
                         else stations[i])
    field_error(form, "workstation")
    return value


def _problems(form: str, choices: EntryChoices) -> list:
    left, right = st.columns([3, 1])
    categories = choices.categories
    with right:
        default = st.selectbox(
            tr("visits.field.default_category"), list(categories), format_func=categories.get,
            index=len(categories) - 1 if categories else None,
            key=field_key(form, "default_category"),
            help=tr("visits.field.default_category_help"),
        ) if categories else None
    with left:
        text = st.text_area(tr("visits.field.problems"), height=90,
                            placeholder=tr("visits.field.problems_hint"),
                            key=field_key(form, "problems"))
        field_error(form, "problems")
    items = visit_entry.problem_lines(text, categories, default)
    if items:
        st.caption(" · ".join(
            f"{index}. [{categories.get(item.category_id, '—')}]" for index, item in
            enumerate(items, 1)))
    return items
