"""Bring the store's schema to the code's head, safely from several processes at once."""

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ProgrammingError

from core.config import PROJECT_ROOT
from core.db import SchemaTooNew, StoreError, check_connection, is_sqlite, write_engine
from core.locks import AdvisoryLock, hold_advisory_lock

_INSUFFICIENT_PRIVILEGE = "42501"  # PostgreSQL's SQLSTATE for "permission denied"


class MigrationNotPermitted(StoreError):
    """The store is behind the code, and this role may not change its schema: on a
    two-role deployment the app's role owns nothing (docs/deployment-postgresql.md)."""


def _first_line(error: BaseException | None) -> str:
    return (str(error).strip().splitlines() or ["?"])[0]


def alembic_config() -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "migrations/versions holds no revision"
    return head


def store_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def ensure_schema_known(engine: Engine) -> None:
    """Refuse a store migrated by a newer release: downgrading it silently loses data."""
    revision = store_revision(engine)
    if revision is None:
        return
    script = ScriptDirectory.from_config(alembic_config())
    if revision not in {rev.revision for rev in script.walk_revisions()}:
        raise SchemaTooNew(store_revision=revision, code_head=head_revision())


class ForeignKeysBroken(StoreError):
    """A migration left rows pointing at nothing (SQLite checks this after the fact)."""


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection to migrate with. On SQLite, batch mode rebuilds a table by copying it
    and dropping the old one, which enforced foreign keys refuse as soon as another table
    refers to a row of it; SQLite's documented procedure is to switch them off around
    the change (outside any transaction) and check them afterwards."""
    with write_engine(engine).connect() as connection:
        if not is_sqlite(engine):
            yield connection
            return
        raw = connection.connection.dbapi_connection
        raw.execute("PRAGMA foreign_keys = OFF")
        try:
            yield connection
            if broken := raw.execute("PRAGMA foreign_key_check").fetchall():
                raise ForeignKeysBroken(cause=f"{len(broken)} rows, first in {broken[0][0]}")
        finally:
            raw.execute("PRAGMA foreign_keys = ON")


def upgrade_to_head(engine: Engine) -> None:
    check_connection(engine)
    ensure_schema_known(engine)
    config = alembic_config()
    with migration_connection(engine) as connection:
        hold_advisory_lock(connection, AdvisoryLock.MIGRATION)  # processes start together
        config.attributes["connection"] = connection
        try:
            command.upgrade(config, "head")
        except ProgrammingError as exc:
            if getattr(exc.orig, "sqlstate", None) != _INSUFFICIENT_PRIVILEGE:
                raise
            raise MigrationNotPermitted(cause=(
                f"this role may not migrate the store ({_first_line(exc.orig)}): run "
                "`python manage.py migrate` with the owner role's DATABASE_URL"
            )) from exc
        connection.commit()
