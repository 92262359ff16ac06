"""Command line for operators: ``python manage.py migrate | demo | check``.

Exits non-zero with a one-line reason (no traceback) when the store cannot be used.
"""

import argparse
import sys

from core import clock
from core.db import StoreError, check_connection, get_engine, redacted
from core.i18n import t
from core.migrate import head_revision, store_revision, upgrade_to_head
from services.actors import SYSTEM
from services.demo_data import PRESETS, load_demo_data
from services.errors import ServiceError


def _print_progress(fraction: float, message_key: str) -> None:
    filled = int(fraction * 30)
    bar = "#" * filled + "-" * (30 - filled)
    sys.stdout.write(f"\r[{bar}] {fraction:6.1%}  {t(message_key, 'en'):<60}")
    sys.stdout.flush()


def cmd_migrate(args: argparse.Namespace) -> None:
    engine = get_engine()
    upgrade_to_head(engine)
    print(f"Store {redacted(str(engine.url))} is at revision {store_revision(engine)}.")


def cmd_check(args: argparse.Namespace) -> None:
    engine = get_engine()
    check_connection(engine)
    current = store_revision(engine)
    print(f"Store: {redacted(str(engine.url))}")
    print(f"Schema revision: {current or 'none (empty store)'}; code head: {head_revision()}")


def cmd_demo(args: argparse.Namespace) -> None:
    engine = get_engine()
    upgrade_to_head(engine)
    size = PRESETS[args.size]
    summary = load_demo_data(
        engine=engine, actor=SYSTEM, size=size, seed=args.seed, today=clock.today(),
        progress=_print_progress,
    )
    print()
    for table, count in sorted(summary.rows.items()):
        print(f"  {table:<28}{count:>10,}")
    print(f"Loaded {sum(summary.rows.values()):,} rows in {summary.seconds:.1f} s.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="manage.py", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="bring the store's schema to this version").set_defaults(
        run=cmd_migrate
    )
    commands.add_parser("check", help="show the store and its schema revision").set_defaults(
        run=cmd_check
    )
    demo = commands.add_parser("demo", help="load demo data into an empty store")
    demo.add_argument("--size", choices=sorted(PRESETS), default="city")
    demo.add_argument("--seed", type=int, default=2026)
    demo.set_defaults(run=cmd_demo)
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except StoreError as exc:
        print(f"error: {t(exc.message_key, 'en', **exc.params)}", file=sys.stderr)
        return 2
    except ServiceError as exc:
        print(f"\nerror: {t(exc.message_key, 'en', **exc.params)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
