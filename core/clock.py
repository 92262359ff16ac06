"""The one clock.

``LIAISON_TODAY`` (ISO date) pins "today" for demos and tests. ``LIAISON_CLOCK_FILE``
names a file holding an ISO date-time that is "now": tests of a running server move time
forward (e.g. past a lockout) by rewriting the file. Services never read the clock; the
caller passes ``today``/``now`` in.
"""

from datetime import UTC, date, datetime

from core.config import load_settings


def now() -> datetime:
    clock_file = load_settings().clock_file
    if clock_file is not None:
        pinned = datetime.fromisoformat(clock_file.read_text(encoding="utf-8").strip())
        return pinned if pinned.tzinfo else pinned.replace(tzinfo=UTC)
    return datetime.now(UTC)


def today() -> date:
    """The office's date: the server's local time zone, as offices run their own servers."""
    return load_settings().today_override or now().astimezone().date()
