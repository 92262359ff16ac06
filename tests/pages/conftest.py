"""AppTest fixtures: drive ``app.py`` (and through it every page) against a fresh store.

Known trap (Streamlit 1.67): before every run ``AppTest`` resets
``PagesManager.uses_pages_directory`` to None and builds a new ``PagesManager``, which
then sees our ``pages/`` folder and switches to the legacy pages-directory mode. In that
mode the widgets drawn by ``app.py`` around ``st.navigation`` never register, so forms
never submit. The real server does not do this. Our app declares its pages only through
``st.navigation``, so the fixture swaps in a ``PagesManager`` that says so after its own
init. ``test_home.py::test_demo_form_submits_through_app_py`` proves it works.
"""

import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from core.db import get_engine, write_session
from models import Role
from services.users import UserInput, actor_for
from tests.helpers import factories
from tests.helpers.app_test import APP_PATH, PASSWORD, TODAY, sign_in_as
from tests.helpers.users import user_with_own_password


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


@pytest.fixture
def make_user(app_env):
    """Create a user of a role (staff get the first committee) and return its actor."""

    def make(role: Role, username: str | None = None, *, committee_ids=(), member_id=None):
        with write_session(get_engine(app_env)) as session:
            user = user_with_own_password(
                session,
                UserInput(username=username or role.value, display_name=f"{role.value} 用户",
                          role=role, committee_ids=frozenset(committee_ids),
                          member_id=member_id),
                PASSWORD,
            )
            return actor_for(session, user)

    return make


@pytest.fixture
def admin_app(app, app_env, make_user) -> AppTest:
    return sign_in_as(app, app_env, make_user(Role.ADMIN))


@pytest.fixture
def org_ids(app_env) -> tuple[int, int]:
    """A committee and one of its members: (committee_id, member_id)."""
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
