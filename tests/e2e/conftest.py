"""Browser fixtures: the real ``streamlit run`` server and Debian's headless Chromium.

Like Streamlit's own ``e2e_playwright``: start the server on a free port, wait for
``/_stcore/health``, wait until the app is connected and its script has stopped running,
then act through labels and roles and assert with ``expect``. Nothing here skips: a
missing browser fails the run, because CI must prove the main path in a real browser.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.helpers.browser import TODAY

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("LIAISON_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"streamlit did not become healthy in {timeout}s:\n{log.read_text()}")


@pytest.fixture
def start_app(tmp_path: Path) -> Iterator[Callable[..., str]]:
    """Start ``streamlit run app.py`` with the given environment; returns its base URL."""
    processes: list[subprocess.Popen] = []

    def start(**env: str) -> str:
        """The server's console goes to ``tmp_path/streamlit-<port>.log``."""
        port = _free_port()
        log = tmp_path / f"streamlit-{port}.log"
        environment = {**os.environ, "LIAISON_TODAY": TODAY, **env}
        process = subprocess.Popen(
            [
                sys.executable, str(ROOT / "serve.py"),
                "--server.port", str(port), "--server.address", "127.0.0.1",
                "--server.headless", "true", "--browser.gatherUsageStats", "false",
            ],
            cwd=ROOT, env=environment, stdout=log.open("w"), stderr=subprocess.STDOUT,
        )
        processes.append(process)
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(url, process, log)
        return url

    yield start
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian's chromium is not at {CHROMIUM}: run scripts/test as root or "
                    "apt-get install chromium fonts-noto-cjk")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (``scripts/test`` runs ``-n auto --dist loadgroup``) the browser
    tests run one after another on one worker: two app servers and two browsers at once
    on a two-core machine would stretch their waits past their time-outs. The benchmark
    smoke tests are a group of their own; the unit and page tests share the other
    workers."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(item.path).resolve().parents:
            group = "bench" if Path(item.path).name == "test_bench_smoke.py" else "browser"
            item.add_marker(pytest.mark.xdist_group(group))
