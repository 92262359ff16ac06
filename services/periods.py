"""Quota periods: the quarter (visit quota) and the half-year (opinion-report quota), and
the year that reports sum up."""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class PeriodKind(StrEnum):
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    year: int
    index: int  # 1..4 for quarters, 1..2 for half-years
    starts_on: date
    ends_on: date

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def days_left(self, today: date) -> int:
        """Days still available to meet the quota, today included; 0 once it has ended."""
        if today > self.ends_on:
            return 0
        return (self.ends_on - max(today, self.starts_on)).days + 1

    @property
    def length_days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


def _last_day_of_month(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


def quarter_of(day: date) -> Period:
    index = (day.month - 1) // 3 + 1
    first_month = 3 * (index - 1) + 1
    return Period(
        PeriodKind.QUARTER,
        day.year,
        index,
        date(day.year, first_month, 1),
        _last_day_of_month(day.year, first_month + 2),
    )


def half_year_of(day: date) -> Period:
    year = day.year
    if day.month <= 6:
        return Period(PeriodKind.HALF_YEAR, year, 1, date(year, 1, 1), date(year, 6, 30))
    return Period(PeriodKind.HALF_YEAR, year, 2, date(year, 7, 1), date(year, 12, 31))


def year_of(day: date) -> Period:
    return Period(PeriodKind.YEAR, day.year, 1, date(day.year, 1, 1), date(day.year, 12, 31))


def period_of(kind: PeriodKind, day: date) -> Period:
    """The period of ``kind`` that holds ``day``."""
    return {PeriodKind.QUARTER: quarter_of, PeriodKind.HALF_YEAR: half_year_of,
            PeriodKind.YEAR: year_of}[kind](day)


def recent_periods(kind: PeriodKind, today: date, count: int) -> list[Period]:
    """The period holding ``today`` and the ``count - 1`` before it, newest first."""
    periods = [period_of(kind, today)]
    while len(periods) < count:
        periods.append(period_of(kind, periods[-1].starts_on - timedelta(days=1)))
    return periods
