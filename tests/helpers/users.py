"""Users for tests, made through the public services."""

from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.db import get_engine, write_session
from models import Role, User
from services import users
from services.actors import SYSTEM, Actor
from services.users import UserInput
from tests.helpers import factories

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


def setup_token(store: Engine | str) -> str:
    """What the start command prints on a fresh store (``store``: an engine or its URL)."""
    engine = get_engine(store) if isinstance(store, str) else store
    with write_session(engine) as session:
        return users.issue_setup_token(session=session)


def first_admin(
    engine: Engine, token: str, *, username: str = "Admin", password: str = PASSWORD,
    confirm: str = PASSWORD,
) -> Actor:
    """The first-run form, filled in with ``token``."""
    with write_session(engine) as session:
        user = users.create_first_admin(
            session=session, username=username, display_name="管理员", password=password,
            confirm=confirm, setup_token=token,
        )
        return users.actor_for(session, user)


def staff_user(session: Session, admin: Actor) -> User:
    """``clerk``, staff of a new committee, as ``admin`` creates them (temporary password)."""
    org = factories.organisation(session)
    return users.create_user(
        session=session, actor=admin, password=PASSWORD, now=NOW,
        data=UserInput(username="clerk", display_name="办事员", role=Role.STAFF,
                       committee_ids=frozenset({org[1].id})),
    )


def user_with_own_password(session: Session, data: UserInput, password: str) -> User:
    """A user who has already replaced the first password an administrator gave them with
    ``password``: made as an administrator makes users, the temporary mark then lifted."""
    user = users.create_user(session=session, actor=SYSTEM, data=data, password=password,
                             now=datetime.now(UTC))
    user.must_change_password = False
    user.password_expires_at = None
    session.flush()
    return user
