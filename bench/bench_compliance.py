"""Time the quota compliance engine (``services/compliance.py``) for every member of the
store: a quarter and a year (four quarters, two half-years), cold (a fresh session, the
first call) and warm (the median of the next runs), and print the rows and figures.

    .venv/bin/python bench/bench_compliance.py [--size city|province] [--runs N]
                                               [--database-url URL]

Loads demo data of the given size into a fresh SQLite file in a temporary directory (or
uses --database-url, loading it only when it holds no members). Issue 12's targets: a
year for 10,000 members within 200 ms cold; see docs/performance.md for where it stands.
"""

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.db import get_engine, read_session
from core.migrate import upgrade_to_head
from services import compliance, members
from services.actors import SYSTEM
from services.demo import PRESETS, load_demo_data

TODAY = date(2026, 11, 21)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(PRESETS), default="city")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = get_engine(args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade_to_head(engine)
        with read_session(engine) as session:
            loaded = members.store_has_members(session=session)
        if not loaded:
            summary = load_demo_data(engine=engine, actor=SYSTEM, size=PRESETS[args.size],
                                     today=TODAY)
            print(f"{args.size}: {sum(summary.rows.values()):,} rows, loaded in "
                  f"{summary.seconds:.1f} s")
        print(f"compliance of every member on {engine.dialect.name} (ms)")
        print(f"  {'span':<10}{'rows':>8}{'cold':>9}{'warm':>9}")
        for text in ("2026Q4", "2026"):
            span = compliance.parse_span(text)
            seconds, count = [], 0
            for _ in range(args.runs + 1):
                with read_session(engine) as session:
                    started = time.perf_counter()
                    count = len(compliance.compliance(session=session, actor=SYSTEM,
                                                      span=span, today=TODAY))
                    seconds.append(time.perf_counter() - started)
            print(f"  {text:<10}{count:>8,}{seconds[0] * 1000:>9.0f}"
                  f"{statistics.median(seconds[1:]) * 1000:>9.0f}")
        engine.dispose()


if __name__ == "__main__":
    main()
