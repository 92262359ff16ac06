"""Historical visits from an Excel or CSV file: the registration forms an office kept
before it used Liaison, one row per visit.

The import runs the roster import's two steps (``roster_import.run_import``), as every
import of historical records does (``history_import.HistoryImport``): a preview
that tells each row's outcome (*new*, *already imported*, or *error* with its row,
column and reason), then a commit that writes every row or none, in one transaction.
Each row meets the rules of the quick entry form (``visits.visit_errors``: the date not
in the future and inside every member's time in office, the head count, the lengths,
the problems' categories), and the importing user must be allowed to record a visit of
the row's members (``visits.can_record_for``).

- **Members** are found by name among the live members of the importing user's
  organisations, read once per import (``history_import.MembersByName``). A name two of
  them share is ambiguous: the row says so, and ``王芳(1975)`` (the birth year in
  brackets) names one of them.
- **Exactly once.** Each visit's idempotency key is made of the file's SHA-256 and the
  row's number (``history_import.idempotency_prefix``): importing the same file again
  finds every row already imported and writes nothing.
- **Problems** (问题和建议) are several items separated by line breaks or ``；``, each
  with an optional category prefix (``交通：路灯不亮``); they are stored pending.
- **In bulk.** The rows are checked one by one, then the visits, their members, their
  problems and their audit rows are written in a few statements whatever their number.

docs/visit-import.md has the columns and the rules.
"""

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.i18n import enum_label
from models import (
    AuditAction,
    AuditEntry,
    Channel,
    CollectedProblem,
    ListKind,
    Member,
    MemberAssignment,
    ProblemStatus,
    ProblemStatusChange,
    Role,
    Visit,
    VisitMember,
    VisitOccasion,
    Workstation,
    utcnow,
)
from services import import_files as cells
from services.actors import Actor
from services.audit import audit_row
from services.errors import ServiceError
from services.exports import FileFormat
from services.history_import import (
    HistoryImport,
    ListWords,
    MembersByName,
    idempotency_prefix,
    imported_keys,
    word,
)
from services.import_files import Column
from services.lists import entry_names
from services.organisations import in_scope, top_organisation_id
from services.problems import ProblemItem
from services.roster_import import (
    EXAMPLE_MARK,
    Outcome,
    RowCells,
    RowResult,
    shown,
    template_file,
)
from services.text import clean_text
from services.visits import (
    VisitInput,
    acknowledgement,
    audited,
    can_record_for,
    clean_input,
    visit_errors,
    visit_values,
)

VISITS = "visits"  # the kind, as the import page and the command line name it
ENTITY = "Visit"
OUTCOMES = (Outcome.NEW, Outcome.UNCHANGED, Outcome.ERROR)  # an imported visit never changes
OTHER_CATEGORY = "其他"  # where a problem without a known category prefix goes

VISIT_COLUMNS = (
    Column("members", "委员", ("委员姓名", "参加委员"), required=True,
           example=f"{EXAMPLE_MARK}王芳"),
    Column("date", "走访日期", ("联系时间", "联系日期", "visit_date"), required=True,
           kind=cells.DATE, example=date(2026, 3, 1)),
    Column("channel", "联系渠道", ("联系方式",), required=True),
    Column("occasion", "走访事由", ("事由",)),
    Column("contact_targets", "联系对象", required=True, example="和平社区居民代表"),
    Column("head_count", "人数", ("联系人数",), required=True, kind=cells.NUMBER, example=12),
    Column("workstation", "工作室（站）", ("委员工作室", "委员工作站", "工作室", "工作站")),
    Column("summary", "主要做法和基本情况", ("基本情况", "情况摘要"), required=True,
           example="入户走访，座谈了解社区养老服务需求"),
    Column("problems", "问题和建议", ("收集到的问题和建议", "问题建议")),
)

# The column of a field ``visits.visit_errors`` finds wrong, where its name differs.
_COLUMN_OF = {"visit_date": "date"}
_PROBLEM_SEPARATORS = re.compile(r"[\r\n；]")
_CATEGORY_MARK = re.compile(r"[：:]")


# The two steps, ``preview_import`` and ``commit_import``, are those of every import of
# historical records (``history_import.HistoryImport``), bound below the rows.


# --- reading a row's cells -------------------------------------------------------------


def _words_of(vocabulary: type[StrEnum]) -> dict[str, Any]:
    """An enumeration's values by what a file may write: the value, or its label in
    either language."""
    return {word(written): value for value in vocabulary
            for written in (value.value, enum_label(value, "zh_CN"), enum_label(value, "en"))}


def _labels(vocabulary: type[StrEnum]) -> list[str]:
    return [enum_label(value, "zh_CN") for value in vocabulary]


_CHANNELS = _words_of(Channel)
_OCCASIONS = _words_of(VisitOccasion)


def channel(value: Any) -> Channel | None:
    if value is None:
        return None
    found = _CHANNELS.get(word(cells.text(value)))
    if found is None:
        raise cells.CellError("visit_import.error.channel", name=shown(cells.text(value)),
                              choices="、".join(_labels(Channel)))
    return found


def occasion(value: Any) -> VisitOccasion:
    """The occasion: routine when blank."""
    if value is None:
        return VisitOccasion.ROUTINE
    found = _OCCASIONS.get(word(cells.text(value)))
    if found is None:
        raise cells.CellError("visit_import.error.occasion", name=shown(cells.text(value)))
    return found


def head_count(value: Any) -> int | None:
    """A whole number: 12, 12.0, "12", "１２" or "12人"."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    written = unicodedata.normalize("NFKC", cells.text(value)).strip().removesuffix("人")
    if not re.fullmatch(r"\d{1,9}", written.strip()):
        raise cells.CellError("visits.error.head_count")
    return int(written)


def problem_items(written: str, categories: dict[str, int]) -> tuple[ProblemItem, ...]:
    """The problems of a cell: items on lines of their own or separated by ``；``, each
    with an optional category prefix (``交通：路灯不亮``). ``categories`` maps a category's
    name (as ``history_import.word`` compares it) to its id; an item without a known
    prefix goes to the category 其他, else to the first of the list (none when the list
    is empty)."""
    default = categories.get(word(OTHER_CATEGORY), next(iter(categories.values()), None))
    items: list[ProblemItem] = []
    for part in _PROBLEM_SEPARATORS.split(written):
        part = clean_text(part)
        if not part:
            continue
        prefix, mark, rest = (part, "", "")
        found = _CATEGORY_MARK.search(part)
        if found:
            prefix, mark, rest = part[:found.start()], found.group(), part[found.end():]
        category = categories.get(word(prefix)) if mark else None
        if category is not None and clean_text(rest):
            items.append(ProblemItem(clean_text(rest), category))
        else:
            items.append(ProblemItem(part, default))
    return tuple(items)


# --- the rows --------------------------------------------------------------------------


@dataclass(frozen=True)
class _NewVisit:
    key: str
    data: VisitInput  # cleaned and checked
    members: list[Member]


class _VisitRows:
    """The rows of a visits file. What every row needs from the store is read once: the
    members and workstations of the importing user's organisations, each organisation's
    problem categories and the visits imported from this file before."""

    def __init__(self, *, session: Session, actor: Actor, sha256: str, today: date):
        self.session = session
        self.actor = actor
        self.today = today
        self.prefix = idempotency_prefix(sha256)
        self.members = MembersByName(session=session, actor=actor)
        self.workstations: dict[tuple[int, str], int] = {}  # (organisation, name) → id
        self.held: list[object] = []  # workstations the form's checks read, kept in the session
        for station in session.exec(select(Workstation)
                                    .where(in_scope(Workstation.organisation_id, actor))
                                    .where(col(Workstation.deleted_at).is_(None))
                                    .order_by(col(Workstation.id))):
            self.held.append(station)
            self.workstations.setdefault((station.organisation_id, station.name), station.id)
        self.imported = imported_keys(session=session, key=Visit.idempotency_key,
                                      prefix=self.prefix)
        self.categories = ListWords(session=session, kind=ListKind.PROBLEM_CATEGORY)
        self.new_visits: list[_NewVisit] = []

    def row(self, row: RowCells) -> RowResult:
        key = f"{self.prefix}{row.row.number}"
        result = RowResult(row.row.number, Outcome.ERROR, shown(row.name("members")),
                           shown(row.name("contact_targets")))
        if key in self.imported:
            return replace(result, outcome=Outcome.UNCHANGED)
        members = self.members.named(row, "members")
        organisation_id = members[0].organisation_id if members else None
        data = clean_input(VisitInput(
            member_ids=tuple(member.id for member in members),
            visit_date=row.read("date", cells.day),
            channel=row.read("channel", channel),
            occasion=row.read("occasion", occasion) or VisitOccasion.ROUTINE,
            contact_targets=row.text("contact_targets"),
            head_count=row.read("head_count", head_count),
            workstation_id=self._workstation(row, members),
            summary=row.text("summary"),
            problems=problem_items(row.text("problems"), self.categories.of(organisation_id)),
        ))
        if members and not row.failed("members") and not can_record_for(self.actor, members):
            row.fail("members", "visit_import.error.not_allowed")
        known = {category_id: written for written, category_id in
                 self.categories.of(organisation_id).items()} if members else None
        for name, message_key in visit_errors(self.session, data, members, today=self.today,
                                              categories=known).items():
            column = _COLUMN_OF.get(name, name)
            if not row.failed(column):
                row.fail(column, message_key)
        order = [row.header(column.key) for column in VISIT_COLUMNS]
        row.problems.sort(key=lambda problem: order.index(problem.column))  # the template's order
        if not row.problems:
            self.new_visits.append(_NewVisit(key, data, members))
        return replace(result, outcome=Outcome.NEW)

    def _workstation(self, row: RowCells, members: list[Member]) -> int | None:
        """The workstation named, among those of the members' organisations."""
        name = row.name("workstation")
        if not name or not members:
            return None
        for member in members:
            found = self.workstations.get((member.organisation_id, name))
            if found is not None:
                return found
        row.fail("workstation", "visit_import.error.unknown_workstation", name=shown(name))
        return None

    def write(self) -> None:
        """The visits, their members, their problems with the first step of each one's
        history, and an audit row per visit, in a few statements whatever their number.
        The visits' unique keys make a concurrent import of the same file fail whole."""
        if not self.new_visits:
            return
        now = utcnow()
        rows = [visit_values(new.data) | {
            "organisation_id": new.members[0].organisation_id, "idempotency_key": new.key,
            "recorded_by_user_id": self.actor.user_id,
            **acknowledgement(self.actor, new.members),
            "version": 1, "created_at": now, "updated_at": now,
        } for new in self.new_visits]
        try:
            ids = list(self.session.execute(
                insert(Visit).returning(Visit.id, sort_by_parameter_order=True), rows,
            ).scalars())
        except IntegrityError:  # the same file, imported by someone else meanwhile
            raise ServiceError("visit_import.error.imported_meanwhile") from None
        self.session.execute(insert(VisitMember), [
            {"visit_id": visit_id, "member_id": member_id, "visit_date": new.data.visit_date,
             "position": position}
            for visit_id, new in zip(ids, self.new_visits, strict=True)
            for position, member_id in enumerate(new.data.member_ids)])
        self._write_problems(ids, now)
        self.session.execute(insert(AuditEntry), [
            audit_row(actor=self.actor, action=AuditAction.CREATE, entity=ENTITY,
                      entity_id=visit_id, after=audited(Visit(id=visit_id, **row), new.data))
            for visit_id, row, new in zip(ids, rows, self.new_visits, strict=True)])

    def _write_problems(self, visit_ids: list[int], now: datetime) -> None:
        """The problems as ``problems.add_problems`` stores a form's, pending, in bulk."""
        committees = self._lead_committees()
        rows = [
            {"organisation_id": new.members[0].organisation_id, "visit_id": visit_id,
             "committee_id": committees[new.members[0].id, new.data.visit_date],
             "content": item.content, "category_id": item.category_id,
             "collected_on": new.data.visit_date, "status": ProblemStatus.PENDING,
             "version": 1, "created_at": now, "updated_at": now}
            for visit_id, new in zip(visit_ids, self.new_visits, strict=True)
            for item in new.data.problems]
        if not rows:
            return
        ids = self.session.execute(insert(CollectedProblem).returning(
            CollectedProblem.id, sort_by_parameter_order=True), rows).scalars()
        self.session.execute(insert(ProblemStatusChange), [
            {"problem_id": problem_id, "from_status": None, "to_status": ProblemStatus.PENDING,
             "changed_at": now, "actor_user_id": self.actor.user_id,
             "actor_name": self.actor.name} for problem_id in ids])


    def _lead_committees(self) -> dict[tuple[int, date], int]:
        """The committee that follows up a visit's problems, by lead member and day, as
        ``visits.lead_committee`` finds it (the lead member's committee on the day)
        for every visit with problems in one query."""
        wanted = {(new.members[0].id, new.data.visit_date) for new in self.new_visits
                  if new.data.problems}
        seats: dict[int, list[MemberAssignment]] = {}
        for seat in self.session.exec(select(MemberAssignment).where(
                col(MemberAssignment.member_id).in_(sorted({lead for lead, _ in wanted})))
                .order_by(col(MemberAssignment.starts_on).desc())):
            seats.setdefault(seat.member_id, []).append(seat)
        committee_of = {member.id: member.committee_id
                        for new in self.new_visits for member in new.members[:1]}
        return {(lead, day): next(
            (seat.committee_id for seat in seats.get(lead, [])
             if seat.starts_on <= day and (seat.ends_on is None or seat.ends_on >= day)),
            committee_of[lead]) for lead, day in wanted}


# --- the two steps ---------------------------------------------------------------------


VISIT_IMPORT = HistoryImport(kind=VISITS, columns=VISIT_COLUMNS, entity=ENTITY,
                             rows=_VisitRows)
preview_import = VISIT_IMPORT.preview_import  # what importing the file would do
commit_import = VISIT_IMPORT.commit_import  # the file's visits, all or nothing


# --- the template ----------------------------------------------------------------------


def import_template(*, session: Session, actor: Actor, file_format: FileFormat,
                    language: str) -> bytes:
    """An empty file to fill in: the Chinese headers and the example row (skipped when
    imported). The Excel template offers the channels, the occasions and the user's
    workstations in drop-down lists and explains every column on a second sheet."""
    actor.require_role(Role.ADMIN, Role.STAFF)
    organisation_id = actor.organisation_id or top_organisation_id(session=session)
    categories = entry_names(session=session, organisation_id=organisation_id,
                             kind=ListKind.PROBLEM_CATEGORY)
    stations = sorted(set(session.exec(select(Workstation.name).where(
        Workstation.organisation_id == organisation_id,
        col(Workstation.deleted_at).is_(None))).all()))
    named = {
        "channel": enum_label(Channel.FACE_TO_FACE, "zh_CN"),
        "occasion": enum_label(VisitOccasion.ROUTINE, "zh_CN"),
        "workstation": next(iter(stations), None),
        "problems": "；".join(f"{name}：{text}" for name, text in zip(
            categories.values(), ("社区缺少日间照料中心", "老旧小区加装电梯进展慢"),
            strict=False)) or "社区缺少日间照料中心",
    }
    example = [named.get(column.key, column.example) for column in VISIT_COLUMNS]
    return template_file(
        columns=VISIT_COLUMNS, example=example, file_format=file_format, language=language,
        choices={"channel": _labels(Channel), "occasion": _labels(VisitOccasion),
                 "workstation": stations},
        help_key=lambda column: f"visit_import.help.{column.key}",
        notes=["visit_import.template.note.key", "roster_import.template.note.example",
               "visit_import.template.note.blank", "roster_import.template.note.limits"],
    )

