"""audit trail refuses TRUNCATE on PostgreSQL

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 09:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Row triggers (0004) never see TRUNCATE, which empties a table without deleting rows one
# by one. A statement trigger does, also when TRUNCATE ... CASCADE reaches auditentry from
# a table it refers to. SQLite has no TRUNCATE: its DELETE is caught by 0004's trigger.
TRUNCATE_GUARD = {
    "sqlite": [],
    "postgresql": [
        "CREATE TRIGGER auditentry_no_truncate BEFORE TRUNCATE ON auditentry "
        "FOR EACH STATEMENT EXECUTE FUNCTION auditentry_append_only()",
    ],
}
DROP_TRUNCATE_GUARD = {
    "sqlite": [],
    "postgresql": [
        "DROP TRIGGER auditentry_no_truncate ON auditentry",
    ],
}


def upgrade() -> None:
    for statement in TRUNCATE_GUARD[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP_TRUNCATE_GUARD[op.get_bind().dialect.name]:
        op.execute(statement)
