"""The parts of the reports board beside the list: one action for several reports
(forward, close), the figures of the pipeline, and the stage deadlines (administrators)."""

import pandas as pd
import streamlit as st

from models import OpinionAction, OpinionStatus
from services import opinion
from services.opinion import BulkRefused, Deadlines
from ui.bulk import refusals, save_bulk, seen_versions
from ui.components import plain
from ui.fields import multi_choice
from ui.filter_bar import Scope
from ui.flash import flash
from ui.forms import field_error, field_key, save_form
from ui.i18n import enum_text, tr
from ui.page import PageContext
from ui.report_figures import figures_section
from ui.report_view import choose_anew, saved, step_form

BULK_ACTIONS = (OpinionAction.FORWARD, OpinionAction.CLOSE)
OFFERED = 500  # reports the bulk picker offers, in the board's order: a filter narrows it
_BULK = "report_board.bulk"  # ui.bulk keeps the choice under it


def bulk_section(page: PageContext, board: pd.DataFrame) -> None:
    """Choose reports the user may act on, then forward or close them all at once."""
    actionable = board[board["can_act"]].head(OFFERED)
    if actionable.empty:
        return
    with st.expander(tr("opinion.bulk.title"), icon=":material/checklist:"):
        rows = actionable.set_index("id")
        stages = {status: enum_text(OpinionStatus(status)) for status in OpinionStatus}
        labels = {report_id: f"{_short(report_id, title)} · {stages[status]}"
                  for report_id, title, status in zip(rows.index, rows["title"],
                                                      rows["status"], strict=True)}
        chosen = multi_choice(
            tr("opinion.bulk.pick"), list(labels), key=f"{_BULK}_ids",
            max_selections=200, placeholder=tr("opinion.bulk.pick_hint"),
            format_func=labels.__getitem__)
        if len(board) > OFFERED:
            st.caption(tr("opinion.bulk.first", count=OFFERED))
        field_error("reports_bulk", "reports")
        actions = _common_actions(rows.loc[chosen, "status"].tolist()) if chosen else []
        if not actions:
            if chosen:  # say which stages keep them from one step
                stages = "、".join(sorted({enum_text(OpinionStatus(s))
                                          for s in rows.loc[chosen, "status"]}))
                st.warning(tr("opinion.bulk.no_common", stages=stages))
            st.caption(tr("opinion.bulk.hint"))
            return
        choose_anew("report_board.bulk_action")
        action = st.radio(tr("opinion.action.choose"), actions, horizontal=True,
                          index=None, key="report_board.bulk_action",
                          format_func=lambda a: tr(f"opinion.step.{a.value}"))
        if action is not None:
            _bulk_form(page, rows.loc[chosen], action)


def _short(report_id: int, title: str) -> str:
    return f"#{report_id} {title[:30]}{'…' if len(title) > 30 else ''}"


def _common_actions(statuses: list[str]) -> list[OpinionAction]:
    """The bulk actions every chosen report's stage allows (the service checks again)."""
    return [action for action in BULK_ACTIONS
            if all(action in opinion.TRANSITIONS[OpinionStatus(s)] for s in statuses)]


def _bulk_form(page: PageContext, chosen: pd.DataFrame, action: OpinionAction) -> None:
    form = "reports_bulk"
    organisation_id = int(chosen["organisation_id"].iloc[0])
    confirmed = st.checkbox(tr("opinion.bulk.confirm", count=len(chosen),
                               step=tr(f"opinion.step.{action.value}")),
                            key=f"{form}.#confirm_{action.value}_{len(chosen)}")
    step = step_form(page, form, action, None, organisation_id=organisation_id)
    if step is not None and not confirmed:
        st.error(tr("opinion.bulk.confirm_first"))
        step = None
    versions = seen_versions(_BULK, chosen)
    if step is not None and save_bulk(form, page, _BULK, versions, lambda session: (
            opinion.take_steps(session=session, actor=page.actor, versions=versions,
                               step=step, today=page.today)), BulkRefused):
        saved(form, action, count=len(versions), choice_key="report_board.bulk_action")
    for report_id, message_key in refusals(_BULK).items():
        st.markdown(f"- {plain(_short(report_id, chosen.at[report_id, 'title']))}："
                    f"{tr(message_key)}")


def deadlines_tab(page: PageContext) -> None:
    """The days each stage may take (administrators of a top organisation change them)."""
    current = page.read(opinion.deadlines)
    st.caption(tr("opinion.deadlines.caption"))
    form = "report_deadlines"
    with st.form(form):
        columns = st.columns(4)
        values = {}
        for index, name in enumerate(opinion.DEADLINE_FIELDS):
            with columns[index % 4]:
                # no bounds in the widget: the service says what is allowed, beside it
                values[name] = st.number_input(
                    tr(f"opinion.deadlines.{name}"), step=1, value=getattr(current, name),
                    key=field_key(form, name))
                field_error(form, name)
        sent = st.form_submit_button(tr("opinion.deadlines.save"), type="primary")
    limits = Deadlines(**{name: int(days) for name, days in values.items()})
    if sent and save_form(form, page.engine, lambda session: opinion.set_deadlines(
            session=session, actor=page.actor, values=limits)):
        flash("opinion.deadlines.saved")
        st.rerun()


def figures_tab(page: PageContext, scope: Scope) -> None:
    """The pipeline's figures (``services.opinion_figures``) for a period."""
    figures_section(page, scope)
