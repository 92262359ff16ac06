"""The one place that creates the engine and opens sessions.

SQLite: every connection gets WAL, foreign keys and a busy timeout, and we take over
pysqlite's transaction handling so that a *write* session starts with ``BEGIN IMMEDIATE``:
the write lock is taken up front, so two concurrent writers queue on the busy timeout
instead of one failing later with ``database is locked`` when it upgrades a read lock.
Read sessions use a plain deferred ``BEGIN`` and never block each other.

Every write transaction also replaces the store's data version (``models.DataVersion``)
as it commits, in the same transaction: a read that sees the version sees the data it
names, in every app process on the store. ``ui/cache.py`` keeps page reads under it.
"""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlmodel import Session, create_engine, select

from core.config import load_settings
from core.errors import LiaisonError
from models import DataVersion

_WRITE_OPTION = "liaison_write"


class StoreError(LiaisonError):
    """The store cannot be used. ``message_key`` and ``params`` name the cause for the
    message catalog, so a person reads what happened and what to do, not a traceback."""

    message_key = "store.error.generic"


class StoreUnavailable(StoreError):
    message_key = "store.error.unavailable"


class SchemaTooNew(StoreError):
    message_key = "store.error.schema_too_new"


class ConfigurationProblem(StoreError):
    """The app cannot run as configured (a secret too short or unreadable): shown like a
    store problem, in general words, with the detail in the server log."""

    message_key = "config.error.generic"


def normalise_url(url: str) -> str:
    """Accept the common ``postgres://`` spellings and use psycopg 3 for PostgreSQL."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def redacted(url: str) -> str:
    try:
        return make_url(normalise_url(url)).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparseable URL)"


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # noqa: ANN001 - DBAPI objects
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # noqa: ANN001 - a SQLAlchemy Connection
        if connection.get_execution_options().get(_WRITE_OPTION):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for ``url`` (default: ``DATABASE_URL``)."""
    return _engine_for(normalise_url(url or load_settings().database_url))


@lru_cache(maxsize=16)
def _engine_for(url: str) -> Engine:
    try:
        return _create_engine(url)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise StoreUnavailable(url=redacted(url), cause=str(exc)) from exc


def _create_engine(url: str) -> Engine:
    settings = load_settings()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        _configure_sqlite(engine, settings.sqlite_busy_timeout_ms)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
    return engine


def write_engine(engine: Engine) -> Engine:
    return engine.execution_options(**{_WRITE_OPTION: True})


def check_connection(engine: Engine) -> None:
    """Raise ``StoreUnavailable`` with the cause in words if the store cannot be reached."""
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except (OperationalError, DBAPIError) as exc:
        cause = (str(getattr(exc, "orig", exc)).strip().splitlines() or ["?"])[0]
        raise StoreUnavailable(url=redacted(str(engine.url)), cause=cause) from exc


@contextmanager
def read_session(engine: Engine | None = None) -> Iterator[Session]:
    """A session for queries; it never takes the write lock."""
    with Session(engine or get_engine()) as session:
        yield session


@contextmanager
def write_session(engine: Engine | None = None, *,
                  bump_data_version: bool = True) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back on any error.

    It replaces the data version as it commits. ``bump_data_version=False`` is for
    bookkeeping no page shows (when a sign-in session was last seen, written once a
    minute per person), which would otherwise empty every process's cache as often."""
    with Session(write_engine(engine or get_engine()), expire_on_commit=False) as session:
        try:
            yield session
            if bump_data_version:
                _replace_data_version(session)
            session.commit()
        except BaseException:
            session.rollback()
            raise


def data_version(session: Session) -> int | None:
    """The store's data version, as ``session`` sees it: read it before the data it
    stands for. None only in a store whose row was removed by hand (tests empty tables)."""
    return session.exec(select(DataVersion.version).where(DataVersion.id == 1)).first()


def _replace_data_version(session: Session) -> None:
    """Last in the transaction, so the row lock PostgreSQL takes is held only while
    committing. An upsert, so a store whose row was removed gets one again."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(DataVersion).values(id=1, version=secrets.randbits(62))
    session.execute(statement.on_conflict_do_update(
        index_elements=["id"], set_={"version": statement.excluded.version}))
