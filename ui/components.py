"""Reusable widgets. Each draws itself and returns what the user chose, if anything."""

import logging
from collections.abc import Callable
from datetime import date, datetime

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core.clock import to_office_time
from core.db import ConfigurationProblem, SchemaTooNew, StoreError, StoreUnavailable
from core.i18n import t
from services.exports import MIME_TYPES, ExportWords, FileFormat, export_table
from services.periods import Period, PeriodKind
from ui import context
from ui.i18n import fmt_date, fmt_number, tr

_LOG = logging.getLogger("liaison")
_STORE_PROBLEMS = {StoreUnavailable: "store.problem.unavailable",
                   SchemaTooNew: "store.problem.schema_too_new",
                   ConfigurationProblem: "store.problem.configuration"}


def _problem_key(exc: StoreError) -> str:
    kinds = (key for kind, key in _STORE_PROBLEMS.items() if isinstance(exc, kind))
    return next(kinds, "store.problem.generic")


def store_problem(exc: StoreError) -> None:
    """What is wrong with the store in general words and what to do. Anyone may see this
    page, signed in or not, so the detail (the database host, user and cause) goes to the
    server log only; the operator also gets it from ``python manage.py check``."""
    _LOG.error("store problem: %s", t(exc.message_key, "en", **exc.params))
    st.error(tr(_problem_key(exc)),
             icon=":material/database_off:")
    st.info(tr("store.problem.what_to_do"))


def kpi_tile(label: str, value: int, help_text: str | None = None) -> None:
    with st.container(border=True):
        st.metric(label, fmt_number(value), help=help_text)


def period_card(period: Period, *, today: date) -> None:
    """A quota period: its name, its dates, the days left and how much has elapsed."""
    if period.kind is PeriodKind.QUARTER:
        name = tr("period.quarter_name", year=period.year, index=period.index)
        rule = tr("period.quarter_rule")
    else:
        name = tr(f"period.half_year_name_{period.index}", year=period.year)
        rule = tr("period.half_year_rule")
    days_left = period.days_left(today)
    elapsed = 1 - days_left / period.length_days
    with st.container(border=True):
        st.markdown(f"**{name}**")
        st.caption(
            tr("period.range", start=fmt_date(period.starts_on), end=fmt_date(period.ends_on))
        )
        st.metric(tr("period.days_left"), tr("period.days", days=days_left))
        st.caption(rule)
        elapsed = min(max(elapsed, 0.0), 1.0)
        st.progress(elapsed, text=tr("period.elapsed", percent=round(elapsed * 100)))


def progress_reporter(bar: DeltaGenerator) -> Callable[[float, str], None]:
    """Adapt a service's ``progress(fraction, message_key)`` to a progress bar."""

    def report(fraction: float, message_key: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=tr(message_key))

    return report


def export_buttons(table: pd.DataFrame, name: str, labels: dict[str, str], *,
                   entity: str) -> None:
    """Excel and CSV of what is shown, with the page's column names and 是/否 for yes/no
    (``services.exports`` keeps typed text inert). A file is built only when its button
    is clicked: Streamlit calls ``data`` then, on a thread of its own, so everything the
    file needs from this run (store, actor, words) is taken now. Building it writes the
    audit row: exports carry personal data out of the app."""
    engine, actor = context.store(), context.actor()
    words = ExportWords(yes=tr("export.yes"), no=tr("export.no"),
                        truncated=tr("export.truncated"))

    def file_of(file_format: FileFormat) -> Callable[[], bytes]:
        def build() -> bytes:
            return export_table(engine=engine, actor=actor, table=table, labels=labels,
                                words=words, what=entity, file_format=file_format)
        return build

    excel, csv, _ = st.columns([1, 1, 4])
    # "ignore": the download needs no rerun of the page.
    excel.download_button(
        tr("export.excel"), data=file_of(FileFormat.XLSX), file_name=f"{name}.xlsx",
        mime=MIME_TYPES[FileFormat.XLSX], icon=":material/table_view:", on_click="ignore",
    )
    csv.download_button(
        tr("export.csv"), data=file_of(FileFormat.CSV), file_name=f"{name}.csv",
        mime=MIME_TYPES[FileFormat.CSV], icon=":material/download:", on_click="ignore",
    )


def for_display(table: pd.DataFrame) -> pd.DataFrame:
    """A copy for people: times in the office's time zone to the minute, whole numbers
    without ".0", and blanks (not "None") where there is no value."""
    shown = table.copy()
    for column in shown.columns:
        values = shown[column]
        if pd.api.types.is_datetime64_any_dtype(values) or values.map(
            lambda v: isinstance(v, datetime)
        ).any():
            shown[column] = values.map(_local_minute)
            continue
        if pd.api.types.is_float_dtype(values) and (values.dropna() % 1 == 0).all():
            values = values.astype("Int64")
        if values.isna().any():  # all text, so the table's column has one type
            shown[column] = values.map(lambda v: "" if pd.isna(v) else str(v))
    return shown


def _local_minute(value: object) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return ""
    return to_office_time(pd.Timestamp(value).to_pydatetime()).strftime("%Y-%m-%d %H:%M")


_MARKDOWN_SPECIALS = "\\`*_{}[]()#+-.!|<>~$"


def plain(text: str | None) -> str:
    """User-entered text made inert for st.markdown (no links, images or formatting)."""
    if not text:
        return "—"
    return "".join(f"\\{c}" if c in _MARKDOWN_SPECIALS else c for c in text)
