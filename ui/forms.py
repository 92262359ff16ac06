"""Form helpers: field-level errors shown right under their field, service errors in
words, and edit forms that never save over someone else's change.

A form is validated by its service after submit, when the fields are already drawn; the
errors are remembered and the run repeated, so each message appears under its field
while the widgets keep what the user typed.

An edit form (``edit_form``) remembers the version and the stored values it was seeded
with, its baseline; saving sends only the fields the user changed from it
(``changed_fields``) and names that version. If someone else saved meanwhile, the service
refuses and the run repeats; before any widget is drawn (Streamlit forbids setting a
drawn widget's value) the form is rebased onto what is stored now: fields the user left
alone take the stored values, the user's own changes stay, and ``stale_notice`` shows each
field someone else changed, so the user decides and the next save writes only their own
changes.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.db import write_session
from services.errors import ServiceError, StaleRecord, ValidationFailed
from ui.components import plain, show_problem
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


@dataclass(frozen=True)
class _Baseline:
    """The version of the record and the values the form's widgets were seeded with."""

    version: int
    values: dict[str, object]


@dataclass(frozen=True)
class Conflict:
    """A field someone else saved while the user was editing."""

    stored: object  # what is stored now
    typed: object  # what the form held when the save was refused
    kept: bool  # the user had changed it too, so the form keeps their entry


# Internal keys start with "#", which no field (a service's parameter name) does.
def _baseline_key(form: str) -> str:
    return f"{form}.#baseline"


def _rebase_key(form: str) -> str:
    return f"{form}.#rebase"


def _conflicts_key(form: str) -> str:
    return f"{form}.#conflicts"


def field_key(form: str, field: str) -> str:
    """The widget key of ``field`` in an edit form; the field is named like the
    service's parameter it fills."""
    return f"{form}.{field}"


def edit_form(form: str, version: int, stored: Mapping[str, object]) -> int:
    """Start or continue a form that edits a stored record, before its widgets are drawn.

    ``stored`` holds each field's stored value as its widget shows it. The first drawing
    (or one after the widgets were gone, e.g. another record was open meanwhile) seeds
    the widgets and remembers the baseline; later drawings keep the typing; after a stale
    refusal the form is rebased onto ``stored``. Returns the version saving must name."""
    state = st.session_state
    keys = {field: field_key(form, field) for field in stored}
    if _baseline_key(form) not in state or any(key not in state for key in keys.values()):
        forget_form(form)
        for field, key in keys.items():
            state[key] = stored[field]
        state[_baseline_key(form)] = _Baseline(version, dict(stored))
    elif state.pop(_rebase_key(form), False):
        _rebase(form, version, stored)
    return state[_baseline_key(form)].version


def _rebase(form: str, version: int, stored: Mapping[str, object]) -> None:
    state = st.session_state
    baseline: _Baseline = state[_baseline_key(form)]
    conflicts: dict[str, Conflict] = {}
    for field, now in stored.items():
        was, typed = baseline.values.get(field), state[field_key(form, field)]
        kept = typed != was
        if now not in (was, typed):
            conflicts[field] = Conflict(stored=now, typed=typed, kept=kept)
        if not kept:
            state[field_key(form, field)] = now
    state[_baseline_key(form)] = _Baseline(version, dict(stored))
    state[_conflicts_key(form)] = conflicts


def changed_fields(form: str) -> dict[str, object]:
    """The fields of an edit form whose widgets differ from the baseline: all a save
    should send, so it never writes back values the user did not touch."""
    state = st.session_state
    baseline: _Baseline = state[_baseline_key(form)]
    return {
        field: state[field_key(form, field)]
        for field, was in baseline.values.items()
        if state[field_key(form, field)] != was
    }


def stale_notice(form: str, labels: Mapping[str, str]) -> None:
    """After a stale refusal: say the save did not happen and show, per field someone
    else changed (``labels``: field → label), the stored value and what the form held."""
    conflicts: dict[str, Conflict] | None = st.session_state.get(_conflicts_key(form))
    if conflicts is None:
        return
    st.error(tr("form.stale.refused"), icon=":material/block:")
    for field, conflict in conflicts.items():
        st.markdown(tr(
            "form.stale.kept" if conflict.kept else "form.stale.taken",
            field=labels[field], stored=_inert(conflict.stored), typed=_inert(conflict.typed),
        ))


def _inert(value: object) -> str:
    return plain("" if value is None else str(value))


def forget_form(form: str) -> None:
    """After a save: the next drawing starts again from the stored record."""
    for key in [k for k in st.session_state if str(k).startswith(f"{form}.")]:
        del st.session_state[key]
    clear_field_errors(form)


def save_form(form: str, engine: Engine, action: Callable[[Session], object]) -> bool:
    """Run the service behind a submitted form in one transaction (see ``run_form``).
    True when saved."""

    def in_one_transaction() -> None:
        with write_session(engine) as session:
            action(session)

    return run_form(form, in_one_transaction)


def run_form(form: str, action: Callable[[], object]) -> bool:
    """Run the service behind a submitted form; a service that manages its own
    transactions (one that must record a failed attempt although the form fails) is
    called directly. Field errors go under their fields (the run repeats, the typing
    stays); other refusals are shown here. An edit form refused because someone else
    saved meanwhile is rebased on the repeated run. True when it succeeded."""
    clear_field_errors(form)
    try:
        action()
    except ValidationFailed as exc:
        fail_with_field_errors(form, exc)
    except StaleRecord as exc:
        if _baseline_key(form) not in st.session_state:
            show_problem(exc)
            return False
        st.session_state[_rebase_key(form)] = True
        st.rerun()
    except ServiceError as exc:
        show_problem(exc)
        return False
    return True
