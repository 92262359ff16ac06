"""The message catalog: every user-facing string, in Simplified Chinese and English.

Catalogs are flat TOML tables in ``locales/<language>.toml`` (keys like
``home.title``). Enum labels live under ``enum.<EnumName>.<value>``. Pure Python, no
streamlit: services, the command line and pages share it.
"""

import tomllib
from datetime import date
from enum import StrEnum
from functools import cache

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


def format_number(value: int | float, language: str = DEFAULT_LANGUAGE) -> str:
    """Thousands grouped with commas in both languages (the Chinese office norm)."""
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def format_date(value: date, language: str = DEFAULT_LANGUAGE) -> str:
    if language == "zh_CN":
        return f"{value.year}年{value.month}月{value.day}日"
    return value.strftime("%d %b %Y")
