"""Form helpers: field-level errors shown right under their field, and service errors in
words.

A form is validated by its service after submit, when the fields are already drawn; the
errors are remembered and the run repeated, so each message appears under its field
while the widgets keep what the user typed.
"""

from collections.abc import Callable

import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.db import write_session
from services.errors import ServiceError, StaleRecord, ValidationFailed
from ui.i18n import tr


def _key(form: str) -> str:
    return f"field_errors.{form}"


def field_error(form: str, field: str) -> None:
    """Draw the remembered error of ``field`` in ``form``, if any."""
    message_key = st.session_state.get(_key(form), {}).get(field)
    if message_key:
        st.error(tr(message_key), icon=":material/error:")


def fail_with_field_errors(form: str, exc: ValidationFailed) -> None:
    st.session_state[_key(form)] = exc.field_errors
    st.rerun()


def clear_field_errors(form: str) -> None:
    st.session_state.pop(_key(form), None)


def show_service_error(exc: ServiceError) -> None:
    st.error(tr(exc.message_key, **exc.params), icon=":material/block:")


def _version_key(form: str) -> str:
    return f"{form}.version"


def remembered_version(form: str, current_version: int) -> int:
    """The version of the record when its form was first drawn. Saving names it, so an
    edit made meanwhile by someone else is refused instead of silently overwritten."""
    return st.session_state.setdefault(_version_key(form), current_version)


def seed_field(form: str, field: str, value: str) -> str:
    """The widget key of a form field, seeded once with the stored value so later runs
    keep what the user typed."""
    key = f"{form}.{field}"
    st.session_state.setdefault(key, value)
    return key


def forget_form(form: str) -> None:
    """After a save: the next drawing starts again from the stored record."""
    for key in [k for k in st.session_state if str(k).startswith(f"{form}.")]:
        del st.session_state[key]
    clear_field_errors(form)


def save_form(form: str, engine: Engine, action: Callable[[Session], object]) -> bool:
    """Run the service behind a submitted form in one transaction. Field errors go under
    their fields (the run repeats, the typing stays); other refusals are shown here; an
    edit made meanwhile by someone else is reported and the next save compares against
    what is stored now. True when saved."""
    clear_field_errors(form)
    try:
        with write_session(engine) as session:
            action(session)
    except ValidationFailed as exc:
        fail_with_field_errors(form, exc)
    except StaleRecord as exc:
        st.session_state.pop(_version_key(form), None)
        show_service_error(exc)
        return False
    except ServiceError as exc:
        show_service_error(exc)
        return False
    return True
