"""visits and problems: the registration form's missing fields, exactly-once saving,
acknowledgement by the committee, the problems' follow-up and the office's editable lists

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 05:35:56

A visit gains "at the member's base unit", an idempotency key (unique) and who of the
committee's staff acknowledged it. A collected problem gains a category, the department
it was referred to with dates, the date its reply was passed back and a reason when it is
closed without action; its statuses become the follow-up's (collected → pending,
in progress → referred, resolved → handled, not resolvable → closed) and every change is
a ``problemstatuschange`` row. ``listentry`` holds each organisation's editable lists,
seeded for the organisations already in the store.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATUSES = ('pending', 'referred', 'handled', 'fed_back', 'to_report', 'to_topic', 'closed')
_OLD_STATUSES = ('collected', 'referred', 'in_progress', 'resolved', 'not_resolvable')
_NEW_FROM_OLD = {'collected': 'pending', 'in_progress': 'referred', 'resolved': 'handled',
                 'not_resolvable': 'closed'}
_OLD_FROM_NEW = {'pending': 'collected', 'handled': 'resolved', 'fed_back': 'resolved',
                 'to_report': 'resolved', 'to_topic': 'resolved', 'closed': 'not_resolvable'}

# What a new office starts with; administrators edit the lists on the problems screen.
DEFAULT_LISTS = {
    'problem_category': ['民生保障', '教育', '医疗卫生', '就业创业', '城乡建设', '交通出行',
                         '生态环境', '营商环境', '农业农村', '社会治理', '文化体育', '其他'],
    'department': ['发展和改革委员会', '教育局', '卫生健康委员会', '人力资源和社会保障局',
                   '住房和城乡建设局', '交通运输局', '生态环境局', '农业农村局', '民政局',
                   '市场监督管理局'],
}
DEFAULT_TEMPLATES = {
    '已转交': '您反映的问题已转交{department}办理，办理结果将及时反馈。',
    '已办结': '经{department}办理，问题已解决。感谢您的关注和支持。',
    '纳入社情民意': '您反映的问题已整理为社情民意信息报送，后续情况将及时反馈。',
}


def _problem_status(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name='problemstatus', native_enum=False, length=40)


def _remap_statuses(mapping: dict[str, str]) -> None:
    for old, new in mapping.items():
        op.execute(sa.text('UPDATE collectedproblem SET status = :new WHERE status = :old')
                   .bindparams(new=new, old=old))


def upgrade() -> None:

    op.create_table('listentry',
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('problem_category', 'department', 'problem_reply_template', name='listkind', native_enum=False, length=40), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organisation_id', 'kind', 'name', name='uq_listentry_name')
    )
    with op.batch_alter_table('listentry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listentry_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_listentry_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('problemstatuschange',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.Enum('pending', 'referred', 'handled', 'fed_back', 'to_report', 'to_topic', 'closed', name='problemstatus', native_enum=False, length=40), nullable=True),
    sa.Column('to_status', sa.Enum('pending', 'referred', 'handled', 'fed_back', 'to_report', 'to_topic', 'closed', name='problemstatus', native_enum=False, length=40), nullable=False),
    sa.Column('changed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.ForeignKeyConstraint(['actor_user_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['problem_id'], ['collectedproblem.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('problemstatuschange', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_problemstatuschange_problem_id'), ['problem_id'], unique=False)

    with op.batch_alter_table('collectedproblem', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('department', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True))
        batch_op.add_column(sa.Column('referred_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('due_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('fed_back_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('close_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))
        batch_op.create_index(batch_op.f('ix_collectedproblem_category_id'), ['category_id'], unique=False)
        batch_op.create_foreign_key('fk_collectedproblem_category', 'listentry',
                                    ['category_id'], ['id'])
        batch_op.alter_column('status', existing_type=_problem_status(_OLD_STATUSES),
                              type_=_problem_status(_STATUSES), existing_nullable=False)

    with op.batch_alter_table('visitmember', schema=None) as batch_op:
        batch_op.add_column(sa.Column('position', sa.Integer(), nullable=False,
                                      server_default='0'))

    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('at_base_unit', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('idempotency_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_by_user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_visit_acknowledged_at'), ['acknowledged_at'], unique=False)
        batch_op.create_unique_constraint('uq_visit_idempotency_key', ['idempotency_key'])
        batch_op.create_foreign_key('fk_visit_acknowledged_by', 'app_user',
                                    ['acknowledged_by_user_id'], ['id'])
    # Visits already stored were entered by the office: acknowledged when saved.
    op.execute('UPDATE visit SET acknowledged_at = created_at')
    _remap_statuses(_NEW_FROM_OLD)
    _seed_lists()


def _seed_lists() -> None:
    listentry = sa.table('listentry', sa.column('organisation_id', sa.Integer),
                         sa.column('kind', sa.String), sa.column('name', sa.String),
                         sa.column('text', sa.String), sa.column('position', sa.Integer),
                         sa.column('is_active', sa.Boolean),
                         sa.column('created_at', sa.DateTime(timezone=True)),
                         sa.column('updated_at', sa.DateTime(timezone=True)))
    roots = op.get_bind().execute(
        sa.text('SELECT id FROM organisation WHERE parent_id IS NULL')).scalars().all()
    now = sa.func.current_timestamp()
    rows = []
    for organisation_id in roots:
        for kind, names in DEFAULT_LISTS.items():
            rows += [{'organisation_id': organisation_id, 'kind': kind, 'name': name,
                      'text': None, 'position': position}
                     for position, name in enumerate(names)]
        rows += [{'organisation_id': organisation_id, 'kind': 'problem_reply_template',
                  'name': name, 'text': text, 'position': position}
                 for position, (name, text) in enumerate(DEFAULT_TEMPLATES.items())]
    for row in rows:
        op.execute(listentry.insert().values(**row, is_active=True, created_at=now,
                                             updated_at=now))


def downgrade() -> None:
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_constraint('fk_visit_acknowledged_by', type_='foreignkey')
        batch_op.drop_constraint('uq_visit_idempotency_key', type_='unique')
        batch_op.drop_index(batch_op.f('ix_visit_acknowledged_at'))
        batch_op.drop_column('acknowledged_at')
        batch_op.drop_column('acknowledged_by_user_id')
        batch_op.drop_column('idempotency_key')
        batch_op.drop_column('at_base_unit')

    with op.batch_alter_table('visitmember', schema=None) as batch_op:
        batch_op.drop_column('position')

    _remap_statuses(_OLD_FROM_NEW)
    with op.batch_alter_table('collectedproblem', schema=None) as batch_op:
        batch_op.drop_constraint('fk_collectedproblem_category', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_collectedproblem_category_id'))
        batch_op.alter_column('status', existing_type=_problem_status(_STATUSES),
                              type_=_problem_status(_OLD_STATUSES), existing_nullable=False)
        batch_op.drop_column('close_reason')
        batch_op.drop_column('fed_back_on')
        batch_op.drop_column('due_on')
        batch_op.drop_column('referred_on')
        batch_op.drop_column('department')
        batch_op.drop_column('category_id')

    with op.batch_alter_table('problemstatuschange', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problemstatuschange_problem_id'))
    op.drop_table('problemstatuschange')
    with op.batch_alter_table('listentry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listentry_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_listentry_kind'))
    op.drop_table('listentry')
