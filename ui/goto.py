"""Opening a record on its own screen from another one (a dashboard's row): the record is
left in the session under the screen's key and the screen opens it on its next run."""

from collections.abc import Callable

import streamlit as st

from services.permissions import screens_for
from ui.page import PageContext

GOTO_MEMBER = "member_profile.#goto"  # pages/members.py opens that member's profile


def member_opener(page: PageContext) -> Callable[[int], None] | None:
    """A function opening a member's profile in the directory, or None when the actor may
    not open the directory."""
    screen = next((s for s in screens_for(page.actor) if s.key == "members"), None)
    if screen is None:
        return None

    def open_member(member_id: int) -> None:
        st.session_state[GOTO_MEMBER] = member_id
        st.switch_page(screen.file)

    return open_member


def take_goto_member() -> int | None:
    """The member another screen asked the directory to open (once)."""
    return st.session_state.pop(GOTO_MEMBER, None)


def open_here(goto_key: str, record_id: int) -> None:
    """Open a record in its tab of this screen: left under ``goto_key`` for the next run,
    which takes it (``follow_goto``) before the tabs are drawn."""
    st.session_state[goto_key] = record_id
    st.rerun()


def follow_goto(goto_key: str, *, open_key: str, pick_key: str, tab_key: str,
                tab: str) -> None:
    """The record ``open_here`` left: open it, choose it in the picker, show its tab."""
    record_id = st.session_state.pop(goto_key, None)
    if record_id is not None:
        st.session_state[open_key] = record_id
        st.session_state[pick_key] = record_id
        st.session_state[tab_key] = tab
