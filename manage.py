"""Command line for operators: ``python manage.py migrate | check | demo | create-admin |
setup-token | grant-app-role | import | compliance``.

Exits non-zero with a one-line reason (no traceback) when the store cannot be used.
"""

import argparse
import getpass
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from core import clock
from core.db import (
    StoreError,
    check_connection,
    get_engine,
    read_session,
    redacted,
    write_session,
)
from core.errors import LiaisonError
from core.i18n import describe, t
from core.migrate import head_revision, store_revision, upgrade_to_head
from core.store_roles import grant_app_role
from services import report_import, roster_import, users, visit_import
from services.actors import SYSTEM
from services.demo import PRESETS, load_demo_data
from services.errors import ServiceError, ValidationFailed
from services.exports import FileFormat
from services.report_import import REPORTS
from services.roster_import import ImportKind, ImportReport, Outcome
from services.visit_import import VISITS

if TYPE_CHECKING:
    from sqlmodel import Session


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
    try:
        summary = load_demo_data(
            engine=engine, actor=SYSTEM, size=size, seed=args.seed, today=clock.today(),
            progress=_print_progress,
        )
    finally:
        print()  # end the progress line, whatever happened
    for table, count in sorted(summary.rows.items()):
        print(f"  {table:<28}{count:>10,}")
    print(f"Loaded {sum(summary.rows.values()):,} rows in {summary.seconds:.1f} s.")


def cmd_grant_app_role(args: argparse.Namespace) -> None:
    engine = get_engine()
    grant = grant_app_role(engine, role=args.role, schema=args.schema)
    print(f"Role {grant.role} may now read and write the tables of schema {grant.schema} "
          f"(owned by {grant.owner}) in {redacted(str(engine.url))}, and only read and "
          "append to the audit trail.")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise ValidationFailed({"password": "password.not_typed"})
    try:
        password = getpass.getpass("Password: ")
        again = getpass.getpass("Password again: ")
    except (EOFError, KeyboardInterrupt) as exc:
        raise ValidationFailed({"password": "password.not_typed"}) from exc
    if again != password:
        raise ValidationFailed({"confirm": "password.mismatch"})
    return password


def cmd_create_admin(args: argparse.Namespace) -> None:
    """The alternative to the first-run page (and the way back in when every
    administrator is locked out): whoever runs commands on the server is trusted."""
    engine = get_engine()
    upgrade_to_head(engine)
    password = _read_password(args.password_stdin)
    with write_session(engine) as session:
        user = users.create_admin(session=session, username=args.username,
                                  display_name=args.name, password=password)
    print(f"Administrator {user.username} created; sign in at the app's address.")


def fresh_setup_token() -> str | None:
    """A new first-run token on a store with no user yet (the start command prints one
    too); None once a user exists."""
    engine = get_engine()
    upgrade_to_head(engine)
    with write_session(engine) as session:
        return users.issue_setup_token(session=session)


def cmd_setup_token(args: argparse.Namespace) -> None:
    token = fresh_setup_token()
    if token is None:
        raise ServiceError("setup.error.already_done")
    print(f"First-run setup token (replaces any earlier one): {token}")


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ServiceError("roster_import.cli.cannot_read", file=str(path),
                           cause=exc.strerror or str(exc)) from exc


# The imports of records that are only ever added (never updated), by kind; the catalog
# section of each one's words is its module's name.
_ADDING = {VISITS: visit_import, REPORTS: report_import}
_GUIDES = {VISITS: "docs/visit-import.md", REPORTS: "docs/report-import.md"}


def _importer(kind: str) -> tuple[ModuleType, dict[str, object]]:
    """The service that imports ``kind`` and the arguments naming the kind to it."""
    if kind in _ADDING:
        return _ADDING[kind], {}
    return roster_import, {"kind": ImportKind(kind)}


def _words(kind: str) -> str:
    """The catalog section of an adding import's words (visit_import, report_import)."""
    return _ADDING[kind].__name__.rsplit(".", 1)[-1]


def _print_report(report: ImportReport) -> None:
    """The preview: a line per problem (and per note), then the counts."""
    for note in report.notes:
        where = f"row {note.row}" if note.row is not None else f"column {note.column}"
        print(f"note: {where}: {note.reason('en')}")
    for problem in report.problems:
        column = f", {problem.column}" if problem.column else ""
        print(f"row {problem.row}{column}: {problem.reason('en')}")
    if report.kind in _ADDING:
        print(", ".join(f"{t(f'{_words(report.kind)}.outcome.{outcome}', 'en').lower()} "
                        f"{report.count(outcome)}" for outcome in _ADDING[report.kind].OUTCOMES))
    else:
        print(", ".join(f"{outcome.value} {report.count(outcome)}" for outcome in Outcome))


def cmd_import(args: argparse.Namespace) -> None:
    """Acts as the system administrator; rows without an organisation belong to the top
    organisation. Exits 1 on any error, having written nothing."""
    engine = get_engine()
    upgrade_to_head(engine)
    content = _read_file(args.file)
    service, kind = _importer(args.kind)
    run = service.preview_import if args.dry_run else service.commit_import
    progress = _print_progress if sys.stdout.isatty() else None
    try:
        report = run(engine=engine, actor=SYSTEM, content=content, file_name=args.file.name,
                     today=clock.today(), progress=progress, **kind)
    finally:
        if progress:
            print()
    _print_report(report)
    if report.has_errors:
        raise ServiceError("roster_import.cli.not_imported", count=len(report.problems))
    if args.dry_run:
        print("Dry run: nothing was written.")
    elif report.kind in _ADDING:
        print(t(f"{_words(report.kind)}.imported", "en", new=report.count(Outcome.NEW),
                unchanged=report.count(Outcome.UNCHANGED)))
    else:
        print(f"Imported {report.count(Outcome.NEW)} new and {report.count(Outcome.UPDATE)} "
              f"updated rows; {report.count(Outcome.UNCHANGED)} unchanged.")


def cmd_import_template(args: argparse.Namespace) -> None:
    file_format = FileFormat.CSV if args.out.suffix.lower() == ".csv" else FileFormat.XLSX
    engine = get_engine()
    upgrade_to_head(engine)
    service, kind = _importer(args.kind)
    with read_session(engine) as session:
        content = service.import_template(session=session, actor=SYSTEM,
                                          file_format=file_format, language="zh_CN", **kind)
    args.out.write_bytes(content)
    print(f"Template for {args.kind} written to {args.out}.")


def _add_import(commands: argparse._SubParsersAction) -> None:
    imports = commands.add_parser(
        "import", help="import members, contact persons, visits or opinion reports from an "
        ".xlsx or .csv file")
    what = imports.add_subparsers(dest="what", required=True)
    kinds = [kind.value for kind in ImportKind] + list(_ADDING)
    for kind in kinds:
        guide = _GUIDES.get(kind, "docs/roster-import.md")
        one = what.add_parser(kind, help=f"import {kind} (see {guide})")
        one.add_argument("file", type=Path)
        one.add_argument("--dry-run", action="store_true",
                         help="print what the import would do, and write nothing")
        one.set_defaults(run=cmd_import, kind=kind)
    template = what.add_parser("template", help="write an empty template (.xlsx or .csv)")
    template.add_argument("kind", choices=kinds)
    template.add_argument("out", type=Path)
    template.set_defaults(run=cmd_import_template)


def _one_id(session: "Session", model: type, given: str | None, what: str) -> int | None:
    """An organisation or committee named by its id or its exact name."""
    if given is None:
        return None
    from sqlmodel import select

    if given.isdigit() and session.get(model, int(given)) is not None:
        return int(given)
    found = session.exec(select(model.id).where(model.name == given)).all()
    if len(found) != 1:
        raise ServiceError("compliance.cli.unknown", what=what, name=given)
    return found[0]


def _term_id(session: "Session", number: int, organisation_id: int | None) -> int:
    """The term numbered ``number`` of the organisation (of the only one, without it)."""
    from sqlmodel import select

    from models import Term

    query = select(Term.id).where(Term.number == number)
    if organisation_id is not None:
        query = query.where(Term.organisation_id == organisation_id)
    found = session.exec(query).all()
    if len(found) != 1:
        raise ServiceError("compliance.cli.term" if not found else "compliance.cli.term_which",
                           number=number)
    return found[0]


def cmd_compliance(args: argparse.Namespace) -> None:
    """One row per member and rule of the period, as CSV (to standard output or
    ``--output``) or Excel (``--output`` required); the export is audited."""
    from models import Committee, Organisation
    from services import compliance
    from services.audit import record_export
    from services.exports import ExportWords, table_file

    number = compliance.term_number(args.period)
    if number is None:
        try:
            span = compliance.parse_span(args.period)
        except ValueError as exc:
            raise ServiceError("compliance.cli.bad_period", period=args.period) from exc
    file_format = FileFormat(args.format)
    if file_format is FileFormat.XLSX and args.output is None:
        raise ServiceError("compliance.cli.output_required")
    engine = get_engine()
    upgrade_to_head(engine)
    with read_session(engine) as session:
        organisation_id = _one_id(session, Organisation, args.organisation, "organisation")
        committee_id = _one_id(session, Committee, args.committee, "committee")
        if number is not None:
            span = compliance.term_span(session=session, actor=SYSTEM, term_id=_term_id(
                session, number, organisation_id))
        frame = compliance.compliance_frame(
            session=session, actor=SYSTEM, span=span, today=clock.today(),
            organisation_ids=None if organisation_id is None else [organisation_id],
            committee_id=committee_id)
    table = compliance.compliance_table(frame)
    language = "zh_CN"
    for column, enum_name in (("rule", "ComplianceRule"), ("status", "ComplianceStatus"),
                              ("reason", "ExemptReason")):
        table[column] = [t(f"enum.{enum_name}.{value}", language)
                         if isinstance(value, str) else None for value in table[column]]
    labels = {column: t(f"compliance.column.{column}", language)
              for column in compliance.TABLE_COLUMNS}
    words = ExportWords(yes=t("export.yes", language), no=t("export.no", language),
                        truncated=t("export.truncated", language))
    content = table_file(table, labels, words, file_format)
    with write_session(engine) as session:
        record_export(session=session, actor=SYSTEM, what="Compliance", rows=len(table),
                      file_format=file_format.value)
    if args.output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        args.output.write_bytes(content)
        print(f"{len(table)} rows for {compliance.span_name(span)} written to {args.output}.",
              file=sys.stderr)


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
    grant = commands.add_parser(
        "grant-app-role", help="as the owner: let ROLE run the app without owning the store"
    )
    grant.add_argument("role")
    grant.add_argument("--schema", help="default: the first schema on DATABASE_URL's search_path")
    grant.set_defaults(run=cmd_grant_app_role)
    admin = commands.add_parser("create-admin", help="create an administrator account")
    admin.add_argument("--username", required=True)
    admin.add_argument("--name", required=True, help="the person's name, shown in the app")
    admin.add_argument("--password-stdin", action="store_true",
                       help="read the password from the first line of standard input")
    admin.set_defaults(run=cmd_create_admin)
    commands.add_parser(
        "setup-token", help="print a new one-time token for the first-run page"
    ).set_defaults(run=cmd_setup_token)
    _add_import(commands)
    quota = commands.add_parser(
        "compliance", help="who meets the quotas: one row per member and rule of a period")
    quota.add_argument("--period", required=True,
                       help="2027Q1, 2027H1, 2027, or term14 (a whole term)")
    quota.add_argument("--organisation", help="an organisation's id or exact name")
    quota.add_argument("--committee", help="a committee's id or exact name")
    quota.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    quota.add_argument("--output", type=Path, help="the file (required for xlsx)")
    quota.set_defaults(run=cmd_compliance)
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except LiaisonError as exc:
        print(f"error: {describe(exc, 'en')}", file=sys.stderr)
        return 2 if isinstance(exc, StoreError) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
