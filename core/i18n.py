"""The message catalog: every user-facing string, in Simplified Chinese and English.

Catalogs are flat TOML tables in ``locales/<language>.toml`` (keys like
``home.title``). Enum labels live under ``enum.<EnumName>.<value>``. Pure Python, no
streamlit: services, the command line and pages share it.
"""

import tomllib
from datetime import date, datetime
from enum import StrEnum
from functools import cache

from babel import Locale, dates, numbers

from core.clock import to_office_time
from core.config import PROJECT_ROOT
from core.errors import LiaisonError

LANGUAGES = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"
_LOCALES_DIR = PROJECT_ROOT / "locales"


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        full_key = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{full_key}."))
        else:
            flat[full_key] = str(value)
    return flat


@cache
def catalog(language: str) -> dict[str, str]:
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; known: {LANGUAGES}")
    with open(_LOCALES_DIR / f"{language}.toml", "rb") as handle:
        return _flatten(tomllib.load(handle))


def t(key: str, language: str = DEFAULT_LANGUAGE, **params: object) -> str:
    """The message for ``key``; a missing key shows itself rather than crash a page
    (the catalog test keeps both languages complete)."""
    template = catalog(language).get(key)
    if template is None:
        return key
    return template.format(**params) if params else template


def describe(error: LiaisonError, language: str = DEFAULT_LANGUAGE) -> str:
    """An error of the family in words, on one line: its message, or for bad input each
    field's problem."""
    field_errors: dict[str, str] = getattr(error, "field_errors", None) or {}
    if field_errors:
        return " ".join(f"{field}: {t(key, language)}" for field, key in field_errors.items())
    return t(error.message_key, language, **error.params)


def enum_label(value: StrEnum, language: str = DEFAULT_LANGUAGE) -> str:
    return t(f"enum.{type(value).__name__}.{value.value}", language)


# Babel's locale per catalog language. English follows British usage: day before month
# ("21 Nov 2026") and the 24-hour clock, as the office writes times.
_BABEL_LOCALES = {"zh_CN": "zh_Hans_CN", "en": "en_GB"}
# Tables show times as one sortable text (the column sorts by it), the form the exported
# files use too.
TABLE_TIME_PATTERN = "yyyy-MM-dd HH:mm"


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(_BABEL_LOCALES[language])


def format_number(value: int | float, language: str = DEFAULT_LANGUAGE) -> str:
    """Thousands grouped (12,345 in both languages), at most one decimal."""
    return numbers.format_decimal(value, format="#,##0.#", locale=_locale(language))


def format_date(value: date, language: str = DEFAULT_LANGUAGE) -> str:
    """2026年11月21日, 21 Nov 2026."""
    return dates.format_date(value, "medium", locale=_locale(language))


def format_time(moment: datetime, language: str = DEFAULT_LANGUAGE) -> str:
    """The hour and minute of a stored (UTC) time in the office's time zone: 09:30."""
    return dates.format_time(to_office_time(moment), "short", locale=_locale(language))


def format_datetime(moment: datetime, language: str = DEFAULT_LANGUAGE) -> str:
    """A stored (UTC) time in the office's time zone, for sentences:
    2026年11月21日 09:30, 21 Nov 2026, 09:30."""
    glue = dates.get_datetime_format("medium", locale=_locale(language)).replace("'", "")
    return (glue.replace("{1}", format_date(to_office_time(moment).date(), language))
            .replace("{0}", format_time(moment, language)))


def format_table_time(moment: datetime, language: str = DEFAULT_LANGUAGE) -> str:
    """A stored (UTC) time in the office's time zone, for a table cell: 2026-11-21 09:30."""
    return dates.format_datetime(to_office_time(moment), TABLE_TIME_PATTERN,
                                 locale=_locale(language))
