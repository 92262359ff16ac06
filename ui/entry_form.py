"""What every quick-entry form shares (a visit, a report): the organisation it is
entered in, saving exactly once, and starting again ready for the next entry.

Saved exactly once: each filled-in form has an idempotency key (a token of this form
and a digest of what it holds). A double click or a repeated run sends the same key and
finds the record the first one saved; anything typed after a save is a new record.
"""

import hashlib
import secrets

import streamlit as st

from models import Role
from services.organisations import visible_organisations
from ui.forms import field_key
from ui.i18n import tr
from ui.page import PageContext

_EMPTY: dict[type, object] = {list: [], str: "", bool: False}  # anything else: None


def digest(value: object) -> str:
    """A digest of what the form holds (its cleaned input's ``repr``)."""
    return hashlib.sha256(repr(value).encode()).hexdigest()


def idempotency_key(form: str, page: PageContext, form_digest: str) -> str:
    """The same key for the same form holding the same values: a second submit of what
    was just saved (a double click, whose second run still carries the old values)
    finds that record."""
    last = st.session_state.get(f"{form}.#last")
    if last is not None and last[0] == form_digest:
        return last[1]
    token = st.session_state.setdefault(f"{form}.#token", secrets.token_hex(8))
    return hashlib.sha256(f"{page.actor.user_id}:{token}:{form_digest}".encode()).hexdigest()


def saved(form: str, form_digest: str, key: str) -> None:
    """The form's entry was saved under ``key``: the next run starts a new one."""
    st.session_state[f"{form}.#last"] = (form_digest, key)
    empty_when_next_drawn(form)


def empty_when_next_drawn(form: str) -> None:
    """After a save: ``ready_for_the_next`` empties the form's fields before its widgets
    are next drawn (a saved step's form must not send the same thing twice)."""
    st.session_state[f"{form}.#reset"] = True


def ready_for_the_next(form: str, kept: tuple[str, ...]) -> None:
    """After a save, empty every field but those ``kept``, before the widgets are drawn.
    Each is set to its empty value rather than forgotten: the browser would otherwise
    send back what it still shows."""
    if not st.session_state.pop(f"{form}.#reset", False):
        return
    keep = {field_key(form, name) for name in kept}
    for key in [k for k in st.session_state if str(k).startswith(f"{form}.")]:
        if key not in keep and not key.startswith(f"{form}.#"):
            st.session_state[key] = _EMPTY.get(type(st.session_state[key]))
    st.session_state[f"{form}.#token"] = secrets.token_hex(8)


def organisation_choice(form: str, page: PageContext) -> int:
    """Where the entry is made: the user's organisation, or one below it (a picker only
    when there is a choice)."""
    own = page.actor.organisation_id
    if page.actor.role is Role.MEMBER or own is None:
        return own or 1
    rows = page.cached(visible_organisations)
    if len(rows) <= 1:
        return own
    names = {row.id: row.indented_name for row in rows}
    return st.selectbox(tr("visits.field.organisation"), list(names), format_func=names.get,
                        index=list(names).index(own) if own in names else 0,
                        key=f"{form}.#organisation")
