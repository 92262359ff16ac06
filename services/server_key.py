"""The server's key: it signs sign-in cookies and keys the hashes of unknown typed
usernames (``services.sign_in.typed_name_key``)."""

import secrets

from sqlmodel import Session, select

from core.db import ConfigurationProblem
from models import AppSetting
from services.records import insert_if_absent

COOKIE_KEY_SETTING = "auth.cookie_key"
MIN_CONFIGURED_KEY_LENGTH = 32


class WeakServerKey(ConfigurationProblem):
    message_key = "config.error.weak_cookie_key"


def check_configured_key(key: str) -> None:
    if len(key) < MIN_CONFIGURED_KEY_LENGTH:
        raise WeakServerKey(length=str(MIN_CONFIGURED_KEY_LENGTH))


def server_key(*, session: Session, configured: str | None) -> str:
    """The key that signs sign-in cookies and keys the hashes of unknown typed usernames.

    In production it comes from the configuration (``LIAISON_COOKIE_KEY`` or
    ``[auth] cookie_key`` in secrets.toml), at least 32 characters. Without it, a key
    is made randomly on first use and kept in the store, so every process sharing the
    store agrees on it; the start command warns, because anyone who can read the store
    can read that key (session tokens still are not in the store, only their hashes)."""
    if configured is not None:
        check_configured_key(configured)
        return configured
    insert_if_absent(session, AppSetting,
                     {"key": COOKIE_KEY_SETTING, "value": secrets.token_urlsafe(48)}, key="key")
    stored = select(AppSetting.value).where(AppSetting.key == COOKIE_KEY_SETTING)
    return session.exec(stored).one()
