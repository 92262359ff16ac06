"""The administrators' tab of the lists: an organisation's own categories, departments and
reply templates (add, rename, reword, reorder, deactivate and bring back) of the problems
(with their overdue days) or of the opinion reports."""

import pandas as pd
import streamlit as st

from models import ListEntry, ListKind
from services import lists, members, problems
from services.lists import TEMPLATE_KINDS
from ui.fields import number_field, text_area_field, text_field
from ui.flash import flash
from ui.forms import edit_form, field_key, forget_form, save_form
from ui.i18n import enum_text, tr
from ui.page import PageContext
from ui.table import labelled_table

PROBLEM_LISTS = (ListKind.PROBLEM_CATEGORY, ListKind.DEPARTMENT,
                 ListKind.PROBLEM_REPLY_TEMPLATE)
REPORT_LISTS = (ListKind.OPINION_CATEGORY, ListKind.DEPARTMENT,
                ListKind.OPINION_REPLY_TEMPLATE)


def lists_tab(page: PageContext, kinds: tuple[ListKind, ...] = PROBLEM_LISTS, *,
              with_overdue_days: bool = True) -> None:
    """The lists of ``kinds`` (the problems' by default, with their overdue days)."""
    if with_overdue_days:
        _overdue_days(page)
        st.divider()
    organisation_id = _organisation(page)
    kind = st.radio(tr("lists.kind"), kinds, key=f"lists.kind.{kinds[0].value}",
                    horizontal=True, format_func=enum_text)
    st.caption(tr(f"lists.hint.{kind.value}"))
    rows = page.cached(lists.own_entries, organisation_id=organisation_id, kind=kind)
    if rows:
        _table(rows, kind)
    else:
        st.info(tr("lists.empty"))
    _add_form(page, organisation_id, kind)
    if rows:
        _edit(page, organisation_id, kind, rows)


def _overdue_days(page: PageContext) -> None:
    current = page.cached(problems.overdue_days)
    if not page.read(problems.may_set_overdue_days):
        st.caption(tr("lists.overdue_fixed", days=current))
        return
    form = "problems_overdue"
    edit_form(form, current, {"overdue_days": current})
    with st.form(form):
        number_field(form, "overdue_days", tr("problems.overdue_days"),
                     help=tr("lists.overdue_days_help"))
        sent = st.form_submit_button(tr("lists.save"))
    if sent and save_form(form, page.engine, lambda session: problems.set_overdue_days(
        session=session, actor=page.actor,
        days=st.session_state[field_key(form, "overdue_days")],
    )):
        _saved(form)


def _organisation(page: PageContext) -> int:
    """Whose lists: the user's own organisation, or one below it."""
    names = page.cached(members.lookups).organisations
    own = page.actor.organisation_id or next(iter(names))
    if len(names) <= 1:
        return own
    return st.selectbox(tr("lists.organisation"), list(names), index=list(names).index(own),
                        key="lists.organisation", format_func=names.get)


def _table(rows: list[ListEntry], kind: ListKind) -> None:
    table = pd.DataFrame([{"id": row.id, "name": row.name, "text": row.text,
                           "state": tr("lists.active") if row.is_active else tr("lists.inactive")}
                          for row in rows])
    labels = {"name": tr("lists.name")}
    labels |= {"text": tr("lists.text")} if kind in TEMPLATE_KINDS else {}
    labels |= {"state": tr("lists.state")}
    labelled_table(table, labels, file_name=f"list_{kind.value}", entity="ListEntry")


def _fields(form: str, kind: ListKind) -> tuple[str, str]:
    name = text_field(form, "name", tr("lists.name"))
    text = text_area_field(form, "text", tr("lists.text"),
                           help=tr(f"lists.text_help_{kind.value}")) if (
        kind in TEMPLATE_KINDS) else ""
    return name, text


def _add_form(page: PageContext, organisation_id: int, kind: ListKind) -> None:
    form = f"list_add_{organisation_id}_{kind.value}"
    with st.form(form):
        st.markdown(f"**{tr('lists.add')}**")
        name, text = _fields(form, kind)
        sent = st.form_submit_button(tr("lists.add"))
    if sent and save_form(form, page.engine, lambda session: lists.add_entry(
        session=session, actor=page.actor, organisation_id=organisation_id, kind=kind,
        name=name, text=text,
    )):
        _saved(form)


def _edit(page: PageContext, organisation_id: int, kind: ListKind,
          rows: list[ListEntry]) -> None:
    """The entry picked: its edit form, its moves up and down, and (de)activating it."""
    st.divider()
    entries = {row.id: row for row in rows}
    entry_id = st.selectbox(tr("lists.pick"), list(entries), key=f"lists.pick.{kind.value}",
                            format_func=lambda i: entries[i].name)
    entry = entries[entry_id]
    form = f"list_edit_{entry_id}"
    edit_form(form, 0, {"name": entry.name, "text": entry.text or ""})
    with st.form(form):
        name, text = _fields(form, kind)
        sent = st.form_submit_button(tr("lists.save"), type="primary")
    if sent and save_form(form, page.engine, lambda session: lists.update_entry(
        session=session, actor=page.actor, entry_id=entry_id, name=name, text=text,
    )):
        _saved(form)
    _moves(page, organisation_id, kind, list(entries), entry_id)
    label = tr("lists.deactivate") if entry.is_active else tr("lists.reactivate")
    key = f"list_active_{entry_id}"
    if st.button(label, key=key) and save_form(key, page.engine, lambda session: (
            lists.set_entry_active(session=session, actor=page.actor, entry_id=entry_id,
                                   active=not entry.is_active))):
        _saved(key)


def _moves(page: PageContext, organisation_id: int, kind: ListKind, order: list[int],
           entry_id: int) -> None:
    place = order.index(entry_id)
    up, down, _ = st.columns([1, 1, 4])
    step = -1 if up.button(tr("lists.move_up"), key=f"list_up_{entry_id}",
                           disabled=place == 0, icon=":material/arrow_upward:") else 0
    step += 1 if down.button(tr("lists.move_down"), key=f"list_down_{entry_id}",
                             disabled=place == len(order) - 1,
                             icon=":material/arrow_downward:") else 0
    if not step:
        return
    order[place], order[place + step] = order[place + step], order[place]
    key = f"list_move_{entry_id}"
    if save_form(key, page.engine, lambda session: lists.reorder_entries(
        session=session, actor=page.actor, organisation_id=organisation_id, kind=kind,
        entry_ids=order,
    )):
        _saved(key)


def _saved(form: str) -> None:
    forget_form(form)
    flash("lists.saved")
    st.rerun()
