"""One visit opened from the visit list: everything on its registration form, the
problems it collected with their category and status, who recorded it and who of the
committee acknowledged it; and what the reader may do with it: acknowledge it (staff of
the member's committee), correct it, delete it after a confirmation, or restore it from
the deleted ones. Every change goes through ``services.visits``, which checks the
permission and writes the audit row; messages after a change are flashed above the
visit.

The edit form is the entry page's (``ui.visit_form``) without the problems, run as an
``ui.forms.edit_form``: when someone else saved the visit meanwhile, the save is
refused, the form keeps the user's typing and shows what changed underneath.
"""

from collections.abc import Callable, Mapping
from datetime import datetime

import streamlit as st

from models import ProblemStatus
from services import visits
from services.errors import ServiceError, StaleRecord
from services.exports import FileFormat, audited_file
from services.visit_files import form_words, registration_form
from services.visits import VisitDetail
from ui.components import plain, show_problem
from ui.flash import flash, show_flash
from ui.forms import edit_form, field_key, forget_form, save_form, stale_notice
from ui.i18n import enum_text, fmt_date, fmt_datetime, language, tr
from ui.page import PageContext
from ui.table import file_buttons
from ui.visit_form import visit_fields, widget_values


def visit_section(page: PageContext, visit_id: int, *, deleted: bool,
                  close: Callable[[], None]) -> None:
    """The visit ``visit_id`` (from the deleted ones when ``deleted``); ``close`` is
    called when an action takes the visit out of the list shown."""
    try:
        detail = page.cached(visits.visit_detail, visit_id=visit_id, include_deleted=deleted)
    except StaleRecord:
        st.info(tr("visits.list.gone"))
        return
    except ServiceError as exc:
        show_problem(exc)
        return
    show_flash()
    categories = page.cached(visits.category_names, category_ids=sorted(
        {p.category_id for p in detail.problems if p.category_id is not None}))
    _facts(detail, categories)
    if detail.visit.deleted_at is not None:
        if detail.can_edit:
            _restore(page, detail, close)
        return
    _word_form(page, detail, categories)
    if detail.can_acknowledge:
        _acknowledge(page, detail)
    if detail.can_edit:
        _edit(page, detail)
        _delete(page, detail, close)


def _facts(detail: VisitDetail, categories: Mapping[int, str]) -> None:
    visit = detail.visit
    names = "、".join(plain(name) for _, name in detail.members)
    st.subheader(tr("visits.list.detail_title", date=fmt_date(visit.visit_date), members=names),
                 anchor=False)
    if visit.deleted_at is not None:
        st.warning(tr("visits.list.is_deleted"), icon=":material/delete:")
    people = [f"{plain(name)}（{plain(unit)}）" if unit else plain(name)
              for (_, name), unit in zip(detail.members, detail.member_units, strict=True)]
    occasion = enum_text(visit.occasion)
    if detail.campaign:
        occasion += f" · {plain(detail.campaign)}"
    facts = {
        "visits.list.members": "  \n".join(people),
        "visits.list.date": fmt_date(visit.visit_date),
        "visits.list.channel": enum_text(visit.channel),
        "visits.list.occasion": occasion,
        "visits.list.head_count": str(visit.head_count),
        "visits.list.at_base_unit": tr("visits.list.yes" if visit.at_base_unit
                                       else "visits.list.no"),
        "visits.list.workstation": plain(detail.workstation),
        "visits.list.contacts": "、".join(plain(name) for _, name in detail.contacts) or "—",
    }
    columns = st.columns(4)
    for index, (label, value) in enumerate(facts.items()):
        columns[index % 4].markdown(f"**{tr(label)}**  \n{value}")
    st.markdown(f"**{tr('visits.list.targets')}**")
    st.text(visit.contact_targets or "—")
    st.markdown(f"**{tr('visits.list.summary')}**")
    st.text(visit.summary)
    _problems(detail, categories)
    recorded = _who_when("recorded", detail.recorded_by, visit.created_at)
    acknowledged = (_who_when("acknowledged", detail.acknowledged_by, visit.acknowledged_at)
                    if visit.acknowledged_at else tr("visits.list.awaiting"))
    st.caption(f"{recorded} · {acknowledged}")


def _who_when(what: str, who: str | None, when: datetime) -> str:
    """Who did it and when, or only when for a record without its author (imported)."""
    if who is None:
        return tr(f"visits.list.{what}_on", when=fmt_datetime(when))
    return tr(f"visits.list.{what}_by", who=plain(who), when=fmt_datetime(when))


def _problems(detail: VisitDetail, categories: Mapping[int, str]) -> None:
    st.markdown(f"**{tr('visits.list.problems')}**")
    if not detail.problems:
        st.caption(tr("visits.list.no_problems"))
        return
    lines = []
    for number, problem in enumerate(detail.problems, start=1):
        category = plain(categories.get(problem.category_id)) if problem.category_id else "—"
        status = enum_text(ProblemStatus(problem.status))
        lines.append(f"{number}\\. {plain(problem.content)} · {category} · **{status}**")
    st.markdown("  \n".join(lines))


def _word_form(page: PageContext, detail: VisitDetail,
               categories: Mapping[int, str]) -> None:
    """The visit as the Word registration form (``services.visit_files``), made when the
    button is clicked, on a thread of Streamlit's own: everything it needs is taken now.
    Audited like every file the app hands out (``ui.table.file_buttons`` serves the
    spreadsheets; a .docx is not one of their formats)."""
    engine, actor, words = page.engine, page.actor, form_words(language())

    def build(file_format: FileFormat) -> bytes:
        return audited_file(engine=engine, actor=actor, what="Visit", rows=1,
                            file_format=file_format,
                            content=registration_form(detail, words, categories=categories))

    file_buttons(f"visit_{detail.visit.id}_{detail.visit.visit_date}", build,
                 formats=(FileFormat.DOCX,),
                 labels={FileFormat.DOCX: tr("visits.list.word_form")})


def _acknowledge(page: PageContext, detail: VisitDetail) -> None:
    visit = detail.visit
    form = f"visit_acknowledge_{visit.id}"
    if st.button(tr("visits.list.acknowledge"), key=form, type="primary",
                 icon=":material/done_all:", help=tr("visits.list.acknowledge_help")) \
            and save_form(form, page.engine, lambda session: visits.acknowledge_visit(
                session=session, actor=page.actor, visit_id=visit.id,
                expected_version=visit.version)):
        forget_form(_edit_form(visit.id))  # its version is the one before
        flash("visits.list.acknowledged")
        st.rerun()


def _edit_form(visit_id: int) -> str:
    return f"visit_edit_{visit_id}"


def _labels() -> dict[str, str]:
    """The edit form's fields (as ``ui.visit_form`` keys them) and their labels."""
    return {field: tr(f"visits.field.{label}") for field, label in (
        ("visit_date", "date"), ("members", "members"), ("channel", "channel"),
        ("occasion", "occasion"), ("contact_person_ids", "contacts"),
        ("contact_targets", "targets"), ("head_count", "head_count"),
        ("at_base_unit", "at_base_unit"), ("workstation_id", "workstation"),
        ("summary", "summary"))}


def _edit(page: PageContext, detail: VisitDetail) -> None:
    """The registration form's fields but the problems (new ones are recorded on the
    entry page), saved against the version shown."""
    visit_id = detail.visit.id
    form = _edit_form(visit_id)
    stored, stored_version = page.cached(visits.stored_input, visit_id=visit_id)
    version = edit_form(form, stored_version, widget_values(stored))
    with st.expander(tr("visits.list.edit"), icon=":material/edit:"):
        stale_notice(form, _labels())
        data = visit_fields(form, page, organisation_id=detail.visit.organisation_id,
                            with_problems=False)
        saved = st.button(tr("visits.list.save"), key=f"{form}_save",
                          type="primary", icon=":material/save:")
    if saved and save_form(form, page.engine, lambda session: visits.update_visit(
        session=session, actor=page.actor, visit_id=visit_id, expected_version=version,
        data=data, today=page.today,
    )):
        forget_form(form)
        flash("visits.list.saved")
        st.rerun()


def _delete(page: PageContext, detail: VisitDetail, close: Callable[[], None]) -> None:
    visit = detail.visit
    form = f"visit_delete_{visit.id}"
    with st.expander(tr("visits.list.delete"), icon=":material/delete:"):
        sure = st.checkbox(tr("visits.list.delete_confirm"), key=field_key(form, "sure"))
        if st.button(tr("visits.list.delete_now"), key=field_key(form, "go"),
                     disabled=not sure, icon=":material/delete_forever:") \
                and save_form(form, page.engine, lambda session: visits.delete_visit(
                    session=session, actor=page.actor, visit_id=visit.id,
                    expected_version=visit.version)):
            forget_form(form)
            close()
            flash("visits.list.deleted")
            st.rerun()


def _restore(page: PageContext, detail: VisitDetail, close: Callable[[], None]) -> None:
    visit = detail.visit
    form = f"visit_restore_{visit.id}"
    if st.button(tr("visits.list.restore"), key=form, type="primary",
                 icon=":material/restore_from_trash:") \
            and save_form(form, page.engine, lambda session: visits.restore_visit(
                session=session, actor=page.actor, visit_id=visit.id,
                expected_version=visit.version)):
        close()
        flash("visits.list.restored")
        st.rerun()
