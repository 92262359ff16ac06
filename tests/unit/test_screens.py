"""The registry of screens: one row per screen, and everything it names exists."""

from pathlib import Path

import pytest

from core.i18n import LANGUAGES, catalog
from models import Role
from services.actors import Actor
from services.permissions import pages_for, screens_for
from services.screens import SCREENS, Page

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("screen", SCREENS, ids=lambda screen: screen.key)
def test_each_screen_names_a_file_and_a_title_that_exist(screen):
    assert (ROOT / screen.file).is_file()
    assert screen.file.startswith("pages/")
    for language in LANGUAGES:
        assert screen.title_key in catalog(language)


def test_keys_are_unique_and_there_is_one_landing_screen():
    assert len({screen.key for screen in SCREENS}) == len(SCREENS)
    assert [screen.key for screen in SCREENS if screen.default] == ["home"]
    assert {page.value for page in Page} == {screen.key for screen in SCREENS}


@pytest.mark.parametrize("role", list(Role))
def test_every_role_lands_on_a_screen_it_may_open(role):
    actor = Actor(user_id=1, name="x", role=role)
    assert Page.HOME in pages_for(actor)
    assert screens_for(actor)[0].key == "home"


def test_only_admins_open_the_admin_screens():
    for role in Role:
        opens = pages_for(Actor(user_id=1, name="x", role=role))
        assert ({Page.USERS, Page.AUDIT} <= opens) is (role is Role.ADMIN)


def test_the_problems_screen_is_the_offices_not_the_members():
    for role in Role:
        opens = pages_for(Actor(user_id=1, name="x", role=role))
        assert (Page.PROBLEMS in opens) is (role is not Role.MEMBER)
