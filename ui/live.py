"""Dashboards that keep themselves current: a part of the page drawn in an
``st.fragment(run_every=LIVE_SECONDS)`` reruns by itself; each rerun opens a fresh page
context, which reads the store's data version again, so its ``page.cached`` figures are
computed afresh only after a write by anyone, in any app process sharing the store, and
are otherwise read from the cache (a few milliseconds)."""

import os
from datetime import datetime

import streamlit as st

from ui.i18n import tr


# Within the 30 seconds issue 12 asks for; LIAISON_LIVE_SECONDS changes it (a test, a
# quieter office).
def _seconds() -> int:
    try:
        return max(2, int(os.environ.get("LIAISON_LIVE_SECONDS", "15")))
    except ValueError:
        return 15


LIVE_SECONDS = _seconds()


def live_caption(text: str) -> None:
    """``text`` and when the figures were last looked at, refreshing every LIVE_SECONDS."""
    st.caption(tr("live.caption", text=text, time=datetime.now().strftime("%H:%M:%S"),
                  seconds=LIVE_SECONDS))
