"""Jobs that must not run twice at once across the processes sharing a store.

On PostgreSQL each job has an advisory-lock key, held until the transaction ends. On
SQLite a write transaction already starts with ``BEGIN IMMEDIATE`` (``core.db``), which
lets one writer in at a time, so taking a lock there does nothing.
"""

from enum import IntEnum

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session


class AdvisoryLock(IntEnum):
    MIGRATION = 741_852_961
    FIRST_ADMIN = 741_852_962
    DEMO_LOAD = 741_852_963


def hold_advisory_lock(bind: Connection | Session, lock: AdvisoryLock) -> None:
    """Wait for ``lock`` and hold it until the current transaction of ``bind`` ends."""
    connection = bind.connection() if isinstance(bind, Session) else bind
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(lock.value)))
