"""The report submission form's fields (社情民意报送). Not an ``st.form``: the members
chosen decide which visits and problems a report may come from, so a choice must reach
the server before the save. Each widget's key is ``field_key(form, field)``, ``field``
named like the service's error fields, so ``ValidationFailed`` shows under it."""

import streamlit as st

from services import opinion_entry
from services.opinion import ReportDraft
from ui.fields import choice_field, choices_field, date_field, text_area_field, text_field
from ui.forms import field_key
from ui.i18n import tr
from ui.page import PageContext

BODY_HEIGHT = 260


def _keep_known(form: str, field: str, known: dict[int, str], *, many: bool) -> None:
    """Drop chosen ids no longer offered before the widget is drawn: Streamlit refuses a
    value outside its options."""
    key = field_key(form, field)
    if key not in st.session_state:
        return
    value = st.session_state[key]
    if many:
        st.session_state[key] = [i for i in value or [] if i in known]
    elif value is not None and value not in known:
        st.session_state[key] = None


def report_fields(form: str, page: PageContext, *, organisation_id: int) -> ReportDraft:
    """Draw the form and return what it holds."""
    top = st.columns([1, 2, 2])
    with top[0]:
        submitted_on = date_field(form, "submitted_on", tr("opinion.field.submitted_on"),
                                  default=page.today, max_value=page.today)
    choices = page.cached(opinion_entry.submission_choices, organisation_id=organisation_id,
                          on=submitted_on or page.today)
    leads, others = choices.leads, choices.co_signers
    _keep_known(form, "lead", leads, many=False)
    with top[1]:
        lead = choice_field(form, "lead", tr("opinion.field.lead"), list(leads),
                            format_func=lambda i: leads.get(i, str(i)),
                            index=0 if len(leads) == 1 else None,
                            placeholder=tr("opinion.field.member_hint"))
    co_options = {i: label for i, label in others.items() if i != lead}
    _keep_known(form, "co_signers", co_options, many=True)
    with top[2]:
        co_signers = choices_field(form, "co_signers", tr("opinion.field.co_signers"),
                                   list(co_options),
                                   format_func=lambda i: co_options.get(i, str(i)),
                                   placeholder=tr("opinion.field.member_hint"))
    title = text_field(form, "title", tr("opinion.field.title"),
                       placeholder=tr("opinion.field.title_hint"))
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    categories = choices.categories
    _keep_known(form, "category", categories, many=False)
    with left:
        category = choice_field(form, "category", tr("opinion.field.category"),
                                list(categories), format_func=categories.get, index=None,
                                placeholder=tr("opinion.field.choose")) if categories else None
    with right:
        urgent = st.checkbox(tr("opinion.field.urgent"), key=field_key(form, "is_urgent"),
                             help=tr("opinion.field.urgent_help"))
    body = text_area_field(form, "body", tr("opinion.field.body"), height=BODY_HEIGHT,
                           placeholder=tr("opinion.field.body_hint"))
    signers = [i for i in (lead, *co_signers) if i is not None]
    visit_id, problem_id = _sources(form, page, signers, submitted_on)
    return ReportDraft(title=title, body=body, category_id=category, lead_member_id=lead,
                       co_signer_ids=tuple(co_signers), is_urgent=urgent,
                       submitted_on=submitted_on, source_visit_id=visit_id,
                       source_problem_id=problem_id)


def _sources(form: str, page: PageContext, signers: list[int],
             submitted_on: object) -> tuple[int | None, int | None]:
    """The visit or open problem the report grew out of, if any."""
    sources = page.cached(opinion_entry.report_sources, member_ids=sorted(signers),
                          on=submitted_on or page.today)
    left, right = st.columns(2)
    none = tr("opinion.field.none")
    _keep_known(form, "source_visit", sources.visits, many=False)
    _keep_known(form, "source_problem", sources.problems, many=False)
    with left:
        visit_id = choice_field(form, "source_visit", tr("opinion.field.source_visit"),
                                [None, *sources.visits], placeholder=none,
                                format_func=lambda i: none if i is None else sources.visits[i])
    with right:
        problem_id = choice_field(
            form, "source_problem", tr("opinion.field.source_problem"),
            [None, *sources.problems], placeholder=none,
            format_func=lambda i: none if i is None else sources.problems[i],
            help=tr("opinion.field.source_problem_help"))
    return visit_id, problem_id
