"""How tables are shown to people (ui.components.for_display)."""

from datetime import UTC, datetime

import pandas as pd

from ui.components import for_display


def test_gaps_are_blank_not_none_and_ids_stay_whole_numbers():
    table = pd.DataFrame({"entity": ["User", None], "entity_id": [2, None], "note": [None, "x"]})
    shown = for_display(table)
    assert shown["entity"].tolist() == ["User", ""]
    assert shown["entity_id"].tolist() == [2, ""]
    assert shown["note"].tolist() == ["", "x"]


def test_times_are_shown_in_local_time_to_the_minute(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    import time
    time.tzset()
    try:
        shown = for_display(pd.DataFrame({"at": [datetime(2026, 11, 21, 1, 30, 59, tzinfo=UTC),
                                                 None]}))
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert shown["at"].tolist() == ["2026-11-21 09:30", ""]
