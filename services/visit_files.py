"""Visits on paper and in files: one visit as the Word registration form
(《委员联系界别群众情况登记表》) laid out like the paper one, many visits as a spreadsheet.

- **The form** is an A4 page: the title centred in 黑体, then one bordered table of label
  and value cells (member, employer and post, date, channel and occasion ticked as on the
  paper form, contact targets and head count, workstation, a tall cell for the main
  approach and basic situation, the numbered problems with their categories, who
  recorded and who acknowledged it, with dates) and the note on where the form goes.
  Labels come from ``FormWords`` (``form_words(language)``), so it prints in Chinese or
  English. Everything typed is written as text; characters XML cannot hold (control
  characters, lone surrogates) are dropped, as Word could not open the file otherwise.
- **The list** is the visit list's columns under their labels, channel and occasion as
  words, through ``services.exports`` (every text cell inert, yes/no as words).
"""

import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from functools import partial

import pandas as pd
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.font import CT_RPr
from docx.shared import Cm, Length, Pt
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph

from core.clock import to_office_time
from core.i18n import enum_label, format_date, t
from models import Channel, VisitOccasion
from services.exports import ExportWords, FileFormat, table_file
from services.visits import VisitDetail

# XML 1.0 holds tab, line feed, carriage return and the characters from U+0020 on, but
# neither lone surrogates nor U+FFFE/U+FFFF; the C1 controls are legal XML yet mean
# nothing on paper.
_NOT_PRINTABLE = re.compile("[^\t\n\r\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

PAGE_WIDTH, PAGE_HEIGHT = Cm(21), Cm(29.7)  # A4 portrait
MARGINS = {"top": Cm(2.2), "bottom": Cm(2.0), "left": Cm(2.6), "right": Cm(2.6)}
# label | value | label | value, 15.8 cm across: the page between the margins; a label
# column holds six (left) or seven (right) characters on a line
COLUMN_WIDTHS = (Cm(3.3), Cm(4.3), Cm(3.4), Cm(4.8))
ROW_HEIGHT = Cm(1.0)
SUMMARY_HEIGHT = Cm(5.6)
PROBLEMS_HEIGHT = Cm(3.6)
# (Latin, Chinese) fonts: 宋体 for the values and the note, 黑体 for the title and labels
BODY_FONT = ("Times New Roman", "SimSun")
LABEL_FONT = ("Arial", "SimHei")
TITLE_SIZE, BODY_SIZE, NOTE_SIZE = Pt(20), Pt(12), Pt(10.5)
FLUSH = Pt(0)
TWO_CHARACTERS = Pt(24)  # at the body size: a Chinese paragraph's indent
LINE_HEIGHT = Pt(20)  # at least: a CJK font's own line is already 1.45 times its size
TICKED, UNTICKED = "☑", "☐"
OUTER_BORDER, INNER_BORDER = 12, 4  # eighths of a point: 1.5 pt around, 0.5 pt inside


@dataclass(frozen=True)
class FormWords:
    """The registration form's words in the reader's language (``form_words``)."""

    title: str
    number: str  # "编号：{number}"
    members: str
    units: str
    member_unit: str  # "{name}：{unit}", on a joint visit
    visit_date: str
    at_base_unit: str
    channel: str
    occasion: str
    with_campaign: str  # "{occasion}（{campaign}）"
    targets: str
    contact_persons: str  # "界别群众联系人：{names}"
    head_count: str
    head_count_value: str  # "{count}人"
    workstation: str
    summary: str
    problems: str
    problem_line: str  # "{number}．【{category}】{content}"
    uncategorised: str
    none: str
    yes: str
    no: str
    recorded_by: str
    recorded_on: str
    acknowledged_by: str
    acknowledged_on: str
    note: str
    separator: str  # between names: "、"
    channels: Mapping[Channel, str]
    occasions: Mapping[VisitOccasion, str]
    format_day: Callable[[date], str]


def form_words(language: str) -> FormWords:
    """The catalog's ``[visit_form]`` words, enum labels and dates of ``language``."""
    texts = {f.name: t(f"visit_form.{f.name}", language)
             for f in fields(FormWords) if f.type is str}
    return FormWords(
        **texts,
        channels={channel: enum_label(channel, language) for channel in Channel},
        occasions={occasion: enum_label(occasion, language) for occasion in VisitOccasion},
        format_day=partial(format_date, language=language),
    )


# --- the Word form ---------------------------------------------------------------------


def registration_form(detail: VisitDetail, words: FormWords, *,
                      categories: Mapping[int, str]) -> bytes:
    """One visit as a Word (.docx) registration form; ``categories`` names the problem
    categories (``services.lists.entry_names`` of ``ListKind.PROBLEM_CATEGORY``)."""
    document = Document()
    page_setup(document, words.title)
    _title(document, detail, words)
    _form_table(document, detail, words, categories)
    note = document.add_paragraph()
    note.paragraph_format.space_before = Pt(6)
    write_run(note, words.note, size=NOTE_SIZE)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _printable(text: str | None) -> str:
    """``text`` without the characters a Word file cannot hold."""
    return _NOT_PRINTABLE.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n"))


def page_setup(document: DocxDocument, title: str) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    for side, width in MARGINS.items():
        setattr(section, f"{side}_margin", width)
    normal = document.styles["Normal"]
    normal.font.size = BODY_SIZE
    _set_fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = LINE_HEIGHT
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
    properties = document.core_properties
    properties.title, properties.author, properties.comments = _printable(title), "", ""


def _set_fonts(rpr: CT_RPr, font: tuple[str, str]) -> None:
    """Latin letters in the first font, Chinese in the second, read as Simplified Chinese
    (so a CJK font shows the mainland glyphs)."""
    latin, east_asian = font
    fonts = rpr.get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attribute), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    language = rpr.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        rpr.append(language)
    language.set(qn("w:eastAsia"), "zh-CN")


def write_run(paragraph: Paragraph, text: str, *, font: tuple[str, str] = BODY_FONT,
           size: Pt = BODY_SIZE) -> None:
    run = paragraph.add_run(_printable(text))
    run.font.size = size
    _set_fonts(run._element.get_or_add_rPr(), font)


def _title(document: DocxDocument, detail: VisitDetail, words: FormWords) -> None:
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(6)
    write_run(title, words.title, font=LABEL_FONT, size=TITLE_SIZE)
    number = document.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    number.paragraph_format.space_after = Pt(4)
    write_run(number, words.number.format(number=detail.visit.id or ""), size=NOTE_SIZE)


def _form_table(document: DocxDocument, detail: VisitDetail, words: FormWords,
                categories: Mapping[int, str]) -> None:
    visit = detail.visit
    table = document.add_table(rows=0, cols=4)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _borders(table)
    for column, width in zip(table.columns, COLUMN_WIDTHS, strict=True):
        column.width = width

    _pairs(table, (words.members, [words.separator.join(name for _, name in detail.members)]),
           (words.units, _units(detail, words)))
    _pairs(table, (words.visit_date, [words.format_day(visit.visit_date)]),
           (words.at_base_unit, [_ticks([(words.yes, visit.at_base_unit),
                                         (words.no, not visit.at_base_unit)])]))
    _wide(table, words.channel, [_ticks((label, channel == visit.channel)
                                        for channel, label in words.channels.items())])
    _wide(table, words.occasion, [_occasion(detail, words)])
    _pairs(table, (words.targets, _targets(detail, words)),
           (words.head_count, [words.head_count_value.format(count=visit.head_count)]))
    _wide(table, words.workstation, [detail.workstation or words.none])
    _wide(table, words.summary, _printable(visit.summary).split("\n"), height=SUMMARY_HEIGHT,
          first_line=TWO_CHARACTERS)
    _wide(table, words.problems, _problem_lines(detail, words, categories) or [words.none],
          height=PROBLEMS_HEIGHT, left=TWO_CHARACTERS, first_line=-TWO_CHARACTERS)
    _pairs(table, (words.recorded_by, [detail.recorded_by or ""]),
           (words.recorded_on, [_day(visit.created_at, words)]))
    _pairs(table, (words.acknowledged_by, [detail.acknowledged_by or ""]),
           (words.acknowledged_on, [_day(visit.acknowledged_at, words)]))


def _borders(table: Table) -> None:
    """Single lines: heavier around the form, thin between cells, as printed forms are."""
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{side}")
        line.set(qn("w:val"), "single")
        line.set(qn("w:sz"), str(INNER_BORDER if side.startswith("inside") else OUTER_BORDER))
        line.set(qn("w:space"), "0")
        line.set(qn("w:color"), "000000")
        borders.append(line)
    table._tbl.tblPr.append(borders)


def _pairs(table: Table, *pairs: tuple[str, list[str]]) -> None:
    """A row of two label-value pairs."""
    row = _row(table, ROW_HEIGHT, splits=False)
    for index, (label, lines) in enumerate(pairs):
        _label(row.cells[2 * index], label)
        _value(row.cells[2 * index + 1], lines)


def _wide(table: Table, label: str, lines: list[str], *, height: Length = ROW_HEIGHT,
          left: Length = FLUSH, first_line: Length = FLUSH) -> None:
    """A row of one label and a value across the rest of the form. A tall one is written
    from the top, as by hand, and grows (on to the next page) with a long text."""
    tall = height != ROW_HEIGHT
    row = _row(table, height, splits=tall)
    _label(row.cells[0], label)
    value = row.cells[1].merge(row.cells[3])
    _value(value, lines, top=tall, left=left, first_line=first_line)


def _row(table: Table, height: Length, *, splits: bool) -> _Row:
    row = table.add_row()
    row.height, row.height_rule = height, WD_ROW_HEIGHT_RULE.AT_LEAST
    for cell, width in zip(row.cells, COLUMN_WIDTHS, strict=True):
        cell.width = width
    if not splits:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    return row


def _label(cell: _Cell, label: str) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    write_run(paragraph, label, font=LABEL_FONT)


def _value(cell: _Cell, lines: list[str], *, top: bool = False, left: Length = FLUSH,
           first_line: Length = FLUSH) -> None:
    """Each line a paragraph, indented as asked (a negative first line hangs)."""
    cell.vertical_alignment = (WD_CELL_VERTICAL_ALIGNMENT.TOP if top
                               else WD_CELL_VERTICAL_ALIGNMENT.CENTER)
    for index, line in enumerate(lines):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        if left or first_line:
            paragraph.paragraph_format.left_indent = left
            paragraph.paragraph_format.first_line_indent = first_line
        write_run(paragraph, line)


def _ticks(choices: Iterable[tuple[str, bool]]) -> str:
    """The paper form's tick boxes: ☑走访谈心　☐服务活动 …"""
    return "　".join(f"{TICKED if chosen else UNTICKED}{label}" for label, chosen in choices)


def _units(detail: VisitDetail, words: FormWords) -> list[str]:
    """The member's employer and post; on a joint visit one line per member."""
    units = list(zip((name for _, name in detail.members), detail.member_units, strict=False))
    if len(units) == 1:
        return [units[0][1]]
    return [words.member_unit.format(name=name, unit=unit) for name, unit in units if unit]


def _occasion(detail: VisitDetail, words: FormWords) -> str:
    occasion = words.occasions[VisitOccasion(detail.visit.occasion)]
    if detail.campaign:
        return words.with_campaign.format(occasion=occasion, campaign=detail.campaign)
    return occasion


def _targets(detail: VisitDetail, words: FormWords) -> list[str]:
    lines = [detail.visit.contact_targets] if detail.visit.contact_targets else []
    if detail.contacts:
        names = words.separator.join(name for _, name in detail.contacts)
        lines.append(words.contact_persons.format(names=names))
    return lines


def _problem_lines(detail: VisitDetail, words: FormWords,
                   categories: Mapping[int, str]) -> list[str]:
    return [words.problem_line.format(
        number=number, content=problem.content,
        category=categories.get(problem.category_id, words.uncategorised))
        for number, problem in enumerate(detail.problems, start=1)]


def _day(moment: datetime | None, words: FormWords) -> str:
    """A stored (UTC) time as the office's day; blank for the hand to fill in."""
    return words.format_day(to_office_time(moment).date()) if moment else ""


# --- the spreadsheet -------------------------------------------------------------------

LIST_COLUMNS = ("id", "visit_date", "members", "channel", "occasion", "head_count",
                "contact_targets", "summary", "problems", "open_problems", "acknowledged")


@dataclass(frozen=True)
class ListWords:
    """The visit list file's headers (column → label, in ``LIST_COLUMNS`` order), the
    channel and occasion labels, and yes/no (``list_words``)."""

    labels: Mapping[str, str]
    channels: Mapping[Channel, str]
    occasions: Mapping[VisitOccasion, str]
    export: ExportWords


def list_words(language: str) -> ListWords:
    return ListWords(
        labels={column: t(f"visit_form.column.{column}", language) for column in LIST_COLUMNS},
        channels={channel: enum_label(channel, language) for channel in Channel},
        occasions={occasion: enum_label(occasion, language) for occasion in VisitOccasion},
        export=ExportWords(yes=t("export.yes", language), no=t("export.no", language),
                           truncated=t("export.truncated", language)),
    )


def visits_workbook(rows: pd.DataFrame, words: ListWords,
                    file_format: FileFormat = FileFormat.XLSX) -> bytes:
    """``services.visits.list_visits`` rows as Excel (or CSV), one row per visit. Not
    audited: hand it to ``services.exports.audited_file``."""
    readable = rows.assign(
        channel=rows["channel"].map(lambda value: words.channels[Channel(value)]),
        occasion=rows["occasion"].map(lambda value: words.occasions[VisitOccasion(value)]),
    )
    return table_file(readable, dict(words.labels), words.export, file_format)
