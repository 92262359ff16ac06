"""the store's data version, which every write transaction replaces

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 01:00:00

Pages cache what they read under the store's data version (``ui/cache.py``); every
``core.db.write_session`` replaces it, so a write by any app process ends every process's
cached answers. The row starts with a random version, as each write leaves one.
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    data_version = op.create_table(
        'data_version',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.bulk_insert(data_version, [{'id': 1, 'version': secrets.randbits(62)}])


def downgrade() -> None:
    op.drop_table('data_version')
