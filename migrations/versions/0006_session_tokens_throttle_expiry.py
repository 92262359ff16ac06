"""random session tokens, throttle expiry, temporary password expiry

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 00:20:00

Sign-in cookies now carry a random token whose hash names the session row; cookies
issued before this revision name no token, so their sessions are ended here (everybody
signs in once more).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('authsession', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64),
                                      nullable=True))
        batch_op.create_index(batch_op.f('ix_authsession_token_hash'), ['token_hash'],
                              unique=True)
    op.execute("UPDATE authsession SET ended_at = last_seen_at WHERE ended_at IS NULL")

    with op.batch_alter_table('signin_throttle', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_failed_at', sqlmodel.sql.sqltypes.UTCDateTime(),
                                      nullable=True))
        batch_op.create_index(batch_op.f('ix_signin_throttle_last_failed_at'),
                              ['last_failed_at'], unique=False)
    # Rows written before this revision may hold whatever was typed as a username.
    op.execute("DELETE FROM signin_throttle "
               "WHERE username NOT IN (SELECT username FROM app_user)")

    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_expires_at', sqlmodel.sql.sqltypes.UTCDateTime(),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('password_expires_at')
    with op.batch_alter_table('signin_throttle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signin_throttle_last_failed_at'))
        batch_op.drop_column('last_failed_at')
    with op.batch_alter_table('authsession', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_authsession_token_hash'))
        batch_op.drop_column('token_hash')
