"""Tabs that run only the open one. Streamlit runs every tab's body on every run by
default; a screen whose tabs each read and draw a lot (a board, its figures, the lists)
would pay for all of them on every click."""

from collections.abc import Callable, Sequence

import streamlit as st


def lazy_tabs(key: str, views: Sequence[tuple[str, Callable[[], object]]]) -> None:
    """Draw the tabs (label, draw) and run the open one's ``draw`` inside it. The open tab
    is kept under ``key``; a click on another reruns the page."""
    tabs = st.tabs([label for label, _ in views], key=key, on_change="rerun")
    for tab, (_, draw) in zip(tabs, views, strict=True):
        if tab.open:
            with tab:
                draw()
