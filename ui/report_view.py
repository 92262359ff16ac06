"""One opinion report: what it says, who signed it, where it stands (overdue marked),
its adoptions, departments and their replies, leaders' instructions, the timeline with
what is new to the reader marked, its Word document, and the form of the next action
(only those the reader may take, each with its own fields). Shared by the staff's board
and the member's own reports."""

import html
from collections.abc import Callable
from datetime import datetime

import streamlit as st

from core.db import read_session, write_session
from models import (
    AdoptionLevel,
    InstructionLevel,
    ListKind,
    OpinionAction,
    OpinionStatus,
    Role,
)
from services import opinion, opinion_board, report_files
from services.exports import FileFormat, audited_file
from services.lists import entry_names
from services.opinion import Step
from services.opinion_board import ReportDetail
from ui.components import plain
from ui.entry_form import empty_when_next_drawn, ready_for_the_next
from ui.fields import choice_field, choices_field, date_field, text_area_field, text_field
from ui.flash import flash
from ui.forms import edit_form, field_key, forget_form, save_form, stale_notice
from ui.i18n import enum_text, fmt_date, fmt_datetime, fmt_number, language, tr
from ui.page import PageContext
from ui.table import file_buttons

A = OpinionAction
BODY_HEIGHT = 240
LONG_BODY = 400  # characters: a longer body scrolls in its box


def status_text(status: OpinionStatus, overdue_days: int) -> str:
    text = enum_text(status)
    if overdue_days:
        text += " · " + tr("opinion.overdue_label", days=fmt_number(overdue_days))
    return text


def report_section(page: PageContext, report_id: int) -> None:
    """The report and its next action. Read afresh on every run (the marks of what is
    new depend on the reader's last look, which this view then records)."""
    detail = page.read(opinion_board.report_detail, report_id=report_id, today=page.today)
    report = detail.report
    # As HTML with the title escaped: a heading is Markdown, which would link a typed URL.
    st.html(f"<h3 style='margin:0'>#{report.id} {html.escape(report.title)}</h3>")
    _facts(detail)
    with st.container(border=True, height=BODY_HEIGHT if len(report.body) > LONG_BODY else
                      "content"):
        st.text(report.body)
    _word_button(page, report_id)
    _outcomes(detail)
    _timeline(detail)
    if detail.new_count:
        page_mark_seen(page, report_id, max(row.changed_at for row in detail.timeline))
    if not detail.actions:
        st.caption(tr("opinion.detail.read_only_member" if page.actor.role is Role.MEMBER
                      else "opinion.detail.read_only"))
        return
    # Nothing chosen at first: every step is a decision, none is one click away.
    choose_anew(f"report_{report_id}.action")
    action = st.radio(tr("opinion.action.choose"), detail.actions, horizontal=True,
                      index=None, key=f"report_{report_id}.action",
                      format_func=lambda a: tr(f"opinion.step.{a.value}"))
    if action is None:
        return
    form = f"report_{report_id}_{action.value}"
    version = edit_form(form, report.version, {})  # the version the reader is looking at
    stale_notice(form, {})
    step = step_form(page, form, action, detail)
    if step is not None and save_form(form, page.engine, lambda session: opinion.take_step(
            session=session, actor=page.actor, report_id=report_id, expected_version=version,
            step=step, today=page.today)):
        saved(form, action, count=1, choice_key=f"report_{report_id}.action")


def page_mark_seen(page: PageContext, report_id: int, seen_up_to: datetime) -> None:
    """The reader has seen the timeline up to its latest event: not a change of the data,
    so the data version (and every cached answer) stays."""
    with write_session(page.engine, bump_data_version=False) as session:
        opinion_board.mark_seen(session=session, actor=page.actor, report_id=report_id,
                                seen_up_to=seen_up_to)


def _facts(detail: ReportDetail) -> None:
    report = detail.report
    members = "、".join(
        member.name + (tr("opinion.detail.lead_mark") if member.is_lead else "")
        for member in detail.members)
    facts = [
        (tr("opinion.column.status"), status_text(report.status, detail.overdue_days)),
        (tr("opinion.column.members"), members or "—"),
        (tr("opinion.column.committee"), detail.committee),
        (tr("opinion.column.category"), detail.category or "—"),
        (tr("opinion.column.submitted_on"), fmt_date(report.submitted_on)),
        (tr("opinion.column.due_on"), fmt_date(report.due_on) if report.due_on else "—"),
    ]
    if report.is_urgent:
        facts.append((tr("opinion.field.urgent"), tr("export.yes")))
    if detail.source_visit_on:
        facts.append((tr("opinion.detail.source_visit"),
                      tr("opinion.detail.visit_on", date=fmt_date(detail.source_visit_on),
                         id=report.source_visit_id)))
    if detail.source_problems:
        facts.append((tr("opinion.detail.source_problems"),
                      "；".join(f"#{i} {text[:30]}" for i, text in detail.source_problems)))
    for column, (label, value) in zip(st.columns(3) * ((len(facts) + 2) // 3), facts,
                                      strict=False):
        column.markdown(f"**{plain(label)}**  \n{plain(value)}")
    if report.not_adopted_reason:
        st.markdown(f"**{tr('opinion.detail.not_adopted_reason')}**")
        st.text(report.not_adopted_reason)
    if report.feedback_summary:
        when = f"（{fmt_date(report.feedback_on)}）" if report.feedback_on else ""
        st.markdown(f"**{tr('opinion.detail.feedback')}**{when}")
        st.text(report.feedback_summary)


def _word_button(page: PageContext, report_id: int) -> None:
    engine, actor, words = page.engine, page.actor, language()

    def build(file_format: FileFormat) -> bytes:
        with read_session(engine) as session:
            content = report_files.report_document(session=session, actor=actor,
                                                   report_id=report_id, language=words)
        return audited_file(engine=engine, actor=actor, what="OpinionReport", rows=1,
                            file_format=file_format, content=content)

    file_buttons(f"report_{report_id}", build, formats=(FileFormat.DOCX,),
                 labels={FileFormat.DOCX: tr("opinion.detail.word")})


def _outcomes(detail: ReportDetail) -> None:
    """Adoptions, departments with their replies, and instructions, when there are any."""
    if detail.adoptions:
        st.markdown(f"**{tr('opinion.detail.adoptions')}**")
        for adoption in detail.adoptions:
            st.markdown(f"- {enum_text(adoption.level)} · {fmt_date(adoption.adopted_on)}"
                        + (f" · {plain(adoption.publication)}" if adoption.publication else ""))
    if detail.forwardings:
        st.markdown(f"**{tr('opinion.detail.forwardings')}**")
        for row in detail.forwardings:
            head = tr("opinion.detail.forwarded_line", department=plain(row.department),
                      on=fmt_date(row.forwarded_on), due=fmt_date(row.due_on))
            if row.replied_on:
                head += " · " + tr("opinion.detail.replied_on", on=fmt_date(row.replied_on))
            elif row.overdue_days:
                head += " · :red[" + tr("opinion.overdue_label",
                                        days=fmt_number(row.overdue_days)) + "]"
            else:
                head += " · " + tr("opinion.detail.awaiting_reply")
            st.markdown(f"- {head}")
            if row.reply:
                st.text(row.reply)
    if detail.instructions:
        st.markdown(f"**{tr('opinion.detail.instructions')}**")
        for instruction in detail.instructions:
            st.markdown(f"- {enum_text(instruction.level)} · {plain(instruction.leader)} · "
                        f"{fmt_date(instruction.instructed_on)}")
            if instruction.content:
                st.text(instruction.content)


def _timeline(detail: ReportDetail) -> None:
    title = tr("opinion.detail.timeline")
    if detail.new_count:
        title += " · " + tr("opinion.detail.new_count", count=detail.new_count)
    with st.expander(title, icon=":material/timeline:", expanded=bool(detail.new_count)):
        for row in detail.timeline:
            stage = ("" if row.from_status is None or row.from_status is row.to_status
                     else f" · {enum_text(row.from_status)} → {enum_text(row.to_status)}")
            new = f" :red-badge[{tr('opinion.detail.new')}]" if row.is_new else ""
            st.markdown(f"**{fmt_date(row.changed_on)}** · {enum_text(row.action)}{stage}"
                        f" · {plain(row.actor)} · {fmt_datetime(row.changed_at)}{new}")
            if row.note:
                st.text(row.note)


# --- the forms of the actions ---------------------------------------------------------


def step_form(page: PageContext, form: str, action: OpinionAction,
              detail: ReportDetail | None, *, organisation_id: int | None = None) -> Step | None:
    """The fields of ``action`` (for one report, ``detail``; for several, None), with the
    pickers that fill them; the step once the form is sent."""
    organisation_id = organisation_id or detail.report.organisation_id
    ready_for_the_next(form, ())
    if action in (A.GIVE_FEEDBACK, A.CLOSE, A.RETURN, A.REJECT) and detail is not None:
        _template_picker(page, form, organisation_id, detail.report.id)
    with st.form(form):
        values = _FIELDS[action](page, form, detail, organisation_id)
        sent = st.form_submit_button(tr(f"opinion.step.{action.value}"), type="primary")
    return Step(action, **values) if sent else None


def _template_picker(page: PageContext, form: str, organisation_id: int,
                     report_id: int) -> None:
    """A feedback template outside the form that, once chosen, fills the note (still
    editable)."""
    names = page.cached(entry_names, organisation_id=organisation_id,
                        kind=ListKind.OPINION_REPLY_TEMPLATE)
    if not names:
        return
    chosen = st.selectbox(tr("opinion.field.template"), [None, *names],
                          key=f"{form}.#template",
                          format_func=lambda i: tr("opinion.field.none") if i is None
                          else names[i])
    used = f"{form}.#template_used"
    if chosen is not None and st.session_state.get(used) != chosen:
        st.session_state[field_key(form, "note")] = page.read(
            opinion.render_template, report_id=report_id, template_id=chosen)
    st.session_state[used] = chosen


def _day(page: PageContext, form: str, label_key: str = "opinion.field.on") -> object:
    return date_field(form, "on", tr(label_key), default=page.today, max_value=page.today)


def _note(form: str, label_key: str) -> str:
    return text_area_field(form, "note", tr(label_key), height=90)


def _noted(label_key: str) -> Callable[..., dict[str, object]]:
    def fields(page: PageContext, form: str, detail: ReportDetail | None,
               organisation_id: int) -> dict[str, object]:
        return {"on": _day(page, form), "note": _note(form, label_key)}
    return fields


def _resubmit(page: PageContext, form: str, detail: ReportDetail | None,
              organisation_id: int) -> dict[str, object]:
    report = detail.report
    categories = page.cached(entry_names, organisation_id=organisation_id,
                             kind=ListKind.OPINION_CATEGORY)
    title = text_field(form, "title", tr("opinion.field.title"), value=report.title)
    options = list(categories)
    category = choice_field(form, "category", tr("opinion.field.category"), options,
                            format_func=categories.get,
                            index=options.index(report.category_id)
                            if report.category_id in options else None) if options else None
    body = text_area_field(form, "body", tr("opinion.field.body"), value=report.body,
                           height=BODY_HEIGHT)
    return {"title": title, "body": body, "category_id": category, "on": _day(page, form),
            "note": _note(form, "opinion.field.revision_note")}


def _adopt(page: PageContext, form: str, detail: ReportDetail | None,
           organisation_id: int) -> dict[str, object]:
    taken = {adoption.level for adoption in detail.adoptions} if detail else set()
    levels = [level for level in AdoptionLevel if level not in taken]
    left, right = st.columns(2)
    with left:
        level = choice_field(form, "level", tr("opinion.field.level"), levels,
                             format_func=enum_text)
    with right:
        on = _day(page, form, "opinion.field.adopted_on")
    publication = text_field(form, "publication", tr("opinion.field.publication"),
                             placeholder=tr("opinion.field.publication_hint"))
    return {"level": level, "on": on, "publication": publication}


def _forward(page: PageContext, form: str, detail: ReportDetail | None,
             organisation_id: int) -> dict[str, object]:
    names = page.cached(entry_names, organisation_id=organisation_id, kind=ListKind.DEPARTMENT)
    already = {row.department for row in detail.forwardings} if detail else set()
    departments = choices_field(form, "departments", tr("opinion.field.departments"),
                                [name for name in names.values() if name not in already],
                                accept_new_options=True,
                                placeholder=tr("opinion.field.departments_hint"))
    left, right = st.columns(2)
    with left:
        on = _day(page, form, "opinion.field.forwarded_on")
    with right:
        limits = page.cached(opinion.deadlines)
        due_on = date_field(form, "due_on", tr("opinion.field.due_on"),
                            help=tr("opinion.field.due_on_help", days=limits.reply,
                                    urgent=limits.reply_urgent))
    return {"departments": tuple(departments), "on": on, "due_on": due_on,
            "note": _note(form, "opinion.field.note")}


def _reply(page: PageContext, form: str, detail: ReportDetail | None,
           organisation_id: int) -> dict[str, object]:
    silent = {row.id: row.department for row in detail.forwardings if row.replied_on is None}
    forwarding = choice_field(form, "forwarding", tr("opinion.field.forwarding"), list(silent),
                              format_func=silent.get)
    reply = text_area_field(form, "reply", tr("opinion.field.reply"), height=120)
    return {"forwarding_id": forwarding, "reply": reply,
            "on": _day(page, form, "opinion.field.replied_on")}


def _instruct(page: PageContext, form: str, detail: ReportDetail | None,
              organisation_id: int) -> dict[str, object]:
    left, middle, right = st.columns(3)
    with left:
        leader = text_field(form, "leader", tr("opinion.field.leader"))
    with middle:
        level = choice_field(form, "instruction_level", tr("opinion.field.instruction_level"),
                             list(InstructionLevel), format_func=enum_text)
    with right:
        on = _day(page, form, "opinion.field.instructed_on")
    return {"leader": leader, "instruction_level": level, "on": on,
            "note": _note(form, "opinion.field.instruction")}


_FIELDS: dict[OpinionAction, Callable[..., dict[str, object]]] = {
    A.START_REVIEW: _noted("opinion.field.note"),
    A.RETURN: _noted("opinion.field.return_note"),
    A.RESUBMIT: _resubmit,
    A.ADOPT: _adopt,
    A.REJECT: _noted("opinion.field.reason"),
    A.FORWARD: _forward,
    A.REPLY: _reply,
    A.INSTRUCT: _instruct,
    A.GIVE_FEEDBACK: _noted("opinion.field.feedback"),
    A.CLOSE: _noted("opinion.field.note"),
}


def choose_anew(choice_key: str) -> None:
    """After a save, the step's choice starts empty again: set before the widget is
    drawn (forgetting it would leave the browser showing the old choice)."""
    if st.session_state.pop(f"{choice_key}#reset", False):
        st.session_state[choice_key] = None


def saved(form: str, action: OpinionAction, *, count: int, choice_key: str) -> None:
    """After a save: the form empties, the next step is chosen anew, the result shows."""
    forget_form(form)
    empty_when_next_drawn(form)
    st.session_state[f"{choice_key}#reset"] = True  # emptied before it is next drawn
    step = tr(f"opinion.step.{action.value}")
    if count == 1:
        flash("opinion.saved_one", step=step)
    else:
        flash("opinion.saved", step=step, count=fmt_number(count))
    st.rerun()
