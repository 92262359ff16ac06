"""The meeting's slides as files to circulate (issue 13): each slide drawn as a 1920×1080
SVG with the projector's layout and colours (``ui.meeting_html``), then turned by
vl-convert into one PDF (a page a slide, joined with pypdf) or PNG images (zipped).

vl-convert draws text only with the fonts it is given: ``register_fonts`` hands it the
Noto Sans CJK directory once per process, and refuses (``ExportProblem``) when there is
none rather than producing slides of empty boxes. No streamlit here.

Every text of a slide comes from users at some remove (report titles, names): it is cut
to its box with ``fit`` (which also turns control and bidi-override characters into
spaces), stripped of whatever XML 1.0 forbids and escaped; each text is also clipped to
its box, so that a line wider than its estimate cannot run into its neighbour.
"""

import functools
import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable
from datetime import date
from html import escape
from pathlib import Path

import vl_convert
from pypdf import PdfReader, PdfWriter

from core.errors import LiaisonError
from ui.meeting_deck import Panel, Slide, Tile, fit

WIDTH, HEIGHT = 1920, 1080
FONT_FAMILY = "Noto Sans CJK SC, Noto Sans CJK, sans-serif"
FONT_DIRS = (
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/opentype/noto-cjk",
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/noto-cjk",
)
FONT_DIR_ENV = "LIAISON_CJK_FONT_DIR"

# The projector's colours (ui.meeting_html).
INK, SOFT, LABEL = "#0b1320", "#3b4656", "#27323f"
BLUE, TRACK, BORDER, RULE = "#0072B2", "#e8edf2", "#c9d2dc", "#d8dee6"
TONES = {"good": "#00734d", "bad": "#b3261e", "flat": "#4a5563"}

# The layout in pixels of the 1920×1080 slide (the projector's vh and vw sizes).
MARGIN_X, MARGIN_TOP = 72, 44
INNER = WIDTH - 2 * MARGIN_X
TITLE, SUBTITLE = 60, 28
HEAD_GAP = 38
TILE_GAP, TILE_PAD_X, TILE_PAD_Y = 31, 27, 18
TILE_LABEL, TILE_VALUE, TILE_DELTA, TILE_NOTE = 28, 92, 30, 25
PANEL_GAP, HEADING = 46, 32
CELL, CELL_PAD = 28, 12
BAR_FONT, BAR_TRACK, BAR_GAP = 27, 28, 19
MORE = 26
BLANK = 37
FOOT = 24
FOOT_RULE = 986  # the footer's thin line; the slide's body ends above it
BODY_BOTTOM = FOOT_RULE - 14
PROGRESS_Y, PROGRESS_H = 1036, 6
LINE = 1.45  # line height of a text, in font sizes
ASCENT = 0.88  # the baseline's depth in a CJK em box

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_KEY = re.compile(r"[^a-z0-9_-]+")


class ExportProblem(LiaisonError):
    message_key = "meeting.export.no_font"


# --- fonts ----------------------------------------------------------------------------------


def _font_dirs() -> list[Path]:
    chosen = os.environ.get(FONT_DIR_ENV, "").strip()
    return [Path(d) for d in ((chosen,) if chosen else ()) + FONT_DIRS]


def _has_cjk_font(directory: Path) -> bool:
    try:
        return any(path.is_file() and "CJK" in path.name
                   and path.suffix.lower() in (".ttc", ".otf", ".ttf")
                   for path in directory.rglob("*"))
    except OSError:
        return False


@functools.cache
def register_fonts() -> str:
    """Give vl-convert the first directory holding a Noto Sans CJK font (once per
    process) and answer it; ``ExportProblem`` when none does."""
    for directory in _font_dirs():
        if directory.is_dir() and _has_cjk_font(directory):
            vl_convert.register_font_directory(str(directory))
            return str(directory)
    raise ExportProblem("meeting.export.no_font")


# --- text -----------------------------------------------------------------------------------


def _wide(c: str) -> bool:
    # East Asian ambiguous characters (…, —, ▲) are full width in the CJK font.
    return unicodedata.east_asian_width(c) in "WFA"


def _estimate(text: str, size: float, bold: bool = False) -> float:
    """The text's drawn width in pixels, a little generous."""
    narrow = 0.62 if bold else 0.58
    return sum(1.0 if _wide(c) else narrow for c in text) * size


def _cut(text: object, width: float, size: float, bold: bool = False) -> str:
    """``text`` cut with ``fit`` to a box ``width`` pixels wide and made safe for XML."""
    whole = fit(text, float("inf"))
    if _estimate(whole, size, bold) <= width:
        return _NOT_XML.sub("", whole)
    ems = max(width, 0.0) / size * (0.9 if bold else 0.94)
    return _NOT_XML.sub("", fit(whole, max(ems, 1.5)))


class _Svg:
    """The elements of one slide, with the clip rectangles they refer to."""

    def __init__(self) -> None:
        self.defs: list[str] = []
        self.body: list[str] = []

    def rect(self, x: float, y: float, w: float, h: float, fill: str, *, rx: float = 0,
             stroke: str = "", stroke_width: float = 0) -> None:
        line = (f' stroke="{stroke}" stroke-width="{stroke_width:g}"' if stroke else "")
        self.body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" '
                         f'height="{max(h, 0):.1f}" rx="{rx:g}" fill="{fill}"{line}/>')

    def clip(self, x: float, y: float, w: float, h: float) -> str:
        name = f"c{len(self.defs)}"
        self.defs.append(f'<clipPath id="{name}"><rect x="{x:.1f}" y="{y:.1f}" '
                         f'width="{max(w, 0):.1f}" height="{max(h, 0):.1f}"/></clipPath>')
        return name

    def text(self, x: float, top: float, text: str, size: float, *, colour: str = INK,
             bold: bool = False, anchor: str = "start", height: float | None = None,
             clip: str = "") -> float:
        """One line of (already cut) text in a line box from ``top``; answers the box's
        height."""
        box = height if height is not None else size * LINE
        if text:
            baseline = top + (box - size) / 2 + ASCENT * size
            weight = ' font-weight="bold"' if bold else ""
            move = f' text-anchor="{anchor}"' if anchor != "start" else ""
            clipped = f' clip-path="url(#{clip})"' if clip else ""
            self.body.append(
                f'<text x="{x:.1f}" y="{baseline:.1f}" font-size="{size:g}" '
                f'fill="{colour}"{weight}{move}{clipped}>{escape(text)}</text>')
        return box

    def document(self) -> str:
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
                f'viewBox="0 0 {WIDTH} {HEIGHT}">'
                f"<defs>{''.join(self.defs)}</defs>"
                f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>'
                f'<g font-family="{FONT_FAMILY}">{"".join(self.body)}</g></svg>')


# --- the slide ------------------------------------------------------------------------------


def _head(svg: _Svg, slide: Slide) -> float:
    box = TITLE * 1.2
    title = _cut(slide.title, INNER * 0.68, TITLE, bold=True)
    svg.text(MARGIN_X, MARGIN_TOP, title, TITLE, bold=True, height=box,
             clip=svg.clip(MARGIN_X, MARGIN_TOP - 10, INNER * 0.7, box + 20))
    left = MARGIN_X + min(_estimate(title, TITLE, bold=True), INNER * 0.7) + HEAD_GAP
    room = WIDTH - MARGIN_X - left
    if slide.subtitle and room > SUBTITLE * 3:
        # On the title's baseline, as the projector's flex row aligns them.
        baseline_shift = (box - TITLE) / 2 + ASCENT * TITLE - ASCENT * SUBTITLE
        svg.text(left, MARGIN_TOP + baseline_shift, _cut(slide.subtitle, room, SUBTITLE),
                 SUBTITLE, colour=SOFT, height=SUBTITLE,
                 clip=svg.clip(left, MARGIN_TOP, room, box + 10))
    rule = MARGIN_TOP + box + 9
    svg.rect(MARGIN_X, rule, INNER, 4, BLUE)
    return rule + 4


def _tile_lines(tile: Tile) -> list[tuple[str, float, str, bool, float]]:
    """(text, size, colour, bold, line height) of the tile's lines, top down."""
    lines = [(tile.label, TILE_LABEL, LABEL, False, TILE_LABEL * LINE),
             (tile.value, TILE_VALUE, INK, True, TILE_VALUE * 1.12)]
    if tile.delta:
        lines.append((tile.delta, TILE_DELTA, TONES.get(tile.tone, TONES["flat"]), True,
                      TILE_DELTA * LINE))
    if tile.note:
        lines.append((tile.note, TILE_NOTE, SOFT, False, TILE_NOTE * LINE + 4))
    return lines


def _tiles(svg: _Svg, tiles: tuple[Tile, ...], top: float) -> float:
    width = (INNER - TILE_GAP * (len(tiles) - 1)) / len(tiles)
    height = 2 * TILE_PAD_Y + max(sum(line[4] for line in _tile_lines(tile))
                                  for tile in tiles)
    for index, tile in enumerate(tiles):
        x = MARGIN_X + index * (width + TILE_GAP)
        svg.rect(x + 1.5, top + 1.5, width - 3, height - 3, "#ffffff", rx=11,
                 stroke=BORDER, stroke_width=3)
        inner = width - 2 * TILE_PAD_X
        clip = svg.clip(x + TILE_PAD_X - 4, top, inner + 8, height)
        y = top + TILE_PAD_Y
        for text, size, colour, bold, box in _tile_lines(tile):
            svg.text(x + TILE_PAD_X, y, _cut(text, inner, size, bold), size, colour=colour,
                     bold=bold, height=box, clip=clip)
            y += box
    return top + height


def _column_widths(panel: Panel, width: float, size: float) -> list[float]:
    """Each column as wide as its widest cell; when they do not all fit, the widest are
    capped (the same cap for all) until they do; spare room shared out in proportion."""
    cells = [panel.columns, *panel.rows]
    natural = [max(_estimate(fit(row[i], 200), size) if i < len(row) else 0.0 for row in cells)
               + 2 * CELL_PAD for i in range(len(panel.columns))]
    if sum(natural) <= width:
        spare = width - sum(natural)
        return [n + spare * n / sum(natural) for n in natural]
    low, high = 0.0, max(natural)
    for _ in range(40):
        cap = (low + high) / 2
        low, high = (cap, high) if sum(min(n, cap) for n in natural) <= width else (low, cap)
    return [min(n, low) for n in natural]


def _table(svg: _Svg, panel: Panel, x: float, width: float, top: float, room: float,
           below: float) -> float:
    """The panel's table from ``top`` in ``room`` pixels (``below`` of them kept for the
    line under it); answers where it ends."""
    size = CELL
    head_h, row_h = size * LINE + 11, size * LINE + 15
    rows = len(panel.rows)
    if head_h + rows * row_h > room - below:  # shrink the lines, then the type
        row_h = max(size * 1.3 + 4, (room - below - head_h) / max(rows, 1))
        if head_h + rows * row_h > room - below:
            scale = max(0.6, (room - below) / (head_h + rows * row_h))
            size, head_h, row_h = size * scale, head_h * scale, row_h * scale
    widths = _column_widths(panel, width, size)
    numeric = tuple(panel.numeric) + (False,) * (len(panel.columns) - len(panel.numeric))
    lefts = [x + sum(widths[:i]) for i in range(len(widths))]
    clips = [svg.clip(left + CELL_PAD / 2, top, w - CELL_PAD, head_h + rows * row_h)
             for left, w in zip(lefts, widths, strict=True)]

    def line(cells: tuple[str, ...], y: float, height: float, colour: str) -> None:
        for i, (left, w) in enumerate(zip(lefts, widths, strict=True)):
            cell = _cut(cells[i] if i < len(cells) else "", w - 2 * CELL_PAD, size)
            right = numeric[i]
            svg.text(left + w - CELL_PAD if right else left + CELL_PAD, y, cell, size,
                     colour=colour, anchor="end" if right else "start", height=height,
                     clip=clips[i])

    line(panel.columns, top, head_h, SOFT)
    svg.rect(x, top + head_h - 2.7, width, 2.7, INK)
    y = top + head_h
    for row in panel.rows:
        line(row, y, row_h, INK)
        svg.rect(x, y + row_h - 1.3, width, 1.3, RULE)
        y += row_h
    return y


def _bars(svg: _Svg, panel: Panel, x: float, width: float, top: float, room: float,
          below: float) -> float:
    size, track, step = BAR_FONT, BAR_TRACK, BAR_FONT * LINE + 10
    if len(panel.bars) * step > room - below:
        scale = max(0.6, (room - below) / (len(panel.bars) * step))
        size, track, step = size * scale, track * scale, step * scale
    label_w = width * 0.28
    texts = [_cut(bar.text, width * 0.4, size) for bar in panel.bars]
    text_w = max(_estimate(text, size) for text in texts)
    track_x = x + label_w + BAR_GAP
    track_w = max(width - label_w - text_w - 2 * BAR_GAP, width * 0.2)
    label_clip = svg.clip(x, top, label_w, len(panel.bars) * step)
    text_clip = svg.clip(track_x + track_w + BAR_GAP / 2, top, width - label_w - track_w
                         - 1.5 * BAR_GAP, len(panel.bars) * step)
    y = top
    for bar, text in zip(panel.bars, texts, strict=True):
        svg.text(x, y, _cut(bar.label, label_w, size), size, height=step - 10,
                 clip=label_clip)
        bar_top = y + (step - 10 - track) / 2
        svg.rect(track_x, bar_top, track_w, track, TRACK, rx=4)
        share = max(0.0, min(float(bar.share), 1.0)) if bar.share == bar.share else 0.0
        if share:
            svg.rect(track_x, bar_top, max(track_w * share, 4), track, BLUE, rx=4)
        svg.text(x + width, y, text, size, anchor="end", height=step - 10, clip=text_clip)
        y += step
    return y


def _panel(svg: _Svg, panel: Panel, x: float, width: float, top: float) -> None:
    heading = svg.text(x, top, _cut(panel.heading, width, HEADING, bold=True), HEADING,
                       bold=True, clip=svg.clip(x, top, width, HEADING * LINE))
    y = top + heading + 11
    room = BODY_BOTTOM - y
    below = MORE * LINE + 9 if panel.more else 0
    if panel.bars:
        y = _bars(svg, panel, x, width, y, room, below)
    elif panel.rows and panel.columns:
        y = _table(svg, panel, x, width, y, room, below)
    elif panel.empty:
        y += 9 + svg.text(x, y + 9, _cut(panel.empty, width, MORE), MORE, colour=SOFT)
    if panel.more:
        svg.text(x, y + 9, _cut(panel.more, width, MORE), MORE, colour=SOFT)


def _footer(svg: _Svg, slide: Slide, number: int, total: int) -> None:
    svg.rect(MARGIN_X, FOOT_RULE, INNER, 1.3, RULE)
    place = f"{number} / {total}"
    place_w = _estimate(place, FOOT)
    top = FOOT_RULE + 6
    svg.text(MARGIN_X, top, _cut(slide.footer, INNER - place_w - 40, FOOT), FOOT,
             colour=SOFT, clip=svg.clip(MARGIN_X, top, INNER - place_w - 30, FOOT * LINE))
    svg.text(WIDTH - MARGIN_X, top, place, FOOT, colour=SOFT, anchor="end")
    svg.rect(MARGIN_X, PROGRESS_Y, INNER, PROGRESS_H, TRACK)
    svg.rect(MARGIN_X, PROGRESS_Y, INNER * max(0.0, min(number / total, 1.0)), PROGRESS_H,
             BLUE)


def slide_svg(slide: Slide, *, number: int, total: int) -> str:
    """The slide as a standalone 1920×1080 SVG: ``number`` of ``total`` (from 1) in its
    footer with a progress line, as on the projector."""
    if total < 1 or not 1 <= number <= total:
        raise ValueError(f"slide {number} of {total}")
    svg = _Svg()
    top = _head(svg, slide) + 22
    if slide.tiles:
        top = _tiles(svg, slide.tiles, top) + 30
    if slide.panels:
        count = len(slide.panels)
        width = (INNER - PANEL_GAP * (count - 1)) / count
        for index, panel in enumerate(slide.panels):
            _panel(svg, panel, MARGIN_X + index * (width + PANEL_GAP), width, top)
    elif slide.empty:
        middle = top + (BODY_BOTTOM - top) / 2 - BLANK * LINE / 2 - 20
        svg.text(WIDTH / 2, middle, _cut(slide.empty, INNER, BLANK), BLANK, colour=SOFT,
                 anchor="middle")
    _footer(svg, slide, number, total)
    return svg.document()


# --- the files ------------------------------------------------------------------------------


def _report(progress: Callable[[float], None] | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done / total)


PDF_PAGE = (960, 540)  # points


def deck_pdf(slides: list[Slide], progress: Callable[[float], None] | None = None) -> bytes:
    """The slides as one PDF, a page a slide in order, each page 960×540 pt (13.33 × 7.5
    inches: the widescreen size of presentation programs, which prints on A4 or Letter
    landscape at their usual fit); ``progress`` hears the share done after each slide."""
    register_fonts()
    writer = PdfWriter()
    for number, slide in enumerate(slides, start=1):
        page = vl_convert.svg_to_pdf(slide_svg(slide, number=number, total=len(slides)))
        writer.append(PdfReader(io.BytesIO(page)))
        writer.pages[-1].scale_to(PDF_PAGE[0], PDF_PAGE[1])
        _report(progress, number, len(slides))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def deck_pngs(slides: list[Slide],
              progress: Callable[[float], None] | None = None) -> list[bytes]:
    """The slides as 1920×1080 PNG images, in order."""
    register_fonts()
    images = []
    for number, slide in enumerate(slides, start=1):
        images.append(vl_convert.svg_to_png(
            slide_svg(slide, number=number, total=len(slides)), scale=1))
        _report(progress, number, len(slides))
    return images


def png_zip(pngs: list[bytes], names: list[str]) -> bytes:
    """The images in one zip file under ``names``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for png, name in zip(pngs, names, strict=True):
            archive.writestr(name, png)
    return out.getvalue()


def file_stem(day: date) -> str:
    """liaison-meeting-2026-12-07"""
    return f"liaison-meeting-{day.isoformat()}"


def png_names(slides: list[Slide], day: date) -> list[str]:
    """liaison-meeting-2026-12-07-01-week.png, … (the slide's number and key)."""
    return [f"{file_stem(day)}-{number:02d}-{_KEY.sub('-', slide.key.lower()) or 'slide'}.png"
            for number, slide in enumerate(slides, start=1)]
