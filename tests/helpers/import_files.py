"""Files to import and what an import did, for the tests of the imports of historical
records (visits, reports): each builds its files with its own header, and reads the
report and the store the same way."""

import csv
import io

from openpyxl import Workbook
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select

from core.db import read_session
from services.roster_import import ImportReport


def csv_file(rows: list[list], header: list[str], encoding: str = "utf-8-sig") -> bytes:
    """A CSV file as a spreadsheet saves it: the header, then the rows, CRLF line ends."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *rows])
    return buffer.getvalue().encode(encoding)


def xlsx_file(rows: list[list], header: list[str]) -> bytes:
    """A workbook as Excel saves it; text starting with "=" stays a text cell."""
    workbook = Workbook()
    for row in [header, *rows]:
        workbook.active.append(row)
    for row in workbook.active.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # typed text, as Excel keeps it
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def count(engine: Engine, model: type) -> int:
    """The rows of a table in the store."""
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def errors(report: ImportReport) -> list[tuple]:
    """The report's errors as (row, column header, message key)."""
    return [(problem.row, problem.column, problem.message_key) for problem in report.problems]
