"""quota rules as dated data; indexes for counting a period's contacts and reports

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 14:00:00

``quota_rule_change`` holds each change of a quota rule's settings (required per period,
grace days, whether co-signers count) with the day from which it applies; no row means
the defaults. The members' rows of visits, activities and reports get an index leading
with the day, so a period's counts are a range read of one index; visits, activities and
reports get a partial one on the deleted mark (the deleted rows only), so the few deleted
ones are subtracted by a seek; problems one on the day they were handled (the overview
counts a quarter's).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DELETED = sa.text('deleted_at IS NOT NULL')
INDEXES = (
    ('ix_visitmember_date_member', 'visitmember', ['visit_date', 'member_id']),
    ('ix_activitymember_date_member', 'workstationactivitymember',
     ['activity_date', 'member_id']),
    ('ix_reportmember_date_member', 'opinionreportmember', ['submitted_on', 'member_id']),
    ('ix_visit_deleted_at', 'visit', ['deleted_at']),
    ('ix_workstationactivity_deleted_at', 'workstationactivity', ['deleted_at']),
    ('ix_opinionreport_deleted_at', 'opinionreport', ['deleted_at']),
    ('ix_collectedproblem_handled_on', 'collectedproblem', ['handled_on']),
)


def upgrade() -> None:
    op.create_table(
        'quota_rule_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('rule', sa.String(length=20), nullable=False),
        sa.Column('effective_from', sa.Date(), nullable=False),
        sa.Column('required', sa.Integer(), nullable=False),
        sa.Column('grace_days', sa.Integer(), nullable=False),
        sa.Column('cosigners_count', sa.Boolean(), nullable=False),
        sa.Column('changed_by_user_id', sa.Integer(), nullable=True),
        sa.Column('changed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint('required >= 1', name='ck_quota_rule_change_required'),
        sa.CheckConstraint('grace_days >= 0', name='ck_quota_rule_change_grace'),
        sa.ForeignKeyConstraint(['changed_by_user_id'], ['app_user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('rule', 'effective_from', name='uq_quota_rule_change_day'),
    )
    for name, table, columns in INDEXES:
        if columns == ['deleted_at']:  # only the few deleted rows: no plan takes it for
            # "deleted_at IS NULL", which nearly every row is
            op.create_index(name, table, columns, sqlite_where=DELETED,
                            postgresql_where=DELETED)
        else:
            op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_table('quota_rule_change')
