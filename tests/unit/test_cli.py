"""The operators' command line (manage.py), run as a real process."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func
from sqlmodel import select

from core.db import get_engine, read_session
from core.migrate import head_revision, store_revision
from models import Member, Visit

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, url: str, **popen) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "LIAISON_TODAY": "2026-11-21"}
    return subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def _run(*args: str, url: str) -> subprocess.CompletedProcess:
    process = _manage(*args, url=url)
    stdout, stderr = process.communicate(timeout=300)
    return subprocess.CompletedProcess(args, process.returncode, stdout, stderr)


def _members(url: str) -> int:
    with read_session(get_engine(url)) as session:
        return session.exec(select(func.count()).select_from(Member)).one()


def test_migrate_creates_the_schema(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = _run("migrate", url=url)
    assert result.returncode == 0, result.stderr
    assert store_revision(get_engine(url)) == head_revision()


def test_demo_loads_once_and_refuses_a_second_time(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    first = _run("demo", "--size", "small", url=url)
    assert first.returncode == 0, first.stderr
    loaded = _members(url)
    assert loaded > 50
    second = _run("demo", "--size", "small", url=url)
    assert second.returncode == 1
    assert "already holds members" in second.stderr
    assert _members(url) == loaded


def test_a_demo_load_killed_midway_leaves_nothing_behind(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert _run("migrate", url=url).returncode == 0
    process = _manage("demo", "--size", "city", url=url)
    deadline = time.monotonic() + 120
    seen = ""
    while "visits" not in seen and time.monotonic() < deadline:  # progress reached visits
        seen += os.read(process.stdout.fileno(), 4096).decode("utf-8", "replace")
    assert "visits" in seen, seen
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert _members(url) == 0
    with read_session(get_engine(url)) as session:
        assert session.exec(select(func.count()).select_from(Visit)).one() == 0
    assert _run("demo", "--size", "small", url=url).returncode == 0  # and it can start over


def test_an_unreachable_database_is_one_line_not_a_traceback():
    result = _run("check", url="postgresql://nobody@127.0.0.1:1/none")
    assert result.returncode == 2
    assert result.stderr.startswith("error: Cannot connect to the database")
    assert "Traceback" not in result.stderr


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def test_grant_app_role_needs_postgresql(tmp_path):
    result = _run("grant-app-role", "liaison_app", url=f"sqlite:///{tmp_path / 'cli.db'}")
    assert result.returncode == 2
    assert _one_line(result.stderr).startswith("error: ")
    assert "PostgreSQL" in result.stderr


def test_grant_app_role_refuses_a_role_name_that_could_carry_sql(tmp_path):
    result = _run("grant-app-role", 'liaison_app"; DROP TABLE member; --',
                  url=f"sqlite:///{tmp_path / 'cli.db'}")
    assert result.returncode == 2
    assert "is not a plain PostgreSQL name" in _one_line(result.stderr)
