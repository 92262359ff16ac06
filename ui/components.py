"""Reusable widgets. Each draws itself and returns what the user chose, if anything."""

import io
from collections.abc import Callable
from datetime import date, datetime

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core.clock import to_office_time
from core.db import StoreError, write_session
from services.audit import record_export
from services.periods import Period, PeriodKind
from ui import context
from ui.i18n import fmt_date, fmt_number, tr


def store_problem(exc: StoreError) -> None:
    """What is wrong with the store and what to do, in words (no traceback)."""
    st.error(tr(exc.message_key, **exc.params), icon=":material/database_off:")
    st.info(tr("store.error.hint"))


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
    """Excel and CSV of what is shown, with the page's column names and 是/否 for yes/no.
    In the Excel file text stays text (phone numbers are not turned into 1.4E+10); the
    CSV has a BOM so Excel reads its Chinese. Every download is written to the audit
    trail: exports carry personal data out of the app."""
    shown = _for_export(table, labels)
    excel, csv, _ = st.columns([1, 1, 4])
    excel.download_button(
        tr("export.excel"), data=_xlsx(shown), file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/table_view:", on_click=_audit_export,
        args=(entity, len(shown), "xlsx"),
    )
    csv.download_button(
        tr("export.csv"), data=shown.to_csv(index=False).encode("utf-8-sig"),
        file_name=f"{name}.csv", mime="text/csv", icon=":material/download:",
        on_click=_audit_export, args=(entity, len(shown), "csv"),
    )


def _for_export(table: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    shown = for_display(table[[column for column in labels if column in table.columns]])
    for column in shown.columns:
        if pd.api.types.is_bool_dtype(table[column]):
            shown[column] = table[column].map({True: tr("export.yes"), False: tr("export.no")})
    return shown.rename(columns=labels)


def _xlsx(table: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter") as writer:
        table.to_excel(writer, index=False, sheet_name="Liaison")
        writer.sheets["Liaison"].set_column(0, max(len(table.columns) - 1, 0), 18)
    return buffer.getvalue()


def _audit_export(entity: str, rows: int, file_format: str) -> None:
    with write_session(context.store()) as session:
        record_export(session=session, actor=context.actor(), what=entity, rows=rows,
                      file_format=file_format)


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
