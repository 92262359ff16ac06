"""Jobs that must not run twice at once: one advisory lock per job on PostgreSQL."""

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from core.db import get_engine, write_session
from core.locks import AdvisoryLock, hold_advisory_lock


def _free(engine: Engine, lock: AdvisoryLock) -> bool:
    """Whether another connection could take ``lock`` now (and let it go at once)."""
    with engine.connect() as other:
        return other.execute(select(func.pg_try_advisory_xact_lock(lock.value))).scalar()


def test_a_lock_is_held_until_the_transaction_ends(postgres_engine):
    with write_session(postgres_engine) as session:
        hold_advisory_lock(session, AdvisoryLock.DEMO_LOAD)
        assert not _free(postgres_engine, AdvisoryLock.DEMO_LOAD)
        assert _free(postgres_engine, AdvisoryLock.FIRST_ADMIN)  # one lock per job
    assert _free(postgres_engine, AdvisoryLock.DEMO_LOAD)


def test_a_connection_takes_the_same_lock_as_a_session(postgres_engine):
    with postgres_engine.connect() as connection:
        hold_advisory_lock(connection, AdvisoryLock.MIGRATION)
        assert not _free(postgres_engine, AdvisoryLock.MIGRATION)
        connection.commit()
    assert _free(postgres_engine, AdvisoryLock.MIGRATION)


def test_on_sqlite_a_lock_is_nothing_begin_immediate_serialises_writers(sqlite_url):
    with get_engine(sqlite_url).connect() as connection:
        hold_advisory_lock(connection, AdvisoryLock.MIGRATION)
        assert not connection.in_transaction()  # not even a statement was sent
