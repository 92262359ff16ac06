"""A meeting slide drawn as HTML for the projector (issue 13): one 16:9 screen, nothing
to scroll, type sized in viewport heights so that at 1920×1080 the headline figures are
about 90 px and no label is under 24 px, and the same slide simply scales at 1280×720.
Dark text on white with the Okabe–Ito blue, a darker green and red for up and down:
what a projector in a lit room still shows.

``PRESENTING_CSS`` hides the sidebar, the header and Streamlit's chrome while the page
presents; every text of a slide is escaped here (and wrapped in ``<bdi>`` so right-to-
left text cannot reorder the line around it)."""

from html import escape

from ui.meeting_deck import Panel, Slide, Tile, width_of

PRESENTING_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stExpandSidebarButton"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stStatusWidget"],
footer { display: none !important; }
[data-testid="stMain"] { overflow: hidden !important; }
[data-testid="stMainBlockContainer"] { padding: 1.2vh 2.2vw 0 2.2vw !important;
  max-width: 100% !important; }
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] { gap: 0.8vh; }
.lm-slide { height: 86vh; display: flex; flex-direction: column; overflow: hidden;
  color: #0b1320; background: #ffffff; font-family: "Noto Sans CJK SC", "Source Han Sans SC",
  "Microsoft YaHei", sans-serif; }
.lm-head { display: flex; align-items: baseline; gap: 2vw; border-bottom: 0.4vh solid #0072B2;
  padding-bottom: 0.8vh; }
.lm-title { font-size: 5.6vh; font-weight: 700; line-height: 1.2; margin: 0; }
.lm-subtitle { font-size: 2.6vh; color: #3b4656; }
.lm-tiles { display: grid; gap: 1.6vw; margin-top: 2vh; }
.lm-tile { border: 0.25vh solid #c9d2dc; border-radius: 1vh; padding: 1.2vh 1.4vw;
  min-width: 0; }
.lm-only .lm-tiles { flex: 1; margin-top: 4vh; margin-bottom: 4vh; }
.lm-only .lm-tile { display: flex; flex-direction: column; justify-content: center;
  padding: 3vh 2vw; }
.lm-only .lm-label { font-size: 3.6vh; }
.lm-only .lm-value { font-size: 14vh; }
.lm-only .lm-delta { font-size: 3.8vh; }
.lm-only .lm-note { font-size: 3.2vh; }
.lm-with-panels .lm-value { font-size: 6.6vh; }
.lm-label { font-size: 2.6vh; color: #27323f; }
.lm-value { font-size: 8.6vh; font-weight: 700; line-height: 1.1; color: #0b1320; }
.lm-delta { font-size: 2.8vh; font-weight: 700; }
.lm-good { color: #00734d; } .lm-bad { color: #b3261e; } .lm-flat { color: #4a5563; }
.lm-note { font-size: 2.3vh; color: #3b4656; margin-top: 0.4vh; }
.lm-panels { display: grid; gap: 2.4vw; margin-top: 2vh; flex: 1; min-height: 0; }
.lm-panel { min-width: 0; overflow: hidden; }
.lm-heading { font-size: 3vh; font-weight: 700; margin-bottom: 1vh; }
.lm-table { width: 100%; border-collapse: collapse; font-size: 2.6vh; table-layout: fixed; }
.lm-table th { text-align: left; color: #3b4656; font-weight: 400;
  border-bottom: 0.25vh solid #0b1320; padding: 0.5vh 0.6vw; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }
.lm-table td { border-bottom: 0.12vh solid #d8dee6; padding: 0.7vh 0.6vw;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.lm-table .lm-num { text-align: right; font-variant-numeric: tabular-nums; }
.lm-bars { display: grid; grid-template-columns: minmax(0, 42%) 1fr max-content;
  align-items: center; column-gap: 1vw; row-gap: 0.9vh; font-size: 2.5vh;
  line-height: 1.3; }
.lm-bar-label { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.lm-bar-track { background: #e8edf2; height: 2.6vh; border-radius: 0.4vh; }
.lm-bar-fill { background: #0072B2; height: 100%; border-radius: 0.4vh; }
.lm-bar-text { white-space: nowrap; font-variant-numeric: tabular-nums; }
.lm-more, .lm-empty { font-size: 2.4vh; color: #3b4656; margin-top: 0.8vh; }
.lm-blank { font-size: 3.4vh; color: #3b4656; margin: auto; }
.lm-foot { display: flex; justify-content: space-between; font-size: 2.3vh; color: #3b4656;
  border-top: 0.12vh solid #d8dee6; padding-top: 0.6vh; margin-top: auto; }
.lm-progress { height: 0.6vh; background: #e8edf2; margin-top: 0.6vh; }
.lm-progress > div { height: 100%; background: #0072B2; }
</style>"""


def _text(value: str) -> str:
    return f"<bdi>{escape(value)}</bdi>"


def _tile(tile: Tile) -> str:
    parts = [f'<div class="lm-label">{_text(tile.label)}</div>',
             f'<div class="lm-value">{_text(tile.value)}</div>']
    if tile.delta:
        parts.append(f'<div class="lm-delta lm-{tile.tone}">{_text(tile.delta)}</div>')
    if tile.note:
        parts.append(f'<div class="lm-note">{_text(tile.note)}</div>')
    return f'<div class="lm-tile">{"".join(parts)}</div>'


def _panel(panel: Panel) -> str:
    body = [f'<div class="lm-heading">{_text(panel.heading)}</div>']
    if panel.bars:
        # one grid for all the bars, so that equal shares draw equally long
        body.append('<div class="lm-bars">' + "".join(
            f'<span class="lm-bar-label">{_text(bar.label)}</span>'
            f'<span class="lm-bar-track"><span class="lm-bar-fill" style="display:block;'
            f'width:{max(0.0, min(bar.share, 1.0)) * 100:.1f}%"></span></span>'
            f'<span class="lm-bar-text">{_text(bar.text)}</span>'
            for bar in panel.bars) + "</div>")
    elif panel.rows:
        body.append(_table(panel))
    else:
        body.append(f'<div class="lm-empty">{_text(panel.empty)}</div>')
    if panel.more:
        body.append(f'<div class="lm-more">{_text(panel.more)}</div>')
    return f'<div class="lm-panel">{"".join(body)}</div>'


def _table(panel: Panel) -> str:
    """Columns as wide as their widest text (at least 4 ems), long cells cut with "…"."""
    count = len(panel.columns)
    numeric = (*panel.numeric, *(False,) * count)[:count]
    rows = [(*row, *("",) * count)[:count] for row in panel.rows]
    widths = [1.2 + max(4.0, *(width_of(row[i]) for row in [panel.columns, *rows]))
              for i in range(count)]
    columns = "".join(f'<col style="width:{w / sum(widths) * 100:.1f}%">' for w in widths)
    align = [' class="lm-num"' if right else "" for right in numeric]
    head = "".join(f"<th{a}>{_text(c)}</th>" for a, c in zip(align, panel.columns, strict=True))
    body = "".join("<tr>" + "".join(f"<td{a}>{_text(cell)}</td>"
                                    for a, cell in zip(align, row, strict=True)) + "</tr>"
                   for row in rows)
    return (f'<table class="lm-table"><colgroup>{columns}</colgroup>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def slide_html(slide: Slide, *, number: int, total: int, status: str) -> str:
    """The slide as one block of HTML; ``number`` of ``total`` (from 1) and ``status``
    (when it was refreshed, the timer) go in its footer, with a progress line."""
    layout = "lm-with-panels" if slide.panels else "lm-only"
    parts = [f'<div class="lm-slide {layout}" data-slide="{escape(slide.key)}" '
             f'data-number="{number}">',
             '<div class="lm-head">'
             f'<div class="lm-title" role="heading" aria-level="1">{_text(slide.title)}</div>'
             f'<div class="lm-subtitle">{_text(slide.subtitle)}</div></div>']
    if slide.empty:
        parts.append(f'<div class="lm-blank">{_text(slide.empty)}</div>')
    if slide.tiles:
        parts.append(f'<div class="lm-tiles" style="grid-template-columns:repeat('
                     f'{len(slide.tiles)},minmax(0,1fr))">'
                     + "".join(_tile(tile) for tile in slide.tiles) + "</div>")
    if slide.panels:
        parts.append(f'<div class="lm-panels" style="grid-template-columns:repeat('
                     f'{len(slide.panels)},minmax(0,1fr))">'
                     + "".join(_panel(panel) for panel in slide.panels) + "</div>")
    parts.append(f'<div class="lm-foot"><span>{_text(slide.footer)}</span>'
                 f"<span>{_text(status)}</span></div>"
                 f'<div class="lm-progress"><div style="width:{number / max(total, 1) * 100:.1f}%">'
                 "</div></div></div>")
    return "".join(parts)
