"""The figures of the opinion pipeline for a period (``services.opinion_figures``): the
stages, adoption by level, leaders' instructions, days to forwarding, reply and
feedback, the share of collected problems that became reports, a table by
organisation, committee, sector or month, and the overdue list. Every figure respects
the board's organisation, committee and sector filters.

The reports board's 统计 tab draws them all (``figures_section``); the opinion pipeline
dashboard (``pages/opinion_pipeline.py``) shares the pieces: the period and its filters
(``figure_filters``), a row of tiles (``tile_row``), the turnaround tiles and the overdue
list, whose rows it lets open the report."""

from collections.abc import Callable

import streamlit as st

from models import AdoptionLevel, InstructionLevel, OpinionStatus
from services import opinion_figures
from services.opinion_figures import FigureFilters, FigureGroup, Spread
from ui.charts import linked_table
from ui.filter_bar import Scope
from ui.i18n import enum_column, enum_text, fmt_number, fmt_percent, tr
from ui.page import PageContext
from ui.periods import period_picker
from ui.table import labelled_table


def figure_filters(page: PageContext, scope: Scope, *, key: str) -> FigureFilters:
    """The period picker (quarter, half-year, year; widgets keyed under ``key``) and the
    filters of the figures: the bar's scope and the period's days."""
    period = period_picker(today=page.today, key=key)
    return FigureFilters(organisation_ids=scope.organisation_ids,
                         committee_id=scope.committee_id, sector_id=scope.sector_id,
                         first=period.starts_on, last=period.ends_on)


def figures_section(page: PageContext, scope: Scope) -> None:
    filters = figure_filters(page, scope, key="report_figures.period")
    adoption = page.cached(opinion_figures.adoption_by_level, filters=filters)
    if not adoption.submitted:
        st.info(tr("opinion.figures.empty"))
        return
    instructions = page.cached(opinion_figures.instruction_counts, filters=filters)
    share = page.cached(opinion_figures.problems_to_reports_share, filters=filters)
    tile_row([(tr("opinion.figures.submitted"), fmt_number(adoption.submitted)),
              (tr("opinion.figures.adopted"), fmt_number(adoption.adopted)),
              (tr("opinion.figures.adoption_rate"), fmt_percent(adoption.rate)),
              (tr("opinion.figures.instructed"), fmt_number(instructions.reports)),
              (tr("opinion.figures.problems_share"), fmt_percent(share.share))])
    tile_row([*[(enum_text(level), fmt_number(adoption.by_level[level]))
                for level in AdoptionLevel],
              (tr("opinion.figures.problems_collected"), fmt_number(share.collected)),
              (tr("opinion.figures.problems_to_report"), fmt_number(share.to_report))])
    st.caption(" · ".join(f"{enum_text(level)} {fmt_number(instructions.by_level[level])}"
                          for level in InstructionLevel))
    turnaround_tiles(page, filters)
    _groups(page, filters)
    overdue_section(page, filters)


def tile_row(tiles: list[tuple[str, str]]) -> None:
    """A row of bordered tiles, (label, value already written) each."""
    for column, (label, value) in zip(st.columns(len(tiles)), tiles, strict=True):
        with column.container(border=True):
            st.metric(label, value)


def turnaround_tiles(page: PageContext, filters: FigureFilters) -> None:
    """Days from submission to forwarding, reply and feedback: median / 90th percentile,
    and how many reports reached each."""
    days = page.cached(opinion_figures.turnaround, filters=filters)
    st.markdown(f"**{tr('opinion.figures.turnaround')}**")
    tile_row([(tr(f"opinion.figures.{name}", n=fmt_number(getattr(days, name).n)),
               _spread(getattr(days, name))) for name in ("to_forwarding", "to_reply",
                                                          "to_feedback")])


def _spread(spread: Spread) -> str:
    if spread.median is None:
        return "—"
    return tr("opinion.figures.spread", median=fmt_number(round(spread.median, 1)),
              p90=fmt_number(round(spread.p90, 1)))


def _groups(page: PageContext, filters: FigureFilters) -> None:
    group = st.segmented_control(tr("opinion.figures.group"), list(FigureGroup),
                                 default=FigureGroup.COMMITTEE, required=True,
                                 key="report_figures.group",
                                 format_func=lambda g: tr(f"opinion.figures.by.{g.value}"))
    table = page.cached(opinion_figures.figures_by, group=group, today=page.today,
                        filters=filters)
    labels = {"name": tr(f"opinion.figures.by.{group.value}")} | {
        column: (enum_text(OpinionStatus(column)) if column in ("forwarded", "replied",
                                                                "feedback_given")
                 else tr(f"opinion.figures.{column}"))
        for column in ("submitted", "adopted", "instructed", "forwarded", "replied",
                       "feedback_given", "overdue")}
    labelled_table(table, labels, file_name=f"opinion_figures_{group.value}",
                   entity="OpinionReport")


def overdue_section(page: PageContext, filters: FigureFilters, *,
                    open_report: Callable[[int], None] | None = None) -> None:
    """The reports past their stage's deadline, the most overdue first, with their
    exports; with ``open_report`` a click on a row opens that report."""
    late = page.cached(opinion_figures.overdue_list, today=page.today, filters=filters)
    st.markdown(f"**{tr('opinion.figures.overdue_list')}**")
    if late.empty:
        st.caption(tr("opinion.figures.none_overdue"))
        return
    late = late.assign(status=enum_column(late["status"], OpinionStatus))
    labels = {column: tr(f"opinion.figures.late.{column}") for column in late.columns
              if column != "id"}
    linked_table(late, {"id": tr("opinion.column.id"), **labels},
                 file_name="opinion_overdue", entity="OpinionReport", open_row=open_report)
