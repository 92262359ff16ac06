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

from models import Role

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


def setup_token(app_env: str) -> str:
    """What the start command prints on a fresh store."""
    from core.db import get_engine, write_session
    from services import accounts

    with write_session(get_engine(app_env)) as session:
        return accounts.issue_setup_token(session=session)


@pytest.fixture
def app(app_env) -> AppTest:
    return AppTest.from_file(str(APP_PATH), default_timeout=60)


PASSWORD = "a long test passphrase"


@pytest.fixture
def make_user(app_env):
    """Create a user of a role (staff get the first committee) and return its actor."""
    from core.db import get_engine, write_session
    from services import accounts
    from services.accounts import UserInput
    from services.actors import SYSTEM

    def make(role: Role, username: str | None = None, *, committee_ids=(), member_id=None):
        with write_session(get_engine(app_env)) as session:
            user = accounts._insert_user(
                session, SYSTEM,
                UserInput(username=username or role.value, display_name=f"{role.value} 用户",
                          role=role, committee_ids=frozenset(committee_ids),
                          member_id=member_id),
                PASSWORD, None,
            )
            return accounts.actor_for(session, user)

    return make


def sign_in_as(app: AppTest, app_env: str, actor) -> AppTest:
    """What a valid cookie does: an open session in the store, its token in session state."""
    from core import clock
    from core.db import get_engine, write_session
    from services import accounts

    expiry = clock.now().timestamp() + 86_400
    with write_session(get_engine(app_env)) as session:
        token = accounts.start_session(session=session, user_id=actor.user_id,
                                       cookie_expiry=expiry, now=clock.now())
    app.session_state["liaison_session"] = token
    return app


@pytest.fixture
def admin_app(app, app_env, make_user) -> AppTest:
    return sign_in_as(app, app_env, make_user(Role.ADMIN))


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


@pytest.fixture
def org_ids(app_env) -> tuple[int, int]:
    """A committee and one of its members: (committee_id, member_id)."""
    from core.db import get_engine, write_session
    from tests import factories

    with write_session(get_engine(app_env)) as session:
        org = factories.organisation(session)
        return org[1].id, factories.member(session, org, name="刘洋").id


@pytest.fixture
def role_actor(make_user, org_ids):
    """A user of any role with a valid scope (staff: the committee; member: the member)."""
    committee_id, member_id = org_ids

    def make(role: Role, username: str | None = None):
        return make_user(
            role, username,
            committee_ids=(committee_id,) if role is Role.STAFF else (),
            member_id=member_id if role is Role.MEMBER else None,
        )

    return make
