"""The one clock.

``LIAISON_TODAY`` (ISO date) pins "today" for demos and tests. ``LIAISON_CLOCK_FILE``
names a file holding an ISO date-time that is "now": tests of a running server move time
forward (e.g. past a lockout) by rewriting the file. Services never read the clock; the
caller passes ``today``/``now`` in.
"""

from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from core.config import load_settings


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def office_zone() -> ZoneInfo:
    """The office's time zone (``LIAISON_TIMEZONE``, default Asia/Shanghai), whatever the
    server's own: quarters and "today" turn over at the office's midnight."""
    return _zone(load_settings().timezone)


def to_office_time(moment: datetime) -> datetime:
    """A stored (UTC) time in the office's time zone; naive values are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(office_zone())


def now() -> datetime:
    clock_file = load_settings().clock_file
    if clock_file is not None:
        pinned = datetime.fromisoformat(clock_file.read_text(encoding="utf-8").strip())
        return pinned if pinned.tzinfo else pinned.replace(tzinfo=UTC)
    return datetime.now(UTC)


def today() -> date:
    return load_settings().today_override or to_office_time(now()).date()


def wall_today() -> date:
    """The office's date by the wall clock, whatever ``LIAISON_TODAY`` or the test clock
    say: what times the store stamps by itself (audit rows) are compared with."""
    return to_office_time(datetime.now(UTC)).date()
