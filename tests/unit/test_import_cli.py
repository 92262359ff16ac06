"""``manage.py import members|contacts|visits|reports FILE [--dry-run]`` and ``import
template``, run as real processes: the preview printed a line per problem, exit 1 and
nothing written on any error."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from core.db import get_engine, read_session, write_session
from models import ContactPerson, ListEntry, ListKind, Member, OpinionReport, Visit
from tests.helpers import factories

ROOT = Path(__file__).resolve().parents[2]
HEADER = "姓名,出生年份,界别,专委会,联系电话\n"


def manage(*args: str, url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "LIAISON_TODAY": "2026-11-21"}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def members(url: str) -> list[str]:
    with read_session(get_engine(url)) as session:
        return sorted(session.exec(select(Member.name)).all())


@pytest.fixture
def url(store_url) -> str:
    with write_session(get_engine(store_url)) as session:
        factories.organisation(session)
    return store_url


@pytest.fixture
def roster(tmp_path) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text(HEADER + "王芳,1975,教育界,教科卫体委员会,13800138000\n"
                    "李明,1980,教育界,教科卫体委员会,\n", encoding="utf-8-sig")
    return path


def test_a_dry_run_prints_the_preview_and_writes_nothing(url, roster):
    result = manage("import", "members", str(roster), "--dry-run", url=url)
    assert result.returncode == 0, result.stderr
    assert "new 2, update 0, unchanged 0, error 0" in result.stdout
    assert "Dry run: nothing was written." in result.stdout
    assert members(url) == []


def test_an_import_then_the_same_file_again_changes_nothing(url, roster):
    first = manage("import", "members", str(roster), url=url)
    assert first.returncode == 0, first.stderr
    assert "Imported 2 new and 0 updated rows; 0 unchanged." in first.stdout
    again = manage("import", "members", str(roster), url=url)
    assert again.returncode == 0, again.stderr
    assert "new 0, update 0, unchanged 2, error 0" in again.stdout
    assert members(url) == ["李明", "王芳"]


def test_any_error_exits_1_with_a_line_per_problem_and_imports_nothing(url, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "王芳,1975,教育界,教科卫体委员会,\n李明,1980,工程界,教科卫体委员会,"
                    "call me\n王芳,1975,教育界,教科卫体委员会,\n", encoding="utf-8")
    result = manage("import", "members", str(path), url=url)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith('row 3, 界别: The organisation has no sector "工程界".')
    assert lines[1] == "row 4, 姓名: Repeats row 2: each person appears once in a file."
    assert lines[2] == "new 1, update 0, unchanged 0, error 2"
    assert result.stderr == "error: Nothing was imported: the file has 2 problems.\n"
    assert members(url) == []


def test_a_file_that_is_not_what_it_says_is_one_line_not_a_traceback(url, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_text("name,birth_year\n", encoding="utf-8")
    result = manage("import", "members", str(path), url=url)
    assert result.returncode == 1
    assert result.stderr.startswith("error: The file is named .xlsx but is not an Excel")
    assert "Traceback" not in result.stderr
    missing = manage("import", "members", str(tmp_path / "nowhere.csv"), url=url)
    assert missing.returncode == 1
    assert missing.stderr.startswith("error: Cannot read ")


def test_contacts_import_the_same_way(url, roster, tmp_path):
    manage("import", "members", str(roster), url=url)
    path = tmp_path / "contacts.csv"
    path.write_text("委员姓名,联系人姓名,工作单位\n王芳,陈静,和平社区居委会\n李明,周敏,\n",
                    encoding="utf-8")
    result = manage("import", "contacts", str(path), url=url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "new 2, update 0, unchanged 0, error 0" in result.stdout
    with read_session(get_engine(url)) as session:
        assert session.exec(select(func.count()).select_from(ContactPerson)).one() == 2


def test_the_template_command_writes_a_template_that_imports_as_nothing(url, tmp_path):
    out = tmp_path / "members.xlsx"
    written = manage("import", "template", "members", str(out), url=url)
    assert written.returncode == 0, written.stderr
    result = manage("import", "members", str(out), "--dry-run", url=url)
    assert result.returncode == 0, result.stderr
    assert "note: row 2: Row 2 is the template's example: it was skipped." in result.stdout
    assert "new 0, update 0, unchanged 0, error 0" in result.stdout


# --- visits ----------------------------------------------------------------------------

VISIT_HEADER = "委员,走访日期,联系渠道,联系对象,人数,主要做法和基本情况,问题和建议\n"


def visit_count(url: str) -> int:
    with read_session(get_engine(url)) as session:
        return session.exec(select(func.count()).select_from(Visit)).one()


@pytest.fixture
def visits(url, roster, tmp_path) -> Path:
    manage("import", "members", str(roster), url=url)
    path = tmp_path / "visits.csv"
    path.write_text(VISIT_HEADER
                    + '王芳、李明,2026-03-01,走访谈心,社区居民,12,座谈,"交通出行：路灯不亮"\n'
                    + "李明,2026-04-02,服务活动,老人,3,义诊,\n", encoding="utf-8-sig")
    return path


def test_visits_dry_run_writes_nothing_then_import_then_again_is_nothing(url, visits):
    dry = manage("import", "visits", str(visits), "--dry-run", url=url)
    assert dry.returncode == 0, dry.stderr
    assert "new 2, imported before 0, error 0" in dry.stdout
    assert "Dry run: nothing was written." in dry.stdout
    assert visit_count(url) == 0
    done = manage("import", "visits", str(visits), url=url)
    assert done.returncode == 0, done.stderr
    assert "Imported 2 visits; 0 rows had been imported" in done.stdout
    again = manage("import", "visits", str(visits), url=url)
    assert again.returncode == 0, again.stderr
    assert "new 0, imported before 2, error 0" in again.stdout
    assert visit_count(url) == 2


def test_a_bad_visit_row_exits_1_with_a_line_naming_row_and_column(url, roster, tmp_path):
    manage("import", "members", str(roster), url=url)
    path = tmp_path / "visits.csv"
    path.write_text(VISIT_HEADER + "王芳,2026-03-01,走访谈心,社区居民,12,座谈,\n"
                    "李明,2026-03-01,打电话,社区居民,12,座谈,\n", encoding="utf-8")
    result = manage("import", "visits", str(path), url=url)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith('row 3, 联系渠道: "打电话" is no channel')
    assert result.stderr == "error: Nothing was imported: the file has 1 problems.\n"
    assert visit_count(url) == 0


def test_the_visits_template_imports_as_nothing(url, tmp_path):
    out = tmp_path / "visits.xlsx"
    written = manage("import", "template", "visits", str(out), url=url)
    assert written.returncode == 0, written.stderr
    result = manage("import", "visits", str(out), "--dry-run", url=url)
    assert result.returncode == 0, result.stderr
    assert "note: row 2: Row 2 is the template's example: it was skipped." in result.stdout


# --- opinion reports -------------------------------------------------------------------

REPORT_HEADER = "标题,正文,类别,报送委员,联名委员,报送日期,采用情况,采用日期,转送部门,转送日期\n"


def report_count(url: str) -> int:
    with read_session(get_engine(url)) as session:
        return session.exec(select(func.count()).select_from(OpinionReport)).one()


@pytest.fixture
def reports(url, roster, tmp_path) -> Path:
    """Two reports of the roster's members, one forwarded; the category 民生 (a
    PostgreSQL test store is emptied of the seeded list)."""
    manage("import", "members", str(roster), url=url)
    with write_session(get_engine(url)) as session:
        if session.exec(select(ListEntry).where(ListEntry.name == "民生")).first() is None:
            session.add(ListEntry(organisation_id=factories.TOP, name="民生",
                                  kind=ListKind.OPINION_CATEGORY))
    path = tmp_path / "reports.csv"
    path.write_text(REPORT_HEADER
                    + "加装电梯,老旧小区加装电梯难,民生,王芳,李明,2026-03-01,市政协,2026-03-05,"
                      "市住建局,2026-03-06\n"
                    + "社区食堂,建议增设社区食堂,民生,李明,,2026-04-02,,,,\n",
                    encoding="utf-8-sig")
    return path


def test_reports_dry_run_writes_nothing_then_import_then_again_is_nothing(url, reports):
    dry = manage("import", "reports", str(reports), "--dry-run", url=url)
    assert dry.returncode == 0, dry.stderr
    assert "new 2, imported before 0, error 0" in dry.stdout
    assert "Dry run: nothing was written." in dry.stdout
    assert report_count(url) == 0
    done = manage("import", "reports", str(reports), url=url)
    assert done.returncode == 0, done.stderr
    assert "Imported 2 reports; 0 rows had been imported" in done.stdout
    again = manage("import", "reports", str(reports), url=url)
    assert again.returncode == 0, again.stderr
    assert "new 0, imported before 2, error 0" in again.stdout
    assert report_count(url) == 2


def test_a_bad_report_row_exits_1_with_a_line_naming_row_and_column(url, reports):
    reports.write_text(REPORT_HEADER + "标题,正文,民生,王芳,,2026-03-01,县政协,2026-03-05,,\n",
                       encoding="utf-8")
    result = manage("import", "reports", str(reports), url=url)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith('row 2, 采用情况: "县政协" is no adoption')
    assert result.stderr == "error: Nothing was imported: the file has 1 problems.\n"
    assert report_count(url) == 0


def test_the_reports_template_imports_as_nothing(url, tmp_path):
    out = tmp_path / "reports.xlsx"
    written = manage("import", "template", "reports", str(out), url=url)
    assert written.returncode == 0, written.stderr
    result = manage("import", "reports", str(out), "--dry-run", url=url)
    assert result.returncode == 0, result.stderr
    assert "note: row 2: Row 2 is the template's example: it was skipped." in result.stdout
    assert "new 0, imported before 0, error 0" in result.stdout
