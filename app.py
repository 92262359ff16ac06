"""Liaison's entrypoint: page config, language, the store check, sign-in and the pages the
signed-in role may open.

Every run ends in exactly one ``st.navigation`` call: a run that stops without one falls
back to Streamlit's pages/-folder navigation and would list every file there.
"""

from functools import partial

import streamlit as st
from sqlalchemy.engine import Engine

from core.db import StoreError, read_session
from services.opinion_board import unseen_count
from services.permissions import screens_for
from services.screens import Screen
from ui import (
    charts,  # noqa: F401 (registers the one chart theme for every page)
    context,
)
from ui.auth import finish_run, sign_in_page, signed_in_actor
from ui.components import show_problem
from ui.i18n import language_picker, tr
from ui.navigation import navigation_only


def _navigation(engine: Engine, screens: list[Screen]) -> dict[str, list[st.Page]]:
    """The screens under their section headings, the sections in the order they first
    appear."""
    landing = next((screen for screen in screens if screen.default), screens[0])
    sections: dict[str, list[st.Page]] = {}
    for screen in screens:
        sections.setdefault(tr(screen.section), []).append(
            st.Page(screen.file, title=tr(screen.title_key) + _badge(engine, screen),
                    icon=screen.icon, default=screen is landing))
    return sections


def _badge(engine: Engine, screen: Screen) -> str:
    """A member's own reports show how many have news since the member last looked."""
    if screen.key != "my_reports":
        return ""
    with read_session(engine) as session:
        count = unseen_count(session=session, actor=context.actor())
    return tr("nav.news", count=count) if count else ""


def _pages(engine: Engine) -> list[st.Page] | dict[str, list[st.Page]]:
    actor = signed_in_actor(engine)
    if actor is None:
        context.clear_actor()
        return [st.Page(partial(sign_in_page, engine), title=tr("signin.title"),
                        url_path="signin")]
    context.set_actor(actor)
    return _navigation(engine, screens_for(actor))


navigation_only()  # see ui/navigation.py
language_picker()
st.set_page_config(page_title=tr("app.name"), page_icon=":material/handshake:", layout="wide")
try:
    engine = context.store()
    pages = _pages(engine)
except StoreError as exc:  # the store, or a secret the sign-in needs
    st.navigation([st.Page(partial(show_problem, exc), title=tr("store.title"))]).run()
    st.stop()
navigation = st.navigation(pages, expanded=True)  # every screen listed: no "View more"
st.sidebar.caption(tr("app.tagline"))
finish_run(engine)  # last in the sidebar, where the cookie component moves nothing
navigation.run()
