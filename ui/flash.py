"""A message that survives a rerun: a page saves, reruns to show the saved state, and the
rerun says "saved". ``flash`` before ``st.rerun()``; ``show_flash`` where the message
belongs on the screen.

The message is kept as a catalog key and parameters, so it is put into words by the run
that shows it.
"""

from dataclasses import dataclass, field
from typing import Literal

import streamlit as st

from ui.i18n import tr

Level = Literal["success", "info"]
_FLASH = "liaison_flash"


@dataclass(frozen=True)
class _Message:
    key: str
    params: dict[str, object] = field(default_factory=dict)
    level: Level = "success"


def flash(message_key: str, /, *, level: Level = "success", replace: bool = True,
          **params: object) -> None:
    """Show ``message_key`` (with ``params``) on the next ``show_flash``. With
    ``replace=False`` a message already waiting is kept: the first word on what happened
    wins (a password changed, and the session it ended)."""
    if replace or _FLASH not in st.session_state:
        st.session_state[_FLASH] = _Message(message_key, params, level)


def show_flash(*, until_cleared: bool = False) -> None:
    """Draw the waiting message, if any, once; ``until_cleared`` keeps it on every run
    until ``clear_flash`` (the sign-in form's notice must outlast the cookie component's
    own rerun)."""
    message: _Message | None = st.session_state.get(_FLASH)
    if message is None:
        return
    if not until_cleared:
        clear_flash()
    draw = st.success if message.level == "success" else st.info
    draw(tr(message.key, **message.params))


def clear_flash() -> None:
    st.session_state.pop(_FLASH, None)
