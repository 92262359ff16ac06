"""Roster import: members, their sector contacts, historical visits or historical opinion
reports, from an Excel or CSV file. Each row's outcome is previewed; the import is then
made all or nothing, after a confirmation."""

import hashlib
from types import ModuleType

import pandas as pd
import streamlit as st

from core.errors import LiaisonError
from services import report_import, roster_import, visit_import
from services.exports import FileFormat, audited_file
from services.report_import import REPORTS
from services.roster_import import ENTITIES, ImportKind, ImportReport, Outcome
from services.visit_import import VISITS
from ui.components import kpi_tile, plain, progress_reporter, show_problem
from ui.flash import flash, show_flash
from ui.i18n import fmt_number, language, tr
from ui.page import open_page
from ui.table import file_buttons, labelled_table

# Session state: the preview shown, the file being confirmed, uploaders used so far.
REPORT, CONFIRM, UPLOADS = "import_report", "import_confirm", "import_uploads"

# The imports of records that are only ever added (never updated), by kind, and the
# catalog keys of the preview's two name columns for each.
ADDING = {VISITS: visit_import, REPORTS: report_import}
NAMED = {VISITS: ("visit_import.members", "visit_import.contact_targets"),
         REPORTS: ("report_import.members", "report_import.title")}

page = open_page()
st.title(tr("nav.roster_import"))
show_flash()


def importer(kind: str) -> tuple[ModuleType, dict[str, object]]:
    """The service that imports ``kind`` and the arguments naming the kind to it."""
    return (ADDING[kind], {}) if kind in ADDING else (roster_import, {"kind": kind})


def words(kind: str) -> str:
    """The catalog section of the kind's own words (counts, confirmation, outcome): an
    adding import's module name."""
    return ADDING[kind].__name__.rsplit(".", 1)[-1] if kind in ADDING else "roster_import"


def kind_label(kind: str) -> str:
    if kind in ADDING:
        return tr(f"{words(kind)}.kind")
    return tr(f"roster_import.kind_{ImportKind(kind).value}")


def template_buttons(kind: str) -> None:
    """The two templates, built when clicked (on a thread of Streamlit's own: the words'
    language is taken now), audited like every file the app hands out."""
    chosen, engine, actor = language(), page.engine, page.actor
    service, named = importer(kind)

    def template(file_format: FileFormat) -> bytes:
        content = page.read(service.import_template, file_format=file_format,
                            language=chosen, **named)
        return audited_file(engine=engine, actor=actor, what="ImportTemplate", rows=0,
                            file_format=file_format, content=content)

    name = tr(f"{words(kind)}.template_file", kind=kind_label(kind))
    file_buttons(name, template, labels={FileFormat.XLSX: tr("roster_import.template_excel"),
                                         FileFormat.CSV: tr("roster_import.template_csv")})


def preview(kind: str, name: str, content: bytes) -> ImportReport:
    """The file's preview, computed once per file (and again after a refused commit)."""
    report: ImportReport | None = st.session_state.get(REPORT)
    if report is None or (report.kind, report.sha256) != (
            kind, hashlib.sha256(content).hexdigest()):
        bar = st.progress(0.0)
        service, named = importer(kind)
        try:
            report = service.preview_import(
                engine=page.engine, actor=page.actor, content=content, file_name=name,
                today=page.today, progress=progress_reporter(bar), **named)
        except LiaisonError as exc:
            show_problem(exc)
            st.stop()
        finally:
            bar.empty()
        st.session_state[REPORT] = report
    return report


def show_counts(report: ImportReport) -> None:
    """The outcome of each kind, the notes, and whether anything stands in the way."""
    outcomes = ADDING[report.kind].OUTCOMES if report.kind in ADDING else tuple(Outcome)
    for tile, outcome in zip(st.columns(len(outcomes)), outcomes, strict=True):
        with tile:
            kpi_tile(tr(f"{words(report.kind)}.outcome.{outcome}"), report.count(outcome))
    for note in report.notes:
        st.caption(plain(tr(note.message_key, **note.params)))
    if report.problems:
        st.error(tr("roster_import.has_errors", count=fmt_number(len(report.problems))))


def show_rows(report: ImportReport) -> None:
    """The errors (row, column, reason), then every row's outcome."""
    if report.problems:
        st.subheader(tr("roster_import.errors"), anchor=False)
        errors = pd.DataFrame([{"row": problem.row, "column": problem.column,
                                "reason": tr(problem.message_key, **problem.params)}
                               for problem in report.problems])
        labelled_table(errors, {"row": tr("roster_import.row"),
                                "column": tr("roster_import.column"),
                                "reason": tr("roster_import.reason")},
                       file_name="import-errors", entity=entity(report.kind))
    st.subheader(tr("roster_import.rows"), anchor=False)
    rows = pd.DataFrame([{"row": row.row,
                          "outcome": tr(f"{words(report.kind)}.outcome.{row.outcome}"),
                          "member": row.member, "contact": row.contact,
                          "changed": "、".join(row.changed)} for row in report.rows],
                        columns=["row", "outcome", "member", "contact", "changed"])
    labels = {"row": tr("roster_import.row"), "outcome": tr("roster_import.outcome_label"),
              "member": tr("roster_import.member"), "contact": tr("roster_import.contact"),
              "changed": tr("roster_import.changed")}
    if report.kind is ImportKind.MEMBERS:
        del labels["contact"]
    if report.kind in ADDING:  # a visit or report is new or imported before, never changed
        member, contact = NAMED[report.kind]
        labels |= {"member": tr(member), "contact": tr(contact)}
        del labels["changed"]
    labelled_table(rows, labels, file_name="import-preview", entity=entity(report.kind))


def entity(kind: str) -> str:
    return ADDING[kind].ENTITY if kind in ADDING else ENTITIES[kind]


def import_button(kind: str, name: str, content: bytes, report: ImportReport) -> None:
    """"Import N rows", then a confirmation; the commit checks the preview still holds."""
    section = words(kind)
    if st.session_state.get(CONFIRM) != report.sha256:
        if st.button(tr(f"{section}.import", count=fmt_number(report.writes)),
                     type="primary", icon=":material/upload:"):
            st.session_state[CONFIRM] = report.sha256
            st.rerun()
        return
    st.warning(tr(f"{section}.confirm", new=fmt_number(report.count(Outcome.NEW)),
                  updated=fmt_number(report.count(Outcome.UPDATE))))
    yes, no, _ = st.columns([1, 1, 4])
    if no.button(tr("roster_import.cancel")):
        st.session_state.pop(CONFIRM, None)
        st.rerun()
    if not yes.button(tr("roster_import.confirm_button"), type="primary"):
        return
    st.session_state.pop(CONFIRM, None)
    bar = st.progress(0.0)
    service, named = importer(kind)
    try:
        done = service.commit_import(
            engine=page.engine, actor=page.actor, content=content, file_name=name,
            today=page.today, expected=report, progress=progress_reporter(bar), **named)
    except LiaisonError as exc:
        show_problem(exc)
        return
    finally:
        bar.empty()
    if done.committed:
        st.session_state.pop(REPORT, None)
        st.session_state[UPLOADS] = st.session_state.get(UPLOADS, 0) + 1  # a fresh uploader
        flash(f"{section}.imported", new=fmt_number(done.count(Outcome.NEW)),
              updated=fmt_number(done.count(Outcome.UPDATE)),
              unchanged=fmt_number(done.count(Outcome.UNCHANGED)))
    else:
        st.session_state[REPORT] = done
        flash(f"{section}.changed_since_preview", level="info")
    st.rerun()


kind = st.radio(tr("roster_import.kind"), [*ImportKind, *ADDING], horizontal=True,
                format_func=kind_label)
template_buttons(kind)
upload = st.file_uploader(tr("roster_import.upload"), type=["xlsx", "csv"],
                          key=f"import_file_{st.session_state.get(UPLOADS, 0)}")
if upload is None:
    st.info(tr("roster_import.empty"))
    st.stop()

content = upload.getvalue()
report = preview(kind, upload.name, content)
show_counts(report)
if not report.has_errors and report.writes:
    import_button(kind, upload.name, content, report)  # above the rows: no scrolling
elif not report.has_errors:
    st.info(tr(f"{words(kind)}.nothing_to_do"))
show_rows(report)
