"""Measure what a page run asks of the store: the home overview, the member directory and
the audit trail, plus one sign-in (a bcrypt check of cost 12).

    python bench/bench_pages.py [--size small|city|province] [--repeat N]

Loads demo data of the given size into a fresh SQLite file in a temporary directory (or
uses --database-url), then prints the median and worst time of each query.
"""

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.db import get_engine, read_session, write_session
from core.migrate import upgrade_to_head
from services import members, users
from services.actors import SYSTEM
from services.audit import list_audit
from services.demo import PRESETS, load_demo_data
from services.overview import overview
from services.sign_in import authenticate

TODAY = date(2026, 11, 21)
PASSWORD = "benchmark passphrase"


def _timed(label: str, repeat: int, action) -> None:
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    print(f"  {label:<34} median {statistics.median(seconds) * 1000:8.1f} ms"
          f"   worst {max(seconds) * 1000:8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(PRESETS), default="city")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = get_engine(args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade_to_head(engine)
        summary = load_demo_data(engine=engine, actor=SYSTEM, size=PRESETS[args.size],
                                 today=TODAY)
        with write_session(engine) as session:
            admin = users.actor_for(session, users.create_admin(
                session=session, username="bench", display_name="bench", password=PASSWORD))
        print(f"{args.size}: {sum(summary.rows.values()):,} rows on {engine.dialect.name}, "
              f"loaded in {summary.seconds:.1f} s")

        def home() -> None:
            with read_session(engine) as session:
                overview(session=session, today=TODAY)

        def directory() -> None:
            with read_session(engine) as session:
                members.list_members(session=session, actor=admin, today=TODAY)

        def directory_search() -> None:
            with read_session(engine) as session:
                members.list_members(session=session, actor=admin, today=TODAY, search="王")

        def audit() -> None:
            with read_session(engine) as session:
                list_audit(session=session, actor=admin)

        def sign_in() -> None:
            authenticate(engine=engine, username="bench", password=PASSWORD,
                         now=datetime.now(UTC), server_key="a benchmark server key")

        _timed("home overview (4 counts)", args.repeat, home)
        _timed("member directory, all in office", args.repeat, directory)
        _timed("member directory, search 王", args.repeat, directory_search)
        _timed("audit trail, last 5,000", args.repeat, audit)
        _timed("sign-in (bcrypt cost 12)", min(args.repeat, 5), sign_in)
        engine.dispose()


if __name__ == "__main__":
    main()
