"""Quota periods: the quarter for visits, the half-year for opinion reports."""

from datetime import date

import pytest

from services.periods import (
    PeriodKind,
    half_year_of,
    period_of,
    quarter_of,
    recent_periods,
    year_of,
)


@pytest.mark.parametrize(
    ("day", "index", "start", "end"),
    [
        (date(2026, 1, 1), 1, date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 3, 31), 1, date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), 2, date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 8, 15), 3, date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 11, 21), 4, date(2026, 10, 1), date(2026, 12, 31)),
    ],
)
def test_quarter_boundaries(day, index, start, end):
    quarter = quarter_of(day)
    assert (quarter.kind, quarter.index, quarter.starts_on, quarter.ends_on) == (
        PeriodKind.QUARTER, index, start, end,
    )


def test_leap_year_first_quarter_has_91_days():
    assert quarter_of(date(2028, 2, 29)).length_days == 91
    assert quarter_of(date(2027, 2, 28)).length_days == 90


def test_half_year_boundaries():
    assert (half_year_of(date(2026, 6, 30)).index, half_year_of(date(2026, 7, 1)).index) == (1, 2)
    assert half_year_of(date(2026, 7, 1)).ends_on == date(2026, 12, 31)


def test_days_left_counts_today():
    assert quarter_of(date(2026, 12, 31)).days_left(date(2026, 12, 31)) == 1
    assert quarter_of(date(2026, 11, 21)).days_left(date(2026, 11, 21)) == 41


def test_days_left_is_zero_after_the_period_and_full_before_it():
    q3 = quarter_of(date(2026, 8, 1))
    assert q3.days_left(date(2026, 10, 1)) == 0
    assert q3.days_left(date(2026, 1, 1)) == q3.length_days


def test_contains_is_inclusive_at_both_ends():
    h1 = half_year_of(date(2026, 3, 1))
    assert h1.contains(date(2026, 1, 1)) and h1.contains(date(2026, 6, 30))
    assert not h1.contains(date(2026, 7, 1))


def test_today_turns_over_at_the_office_midnight_not_the_server_one(monkeypatch, tmp_path):
    from core import clock

    now_file = tmp_path / "now"
    now_file.write_text("2026-09-30T16:30:00+00:00")  # 00:30 on 1 October in Beijing
    monkeypatch.setenv("LIAISON_CLOCK_FILE", str(now_file))
    monkeypatch.delenv("LIAISON_TODAY", raising=False)
    assert clock.today() == date(2026, 10, 1)
    assert quarter_of(clock.today()).index == 4


def test_the_year_and_the_period_of_each_kind():
    day = date(2026, 11, 21)
    assert (year_of(day).starts_on, year_of(day).ends_on) == (date(2026, 1, 1), date(2026, 12, 31))
    assert period_of(PeriodKind.QUARTER, day) == quarter_of(day)
    assert period_of(PeriodKind.HALF_YEAR, day) == half_year_of(day)
    assert period_of(PeriodKind.YEAR, day) == year_of(day)


def test_recent_periods_go_back_across_the_new_year():
    quarters = recent_periods(PeriodKind.QUARTER, date(2026, 2, 1), 3)
    assert [(q.year, q.index) for q in quarters] == [(2026, 1), (2025, 4), (2025, 3)]
    halves = recent_periods(PeriodKind.HALF_YEAR, date(2026, 2, 1), 2)
    assert [(h.year, h.index) for h in halves] == [(2026, 1), (2025, 2)]
