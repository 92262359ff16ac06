"""Roster import: a file's rows previewed (new / update / unchanged / error) and imported
all or nothing, by the rules of the roster form; hostile files refused whole."""

import csv
import hashlib
import io
import zipfile
from datetime import date

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func
from sqlmodel import select

from core.db import read_session, write_session
from core.i18n import catalog
from models import (
    AuditAction,
    AuditEntry,
    Committee,
    ContactPerson,
    Member,
    MemberAssignment,
    Organisation,
    OrgLevel,
    Role,
    Sector,
    Term,
)
from services import contacts, import_files, roster
from services.actors import SYSTEM, Actor
from services.exports import ExportWords, FileFormat, audited_file, table_file
from services.import_files import UnreadableFile, read_table
from services.roster_import import (
    COLUMNS,
    MEMBER_COLUMNS,
    ImportKind,
    Outcome,
    commit_import,
    import_template,
    preview_import,
)
from tests.helpers import factories

TODAY = date(2026, 11, 21)
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls
HEADER = ["姓名", "性别", "出生年份", "界别", "专委会", "届次", "常委", "中共党员", "工作单位",
          "职务", "联系电话", "基层联系点", "任职开始日期"]
CONTACT_HEADER = ["委员姓名", "委员出生年份", "联系人姓名", "联系电话", "工作单位", "与界别关系",
                  "开始日期", "结束日期", "是否有效"]


def member_row(name: str = "王芳", birth_year: object = 1975, **cells: object) -> list:
    values = {"姓名": name, "性别": "女", "出生年份": birth_year, "界别": "教育界",
              "专委会": "教科卫体委员会", "届次": "十四届", "常委": "否", "中共党员": "是",
              "工作单位": "市第一中学", "职务": "校长", "联系电话": "13800138000",
              "基层联系点": "和平社区", "任职开始日期": "2023-01-01"} | cells
    return [values[column] for column in HEADER]


def csv_file(rows: list[list], header: list[str] = HEADER, encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_file(rows: list[list], header: list[str] = HEADER) -> bytes:
    """A workbook as Excel writes it; text starting with "=" stays a text cell."""
    workbook = Workbook()
    sheet = workbook.active
    for row_number, row in enumerate([header, *rows], start=1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def preview(engine, content: bytes, *, actor: Actor = SYSTEM, name: str = "roster.csv",
            kind: ImportKind = ImportKind.MEMBERS):
    return preview_import(engine=engine, actor=actor, kind=kind, content=content,
                          file_name=name, today=TODAY)


def commit(engine, content: bytes, *, actor: Actor = SYSTEM, name: str = "roster.csv",
           kind: ImportKind = ImportKind.MEMBERS, expected=None):
    return commit_import(engine=engine, actor=actor, kind=kind, content=content,
                         file_name=name, today=TODAY, expected=expected)


def count(engine, model) -> int:
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def stored(engine, name: str) -> Member:
    with read_session(engine) as session:
        return session.exec(select(Member).where(Member.name == name)).one()


def errors(report) -> list[tuple]:
    return [(problem.row, problem.column, problem.message_key) for problem in report.problems]


def staff(*committee_ids: int) -> Actor:
    return Actor(user_id=None, name="clerk", role=Role.STAFF,
                 committee_ids=frozenset(committee_ids), organisation_id=factories.TOP,
                 organisation_ids=frozenset({factories.TOP}))


@pytest.fixture
def org(engine) -> dict[str, int]:
    """Organisation 1: 教育界, 教科卫体委员会 and 经济委员会, the current term 十四届."""
    with write_session(engine) as session:
        sector, committee, term = factories.organisation(session)
        economy = Committee(organisation_id=factories.TOP, name="经济委员会")
        session.add(economy)
        session.flush()
        return {"sector": sector.id, "committee": committee.id, "economy": economy.id,
                "term": term.id}


# --- good files ------------------------------------------------------------------------


def test_a_new_roster_is_imported_with_history_and_audit(engine, org):
    content = csv_file([member_row(), member_row("李明", 1980, 性别="男", 常委="是")])
    report = commit(engine, content)
    assert report.committed and not report.problems
    assert [(row.row, row.outcome, row.member) for row in report.rows] == [
        (2, Outcome.NEW, "王芳"), (3, Outcome.NEW, "李明")]
    member = stored(engine, "李明")
    assert (member.birth_year, member.gender.value, member.is_standing_committee,
            member.is_cpc, member.phone, member.post, member.in_office_from) == (
        1980, "male", True, True, "13800138000", "校长", date(2023, 1, 1))
    assert count(engine, MemberAssignment) == 2
    with read_session(engine) as session:
        trail = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [entry.action for entry in trail] == [AuditAction.CREATE] * 2 + [AuditAction.IMPORT]
    assert hashlib.sha256(content).hexdigest() in trail[-1].detail
    assert '"new": 2' in trail[-1].detail


def test_the_preview_writes_nothing_and_agrees_with_the_commit(engine, org):
    content = csv_file([member_row(), member_row("李明", 1980)])
    shown = preview(engine, content)
    assert not shown.committed
    assert count(engine, Member) == 0 and count(engine, AuditEntry) == 0
    assert commit(engine, content, expected=shown).plan == shown.plan


def test_importing_the_same_file_again_changes_nothing(engine, org):
    content = xlsx_file([member_row(), member_row("李明", 1980)])
    commit(engine, content, name="roster.xlsx")
    trail, version = count(engine, AuditEntry), stored(engine, "王芳").version
    again = commit(engine, content, name="roster.xlsx")
    assert again.committed
    assert [row.outcome for row in again.rows] == [Outcome.UNCHANGED] * 2
    assert count(engine, AuditEntry) == trail  # not even an import row: nothing happened
    assert stored(engine, "王芳").version == version
    assert count(engine, Member) == 2


def test_an_excel_file_gives_numbers_and_dates_as_excel_keeps_them(engine, org):
    row = member_row(联系电话=13800138000, 任职开始日期=date(2024, 3, 1), 届次=14,
                     出生年份=1975.0)
    commit(engine, xlsx_file([row]), name="roster.xlsx")
    member = stored(engine, "王芳")
    assert (member.phone, member.in_office_from, member.birth_year) == (
        "13800138000", date(2024, 3, 1), 1975)


def test_an_update_lists_the_changed_columns_and_a_move_keeps_history(engine, org):
    commit(engine, csv_file([member_row()]))
    moved = csv_file([member_row(专委会="经济委员会", 联系电话="13900139000")])
    report = preview(engine, moved)
    assert [(row.outcome, row.changed) for row in report.rows] == [
        (Outcome.UPDATE, ("专委会", "联系电话"))]
    commit(engine, moved, expected=report)
    member = stored(engine, "王芳")
    assert (member.committee_id, member.phone) == (org["economy"], "13900139000")
    with read_session(engine) as session:
        history = session.exec(select(MemberAssignment).where(
            MemberAssignment.member_id == member.id).order_by(MemberAssignment.starts_on)).all()
    assert [(a.committee_id, a.starts_on, a.ends_on) for a in history] == [
        (org["committee"], date(2023, 1, 1), date(2026, 11, 20)),
        (org["economy"], TODAY, None)]  # the change takes effect on the day of the import


def test_a_blank_cell_clears_and_a_missing_column_keeps(engine, org):
    commit(engine, csv_file([member_row()]))
    header = ["姓名", "出生年份", "界别", "专委会", "职务"]
    commit(engine, csv_file([["王芳", 1975, "教育界", "教科卫体委员会", ""]], header))
    member = stored(engine, "王芳")
    assert (member.post, member.phone, member.employer) == (None, "13800138000", "市第一中学")


def test_headers_in_english_in_any_order_case_and_spacing(engine, org):
    header = ["Committee", "  SECTOR ", "birth year", "Name", "in_office_from", "Standing",
              "POST"]
    content = csv_file([["教科卫体委员会", "教育界", "1975", "王芳", "2023/1/1", "Y", "校长"]],
                       header)
    report = commit(engine, content)
    assert report.committed, errors(report)
    member = stored(engine, "王芳")
    assert (member.is_standing_committee, member.post) == (True, "校长")


def test_a_gb18030_csv_from_chinese_excel_is_read(engine, org):
    commit(engine, csv_file([member_row()], encoding="gb18030"))
    assert stored(engine, "王芳").employer == "市第一中学"


def test_the_term_by_name_or_number_and_the_current_term_when_blank(engine, org):
    with write_session(engine) as session:
        session.add(Term(organisation_id=1, number=13, name="十三届", starts_on=date(2018, 1, 1)))
    report = commit(engine, csv_file([
        member_row("甲", 1970, 届次="13"), member_row("乙", 1971, 届次="第十三届"),
        member_row("丙", 1972, 届次=""), member_row("丁", 1973, 届次="十五届"),
    ]))
    assert errors(report) == [(5, "届次", "roster_import.error.unknown_term")]
    assert count(engine, Member) == 0
    commit(engine, csv_file([member_row("甲", 1970, 届次="13"),
                             member_row("丙", 1972, 届次="", 任职开始日期="")]))
    with read_session(engine) as session:
        terms = dict(session.exec(select(Member.name, Term.name).join(
            Term, Member.term_id == Term.id)).all())
    assert terms == {"甲": "十三届", "丙": "十四届"}
    assert stored(engine, "丙").in_office_from == date(2023, 1, 1)  # the term's first day


def test_the_template_example_row_and_unknown_columns_are_noted_not_imported(engine, org):
    header = [*HEADER, "备用"]
    content = csv_file([[*member_row("（示例）王芳"), "x"], [*member_row("李明", 1980), "y"]],
                       header)
    report = commit(engine, content)
    assert [(note.row, note.message_key) for note in report.notes] == [
        (None, "roster_import.note.unknown_column"), (2, "roster_import.note.example_row")]
    assert [row.member for row in report.rows] == ["李明"]
    assert count(engine, Member) == 1


def test_blank_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers(engine, org):
    blank = [""] * len(HEADER)
    report = preview(engine, csv_file([member_row(), blank, member_row("李明", "1980年x")]))
    assert errors(report) == [(4, "出生年份", "roster_import.error.year")]


# --- bad files: nothing is imported ----------------------------------------------------


def test_one_bad_row_and_nothing_is_imported(engine, org):
    content = csv_file([member_row(), member_row("李明", 1980, 联系电话="call me")])
    report = commit(engine, content)
    assert not report.committed
    assert errors(report) == [(3, "联系电话", "roster.error.phone_format")]
    assert [row.outcome for row in report.rows] == [Outcome.NEW, Outcome.ERROR]
    assert count(engine, Member) == 0 and count(engine, AuditEntry) == 0


def test_unknown_sectors_and_committees_are_reported_not_created(engine, org):
    report = commit(engine, csv_file([member_row(界别="工程界", 专委会="不存在委员会")]))
    assert errors(report) == [(2, "界别", "roster_import.error.unknown_sector"),
                              (2, "专委会", "roster_import.error.unknown_committee")]
    assert report.problems[0].params == {"name": "工程界"}
    assert "工程界" in report.problems[0].reason("en")
    assert (count(engine, Sector), count(engine, Committee), count(engine, Member)) == (1, 2, 0)


def test_values_that_cannot_be_read_name_their_column(engine, org):
    report = preview(engine, csv_file([member_row(性别="未知", 常委="也许", 任职开始日期="明年")]))
    assert errors(report) == [(2, "性别", "roster_import.error.gender"),
                              (2, "常委", "roster_import.error.yes_no"),
                              (2, "任职开始日期", "roster_import.error.date")]


def test_a_repeated_member_is_an_error_on_the_later_row_naming_the_first(engine, org):
    report = commit(engine, csv_file([member_row(), member_row("李明", 1980), member_row()]))
    assert errors(report) == [(4, "姓名", "roster_import.error.duplicate_row")]
    assert report.problems[0].params == {"row": 2}
    assert count(engine, Member) == 0


def test_two_stored_members_under_one_key_are_ambiguous(engine, org):
    with write_session(engine) as session:
        lists = (session.get(Sector, org["sector"]), session.get(Committee, org["committee"]),
                 session.get(Term, org["term"]))
        factories.member(session, lists, name="王芳")
        factories.member(session, lists, name="王芳")  # both without a birth year
    report = preview(engine, csv_file([member_row(birth_year="")]))
    assert errors(report) == [(2, "姓名", "roster_import.error.ambiguous")]


def test_staff_import_only_members_of_their_committees(engine, org):
    commit(engine, csv_file([member_row("赵强", 1966, 专委会="经济委员会")]))
    clerk = staff(org["committee"])
    report = commit(engine, csv_file([
        member_row(),  # theirs
        member_row("钱伟", 1977, 专委会="经济委员会"),  # a new member of another committee
        member_row("赵强", 1966, 专委会="经济委员会"),  # a stored member of another, unchanged
        member_row("孙丽", 1988, 专委会="教科卫体委员会"),
    ]), actor=clerk)
    assert errors(report) == [(3, "专委会", "roster_import.error.not_allowed"),
                              (4, "", "roster_import.error.not_allowed")]
    assert count(engine, Member) == 1
    moved_in = commit(engine, csv_file([member_row("赵强", 1966)]), actor=clerk)
    assert errors(moved_in) == [(2, "", "roster_import.error.not_allowed")]
    assert commit(engine, csv_file([member_row()]), actor=clerk).committed


def test_the_commit_refuses_when_the_roster_changed_since_the_preview(engine, org):
    content = csv_file([member_row()])
    shown = preview(engine, content)
    with write_session(engine) as session:  # someone adds her by the form meanwhile
        roster.create_member(session=session, actor=SYSTEM, today=TODAY, data=roster.MemberInput(
            name="王芳", birth_year=1975, organisation_id=1, term_id=org["term"],
            sector_id=org["sector"], committee_id=org["committee"],
            in_office_from=date(2023, 1, 1)))
    report = commit(engine, content, expected=shown)
    assert (report.committed, report.changed_since_preview) == (False, True)
    assert [row.outcome for row in report.rows] == [Outcome.UPDATE]
    assert stored(engine, "王芳").phone is None  # the form's save stands, untouched


def test_members_of_another_organisation_by_its_name_within_scope(engine, org):
    with write_session(engine) as session:
        district = Organisation(name="东城区政协", level=OrgLevel.DISTRICT, parent_id=1)
        session.add(district)
        session.flush()
        factories.organisation(session, district.id)
        district_id = district.id
    header = [*HEADER, "政协组织"]
    report = commit(engine, csv_file([[*member_row(), "东城区政协"],
                                      [*member_row("李明", 1980), ""]], header))
    assert report.committed, errors(report)
    with read_session(engine) as session:
        homes = dict(session.exec(select(Member.name, Member.organisation_id)).all())
    assert homes == {"王芳": district_id, "李明": 1}
    district_admin = Actor(user_id=None, name="d", role=Role.ADMIN, organisation_id=district_id,
                           organisation_ids=frozenset({district_id}))
    report = preview(engine, csv_file([[*member_row("赵强", 1966), "某某政协"],
                                       [*member_row("钱伟", 1977), "本级政协"]], header),
                     actor=district_admin)
    assert [key for _, _, key in errors(report)] == [
        "roster_import.error.unknown_organisation"] * 2


# --- hostile files ---------------------------------------------------------------------


def test_a_text_file_renamed_xlsx_is_refused(engine, org):
    with pytest.raises(UnreadableFile) as refused:
        preview(engine, b"name,birth_year\n", name="roster.xlsx")
    assert refused.value.message_key == "roster_import.file.not_xlsx"


@pytest.mark.parametrize(("content", "name", "message_key"), [
    (b"", "roster.csv", "roster_import.file.empty"),
    (b"x", "roster.txt", "roster_import.file.type"),
    (b"x", "roster", "roster_import.file.type"),
    (OLE + b"\0" * 100, "roster.xls", "roster_import.file.old_excel"),
    (OLE + b"\0" * 100, "roster.xlsx", "roster_import.file.old_excel"),
    (b"PK\x03\x04 not really a zip", "roster.xlsx", "roster_import.file.not_xlsx"),
    (b"\xff\xfeU\0T\0F\0-\x001\x006\0", "roster.csv", "roster_import.file.not_csv"),
    (b"\x81\x30\x81", "roster.csv", "roster_import.file.encoding"),
    (b"\n\n", "roster.csv", "roster_import.file.no_header"),
    (b"a" * (import_files.MAX_FILE_BYTES + 1), "roster.csv", "roster_import.file.too_large"),
])
def test_files_that_are_not_what_they_say_are_refused_whole(content, name, message_key):
    with pytest.raises(UnreadableFile) as refused:
        read_table(content, name, MEMBER_COLUMNS)
    assert refused.value.message_key == message_key


def test_a_workbook_renamed_csv_and_a_zip_without_a_workbook_are_refused():
    with pytest.raises(UnreadableFile, match="not_csv"):
        read_table(xlsx_file([member_row()]), "roster.csv", MEMBER_COLUMNS)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(UnreadableFile, match="not_xlsx"):
        read_table(buffer.getvalue(), "roster.xlsx", MEMBER_COLUMNS)


def test_a_zip_that_unpacks_to_far_more_than_it_weighs_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (import_files.MAX_UNPACKED_BYTES + 1))
    assert len(buffer.getvalue()) < import_files.MAX_FILE_BYTES
    with pytest.raises(UnreadableFile, match="too_large"):
        read_table(buffer.getvalue(), "roster.xlsx", MEMBER_COLUMNS)


def test_a_missing_required_column_is_named():
    content = csv_file([["王芳", 1975, "教育界"]], ["姓名", "出生年份", "界别"])
    with pytest.raises(UnreadableFile) as refused:
        read_table(content, "roster.csv", MEMBER_COLUMNS)
    assert refused.value.message_key == "roster_import.file.missing_columns"
    assert refused.value.params == {"columns": "专委会 (committee)"}


def test_two_columns_for_one_field_are_refused():
    with pytest.raises(UnreadableFile, match="duplicate_column"):
        read_table(csv_file([], [*HEADER, "name"]), "roster.csv", MEMBER_COLUMNS)


def test_10000_rows_are_read_and_10001_refused_before_any_is_imported(engine, org):
    rows = [member_row(f"委员{number}", 1960 + number % 40) for number in range(10_001)]
    assert len(read_table(csv_file(rows[:10_000]), "r.csv", MEMBER_COLUMNS).rows) == 10_000
    with pytest.raises(UnreadableFile) as refused:
        commit(engine, csv_file(rows))
    assert refused.value.message_key == "roster_import.file.too_many_rows"
    assert count(engine, Member) == 0


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_formula_strings_are_stored_as_text_and_exported_inert(engine, org, file_format):
    hyperlink = '=HYPERLINK("http://x","y")'
    rows = [member_row(hyperlink, 1975, 工作单位="+1+1", 基层联系点="@SUM(A1)"),
            member_row("李明", 1980, 工作单位="'=1+2")]  # Excel's text mark, as we export it
    content = xlsx_file(rows) if file_format == "xlsx" else csv_file(rows)
    report = commit(engine, content, name=f"roster.{file_format}")
    assert report.committed, errors(report)
    member = stored(engine, hyperlink)
    assert (member.employer, member.base_unit) == ("+1+1", "@SUM(A1)")
    assert stored(engine, "李明").employer == "=1+2"
    shown = pd.DataFrame([{"member": row.member} for row in report.rows])
    exported = table_file(shown, {"member": "委员"}, ExportWords("是", "否", "…"),
                          FileFormat.CSV).decode("utf-8-sig")
    assert "'=HYPERLINK" in exported


def test_unusual_names_are_kept_and_invisible_characters_dropped(engine, org):
    rtl = "ئابدۇرېھىم"  # a Uyghur name, right to left
    report = commit(engine, csv_file([
        member_row("𠮷田", 1975), member_row(rtl, 1976),
        member_row("王\u200b芳\u202e", 1977),  # a zero-width space and a bidi override
    ]))
    assert report.committed, errors(report)
    with read_session(engine) as session:
        names = set(session.exec(select(Member.name)).all())
    assert names == {"𠮷田", rtl, "王芳"}
    again = preview(engine, csv_file([member_row("王芳", 1977), member_row("\u200e𠮷田", 1975)]))
    assert [row.outcome for row in again.rows] == [Outcome.UNCHANGED, Outcome.UNCHANGED]


def test_a_ten_thousand_character_cell_is_too_long(engine, org):
    report = commit(engine, csv_file([member_row("王" * 10_000), member_row(
        "李明", 1980, 工作单位="单" * 10_000)]))
    assert errors(report) == [(2, "姓名", "roster.error.too_long"),
                              (3, "工作单位", "roster.error.too_long")]
    assert count(engine, Member) == 0


def test_a_long_unknown_sector_is_quoted_short(engine, org):
    report = preview(engine, csv_file([member_row(界别="界" * 10_000)]))
    assert len(report.problems[0].params["name"]) == 41


# --- cells -----------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "expected"), [
    ("2026-03-01", date(2026, 3, 1)), ("2026/3/1", date(2026, 3, 1)),
    ("2026年3月1日", date(2026, 3, 1)), ("2026.3.1", date(2026, 3, 1)),
    ("２０２６－０３－０１", date(2026, 3, 1)), ("2026-03-01 00:00:00", date(2026, 3, 1)),
    (46082, date(2026, 3, 1)), (None, None),
])
def test_dates_as_people_and_excel_write_them(written, expected):
    assert import_files.day(written) == expected


@pytest.mark.parametrize("written", ["2026-02-30", "明年", "3/1/2026", "2026-03"])
def test_what_is_no_date(written):
    with pytest.raises(import_files.CellError):
        import_files.day(written)


@pytest.mark.parametrize(("written", "expected"), [
    ("是", True), ("否", False), ("Y", True), ("n", False), ("TRUE", True), ("false", False),
    ("1", True), (0, False), (True, True), (None, None),
])
def test_yes_and_no(written, expected):
    assert import_files.flag(written) is expected


@pytest.mark.parametrize(("written", "expected"), [
    (14, 14), ("14", 14), ("十四届", 14), ("第十四届", 14), ("第14届", 14), ("十", 10),
    ("二十一", 21), ("九", 9), ("届", None), ("十四五", None),
])
def test_term_numbers(written, expected):
    assert import_files.ordinal(written) == expected


@pytest.mark.parametrize(("written", "expected"), [
    (1975, 1975), (1975.0, 1975), ("1975年", 1975), ("1975-05", 1975), ("1975年5月", 1975),
    (date(1975, 5, 1), 1975), (None, None),
])
def test_birth_years(written, expected):
    assert import_files.year(written) == expected


# --- contact persons -------------------------------------------------------------------


@pytest.fixture
def members(engine, org) -> dict[str, int]:
    commit(engine, csv_file([member_row(), member_row("李明", 1980),
                             member_row("李明", 1990, 专委会="经济委员会")]))
    with read_session(engine) as session:
        return {f"{m.name}{m.birth_year}": m.id for m in session.exec(select(Member)).all()}


def contact_row(member: str = "王芳", birth_year: object = "", name: str = "陈静",
                **cells: object) -> list:
    values = {"委员姓名": member, "委员出生年份": birth_year, "联系人姓名": name,
              "联系电话": "13700137000", "工作单位": "和平社区居委会", "与界别关系": "社区教师",
              "开始日期": "2024-03-01", "结束日期": "", "是否有效": ""} | cells
    return [values[column] for column in CONTACT_HEADER]


def import_contacts(engine, rows: list[list], *, actor: Actor = SYSTEM, dry: bool = False):
    run = preview if dry else commit
    return run(engine, csv_file(rows, CONTACT_HEADER), actor=actor, kind=ImportKind.CONTACTS)


def test_contacts_are_imported_then_updated_and_a_reimport_changes_nothing(engine, members):
    first = import_contacts(engine, [contact_row(), contact_row("李明", 1980, "周敏")])
    assert first.committed, errors(first)
    assert [row.outcome for row in first.rows] == [Outcome.NEW, Outcome.NEW]
    again = import_contacts(engine, [contact_row(), contact_row("李明", 1980, "周敏")])
    assert [row.outcome for row in again.rows] == [Outcome.UNCHANGED] * 2
    changed = import_contacts(engine, [contact_row(联系电话="13600136000", 是否有效="否",
                                                   结束日期="2026-10-31")])
    assert [(row.outcome, row.changed) for row in changed.rows] == [
        (Outcome.UPDATE, ("联系电话", "结束日期", "是否有效"))]
    with read_session(engine) as session:
        contact = session.exec(select(ContactPerson).where(ContactPerson.name == "陈静")).one()
    assert (contact.member_id, contact.phone, contact.is_active, contact.ends_on) == (
        members["王芳1975"], "13600136000", False, date(2026, 10, 31))
    with read_session(engine) as session:
        actions = session.exec(select(AuditEntry.action, AuditEntry.entity)).all()
    assert actions.count((AuditAction.IMPORT, "ContactPerson")) == 2


def test_a_contact_needs_a_known_member_named_once_or_with_a_birth_year(engine, members):
    report = import_contacts(engine, [
        contact_row("无名氏"), contact_row("李明"), contact_row("李明", 1990, "吴刚"),
        contact_row("王芳", "", "陈静", 联系电话="call me"),
        contact_row("王芳", "", "陈静"),
    ])
    assert errors(report) == [
        (2, "委员姓名", "roster_import.error.unknown_member"),
        (3, "委员姓名", "roster_import.error.ambiguous_member"),
        (5, "联系电话", "members.error.phone_format"),
        (6, "联系人姓名", "roster_import.error.duplicate_row"),
    ]
    assert report.rows[2].outcome is Outcome.NEW
    assert count(engine, ContactPerson) == 0


def test_a_contact_repeated_in_the_file_names_the_first_row(engine, members):
    report = import_contacts(engine, [contact_row(), contact_row(name="陈静 ")], dry=True)
    assert errors(report) == [(3, "联系人姓名", "roster_import.error.duplicate_row")]


def test_staff_import_contacts_of_their_committees_members_only(engine, members, org):
    report = import_contacts(engine, [contact_row(), contact_row("李明", 1990, "吴刚")],
                             actor=staff(org["committee"]))
    assert errors(report) == [(3, "委员姓名", "roster_import.error.not_allowed")]
    assert count(engine, ContactPerson) == 0


def test_a_retired_contact_stays_in_history_when_the_name_comes_back(engine, members):
    with write_session(engine) as session:
        added = contacts.add_contact(session=session, actor=SYSTEM,
                                     member_id=members["王芳1975"],
                                     data=contacts.ContactInput(name="陈静"))
        contacts.retire_contact(session=session, actor=SYSTEM, contact_id=added.id,
                                expected_version=added.version, ends_on=date(2025, 1, 1))
    report = import_contacts(engine, [contact_row()])
    assert [row.outcome for row in report.rows] == [Outcome.NEW]
    with read_session(engine) as session:
        states = session.exec(select(ContactPerson.is_active).order_by(ContactPerson.id)).all()
    assert states == [False, True]


# --- templates -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(ImportKind))
def test_the_excel_template_explains_itself_and_imports_as_nothing(engine, org, kind):
    with read_session(engine) as session:
        content = import_template(session=session, actor=SYSTEM, kind=kind,
                                  file_format=FileFormat.XLSX, language="zh_CN")
    workbook = load_workbook(io.BytesIO(content))
    rows, help_sheet = workbook.worksheets[:2]
    assert [cell.value for cell in rows[1]] == [column.header for column in COLUMNS[kind]]
    assert rows["A2"].value == "（示例）王芳"
    assert help_sheet["B2"].value == COLUMNS[kind][0].key
    if kind is ImportKind.MEMBERS:
        validations = {str(v.sqref): v.formula1 for v in rows.data_validations.dataValidation}
        assert any("lists" in formula for formula in validations.values())
        assert rows["D2"].value == "本级政协" and rows["E2"].value == "教育界"
    report = commit(engine, content, name="template.xlsx", kind=kind)
    assert (report.rows, report.problems) == ((), ())
    assert [note.message_key for note in report.notes] == ["roster_import.note.example_row"]


def test_names_from_the_store_are_inert_in_the_template_and_handing_it_out_is_audited(
        engine, org):
    """A sector someone named like a formula stays text in the drop-down list and the
    example row; the file is recorded when it is made, like every export."""
    hostile = '=HYPERLINK("http://x","y")'
    with write_session(engine) as session:
        session.get(Sector, org["sector"]).name = hostile
    with read_session(engine) as session:
        content = import_template(session=session, actor=SYSTEM, kind=ImportKind.MEMBERS,
                                  file_format=FileFormat.XLSX, language="zh_CN")
    workbook = load_workbook(io.BytesIO(content))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row
             if cell.value == hostile]
    assert len(cells) == 2 and all(c.data_type == "s" and c.quotePrefix for c in cells)
    audited_file(engine=engine, actor=SYSTEM, what="ImportTemplate", rows=0,
                 file_format=FileFormat.XLSX, content=content)
    with read_session(engine) as session:
        entries = session.exec(select(AuditEntry).where(
            AuditEntry.entity == "ImportTemplate")).all()
    assert [entry.action for entry in entries] == [AuditAction.EXPORT]


def test_the_csv_template_has_the_headers_and_the_example(engine, org):
    with read_session(engine) as session:
        content = import_template(session=session, actor=SYSTEM, kind=ImportKind.MEMBERS,
                                  file_format=FileFormat.CSV, language="en")
    assert content.startswith("\ufeff".encode())
    assert content.decode("utf-8-sig").splitlines()[0].startswith('"姓名","性别","出生年份"')
    assert commit(engine, content).notes[0].message_key == "roster_import.note.example_row"


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_every_column_is_explained_in_both_languages(language):
    keys = {f"roster_import.help.{kind.value}.{column.key}" for kind in ImportKind
            for column in COLUMNS[kind]}
    assert keys - set(catalog(language)) == set()


def test_a_formula_cell_gives_the_value_excel_showed_never_a_result_of_ours(engine, org):
    header = ["姓名", "出生年份", "界别", "专委会", "工作单位"]
    workbook = Workbook()
    workbook.active.append(header)
    workbook.active.append(["王芳", 1975, "教育界", "教科卫体委员会", '=HYPERLINK("http://x","y")'])
    buffer = io.BytesIO()
    workbook.save(buffer)  # openpyxl saves no computed value: Excel would have shown none
    commit(engine, buffer.getvalue(), name="roster.xlsx")
    assert stored(engine, "王芳").employer is None
