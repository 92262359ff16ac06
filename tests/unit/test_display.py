"""How tables are shown to people (ui.table.for_display)."""

from datetime import UTC, datetime

import pandas as pd

from ui.components import plain
from ui.table import for_display


def test_gaps_are_blank_not_none_and_ids_stay_whole_numbers():
    table = pd.DataFrame({"entity": ["User", None], "entity_id": [2, None], "note": [None, "x"]})
    shown = for_display(table)
    assert shown["entity"].tolist() == ["User", ""]
    assert shown["entity_id"].tolist() == ["2", ""]  # one type per column, no "2.0"
    assert shown["note"].tolist() == ["", "x"]


def test_times_are_shown_in_the_office_time_zone_to_the_minute():
    stored = [datetime(2026, 11, 21, 1, 30, 59, tzinfo=UTC), None]
    shown = for_display(pd.DataFrame({"at": stored}))
    assert shown["at"].tolist() == ["2026-11-21 09:30", ""]  # Asia/Shanghai by default


def test_another_office_time_zone_can_be_configured(monkeypatch):
    monkeypatch.setenv("LIAISON_TIMEZONE", "Asia/Urumqi")
    shown = for_display(pd.DataFrame({"at": [datetime(2026, 11, 21, 1, 30, tzinfo=UTC)]}))
    assert shown["at"].tolist() == ["2026-11-21 07:30"]


def test_user_text_cannot_become_a_link_or_an_image_in_markdown():
    assert plain("![x](http://evil/img.png) [点我](http://evil)") == (
        "\\!\\[x\\]\\(http://evil/img\\.png\\) \\[点我\\]\\(http://evil\\)"
    )
    assert plain(None) == "—"
