"""``manage.py compliance --period 2026Q4|2026H2|2026 [--organisation …] [--committee …]
--format csv|xlsx [--output FILE]``: one row per member and rule, the export audited, and
one clear line and a non-zero exit on a bad argument."""

import csv
import io
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlmodel import select

from core.db import get_engine, read_session, write_session
from models import AuditAction, AuditEntry, Committee
from tests.helpers import factories

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "LIAISON_TODAY": "2026-11-21"}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, timeout=300)


@pytest.fixture
def url(store_url) -> str:
    """Two members of 教科卫体委员会 (one with a visit this quarter), one of 经济委员会."""
    with write_session(get_engine(store_url)) as session:
        org = factories.organisation(session)
        economy = Committee(organisation_id=factories.TOP, name="经济委员会")
        session.add(economy)
        session.flush()
        wang = factories.member(session, org, name="王芳")
        factories.member(session, org, name="李明")
        factories.member(session, (org[0], economy, org[2]), name="赵强")
        factories.visit(session, [wang], on=date(2026, 10, 9))
    return store_url


def test_csv_has_one_row_per_member_and_rule_in_chinese(url):
    result = manage("compliance", "--period", "2026Q4", url=url)
    assert result.returncode == 0, result.stderr.decode()
    rows = list(csv.DictReader(io.StringIO(result.stdout.decode("utf-8-sig"))))
    assert {(r["委员"], r["考核项"], r["周期"], r["应完成"], r["已完成"], r["状态"])
            for r in rows} == {
        ("王芳", "季度联系界别群众", "2026Q4", "1", "1", "已完成"),
        ("李明", "季度联系界别群众", "2026Q4", "1", "0", "进行中"),
        ("赵强", "季度联系界别群众", "2026Q4", "1", "0", "进行中"),
        ("王芳", "半年报送社情民意", "2026H2", "1", "0", "进行中"),
        ("李明", "半年报送社情民意", "2026H2", "1", "0", "进行中"),
        ("赵强", "半年报送社情民意", "2026H2", "1", "0", "进行中"),
    }
    assert {r["专委会"] for r in rows if r["委员"] == "赵强"} == {"经济委员会"}
    with read_session(get_engine(url)) as session:
        exports = session.exec(select(AuditEntry).where(
            AuditEntry.action == AuditAction.EXPORT)).all()
    assert [e.entity for e in exports] == ["Compliance"]


def test_a_committee_by_name_and_xlsx_to_a_file(url, tmp_path):
    out = tmp_path / "behind.xlsx"
    result = manage("compliance", "--period", "2026", "--committee", "经济委员会",
                    "--format", "xlsx", "--output", str(out), url=url)
    assert result.returncode == 0, result.stderr.decode()
    sheet = openpyxl.load_workbook(out).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "委员"
    assert {row[0] for row in values[1:]} == {"赵强"}
    assert len(values) - 1 == 6  # four quarters and two half-years


def test_a_whole_term_lists_its_periods_begun_so_far(url):
    """十四届 from 2023-01-01, running: 2023Q1..2026Q4 and 2023H1..2026H2 by 2026-11-21."""
    result = manage("compliance", "--period", "term14", "--committee", "经济委员会", url=url)
    assert result.returncode == 0, result.stderr.decode()
    rows = list(csv.DictReader(io.StringIO(result.stdout.decode("utf-8-sig"))))
    periods = [r["周期"] for r in rows]
    assert periods.count("2023Q1") == 1 and "2026Q4" in periods and "2027Q1" not in periods
    assert len(rows) == 16 + 8  # sixteen quarters, eight half-years


@pytest.mark.parametrize(("args", "message"), [
    (("--period", "2026Q5"), 'Period "2026Q5" not understood'),
    (("--period", "term9"), "No term 9 found."),
    (("--period", "2026", "--format", "xlsx"), "Excel needs a file: give --output."),
    (("--period", "2026", "--committee", "没有这个委员会"), 'No committee named "没有这个委员会"'),
])
def test_a_bad_argument_is_one_line_and_exit_1(url, args, message):
    result = manage("compliance", *args, url=url)
    assert result.returncode == 1
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert message in lines[0] and result.stdout == b""
