"""Liaison's entrypoint: page config, language, the store check, sign-in and the pages the
signed-in role may open.

Every run ends in exactly one ``st.navigation`` call: a run that stops without one falls
back to Streamlit's pages/-folder navigation and would list every file there.
"""

from functools import partial

import streamlit as st
from sqlalchemy.engine import Engine
from streamlit.runtime.pages_manager import PagesManager

from core.db import StoreError
from services.permissions import Page, pages_for
from ui import context
from ui.auth import finish_run, sign_in_page, signed_in_actor
from ui.components import store_problem
from ui.i18n import language_picker, tr

PAGE_FILES = {
    Page.HOME: ("pages/home.py", ":material/home:"),
    Page.MEMBERS: ("pages/members.py", ":material/groups:"),
    Page.ACCOUNT: ("pages/account.py", ":material/manage_accounts:"),
    Page.USERS: ("pages/users.py", ":material/admin_panel_settings:"),
    Page.AUDIT: ("pages/audit.py", ":material/history:"),
}


def _page(page: Page, *, default: bool = False) -> st.Page:
    path, icon = PAGE_FILES[page]
    return st.Page(path, title=tr(f"nav.{page}"), icon=icon, default=default)


def _pages(engine: Engine) -> list[st.Page]:
    actor = signed_in_actor(engine)
    if actor is None:
        context.clear_actor()
        return [st.Page(partial(sign_in_page, engine), title=tr("signin.title"),
                        url_path="signin")]
    context.set_actor(actor)
    allowed = pages_for(actor)
    return [_page(page, default=page is Page.HOME) for page in PAGE_FILES if page in allowed]


# serve.py settles this before the server starts; a bare `streamlit run app.py` gets it
# from the first run on (see serve.py for why).
PagesManager.uses_pages_directory = False
language_picker()
st.set_page_config(page_title=tr("app.name"), page_icon=":material/handshake:", layout="wide")
try:
    engine = context.store()
    pages = _pages(engine)
except StoreError as exc:  # the store, or a secret the sign-in needs
    st.navigation([st.Page(partial(store_problem, exc), title=tr("store.title"))]).run()
    st.stop()
navigation = st.navigation(pages)
st.sidebar.caption(tr("app.tagline"))
finish_run(engine)  # last in the sidebar, where the cookie component moves nothing
navigation.run()
