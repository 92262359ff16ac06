"""One step for several records at once (problems, opinion reports): the versions the
user saw when choosing them, the all-or-nothing save, and the refusals it names.

State lives under ``{key}_ids`` (the picker), ``{key}_versions`` and ``{key}_reasons``.
"""

from collections.abc import Callable

import pandas as pd
import streamlit as st
from sqlmodel import Session

from services.errors import ServiceError
from ui.forms import save_form
from ui.page import PageContext


def seen_versions(key: str, chosen: pd.DataFrame) -> dict[int, int]:
    """Each chosen record's version (``chosen`` is indexed by id) when the user chose it:
    a change made meanwhile refuses the send instead of passing unseen."""
    seen = st.session_state.setdefault(f"{key}_versions", {})
    for record_id, version in chosen["version"].items():
        seen.setdefault(int(record_id), int(version))
    for gone in set(seen) - {int(record_id) for record_id in chosen.index}:
        del seen[gone]
    return dict(seen)


def save_bulk(form: str, page: PageContext, key: str, versions: dict[int, int],
              act: Callable[[Session], object], refusal: type[ServiceError]) -> bool:
    """Run ``act`` in one transaction. A ``refusal`` (which names each record it could
    not take, in ``reasons``) is kept for ``refusals``; those records' versions are
    forgotten, so the next send takes them as they are now. True when saved; the
    choice is then cleared."""

    def all_or_none(session: Session) -> None:
        try:
            act(session)
        except refusal as exc:
            st.session_state[f"{key}_reasons"] = exc.reasons
            for record_id in exc.reasons:
                st.session_state[f"{key}_versions"].pop(record_id, None)
            raise

    if not save_form(form, page.engine, all_or_none):
        return False
    st.session_state.pop(f"{key}_ids", None)
    st.session_state.pop(f"{key}_versions", None)
    return True


def refusals(key: str) -> dict[int, str]:
    """The records the last send could not take (id → message key), once."""
    return st.session_state.pop(f"{key}_reasons", {})
