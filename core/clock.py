"""The one clock. ``LIAISON_TODAY`` (ISO date) pins "today" for demos and tests."""

from datetime import date

from core.config import load_settings


def today() -> date:
    return load_settings().today_override or date.today()
