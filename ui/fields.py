"""Form fields that show their own error: each draws its widget, then the error the
service gave that field (``ui.forms``), and returns the value.

``field`` is the service's parameter the widget fills, so ``text_field(form, "phone", …)``
shows ``ValidationFailed({"phone": …})`` under itself. The widget's key is
``ui.forms.field_key(form, field)``: the key an edit form (``ui.forms.edit_form``) seeds
and reads, so the same call serves new records and edits.
"""

from collections.abc import Callable, Sequence
from datetime import date
from typing import TypeVar

import streamlit as st

from ui.forms import field_error, field_key

Value = TypeVar("Value")
PASSWORD_MAX_CHARS = 128
EARLIEST_DATE = date(1949, 1, 1)  # the CPPCC's first plenary: no record is older
LATEST_DATE = date(2100, 12, 31)


def _with_error(form: str, field: str, draw: Callable[..., Value], label: str,
                *arguments: object, **options: object) -> Value:
    value = draw(label, *arguments, key=field_key(form, field), **options)
    field_error(form, field)
    return value


def text_field(form: str, field: str, label: str, **options: object) -> str:
    """``st.text_input`` (``options`` are its own) with its error under it."""
    return _with_error(form, field, st.text_input, label, **options)


def password_field(form: str, field: str, label: str, **options: object) -> str:
    return _with_error(form, field, st.text_input, label, type="password",
                       max_chars=PASSWORD_MAX_CHARS, **options)


def text_area_field(form: str, field: str, label: str, **options: object) -> str:
    return _with_error(form, field, st.text_area, label, **options)


def choice_field(form: str, field: str, label: str, options: Sequence[Value],
                 **settings: object) -> Value:
    """``st.selectbox`` over ``options`` with its error under it."""
    return _with_error(form, field, st.selectbox, label, options, **settings)


# Every multi-picker: no "Select all" entry (Enter would take it and put every match on
# the record), and typing matches a plain substring of the label, not a fuzzy spread of
# letters (fuzzy "chen" matched 胡晨 and 卢成).
PICKER_SETTINGS: dict[str, object] = {"select_all": False, "filter_mode": "contains"}


def multi_choice(label: str, options: Sequence[Value], **settings: object) -> list[Value]:
    """``st.multiselect`` with the app's picker settings."""
    return st.multiselect(label, options, **(PICKER_SETTINGS | settings))


def choices_field(form: str, field: str, label: str, options: Sequence[Value],
                  **settings: object) -> list[Value]:
    """A multi-picker over ``options`` with its error under it."""
    return _with_error(form, field, st.multiselect, label, options,
                       **(PICKER_SETTINGS | settings))


def date_field(form: str, field: str, label: str, *, default: date | None = None,
               **options: object) -> date | None:
    """``st.date_input`` with its error under it, starting on ``default`` (empty when
    None) unless the form already holds a value (an edit form seeds it)."""
    if field_key(form, field) not in st.session_state:
        options["value"] = default
    options.setdefault("min_value", EARLIEST_DATE)
    options.setdefault("max_value", LATEST_DATE)
    return _with_error(form, field, st.date_input, label, **options)


def number_field(form: str, field: str, label: str, **options: object) -> int | None:
    """``st.number_input`` of whole numbers, empty at first, with its error under it."""
    if field_key(form, field) not in st.session_state:
        options["value"] = None
    value = _with_error(form, field, st.number_input, label, step=1, **options)
    return None if value is None else int(value)
