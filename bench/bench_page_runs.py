"""CPU per page run, in-process: ``app.py`` driven by Streamlit's ``AppTest``,
signed in as an administrator, against a demo store.

    .venv/bin/python bench/bench_page_runs.py [--size city|province] [--runs N]
                                              [--database-url URL]

Loads demo data of the given size into a fresh SQLite file in a temporary directory (or
uses ``--database-url``, loading it only when it holds no members; ``LIAISON_TODAY`` is
pinned to the demo's day), then runs each page ``--runs`` times in turn and prints the
CPU time of the whole process (``time.process_time``: the script thread and AppTest's
own work) per run, median and worst. Every run is a page switch, as when someone moves
from one page to the next; the member directory is also timed for a search keystroke, a
profile opened, the next page of the list (a plain rerun where the list fits on one page,
as a city's does), and a run right after a write elsewhere (its cached reads then start
again); the reports board for a report opened and closed, the overdue filter, and a run
after a write; the stations screen for the busiest station opened, the idle tab, and the
list after a write.

Not the server: no websocket, no protobuf sent, no garbage collection forced after the
run; ``bench/bench_server.py`` measures the real server.
"""

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import streamlit.testing.v1.app_test as app_test_module  # noqa: E402
import streamlit.testing.v1.local_script_runner as local_script_runner_module  # noqa: E402
from sqlmodel import func, select  # noqa: E402
from streamlit.runtime.pages_manager import PagesManager  # noqa: E402
from streamlit.runtime.scriptrunner.script_cache import ScriptCache  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from core import clock  # noqa: E402
from core.db import get_engine, read_session, write_session  # noqa: E402
from core.migrate import upgrade_to_head  # noqa: E402
from models import User, WorkstationActivity  # noqa: E402
from services import members, sign_in, users  # noqa: E402
from services.actors import SYSTEM  # noqa: E402
from services.demo import PRESETS, load_demo_data  # noqa: E402

TODAY = "2026-11-21"
USERNAME = "bench_page_runs"
PASSWORD = "benchmark passphrase"
PAGES = ("home", "overview", "compliance", "station_activity", "opinion_pipeline", "campaigns",
         "visit_entry", "visits", "problems", "report_entry", "reports",
         "activity_entry", "workstations", "topics", "proposals", "members", "account",
         "users", "audit")


class _NavigationOnlyPagesManager(PagesManager):
    """AppTest's pages/-folder trap, as ``tests/pages/conftest.py`` explains."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False
        _NavigationOnlyPagesManager.uses_pages_directory = False


def _like_the_server() -> None:
    """AppTest's differences from the server that would blur the measure: the
    pages/-folder trap, a new script cache per run (the server compiles each script
    once), and a warning each time a page is switched from outside a run."""
    app_test_module.PagesManager = _NavigationOnlyPagesManager
    compiled = ScriptCache()
    app_test_module.ScriptCache = local_script_runner_module.ScriptCache = lambda: compiled
    for noisy in ("scriptrunner_utils.script_run_context", "state.session_state_proxy"):
        logging.getLogger(f"streamlit.runtime.{noisy}").disabled = True


def _prepare_store(url: str, size: str) -> None:
    engine = get_engine(url)
    upgrade_to_head(engine)
    with read_session(engine) as session:
        loaded = members.store_has_members(session=session)
    if not loaded:
        summary = load_demo_data(engine=engine, actor=SYSTEM, size=PRESETS[size],
                                 today=clock.today())
        print(f"loaded {sum(summary.rows.values()):,} rows in {summary.seconds:.1f} s")


def _signed_in_app(url: str) -> AppTest:
    """What a valid cookie does (``tests/helpers/app_test.sign_in_as``)."""
    engine = get_engine(url)
    with write_session(engine) as session:
        user = session.exec(select(User).where(User.username == USERNAME)).first()
        if user is None:
            user = users.create_admin(session=session, username=USERNAME,
                                      display_name="bench", password=PASSWORD)
        token = sign_in.start_session(session=session, user_id=user.id,
                                      cookie_expiry=clock.now().timestamp() + 86_400,
                                      now=clock.now())
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    app.session_state["liaison_session"] = token
    return app


def _cpu_ms(app: AppTest, before_run: Callable[[AppTest], object]) -> float:
    before_run(app)
    started = time.process_time()
    app.run()
    spent = (time.process_time() - started) * 1000
    if app.exception:
        raise SystemExit(f"the page failed: {app.exception[0].value}")
    return spent


def _switch(page: str) -> Callable[[AppTest], object]:
    return lambda app: app.switch_page(f"pages/{page}.py")


def _directory_scenarios(url: str) -> dict[str, Callable[[AppTest], object]]:
    """Runs of the member directory other than arriving on it; each starts from the
    directory as the previous scenario left it."""

    def search(app: AppTest) -> None:
        app.text_input(key="member.search").set_value("wang")

    def clear_search(app: AppTest) -> None:
        app.text_input(key="member.search").set_value("")

    def open_profile(app: AppTest) -> None:
        app.selectbox(key="member.pick").select_index(1)  # the first member listed

    def close_profile(app: AppTest) -> None:
        app.selectbox(key="member.pick").select_index(0)

    def next_page(app: AppTest) -> None:
        pager = [number for number in app.number_input if number.key == "table.members.page"]
        if pager:
            pager[0].set_value(2 if pager[0].value == 1 else 1)

    def after_a_write(app: AppTest) -> None:
        with write_session(get_engine(url)):
            pass  # a save elsewhere: the store's data version moves on

    return {"members: search 'wang'": search, "members: clear search": clear_search,
            "members: open a profile": open_profile, "members: close it": close_profile,
            "members: next page": next_page, "members: after a write": after_a_write}


def _board_scenarios(url: str) -> dict[str, Callable[[AppTest], object]]:
    """Runs of the reports board other than arriving on it: a report opened (its
    timeline and action form) and closed, overdue only, and a run after a write."""

    def open_report(app: AppTest) -> None:
        first = int(app.dataframe[0].value["id"].iloc[0])  # the most overdue
        app.selectbox(key="report_board.pick").set_value(first)

    def close_report(app: AppTest) -> None:
        app.selectbox(key="report_board.pick").set_value(None)

    def overdue_only(app: AppTest) -> None:
        toggle = app.toggle(key="report_board.overdue")
        toggle.set_value(not toggle.value)

    def after_a_write(app: AppTest) -> None:
        with write_session(get_engine(url)):
            pass

    return {"reports: open a report": open_report, "reports: close it": close_report,
            "reports: overdue only": overdue_only, "reports: after a write": after_a_write}


def _station_scenarios(url: str) -> dict[str, Callable[[AppTest], object]]:
    """Runs of the stations screen other than arriving on its list: one station opened
    (record, stints, timeline, months chart, problems), the idle tab, and the list right
    after a write (its cached reads start again)."""
    with read_session(get_engine(url)) as session:
        busiest = session.exec(
            select(WorkstationActivity.workstation_id)
            .group_by(WorkstationActivity.workstation_id)
            .order_by(func.count().desc()).limit(1)).one()

    def open_station(app: AppTest) -> None:
        app.session_state["station_page.#goto"] = busiest

    def idle_tab(app: AppTest) -> None:
        app.session_state["station_page.tab"] = "闲置"

    def list_tab(app: AppTest) -> None:
        app.session_state["station_page.tab"] = "列表"

    def after_a_write(app: AppTest) -> None:
        with write_session(get_engine(url)):
            pass

    return {"stations: open one": open_station, "stations: idle tab": idle_tab,
            "stations: list": list_tab, "stations: list after a write": after_a_write}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(PRESETS), default="city")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    os.environ["LIAISON_TODAY"] = TODAY
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        os.environ["DATABASE_URL"] = url
        _prepare_store(url, args.size)
        _like_the_server()
        app = _signed_in_app(url)
        app.run()
        for page in PAGES:  # imports, first queries, per-process caches
            _cpu_ms(app, _switch(page))

        spent: dict[str, list[float]] = {}
        for _ in range(args.runs):
            for page in PAGES:
                spent.setdefault(page, []).append(_cpu_ms(app, _switch(page)))
        for page, scenarios in (("members", _directory_scenarios(url)),
                                ("reports", _board_scenarios(url)),
                                ("workstations", _station_scenarios(url))):
            _cpu_ms(app, _switch(page))
            for _ in range(args.runs):
                for name, action in scenarios.items():
                    spent.setdefault(name, []).append(_cpu_ms(app, action))

        with read_session(get_engine(url)) as session:
            size = f"{len(members.member_names(session=session, actor=SYSTEM)):,} members"
    print(f"\nCPU per page run, {size}, {args.runs} runs each (ms)")
    print(f"  {'run':<28}{'median':>8}{'worst':>8}")
    for name, times in spent.items():
        print(f"  {name:<28}{statistics.median(times):8.1f}{max(times):8.1f}")


if __name__ == "__main__":
    main()
