"""One opinion report as a Word 信息专报: masthead, title, body, the footer block with the
members, committee, category, dates, adoptions, instructions and forwardings; read only by
those who may read the report; typed text kept as text; printable through LibreOffice."""

import io
from datetime import date

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from sqlmodel import select

from core.db import read_session, write_session
from models import (
    AdoptionLevel,
    InstructionLevel,
    LeaderInstruction,
    ListEntry,
    ListKind,
    OpinionAction,
    OpinionAdoption,
    OpinionForwarding,
    OpinionReport,
    Role,
)
from services.actors import Actor
from services.errors import PermissionDenied, StaleRecord
from services.opinion import ReportDraft, Step, submit_report, take_step
from services.report_files import ReportPaper, render_report, report_document, report_words
from tests.helpers import factories
from tests.unit.test_visit_files import pdf_text, to_pdf

TODAY = date(2026, 11, 21)
HOSTILE = '=HYPERLINK("x")'
MARKUP = "<img onerror=1>"
HEADINGS = ("社情民意信息", "信息专报", "报送委员：", "所属专委会：", "类别：", "报送日期：",
            "采用情况：", "领导批示：", "转送部门及答复：")


@pytest.fixture
def store(engine) -> dict:
    """A report by 王芳 with 𠮷田 co-signing, adopted by the city with its publication,
    instructed by a leader, forwarded to two departments of which one replied; 李明 did
    not sign it."""
    with write_session(engine) as session:
        org = factories.organisation(session)
        members = {name: factories.member(session, org, name=name).id
                   for name in ("王芳", "𠮷田", "李明")}
        category = session.exec(select(ListEntry).where(
            ListEntry.kind == ListKind.OPINION_CATEGORY, ListEntry.name == "民生")).first()
        if category is None:  # a PostgreSQL test store is emptied of the seeded list
            category = ListEntry(organisation_id=factories.TOP,
                                 kind=ListKind.OPINION_CATEGORY, name="民生")
            session.add(category)
            session.flush()
        staff = factories.actor(session, "staff", Role.STAFF, committees={org[1].id})
        report = submit_report(session=session, actor=staff, idempotency_key="r1", today=TODAY,
                               draft=ReportDraft(
            title=f"关于{HOSTILE}的建议", body=f"第一段{MARKUP}。\n\n第二段（𠮷）。",
            category_id=category.id, lead_member_id=members["王芳"],
            co_signer_ids=(members["𠮷田"],), is_urgent=True, submitted_on=date(2026, 3, 1)))
        steps = [
            Step(OpinionAction.START_REVIEW, on=date(2026, 3, 2)),
            Step(OpinionAction.ADOPT, on=date(2026, 3, 5), level=AdoptionLevel.CITY,
                 publication="《社情民意》第12期"),
            Step(OpinionAction.INSTRUCT, on=date(2026, 3, 6), leader="张市长",
                 instruction_level=InstructionLevel.CITY, note="请住建局研究办理。"),
            Step(OpinionAction.FORWARD, on=date(2026, 3, 8), departments=("市住建局", "市财政局")),
        ]
        for step in steps:
            report = take_step(session=session, actor=staff, report_id=report.id,
                               expected_version=report.version, step=step, today=TODAY)
        first = session.exec(select(OpinionForwarding.id).where(
            OpinionForwarding.department == "市住建局")).one()
        take_step(session=session, actor=staff, report_id=report.id,
                  expected_version=report.version, today=TODAY,
                  step=Step(OpinionAction.REPLY, on=date(2026, 4, 1), forwarding_id=first,
                            reply=f"已纳入计划。{HOSTILE}"))
        return {"report": report.id, "staff": staff, **members}


def document_of(engine, actor: Actor, report_id: int, language: str = "zh_CN") -> Document:
    with read_session(engine) as session:
        content = report_document(session=session, actor=actor, report_id=report_id,
                                  language=language)
    return Document(io.BytesIO(content))


def lines(document: Document) -> list[str]:
    return [paragraph.text for paragraph in document.paragraphs if paragraph.text]


def member(member_id: int) -> Actor:
    return Actor(user_id=None, name="m", role=Role.MEMBER, member_id=member_id)


def test_the_report_prints_as_a_special_report(engine, store):
    document = document_of(engine, store["staff"], store["report"])
    text = lines(document)
    assert text[:2] == ["社情民意信息", "信息专报"]
    assert text[2] == "本级政协　　2026年3月1日"
    assert text[3] == f"关于{HOSTILE}的建议"
    assert text[4:6] == [f"第一段{MARKUP}。", "第二段（𠮷）。"]  # the blank line is no paragraph
    footer = text[6:]
    assert footer[:5] == ["报送委员：王芳、𠮷田", "所属专委会：教科卫体委员会", "类别：民生",
                          "报送日期：2026年3月1日", "直通车：是"]
    assert footer[5:] == [
        "采用情况：", "市政协采用，2026年3月5日，《社情民意》第12期",
        "领导批示：", "张市长（市级领导批示，2026年3月6日）：请住建局研究办理。",
        "转送部门及答复：", f"市住建局：2026年3月8日转送，2026年4月1日答复。已纳入计划。{HOSTILE}",
        "市财政局：2026年3月8日转送，尚未答复（办理期限 2026年3月23日）。",
    ]
    assert all(any(line.startswith(heading) for line in text) for heading in HEADINGS)
    title = next(p for p in document.paragraphs if p.text == text[3])
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER and title.runs[0].bold
    masthead = document.paragraphs[0].runs[0]
    assert masthead.bold and str(masthead.font.color.rgb) == "C00000"
    assert document.core_properties.title == text[3]


def test_the_same_report_in_english(engine, store):
    text = lines(document_of(engine, store["staff"], store["report"], "en"))
    assert text[:2] == ["Public Opinion Information", "Special Report"]
    assert "Members: 王芳, 𠮷田" in text and "Submitted: 1 Mar 2026" in text


def test_a_report_without_later_steps_has_no_empty_sections(engine, store):
    with write_session(engine) as session:
        bare = submit_report(session=session, actor=store["staff"], idempotency_key="r2",
                             today=TODAY, draft=ReportDraft(
            title="简报", body="正文", category_id=session.exec(select(ListEntry.id).where(
                ListEntry.kind == ListKind.OPINION_CATEGORY)).first(),
            lead_member_id=store["李明"], submitted_on=TODAY))
    text = lines(document_of(engine, store["staff"], bare.id))
    assert text[-1] == "报送日期：2026年11月21日"
    assert not any(line.startswith(("采用情况", "领导批示", "转送部门", "直通车"))
                   for line in text)


def test_a_member_reads_only_the_reports_they_signed(engine, store):
    for signer in ("王芳", "𠮷田"):
        assert "信息专报" in lines(document_of(engine, member(store[signer]), store["report"]))
    with pytest.raises(PermissionDenied):
        document_of(engine, member(store["李明"]), store["report"])
    outsider = Actor(user_id=None, name="far", role=Role.STAFF, organisation_id=99,
                     organisation_ids=frozenset({99}))
    with pytest.raises(PermissionDenied):
        document_of(engine, outsider, store["report"])
    with pytest.raises(StaleRecord):
        document_of(engine, store["staff"], 10_000)


def test_ten_thousand_characters_and_hostile_text_stay_plain_text(engine, store):
    body = (f"{HOSTILE}{MARKUP}𠮷\x07" * 400)[:10_000] + "结尾处"
    with write_session(engine) as session:
        long = submit_report(session=session, actor=store["staff"], idempotency_key="r3",
                             today=TODAY, draft=ReportDraft(
            title=HOSTILE, body=body, category_id=session.exec(select(ListEntry.id).where(
                ListEntry.kind == ListKind.OPINION_CATEGORY)).first(),
            lead_member_id=store["𠮷田"], submitted_on=TODAY))
    assert long.body.startswith(f"{HOSTILE}{MARKUP}𠮷")  # stored as typed
    document = document_of(engine, store["staff"], long.id)
    text = lines(document)
    assert text[3] == HOSTILE
    assert text[4] == long.body and text[4].endswith("结尾处")
    xml = document.element.xml
    assert "<img" not in xml and "&lt;img onerror=1&gt;" in xml  # text, not markup
    assert "w:fldSimple" not in xml and "w:instrText" not in xml  # no field, no formula


def test_libreoffice_prints_it_in_chinese(tmp_path):
    """Once, without a store: the paper as ``report_paper`` reads it."""
    report = OpinionReport(id=1, title=f"关于{HOSTILE}的建议", body="第一段。\n第二段。",
                           organisation_id=1, committee_id=1, is_urgent=False,
                           submitted_on=date(2026, 3, 1))
    paper = ReportPaper(
        report=report, organisation="本级政协", members=["王芳", "𠮷田"],
        committee="教科卫体委员会", category="民生",
        adoptions=[OpinionAdoption(report_id=1, level=AdoptionLevel.CITY,
                                   adopted_on=date(2026, 3, 5))],
        instructions=[LeaderInstruction(report_id=1, level=InstructionLevel.CITY,
                                        leader="张市长", instructed_on=date(2026, 3, 6))],
        forwardings=[OpinionForwarding(report_id=1, department="市住建局",
                                       forwarded_on=date(2026, 3, 8),
                                       due_on=date(2026, 4, 7))])
    content = render_report(paper, report_words("zh_CN"))
    text = pdf_text(to_pdf(tmp_path, {"report": content})["report"])
    for words in ("社情民意信息", "信息专报", "报送委员", "王芳", "转送部门及答复", "市住建局",
                  "HYPERLINK"):
        assert words in text
