"""A labelled table with its exports: ``labelled_table(rows, labels, file_name=..., entity=...)``
draws the columns named in ``labels`` under their labels, and the Excel and CSV buttons of
the same columns (safe and audited, ``services.exports``)."""

from collections.abc import Callable, Collection, Mapping
from datetime import datetime

import pandas as pd
import streamlit as st

from core.i18n import format_table_time
from services.exports import MIME_TYPES, ExportWords, FileFormat, export_table
from ui import context
from ui.i18n import tr


def labelled_table(rows: pd.DataFrame, labels: Mapping[str, str], *, file_name: str,
                   entity: str, screen_only: Collection[str] = ()) -> None:
    """``labels`` maps a column of ``rows`` to its label, in the order shown. The files
    hold the same columns but the ``screen_only`` ones (hints such as "you may edit"),
    with their stored values: a time stays a time, yes/no are words."""
    st.dataframe(for_display(rows[list(labels)]), hide_index=True, width="stretch",
                 column_config=dict(labels))
    exported = {column: label for column, label in labels.items() if column not in screen_only}
    export_buttons(rows, file_name, exported, entity=entity)


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
            shown[column] = values.map(_table_time)
            continue
        if pd.api.types.is_float_dtype(values) and (values.dropna() % 1 == 0).all():
            values = values.astype("Int64")
        if values.isna().any():  # all text, so the table's column has one type
            shown[column] = values.map(lambda v: "" if pd.isna(v) else str(v))
    return shown


def _table_time(value: object) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return ""
    return format_table_time(pd.Timestamp(value).to_pydatetime())
