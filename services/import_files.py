"""Reading a table that people upload: an Excel workbook (.xlsx) or a CSV file.

The file is checked by its content before a cell is read: its size, that an ``.xlsx`` is
really a zipped Office Open XML workbook (a text file renamed ``.xlsx`` is refused, and so
is a zip that would unpack to far more than it weighs), that a ``.csv`` is text in UTF-8
(with or without a byte-order mark) or GB18030 (what Chinese Excel writes), and the number
of rows. A file that fails raises ``UnreadableFile``: nothing of it is imported.

The first row is the header. Headers are matched to columns whatever their order, case,
spaces or full-width letters; a column may be named by its Chinese header, its English key
or an alias. Cells are read as values, never as formulas: an Excel cell holding a formula
gives the value Excel last showed (``data_only``), and a text cell that looks like a
formula is text. Cell parsers turn values into dates, years, yes/no and genders, raising
``CellError`` with a message key when a value cannot be read.
"""

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Generator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import xlsxwriter
from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel
from xlsxwriter.utility import xl_col_to_name

from models import Gender
from services.errors import ServiceError
from services.exports import FileFormat, starts_a_formula, write_excel_text
from services.text import clean_text

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # what a 5 MB workbook may unpack to
MAX_ROWS = 10_000  # data rows, the header not counted
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls
WORKBOOK_PARTS = ("[Content_Types].xml", "xl/workbook.xml")


Lines = Generator[Sequence[Any], None, None]


class UnreadableFile(ServiceError):
    """The file as a whole cannot be imported (type, size, rows, header)."""

    message_key = "roster_import.file.unreadable"


class CellError(ValueError):
    """A cell's value cannot be read: the message key says why."""

    def __init__(self, message_key: str, **params: object):
        super().__init__(message_key)
        self.message_key = message_key
        self.params = params


TEXT, NUMBER, DATE = "text", "number", "date"  # how a template's column is formatted


@dataclass(frozen=True)
class Column:
    """A column of an import: its English key, the template's Chinese header, other
    headers accepted, whether the file must have it; for the template, the example cell,
    how the column is formatted and the values its drop-down list offers."""

    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    example: object = None
    kind: str = TEXT
    choices: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        """How messages name the column whatever the reader's language: 姓名 (name)."""
        return f"{self.header} ({self.key})"


@dataclass(frozen=True)
class Row:
    number: int  # the row as the spreadsheet shows it: the header is row 1
    cells: dict[str, Any]  # column key → value (None when blank)


@dataclass(frozen=True)
class Sheet:
    """A file read and checked: which header each column had, the unknown headers
    (ignored), and the rows that are not blank."""

    file_format: FileFormat
    headers: dict[str, str]  # column key → the header as written in the file
    unknown_headers: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)

    def has(self, key: str) -> bool:
        return key in self.headers


def read_table(content: bytes, file_name: str, columns: Sequence[Column]) -> Sheet:
    """The rows of an uploaded file, checked by content, size, header and row limit."""
    if not content:
        raise UnreadableFile("roster_import.file.empty")
    if len(content) > MAX_FILE_BYTES:
        raise UnreadableFile("roster_import.file.too_large",
                             limit=f"{MAX_FILE_BYTES // (1024 * 1024)} MB")
    file_format = _declared_format(file_name)
    lines = _xlsx_lines(content) if file_format is FileFormat.XLSX else _csv_lines(content)
    with closing(lines):
        header = next(lines, None)
        if header is None or all(_blank(cell) for cell in header):
            raise UnreadableFile("roster_import.file.no_header")
        positions, headers, unknown = _match_header(header, columns)
        rows: list[Row] = []
        for number, line in enumerate(lines, start=2):
            cells = {key: _cell(line, position) for key, position in positions.items()}
            if all(_blank(value) for value in cells.values()):
                continue
            if len(rows) == MAX_ROWS:
                raise UnreadableFile("roster_import.file.too_many_rows", limit=f"{MAX_ROWS:,}")
            rows.append(Row(number, cells))
    return Sheet(file_format, headers, tuple(unknown), rows)


def _declared_format(file_name: str) -> FileFormat:
    suffix = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if suffix == "xls":
        raise UnreadableFile("roster_import.file.old_excel")
    try:
        return FileFormat(suffix)
    except ValueError:
        raise UnreadableFile("roster_import.file.type") from None


def _cell(line: Sequence[Any], position: int) -> Any:
    value = line[position] if position < len(line) else None
    return None if _blank(value) else value


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not clean_text(value))


# --- the two formats -------------------------------------------------------------------


def _xlsx_lines(content: bytes) -> Lines:
    """The first worksheet's rows of values, once the file is known to be a workbook."""
    if content.startswith(OLE_MAGIC):
        raise UnreadableFile("roster_import.file.old_excel")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise UnreadableFile("roster_import.file.not_xlsx") from None
    if not names.issuperset(WORKBOOK_PARTS):
        raise UnreadableFile("roster_import.file.not_xlsx")
    if unpacked > MAX_UNPACKED_BYTES:
        raise UnreadableFile("roster_import.file.too_large",
                             limit=f"{MAX_FILE_BYTES // (1024 * 1024)} MB")
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # whatever openpyxl trips on, it is no workbook we can read
        raise UnreadableFile("roster_import.file.not_xlsx") from None
    return _worksheet_lines(workbook)


def _worksheet_lines(workbook: Any) -> Lines:
    """The first worksheet's rows; a part of the file that openpyxl cannot parse (read
    as the rows are walked) makes it no workbook either."""
    try:
        if workbook.worksheets:
            yield from workbook.worksheets[0].iter_rows(values_only=True)
    except Exception:  # the same as at opening
        raise UnreadableFile("roster_import.file.not_xlsx") from None
    finally:
        workbook.close()


def _csv_lines(content: bytes) -> Lines:
    if content.startswith((b"PK", OLE_MAGIC)) or b"\0" in content:
        raise UnreadableFile("roster_import.file.not_csv")
    text = _decoded(content)
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _checked_csv(reader)


def _checked_csv(reader: Any) -> Lines:
    """The records; a cell longer than the csv module's limit (131,072 characters) or a
    stray quote the module cannot place makes the file unreadable."""
    try:
        yield from reader
    except csv.Error:
        raise UnreadableFile("roster_import.file.bad_csv", line=reader.line_num) from None


def _decoded(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("roster_import.file.encoding")


# --- the header ------------------------------------------------------------------------


def header_key(text: object) -> str:
    """A header as compared: NFKC (full-width letters), case-folded, without spaces,
    underscores, hyphens or a trailing required-mark ``*``."""
    folded = unicodedata.normalize("NFKC", clean_text(str(text or ""))).casefold()
    return re.sub(r"[\s_\-*]", "", folded)


def _match_header(header: Sequence[Any], columns: Sequence[Column]
                  ) -> tuple[dict[str, int], dict[str, str], list[str]]:
    names = {header_key(name): column.key for column in columns
             for name in (column.key, column.header, *column.aliases)}
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    unknown: list[str] = []
    for position, cell in enumerate(header):
        if _blank(cell):
            continue
        written = clean_text(str(cell))
        key = names.get(header_key(written))
        if key is None:
            unknown.append(written)
        elif key in positions:
            raise UnreadableFile("roster_import.file.duplicate_column",
                                 columns=f"{headers[key]}, {written}")
        else:
            positions[key], headers[key] = position, written
    missing = [column.title for column in columns
               if column.required and column.key not in positions]
    if missing:
        raise UnreadableFile("roster_import.file.missing_columns", columns=", ".join(missing))
    return positions, headers, unknown


# --- cells -----------------------------------------------------------------------------


def text(value: Any) -> str:
    """A cell as text: numbers without ".0", dates as YYYY-MM-DD. A ``'`` before a
    formula sign is Excel's mark for "this is text" (our exports write it) and is
    dropped; the text itself is kept, never evaluated."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    written = str(value)
    if written.startswith("'") and starts_a_formula(written[1:]):
        return written[1:]
    return written


_YEAR_PATTERN = re.compile(r"(\d{4})\s*(?:年|[-/.年]\s*\d{1,2}\s*月?)?")
_DATE_PATTERN = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                           r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")


def year(value: Any) -> int | None:
    """A year: 1975, 1975.0, "1975", "1975年", a month (1975-05, 1975年5月) or a date."""
    if value is None:
        return None
    if isinstance(value, date):
        return value.year
    written = unicodedata.normalize("NFKC", text(value)).strip()
    found = _YEAR_PATTERN.fullmatch(written) or _DATE_PATTERN.fullmatch(written)
    if found is None:
        raise CellError("roster_import.error.year")
    return int(found.group(1))


def day(value: Any) -> date | None:
    """A date: an Excel date, an Excel day number, or text as 2026-03-01, 2026/3/1,
    2026.3.1 or 2026年3月1日 (a time after the date is ignored)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return from_excel(value).date()
        except (ValueError, OverflowError, AttributeError):
            raise CellError("roster_import.error.date") from None
    found = _DATE_PATTERN.fullmatch(unicodedata.normalize("NFKC", text(value)).strip())
    if found is None:
        raise CellError("roster_import.error.date")
    try:
        return date(*(int(part) for part in found.groups()))
    except ValueError:
        raise CellError("roster_import.error.date") from None


_YES = {"是", "y", "yes", "true", "1", "√", "✓"}
_NO = {"否", "n", "no", "false", "0", "×"}


def flag(value: Any) -> bool | None:
    """Yes or no: 是/否, Y/N, yes/no, true/false, 1/0 (and Excel's TRUE/FALSE)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    word = unicodedata.normalize("NFKC", text(value)).strip().casefold()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise CellError("roster_import.error.yes_no")


_GENDERS = {"男": Gender.MALE, "male": Gender.MALE, "m": Gender.MALE,
            "女": Gender.FEMALE, "female": Gender.FEMALE, "f": Gender.FEMALE}


def gender(value: Any) -> Gender | None:
    if value is None:
        return None
    found = _GENDERS.get(unicodedata.normalize("NFKC", text(value)).strip().casefold())
    if found is None:
        raise CellError("roster_import.error.gender")
    return found


_CHINESE_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
                   "六": 6, "七": 7, "八": 8, "九": 9}


def ordinal(value: Any) -> int | None:
    """A term's number as people write it: 14, "14", "十四届", "第十四届", "第14届";
    None when it is no number."""
    written = unicodedata.normalize("NFKC", text(value)).strip()
    written = written.removeprefix("第").removesuffix("届").strip()
    if written.isdigit():
        return int(written)
    tens, ten, ones = written.partition("十")
    if not ten:
        return _CHINESE_DIGITS.get(written) if len(written) == 1 else None
    if len(tens) > 1 or len(ones) > 1:
        return None
    tens_value = _CHINESE_DIGITS.get(tens) if tens else 1
    ones_value = _CHINESE_DIGITS.get(ones) if ones else 0
    if tens_value is None or ones_value is None:
        return None
    return tens_value * 10 + ones_value


# --- templates -------------------------------------------------------------------------


def template_workbook(columns: Sequence[Column], example: Sequence[object], *,
                      choices: dict[str, list[str]], help_rows: list[list[str]],
                      notes: list[str], sheet_names: tuple[str, str],
                      help_header: list[str]) -> bytes:
    """An Excel template: the headers (required ones shaded), the example row in grey,
    text columns formatted as text (a phone number stays a number as typed), drop-down
    lists, and a second sheet explaining each column. Every text is written as text."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {
        "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False,
    })
    rows, help_sheet = (workbook.add_worksheet(name) for name in sheet_names)
    lists = workbook.add_worksheet("lists")
    lists.hide()
    formats = {
        "header": workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1}),
        "required": workbook.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1}),
        "example": workbook.add_format({"italic": True, "font_color": "#808080"}),
        "example_date": workbook.add_format({"italic": True, "font_color": "#808080",
                                             "num_format": "yyyy-mm-dd"}),
        TEXT: workbook.add_format({"num_format": "@"}),
        NUMBER: None,
        DATE: workbook.add_format({"num_format": "yyyy-mm-dd"}),
    }
    quoted = workbook.add_format({"quote_prefix": True})

    def text(sheet: Any, row: int, column: int, value: str, cell_format: Any = None) -> None:
        write_excel_text(sheet, row, column, value, cell_format=cell_format, quoted=quoted)

    for index, column in enumerate(columns):
        text(rows, 0, index, column.header,
             formats["required" if column.required else "header"])
        rows.set_column(index, index, 16, formats[column.kind])
        value = example[index]
        if isinstance(value, date):
            rows.write_datetime(1, index, datetime.combine(value, time()),
                                formats["example_date"])
        elif isinstance(value, int):
            rows.write_number(1, index, value, formats["example"])
        elif value:
            text(rows, 1, index, str(value), formats["example"])
        offered = list(column.choices) or choices.get(column.key, [])
        for row, name in enumerate(offered):  # names from the store: inert as well
            text(lists, row, index, name)
        if offered:
            letter = xl_col_to_name(index)
            source = f"=lists!${letter}$1:${letter}${len(offered)}"
            rows.data_validation(1, index, MAX_ROWS + 1, index, {
                "validate": "list", "source": source, "error_type": "warning"})
    rows.freeze_panes(1, 0)
    for index, cell in enumerate(help_header):
        text(help_sheet, 0, index, cell, formats["header"])
    for row, line in enumerate(help_rows, start=1):
        for index, cell in enumerate(line):
            text(help_sheet, row, index, cell)
    for row, note in enumerate(notes, start=len(help_rows) + 2):
        text(help_sheet, row, 0, note)
    help_sheet.set_column(0, 1, 16)
    help_sheet.set_column(2, 2, 8)
    help_sheet.set_column(3, 3, 80)
    workbook.close()
    return buffer.getvalue()
