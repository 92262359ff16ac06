"""The server's key: configured, or generated once and kept in the store."""

import pytest

from core.db import write_session
from services import server_key


def test_server_key_is_generated_once_and_shared(engine):
    with write_session(engine) as session:
        first = server_key.server_key(session=session, configured=None)
    with write_session(engine) as session:
        second = server_key.server_key(session=session, configured=None)
        configured = server_key.server_key(session=session, configured="s" * 32)
    assert first == second and len(first) >= 48
    assert configured == "s" * 32


def test_a_configured_server_key_must_be_long_enough(engine):
    with pytest.raises(server_key.WeakServerKey), write_session(engine) as session:
        server_key.server_key(session=session, configured="short key")
