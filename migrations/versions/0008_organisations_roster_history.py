"""organisations, the history of members' assignments, contact persons' dates, leave
decisions

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 03:00:00

Every member, committee, sector, term, user and record now belongs to one organisation
(政协组织). The store's existing rows are given a single organisation (a city CPPCC named
本级政协, renamed on the organisations screen), and each member's current assignment becomes
the first row of their history. Sector, committee and term names are unique per
organisation instead of over the whole store. A leave's ``approved`` flag becomes a status
with who decided and when.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Tables given an organisation; a unique name among them becomes unique per organisation.
OWNED = ['app_user', 'collectedproblem', 'committee', 'consultationtopic', 'member',
         'mustvisitcampaign', 'opinionreport', 'proposal', 'sector', 'term', 'visit',
         'workstation']
PER_ORGANISATION_UNIQUE = {'committee': 'name', 'sector': 'name', 'term': 'number',
                           'proposal': 'number'}
# SQLite's reflected unnamed unique constraints get these names in batch mode.
NAMING = {'uq': 'uq_%(table_name)s_%(column_0_name)s'}


def _old_unique_name(table: str, column: str) -> str:
    """PostgreSQL named the unnamed unique constraints ``<table>_<column>_key``."""
    if op.get_bind().dialect.name == 'postgresql':
        return f'{table}_{column}_key'
    return f'uq_{table}_{column}'


def upgrade() -> None:
    organisation = op.create_table(
        'organisation',
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('level', sa.Enum('province', 'city', 'district', 'county', name='orglevel',
                                   native_enum=False, length=40), nullable=False),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('sort_order', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['parent_id'], ['organisation.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )
    with op.batch_alter_table('organisation') as batch_op:
        batch_op.create_index('ix_organisation_parent_id', ['parent_id'], unique=False)
    now = sa.func.current_timestamp()
    op.execute(organisation.insert().values(
        id=1, name='本级政协', level='city', parent_id=None, sort_order=1,
        created_at=now, updated_at=now,
    ))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("SELECT setval(pg_get_serial_sequence('organisation', 'id'), 1)")

    for table in OWNED:
        op.add_column(table, sa.Column('organisation_id', sa.Integer(), nullable=True))
        op.execute(sa.text(f'UPDATE {table} SET organisation_id = 1'))
        with op.batch_alter_table(table, naming_convention=NAMING) as batch_op:
            batch_op.alter_column('organisation_id', existing_type=sa.Integer(), nullable=False)
            batch_op.create_index(f'ix_{table}_organisation_id', ['organisation_id'],
                                  unique=False)
            batch_op.create_foreign_key(f'fk_{table}_organisation_id', 'organisation',
                                        ['organisation_id'], ['id'])
            if table in PER_ORGANISATION_UNIQUE:
                column = PER_ORGANISATION_UNIQUE[table]
                batch_op.drop_constraint(_old_unique_name(table, column), type_='unique')
                batch_op.create_unique_constraint(f'uq_{table}_{column}',
                                                  ['organisation_id', column])

    op.create_table(
        'memberassignment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('term_id', sa.Integer(), nullable=False),
        sa.Column('sector_id', sa.Integer(), nullable=False),
        sa.Column('committee_id', sa.Integer(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint('ends_on IS NULL OR ends_on >= starts_on',
                           name='ck_assignment_dates'),
        sa.ForeignKeyConstraint(['committee_id'], ['committee.id']),
        sa.ForeignKeyConstraint(['member_id'], ['member.id']),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id']),
        sa.ForeignKeyConstraint(['sector_id'], ['sector.id']),
        sa.ForeignKeyConstraint(['term_id'], ['term.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('memberassignment') as batch_op:
        batch_op.create_index('ix_assignment_committee_start', ['committee_id', 'starts_on'],
                              unique=False)
        batch_op.create_index('ix_assignment_member_start', ['member_id', 'starts_on'],
                              unique=False)
        batch_op.create_index('ix_memberassignment_sector_id', ['sector_id'], unique=False)
    op.execute(sa.text(
        'INSERT INTO memberassignment (member_id, organisation_id, term_id, sector_id, '
        'committee_id, starts_on, ends_on, created_at) '
        'SELECT id, organisation_id, term_id, sector_id, committee_id, in_office_from, '
        'in_office_to, created_at FROM member'
    ))

    with op.batch_alter_table('member') as batch_op:
        batch_op.add_column(sa.Column('name_key', sqlmodel.sql.sqltypes.AutoString(length=200),
                                      nullable=False, server_default=''))
        batch_op.add_column(sa.Column('post', sqlmodel.sql.sqltypes.AutoString(length=60),
                                      nullable=True))
        batch_op.create_index('ix_member_name_key', ['name_key'], unique=False)
    _fill_name_keys()

    with op.batch_alter_table('contactperson') as batch_op:
        batch_op.add_column(sa.Column('sector_relation',
                                      sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True))
        batch_op.add_column(sa.Column('starts_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('ends_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('is_active', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))

    with op.batch_alter_table('memberleave') as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False,
                                      server_default='1'))
        batch_op.add_column(sa.Column('deleted_at', sqlmodel.sql.sqltypes.UTCDateTime(),
                                      nullable=True))
        batch_op.add_column(sa.Column('status', sa.Enum(
            'pending', 'approved', 'refused', name='leavestatus', native_enum=False, length=40,
        ), nullable=False, server_default='pending'))
        batch_op.add_column(sa.Column('requested_by_user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decided_by_user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(),
                                      nullable=True))
        batch_op.add_column(sa.Column('decision_note',
                                      sqlmodel.sql.sqltypes.AutoString(length=200),
                                      nullable=True))
        batch_op.create_index('ix_memberleave_status', ['status'], unique=False)
        batch_op.create_foreign_key('fk_memberleave_requested_by', 'app_user',
                                    ['requested_by_user_id'], ['id'])
        batch_op.create_foreign_key('fk_memberleave_decided_by', 'app_user',
                                    ['decided_by_user_id'], ['id'])
    op.execute(sa.text(
        "UPDATE memberleave SET status = CASE WHEN approved THEN 'approved' ELSE 'pending' END, "
        "decided_at = CASE WHEN approved THEN updated_at END"
    ))
    with op.batch_alter_table('memberleave') as batch_op:
        batch_op.drop_column('approved')


def _fill_name_keys() -> None:
    """The directory sorts by the name's pinyin, kept in ``member.name_key``."""
    from services.name_search import sort_key

    bind = op.get_bind()
    rows = bind.execute(sa.text('SELECT id, name FROM member')).all()
    if rows:
        bind.execute(sa.text('UPDATE member SET name_key = :key WHERE id = :id'),
                     [{'id': row.id, 'key': sort_key(row.name)} for row in rows])


def downgrade() -> None:
    with op.batch_alter_table('memberleave') as batch_op:
        batch_op.add_column(sa.Column('approved', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.execute(sa.text("UPDATE memberleave SET approved = (status = 'approved')"))
    with op.batch_alter_table('memberleave') as batch_op:
        batch_op.drop_constraint('fk_memberleave_decided_by', type_='foreignkey')
        batch_op.drop_constraint('fk_memberleave_requested_by', type_='foreignkey')
        batch_op.drop_index('ix_memberleave_status')
        for column in ['decision_note', 'decided_at', 'decided_by_user_id',
                       'requested_by_user_id', 'status', 'deleted_at', 'version']:
            batch_op.drop_column(column)
    with op.batch_alter_table('contactperson') as batch_op:
        for column in ['is_active', 'ends_on', 'starts_on', 'sector_relation']:
            batch_op.drop_column(column)
    with op.batch_alter_table('member') as batch_op:
        batch_op.drop_index('ix_member_name_key')
        batch_op.drop_column('post')
        batch_op.drop_column('name_key')
    op.drop_table('memberassignment')
    for table in reversed(OWNED):
        with op.batch_alter_table(table) as batch_op:
            if table in PER_ORGANISATION_UNIQUE:
                column = PER_ORGANISATION_UNIQUE[table]
                batch_op.drop_constraint(f'uq_{table}_{column}', type_='unique')
                batch_op.create_unique_constraint(_old_unique_name(table, column), [column])
            batch_op.drop_constraint(f'fk_{table}_organisation_id', type_='foreignkey')
            batch_op.drop_index(f'ix_{table}_organisation_id')
            batch_op.drop_column('organisation_id')
    op.drop_table('organisation')
