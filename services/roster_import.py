"""Roster import: members, and their sector contact persons, from an Excel or CSV file.

A file is imported in two steps. ``preview_import`` tells what each row would do (*new*,
*update* with the columns that change, *unchanged*, or *error* with its row, column and
reason); ``commit_import`` does it, all or nothing. Both run the same code, the import
itself, in one write transaction: the preview's transaction is always rolled back, the
commit's is kept only when no row has an error and the outcome is still the one the
preview showed (someone may have changed the roster in between). A member is written
through ``services.roster`` (``create_member``, ``update_member``), so a row meets exactly
the rules of the form, and every record written has its own audit row; the commit adds
one ``IMPORT`` row with the counts and the file's SHA-256.

Rows are matched to what is stored by a natural key, so importing the same file again
changes nothing: a member by organisation, name and birth year (``roster.members_by_key``),
a contact person by member and name. Organisations, terms, sectors and committees are
named, never created: an unknown one is an error of its row. A change of a member's
term, sector or committee takes effect on the day of the import. docs/roster-import.md
has the columns, their aliases and what a blank cell means.

The two steps, the report and the templates serve every kind of import: the visit import
(``services.visit_import``) runs ``run_import`` with rows of its own (``RowImporter``).
"""

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.db import write_session
from core.i18n import t
from models import (
    AuditAction,
    Committee,
    ContactPerson,
    Member,
    Organisation,
    Role,
    Sector,
    Term,
)
from services import contacts
from services import import_files as cells
from services.actors import Actor
from services.audit import audit_detail, record_audit
from services.contacts import ContactInput
from services.errors import PermissionDenied, ValidationFailed
from services.exports import FileFormat, to_csv
from services.import_files import Column, Row, Sheet, read_table
from services.organisations import top_organisation_id
from services.permissions import can_edit_member
from services.roster import (
    MemberInput,
    can_manage,
    checked_new_member,
    clean_input,
    insert_members,
    members_by_key,
    update_member,
)
from services.text import clean_phone, clean_text

Progress = Callable[[float, str], None]
EXAMPLE_MARK = "（示例）"  # a row whose first cell starts so is the template's example
PROGRESS_EVERY = 200  # rows
SHOWN_CHARACTERS = 40  # of a name quoted in a message


class ImportKind(StrEnum):
    MEMBERS = "members"
    CONTACTS = "contacts"


class Outcome(StrEnum):
    NEW = "new"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"


MEMBER_COLUMNS = (
    Column("name", "姓名", ("委员姓名",), required=True, example=f"{EXAMPLE_MARK}王芳"),
    Column("gender", "性别", choices=("男", "女"), example="女"),
    Column("birth_year", "出生年份", ("出生年", "出生年月"), required=True, example=1975,
           kind=cells.NUMBER),
    Column("organisation", "政协组织", ("所属政协", "organization")),
    Column("sector", "界别", required=True),
    Column("committee", "专委会", ("专门委员会", "所属专委会"), required=True),
    Column("term", "届次"),
    Column("standing", "常委", ("是否常委", "is_standing_committee"), choices=("是", "否"),
           example="否"),
    Column("cpc", "中共党员", ("是否中共党员", "党员", "is_cpc"), choices=("是", "否"),
           example="是"),
    Column("employer", "工作单位", ("单位",), example="市第一中学"),
    Column("post", "职务", example="校长"),
    Column("phone", "联系电话", ("电话", "手机", "手机号码"), example="13800138000"),
    Column("base_unit", "基层联系点", ("所在单位", "基层单元"), example="东城街道和平社区"),
    Column("in_office_from", "任职开始日期", ("任职日期",), kind=cells.DATE,
           example=date(2023, 1, 1)),
    Column("in_office_to", "任职结束日期", ("离任日期",), kind=cells.DATE),
)

CONTACT_COLUMNS = (
    Column("member_name", "委员姓名", ("member",), required=True, example=f"{EXAMPLE_MARK}王芳"),
    Column("member_birth_year", "委员出生年份", example=1975, kind=cells.NUMBER),
    Column("member_organisation", "政协组织", ("所属政协", "member_organization")),
    Column("name", "联系人姓名", ("联系人",), required=True, example="李明"),
    Column("phone", "联系电话", ("电话", "手机", "手机号码"), example="13900139000"),
    Column("organisation", "工作单位", ("单位", "organization"), example="和平社区居委会"),
    Column("sector_relation", "与界别关系", ("界别关系",), example="社区教师"),
    Column("starts_on", "开始日期", ("联系开始日期",), kind=cells.DATE,
           example=date(2024, 3, 1)),
    Column("ends_on", "结束日期", ("联系结束日期",), kind=cells.DATE),
    Column("active", "是否有效", ("有效", "is_active"), choices=("是", "否"), example="是"),
    Column("note", "备注", ("note",)),
)

COLUMNS = {ImportKind.MEMBERS: MEMBER_COLUMNS, ImportKind.CONTACTS: CONTACT_COLUMNS}
ENTITIES = {ImportKind.MEMBERS: "Member", ImportKind.CONTACTS: "ContactPerson"}

# A member's field as the import sets it, by column (name, birth year and organisation
# are the key: they find the member, they never change).
MEMBER_FIELDS = {
    "gender": "gender", "term": "term_id", "sector": "sector_id", "committee": "committee_id",
    "standing": "is_standing_committee", "cpc": "is_cpc", "employer": "employer",
    "post": "post", "phone": "phone", "base_unit": "base_unit",
    "in_office_from": "in_office_from", "in_office_to": "in_office_to",
}
_MEMBER_COLUMN_OF = {f: c for c, f in MEMBER_FIELDS.items()} | {
    "name": "name", "birth_year": "birth_year", "organisation_id": "organisation"}
CONTACT_FIELDS = {"phone": "phone", "organisation": "organisation",
                  "sector_relation": "sector_relation", "starts_on": "starts_on",
                  "ends_on": "ends_on", "active": "is_active", "note": "note"}
_CONTACT_COLUMN_OF = {f: c for c, f in CONTACT_FIELDS.items()} | {"name": "name"}
_DATE_FIELDS = ("starts_on", "ends_on")


# --- what an import reports ------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """An error (or a note) about a row: its number as the spreadsheet shows it (None for
    the file as a whole), the column's header as in the file, and the reason as a
    message key with its parameters."""

    row: int | None
    column: str
    message_key: str
    params: dict[str, object] = field(default_factory=dict)

    def reason(self, language: str) -> str:
        return t(self.message_key, language, **self.params)


@dataclass(frozen=True)
class RowResult:
    row: int
    outcome: Outcome
    member: str  # the member's name
    contact: str = ""  # the contact person's name; a visit's contact targets
    changed: tuple[str, ...] = ()  # the headers of the columns an update changes


@dataclass(frozen=True)
class ImportReport:
    kind: str  # an ImportKind, or "visits" (services.visit_import)
    file_name: str
    sha256: str
    rows: tuple[RowResult, ...]
    problems: tuple[Problem, ...]  # errors: nothing is imported while there is one
    notes: tuple[Problem, ...]  # ignored columns, the template's example row
    committed: bool = False
    changed_since_preview: bool = False

    def count(self, outcome: Outcome) -> int:
        return sum(1 for row in self.rows if row.outcome is outcome)

    @property
    def has_errors(self) -> bool:
        return bool(self.problems)

    @property
    def writes(self) -> int:
        """Rows that create or change a record."""
        return self.count(Outcome.NEW) + self.count(Outcome.UPDATE)

    @property
    def plan(self) -> tuple[tuple[int, Outcome, tuple[str, ...]], ...]:
        """What the import does, row by row: a commit keeps it only if it is the plan
        its preview showed."""
        return tuple((row.row, row.outcome, row.changed) for row in self.rows)


# --- the two steps ---------------------------------------------------------------------


def preview_import(*, engine: Engine, actor: Actor, kind: ImportKind, content: bytes,
                   file_name: str, today: date, progress: Progress | None = None,
                   ) -> ImportReport:
    """What importing the file would do: the import itself, rolled back. It holds the
    store's write lock while it runs (on SQLite, a second or so for a city's roster)."""
    return _run(engine=engine, actor=actor, kind=kind, content=content, file_name=file_name,
                today=today, progress=progress, commit=False, expected=None)


def commit_import(*, engine: Engine, actor: Actor, kind: ImportKind, content: bytes,
                  file_name: str, today: date, expected: ImportReport | None = None,
                  progress: Progress | None = None) -> ImportReport:
    """Import the file, all or nothing. Nothing is written when a row has an error, or
    when ``expected`` (the preview the user saw) no longer matches what the import would
    do: the report returned is then the new preview, with ``changed_since_preview``."""
    return _run(engine=engine, actor=actor, kind=kind, content=content, file_name=file_name,
                today=today, progress=progress, commit=True, expected=expected)


class RowImporter(Protocol):
    """One kind of import's rows. ``row`` says what a row would do, adding what is wrong
    with it to its cells' problems; ``write`` then writes what the rows hold back to add
    together, and is called only when no row has a problem."""

    def row(self, row: "RowCells") -> RowResult: ...

    def write(self) -> None: ...


# An import's rows, made for one run: its session, the file's table and SHA-256.
RowsFactory = Callable[[Session, Sheet, str], RowImporter]


class _RollBack(Exception):
    """Leaves ``write_session`` through its rollback."""


def _run(*, engine: Engine, actor: Actor, kind: ImportKind, content: bytes, file_name: str,
         today: date, progress: Progress | None, commit: bool,
         expected: ImportReport | None) -> ImportReport:
    def rows(session: Session, sheet: Sheet, sha256: str) -> RowImporter:
        return _Importer(session=session, actor=actor, kind=kind, sheet=sheet, today=today)

    return run_import(engine=engine, actor=actor, kind=kind, columns=COLUMNS[kind],
                      entity=ENTITIES[kind], rows=rows, content=content, file_name=file_name,
                      progress=progress, commit=commit, expected=expected)


def run_import(*, engine: Engine, actor: Actor, kind: str, columns: Sequence[Column],
               entity: str, rows: RowsFactory, content: bytes, file_name: str,
               progress: Progress | None, commit: bool,
               expected: ImportReport | None) -> ImportReport:
    """The two steps of every kind of import (roster, contacts, visits): the file read,
    each row checked, then kept (``commit``) or rolled back, with the one ``IMPORT``
    audit row naming ``entity`` when something is written."""
    actor.require_role(Role.ADMIN, Role.STAFF)
    sheet = read_table(content, file_name, columns)
    sha256 = hashlib.sha256(content).hexdigest()
    report: ImportReport | None = None
    try:
        with write_session(engine) as session:
            report = _report(rows(session, sheet, sha256), sheet, columns, kind=kind,
                             file_name=file_name, sha256=sha256, progress=progress or _silent)
            changed = expected is not None and (expected.sha256, expected.plan) != (
                report.sha256, report.plan)
            if not commit or report.has_errors or changed or not report.writes:
                report = replace(report, changed_since_preview=changed,
                                 committed=commit and not changed and not report.has_errors)
                raise _RollBack()
            record_audit(session=session, actor=actor, action=AuditAction.IMPORT,
                         entity=entity, detail=_audit_detail(report))
            report = replace(report, committed=True)
    except _RollBack:
        pass
    assert report is not None
    return report


def _report(importer: RowImporter, sheet: Sheet, columns: Sequence[Column], *, kind: str,
            file_name: str, sha256: str, progress: Progress) -> ImportReport:
    """Every row's outcome and problems; what the rows add is written when none has a
    problem. The template's example row is skipped, with a note."""
    results: list[RowResult] = []
    problems: list[Problem] = []
    notes = [Problem(None, header, "roster_import.note.unknown_column",
                     {"name": shown(header)}) for header in sheet.unknown_headers]
    first = columns[0].key
    total = len(sheet.rows)
    for done, row in enumerate(sheet.rows):
        if done % PROGRESS_EVERY == 0:
            progress(done / max(total, 1), "roster_import.progress.rows")
        if cells.text(row.cells.get(first)).strip().startswith(EXAMPLE_MARK):
            notes.append(Problem(row.number, "", "roster_import.note.example_row",
                                 {"row": row.number}))
            continue
        row_cells = RowCells(sheet, columns, row)
        result = importer.row(row_cells)
        if row_cells.problems:
            result = replace(result, outcome=Outcome.ERROR, changed=())
            problems += row_cells.problems
        results.append(result)
    if not problems:
        importer.write()
    progress(1.0, "roster_import.progress.rows")
    return ImportReport(kind, file_name, sha256, tuple(results), tuple(problems), tuple(notes))


def _silent(fraction: float, message_key: str) -> None:
    return None


def _audit_detail(report: ImportReport) -> str:
    return audit_detail(
        "audit.detail.roster_import.summary", file=report.file_name, sha256=report.sha256,
        new=report.count(Outcome.NEW), updated=report.count(Outcome.UPDATE),
        unchanged=report.count(Outcome.UNCHANGED),
    )


# --- names the file uses ---------------------------------------------------------------


@dataclass
class _Lists:
    """An organisation's terms, sectors and committees, by the names a file may use."""

    sectors: dict[str, int]
    committees: dict[str, int]
    terms: dict[str, Term]
    terms_by_number: dict[int, Term]
    current_term: Term | None

    def term(self, written: str) -> Term | None:
        number = cells.ordinal(written)
        return self.terms.get(written) or (
            self.terms_by_number.get(number) if number is not None else None)


class _Names:
    """Organisations and their lists, read once per import."""

    def __init__(self, session: Session, actor: Actor):
        self.session = session
        self.actor = actor
        self._organisations = {name: id_ for id_, name in
                               session.exec(select(Organisation.id, Organisation.name)).all()}
        self._default = actor.organisation_id
        self._lists: dict[int, _Lists] = {}
        self._held: list[object] = []

    def organisation(self, written: str) -> int | None:
        """The organisation named (the importing user's own when blank), if the actor
        sees it; an organisation out of sight is as unknown as one that is not there."""
        if not written:
            if self._default is None:
                self._default = top_organisation_id(session=self.session)
            return self._default
        found = self._organisations.get(written)
        return found if found is not None and self.actor.sees_organisation(found) else None

    def lists(self, organisation_id: int) -> _Lists:
        if organisation_id not in self._lists:
            self._lists[organisation_id] = self._read_lists(organisation_id)
        return self._lists[organisation_id]

    def _read_lists(self, organisation_id: int) -> _Lists:
        """The lists as entities, and the organisation: held here, they stay in the
        session's identity map (it keeps objects only while something refers to them), so
        the roster's checks of each row find them there instead of in the store."""
        def of(model: type[Sector] | type[Committee] | type[Term]) -> list:
            return list(self.session.exec(select(model).where(
                model.organisation_id == organisation_id).order_by(
                *((model.number,) if model is Term else (model.sort_order, model.name))
            )).all())

        self._held.append(self.session.get(Organisation, organisation_id))
        sectors, committees, terms = of(Sector), of(Committee), of(Term)
        self._held += [*sectors, *committees, *terms]
        current = [term for term in terms if term.is_current]
        return _Lists({row.name: row.id for row in sectors},
                      {row.name: row.id for row in committees},
                      {term.name: term for term in terms}, {term.number: term for term in terms},
                      current[-1] if current else None)


# --- one row ---------------------------------------------------------------------------


class RowCells:
    """One row's cells, read by their parsers; what cannot be read is a problem of its
    column."""

    def __init__(self, sheet: Sheet, columns: Sequence[Column], row: Row):
        self.sheet = sheet
        self.row = row
        self.titles = {column.key: column.header for column in columns}
        self.problems: list[Problem] = []

    def given(self, key: str) -> bool:
        """The file has the column (a blank cell in it is a value: "none")."""
        return self.sheet.has(key)

    def text(self, key: str) -> str:
        return cells.text(self.row.cells.get(key))

    def name(self, key: str) -> str:
        return clean_text(self.text(key))

    def read(self, key: str, parse: Callable[[Any], Any]) -> Any:
        try:
            return parse(self.row.cells.get(key))
        except cells.CellError as error:
            self.fail(key, error.message_key, **error.params)
            return None

    def fail(self, key: str | None, message_key: str, **params: object) -> None:
        column = (self.sheet.headers.get(key) or self.titles.get(key, "")) if key else ""
        self.problems.append(Problem(self.row.number, column, message_key, params))

    def header(self, key: str) -> str:
        return self.sheet.headers.get(key) or self.titles[key]

    def failed(self, key: str) -> bool:
        """Whether the column has a problem on this row already."""
        return any(problem.column == self.header(key) for problem in self.problems)


class _Importer:
    """The rows of a roster or contacts file."""

    def __init__(self, *, session: Session, actor: Actor, kind: ImportKind, sheet: Sheet,
                 today: date):
        self.session = session
        self.actor = actor
        self.kind = kind
        self.sheet = sheet
        self.today = today
        self.names = _Names(session, actor)
        self.seen: dict[tuple, int] = {}  # a row's key → the first row with it
        self.new_members: list[MemberInput] = []  # added together, after every row
        self.keyed: dict[int, dict] = {}  # organisation → its members by natural key

    def row(self, row: RowCells) -> RowResult:
        return self._member_row(row) if self.kind is ImportKind.MEMBERS else self._contact_row(row)

    def write(self) -> None:
        insert_members(session=self.session, actor=self.actor, members=self.new_members)

    def _by_key(self, organisation_id: int) -> dict[tuple[str, int | None], list[Member]]:
        """The organisation's members by natural key, read once per import."""
        if organisation_id not in self.keyed:
            self.keyed[organisation_id] = members_by_key(self.session, organisation_id)
        return self.keyed[organisation_id]

    def _first_seen(self, row: RowCells, key: tuple, column: str) -> bool:
        """Whether the row's key is new in the file; a repeat is an error naming the
        first row with it."""
        earlier = self.seen.setdefault(key, row.row.number)
        if earlier != row.row.number:
            row.fail(column, "roster_import.error.duplicate_row", row=earlier)
            return False
        return True

    def _organisation(self, row: RowCells, key: str) -> int | None:
        written = row.name(key) if row.given(key) else ""
        found = self.names.organisation(written)
        if found is None:
            row.fail(key, "roster_import.error.unknown_organisation", name=shown(written))
        return found

    # --- members ---

    def _member_row(self, row: RowCells) -> RowResult:
        name = row.name("name")
        result = RowResult(row.row.number, Outcome.ERROR, name)
        birth_year = row.read("birth_year", cells.year)
        organisation_id = self._organisation(row, "organisation")
        if not name:
            row.fail("name", "roster.error.name_required")
        if organisation_id is None or row.problems:
            return result
        values = self._member_values(row, organisation_id)
        if not self._first_seen(row, (organisation_id, name, birth_year), "name"):
            return result
        found = self._by_key(organisation_id).get((name, birth_year), [])
        if len(found) > 1:
            row.fail("name", "roster_import.error.ambiguous", count=len(found))
        if row.problems:
            return result
        if found:
            return self._update_member(row, result, found[0], values)
        return self._create_member(row, result, organisation_id, name, birth_year, values)

    def _member_values(self, row: RowCells, organisation_id: int) -> dict[str, Any]:
        """The member's fields the row gives. A blank cell clears an optional field and
        means "no" for a yes/no; a blank term or first day in office is not given."""
        lists = self.names.lists(organisation_id)
        values: dict[str, Any] = {}
        for key, known, message_key in (
            ("sector", lists.sectors, "roster_import.error.unknown_sector"),
            ("committee", lists.committees, "roster_import.error.unknown_committee"),
        ):
            written = row.name(key)
            if not written:
                row.fail(key, "roster.error.required")
            elif written not in known:
                row.fail(key, message_key, name=shown(written))
            values[MEMBER_FIELDS[key]] = known.get(written)
        if row.given("term") and row.name("term"):
            term = lists.term(row.name("term"))
            if term is None:
                row.fail("term", "roster_import.error.unknown_term",
                         name=shown(row.name("term")))
            else:
                values["term_id"] = term.id
        parsers: dict[str, Callable[[Any], Any]] = {
            "gender": cells.gender, "standing": _no_when_blank, "cpc": _no_when_blank,
            "in_office_from": cells.day, "in_office_to": cells.day,
        }
        for key, parse in parsers.items():
            if row.given(key):
                values[MEMBER_FIELDS[key]] = row.read(key, parse)
        for key in ("employer", "post", "phone", "base_unit"):
            if row.given(key):
                values[key] = row.text(key)
        if values.get("in_office_from") is None:
            values.pop("in_office_from", None)
        return values

    def _update_member(self, row: RowCells, result: RowResult, member: Member,
                       values: dict[str, Any]) -> RowResult:
        before = clean_input(MemberInput.of(member))
        if not can_manage(self.actor, before.organisation_id, before.committee_id):
            row.fail(None, "roster_import.error.not_allowed")
            return result
        after = clean_input(replace(before, **values))
        changes = {name: getattr(after, name) for name in MemberInput.__dataclass_fields__
                   if getattr(after, name) != getattr(before, name)}
        if not changes:
            return replace(result, outcome=Outcome.UNCHANGED)
        try:
            update_member(session=self.session, actor=self.actor, member_id=member.id,
                          expected_version=member.version, changes=changes, today=self.today,
                          effective_on=self.today)
        except ValidationFailed as refused:
            self._field_errors(row, refused.field_errors)
        except PermissionDenied:
            row.fail(None, "roster_import.error.not_allowed")
        changed = tuple(row.header(_MEMBER_COLUMN_OF[name]) for name in changes)
        return replace(result, outcome=Outcome.UPDATE, changed=changed)

    def _create_member(self, row: RowCells, result: RowResult, organisation_id: int,
                       name: str, birth_year: int | None, values: dict[str, Any]) -> RowResult:
        lists = self.names.lists(organisation_id)
        term = lists.current_term
        if "term_id" not in values:
            if term is None:
                row.fail("term", "roster_import.error.no_current_term")
                return result
            values["term_id"] = term.id
        else:
            term = self.session.get(Term, values["term_id"])
        values.setdefault("in_office_from", term.starts_on)
        data = MemberInput(name=name, birth_year=birth_year, organisation_id=organisation_id,
                           **values)
        if not can_manage(self.actor, organisation_id, data.committee_id):
            row.fail("committee", "roster_import.error.not_allowed")
            return result
        try:
            self.new_members.append(checked_new_member(
                session=self.session, actor=self.actor, data=data, today=self.today,
                check_namesake=False,  # looked up by the key already
            ))
        except ValidationFailed as refused:
            self._field_errors(row, refused.field_errors)
        return replace(result, outcome=Outcome.NEW)

    def _field_errors(self, row: RowCells, errors: dict[str, str]) -> None:
        for name, message_key in errors.items():
            row.fail(_MEMBER_COLUMN_OF.get(name), message_key)

    # --- contact persons ---

    def _contact_row(self, row: RowCells) -> RowResult:
        member_name, name = row.name("member_name"), row.name("name")
        result = RowResult(row.row.number, Outcome.ERROR, member_name, name)
        birth_year = row.read("member_birth_year", cells.year)
        organisation_id = self._organisation(row, "member_organisation")
        for key, written in (("member_name", member_name), ("name", name)):
            if not written:
                row.fail(key, "roster.error.name_required")
        values = self._contact_values(row)
        active = values.pop("is_active", True)
        if organisation_id is None or row.problems:
            return result
        member = self._member_named(row, organisation_id, member_name, birth_year)
        if member is None:
            return result
        if not can_edit_member(self.actor, member):
            row.fail("member_name", "roster_import.error.not_allowed")
            return result
        if not self._first_seen(row, (member.id, name.casefold()), "name"):
            return result
        contact = self._contact_named(row, member.id, name, active)
        if row.problems:
            return result
        try:
            if contact is None:
                self._create_contact(member, name, values, active)
                return replace(result, outcome=Outcome.NEW)
            changed = self._update_contact(contact, values, active)
        except ValidationFailed as refused:
            for field_name, message_key in refused.field_errors.items():
                row.fail(_CONTACT_COLUMN_OF.get(field_name), message_key)
            return result
        if not changed:
            return replace(result, outcome=Outcome.UNCHANGED)
        return replace(result, outcome=Outcome.UPDATE,
                       changed=tuple(row.header(_CONTACT_COLUMN_OF[name]) for name in changed))

    def _member_named(self, row: RowCells, organisation_id: int, name: str,
                      birth_year: int | None) -> Member | None:
        """The member the contact belongs to: by name and birth year, or by name alone
        when the year is blank and one member of the organisation has the name."""
        if birth_year is not None:
            found = self._by_key(organisation_id).get((name, birth_year), [])
        else:
            found = list(self.session.exec(select(Member).where(
                Member.organisation_id == organisation_id, Member.name == name,
                col(Member.deleted_at).is_(None))).all())
        if not found:
            row.fail("member_name", "roster_import.error.unknown_member", name=shown(name))
            return None
        if len(found) > 1:
            row.fail("member_name", "roster_import.error.ambiguous_member", count=len(found))
            return None
        return found[0]

    def _contact_named(self, row: RowCells, member_id: int, name: str,
                       active: bool) -> ContactPerson | None:
        """The stored contact the row is about: the member's active contact of the name
        (letters in any case, as ``services.contacts`` compares them). With none, a row
        saying "no longer active" is about the latest retired one; any other row adds a
        contact, and the retired one stays in the history."""
        same = [contact for contact in self.session.exec(
            select(ContactPerson).where(ContactPerson.member_id == member_id,
                                        col(ContactPerson.deleted_at).is_(None))
            .order_by(ContactPerson.id)).all() if contact.name.casefold() == name.casefold()]
        current = [contact for contact in same if contact.is_active]
        if len(current) > 1:
            row.fail("name", "roster_import.error.ambiguous_contact", count=len(current))
            return None
        if current:
            return current[0]
        return same[-1] if same and not active else None

    def _contact_values(self, row: RowCells) -> dict[str, Any]:
        """The contact's fields the row gives, cleaned as ``services.contacts`` stores
        them (blank is None), so that an unchanged row compares equal."""
        values: dict[str, Any] = {}
        for key, field_name in CONTACT_FIELDS.items():
            if not row.given(key):
                continue
            if key in _DATE_FIELDS:
                values[field_name] = row.read(key, cells.day)
            elif key == "active":
                values[field_name] = row.read(key, _yes_when_blank)
            elif key == "phone":
                values[field_name] = clean_phone(row.text(key)) or None
            else:
                values[field_name] = clean_text(row.text(key),
                                                single_line=key != "note") or None
        return values

    def _create_contact(self, member: Member, name: str, values: dict[str, Any],
                        active: bool) -> None:
        data = ContactInput(name=name, **{  # a blank text is "" in a form's input
            field_name: "" if value is None and field_name not in _DATE_FIELDS else value
            for field_name, value in values.items()})
        contact = contacts.add_contact(session=self.session, actor=self.actor,
                                       member_id=member.id, data=data)
        if not active:
            contacts.retire_contact(session=self.session, actor=self.actor,
                                    contact_id=contact.id, expected_version=contact.version,
                                    ends_on=contact.ends_on or self.today)

    def _update_contact(self, contact: ContactPerson, values: dict[str, Any],
                        active: bool) -> list[str]:
        """The fields changed: the row's values, then "no longer active" (from the row's
        end date, else the stored one, else today)."""
        changes = {field_name: value for field_name, value in values.items()
                   if getattr(contact, field_name) != value}
        if changes:
            contact = contacts.update_contact(
                session=self.session, actor=self.actor, contact_id=contact.id,
                expected_version=contact.version, changes=changes)
        changed = list(changes)
        if contact.is_active and not active:
            contacts.retire_contact(session=self.session, actor=self.actor,
                                    contact_id=contact.id, expected_version=contact.version,
                                    ends_on=contact.ends_on or self.today)
            changed.append("is_active")
        return changed


def shown(text: str) -> str:
    """A name quoted in a message, cut short: a cell may hold thousands of characters."""
    return text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS] + "…"


def _no_when_blank(value: Any) -> bool:
    return bool(cells.flag(value))


def _yes_when_blank(value: Any) -> bool:
    found = cells.flag(value)
    return True if found is None else found


# --- templates -------------------------------------------------------------------------


def import_template(*, session: Session, actor: Actor, kind: ImportKind,
                    file_format: FileFormat, language: str) -> bytes:
    """An empty file to fill in: the Chinese headers and the example row (skipped when
    imported). The Excel template also offers the sectors and committees of the user's
    organisation in drop-down lists and explains every column on a second sheet."""
    actor.require_role(Role.ADMIN, Role.STAFF)
    columns = COLUMNS[kind]
    names = _Names(session, actor)
    organisation_id = names.organisation("")
    lists = names.lists(organisation_id)
    organisation = session.get(Organisation, organisation_id)
    example = _example(kind, columns, organisation.name if organisation else "", lists)
    return template_file(
        columns=columns, example=example, file_format=file_format, language=language,
        choices={"sector": list(lists.sectors), "committee": list(lists.committees)},
        help_key=lambda column: f"roster_import.help.{kind.value}.{column.key}",
        notes=[f"roster_import.template.note.{note}"
               for note in (f"key_{kind.value}", "example", "blank", "limits")],
    )


def template_file(*, columns: Sequence[Column], example: Sequence[object],
                  file_format: FileFormat, language: str, choices: dict[str, list[str]],
                  help_key: Callable[[Column], str], notes: Sequence[str]) -> bytes:
    """Any import's template: as CSV the headers and the example row; as Excel also the
    drop-down ``choices`` by column key and a sheet explaining each column (its
    ``help_key`` message) with the ``notes`` (message keys) under it."""
    if file_format is FileFormat.CSV:
        return to_csv([column.header for column in columns], [list(example)])
    help_rows = [[column.header, column.key,
                  t("roster_import.template.yes" if column.required else
                    "roster_import.template.no", language),
                  t(help_key(column), language)]
                 for column in columns]
    words = [t(note, language, rows=f"{cells.MAX_ROWS:,}",
               size=f"{cells.MAX_FILE_BYTES // 2**20} MB")
             for note in notes]
    return cells.template_workbook(
        columns, example, choices=choices, help_rows=help_rows, notes=words,
        sheet_names=(t("roster_import.template.sheet_rows", language),
                     t("roster_import.template.sheet_help", language)),
        help_header=[t(f"roster_import.template.{word}", language)
                     for word in ("column", "key", "required", "meaning")],
    )


def _example(kind: ImportKind, columns: Sequence[Column], organisation: str,
             lists: _Lists) -> list[object]:
    """The example row, naming the organisation's own lists where it has them."""
    named = {
        "organisation": organisation, "member_organisation": organisation,
        "sector": next(iter(lists.sectors), "教育界"),
        "committee": next(iter(lists.committees), "教科卫体委员会"),
        "term": lists.current_term.name if lists.current_term else "十四届",
    }
    return [named.get(column.key, column.example) for column in columns]
