"""Historical public-opinion reports (社情民意信息) from an Excel or CSV file: the reports an
office kept before it used Liaison, one row per report, with how far each got.

The import runs the roster import's two steps (``roster_import.run_import``), as the visit
import does (``history_import.HistoryImport``): a preview that tells each row's outcome
(*new*, *already imported*, or *error* with its row, column and reason), then a commit
that writes every row or none, in one transaction. Each row meets the submission form's
rules (``opinion.draft_errors``: title, body, category, lead member and co-signers, the
date not in the future), and the importing user must be allowed to submit for the lead
member (``opinion.may_submit_for``).

- **How far it got.** The row's later columns say which steps of the feedback loop the
  report went through (adopted at one or more levels, forwarded to departments, their
  reply, feedback to the members, a leader's instruction); each step needs the one
  before it (``services.opinion.TRANSITIONS``) and its date, and the dates follow each
  other and are not after today. The report is stored in the last stage reached, with
  its adoption, forwarding and instruction rows and one ``OpinionEvent`` per step
  (dated that step's day, by the importing user, noted 导入); the current stage's
  deadline is ``opinion.stage_due`` of the day it began.
- **Members** are found by name as the visit import finds them (``王芳(1975)`` for
  namesakes), among the live members of the importing user's organisations
  (``history_import.MembersByName``).
- **Exactly once.** Each report's idempotency key is made of the file's SHA-256 and the
  row's number (``history_import.idempotency_prefix``): importing the same file again
  finds every row already imported and writes nothing.

docs/report-import.md has the columns and the rules.
"""

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.i18n import enum_label
from models import (
    AdoptionLevel,
    AuditAction,
    AuditEntry,
    InstructionLevel,
    LeaderInstruction,
    ListKind,
    Member,
    OpinionAction,
    OpinionAdoption,
    OpinionEvent,
    OpinionForwarding,
    OpinionReport,
    OpinionReportMember,
    OpinionReportSeen,
    OpinionStatus,
    Role,
    User,
    utcnow,
)
from services import import_files as cells
from services.actors import Actor
from services.audit import audit_row, snapshot
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
from services.lists import entries
from services.opinion import (
    DEPARTMENT_LENGTH,
    MAX_DEPARTMENTS,
    NAME_LENGTH,
    TEXT_LENGTH,
    ReportDraft,
    deadlines,
    draft_errors,
    may_submit_for,
    stage_due,
)
from services.organisations import top_organisation_id
from services.roster_import import (
    EXAMPLE_MARK,
    Outcome,
    RowCells,
    RowResult,
    shown,
    template_file,
)
from services.text import clean_text
from services.visits import lead_committee

REPORTS = "reports"  # the kind, as the import page and the command line name it
ENTITY = "OpinionReport"
OUTCOMES = (Outcome.NEW, Outcome.UNCHANGED, Outcome.ERROR)  # an imported report never changes
IMPORT_NOTE = "导入"  # the note of every step an import writes

S, A = OpinionStatus, OpinionAction

REPORT_COLUMNS = (
    Column("title", "标题", ("信息标题", "题目"), required=True,
           example=f"{EXAMPLE_MARK}关于加快老旧小区加装电梯的建议"),
    Column("body", "正文", ("内容", "信息内容"), required=True,
           example="我市老旧小区多建于上世纪九十年代，居民上下楼困难……"),
    Column("category", "类别", ("信息类别",), required=True),
    Column("lead", "报送委员", ("委员", "牵头委员", "第一报送人"), required=True, example="王芳"),
    Column("co_signers", "联名委员", ("联名",)),
    Column("submitted_on", "报送日期", ("报送时间",), required=True, kind=cells.DATE,
           example=date(2026, 3, 1)),
    Column("urgent", "直通车", ("是否直通车",), choices=("是", "否"), example="否"),
    Column("adoption", "采用情况", ("采用级别",), example="市政协"),
    Column("adopted_on", "采用日期", kind=cells.DATE, example=date(2026, 3, 10)),
    Column("departments", "转送部门", ("承办部门",), example="市住房和城乡建设局"),
    Column("forwarded_on", "转送日期", kind=cells.DATE, example=date(2026, 3, 12)),
    Column("reply", "办理答复", ("答复情况", "部门答复"),
           example="已纳入年度老旧小区改造计划，今年完成加装电梯 120 部。"),
    Column("replied_on", "答复日期", kind=cells.DATE, example=date(2026, 4, 10)),
    Column("instruction", "领导批示", ("批示",)),
    Column("instruction_level", "批示级别"),
    Column("instructed_on", "批示日期", kind=cells.DATE),
    Column("feedback_on", "反馈日期", ("反馈委员日期",), kind=cells.DATE,
           example=date(2026, 4, 15)),
)

_SEPARATORS = re.compile(r"[、;；\r\n]")
_LEADER_MARK = re.compile(r"[：:]")
_SHORT = {AdoptionLevel: "采用", InstructionLevel: "领导批示"}  # a label's tail a file may drop
# Each step's date column, the column whose content it dates, and the column it must not
# come before.
_DATED = (("adopted_on", "adoption", "submitted_on"),
          ("forwarded_on", "departments", "adopted_on"),
          ("replied_on", "reply", "forwarded_on"),
          ("instructed_on", "instruction", "submitted_on"))


# The two steps, ``preview_import`` and ``commit_import``, are those of every import of
# historical records (``history_import.HistoryImport``), bound below the rows.


# --- reading a row's cells -------------------------------------------------------------


def _vocabulary(levels: type[StrEnum]) -> dict[str, Any]:
    """A level by what a file may write: its value, its label in either language, or the
    Chinese label without its tail (市政协 for 市政协采用, 市级 for 市级领导批示)."""
    found: dict[str, Any] = {}
    for level in levels:
        label = enum_label(level, "zh_CN")
        for written in (level.value, label, enum_label(level, "en"),
                        label.removesuffix(_SHORT[levels])):
            found[word(written)] = level
    return found


def short_labels(levels: type[StrEnum]) -> list[str]:
    """The levels as the template offers them: 市政协, 省政协, 全国政协; 市级 …"""
    return [enum_label(level, "zh_CN").removesuffix(_SHORT[levels]) for level in levels]


_ADOPTIONS = _vocabulary(AdoptionLevel)
_INSTRUCTIONS = _vocabulary(InstructionLevel)


def parts(written: str) -> list[str]:
    """The items of a cell, separated by ``、``, ``;`` (half or full width) or line
    breaks, each cleaned, each once."""
    return list(dict.fromkeys(filter(None, map(clean_text, _SEPARATORS.split(written)))))


def adoption_levels(value: Any) -> tuple[AdoptionLevel, ...]:
    """The levels that adopted a report, lowest first: 市政协、省政协."""
    levels: set[AdoptionLevel] = set()
    for part in parts(cells.text(value)):
        level = _ADOPTIONS.get(word(part))
        if level is None:
            raise cells.CellError("report_import.error.adoption", name=shown(part),
                                  choices="、".join(short_labels(AdoptionLevel)))
        levels.add(level)
    return tuple(level for level in AdoptionLevel if level in levels)


def instruction_level(value: Any) -> InstructionLevel:
    """A leader's level: the office's own (city) when blank."""
    if value is None:
        return InstructionLevel.CITY
    level = _INSTRUCTIONS.get(word(cells.text(value)))
    if level is None:
        raise cells.CellError("report_import.error.instruction_level",
                              name=shown(cells.text(value)),
                              choices="、".join(short_labels(InstructionLevel)))
    return level


def no_when_blank(value: Any) -> bool:
    return bool(cells.flag(value))


@dataclass(frozen=True)
class Instruction:
    leader: str
    text: str


def instruction(written: str) -> Instruction | None:
    """``领导：批示内容`` (full- or half-width colon); without a colon the cell is the
    leader's name alone."""
    written = clean_text(written, single_line=False)
    if not written:
        return None
    found = _LEADER_MARK.search(written)
    if found is None:
        return Instruction(clean_text(written), "")
    return Instruction(clean_text(written[:found.start()]),
                       clean_text(written[found.end():], single_line=False))


# --- the rows --------------------------------------------------------------------------


@dataclass(frozen=True)
class Steps:
    """How far a report got, as a row tells it (cleaned and checked)."""

    levels: tuple[AdoptionLevel, ...] = ()
    adopted_on: date | None = None
    departments: tuple[str, ...] = ()
    forwarded_on: date | None = None
    reply: str = ""
    replied_on: date | None = None
    instruction: Instruction | None = None
    instruction_level: InstructionLevel = InstructionLevel.CITY
    instructed_on: date | None = None
    feedback_on: date | None = None


@dataclass(frozen=True)
class _NewReport:
    key: str
    draft: ReportDraft  # cleaned and checked
    lead: Member
    steps: Steps
    committee_id: int  # the lead's on the submission day: the report goes to it


@dataclass(frozen=True)
class Event:
    action: OpinionAction
    from_status: OpinionStatus | None
    to_status: OpinionStatus
    on: date


def history(draft: ReportDraft, steps: Steps) -> list[Event]:
    """The steps a report went through, in the order of the loop: submitted, adopted at
    each level, forwarded, each department's reply (the last one makes it replied),
    feedback to the members; a leader's instruction, which is no stage, on its day."""
    assert draft.submitted_on is not None
    events = [Event(A.SUBMIT, None, S.SUBMITTED, draft.submitted_on)]

    def step(action: OpinionAction, to_status: OpinionStatus, on: date) -> None:
        events.append(Event(action, events[-1].to_status, to_status, on))

    for _ in steps.levels:  # one adoption a level, on the same day
        assert steps.adopted_on is not None
        step(A.ADOPT, S.ADOPTED, steps.adopted_on)
    if steps.departments:
        assert steps.forwarded_on is not None
        step(A.FORWARD, S.FORWARDED, steps.forwarded_on)
    if steps.reply:
        assert steps.replied_on is not None
        for number in range(1, len(steps.departments) + 1):
            step(A.REPLY, S.REPLIED if number == len(steps.departments) else S.FORWARDED,
                 steps.replied_on)
    if steps.feedback_on is not None:
        step(A.GIVE_FEEDBACK, S.FEEDBACK_GIVEN, steps.feedback_on)
    if steps.instruction is not None and steps.instructed_on is not None:
        at = sum(1 for event in events if event.on <= steps.instructed_on)
        status = events[at - 1].to_status
        events.insert(at, Event(A.INSTRUCT, status, status, steps.instructed_on))
    return events


class _ReportRows:
    """The rows of a reports file. What every row needs from the store is read once: the
    members of the importing user's organisations, each organisation's report
    categories, the stage deadlines and the reports imported from this file before."""

    def __init__(self, *, session: Session, actor: Actor, sha256: str, today: date):
        self.session = session
        self.actor = actor
        self.today = today
        self.prefix = idempotency_prefix(sha256)
        self.members = MembersByName(session=session, actor=actor)
        self.imported = imported_keys(session=session, key=OpinionReport.idempotency_key,
                                      prefix=self.prefix)
        self.limits = deadlines(session=session)
        self.categories = ListWords(session=session, kind=ListKind.OPINION_CATEGORY)
        self.new_reports: list[_NewReport] = []

    def row(self, row: RowCells) -> RowResult:
        key = f"{self.prefix}{row.row.number}"
        signers = "、".join(filter(None, (row.name("lead"), row.name("co_signers"))))
        result = RowResult(row.row.number, Outcome.ERROR, shown(signers),
                           shown(row.name("title")))
        if key in self.imported:
            return replace(result, outcome=Outcome.UNCHANGED)
        leads = self.members.named(row, "lead")
        lead = leads[0] if leads else None
        if len(leads) > 1:
            row.fail("lead", "report_import.error.one_lead")
        co_signers = tuple(member.id for member in self.members.named(row, "co_signers")
                           if lead is None or member.id != lead.id)
        categories = self.categories.of(lead.organisation_id if lead else None)
        draft = ReportDraft(
            title=row.name("title"), body=clean_text(row.text("body"), single_line=False),
            category_id=self._category(row, categories), lead_member_id=lead.id if lead else None,
            co_signer_ids=co_signers, is_urgent=bool(row.read("urgent", no_when_blank)),
            submitted_on=row.read("submitted_on", cells.day))
        committee_id = (lead_committee(self.session, lead, draft.submitted_on)
                        if lead is not None and draft.submitted_on is not None else None)
        if lead is not None and not row.failed("lead") and not may_submit_for(
                self.actor, lead, committee_id=committee_id):
            row.fail("lead", "report_import.error.not_allowed")
        if draft.submitted_on is None and not row.failed("submitted_on"):
            row.fail("submitted_on", "report_import.error.required")
        names = {category_id: written for written, category_id in categories.items()}
        for name, message_key in draft_errors(self.session, draft, lead, today=self.today,
                                              categories=names if lead else None).items():
            if not row.failed(name):
                row.fail(name, message_key)
        steps = self._steps(row, draft)
        order = [row.header(column.key) for column in REPORT_COLUMNS]
        row.problems.sort(key=lambda problem: order.index(problem.column)
                          if problem.column in order else -1)  # the template's order
        if not row.problems:
            assert lead is not None and committee_id is not None
            self.new_reports.append(_NewReport(key, draft, lead, steps, committee_id))
        return replace(result, outcome=Outcome.NEW)

    def _category(self, row: RowCells, categories: dict[str, int]) -> int | None:
        name = row.name("category")
        if not name or not categories:
            return None
        found = categories.get(word(name))
        if found is None:
            row.fail("category", "report_import.error.unknown_category", name=shown(name))
        return found

    def _steps(self, row: RowCells, draft: ReportDraft) -> Steps:
        """The later columns, each step checked against the one before it and the
        dates against each other and today."""
        said = instruction(row.text("instruction"))
        steps = Steps(
            levels=row.read("adoption", adoption_levels) or (),
            adopted_on=row.read("adopted_on", cells.day),
            departments=tuple(parts(row.text("departments"))),
            forwarded_on=row.read("forwarded_on", cells.day),
            reply=clean_text(row.text("reply"), single_line=False),
            replied_on=row.read("replied_on", cells.day),
            instruction=said,
            instruction_level=row.read("instruction_level", instruction_level)
            or InstructionLevel.CITY,
            instructed_on=row.read("instructed_on", cells.day),
            feedback_on=row.read("feedback_on", cells.day),
        )
        given = {"adoption": bool(steps.levels), "departments": bool(steps.departments),
                 "reply": bool(steps.reply), "instruction": said is not None,
                 "instruction_level": bool(row.name("instruction_level"))}
        dates = {key: getattr(steps, key) for key in (
            "adopted_on", "forwarded_on", "replied_on", "instructed_on", "feedback_on")}
        dates["submitted_on"] = draft.submitted_on
        for date_column, content, _ in _DATED:  # a step and its day go together
            if given[content] and dates[date_column] is None:
                self._needs(row, date_column, content)
            elif dates[date_column] is not None and not given[content]:
                self._needs(row, content, date_column)
        for later, earlier in (("departments", "adoption"), ("reply", "departments"),
                               ("instruction_level", "instruction")):
            if given[later] and not given[earlier]:
                self._needs(row, earlier, later)
        if steps.feedback_on is not None:  # after the adoption, and after any reply
            if not given["adoption"]:
                self._needs(row, "adoption", "feedback_on")
            elif given["departments"] and not given["reply"]:
                self._needs(row, "reply", "feedback_on")
        self._step_texts(row, steps)
        self._dates_in_order(row, dates)
        return steps

    def _needs(self, row: RowCells, missing: str, because: str) -> None:
        if not row.failed(missing):
            row.fail(missing, "report_import.error.needs", column=row.header(because))

    def _step_texts(self, row: RowCells, steps: Steps) -> None:
        if len(steps.departments) > MAX_DEPARTMENTS:
            row.fail("departments", "opinion.error.too_many_departments")
        elif any(len(name) > DEPARTMENT_LENGTH for name in steps.departments):
            row.fail("departments", "opinion.error.too_long")
        if len(steps.reply) > TEXT_LENGTH:
            row.fail("reply", "opinion.error.too_long")
        said = steps.instruction
        if said is not None and not said.leader:
            row.fail("instruction", "opinion.error.leader_required")
        elif said is not None and (len(said.leader) > NAME_LENGTH
                                   or len(said.text) > TEXT_LENGTH):
            row.fail("instruction", "opinion.error.too_long")

    def _dates_in_order(self, row: RowCells, dates: dict[str, date | None]) -> None:
        """No day after today; each step's day not before the step it follows (feedback
        after the reply, else after the adoption)."""
        follows = {later: earlier for later, _, earlier in _DATED}
        follows["feedback_on"] = "replied_on" if dates["replied_on"] else "adopted_on"
        for column, day in dates.items():
            if day is None or row.failed(column):
                continue
            earlier = follows.get(column)
            if day > self.today:
                row.fail(column, "opinion.error.future_date")
            elif earlier and dates[earlier] is not None and day < dates[earlier]:
                row.fail(column, "report_import.error.before",
                         column=row.header(earlier))

    def write(self) -> None:
        """The reports, their members, adoptions, forwardings, instructions, events and
        an audit row per report, in a few statements whatever their number. The reports'
        unique keys make a concurrent import of the same file fail whole."""
        if not self.new_reports:
            return
        now = utcnow()
        rows = [self._values(new, now) for new in self.new_reports]
        try:
            ids = list(self.session.execute(
                insert(OpinionReport).returning(OpinionReport.id,
                                                sort_by_parameter_order=True), rows,
            ).scalars())
        except IntegrityError:  # the same file, imported by someone else meanwhile
            raise ServiceError("report_import.error.imported_meanwhile") from None
        made = list(zip(ids, self.new_reports, strict=True))
        self.session.execute(insert(OpinionReportMember), [
            {"report_id": report_id, "member_id": member_id, "is_lead": member_id == new.lead.id,
             "submitted_on": new.draft.submitted_on}
            for report_id, new in made for member_id in (new.lead.id, *new.draft.co_signer_ids)])
        stamps = {"created_at": now, "updated_at": now}
        self._insert(OpinionAdoption, [
            {"report_id": report_id, "level": level, "adopted_on": new.steps.adopted_on,
             **stamps} for report_id, new in made for level in new.steps.levels])
        self._insert(OpinionForwarding, [
            {"report_id": report_id, "department": department,
             "forwarded_on": new.steps.forwarded_on, "due_on": self._reply_due(new),
             "reply": new.steps.reply or None, "replied_on": new.steps.replied_on, **stamps}
            for report_id, new in made for department in new.steps.departments])
        self._insert(LeaderInstruction, [
            {"report_id": report_id, "level": new.steps.instruction_level,
             "leader": new.steps.instruction.leader, "instructed_on": new.steps.instructed_on,
             "content": new.steps.instruction.text or None}
            for report_id, new in made if new.steps.instruction is not None])
        self._insert(OpinionEvent, [
            {"report_id": report_id, "action": event.action, "from_status": event.from_status,
             "to_status": event.to_status, "changed_at": now, "changed_on": event.on,
             "actor_user_id": self.actor.user_id, "actor_name": self.actor.label[:60],
             "note": IMPORT_NOTE}
            for report_id, new in made for event in history(new.draft, new.steps)])
        self._insert(OpinionReportSeen, self._seen(made, now))
        self.session.execute(insert(AuditEntry), [
            audit_row(actor=self.actor, action=AuditAction.CREATE, entity=ENTITY,
                      entity_id=report_id, after=self._audited(report_id, row, new))
            for (report_id, new), row in zip(made, rows, strict=True)])

    def _seen(self, made: list[tuple[int, _NewReport]], now: datetime) -> list[dict[str, Any]]:
        """The imported history is not news to the users of its members: seen now."""
        signers = {report_id: {new.lead.id, *new.draft.co_signer_ids} for report_id, new in made}
        member_ids = sorted(set().union(*signers.values())) if signers else []
        users = self.session.exec(select(User.id, User.member_id).where(
            col(User.member_id).in_(member_ids))).all() if member_ids else []
        return [{"user_id": user_id, "report_id": report_id, "seen_at": now}
                for report_id, members in signers.items()
                for user_id, member_id in users if member_id in members]

    def _insert(self, model: type, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.session.execute(insert(model), rows)

    def _reply_due(self, new: _NewReport) -> date:
        assert new.steps.forwarded_on is not None
        return new.steps.forwarded_on + timedelta(
            days=self.limits.days("reply", new.draft.is_urgent))

    def _values(self, new: _NewReport, now: datetime) -> dict[str, Any]:
        """The report's columns in the last stage it reached."""
        draft, steps = new.draft, new.steps
        events = history(draft, steps)
        status = events[-1].to_status
        started = next(event.on for event in reversed(events)
                       if event.from_status is not event.to_status)
        silent = [self._reply_due(new)] if status is S.FORWARDED else []
        return {
            "title": draft.title, "body": draft.body, "category_id": draft.category_id,
            "organisation_id": new.lead.organisation_id, "committee_id": new.committee_id,
            "is_urgent": draft.is_urgent, "submitted_on": draft.submitted_on,
            "status": status, "stage_started_on": started,
            "due_on": stage_due(status, started, draft.is_urgent, self.limits, silent),
            "adoption_level": steps.levels[-1] if steps.levels else None,
            "adopted_on": steps.adopted_on, "forwarded_on": steps.forwarded_on,
            "replied_on": steps.replied_on if steps.reply else None,
            "feedback_on": steps.feedback_on, "status_changed_at": now,
            "idempotency_key": new.key, "version": 1, "created_at": now, "updated_at": now,
        }

    @staticmethod
    def _audited(report_id: int, row: dict[str, Any], new: _NewReport) -> dict[str, Any]:
        """The create row's values: the report's, its members and how far it got."""
        steps = new.steps
        return snapshot(OpinionReport(id=report_id, **row)) | {
            "members": [new.lead.id, *new.draft.co_signer_ids],
            "adoptions": [level.value for level in steps.levels],
            "departments": list(steps.departments),
            "instruction": steps.instruction.leader if steps.instruction else None,
        }


# --- the two steps ---------------------------------------------------------------------


REPORT_IMPORT = HistoryImport(kind=REPORTS, columns=REPORT_COLUMNS, entity=ENTITY,
                              rows=_ReportRows)
preview_import = REPORT_IMPORT.preview_import  # what importing the file would do
commit_import = REPORT_IMPORT.commit_import  # the file's reports, all or nothing


# --- the template ----------------------------------------------------------------------


def import_template(*, session: Session, actor: Actor, file_format: FileFormat,
                    language: str) -> bytes:
    """An empty file to fill in: the Chinese headers and the example row (skipped when
    imported). The Excel template offers the report categories, yes/no and the levels in
    drop-down lists and explains every column on a second sheet."""
    actor.require_role(Role.ADMIN, Role.STAFF)
    organisation_id = actor.organisation_id or top_organisation_id(session=session)
    categories = [entry.name for entry in entries(
        session=session, organisation_id=organisation_id, kind=ListKind.OPINION_CATEGORY)]
    named = {"category": next(iter(categories), "民生")}
    example = [named.get(column.key, column.example) for column in REPORT_COLUMNS]
    return template_file(
        columns=REPORT_COLUMNS, example=example, file_format=file_format, language=language,
        choices={"category": categories, "adoption": short_labels(AdoptionLevel),
                 "instruction_level": short_labels(InstructionLevel)},
        help_key=lambda column: f"report_import.help.{column.key}",
        notes=["report_import.template.note.key", "roster_import.template.note.example",
               "report_import.template.note.blank", "roster_import.template.note.limits"],
    )
