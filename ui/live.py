"""Dashboards that keep themselves current: a part of the page drawn in an
``st.fragment(run_every=LIVE_SECONDS)`` reruns by itself; each rerun opens a fresh page
context (``live_page``), which reads the store's data version again, so its
``page.cached`` figures are computed afresh only after a write by anyone, in any app
process sharing the store, and are otherwise read from the cache (a few milliseconds).

A fragment's rerun skips app.py, where the sign-in is checked, so ``live_page`` checks it
first: a sign-in that ended (signed out elsewhere, deactivated, idle too long) or whose
role or scope changed reruns the whole app, which shows the sign-in page or the new
navigation. The reruns are not activity: an open dashboard nobody touches signs out at
the idle time-out like any other page."""

import os

import streamlit as st

from core import clock
from ui.auth import still_signed_in
from ui.i18n import tr
from ui.page import PageContext, open_page


# Within the 30 seconds issue 12 asks for; LIAISON_LIVE_SECONDS changes it (a test, a
# quieter office).
def _seconds() -> int:
    try:
        return max(2, int(os.environ.get("LIAISON_LIVE_SECONDS", "15")))
    except ValueError:
        return 15


LIVE_SECONDS = _seconds()


def live_page(*, activity: bool = False) -> PageContext:
    """The page context of a live fragment's run, once the sign-in is known to hold
    (``activity``: the run counts as the user's activity, see ``still_signed_in``)."""
    current = open_page()
    if not still_signed_in(current.engine, current.actor, activity=activity):
        st.rerun(scope="app")
    return current


def refreshed_at() -> str:
    """When the figures were last looked at, in the office's time: 09:30:15."""
    return clock.to_office_time(clock.now()).strftime("%H:%M:%S")


def live_caption(text: str) -> None:
    """``text`` and when the figures were last looked at, refreshing every LIVE_SECONDS."""
    st.caption(tr("live.caption", text=text, seconds=LIVE_SECONDS, time=refreshed_at()))
