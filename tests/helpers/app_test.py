"""Driving ``app.py`` with Streamlit's ``AppTest``: where the app is, the pinned day, and
how to find a widget by its label or act as a signed-in user."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from core import clock
from core.db import get_engine, write_session
from services import sign_in
from services.actors import Actor

APP_PATH = Path(__file__).resolve().parents[2] / "app.py"
TODAY = "2026-11-21"
PASSWORD = "a long test passphrase"


def sign_in_as(app: AppTest, app_env: str, actor: Actor) -> AppTest:
    """What a valid cookie does: an open session in the store, its token in session state."""
    expiry = clock.now().timestamp() + 86_400
    with write_session(get_engine(app_env)) as session:
        token = sign_in.start_session(session=session, user_id=actor.user_id,
                                      cookie_expiry=expiry, now=clock.now())
    app.session_state["liaison_session"] = token
    return app


def widget(app: AppTest, kind: str, label: str, *, form: str | None = None):
    """The one widget of ``kind`` (e.g. "text_input") with this label, in ``form`` if given."""
    matches = [
        element for element in getattr(app, kind)
        if element.label == label and (form is None or element.form_id == form)
    ]
    assert len(matches) == 1, f"{len(matches)} {kind} labelled {label!r} in form {form!r}"
    return matches[0]


def button(app: AppTest, label: str, *, form: str | None = None):
    """The one button (or form submit button) with this label."""
    return widget(app, "button", label, form=form)


def text_input(app: AppTest, label: str, *, form: str | None = None):
    return widget(app, "text_input", label, form=form)


def registered_pages(app: AppTest) -> set[str]:
    """The page files (by stem) st.navigation offered in the last run. AppTest keeps them
    to resolve switch_page; there is no public accessor."""
    return {
        Path(str(info["script_path"])).stem if info.get("script_path") else info["url_pathname"]
        for info in app._registered_pages.values()
    }


def page_titles(app: AppTest) -> dict[str, str]:
    """The navigation's title of each page offered in the last run, by the file's stem."""
    return {Path(str(info["script_path"])).stem: info["page_name"]
            for info in app._registered_pages.values() if info.get("script_path")}


PROFILE_TABS = "member_profile.tab"  # the lazy tabs of a member's profile (pages/members.py)


def open_tab(app: AppTest, key: str, label: str) -> AppTest:
    """Open the tab ``label`` of the lazy tabs kept under ``key`` (``ui.tabs``), as a
    click would: only the open tab runs."""
    app.session_state[key] = label
    app.run()
    assert not app.exception, app.exception
    return app
