"""A labelled table with its exports: ``labelled_table(rows, labels, file_name=..., entity=...)``
draws the columns named in ``labels`` under their labels, and the Excel and CSV buttons of
the same columns (safe and audited, ``services.exports``). A long table is shown
``PAGE_ROWS`` rows at a time, with a page number and a word on narrowing the filters; the
files hold every row."""

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from functools import partial

import pandas as pd
import streamlit as st

from core.i18n import format_table_time
from services.exports import MIME_TYPES, TABLE_FORMATS, ExportWords, FileFormat, export_table
from ui import context
from ui.i18n import fmt_number, tr

PAGE_ROWS = 500  # a city's directory fits on one page; a province's needs twenty


def labelled_table(rows: pd.DataFrame, labels: Mapping[str, str], *, file_name: str,
                   entity: str, screen_only: Collection[str] = (),
                   pick: bool = False, export: bool = True) -> object | None:
    """``labels`` maps a column of ``rows`` to its label, in the order shown. The files
    hold the same columns but the ``screen_only`` ones (hints such as "you may edit"),
    with their stored values: a time stays a time, yes/no are words. With ``pick`` a row
    can be chosen by clicking it: its ``id`` is returned (None when none is chosen).
    ``export=False`` leaves the files to the page (a list read page by page from the
    store exports all its rows itself)."""
    shown = _one_page(rows, key=f"table.{file_name}")
    selection = {"on_select": "rerun", "selection_mode": "single-row",
                 "key": f"table.{file_name}.pick"} if pick else {}
    event = st.dataframe(for_display(shown[list(labels)]), hide_index=True, width="stretch",
                         column_config=dict(labels), **selection)
    exported = {column: label for column, label in labels.items() if column not in screen_only}
    if export:
        export_buttons(rows, file_name, exported, entity=entity)
    chosen = event.selection.rows if pick else []
    return shown["id"].iloc[chosen[0]] if chosen and chosen[0] < len(shown) else None


def _one_page(rows: pd.DataFrame, *, key: str) -> pd.DataFrame:
    """All of ``rows`` when they fit on a page; else the page chosen in a page-number box
    drawn here, which starts again at 1 whenever the rows change (new filters)."""
    if len(rows) <= PAGE_ROWS:
        return rows
    pages = math.ceil(len(rows) / PAGE_ROWS)
    which = (len(rows), rows.index[0], rows.index[-1])
    if st.session_state.get(f"{key}.rows") != which:
        st.session_state[f"{key}.rows"] = which
        st.session_state[f"{key}.page"] = 1
    number_column, words_column = st.columns([1, 5], vertical_alignment="bottom")
    page = number_column.number_input(tr("table.page"), min_value=1, max_value=pages,
                                      step=1, key=f"{key}.page")
    first = (page - 1) * PAGE_ROWS
    shown = rows.iloc[first:first + PAGE_ROWS]
    words_column.caption(tr("table.rows_of", first=fmt_number(first + 1),
                            last=fmt_number(first + len(shown)), total=fmt_number(len(rows))))
    return shown


def export_buttons(table: pd.DataFrame | Callable[[], pd.DataFrame], name: str,
                   labels: dict[str, str], *, entity: str) -> None:
    """Excel and CSV of what is shown, with the page's column names and 是/否 for yes/no
    (``services.exports`` keeps typed text inert). A file is built only when its button
    is clicked: Streamlit calls ``data`` then, on a thread of its own, so everything the
    file needs from this run (store, actor, words) is taken now. Building it writes the
    audit row: exports carry personal data out of the app. ``table`` may be a function
    reading the rows then (a list shown cut to its first rows exports all of them)."""
    engine, actor = context.store(), context.actor()
    words = ExportWords(yes=tr("export.yes"), no=tr("export.no"),
                        truncated=tr("export.truncated"))
    file_buttons(name, lambda file_format: export_table(
        engine=engine, actor=actor, table=table() if callable(table) else table,
        labels=labels, words=words, what=entity, file_format=file_format,
    ))


def file_buttons(name: str, build: Callable[[FileFormat], bytes], *,
                 labels: Mapping[FileFormat, str] | None = None,
                 formats: Sequence[FileFormat] = TABLE_FORMATS) -> None:
    """The buttons of one file in each of ``formats`` (Excel and CSV for a table), the
    one way the app hands out files: ``build`` makes the file when its button is
    clicked, through ``services.exports`` (inert text, an audit row). It runs on a
    thread of Streamlit's own, so it must take from this run everything it needs."""
    labels = labels or {FileFormat.XLSX: tr("export.excel"), FileFormat.CSV: tr("export.csv")}
    icons = {FileFormat.XLSX: ":material/table_view:", FileFormat.CSV: ":material/download:",
             FileFormat.DOCX: ":material/description:",
             FileFormat.PDF: ":material/picture_as_pdf:", FileFormat.ZIP: ":material/image:"}
    widths = [2] * len(formats) + [max(1, 8 - 2 * len(formats))]
    for column, file_format in zip(st.columns(widths), formats, strict=False):
        # "ignore": the download needs no rerun of the page.
        column.download_button(
            labels[file_format], data=partial(build, file_format),
            file_name=f"{name}.{file_format.value}", mime=MIME_TYPES[file_format],
            icon=icons[file_format], on_click="ignore",
        )


def for_display(table: pd.DataFrame) -> pd.DataFrame:
    """A copy for people: times in the office's time zone to the minute, whole numbers
    without ".0", and blanks (not "None") where there is no value."""
    shown = table.copy()
    for column in shown.columns:
        values = shown[column]
        holds_times = pd.api.types.is_datetime64_any_dtype(values) or (
            values.dtype == object and values.map(lambda v: isinstance(v, datetime)).any()
        )  # only a column of objects can hold Python datetimes: text columns are not read
        if holds_times:
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


def last_chosen(key: str, picked: object | None, clicked: object | None) -> object | None:
    """What is open below a table that offers two ways to choose (a picker, and a click
    on a row): the last one used. Kept under ``key`` in the session."""
    state = st.session_state
    last = state.get(f"{key}.last_choice", (None, None))
    if picked != last[0]:
        state[f"{key}.open"] = picked
    elif clicked != last[1]:
        state[f"{key}.open"] = clicked
    state[f"{key}.last_choice"] = (picked, clicked)
    return state.get(f"{key}.open")
