"""The meeting's slides as SVG, one PDF and PNG images (issue 13), drawn for real by
vl-convert with the Noto Sans CJK fonts."""

import io
import itertools
import struct
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from datetime import date

import pytest
from pypdf import PdfReader

from ui import meeting_export
from ui.meeting_deck import Bar, Panel, Slide, Tile
from ui.meeting_export import (
    ExportProblem,
    deck_pdf,
    deck_pngs,
    file_stem,
    png_names,
    png_zip,
    register_fonts,
    slide_svg,
)

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = ('=HYPERLINK("http://x","y")', "<img src=x onerror=alert(1)>", 'A & B "q"',
           "𠮷野家", "\u202eabc", "x" * 10_000, "bell\x00\x07ring", "non\ufffechar")
FOOTER = "市政协办公室 · 2026年12月7日"


def week() -> Slide:
    return Slide("week", "本周履职", "2026年11月30日 — 12月6日", tiles=(
        Tile("走访联系", "128", note="上周 117", delta="▲ 11", tone="good"),
        Tile("提交报告", "36", note="上周 41", delta="▼ 5", tone="bad"),
        Tile("处理问题", "19", note="上周 19", delta="与上周持平")), footer=FOOTER)


def opinions() -> Slide:
    return Slide("opinions", "社情民意", "2026年以来", tiles=(
        Tile("已提交", "214"), Tile("超期未办", "7", delta="需要督办", tone="bad")),
        panels=(Panel("办理阶段", bars=(Bar("已提交", 1.0, "214"), Bar("办理中", 0.35, "75"))),
                Panel("超期清单", columns=("报告", "委员会", "牵头委员", "超期天数"),
                      numeric=(False, False, False, True),
                      rows=(("关于加强老旧小区加装电梯后续管理和维护保养的建议", "城建委",
                             "王建国", "23"),), more="另有 3 条")), footer=FOOTER)


def hostile() -> Slide:
    return Slide("remind", "需要提醒的委员", "<b>共 3 位</b>", panels=(
        Panel("提醒名单", columns=("委员", "天数"), numeric=(False, True),
              rows=tuple((cell, "24") for cell in HOSTILE)),), footer=FOOTER)


def empty() -> Slide:
    return Slide("quota", "履职达标", "截至2026年12月7日", empty="还没有委员", footer=FOOTER)


def texts(svg: str) -> list[str]:
    return [element.text or "" for element in ET.fromstring(svg).iter(f"{SVG}text")]


# --- the SVG --------------------------------------------------------------------------------


def test_the_svg_is_a_1920_by_1080_picture_with_the_slides_words():
    svg = slide_svg(week(), number=1, total=6)
    root = ET.fromstring(svg)
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == (
        "1920", "1080", "0 0 1920 1080")
    words = texts(svg)
    for expected in ("本周履职", "2026年11月30日 — 12月6日", "走访联系", "128", "▲ 11",
                     "上周 117", "与上周持平", FOOTER, "1 / 6"):
        assert expected in words
    assert "Noto Sans CJK SC" in svg


def test_hostile_texts_stay_text():
    svg = slide_svg(hostile(), number=2, total=3)
    root = ET.fromstring(svg)  # parses: nothing XML forbids got through
    assert not [e for e in root.iter() if e.tag.removeprefix(SVG) in ("img", "b", "script")]
    words = texts(svg)
    for expected in HOSTILE[:4]:
        assert expected in words
    assert "<b>共 3 位</b>" in words
    assert "abc" in words and "\u202e" not in svg  # the override cannot reorder the line
    assert "bell ring" in words and "\x00" not in svg and "\x07" not in svg
    assert "\ufffe" not in svg
    long = next(word for word in words if word.startswith("xxx"))
    assert long.endswith("…") and len(long) < 200
    assert len(svg) < 30_000


def test_table_columns_do_not_overlap_and_short_cells_stay_whole():
    svg = slide_svg(opinions(), number=2, total=6)
    root = ET.fromstring(svg)
    clips = {clip.get("id"): clip[0] for clip in root.iter(f"{SVG}clipPath")}
    words = {e.text: e for e in root.iter(f"{SVG}text")}
    spans = []
    for header in ("报告", "委员会", "牵头委员", "超期天数"):
        rect = clips[words[header].get("clip-path")[5:-1]]
        left = float(rect.get("x"))
        spans.append((left, left + float(rect.get("width"))))
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    assert spans[-1][1] <= 1920 - 72 and spans[0][0] >= 72
    for whole in ("城建委", "王建国", "23", "另有 3 条", "214", "需要督办"):
        assert whole in words
    title = next(word for word in words if word and word.startswith("关于加强"))
    assert title.endswith("…")
    assert words["超期天数"].get("text-anchor") == "end"  # numbers right-aligned


def test_bars_are_the_share_of_their_track():
    root = ET.fromstring(slide_svg(opinions(), number=2, total=6))
    fills = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == "#0072B2"]
    tracks = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == "#e8edf2"]
    bar_tracks = [r for r in tracks if float(r.get("height")) > 10]
    bar_fills = [r for r in fills if float(r.get("height")) > 10]
    assert len(bar_tracks) == 2 and len(bar_fills) == 2
    full = float(bar_tracks[0].get("width"))
    assert float(bar_fills[0].get("width")) == pytest.approx(full, abs=0.2)
    assert float(bar_fills[1].get("width")) == pytest.approx(full * 0.35, abs=0.2)


def test_the_progress_line_and_an_empty_slide():
    svg = slide_svg(empty(), number=3, total=4)
    root = ET.fromstring(svg)
    blank = next(e for e in root.iter(f"{SVG}text") if e.text == "还没有委员")
    assert blank.get("text-anchor") == "middle" and float(blank.get("x")) == 960
    assert 400 < float(blank.get("y")) < 700
    progress = [r for r in root.iter(f"{SVG}rect") if r.get("height") == "6.0"]
    track, done = (float(r.get("width")) for r in progress)
    assert done == pytest.approx(track * 3 / 4, abs=0.2)
    with pytest.raises(ValueError):
        slide_svg(empty(), number=5, total=4)


# --- the files ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def slides() -> list[Slide]:
    return [week(), opinions(), hostile()]


@pytest.fixture(scope="module")
def pdf(slides):
    done: list[float] = []
    return deck_pdf(slides, progress=done.append), done


@pytest.fixture(scope="module")
def pngs(slides):
    done: list[float] = []
    return deck_pngs(slides, progress=done.append), done


def test_one_pdf_a_page_a_slide_with_the_chinese_text(pdf, tmp_path):
    data, done = pdf
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 3
    assert {(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages} == {
        (960.0, 540.0)}  # the widescreen slide size, not 1920 pt across
    path = tmp_path / "deck.pdf"
    path.write_bytes(data)
    # pdftotext (poppler-utils) must be there: a missing tool fails the test.
    pages = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                           capture_output=True, text=True).stdout.split("\f")
    for page, title in zip(pages, ("本周履职", "社情民意", "需要提醒的委员"), strict=False):
        assert title in page
    assert "走访联系" in pages[0] and "超期清单" in pages[1] and "𠮷野家" in pages[2]
    assert done == [1 / 3, 2 / 3, 1.0]


def test_pngs_are_1920_by_1080_and_zip_under_their_names(pngs, slides):
    images, done = pngs
    assert len(images) == 3
    for image in images:
        assert image[:8] == b"\x89PNG\r\n\x1a\n" and image[12:16] == b"IHDR"
        assert struct.unpack(">II", image[16:24]) == (1920, 1080)
    assert done == sorted(done) and done[-1] == 1.0 and len(done) == 3

    names = png_names(slides, date(2026, 12, 7))
    assert names == ["liaison-meeting-2026-12-07-01-week.png",
                     "liaison-meeting-2026-12-07-02-opinions.png",
                     "liaison-meeting-2026-12-07-03-remind.png"]
    with zipfile.ZipFile(io.BytesIO(png_zip(images, names))) as archive:
        assert archive.namelist() == names
        assert archive.read(names[1]) == images[1]
        assert archive.getinfo(names[0]).compress_type == zipfile.ZIP_DEFLATED
    assert file_stem(date(2026, 12, 7)) == "liaison-meeting-2026-12-07"


# --- fonts ----------------------------------------------------------------------------------


@pytest.fixture
def fresh_fonts():
    register_fonts.cache_clear()
    yield
    register_fonts.cache_clear()


def test_no_cjk_font_is_a_problem_not_empty_slides(fresh_fonts, monkeypatch, tmp_path):
    (tmp_path / "DejaVuSans.ttf").write_bytes(b"not really a font")
    monkeypatch.setattr(meeting_export, "FONT_DIRS", (str(tmp_path / "missing"),))
    monkeypatch.setenv("LIAISON_CJK_FONT_DIR", str(tmp_path))
    with pytest.raises(ExportProblem) as problem:
        register_fonts()
    assert problem.value.message_key == "meeting.export.no_font"
    with pytest.raises(ExportProblem):
        deck_pdf([week()])


def test_the_font_directory_named_in_the_environment_comes_first(fresh_fonts, monkeypatch):
    found = register_fonts()
    register_fonts.cache_clear()
    monkeypatch.setattr(meeting_export, "FONT_DIRS", ("/nowhere",))
    monkeypatch.setenv("LIAISON_CJK_FONT_DIR", found)
    assert register_fonts() == found
