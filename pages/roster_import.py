"""Roster import: members, or their sector contacts, from an Excel or CSV file. Each row's
outcome is previewed; the import is then made all or nothing, after a confirmation."""

import hashlib

import pandas as pd
import streamlit as st

from core.errors import LiaisonError
from services import roster_import
from services.exports import FileFormat, audited_file
from services.roster_import import ENTITIES, ImportKind, ImportReport, Outcome
from ui.components import kpi_tile, plain, progress_reporter, show_problem
from ui.flash import flash, show_flash
from ui.i18n import fmt_number, language, tr
from ui.page import open_page
from ui.table import file_buttons, labelled_table

# Session state: the preview shown, the file being confirmed, uploaders used so far.
REPORT, CONFIRM, UPLOADS = "import_report", "import_confirm", "import_uploads"

page = open_page()
st.title(tr("nav.roster_import"))
show_flash()


def template_buttons(kind: ImportKind) -> None:
    """The two templates, built when clicked (on a thread of Streamlit's own: the words'
    language is taken now), audited like every file the app hands out."""
    words, engine, actor = language(), page.engine, page.actor

    def template(file_format: FileFormat) -> bytes:
        content = page.read(roster_import.import_template, kind=kind,
                            file_format=file_format, language=words)
        return audited_file(engine=engine, actor=actor, what="ImportTemplate", rows=0,
                            file_format=file_format, content=content)

    name = tr("roster_import.template_file", kind=tr(f"roster_import.kind_{kind.value}"))
    file_buttons(name, template, labels={FileFormat.XLSX: tr("roster_import.template_excel"),
                                         FileFormat.CSV: tr("roster_import.template_csv")})


def preview(kind: ImportKind, name: str, content: bytes) -> ImportReport:
    """The file's preview, computed once per file (and again after a refused commit)."""
    report: ImportReport | None = st.session_state.get(REPORT)
    if report is None or (report.kind, report.sha256) != (
            kind, hashlib.sha256(content).hexdigest()):
        bar = st.progress(0.0)
        try:
            report = roster_import.preview_import(
                engine=page.engine, actor=page.actor, kind=kind, content=content,
                file_name=name, today=page.today, progress=progress_reporter(bar))
        except LiaisonError as exc:
            show_problem(exc)
            st.stop()
        finally:
            bar.empty()
        st.session_state[REPORT] = report
    return report


def show_counts(report: ImportReport) -> None:
    """The outcome of each kind, the notes, and whether anything stands in the way."""
    for tile, outcome in zip(st.columns(4), Outcome, strict=True):
        with tile:
            kpi_tile(tr(f"roster_import.outcome.{outcome.value}"), report.count(outcome))
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
                       file_name="import-errors", entity=ENTITIES[report.kind])
    st.subheader(tr("roster_import.rows"), anchor=False)
    rows = pd.DataFrame([{"row": row.row, "outcome": tr(f"roster_import.outcome.{row.outcome}"),
                          "member": row.member, "contact": row.contact,
                          "changed": "、".join(row.changed)} for row in report.rows],
                        columns=["row", "outcome", "member", "contact", "changed"])
    labels = {"row": tr("roster_import.row"), "outcome": tr("roster_import.outcome_label"),
              "member": tr("roster_import.member"), "contact": tr("roster_import.contact"),
              "changed": tr("roster_import.changed")}
    if report.kind is ImportKind.MEMBERS:
        del labels["contact"]
    labelled_table(rows, labels, file_name="import-preview", entity=ENTITIES[report.kind])


def import_button(kind: ImportKind, name: str, content: bytes, report: ImportReport) -> None:
    """"Import N rows", then a confirmation; the commit checks the preview still holds."""
    if st.session_state.get(CONFIRM) != report.sha256:
        if st.button(tr("roster_import.import", count=fmt_number(report.writes)),
                     type="primary", icon=":material/upload:"):
            st.session_state[CONFIRM] = report.sha256
            st.rerun()
        return
    st.warning(tr("roster_import.confirm", new=fmt_number(report.count(Outcome.NEW)),
                  updated=fmt_number(report.count(Outcome.UPDATE))))
    yes, no, _ = st.columns([1, 1, 4])
    if no.button(tr("roster_import.cancel")):
        st.session_state.pop(CONFIRM, None)
        st.rerun()
    if not yes.button(tr("roster_import.confirm_button"), type="primary"):
        return
    st.session_state.pop(CONFIRM, None)
    bar = st.progress(0.0)
    try:
        done = roster_import.commit_import(
            engine=page.engine, actor=page.actor, kind=kind, content=content, file_name=name,
            today=page.today, expected=report, progress=progress_reporter(bar))
    except LiaisonError as exc:
        show_problem(exc)
        return
    finally:
        bar.empty()
    if done.committed:
        st.session_state.pop(REPORT, None)
        st.session_state[UPLOADS] = st.session_state.get(UPLOADS, 0) + 1  # a fresh uploader
        flash("roster_import.imported", new=fmt_number(done.count(Outcome.NEW)),
              updated=fmt_number(done.count(Outcome.UPDATE)),
              unchanged=fmt_number(done.count(Outcome.UNCHANGED)))
    else:
        st.session_state[REPORT] = done
        flash("roster_import.changed_since_preview", level="info")
    st.rerun()


kind = st.radio(tr("roster_import.kind"), list(ImportKind), horizontal=True,
                format_func=lambda kind: tr(f"roster_import.kind_{kind.value}"))
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
    st.info(tr("roster_import.nothing_to_do"))
show_rows(report)
