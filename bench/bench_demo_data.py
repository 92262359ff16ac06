"""Measure the demo-data load: rows per table, seconds, rows/s and peak memory.

    python bench/bench_demo_data.py [--size small|city|province] [--database-url URL]

Without ``--database-url`` it loads into a fresh SQLite file in a temporary directory.
With a PostgreSQL URL it works in a scratch schema (like the tests) and drops it after.
"""

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from core.db import get_engine, normalise_url, redacted
from core.migrate import upgrade_to_head
from services.actors import SYSTEM
from services.demo import PRESETS, DemoSize, load_demo_data


def _progress(fraction: float, key: str) -> None:
    sys.stderr.write(f"\r  {fraction:6.1%}  {key:<28}")
    sys.stderr.flush()


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _run(url: str, size: DemoSize, seed: int, sqlite_file: Path | None) -> None:
    engine = get_engine(url)
    started = time.perf_counter()
    upgrade_to_head(engine)
    migrated = time.perf_counter() - started
    rss_before = _peak_rss_mb()
    summary = load_demo_data(engine=engine, actor=SYSTEM, size=size, seed=seed,
                             today=date(2026, 11, 21), progress=_progress)
    sys.stderr.write("\n")
    total = sum(summary.rows.values())
    print(f"store      {redacted(url)} ({engine.dialect.name})")
    print(f"machine    {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}")
    print(f"size       {size.organisations} organisation(s), top {size.level.value} with "
          f"members={size.members} workstations={size.workstations}, "
          f"about {size.total_members} members in all, years={size.years} seed={seed}")
    print(f"migrate    {migrated:.2f} s")
    print()
    for table, count in sorted(summary.rows.items(), key=lambda item: -item[1]):
        print(f"  {table:<28}{count:>12,}")
    print(f"  {'TOTAL':<28}{total:>12,}")
    print()
    print(f"load       {summary.seconds:.1f} s, {total / summary.seconds:,.0f} rows/s")
    print(f"peak RSS   {_peak_rss_mb():.0f} MiB (before load {rss_before:.0f} MiB)")
    if sqlite_file is not None:
        size_mb = sum(p.stat().st_size for p in sqlite_file.parent.glob(sqlite_file.name + "*"))
        print(f"file size  {size_mb / 1024 / 1024:.0f} MiB (database + WAL)")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(PRESETS), default="city")
    parser.add_argument("--database-url", help="a PostgreSQL URL (default: a temporary SQLite)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    size = PRESETS[args.size]

    if not args.database_url:
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "bench.db"
            _run(f"sqlite:///{path}", size, args.seed, path)
        return

    base = normalise_url(args.database_url)
    schema = f"liaison_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        _run(url.render_as_string(hide_password=False), size, args.seed, None)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
