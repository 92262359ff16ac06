"""Alembic environment. ``core.migrate`` hands us an open connection (so the app, the
command line and the tests share one code path); the ``alembic`` CLI falls back to the
engine from settings. SQLite gets batch mode so ALTERs work there too."""

from alembic import context
from sqlmodel import SQLModel

import models  # noqa: F401 - registers every table on SQLModel.metadata
from core.db import get_engine
from core.migrate import migration_connection

target_metadata = SQLModel.metadata


def _run(connection) -> None:  # noqa: ANN001
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    with migration_connection(get_engine()) as fresh:
        _run(fresh)
        fresh.commit()
