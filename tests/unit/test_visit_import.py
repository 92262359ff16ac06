"""Visit import: historical registration forms from a file, previewed row by row and
imported all or nothing by the quick entry form's rules, each row exactly once."""

import hashlib
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from core.db import read_session, write_session
from core.i18n import catalog
from models import (
    AuditAction,
    AuditEntry,
    Channel,
    CollectedProblem,
    Committee,
    ListEntry,
    ListKind,
    Member,
    ProblemStatus,
    ProblemStatusChange,
    Role,
    Visit,
    VisitMember,
    VisitOccasion,
)
from services import visit_import
from services.actors import SYSTEM, Actor
from services.errors import PermissionDenied, ServiceError
from services.exports import FileFormat
from services.history_import import NamedMember, named_members
from services.problems import ProblemItem
from services.roster_import import Outcome
from services.visit_import import (
    VISIT_COLUMNS,
    commit_import,
    import_template,
    preview_import,
    problem_items,
)
from tests.helpers import factories, import_files
from tests.helpers.import_files import count, errors

TODAY = date(2026, 11, 21)
CATEGORIES = ("民生保障", "教育", "交通出行", "其他")  # the first of migration 0009's, and 其他
HEADER = ["委员", "走访日期", "联系渠道", "走访事由", "联系对象", "人数", "工作室（站）",
          "主要做法和基本情况", "问题和建议"]


def visit_row(members: str = "王芳", **cells: object) -> list:
    values = {"委员": members, "走访日期": "2026-03-01", "联系渠道": "走访谈心",
              "走访事由": "", "联系对象": "和平社区居民", "人数": 12, "工作室（站）": "",
              "主要做法和基本情况": "座谈了解养老服务需求", "问题和建议": ""} | cells
    return [values[column] for column in HEADER]


def csv_file(rows: list[list], header: list[str] = HEADER, encoding: str = "utf-8-sig") -> bytes:
    return import_files.csv_file(rows, header, encoding)


def xlsx_file(rows: list[list], header: list[str] = HEADER) -> bytes:
    return import_files.xlsx_file(rows, header)


def preview(engine, content: bytes, *, actor: Actor = SYSTEM, name: str = "visits.csv"):
    return preview_import(engine=engine, actor=actor, content=content, file_name=name,
                          today=TODAY)


def commit(engine, content: bytes, *, actor: Actor = SYSTEM, name: str = "visits.csv",
           expected=None):
    return commit_import(engine=engine, actor=actor, content=content, file_name=name,
                         today=TODAY, expected=expected)


def visits(engine) -> list[Visit]:
    with read_session(engine) as session:
        return list(session.exec(select(Visit).order_by(Visit.id)).all())


def members_of(engine, visit_id: int) -> list[str]:
    with read_session(engine) as session:
        return list(session.exec(
            select(Member.name).join(VisitMember, VisitMember.member_id == Member.id)
            .where(VisitMember.visit_id == visit_id).order_by(VisitMember.position)).all())


def problems(engine) -> list[tuple[str, str | None, ProblemStatus]]:
    with read_session(engine) as session:
        names = dict(session.exec(select(ListEntry.id, ListEntry.name)).all())
        return [(p.content, names.get(p.category_id), p.status) for p in session.exec(
            select(CollectedProblem).order_by(CollectedProblem.id)).all()]


@pytest.fixture
def org(engine) -> dict[str, int]:
    """王芳, 李明 and 𠮷田 of 教科卫体委员会; 赵强 of 经济委员会; two 张伟 born 1970 and
    1980; 孙丽 in office from 2026-10-01; a workstation; the problem categories every
    store starts with (a PostgreSQL test store is emptied of them)."""
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
        ids["孙丽"] = factories.member(session, (sector, committee, term), name="孙丽",
                                     in_office_from=date(2026, 10, 1)).id
        ids["station"] = factories.workstation(session, committee).id
        seeded = set(session.exec(select(ListEntry.name).where(
            ListEntry.kind == ListKind.PROBLEM_CATEGORY)).all())
        session.add_all(ListEntry(organisation_id=factories.TOP, kind=ListKind.PROBLEM_CATEGORY,
                                  name=name, position=position)
                        for position, name in enumerate(CATEGORIES) if name not in seeded)
        ids["committee"], ids["economy"] = committee.id, economy.id
        return ids


def staff(*committee_ids: int) -> Actor:
    return Actor(user_id=None, name="clerk", role=Role.STAFF,
                 committee_ids=frozenset(committee_ids), organisation_id=factories.TOP,
                 organisation_ids=frozenset({factories.TOP}))


# --- good files ------------------------------------------------------------------------


def test_a_file_of_visits_is_imported_with_members_problems_and_audit(engine, org):
    content = csv_file([
        visit_row("王芳、李明", 走访事由="界别节日、纪念日",
                  问题和建议="交通出行：路口缺少红绿灯\n建议增设社区食堂",
                  **{"工作室（站）": "东城街道委员工作站"}),
        visit_row("李明", 联系渠道="online", 人数="3人"),
    ])
    report = commit(engine, content)
    assert report.committed and not report.problems
    assert [(row.row, row.outcome, row.member) for row in report.rows] == [
        (2, Outcome.NEW, "王芳、李明"), (3, Outcome.NEW, "李明")]
    joint, single = visits(engine)
    assert (joint.visit_date, joint.channel, joint.occasion, joint.head_count,
            joint.workstation_id, joint.contact_targets) == (
        date(2026, 3, 1), Channel.FACE_TO_FACE, VisitOccasion.SECTOR_HOLIDAY, 12,
        org["station"], "和平社区居民")
    assert (single.channel, single.occasion, single.head_count) == (
        Channel.ONLINE, VisitOccasion.ROUTINE, 3)
    assert members_of(engine, joint.id) == ["王芳", "李明"]  # the lead first
    assert joint.acknowledged_at is not None  # staff and administrators' entries are
    assert problems(engine) == [("路口缺少红绿灯", "交通出行", ProblemStatus.PENDING),
                                ("建议增设社区食堂", "其他", ProblemStatus.PENDING)]
    assert count(engine, ProblemStatusChange) == 2
    with read_session(engine) as session:
        trail = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
        committees = set(session.exec(select(CollectedProblem.committee_id)).all())
    assert committees == {org["committee"]}  # the lead member's, who follows them up
    assert [entry.action for entry in trail] == [AuditAction.CREATE] * 2 + [AuditAction.IMPORT]
    assert [entry.entity for entry in trail] == ["Visit"] * 3
    assert '"member_ids": [' in trail[0].after and "路口缺少红绿灯" in trail[0].after
    assert hashlib.sha256(content).hexdigest() in trail[-1].detail


def test_the_preview_writes_nothing_and_agrees_with_the_commit(engine, org):
    content = csv_file([visit_row(), visit_row("李明")])
    shown = preview(engine, content)
    assert not shown.committed and shown.count(Outcome.NEW) == 2
    assert count(engine, Visit) == 0 and count(engine, AuditEntry) == 0
    assert commit(engine, content, expected=shown).plan == shown.plan
    assert count(engine, Visit) == 2


def test_the_same_file_twice_imports_each_visit_once(engine, org):
    content = xlsx_file([visit_row(问题和建议="交通出行：路灯不亮"), visit_row("李明")])
    commit(engine, content, name="visits.xlsx")
    trail = count(engine, AuditEntry)
    again = commit(engine, content, name="visits.xlsx")
    assert again.committed and not again.problems
    assert [row.outcome for row in again.rows] == [Outcome.UNCHANGED] * 2  # imported before
    assert (count(engine, Visit), count(engine, CollectedProblem)) == (2, 1)
    assert count(engine, AuditEntry) == trail  # not even an import row: nothing happened


def test_the_same_file_imported_by_someone_else_meanwhile_fails_whole(engine, org,
                                                                       monkeypatch):
    content = csv_file([visit_row("李明"), visit_row()])
    commit(engine, content)
    read = visit_import._VisitRows.__init__

    def read_before_the_other_commit(self, **context):
        read(self, **context)
        self.imported = set()

    monkeypatch.setattr(visit_import._VisitRows, "__init__", read_before_the_other_commit)
    with pytest.raises(ServiceError) as refused:
        commit(engine, content)
    assert refused.value.message_key == "visit_import.error.imported_meanwhile"
    assert count(engine, Visit) == 2


def test_the_same_rows_in_another_file_are_other_visits(engine, org):
    """The key is the file's content and the row: a file saved again with a row added
    is a new file (docs/visit-import.md says to import only new rows)."""
    commit(engine, csv_file([visit_row()]))
    commit(engine, csv_file([visit_row(), visit_row("李明")]))
    assert count(engine, Visit) == 3


def test_excel_dates_numbers_and_english_headers(engine, org):
    header = ["Members", "DATE", "channel", "contact targets", "Head_Count", "summary"]
    content = xlsx_file([["王芳", date(2026, 5, 4), "face_to_face", "居民", 7.0, "走访"]],
                        header)
    assert commit(engine, content, name="visits.xlsx").committed
    visit, = visits(engine)
    assert (visit.visit_date, visit.head_count, visit.occasion) == (
        date(2026, 5, 4), 7, VisitOccasion.ROUTINE)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_a_csv_in_utf8_with_or_without_bom_or_in_gbk_is_read(engine, org, encoding):
    commit(engine, csv_file([visit_row("王芳；李明")], encoding=encoding))
    visit, = visits(engine)
    assert members_of(engine, visit.id) == ["王芳", "李明"]
    assert visit.summary == "座谈了解养老服务需求"


@pytest.mark.parametrize("separator", ["、", ";", "；", " ; "])
def test_members_are_separated_by_each_separator(engine, org, separator):
    commit(engine, csv_file([visit_row(f"王芳{separator}李明{separator}")]))
    visit, = visits(engine)
    assert members_of(engine, visit.id) == ["王芳", "李明"]


def test_the_template_example_row_is_skipped_with_a_note(engine, org):
    report = commit(engine, csv_file([visit_row("（示例）王芳"), visit_row()]))
    assert [note.message_key for note in report.notes] == ["roster_import.note.example_row"]
    assert [row.row for row in report.rows] == [3]


# --- rows that cannot be imported ------------------------------------------------------


def test_one_bad_row_imports_nothing_and_names_its_row_and_column(engine, org):
    content = csv_file([visit_row(), visit_row("李明", 走访日期="2026-12-01"), visit_row()])
    report = commit(engine, content)
    assert not report.committed
    assert errors(report) == [(3, "走访日期", "visits.error.date_in_future")]
    assert [row.outcome for row in report.rows] == [Outcome.NEW, Outcome.ERROR, Outcome.NEW]
    assert report.problems[0].reason("en") == "The date of a visit cannot be after today."
    assert report.problems[0].reason("zh_CN") == "走访日期不能晚于今天。"
    assert (count(engine, Visit), count(engine, AuditEntry)) == (0, 0)


def test_every_rule_of_the_form_applies_each_named_by_its_column(engine, org):
    report = preview(engine, csv_file([
        visit_row("孙丽", 走访日期="2026-09-30"),  # not yet in office
        visit_row(联系渠道="上门", 走访事由="偶遇", 人数="很多"),
        visit_row(人数=0, 联系对象="", 主要做法和基本情况=""),
        visit_row(走访日期="3月1日", **{"工作室（站）": "西城工作站"}),
        visit_row(""),
    ]))
    assert errors(report) == [
        (2, "走访日期", "visits.error.not_in_office"),
        (3, "联系渠道", "visit_import.error.channel"),
        (3, "走访事由", "visit_import.error.occasion"),
        (3, "人数", "visits.error.head_count"),
        (4, "联系对象", "visits.error.targets_required"),
        (4, "人数", "visits.error.head_count"),
        (4, "主要做法和基本情况", "visits.error.summary_required"),
        (5, "走访日期", "roster_import.error.date"),
        (5, "工作室（站）", "visit_import.error.unknown_workstation"),
        (6, "委员", "visits.error.members_required"),
    ]
    assert "走访谈心" in report.problems[1].reason("zh_CN")  # the channels to choose from


def test_an_unknown_member_is_named(engine, org):
    report = preview(engine, csv_file([visit_row("王芳、王小芳")]))
    assert errors(report) == [(2, "委员", "visit_import.error.unknown_member")]
    assert "王小芳" in report.problems[0].reason("zh_CN")


def test_a_shared_name_is_ambiguous_until_the_birth_year_names_one(engine, org):
    report = preview(engine, csv_file([visit_row("张伟"), visit_row("张伟(1990)")]))
    assert errors(report) == [(2, "委员", "visit_import.error.ambiguous_member"),
                              (3, "委员", "visit_import.error.unknown_member")]
    assert "张伟(1975)" in report.problems[0].reason("zh_CN")  # how to write it
    commit(engine, csv_file([visit_row("张伟(1980)"), visit_row("张伟（１９７０）、王芳")]))
    later, earlier = visits(engine)
    with read_session(engine) as session:
        lead = {visit.id: session.exec(select(VisitMember.member_id).where(
            VisitMember.visit_id == visit.id, VisitMember.position == 0)).one()
            for visit in (later, earlier)}
    assert lead == {later.id: org["张伟1980"], earlier.id: org["张伟1970"]}


def test_staff_import_visits_of_members_they_may_record_for(engine, org):
    clerk = staff(org["committee"])
    report = preview(engine, csv_file([visit_row("赵强"), visit_row("王芳、赵强")]),
                     actor=clerk)
    assert errors(report) == [(2, "委员", "visit_import.error.not_allowed")]
    assert commit(engine, csv_file([visit_row("王芳、赵强")]), actor=clerk).committed


def test_leaders_and_members_may_not_import(engine, org):
    leader = Actor(user_id=None, name="leader", role=Role.LEADER)
    with pytest.raises(PermissionDenied):
        preview(engine, csv_file([visit_row()]), actor=leader)


def test_hostile_text_is_stored_as_typed(engine, org):
    formula, markup, rtl = '=HYPERLINK("http://x","y")', "<img src=x onerror=alert(1)>", \
        "مرحبا بالعالم"
    content = xlsx_file([visit_row("𠮷田", 联系对象=formula, 主要做法和基本情况=f"{markup} {rtl}",
                                   问题和建议=f"{formula}\n{rtl}")])
    assert commit(engine, content, name="visits.xlsx").committed
    visit, = visits(engine)
    assert (visit.contact_targets, visit.summary) == (formula, f"{markup} {rtl}")
    assert members_of(engine, visit.id) == ["𠮷田"]
    assert [content for content, _, _ in problems(engine)] == [formula, rtl]


def test_ten_thousand_characters_are_too_long(engine, org):
    report = preview(engine, csv_file([visit_row(主要做法和基本情况="情" * 10_000,
                                                 问题和建议="问" * 501)]))
    assert errors(report) == [(2, "主要做法和基本情况", "visits.error.too_long"),
                              (2, "问题和建议", "problems.error.too_long")]


# --- cells -----------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "expected"), [
    ("王芳", [NamedMember("王芳")]),
    (" 王芳 、李明;赵强；", [NamedMember("王芳"), NamedMember("李明"), NamedMember("赵强")]),
    ("张伟(1975)、张伟（1980）", [NamedMember("张伟", 1975), NamedMember("张伟", 1980)]),
    ("张伟 （１９７５）", [NamedMember("张伟", 1975)]),
    ("艾力(维吾尔族)", [NamedMember("艾力(维吾尔族)")]),  # brackets without a year: a name
])
def test_members_as_a_cell_names_them(written, expected):
    assert named_members(written) == expected


def test_problems_with_a_category_prefix_or_the_other_category():
    categories = {"交通": 1, "其他": 2, "教育": 3}
    assert problem_items("交通：路灯不亮；教育:  缺老师\n\n未知：内容；  纯文本  ",
                         categories) == (
        ProblemItem("路灯不亮", 1), ProblemItem("缺老师", 3), ProblemItem("未知：内容", 2),
        ProblemItem("纯文本", 2))
    assert problem_items("纯文本", {"民生": 7, "交通": 1}) == (ProblemItem("纯文本", 7),)
    assert problem_items("纯文本", {}) == (ProblemItem("纯文本", None),)


@pytest.mark.parametrize(("written", "expected"), [
    (12, 12), (12.0, 12), ("12", 12), ("１２", 12), ("12人", 12), (None, None)])
def test_head_counts(written, expected):
    assert visit_import.head_count(written) == expected


@pytest.mark.parametrize("written", ["面谈", "face to face!", "走访"])
def test_what_is_no_channel(written):
    with pytest.raises(visit_import.cells.CellError):
        visit_import.channel(written)


@pytest.mark.parametrize("written", ["走访谈心", "face_to_face", "FACE TO FACE",
                                     "Face-to-face visit or talk"])
def test_a_channel_by_its_label_or_value(written):
    assert visit_import.channel(written) is Channel.FACE_TO_FACE


# --- the template ----------------------------------------------------------------------


def test_the_excel_template_explains_itself_and_imports_as_nothing(engine, org):
    with read_session(engine) as session:
        content = import_template(session=session, actor=SYSTEM, file_format=FileFormat.XLSX,
                                  language="zh_CN")
    workbook = load_workbook(io.BytesIO(content))
    rows, help_sheet = workbook.worksheets[:2]
    assert [cell.value for cell in rows[1]] == [column.header for column in VISIT_COLUMNS]
    assert [cell.value for cell in rows[2]][:3] == ["（示例）王芳", rows["B2"].value, "走访谈心"]
    assert rows["G2"].value == "东城街道委员工作站"
    assert rows["I2"].value == "民生保障：社区缺少日间照料中心；教育：老旧小区加装电梯进展慢"
    assert help_sheet["B2"].value == "members"
    formulas = [v.formula1 for v in rows.data_validations.dataValidation]
    assert len(formulas) == 3 and all("lists" in formula for formula in formulas)
    report = commit(engine, content, name="template.xlsx")
    assert (report.rows, report.problems) == ((), ())
    assert [note.message_key for note in report.notes] == ["roster_import.note.example_row"]


def test_the_csv_template_has_the_headers_and_the_example(engine, org):
    with read_session(engine) as session:
        content = import_template(session=session, actor=SYSTEM, file_format=FileFormat.CSV,
                                  language="en")
    assert content.decode("utf-8-sig").splitlines()[0].startswith('"委员","走访日期","联系渠道"')
    assert commit(engine, content).notes[0].message_key == "roster_import.note.example_row"


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_every_column_is_explained_in_both_languages(language):
    keys = {f"visit_import.help.{column.key}" for column in VISIT_COLUMNS}
    assert keys - set(catalog(language)) == set()
