"""AppTest fixtures: drive ``app.py`` (and through it every page) against a fresh store.

Known trap (Streamlit 1.67): before every run ``AppTest`` resets
``PagesManager.uses_pages_directory`` to None and builds a new ``PagesManager``, which
then sees our ``pages/`` folder and switches to the legacy pages-directory mode. In that
mode the widgets drawn by ``app.py`` around ``st.navigation`` never register, so forms
never submit. The real server does not do this. Our app declares its pages only through
``st.navigation``, so the fixture swaps in a ``PagesManager`` that says so after its own
init. ``test_home.py::test_demo_form_submits_through_app_py`` proves it works.
"""

from pathlib import Path

import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

APP_PATH = Path(__file__).resolve().parents[2] / "app.py"
TODAY = "2026-11-21"


class NavigationOnlyPagesManager(PagesManager):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False
        NavigationOnlyPagesManager.uses_pages_directory = False


@pytest.fixture(autouse=True)
def navigation_only_pages(monkeypatch):
    monkeypatch.setattr(app_test_module, "PagesManager", NavigationOnlyPagesManager)


@pytest.fixture
def app_env(sqlite_url, monkeypatch) -> str:
    """Point the app at a fresh store and pin today's date; returns the store URL."""
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("LIAISON_TODAY", TODAY)
    return sqlite_url


@pytest.fixture
def app(app_env) -> AppTest:
    return AppTest.from_file(str(APP_PATH), default_timeout=60)
