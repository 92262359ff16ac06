"""The activity form's fields (工作站活动登记): the station first (it decides the types,
the members offered and who is stationed there), then the day, the type, the members
present (those stationed at the station that day first, marked), the people served, a
summary and the problems collected, one per line as on the visit form.

The texts have no ``max_chars``: a long paste would be cut silently; the service refuses
it beside the field instead, the typing kept. Each widget's key is
``field_key(form, field)`` named like the ``ActivityInput`` field it
fills, so the service's ``ValidationFailed`` shows under it.
"""

import streamlit as st

from services import activities, visit_entry
from services.activities import ActivityInput
from ui.fields import (
    choice_field,
    choices_field,
    date_field,
    number_field,
    text_area_field,
    text_field,
)
from ui.forms import field_error, field_key
from ui.i18n import tr
from ui.page import PageContext

SUMMARY_HEIGHT = 100


def _keep_known(form: str, field: str, known: object) -> None:
    """Drop a chosen value no longer offered (another station, another day) before the
    widget is drawn: Streamlit refuses a value outside its options."""
    key = field_key(form, field)
    if key not in st.session_state:
        return
    value = st.session_state[key]
    if isinstance(value, list):
        st.session_state[key] = [v for v in value if v in known]
    elif value is not None and value not in known:
        st.session_state[key] = None


def widget_values(data: ActivityInput) -> dict[str, object]:
    """A stored activity as this form's widgets hold it, to seed an edit form
    (``ui.forms.edit_form``); its problems are followed up on their own."""
    return {"workstation_id": data.workstation_id, "activity_date": data.activity_date,
            "activity_type_id": data.activity_type_id, "members": list(data.member_ids),
            "people_served": data.people_served, "title": data.title,
            "summary": data.summary}


def activity_fields(form: str, page: PageContext, *, default_station: int | None = None,
                    default_type: int | None = None,
                    with_problems: bool = True) -> ActivityInput | None:
    """Draw the form; None when the actor has no station to record for (the page says
    what to do)."""
    top = st.columns([2, 1])
    with top[1]:
        day = date_field(form, "activity_date", tr("activities.field.date"),
                         default=page.today, max_value=page.today)
    on = day or page.today
    stations = page.cached(activities.station_choices, on=on)
    if not stations:
        return None
    _keep_known(form, "workstation_id", stations)
    options = list(stations)
    with top[0]:
        station_id = choice_field(
            form, "workstation_id", tr("activities.field.station"), options,
            format_func=lambda i: stations.get(i, str(i)),
            index=options.index(default_station) if default_station in stations else None,
            placeholder=tr("activities.field.station_hint"))
    if station_id is None:
        return ActivityInput(workstation_id=None, activity_date=day, activity_type_id=None)
    choices = page.cached(activities.activity_choices, station_id=station_id, on=on)
    types = choices.types
    _keep_known(form, "activity_type_id", types)
    stationed = set(choices.stationed)
    ordered = [*choices.stationed, *(m for m in choices.members if m not in stationed)]
    _keep_known(form, "members", choices.members)
    middle = st.columns([1, 2, 1])
    with middle[0]:
        type_ids = list(types)
        type_id = choice_field(
            form, "activity_type_id", tr("activities.field.type"), type_ids,
            format_func=lambda i: types.get(i, str(i)),
            index=type_ids.index(default_type) if default_type in types else None,
            placeholder=tr("activities.field.choose"))
    with middle[1]:
        member_ids = choices_field(
            form, "members", tr("activities.field.members"), ordered,
            format_func=lambda i: (tr("activities.field.stationed_member",
                                      label=choices.members.get(i, str(i)))
                                   if i in stationed else choices.members.get(i, str(i))),
            placeholder=tr("activities.field.members_hint"))
    with middle[2]:
        people = number_field(form, "people_served", tr("activities.field.people_served"),
                              min_value=0, max_value=activities.MAX_PEOPLE_SERVED)
    title = text_field(form, "title", tr("activities.field.title"),
                       placeholder=tr("activities.field.title_hint"))
    summary = text_area_field(form, "summary", tr("activities.field.summary"),
                              height=SUMMARY_HEIGHT,
                              placeholder=tr("activities.field.summary_hint"))
    problems = _problems(form, choices.categories) if with_problems else []
    return ActivityInput(workstation_id=station_id, activity_date=day,
                         activity_type_id=type_id, member_ids=tuple(member_ids),
                         people_served=people, title=title, summary=summary,
                         problems=tuple(problems))


def _problems(form: str, categories: dict[int, str]) -> list:
    left, right = st.columns([3, 1])
    with right:
        default = st.selectbox(
            tr("visits.field.default_category"), list(categories), format_func=categories.get,
            index=len(categories) - 1 if categories else None,
            key=field_key(form, "default_category"),
            help=tr("visits.field.default_category_help"),
        ) if categories else None
    with left:
        text = st.text_area(tr("activities.field.problems"), height=80,
                            placeholder=tr("visits.field.problems_hint"),
                            key=field_key(form, "problems"))
        field_error(form, "problems")
    return visit_entry.problem_lines(text, categories, default)
