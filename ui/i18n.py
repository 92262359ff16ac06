"""The page-side face of the message catalog: the chosen language, ``tr``, enum labels,
and dates, times and numbers as the language writes them (``core.i18n``, by Babel).

The language lives in the URL (``?lang=en``) so a browser refresh keeps it, and nothing
about it lives in one server process's memory.
"""

from datetime import date, datetime
from enum import StrEnum

import pandas as pd
import streamlit as st

from core import i18n
from core.config import load_settings

_LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}


def language() -> str:
    chosen = st.query_params.get("lang")
    if chosen in i18n.LANGUAGES:
        return chosen
    default = load_settings().default_language
    return default if default in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE


def tr(key: str, **params: object) -> str:
    return i18n.t(key, language(), **params)


def enum_text(value: StrEnum) -> str:
    """An enum value's label: ``enum_text(Role.STAFF)``, or for a column of stored
    values ``table["role"].map(lambda role: enum_text(Role(role)))``."""
    return i18n.enum_label(value, language())


def enum_column(values: pd.Series, enum_cls: type[StrEnum], blank: str = "") -> pd.Series:
    """A column of stored enum values as their labels, each distinct value looked up once
    (a list of thousands of rows would otherwise read the language thousands of times);
    a missing value becomes ``blank``."""
    labels = {value: enum_text(enum_cls(value)) if isinstance(value, str) else blank
              for value in values.unique()}
    return values.map(labels)


def fmt_date(value: date) -> str:
    return i18n.format_date(value, language())


def fmt_time(value: datetime) -> str:
    return i18n.format_time(value, language())


def fmt_datetime(value: datetime) -> str:
    return i18n.format_datetime(value, language())


def fmt_number(value: float) -> str:
    return i18n.format_number(value, language())


def fmt_percent(rate: float | None) -> str:
    """A share (0..1) as a percentage to one decimal, "—" when there is none."""
    if rate is None or pd.isna(rate):
        return "—"
    return tr("filter.percent", value=fmt_number(round(rate * 100, 1)))


def language_picker() -> str:
    """Sidebar switch between Chinese and English; returns the active language."""
    current = language()
    chosen = st.sidebar.selectbox(
        tr("nav.language"),
        options=list(i18n.LANGUAGES),
        index=i18n.LANGUAGES.index(current),
        format_func=_LANGUAGE_NAMES.__getitem__,
        key="language_picker",
    )
    if chosen != current:
        st.query_params["lang"] = chosen
        st.rerun()
    return chosen
