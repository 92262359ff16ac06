"""The dashboards' charts: one Altair theme for the whole app, a few chart builders, and
the way every chart is shown with its numbers as a table and a download.

**The theme** (``THEME``, registered and enabled when this module is first imported,
once per process) is made for the weekly office meeting's projector and for colour-blind
readers: the Okabe–Ito palette (``PALETTE``), large type, and a font family with the
Chinese characters ("Noto Sans CJK SC", then the browser's sans-serif). Streamlit lays
its own theme (text colours for light or dark) under it; where both set a value, ours
wins. Any Altair chart drawn with ``st.altair_chart`` in the same process gets it too.

**The builders** (``bar_chart``, ``line_chart``) take a frame a service returned and the
names of its columns (plain English names; the words people read are the titles passed
in, in their language). They keep the frame's order: services return their rows sorted
as they should be read. Every mark has a tooltip with the titles given; numbers are
grouped by thousands, counts (integer columns) whole, other numbers to one decimal. A
builder returns the chart's Vega-Lite specification, made with Altair under the theme
and kept per process for the same numbers and words: turning an Altair chart into its
specification costs 10 to 40 ms, more than a page run may spend on all its charts, and
a dashboard redraws the same charts on every rerun.

**Drawing**: ``chart_with_table`` draws a chart (a builder's, or any Altair chart) as wide
as the page with its numbers in a table under 数据表 and the Excel and CSV buttons, or
the empty state's text (what to do next) when there is nothing to draw::

    chart = bar_chart(rows, "name", "activities", x_title=tr(...), y_title=tr(...),
                      horizontal=True, values=True)
    chart_with_table(chart, rows, labels={"name": ..., "activities": ...},
                     file_name="station_ranking", entity="Workstation",
                     empty=tr(...), total_of="activities")

``linked_table`` is a table whose rows open something on another screen.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.dataframe_util import convert_anything_to_arrow_bytes

from ui.i18n import tr
from ui.table import labelled_table

THEME = "liaison"
FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif'
# Okabe & Ito's colour-blind-safe palette, the yellow last (too pale on a projected white)
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000",
           "#F0E442")
BAR_SIZE = 28  # each category's band, in pixels, in a horizontal bar chart
CHART_HEIGHT = 320
SPECS_KEPT = 512  # specifications kept per process, the least recently drawn dropped

VegaLiteSpec = dict[str, Any]
Chart = VegaLiteSpec | alt.TopLevelMixin
Tooltips = Sequence[tuple[str, str]]  # (column, title) pairs shown besides the encoded ones


@alt.theme.register(THEME, enable=True)
def liaison_theme() -> alt.theme.ThemeConfig:
    """Large type in a CJK font, the Okabe–Ito colours, no frame around the plot."""
    label = {"labelFont": FONT, "titleFont": FONT, "labelFontSize": 14, "titleFontSize": 16,
             "titleFontWeight": "normal"}
    return alt.theme.ThemeConfig({"config": {
        "font": FONT,
        "title": {"font": FONT, "fontSize": 20, "anchor": "start"},
        "axis": {**label, "labelLimit": 260, "titlePadding": 10},
        "legend": {**label, "orient": "bottom", "symbolSize": 160},
        "header": {**label},
        "range": {"category": list(PALETTE)},
        "mark": {"color": PALETTE[0], "font": FONT},
        "bar": {"color": PALETTE[0]},
        "line": {"color": PALETTE[0], "strokeWidth": 3},
        "point": {"color": PALETTE[0], "size": 90, "filled": True},
        "text": {"font": FONT, "fontSize": 14},
        "view": {"stroke": None},
    }})


def bar_chart(frame: pd.DataFrame, x: str, y: str, *, x_title: str, y_title: str,
              color: str | None = None, color_title: str | None = None,
              horizontal: bool = False, values: bool = False,
              tooltip: Tooltips = ()) -> VegaLiteSpec:
    """Bars of the number ``y`` for each category ``x`` in the frame's order; with
    ``horizontal`` the categories run down the side (long Chinese names stay readable)
    and the chart grows with them. ``color`` splits each bar by a column (stacked, a
    legend titled ``color_title``); ``values`` writes each number at the end of its bar,
    readable from the back of the room. ``tooltip`` adds columns to the tooltip."""
    arguments = (x, y, x_title, y_title, color, color_title, horizontal, values,
                 tuple(tooltip))
    return _spec("bar", arguments, frame, [x, y, color, *(c for c, _ in tooltip)],
                 lambda data: _bar(data, frame, *arguments))


def line_chart(frame: pd.DataFrame, x: str, y: str, *, x_title: str, y_title: str,
               color: str | None = None, color_title: str | None = None,
               tooltip: Tooltips = ()) -> VegaLiteSpec:
    """A line with a point per row, ``x`` in the frame's order (months as 'YYYY-MM'); one
    line per value of ``color``. ``tooltip`` adds columns to the tooltip."""
    arguments = (x, y, x_title, y_title, color, color_title, tuple(tooltip))
    return _spec("line", arguments, frame, [x, y, color, *(c for c, _ in tooltip)],
                 lambda data: _line(data, frame, *arguments))


def chart_with_table(chart: Chart | Sequence[Chart], table: pd.DataFrame, *,
                     labels: Mapping[str, str], file_name: str, entity: str, empty: str,
                     total_of: str | None = None,
                     open_row: Callable[[int], None] | None = None) -> None:
    """The chart (or the charts, side by side) as wide as the page, and its numbers:
    ``table`` under ``labels`` (column → label, in order) with Excel and CSV buttons
    (``ui.table.labelled_table``: inert text, audited as an export of ``entity``), in an
    expander 数据表, built only while it is open. With ``open_row`` the table is shown
    open under the chart and a click on a row calls ``open_row`` with its ``id``
    (``linked_table``).

    With no rows, or when the column ``total_of`` adds up to zero (a month-by-month frame
    holds every month, even with nothing in any), the text ``empty`` (what to do next)
    is drawn instead. ``file_name`` names the files and keys the table's widgets: one
    per page."""
    if table.empty or (total_of is not None and not table[total_of].sum()):
        st.info(empty)
        return
    charts = [chart] if isinstance(chart, dict | alt.TopLevelMixin) else list(chart)
    places = st.columns(len(charts)) if len(charts) > 1 else [st.container()]
    for place, one in zip(places, charts, strict=True):
        with place:
            if isinstance(one, dict):
                st.vega_lite_chart(spec=one, width="stretch")
            else:
                st.altair_chart(one, width="stretch")
    if open_row is not None:
        linked_table(table, labels, file_name=file_name, entity=entity, open_row=open_row)
        return
    numbers = st.expander(tr("charts.table"), icon=":material/table:",
                          key=f"charts_{file_name}_numbers", on_change="rerun")
    if numbers.open:  # a closed expander's table would be built and sent on every run
        with numbers:
            labelled_table(table, labels, file_name=file_name, entity=entity)


def linked_table(rows: pd.DataFrame, labels: Mapping[str, str], *, file_name: str,
                 entity: str, open_row: Callable[[int], None] | None) -> None:
    """A labelled table with its exports whose rows open something elsewhere: a new click
    on a row calls ``open_row`` with the row's ``id`` (say, a station on its own screen).
    With ``open_row`` None (the reader may not open that screen) rows are not clickable."""
    if open_row is not None:
        st.caption(tr("charts.click_to_open"))
    clicked = labelled_table(rows, labels, file_name=file_name, entity=entity,
                             pick=open_row is not None)
    seen_key = f"charts_{file_name}_clicked"  # the same selection, redrawn, opens nothing
    last = st.session_state.get(seen_key)
    st.session_state[seen_key] = clicked
    if open_row is not None and clicked is not None and clicked != last:
        open_row(int(clicked))


# --- the specifications, made once ---------------------------------------------------------

_SPECS: OrderedDict[Hashable, VegaLiteSpec] = OrderedDict()
_SPECS_LOCK = threading.Lock()  # the sessions of one process draw in threads of their own


def _spec(kind: str, arguments: tuple, frame: pd.DataFrame, columns: list[str | None],
          build: Callable[[alt.InlineData], alt.TopLevelMixin]) -> VegaLiteSpec:
    """The specification of the chart ``build`` makes from the frame's ``columns`` (the
    only ones sent to the browser), kept under the chart's kind, arguments, numbers and
    words. The data is given inline, so no Altair data transformer (a global that
    Streamlit switches while it draws an Altair chart) takes part."""
    used = list(dict.fromkeys(column for column in columns if column is not None))
    key = (kind, arguments, tuple(used), tuple(tuple(frame[column].tolist()) for column in used))
    with _SPECS_LOCK:
        if key in _SPECS:
            _SPECS.move_to_end(key)
            return _SPECS[key]
    data = frame[used]
    records = data.astype(object).where(data.notna(), None).to_dict("records")
    spec = build(alt.InlineData(values=records)).to_dict()
    # The rows as Arrow bytes, made once: Streamlit sends a named dataset that is bytes
    # as it is (the form its own Altair path gives it), where it would convert a list of
    # rows again on every run.
    spec["datasets"] = {name: convert_anything_to_arrow_bytes(pd.DataFrame(rows))
                        for name, rows in spec.get("datasets", {}).items()}
    with _SPECS_LOCK:
        _SPECS[key] = spec
        while len(_SPECS) > SPECS_KEPT:
            _SPECS.popitem(last=False)
    return spec


def _bar(data: alt.InlineData, frame: pd.DataFrame, x: str, y: str, x_title: str,
         y_title: str, color: str | None, color_title: str | None, horizontal: bool,
         values: bool, tooltip: Tooltips) -> alt.TopLevelMixin:
    category = alt.X(x, type="nominal", sort=None, title=x_title,
                     axis=alt.Axis(labelAngle=0, labelOverlap="greedy"))
    number = alt.Y(y, type="quantitative", title=y_title, axis=_number_axis(frame, y))
    if horizontal:
        category = alt.Y(x, type="nominal", sort=None, title=x_title)
        number = alt.X(y, type="quantitative", title=y_title, axis=_number_axis(frame, y))
    encoding = {"x": number, "y": category} if horizontal else {"x": category, "y": number}
    height = max(120, BAR_SIZE * frame[x].nunique() + 60) if horizontal else CHART_HEIGHT
    bars = alt.Chart(data).mark_bar().encode(
        **encoding, **_colour(color, color_title),
        tooltip=_tooltip(frame, [(x, x_title, "nominal"), *_colour_tip(color, color_title),
                                 (y, y_title, "quantitative")], tooltip))
    if not values:
        return bars.properties(height=height)
    text = alt.Chart(data).mark_text(
        align="left" if horizontal else "center", baseline="middle" if horizontal else "bottom",
        dx=4 if horizontal else 0, dy=0 if horizontal else -4,
    ).encode(**encoding, text=alt.Text(y, type="quantitative", format=_format(frame, y)))
    return alt.layer(bars, text, data=data).properties(height=height)


def _line(data: alt.InlineData, frame: pd.DataFrame, x: str, y: str, x_title: str,
          y_title: str, color: str | None, color_title: str | None,
          tooltip: Tooltips) -> alt.TopLevelMixin:
    return alt.Chart(data).mark_line(point=True).encode(
        x=alt.X(x, type="nominal", sort=None, title=x_title,
                axis=alt.Axis(labelAngle=0, labelOverlap="greedy")),
        y=alt.Y(y, type="quantitative", title=y_title, axis=_number_axis(frame, y)),
        **_colour(color, color_title),
        tooltip=_tooltip(frame, [(x, x_title, "nominal"), *_colour_tip(color, color_title),
                                 (y, y_title, "quantitative")], tooltip),
    ).properties(height=CHART_HEIGHT)


def _format(frame: pd.DataFrame, column: str) -> str:
    """Counts as whole numbers, other numbers (a share in percent) to one decimal, both
    grouped by thousands."""
    return ",d" if pd.api.types.is_integer_dtype(frame[column]) else ",.1~f"


def _number_axis(frame: pd.DataFrame, column: str) -> alt.Axis:
    """A count of 3 gets no ticks at 0.5."""
    if pd.api.types.is_integer_dtype(frame[column]):
        return alt.Axis(format=",d", tickMinStep=1)
    return alt.Axis(format=",.1~f")


def _colour(color: str | None, title: str | None) -> dict[str, alt.Color]:
    if color is None:
        return {}
    return {"color": alt.Color(color, type="nominal", sort=None, title=title)}


def _colour_tip(color: str | None, title: str | None) -> list[tuple[str, str, str]]:
    return [] if color is None else [(color, title or "", "nominal")]


def _tooltip(frame: pd.DataFrame, encoded: list[tuple[str, str, str]],
             extra: Tooltips) -> list[alt.Tooltip]:
    """The encoded columns and the ``extra`` ones, each under its title; numbers grouped
    by thousands."""
    kinds = [(column, title, "quantitative" if pd.api.types.is_numeric_dtype(frame[column])
              else "nominal") for column, title in extra]
    return [alt.Tooltip(column, type=kind, title=title,
                        **({"format": _format(frame, column)} if kind == "quantitative" else {}))
            for column, title, kind in [*encoded, *kinds]]
