"""One public-opinion report on paper: a Word document (.docx) in the layout of a 信息专报.

- **The page** is A4, set up as the visit registration form's (``services.visit_files``):
  the red masthead 社情民意信息 and 信息专报, the issue line (the organisation and the
  report's date) over a red rule, the title centred in bold, the body's paragraphs
  indented two characters, then under a thin rule the footer block: the members (the
  lead first), the committee, the category, the date submitted, whether it went by
  through-train, and, when there are any, the adoptions (level, date, publication), the
  leaders' instructions (leader, level, date, text) and the departments it was
  forwarded to with their replies.
- **Words** come from the catalog's ``[report_files]`` (``report_words(language)``), so it
  prints in Chinese or English. Everything typed is written as text through
  ``visit_files``' writer (a ``=HYPERLINK(…)`` stays those characters; characters XML
  cannot hold are dropped, as Word could not open the file otherwise).
- **Who** may have it: whoever may read the report (``opinion.require_read``: a member
  only the reports they signed). The document is not audited here: a page hands it out
  through ``services.exports.audited_file`` like every file.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date
from enum import StrEnum
from functools import partial

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Pt, RGBColor
from docx.text.paragraph import Paragraph
from sqlmodel import Session, col, select

from core.i18n import enum_label, format_date, t
from models import (
    AdoptionLevel,
    Committee,
    LeaderInstruction,
    ListEntry,
    Member,
    OpinionAdoption,
    OpinionForwarding,
    OpinionReport,
    Organisation,
)
from services.actors import Actor
from services.opinion import require_read, signer_ids
from services.records import load_live
from services.visit_files import BODY_FONT, FLUSH, LABEL_FONT, page_setup, write_run

RED = RGBColor(0xC0, 0x00, 0x00)
RED_RULE = "C00000"
MASTHEAD_SIZE, SUBTITLE_SIZE, TITLE_SIZE = Pt(36), Pt(22), Pt(22)
BODY_SIZE, FOOTER_SIZE = Pt(16), Pt(14)  # 三号 and 四号, as official papers print
BODY_TEXT_FONT = ("Times New Roman", "FangSong")  # 仿宋 for the body, as a 专报 prints
TWO_CHARACTERS = Pt(32)  # at the body size
FOOTER_INDENT = Pt(28)  # the items under a footer heading: two characters


@dataclass(frozen=True)
class ReportWords:
    """The document's words in the reader's language (``report_words``)."""

    masthead: str
    subtitle: str
    issue: str  # "{organisation}　　{date}"
    members: str
    committee: str
    category: str
    submitted_on: str
    urgent: str
    yes: str
    adoptions: str
    adoption_line: str  # "{level}，{date}"
    adoption_publication: str  # "{level}，{date}，{publication}"
    instructions: str
    instruction_line: str  # "{leader}（{level}，{date}）：{text}"
    instruction_bare: str  # "{leader}（{level}，{date}）"
    forwardings: str
    forwarding_replied: str  # "{department}：{forwarded}转送，{replied}答复：{reply}"
    forwarding_waiting: str  # "{department}：{forwarded}转送，尚未答复（办理期限 {due}）"
    none: str
    separator: str  # between names: "、"
    colon: str  # after a heading: "："
    language: str
    format_day: Callable[[date], str]

    def level(self, value: StrEnum) -> str:
        return enum_label(value, self.language)


def report_words(language: str) -> ReportWords:
    """The catalog's ``[report_files]`` words, enum labels and dates of ``language``."""
    texts = {f.name: t(f"report_files.{f.name}", language)
             for f in fields(ReportWords) if f.type is str and f.name != "language"}
    return ReportWords(**texts, language=language,
                       format_day=partial(format_date, language=language))


@dataclass(frozen=True)
class ReportPaper:
    """What the document prints of a report, read in one go."""

    report: OpinionReport
    organisation: str
    members: list[str]  # the lead first
    committee: str
    category: str
    adoptions: list[OpinionAdoption]
    instructions: list[LeaderInstruction]
    forwardings: list[OpinionForwarding]


def report_document(*, session: Session, actor: Actor, report_id: int,
                    language: str = "zh_CN") -> bytes:
    """The report as a Word (.docx) 信息专报, in ``language``. Refusals:
    ``PermissionDenied`` (the actor may not read it), ``StaleRecord`` (no such report,
    or deleted)."""
    report = load_live(session, OpinionReport, report_id)
    require_read(session, actor, report)
    return render_report(report_paper(session, report), report_words(language))


def report_paper(session: Session, report: OpinionReport) -> ReportPaper:
    """The report's members, names and steps, as the document prints them."""
    order = signer_ids(session, report.id)
    names = dict(session.exec(select(Member.id, Member.name)
                              .where(col(Member.id).in_(order))).all())
    organisation = session.get(Organisation, report.organisation_id)
    committee = session.get(Committee, report.committee_id)
    category = session.get(ListEntry, report.category_id) if report.category_id else None
    return ReportPaper(
        report=report, organisation=organisation.name if organisation else "",
        members=[names[member_id] for member_id in order if member_id in names],
        committee=committee.name if committee else "",
        category=category.name if category else "",
        adoptions=sorted(session.exec(select(OpinionAdoption).where(
            OpinionAdoption.report_id == report.id)).all(),
            key=lambda row: (row.adopted_on, list(AdoptionLevel).index(row.level))),
        instructions=list(session.exec(select(LeaderInstruction).where(
            LeaderInstruction.report_id == report.id).order_by(
            col(LeaderInstruction.instructed_on), col(LeaderInstruction.id))).all()),
        forwardings=list(session.exec(select(OpinionForwarding).where(
            OpinionForwarding.report_id == report.id).order_by(
            col(OpinionForwarding.forwarded_on), col(OpinionForwarding.id))).all()),
    )


# --- the document ----------------------------------------------------------------------


def render_report(paper: ReportPaper, words: ReportWords) -> bytes:
    """The 信息专报 of ``paper``: masthead, issue line, title, body, footer block."""
    report = paper.report
    document = Document()
    page_setup(document, report.title)
    _masthead(document, paper, words)
    title = _paragraph(document, WD_ALIGN_PARAGRAPH.CENTER, before=Pt(18), after=Pt(18))
    write_run(title, report.title, font=BODY_FONT, size=TITLE_SIZE)
    title.runs[-1].bold = True
    for line in report.body.replace("\r\n", "\n").split("\n"):
        if line.strip():
            paragraph = _paragraph(document, WD_ALIGN_PARAGRAPH.JUSTIFY)
            paragraph.paragraph_format.first_line_indent = TWO_CHARACTERS
            write_run(paragraph, line.strip(), font=BODY_TEXT_FONT, size=BODY_SIZE)
    _footer(document, paper, words)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _paragraph(document: DocxDocument, alignment: WD_ALIGN_PARAGRAPH, *,
               before: Length = FLUSH, after: Length = FLUSH) -> Paragraph:
    paragraph = document.add_paragraph()
    paragraph.alignment = alignment
    paragraph.paragraph_format.space_before = before
    paragraph.paragraph_format.space_after = after
    return paragraph


def _red(paragraph: Paragraph, text: str, size: Pt) -> None:
    write_run(paragraph, text, font=LABEL_FONT, size=size)
    run = paragraph.runs[-1]
    run.bold, run.font.color.rgb = True, RED


def _masthead(document: DocxDocument, paper: ReportPaper, words: ReportWords) -> None:
    _red(_paragraph(document, WD_ALIGN_PARAGRAPH.CENTER), words.masthead, MASTHEAD_SIZE)
    _red(_paragraph(document, WD_ALIGN_PARAGRAPH.CENTER, after=Pt(12)), words.subtitle,
         SUBTITLE_SIZE)
    issue = _paragraph(document, WD_ALIGN_PARAGRAPH.CENTER, after=Pt(6))
    write_run(issue, words.issue.format(organisation=paper.organisation,
                                     date=words.format_day(paper.report.submitted_on)),
           size=FOOTER_SIZE)
    _rule(issue, RED_RULE, 18)


def _rule(paragraph: Paragraph, colour: str, eighths: int) -> None:
    """A line under the paragraph, across the page (a 红头's rule)."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in (("w:val", "single"), ("w:sz", str(eighths)), ("w:space", "4"),
                        ("w:color", colour)):
        bottom.set(qn(name), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _footer(document: DocxDocument, paper: ReportPaper, words: ReportWords) -> None:
    report = paper.report
    top = _paragraph(document, WD_ALIGN_PARAGRAPH.LEFT, before=Pt(12), after=Pt(6))
    _rule(top, "000000", 6)
    _item(document, words.members, words.separator.join(paper.members), words)
    _item(document, words.committee, paper.committee or words.none, words)
    _item(document, words.category, paper.category or words.none, words)
    _item(document, words.submitted_on, words.format_day(report.submitted_on), words)
    if report.is_urgent:
        _item(document, words.urgent, words.yes, words)
    _section(document, words.adoptions, [_adoption(row, words) for row in paper.adoptions],
             words)
    _section(document, words.instructions,
             [_instruction(row, words) for row in paper.instructions], words)
    _section(document, words.forwardings,
             [_forwarding(row, words) for row in paper.forwardings], words)


def _item(document: DocxDocument, heading: str, value: str, words: ReportWords) -> None:
    """A heading and its value on one line: 报送委员：王芳、李明."""
    paragraph = _paragraph(document, WD_ALIGN_PARAGRAPH.LEFT)
    write_run(paragraph, heading + words.colon, font=LABEL_FONT, size=FOOTER_SIZE)
    write_run(paragraph, value, size=FOOTER_SIZE)


def _section(document: DocxDocument, heading: str, lines: list[str],
             words: ReportWords) -> None:
    """A heading over its items, one a paragraph; nothing when there are none."""
    if not lines:
        return
    write_run(_paragraph(document, WD_ALIGN_PARAGRAPH.LEFT, before=Pt(4)),
           heading + words.colon, font=LABEL_FONT, size=FOOTER_SIZE)
    for line in lines:
        for number, part in enumerate(line.split("\n")):
            paragraph = _paragraph(document, WD_ALIGN_PARAGRAPH.LEFT)
            paragraph.paragraph_format.left_indent = FOOTER_INDENT * (1 if number == 0 else 2)
            write_run(paragraph, part, size=FOOTER_SIZE)


def _adoption(row: OpinionAdoption, words: ReportWords) -> str:
    level, day = words.level(row.level), words.format_day(row.adopted_on)
    if row.publication:
        return words.adoption_publication.format(level=level, date=day,
                                                 publication=row.publication)
    return words.adoption_line.format(level=level, date=day)


def _instruction(row: LeaderInstruction, words: ReportWords) -> str:
    values = {"leader": row.leader, "level": words.level(row.level),
              "date": words.format_day(row.instructed_on)}
    if row.content:
        return words.instruction_line.format(text=row.content, **values)
    return words.instruction_bare.format(**values)


def _forwarding(row: OpinionForwarding, words: ReportWords) -> str:
    forwarded = words.format_day(row.forwarded_on)
    if row.replied_on is not None:
        return words.forwarding_replied.format(
            department=row.department, forwarded=forwarded,
            replied=words.format_day(row.replied_on), reply=row.reply or words.none)
    return words.forwarding_waiting.format(department=row.department, forwarded=forwarded,
                                           due=words.format_day(row.due_on))
