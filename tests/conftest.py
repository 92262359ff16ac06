"""Fixtures shared by every test: a fresh, migrated store per test.

``engine`` runs each store test on SQLite and, when ``TEST_DATABASE_URL`` is set, on
PostgreSQL too (each run in a schema of its own, emptied between tests). Under CI the
PostgreSQL run is mandatory: a missing ``TEST_DATABASE_URL`` fails the session rather
than silently testing less.
"""

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import SQLModel

from core.db import get_engine, normalise_url
from core.migrate import head_revision, upgrade_to_head

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
STORES = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get("CI") and not POSTGRES_URL:
        raise pytest.UsageError("CI must run the store tests on PostgreSQL: set TEST_DATABASE_URL")


def pytest_report_header(config: pytest.Config) -> str:
    pg = make_url(normalise_url(POSTGRES_URL)).render_as_string() if POSTGRES_URL else "off"
    return f"liaison stores: sqlite, postgresql={pg}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test (migrating per test is slow)."""
    path = tmp_path_factory.mktemp("template") / "liaison.db"
    engine = get_engine(f"sqlite:///{path}")
    upgrade_to_head(engine)
    engine.dispose()
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "liaison.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def postgres_schema_url() -> Iterator[str]:
    """A throw-away schema on the test PostgreSQL, migrated once."""
    assert POSTGRES_URL, "TEST_DATABASE_URL is not set"
    schema = f"liaison_test_{uuid.uuid4().hex[:10]}"
    admin = sa_create_engine(normalise_url(POSTGRES_URL))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(normalise_url(POSTGRES_URL)).update_query_dict(
        {"options": f"-csearch_path={schema}"}
    )
    url_text = url.render_as_string(hide_password=False)
    upgrade_to_head(get_engine(url_text))
    yield url_text
    get_engine(url_text).dispose()
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _empty_postgres(engine: Engine) -> None:
    """Empty every table and undo what a test did to the schema's revision stamp.

    The audit trail refuses TRUNCATE (migration 0005). The test role is a superuser, and
    only a superuser may switch a transaction to replica mode, where no trigger fires: the
    guard stays on for everyone else, and for every other statement.
    """
    tables = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        # What migration 0008 puts in every store: its first organisation.
        connection.execute(text(
            "INSERT INTO organisation (id, name, level, sort_order, created_at, updated_at) "
            "VALUES (1, '本级政协', 'city', 1, now(), now())"
        ))
        connection.execute(text("SELECT setval(pg_get_serial_sequence('organisation', 'id'), 1)"))
        connection.execute(text("UPDATE alembic_version SET version_num = :head"),
                           {"head": head_revision()})


@pytest.fixture(params=STORES)
def store_url(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    url = request.getfixturevalue("postgres_schema_url")
    _empty_postgres(get_engine(url))
    return url


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The test PostgreSQL as its superuser, for tests of what only PostgreSQL has (roles,
    TRUNCATE). Without ``TEST_DATABASE_URL`` they fail rather than skip; under CI the
    session has already refused to start (``pytest_sessionstart``), so they never go missing
    there."""
    if not POSTGRES_URL:
        pytest.fail("PostgreSQL only: set TEST_DATABASE_URL (scripts/test defaults it to the "
                    "local PostgreSQL)")
    return normalise_url(POSTGRES_URL)


@pytest.fixture
def postgres_engine(postgres_url: str, request: pytest.FixtureRequest) -> Engine:
    """A fresh, migrated, empty PostgreSQL store."""
    engine = get_engine(request.getfixturevalue("postgres_schema_url"))
    _empty_postgres(engine)
    return engine


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    """A fresh, migrated, empty store: SQLite, and PostgreSQL when configured."""
    engine = get_engine(store_url)
    yield engine
    if engine.dialect.name == "sqlite":
        engine.dispose()
