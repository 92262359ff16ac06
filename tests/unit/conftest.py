"""Fixtures of the service tests (the store fixtures are in ``tests/conftest.py``)."""

import pytest

from services.actors import Actor
from tests.helpers.users import first_admin, setup_token


@pytest.fixture
def admin(engine) -> Actor:
    """The first administrator, made through the first-run form."""
    return first_admin(engine, setup_token(engine))
