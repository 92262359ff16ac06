"""The server benchmark still runs: bench/bench_server.py on the small demo with tiny
counts prints every figure. Its speed targets live in its own output, not here."""

import re
import subprocess
import sys

from models import Role
from services.actors import Actor
from services.permissions import screens_for
from tests.helpers.browser import ROOT

ADMIN = Actor(user_id=None, name="bench", role=Role.ADMIN)

FIGURES = [
    "CPU per new session (reload)",
    *(f"CPU per page switch to {screen.key}" for screen in screens_for(ADMIN)),
    "CPU per save: member contact",
    "CPU per save: user edit",
    "CPU per sign-in",
    "sign-in click-to-home",
    "sign-ins that stored no cookie (of 1)",
    "RSS with 1 idle session",
    "RSS with 2 idle sessions",
    "RSS per extra idle session",
    "RSS after 1 page run",
    "RSS after 4 page runs",
    "RSS after 4 / after 1 runs",
]


def test_server_benchmark_prints_every_figure():
    finished = subprocess.run(
        [sys.executable, "bench/bench_server.py", "--size", "small", "--reloads", "1",
         "--switches", "1", "--saves", "1", "--sign-ins", "1", "--runs", "4",
         "--sessions", "1,2"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,  # a switch to each screen
    )
    assert finished.returncode == 0, finished.stderr
    report = finished.stdout
    assert re.search(r"^configuration: scripts/start .*serve\.py", report, re.M), report
    for figure in FIGURES:
        assert re.search(rf"^{re.escape(figure)}\s+\d*\s+[\d.]+ (ms|s|MB)?", report, re.M), (
            f"{figure!r} missing:\n{report}")


def test_query_benchmark_prints_every_figure():
    """bench/bench_pages.py on the small demo: the store's side of each page and of
    saving a visit with two problems, each with its median, p95 and worst time."""
    finished = subprocess.run(
        [sys.executable, "bench/bench_pages.py", "--size", "small", "--repeat", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert finished.returncode == 0, finished.stderr
    for figure in ("home overview", "member directory, all in office", "visit list",
                   "save a visit with two problems", "audit trail", "sign-in"):
        assert re.search(rf"^  {re.escape(figure)}.*median +[\d.]+ ms +p95 +[\d.]+ ms",
                         finished.stdout, re.M), f"{figure!r} missing:\n{finished.stdout}"
    for figure in ("station figures", "one station", "save an activity with two members"):
        assert re.search(rf"^  {re.escape(figure)}.*median +[\d.]+ ms", finished.stdout,
                         re.M), f"{figure!r} missing:\n{finished.stdout}"


def test_dashboard_benchmark_prints_every_figure():
    """bench/bench_dashboard.py on the small demo: the engine for a quarter and a year, the
    overview cold and warm, the plainest SQL and the pandas baseline."""
    finished = subprocess.run(
        [sys.executable, "bench/bench_dashboard.py", "--size", "small", "--runs", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert finished.returncode == 0, finished.stderr
    for figure in (r"compliance 2026Q4 +cold", r"compliance 2026 +cold", "overview cold",
                   "overview warm", "plainest SQL", "pandas baseline", "meeting cold",
                   "meeting warm", "meeting slide run", "meeting PDF", "meeting PNG"):
        assert re.search(rf"^  {figure} +[\d.]+", finished.stdout, re.M), (
            f"{figure!r} missing:\n{finished.stdout}")
