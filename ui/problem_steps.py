"""One problem on the problems screen: what it is, who raised it, its history, and the
form of the next step (only the steps the user may take, each with its own fields); and
the same step for several problems at once. Messages go beside their fields and the
typing stays; a saved step flashes its word and the screen reads the problem again."""

from collections.abc import Callable

import pandas as pd
import streamlit as st

from models import CollectedProblem, ListKind, ProblemStatus
from services import problems, proposals
from services.lists import entries, entry_names
from services.problems import BulkChangeRefused, StatusChange
from ui.bulk import refusals, save_bulk, seen_versions
from ui.components import plain
from ui.fields import choice_field, date_field, multi_choice, text_area_field, text_field
from ui.flash import flash
from ui.forms import edit_form, field_error, field_key, forget_form, save_form, stale_notice
from ui.i18n import enum_text, fmt_date, fmt_datetime, fmt_number, tr
from ui.page import PageContext

_BULK = "problem_queue.bulk"  # ui.bulk keeps the choice under it
OFFERED = 500  # problems the bulk picker offers, in the queue's order: a filter narrows it


def problem_section(page: PageContext, problem_id: int) -> None:
    detail = page.cached(problems.problem_detail, problem_id=problem_id, today=page.today)
    problem = detail.problem
    st.subheader(tr("problems.detail.title", id=problem_id), anchor=False)
    st.text(problem.content)
    _facts(detail)
    with st.expander(tr("problems.detail.history"), icon=":material/timeline:"):
        _timeline(detail.history)
    if not detail.steps:
        st.caption(tr("problems.detail.read_only"))
        return
    to = _step_choice(f"problem_{problem_id}.step", detail.steps)
    form = f"problem_{problem_id}_{to.value}"
    version = edit_form(form, problem.version, {})  # the version the user is looking at
    stale_notice(form, {})
    change = step_form(
        page, form, to, organisation_id=problem.organisation_id,
        fill=lambda template_id, department: page.read(
            problems.render_reply, problem_id=problem_id, template_id=template_id,
            department=department),
    )
    if change is not None and save_form(form, page.engine, lambda session: problems.change_status(
        session=session, actor=page.actor, problem_id=problem_id,
        expected_version=version, change=change, today=page.today,
    )):
        _saved(form, to, count=1)


def _facts(detail: problems.ProblemDetail) -> None:
    problem = detail.problem
    status = enum_text(problem.status)
    if detail.overdue_days:
        status += " · " + tr("problems.overdue_label", days=fmt_number(detail.overdue_days))
    held = fmt_date(detail.held_on) if detail.held_on else "—"
    facts = [
        ("problems.column.status", status),
        ("problems.column.members", "、".join(detail.members) or "—"),
        ("problems.detail.activity", tr("problems.detail.activity_at", date=held,
                                         station=detail.station))
        if detail.station is not None else
        ("problems.detail.visit", tr("problems.detail.visit_on", date=held,
                                      id=problem.visit_id or "—")),
        ("problems.column.committee", detail.committee),
        ("problems.column.category", detail.category or "—"),
        ("problems.column.collected_on", fmt_date(problem.collected_on)),
    ]
    facts += [(key, value) for key, value in _follow_up(problem) if value]
    for column, (key, value) in zip(st.columns(3) * ((len(facts) + 2) // 3), facts,
                                    strict=False):
        column.markdown(f"**{tr(key)}**  \n{plain(value)}")


def _follow_up(problem: CollectedProblem) -> list[tuple[str, str | None]]:
    def day(value: object) -> str | None:
        return fmt_date(value) if value else None

    return [("problems.column.department", problem.department),
            ("problems.field.referred_on", day(problem.referred_on)),
            ("problems.column.due_on", day(problem.due_on)),
            ("problems.field.handled_on", day(problem.handled_on)),
            ("problems.field.reply", problem.handling_note),
            ("problems.field.fed_back_on", day(problem.fed_back_on)),
            ("problems.field.reason", problem.close_reason)]


def _timeline(history: list[problems.HistoryRow]) -> None:
    for row in history:
        step = (enum_text(row.to_status) if row.from_status is None
                else f"{enum_text(row.from_status)} → {enum_text(row.to_status)}")
        st.markdown(f"**{fmt_datetime(row.changed_at)}** · {plain(row.actor)} · {step}")
        if row.note:
            st.text(row.note)


def _step_choice(key: str, steps: list[ProblemStatus]) -> ProblemStatus:
    return st.radio(tr("problems.action.choose"), steps, key=key, horizontal=True,
                    format_func=step_label)


def step_label(status: ProblemStatus) -> str:
    """The step's word (turning a problem into a proposal came with the proposals)."""
    if status is ProblemStatus.TO_PROPOSAL:
        return tr("proposals.problem_step.label")
    return tr(f"problems.step.{status.value}")


def step_form(page: PageContext, form: str, to: ProblemStatus, *, organisation_id: int,
              fill: Callable[[int, str], str]) -> StatusChange | None:
    """The fields of the step ``to``, with the pickers that fill them (a department from
    the list, a reply template: ``fill(template_id, department)`` gives its wording); the
    step once the form is sent."""
    if to is ProblemStatus.REFERRED:
        _department_picker(page, form, organisation_id)
    if to is ProblemStatus.HANDLED:
        _template_picker(page, form, organisation_id, fill)
    with st.form(form):
        values = ({"proposal_id": _proposal_field(page, form, organisation_id)}
                  if to is ProblemStatus.TO_PROPOSAL else {})
        values |= _STEP_FIELDS[to](page, form)
        sent = st.form_submit_button(step_label(to), type="primary")
    return StatusChange(to, **values) if sent else None


def _proposal_field(page: PageContext, form: str, organisation_id: int) -> int | None:
    """The proposal the problems became: one of the organisation's, newest first."""
    names = page.cached(proposals.proposal_choices, organisation_id=organisation_id)
    return choice_field(form, "proposal_id", tr("proposals.problem_step.proposal"),
                        list(names), format_func=names.get, index=None,
                        placeholder=tr("proposals.problem_step.proposal_hint"))


def _department_picker(page: PageContext, form: str, organisation_id: int) -> None:
    names = page.cached(entry_names, organisation_id=organisation_id, kind=ListKind.DEPARTMENT)
    _filling_picker(form, "department", tr("problems.field.department_pick"), names,
                    lambda entry_id: names[entry_id])


def _template_picker(page: PageContext, form: str, organisation_id: int,
                     fill: Callable[[int, str], str]) -> None:
    names = {entry.id: entry.name for entry in page.cached(
        entries, organisation_id=organisation_id, kind=ListKind.PROBLEM_REPLY_TEMPLATE)}
    department = st.session_state.get(field_key(form, "department"), "")
    _filling_picker(form, "reply", tr("problems.field.template"), names,
                    lambda template_id: fill(template_id, department))


def _filling_picker(form: str, field: str, label: str, names: dict[int, str],
                    text_of: Callable[[int], str]) -> None:
    """A choice outside the form that, once made, puts its text into the form's
    ``field`` (drawn after it in the same run), where the user may still edit it."""
    if not names:
        return
    chosen = st.selectbox(label, [None, *names], key=f"{form}.#{field}_pick",
                          format_func=lambda i: tr("problems.field.none") if i is None
                          else names[i])
    used = f"{form}.#{field}_used"
    if chosen is not None and st.session_state.get(used) != chosen:
        st.session_state[field_key(form, field)] = text_of(chosen)
    st.session_state[used] = chosen


def _referred(page: PageContext, form: str) -> dict[str, object]:
    department = text_field(form, "department", tr("problems.field.department"))
    left, right = st.columns(2)
    with left:
        referred_on = date_field(form, "referred_on", tr("problems.field.referred_on"),
                                 default=page.today)
    with right:
        days = page.cached(problems.overdue_days)
        due_on = date_field(form, "due_on", tr("problems.field.due_on"),
                            help=tr("problems.field.due_on_help", days=days))
    note = text_area_field(form, "note", tr("problems.field.note"), height=68)
    return {"department": department, "referred_on": referred_on, "due_on": due_on,
            "note": note}


def _handled(page: PageContext, form: str) -> dict[str, object]:
    reply = text_area_field(form, "reply", tr("problems.field.reply"))
    handled_on = date_field(form, "handled_on", tr("problems.field.handled_on"),
                            default=page.today)
    return {"reply": reply, "handled_on": handled_on}


def _fed_back(page: PageContext, form: str) -> dict[str, object]:
    fed_back_on = date_field(form, "fed_back_on", tr("problems.field.fed_back_on"),
                             default=page.today)
    note = text_area_field(form, "note", tr("problems.field.fed_back_note"), height=68)
    return {"fed_back_on": fed_back_on, "note": note}


def _noted(page: PageContext, form: str) -> dict[str, object]:
    return {"note": text_area_field(form, "note", tr("problems.field.note"), height=68)}


def _closed(page: PageContext, form: str) -> dict[str, object]:
    return {"reason": text_area_field(form, "reason", tr("problems.field.reason"))}


def _reopened(page: PageContext, form: str) -> dict[str, object]:
    return {"note": text_area_field(form, "note", tr("problems.field.reopen_note"))}


_STEP_FIELDS: dict[ProblemStatus, Callable[[PageContext, str], dict[str, object]]] = {
    ProblemStatus.REFERRED: _referred, ProblemStatus.HANDLED: _handled,
    ProblemStatus.FED_BACK: _fed_back, ProblemStatus.TO_REPORT: _noted,
    ProblemStatus.TO_TOPIC: _noted, ProblemStatus.TO_PROPOSAL: _noted,
    ProblemStatus.CLOSED: _closed,
    ProblemStatus.PENDING: _reopened,
}


def _saved(form: str, to: ProblemStatus, *, count: int) -> None:
    forget_form(form)
    flash("problems.saved", step=step_label(to), count=fmt_number(count))
    st.rerun()


# --- several problems at once -----------------------------------------------------------


def bulk_section(page: PageContext, queue: pd.DataFrame) -> None:
    """Choose problems of the queue the user may act on, then one step for them all."""
    actionable = queue[queue["can_act"]].head(OFFERED)
    if actionable.empty:
        return
    with st.expander(tr("problems.bulk.title"), icon=":material/checklist:"):
        rows = actionable.set_index("id")
        # labels made once: a format_func reading the frame per option cost 50 ms a run
        labels = {problem_id: _short(problem_id, content)
                  for problem_id, content in zip(rows.index, rows["content"], strict=True)}
        chosen = multi_choice(tr("problems.bulk.pick"), list(labels),
                                key=f"{_BULK}_ids", max_selections=200,
                                format_func=labels.__getitem__)
        field_error("problems_bulk", "problem_ids")
        steps = _common_steps(rows.loc[chosen, "status"].tolist()) if chosen else []
        if not steps:
            st.caption(tr("problems.bulk.hint"))
            return
        to = _step_choice("problem_queue.bulk_step", steps)
        _bulk_form(page, rows.loc[chosen], to)


def _short(problem_id: int, content: str) -> str:
    return f"#{problem_id} {content[:30]}{'…' if len(content) > 30 else ''}"


def _common_steps(statuses: list[str]) -> list[ProblemStatus]:
    """The steps every chosen problem's status allows (the service checks again)."""
    allowed = [set(problems.TRANSITIONS[ProblemStatus(status)]) for status in statuses]
    common = set.intersection(*allowed)
    return [step for step in problems.TRANSITIONS[ProblemStatus.PENDING] if step in common] + (
        [ProblemStatus.FED_BACK] if ProblemStatus.FED_BACK in common else [])


def _bulk_form(page: PageContext, chosen: pd.DataFrame, to: ProblemStatus) -> None:
    form = "problems_bulk"
    departments = set(chosen["department"].dropna())
    shared = departments.pop() if len(departments) == 1 else ""
    texts = {entry.id: entry.text or "" for entry in page.cached(
        entries, organisation_id=int(chosen["organisation_id"].iloc[0]),
        kind=ListKind.PROBLEM_REPLY_TEMPLATE)}
    change = step_form(page, form, to, organisation_id=int(chosen["organisation_id"].iloc[0]),
                       fill=lambda template_id, department: problems.fill_template(
                           texts[template_id], department or shared))
    versions = seen_versions(_BULK, chosen)
    if change is not None and save_bulk(form, page, _BULK, versions, lambda session: (
            problems.change_statuses(session=session, actor=page.actor, versions=versions,
                                     change=change, today=page.today)), BulkChangeRefused):
        _saved(form, to, count=len(versions))
    for problem_id, message_key in refusals(_BULK).items():
        short = _short(problem_id, chosen.at[problem_id, "content"])
        st.markdown(f"- {plain(short)}：{tr(message_key)}")
