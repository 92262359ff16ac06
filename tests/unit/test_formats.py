"""Dates, times and numbers as each language writes them (core.i18n, by Babel). Stored
times are UTC and shown in the office's time zone."""

from datetime import UTC, date, datetime

import pytest

from core.i18n import format_date, format_datetime, format_number, format_table_time, format_time

MOMENT = datetime(2026, 11, 21, 1, 30, 59, tzinfo=UTC)  # 09:30 in Asia/Shanghai


@pytest.mark.parametrize(("language", "shown"), [("zh_CN", "2026年11月21日"),
                                                 ("en", "21 Nov 2026")])
def test_dates(language, shown):
    assert format_date(date(2026, 11, 21), language) == shown


@pytest.mark.parametrize(("language", "shown"), [("zh_CN", "2026年11月21日 09:30"),
                                                 ("en", "21 Nov 2026, 09:30")])
def test_times_in_sentences_are_the_office_time(language, shown):
    assert format_datetime(MOMENT, language) == shown
    assert format_time(MOMENT, language) == "09:30"


def test_a_naive_stored_time_is_taken_as_utc():
    assert format_datetime(MOMENT.replace(tzinfo=None), "zh_CN") == "2026年11月21日 09:30"


def test_the_date_is_the_office_date_not_the_utc_one():
    late = datetime(2026, 11, 21, 17, 0, tzinfo=UTC)  # 01:00 on the 22nd in the office
    assert format_datetime(late, "zh_CN") == "2026年11月22日 01:00"


def test_table_times_sort_as_text_in_every_language():
    assert {format_table_time(MOMENT, language) for language in ("zh_CN", "en")} == {
        "2026-11-21 09:30"}


def test_another_office_time_zone(monkeypatch):
    monkeypatch.setenv("LIAISON_TIMEZONE", "Asia/Urumqi")
    assert format_time(MOMENT, "zh_CN") == "07:30"


@pytest.mark.parametrize(("value", "shown"), [(12345, "12,345"), (0, "0"), (3.0, "3"),
                                              (3.25, "3.2"), (1234567.89, "1,234,567.9")])
def test_numbers(value, shown):
    assert format_number(value, "zh_CN") == shown
    assert format_number(value, "en") == shown
