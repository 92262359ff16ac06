"""Report import: historical opinion reports from a file, previewed row by row and imported
all or nothing by the submission form's rules, each in the last stage it reached with
its adoptions, forwardings, instruction and one timeline event per step, each row once."""

import hashlib
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from core.db import read_session, write_session
from core.i18n import catalog
from models import (
    AdoptionLevel,
    AuditAction,
    AuditEntry,
    Committee,
    InstructionLevel,
    LeaderInstruction,
    ListEntry,
    ListKind,
    Member,
    OpinionAction,
    OpinionAdoption,
    OpinionEvent,
    OpinionForwarding,
    OpinionReport,
    OpinionReportMember,
    OpinionStatus,
    Role,
)
from services import report_import
from services.actors import SYSTEM, Actor
from services.errors import PermissionDenied, ServiceError
from services.exports import FileFormat
from services.opinion import Deadlines, ReportDraft
from services.report_import import (
    REPORT_COLUMNS,
    Instruction,
    Steps,
    adoption_levels,
    commit_import,
    history,
    import_template,
    instruction,
    instruction_level,
    preview_import,
)
from services.roster_import import Outcome
from tests.helpers import factories, import_files
from tests.helpers.import_files import count, errors

TODAY = date(2026, 11, 21)
CATEGORIES = ("民生", "经济", "教育")  # the first of migration 0010's
HEADER = [column.header for column in REPORT_COLUMNS]
S, A = OpinionStatus, OpinionAction
LIMITS = Deadlines()


def report_row(title: str = "关于加装电梯的建议", **cells: object) -> list:
    values = dict.fromkeys(HEADER, "") | {
        "标题": title, "正文": "老旧小区加装电梯进展慢。\n建议简化审批。", "类别": "民生",
        "报送委员": "王芳", "报送日期": "2026-03-01"} | cells
    return [values[column] for column in HEADER]


def full_row(title: str = "关于加装电梯的建议", **cells: object) -> list:
    """A report that went the whole way: adopted at two levels, forwarded to two
    departments that replied, instructed by a leader, fed back."""
    return report_row(title, **{
        "联名委员": "李明；𠮷田", "直通车": "是", "采用情况": "省政协、市政协",
        "采用日期": "2026-03-05", "转送部门": "市住建局、市财政局", "转送日期": "2026/3/6",
        "办理答复": "已纳入改造计划。", "答复日期": "2026年4月1日",
        "领导批示": "张市长：请住建局研究办理。", "批示级别": "市级", "批示日期": "2026-03-20",
        "反馈日期": "2026-04-03"} | cells)


def csv_file(rows: list[list], header: list[str] = HEADER) -> bytes:
    return import_files.csv_file(rows, header)


def xlsx_file(rows: list[list], header: list[str] = HEADER) -> bytes:
    return import_files.xlsx_file(rows, header)


def preview(engine, content: bytes, *, actor: Actor = SYSTEM, name: str = "reports.csv"):
    return preview_import(engine=engine, actor=actor, content=content, file_name=name,
                          today=TODAY)


def commit(engine, content: bytes, *, actor: Actor = SYSTEM, name: str = "reports.csv",
           expected=None):
    return commit_import(engine=engine, actor=actor, content=content, file_name=name,
                         today=TODAY, expected=expected)


def reports(engine) -> list[OpinionReport]:
    with read_session(engine) as session:
        return list(session.exec(select(OpinionReport).order_by(OpinionReport.id)).all())


def events(engine, report_id: int) -> list[tuple]:
    with read_session(engine) as session:
        return [(event.action, event.from_status, event.to_status, event.changed_on,
                 event.note) for event in session.exec(
            select(OpinionEvent).where(OpinionEvent.report_id == report_id)
            .order_by(OpinionEvent.id)).all()]


@pytest.fixture
def org(engine) -> dict[str, int]:
    """王芳, 李明 and 𠮷田 of 教科卫体委员会; 赵强 of 经济委员会; two 张伟 born 1970 and
    1980; the report categories every store starts with (a PostgreSQL test store is
    emptied of them)."""
    with write_session(engine) as session:
        sector, committee, term = factories.organisation(session)
        economy = Committee(organisation_id=factories.TOP, name="经济委员会")
        session.add(economy)
        session.flush()
        ids = {name: factories.member(session, (sector, committee, term), name=name).id
               for name in ("王芳", "李明", "𠮷田")}
        ids["赵强"] = factories.member(session, (sector, economy, term), name="赵强").id
        for year in (1970, 1980):
            namesake = factories.member(session, (sector, committee, term), name="张伟")
            namesake.birth_year = year
            ids[f"张伟{year}"] = namesake.id
        seeded = set(session.exec(select(ListEntry.name).where(
            ListEntry.kind == ListKind.OPINION_CATEGORY)).all())
        session.add_all(ListEntry(organisation_id=factories.TOP, kind=ListKind.OPINION_CATEGORY,
                                  name=name, position=position)
                        for position, name in enumerate(CATEGORIES) if name not in seeded)
        session.flush()
        ids["民生"] = session.exec(select(ListEntry.id).where(
            ListEntry.kind == ListKind.OPINION_CATEGORY, ListEntry.name == "民生")).one()
        ids["committee"], ids["economy"] = committee.id, economy.id
        return ids


def staff(*committee_ids: int) -> Actor:
    return Actor(user_id=None, name="clerk", role=Role.STAFF,
                 committee_ids=frozenset(committee_ids), organisation_id=factories.TOP,
                 organisation_ids=frozenset({factories.TOP}))


# --- good files ------------------------------------------------------------------------


def test_a_report_that_went_the_whole_way_is_stored_with_every_step(engine, org):
    content = csv_file([full_row()])
    report = commit(engine, content)
    assert report.committed and not report.problems, errors(report)
    assert [(row.row, row.outcome, row.member, row.contact) for row in report.rows] == [
        (2, Outcome.NEW, "王芳、李明；𠮷田", "关于加装电梯的建议")]
    stored, = reports(engine)
    assert (stored.title, stored.body, stored.category_id, stored.is_urgent) == (
        "关于加装电梯的建议", "老旧小区加装电梯进展慢。\n建议简化审批。", org["民生"], True)
    assert (stored.status, stored.submitted_on, stored.adoption_level, stored.adopted_on,
            stored.forwarded_on, stored.replied_on, stored.feedback_on) == (
        S.FEEDBACK_GIVEN, date(2026, 3, 1), AdoptionLevel.PROVINCIAL, date(2026, 3, 5),
        date(2026, 3, 6), date(2026, 4, 1), date(2026, 4, 3))
    assert (stored.stage_started_on, stored.due_on) == (date(2026, 4, 3), None)
    assert (stored.organisation_id, stored.committee_id) == (factories.TOP, org["committee"])
    assert stored.idempotency_key == (
        f"import:{hashlib.sha256(content).hexdigest()[:40]}:2")
    with read_session(engine) as session:
        signers = session.exec(select(OpinionReportMember.member_id, OpinionReportMember.is_lead)
                               .order_by(OpinionReportMember.member_id)).all()
        adoptions = session.exec(select(OpinionAdoption.level, OpinionAdoption.adopted_on)
                                 .order_by(OpinionAdoption.id)).all()
        forwardings = session.exec(select(OpinionForwarding).order_by(
            OpinionForwarding.id)).all()
        said = session.exec(select(LeaderInstruction)).one()
        trail = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert sorted(signers) == sorted([(org["王芳"], True), (org["李明"], False),
                                      (org["𠮷田"], False)])
    assert list(adoptions) == [(AdoptionLevel.CITY, date(2026, 3, 5)),
                               (AdoptionLevel.PROVINCIAL, date(2026, 3, 5))]
    assert [(f.department, f.forwarded_on, f.due_on, f.reply, f.replied_on)
            for f in forwardings] == [
        (name, date(2026, 3, 6), date(2026, 3, 6) + timedelta(days=LIMITS.reply_urgent),
         "已纳入改造计划。", date(2026, 4, 1)) for name in ("市住建局", "市财政局")]
    assert (said.leader, said.content, said.level, said.instructed_on) == (
        "张市长", "请住建局研究办理。", InstructionLevel.CITY, date(2026, 3, 20))
    assert events(engine, stored.id) == [
        (A.SUBMIT, None, S.SUBMITTED, date(2026, 3, 1), "导入"),
        (A.ADOPT, S.SUBMITTED, S.ADOPTED, date(2026, 3, 5), "导入"),
        (A.ADOPT, S.ADOPTED, S.ADOPTED, date(2026, 3, 5), "导入"),
        (A.FORWARD, S.ADOPTED, S.FORWARDED, date(2026, 3, 6), "导入"),
        (A.INSTRUCT, S.FORWARDED, S.FORWARDED, date(2026, 3, 20), "导入"),
        (A.REPLY, S.FORWARDED, S.FORWARDED, date(2026, 4, 1), "导入"),
        (A.REPLY, S.FORWARDED, S.REPLIED, date(2026, 4, 1), "导入"),
        (A.GIVE_FEEDBACK, S.REPLIED, S.FEEDBACK_GIVEN, date(2026, 4, 3), "导入"),
    ]
    assert [(entry.action, entry.entity) for entry in trail] == [
        (AuditAction.CREATE, "OpinionReport"), (AuditAction.IMPORT, "OpinionReport")]
    assert '"adoptions": ["city", "provincial"]' in trail[0].after
    assert hashlib.sha256(content).hexdigest() in trail[-1].detail


@pytest.mark.parametrize(("cells", "status", "started", "due"), [
    ({}, S.SUBMITTED, date(2026, 3, 1), date(2026, 3, 1) + timedelta(days=LIMITS.review)),
    ({"直通车": "是"}, S.SUBMITTED, date(2026, 3, 1),
     date(2026, 3, 1) + timedelta(days=LIMITS.review_urgent)),
    ({"采用情况": "全国政协", "采用日期": "2026-03-05"}, S.ADOPTED, date(2026, 3, 5),
     date(2026, 3, 5) + timedelta(days=LIMITS.forward)),
    ({"采用情况": "市政协采用", "采用日期": "2026-03-05", "转送部门": "市教育局",
      "转送日期": "2026-03-06"}, S.FORWARDED, date(2026, 3, 6),
     date(2026, 3, 6) + timedelta(days=LIMITS.reply)),
    ({"采用情况": "city", "采用日期": "2026-03-05", "转送部门": "市教育局",
      "转送日期": "2026-03-06", "办理答复": "已办理", "答复日期": "2026-03-30"},
     S.REPLIED, date(2026, 3, 30), date(2026, 3, 30) + timedelta(days=LIMITS.feedback)),
    ({"采用情况": "市政协", "采用日期": "2026-03-05", "反馈日期": "2026-03-09"},
     S.FEEDBACK_GIVEN, date(2026, 3, 9), None),
    ({"领导批示": "李书记", "批示日期": "2026-03-02"}, S.SUBMITTED, date(2026, 3, 1),
     date(2026, 3, 1) + timedelta(days=LIMITS.review)),  # an instruction is no stage
])
def test_the_status_is_the_last_stage_reached_with_its_deadline(engine, org, cells, status,
                                                                 started, due):
    assert commit(engine, csv_file([report_row(**cells)])).committed
    stored, = reports(engine)
    assert (stored.status, stored.stage_started_on, stored.due_on) == (status, started, due)
    assert events(engine, stored.id)[-1][2] == status


def test_the_preview_writes_nothing_and_agrees_with_the_commit(engine, org):
    content = csv_file([report_row(), full_row()])
    shown = preview(engine, content)
    assert not shown.committed and shown.count(Outcome.NEW) == 2
    assert count(engine, OpinionReport) == 0 and count(engine, AuditEntry) == 0
    assert commit(engine, content, expected=shown).plan == shown.plan
    assert count(engine, OpinionReport) == 2


def test_the_same_file_twice_imports_each_report_once(engine, org):
    content = xlsx_file([full_row(), report_row("第二篇")])
    commit(engine, content, name="reports.xlsx")
    trail, steps = count(engine, AuditEntry), count(engine, OpinionEvent)
    again = commit(engine, content, name="reports.xlsx")
    assert again.committed and not again.problems
    assert [row.outcome for row in again.rows] == [Outcome.UNCHANGED] * 2  # imported before
    assert count(engine, OpinionReport) == 2 and count(engine, OpinionEvent) == steps
    assert count(engine, AuditEntry) == trail  # not even an import row: nothing happened


def test_the_same_file_imported_by_someone_else_meanwhile_fails_whole(engine, org,
                                                                       monkeypatch):
    content = csv_file([report_row(), report_row("第二篇")])
    commit(engine, content)
    read = report_import._ReportRows.__init__

    def read_before_the_other_commit(self, **context):
        read(self, **context)
        self.imported = set()

    monkeypatch.setattr(report_import._ReportRows, "__init__", read_before_the_other_commit)
    with pytest.raises(ServiceError) as refused:
        commit(engine, content)
    assert refused.value.message_key == "report_import.error.imported_meanwhile"
    assert count(engine, OpinionReport) == 2


def test_excel_dates_and_english_headers(engine, org):
    header = ["TITLE", "body", "Category", "lead", "Submitted_On", "adoption", "adopted on"]
    content = xlsx_file([["标题", "正文", "经济", "张伟(1980)", date(2026, 5, 4),
                          "National CPPCC", date(2026, 5, 6)]], header)
    assert commit(engine, content, name="reports.xlsx").committed
    stored, = reports(engine)
    assert (stored.submitted_on, stored.adoption_level, stored.status) == (
        date(2026, 5, 4), AdoptionLevel.NATIONAL, S.ADOPTED)
    with read_session(engine) as session:
        assert session.exec(select(OpinionReportMember.member_id)).one() == org["张伟1980"]


def test_the_template_example_row_is_skipped_with_a_note(engine, org):
    report = commit(engine, csv_file([report_row("（示例）关于"), report_row()]))
    assert [note.message_key for note in report.notes] == ["roster_import.note.example_row"]
    assert [row.row for row in report.rows] == [3]


# --- rows that cannot be imported ------------------------------------------------------


def test_one_bad_row_imports_nothing_and_names_its_row_and_column(engine, org):
    content = csv_file([report_row(), report_row(报送日期="2026-12-01"), full_row()])
    report = commit(engine, content)
    assert not report.committed
    assert errors(report) == [(3, "报送日期", "opinion.error.future_date")]
    assert [row.outcome for row in report.rows] == [Outcome.NEW, Outcome.ERROR, Outcome.NEW]
    assert (count(engine, OpinionReport), count(engine, AuditEntry)) == (0, 0)


def test_the_form_rules_and_the_cells_each_named_by_its_column(engine, org):
    report = preview(engine, csv_file([
        report_row("", 正文="", 类别="", 报送委员=""),
        report_row("题" * 201, 类别="天气", 报送委员="王芳、李明", 报送日期=""),
        report_row(报送委员="王小芳", 联名委员="张伟", 直通车="也许"),
        report_row(采用情况="县政协", 领导批示="王局长：阅", 批示级别="区级"),
    ]))
    assert errors(report) == [
        (2, "标题", "opinion.error.title_required"),
        (2, "正文", "opinion.error.body_required"),
        (2, "报送委员", "opinion.error.lead_required"),
        (3, "标题", "opinion.error.too_long"),
        (3, "类别", "report_import.error.unknown_category"),
        (3, "报送委员", "report_import.error.one_lead"),
        (3, "报送日期", "report_import.error.required"),
        (4, "报送委员", "visit_import.error.unknown_member"),
        (4, "联名委员", "visit_import.error.ambiguous_member"),
        (4, "直通车", "roster_import.error.yes_no"),
        (5, "采用情况", "report_import.error.adoption"),
        (5, "批示级别", "report_import.error.instruction_level"),
        (5, "批示日期", "report_import.error.needs"),
    ]
    assert "市政协、省政协、全国政协" in report.problems[-3].reason("zh_CN")
    assert "“领导批示”已填写" in report.problems[-1].reason("zh_CN")


def test_a_category_is_required_when_the_list_has_some(engine, org):
    report = preview(engine, csv_file([report_row(类别="")]))
    assert errors(report) == [(2, "类别", "opinion.error.category_required")]


def test_each_step_needs_its_date_and_the_step_before_it(engine, org):
    report = preview(engine, csv_file([
        report_row(采用情况="市政协"),
        report_row(采用日期="2026-03-05"),
        report_row(转送部门="市教育局", 转送日期="2026-03-06"),
        report_row(采用情况="市政协", 采用日期="2026-03-05", 办理答复="已办理",
                   答复日期="2026-03-09"),
        report_row(反馈日期="2026-03-09"),
        report_row(采用情况="市政协", 采用日期="2026-03-05", 转送部门="市教育局",
                   转送日期="2026-03-06", 反馈日期="2026-03-09"),
    ]))
    assert errors(report) == [
        (2, "采用日期", "report_import.error.needs"),
        (3, "采用情况", "report_import.error.needs"),
        (4, "采用情况", "report_import.error.needs"),
        (5, "转送部门", "report_import.error.needs"),
        (6, "采用情况", "report_import.error.needs"),
        (7, "办理答复", "report_import.error.needs"),
    ]
    assert count(engine, OpinionReport) == 0


def test_the_dates_follow_each_other_and_none_is_after_today(engine, org):
    report = preview(engine, csv_file([
        full_row(采用日期="2026-02-28"),
        full_row(转送日期="2026-03-04"),
        full_row(答复日期="2026-03-05", 反馈日期="2026-04-03"),
        full_row(反馈日期="2026-03-31"),
        full_row(批示日期="2026-02-01"),
        full_row(反馈日期="2026-11-22"),
    ]))
    assert errors(report) == [
        (2, "采用日期", "report_import.error.before"),
        (3, "转送日期", "report_import.error.before"),
        (4, "答复日期", "report_import.error.before"),
        (5, "反馈日期", "report_import.error.before"),
        (6, "批示日期", "report_import.error.before"),
        (7, "反馈日期", "opinion.error.future_date"),
    ]
    assert "不能早于“报送日期”" in report.problems[0].reason("zh_CN")


def test_a_shared_name_is_ambiguous_until_the_birth_year_names_one(engine, org):
    report = preview(engine, csv_file([report_row(报送委员="张伟")]))
    assert errors(report) == [(2, "报送委员", "visit_import.error.ambiguous_member")]
    assert "张伟(1975)" in report.problems[0].reason("zh_CN")
    assert commit(engine, csv_file([report_row(报送委员="张伟（１９７０）",
                                               联名委员="王芳、张伟（１９７０）")])).committed
    with read_session(engine) as session:
        assert sorted(session.exec(select(OpinionReportMember.member_id)).all()) == sorted(
            [org["张伟1970"], org["王芳"]])  # the lead once, though named twice


def test_staff_import_reports_of_their_committees_members_only(engine, org):
    clerk = staff(org["committee"])
    report = preview(engine, csv_file([report_row(报送委员="赵强"),
                                       report_row(联名委员="赵强")]), actor=clerk)
    assert errors(report) == [(2, "报送委员", "report_import.error.not_allowed")]


def test_leaders_and_members_may_not_import(engine, org):
    for role in (Role.LEADER, Role.MEMBER):
        with pytest.raises(PermissionDenied):
            preview(engine, csv_file([report_row()]), actor=Actor(None, "x", role))


def test_hostile_text_is_stored_as_typed(engine, org):
    formula, markup, rtl = '=HYPERLINK("http://x","y")', "<img src=x onerror=alert(1)>", \
        "مرحبا بالعالم"
    content = xlsx_file([full_row(formula, 正文=f"{markup}\n{rtl}", 报送委员="𠮷田",
                                  联名委员="", 办理答复=formula, 转送部门=markup,
                                  领导批示=f"{rtl}：{formula}")])
    assert commit(engine, content, name="reports.xlsx").committed
    stored, = reports(engine)
    assert (stored.title, stored.body) == (formula, f"{markup}\n{rtl}")
    with read_session(engine) as session:
        forwarding = session.exec(select(OpinionForwarding)).one()
        said = session.exec(select(LeaderInstruction)).one()
        lead = session.exec(select(Member.name).join(
            OpinionReportMember, OpinionReportMember.member_id == Member.id)).one()
    assert (forwarding.department, forwarding.reply) == (markup, formula)
    assert (said.leader, said.content, lead) == (rtl, formula, "𠮷田")


def test_ten_thousand_characters_are_too_long_where_the_form_says_so(engine, org):
    report = preview(engine, csv_file([full_row("题" * 10_000, 办理答复="答" * 10_000,
                                                转送部门="部" * 121)]))
    assert errors(report) == [(2, "标题", "opinion.error.too_long"),
                              (2, "转送部门", "opinion.error.too_long"),
                              (2, "办理答复", "opinion.error.too_long")]
    assert commit(engine, csv_file([report_row(正文="文" * 10_000)])).committed


# --- cells and the timeline ------------------------------------------------------------


@pytest.mark.parametrize(("written", "expected"), [
    ("市政协", (AdoptionLevel.CITY,)),
    ("全国政协、市政协；省政协采用", tuple(AdoptionLevel)),  # lowest first
    ("national", (AdoptionLevel.NATIONAL,)),
    (None, ()),
])
def test_adoption_levels(written, expected):
    assert adoption_levels(written) == expected


@pytest.mark.parametrize(("written", "expected"), [
    (None, InstructionLevel.CITY), ("省级", InstructionLevel.PROVINCIAL),
    ("国家级领导批示", InstructionLevel.NATIONAL), ("City leader", InstructionLevel.CITY)])
def test_instruction_levels(written, expected):
    assert instruction_level(written) is expected


@pytest.mark.parametrize(("written", "expected"), [
    ("张市长：请研究办理。", Instruction("张市长", "请研究办理。")),
    ("张市长: 请研究\n办理", Instruction("张市长", "请研究\n办理")),
    ("张市长", Instruction("张市长", "")),
    ("  ", None),
])
def test_an_instruction_is_leader_colon_text(written, expected):
    assert instruction(written) == expected


def test_an_instruction_stands_in_the_timeline_on_its_day():
    draft = ReportDraft(submitted_on=date(2026, 3, 1))
    steps = Steps(levels=(AdoptionLevel.CITY,), adopted_on=date(2026, 3, 5),
                  instruction=Instruction("张", ""), instructed_on=date(2026, 3, 1))
    assert [(e.action, e.from_status, e.to_status) for e in history(draft, steps)] == [
        (A.SUBMIT, None, S.SUBMITTED), (A.INSTRUCT, S.SUBMITTED, S.SUBMITTED),
        (A.ADOPT, S.SUBMITTED, S.ADOPTED)]


# --- the template ----------------------------------------------------------------------


def test_the_excel_template_explains_itself_and_imports_as_nothing(engine, org):
    with read_session(engine) as session:
        content = import_template(session=session, actor=SYSTEM, file_format=FileFormat.XLSX,
                                  language="zh_CN")
    workbook = load_workbook(io.BytesIO(content))
    rows, help_sheet = workbook.worksheets[:2]
    assert [cell.value for cell in rows[1]] == HEADER
    assert rows["A2"].value.startswith("（示例）") and rows["C2"].value == "民生"
    assert rows["H2"].value == "市政协"
    assert help_sheet["B2"].value == "title"
    formulas = [v.formula1 for v in rows.data_validations.dataValidation]
    assert len(formulas) == 4 and all("lists" in formula for formula in formulas)
    report = commit(engine, content, name="template.xlsx")
    assert (report.rows, report.problems) == ((), ())
    assert [note.message_key for note in report.notes] == ["roster_import.note.example_row"]


def test_the_template_example_itself_is_a_good_row(engine, org):
    with read_session(engine) as session:
        content = import_template(session=session, actor=SYSTEM, file_format=FileFormat.CSV,
                                  language="en")
    text = content.decode("utf-8-sig").replace("（示例）", "", 1)
    assert text.splitlines()[0].startswith('"标题","正文","类别","报送委员"')
    report = commit(engine, text.encode("utf-8-sig"))
    assert report.committed, errors(report)
    stored, = reports(engine)
    assert stored.status is S.FEEDBACK_GIVEN


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_every_column_is_explained_in_both_languages(language):
    keys = {f"report_import.help.{column.key}" for column in REPORT_COLUMNS}
    assert keys - set(catalog(language)) == set()
