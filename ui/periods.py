"""Quota periods on screen: a period's name, its card, and the period picker."""

from collections.abc import Sequence
from datetime import date

import streamlit as st

from services.periods import Period, PeriodKind, recent_periods
from ui.i18n import fmt_date, tr

PICKER_DEPTH = 8  # periods offered: the current one and those before it


def period_name(period: Period) -> str:
    """2026年第4季度, 2026年下半年, 2026年."""
    match period.kind:
        case PeriodKind.QUARTER:
            return tr("period.quarter_name", year=period.year, index=period.index)
        case PeriodKind.HALF_YEAR:
            return tr(f"period.half_year_name_{period.index}", year=period.year)
        case PeriodKind.YEAR:
            return tr("period.year_name", year=period.year)


def period_card(period: Period, *, today: date) -> None:
    """A quota period: its name, its dates, the days left and how much has elapsed."""
    days_left = period.days_left(today)
    elapsed = min(max(1 - days_left / period.length_days, 0.0), 1.0)
    with st.container(border=True):
        st.markdown(f"**{period_name(period)}**")
        st.caption(
            tr("period.range", start=fmt_date(period.starts_on), end=fmt_date(period.ends_on))
        )
        st.metric(tr("period.days_left"), tr("period.days", days=days_left))
        st.caption(tr(f"period.{period.kind}_rule"))
        st.progress(elapsed, text=tr("period.elapsed", percent=round(elapsed * 100)))


def period_picker(*, today: date, kinds: Sequence[PeriodKind] = tuple(PeriodKind),
                  key: str = "period") -> Period:
    """The kind of period (quarter, half-year, year; one kind draws no choice) and one of
    the recent periods of that kind, the current one first. Returns the chosen period."""
    kind = kinds[0]
    if len(kinds) > 1:
        kind = st.segmented_control(
            tr("period.kind"), kinds, default=kind, required=True, key=f"{key}.kind",
            format_func=lambda k: tr(f"period.kind_name.{k}"),
        )
    return st.selectbox(tr("period.pick"), recent_periods(kind, today, PICKER_DEPTH),
                        format_func=period_name, key=f"{key}.{kind}")
