"""workstations and their activity, consultation topics, proposals

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 11:00:00

A station gets its head (负责人) and contact and the day it closed. Stationed members get
from/to dates and duty days: each former row becomes one stint from the day the station
was established (or the row's station was recorded). An activity's type becomes an entry
of the office's editable list (``activity_type``, seeded for the top organisations with
the former fixed types and 走访慰问); its notes become its summary, its title optional, and it keeps how many members were
present (for the figures); its index by station leads through the deleted mark to the
date, so a station's last live activity is one seek;
the members present carry the activity's date so the quota reads one index.

A consultation topic's status becomes its stage (选题 → 调研 → 协商 → 部门回应 → 成果转化 →
落实 → 办结) with the day the stage began; its timeline gets a table (``topicevent``,
filled for converted topics with the choice and the current stage), its members a table
of their own (``topicmember``); residents, experts and departments get names and counts;
the former participants text becomes the residents' names and the follow-up the
implementation. A proposal gets the key-proposal flag, the member's satisfaction and the
topic it came from; a collected problem, the proposal it became.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVITY_TYPES = {'policy_briefing': '政策宣讲', 'legal_consultation': '法律咨询',
                  'free_clinic': '义诊/送医下乡', 'agri_science_help': '科技助农',
                  'training': '培训', 'reception_day': '接待日',
                  'micro_consultation': '微协商/议事', 'visiting': '走访慰问', 'other': '其他'}
_OLD_TYPES = tuple(key for key in ACTIVITY_TYPES if key != 'visiting')
_OLD_STATUSES = ('proposed', 'approved', 'researching', 'consulted', 'outcome_converted',
                 'done')
_STAGES = ('selection', 'research', 'consultation', 'response', 'conversion',
           'implementation', 'done')
_STAGE_OF_STATUS = {'proposed': 'selection', 'approved': 'selection',
                    'researching': 'research', 'consulted': 'consultation',
                    'outcome_converted': 'conversion', 'done': 'done'}
_STATUS_OF_STAGE = {'selection': 'proposed', 'research': 'researching',
                    'consultation': 'consulted', 'response': 'consulted',
                    'conversion': 'outcome_converted', 'implementation': 'outcome_converted',
                    'done': 'done'}
_KINDS = ('problem_category', 'department', 'problem_reply_template', 'opinion_category',
          'opinion_reply_template')


def _enum(name: str, values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=40)


def _day(value: object) -> date | None:
    """A date column as read back (SQLite hands back text)."""
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    return date.fromisoformat(str(value)[:10])


def _now() -> datetime:
    return datetime.now(UTC)


def _roots() -> dict[int, int]:
    """Each organisation's top organisation."""
    parents = dict(op.get_bind().execute(
        sa.text('SELECT id, parent_id FROM organisation')).all())
    roots = {}
    for organisation_id in parents:
        current, seen = organisation_id, set()
        while parents.get(current) is not None and current not in seen:
            seen.add(current)
            current = parents[current]
        roots[organisation_id] = current
    return roots


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table('listentry', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=_enum('listkind', _KINDS),
                              type_=_enum('listkind', (*_KINDS, 'activity_type')),
                              existing_nullable=False)

    with op.batch_alter_table('workstation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('head_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True))
        batch_op.add_column(sa.Column('head_phone', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True))
        batch_op.add_column(sa.Column('closed_on', sa.Date(), nullable=True))

    # Stationed members: one stint per former row.
    old_stationed = bind.execute(sa.text(
        'SELECT workstationmember.workstation_id, workstationmember.member_id, '
        'workstation.established_on, workstation.created_at FROM workstationmember '
        'JOIN workstation ON workstation.id = workstationmember.workstation_id')).all()
    with op.batch_alter_table('workstationmember', schema=None) as batch_op:
        batch_op.drop_index('ix_workstationmember_member_id')
    op.drop_table('workstationmember')
    stationed = op.create_table('workstationmember',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workstation_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('from_on', sa.Date(), nullable=False),
    sa.Column('to_on', sa.Date(), nullable=True),
    sa.Column('duty_days', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.CheckConstraint('to_on IS NULL OR to_on >= from_on', name='ck_stationed_dates'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['workstation_id'], ['workstation.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('workstationmember', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workstationmember_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workstationmember_workstation_id'), ['workstation_id'], unique=False)
    if old_stationed:
        op.bulk_insert(stationed, [
            {'workstation_id': station, 'member_id': member,
             'from_on': _day(established) or _day(created)}
            for station, member, established, created in old_stationed])

    # Activities: the type becomes a list entry.
    with op.batch_alter_table('workstationactivity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('activity_type_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('recorded_by_user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('idempotency_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('members_present', sa.Integer(), nullable=False, server_default='0'))
        batch_op.alter_column('notes', new_column_name='summary',
                              existing_type=sa.String(), existing_nullable=True)
        batch_op.alter_column('title', existing_type=sa.String(length=200),
                              nullable=True)
    listentry = sa.table('listentry', sa.column('id', sa.Integer),
                         sa.column('organisation_id', sa.Integer),
                         sa.column('kind', sa.String), sa.column('name', sa.String),
                         sa.column('text', sa.String), sa.column('position', sa.Integer),
                         sa.column('is_active', sa.Boolean),
                         sa.column('created_at', sa.DateTime(timezone=True)),
                         sa.column('updated_at', sa.DateTime(timezone=True)))
    roots = _roots()
    for root in sorted(set(roots.values())):
        bind.execute(listentry.insert(), [
            {'organisation_id': root, 'kind': 'activity_type', 'name': name, 'text': None,
             'position': position, 'is_active': True, 'created_at': _now(),
             'updated_at': _now()}
            for position, name in enumerate(ACTIVITY_TYPES.values())])
    type_ids = {(organisation_id, name): entry_id for entry_id, organisation_id, name in
                bind.execute(sa.text("SELECT id, organisation_id, name FROM listentry "
                                     "WHERE kind = 'activity_type'")).all()}
    # one statement per top organisation and type (a province has thousands of stations)
    below: dict[int, list[int]] = {}
    for organisation_id, root in roots.items():
        below.setdefault(root, []).append(organisation_id)
    for root, organisation_ids in below.items():
        for key, name in ACTIVITY_TYPES.items():
            bind.execute(sa.text(
                'UPDATE workstationactivity SET activity_type_id = :type_id '
                'WHERE activity_type = :key AND workstation_id IN (SELECT id FROM '
                'workstation WHERE organisation_id IN :organisations)'
            ).bindparams(sa.bindparam('organisations', expanding=True),
                         type_id=type_ids[(root, name)], key=key,
                         organisations=organisation_ids))
    op.execute('UPDATE workstationactivity SET members_present = (SELECT count(*) FROM '
               'workstationactivitymember WHERE workstationactivitymember.activity_id = '
               'workstationactivity.id)')
    with op.batch_alter_table('workstationactivity', schema=None) as batch_op:
        batch_op.alter_column('members_present', existing_type=sa.Integer(), server_default=None,
                              existing_nullable=False)
        batch_op.create_check_constraint('ck_activity_members_present', 'members_present >= 0')
        batch_op.drop_index('ix_workstationactivity_activity_type')
        batch_op.drop_column('activity_type')
        batch_op.alter_column('activity_type_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_workstationactivity_activity_type_id'), ['activity_type_id'], unique=False)
        batch_op.create_unique_constraint('uq_workstationactivity_idempotency_key', ['idempotency_key'])
        batch_op.create_foreign_key('fk_activity_type', 'listentry', ['activity_type_id'], ['id'])
        batch_op.create_foreign_key('fk_activity_recorded_by', 'app_user', ['recorded_by_user_id'], ['id'])
        batch_op.drop_index('ix_activity_station_date')
        batch_op.create_index('ix_activity_station_date', ['workstation_id', 'deleted_at', 'activity_date'], unique=False)
        batch_op.create_index('ix_activity_recorded_by', ['recorded_by_user_id', 'created_at'], unique=False)

    with op.batch_alter_table('workstationactivitymember', schema=None) as batch_op:
        batch_op.add_column(sa.Column('activity_date', sa.Date(), nullable=True))
    op.execute('UPDATE workstationactivitymember SET activity_date = (SELECT activity_date '
               'FROM workstationactivity WHERE workstationactivity.id = '
               'workstationactivitymember.activity_id)')
    with op.batch_alter_table('workstationactivitymember', schema=None) as batch_op:
        batch_op.alter_column('activity_date', existing_type=sa.Date(), nullable=False)
        batch_op.drop_index('ix_workstationactivitymember_member_id')
        batch_op.create_index('ix_activitymember_member_date', ['member_id', 'activity_date'], unique=False)

    _upgrade_topics()

    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_key', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('topic_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('satisfaction', _enum('satisfaction', ('satisfied', 'basically_satisfied', 'unsatisfied')), nullable=True))
        batch_op.add_column(sa.Column('idempotency_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.alter_column('is_key', existing_type=sa.Boolean(), server_default=None,
                              existing_nullable=False)
        batch_op.create_index(batch_op.f('ix_proposal_topic_id'), ['topic_id'], unique=False)
        batch_op.create_unique_constraint('uq_proposal_idempotency_key', ['idempotency_key'])
        batch_op.create_foreign_key('fk_proposal_topic', 'consultationtopic', ['topic_id'], ['id'])

    with op.batch_alter_table('collectedproblem', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proposal_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_collectedproblem_proposal_id'), ['proposal_id'], unique=False)
        batch_op.create_foreign_key('fk_problem_proposal', 'proposal', ['proposal_id'], ['id'])


def _upgrade_topics() -> None:
    bind = op.get_bind()
    with op.batch_alter_table('consultationtopic', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('opinion_report_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('supervision_month', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('supervision_group', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True))
        batch_op.add_column(sa.Column('stage', _enum('topicstage', _STAGES), nullable=True))
        batch_op.add_column(sa.Column('stage_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('residents', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True))
        batch_op.add_column(sa.Column('residents_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('experts', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True))
        batch_op.add_column(sa.Column('experts_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('departments', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True))
        batch_op.add_column(sa.Column('department_response', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('implementation', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('carried_out', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('idempotency_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))

    events = op.create_table('topicevent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('from_stage', _enum('topicstage', _STAGES), nullable=True),
    sa.Column('to_stage', _enum('topicstage', _STAGES), nullable=False),
    sa.Column('happened_on', sa.Date(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('recorded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.ForeignKeyConstraint(['actor_user_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['topic_id'], ['consultationtopic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('topicevent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_topicevent_topic_id'), ['topic_id'], unique=False)
    op.create_table('topicmember',
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['topic_id'], ['consultationtopic.id'], ),
    sa.PrimaryKeyConstraint('topic_id', 'member_id')
    )
    with op.batch_alter_table('topicmember', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_topicmember_member_id'), ['member_id'], unique=False)

    rows = bind.execute(sa.text(
        'SELECT id, status, proposed_on, consulted_on, done_on, participants, follow_up '
        'FROM consultationtopic')).all()
    added = []
    for topic_id, status, proposed_on, consulted_on, done_on, participants, follow_up in rows:
        proposed_on, consulted_on, done_on = (_day(value) for value in
                                              (proposed_on, consulted_on, done_on))
        stage = _STAGE_OF_STATUS.get(status, 'selection')
        stage_on = {'consultation': consulted_on, 'done': done_on}.get(stage) or proposed_on
        bind.execute(sa.text(
            'UPDATE consultationtopic SET stage = :stage, stage_on = :on, residents = :who, '
            'implementation = :follow, carried_out = :carried WHERE id = :id'
        ).bindparams(stage=stage, on=stage_on, who=(participants or None) and participants[:1000],
                     follow=follow_up, carried=True if stage == 'done' else None, id=topic_id))
        added.append({'topic_id': topic_id, 'from_stage': None, 'to_stage': 'selection',
                      'happened_on': proposed_on, 'note': None, 'recorded_at': _now(),
                      'actor_user_id': None, 'actor_name': ''})
        if stage != 'selection':
            added.append({'topic_id': topic_id, 'from_stage': 'selection', 'to_stage': stage,
                          'happened_on': stage_on, 'note': None, 'recorded_at': _now(),
                          'actor_user_id': None, 'actor_name': ''})
    if added:
        op.bulk_insert(events, added)

    with op.batch_alter_table('consultationtopic', schema=None) as batch_op:
        batch_op.alter_column('stage', existing_type=_enum('topicstage', _STAGES), nullable=False)
        batch_op.alter_column('stage_on', existing_type=sa.Date(), nullable=False)
        batch_op.alter_column('residents_count', existing_type=sa.Integer(), server_default=None,
                              existing_nullable=False)
        batch_op.alter_column('experts_count', existing_type=sa.Integer(), server_default=None,
                              existing_nullable=False)
        batch_op.drop_index('ix_consultationtopic_status')
        batch_op.drop_column('status')
        batch_op.drop_column('consulted_on')
        batch_op.drop_column('participants')
        batch_op.drop_column('follow_up')
        batch_op.create_index(batch_op.f('ix_consultationtopic_stage'), ['stage'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultationtopic_opinion_report_id'), ['opinion_report_id'], unique=False)
        batch_op.create_unique_constraint('uq_consultationtopic_idempotency_key', ['idempotency_key'])
        batch_op.create_check_constraint('ck_topic_counts', 'residents_count >= 0 AND experts_count >= 0')
        batch_op.create_foreign_key('fk_topic_report', 'opinionreport', ['opinion_report_id'], ['id'])


def downgrade() -> None:
    bind = op.get_bind()
    op.execute("UPDATE collectedproblem SET status = 'to_topic' WHERE status = 'to_proposal'")
    with op.batch_alter_table('collectedproblem', schema=None) as batch_op:
        batch_op.drop_constraint('fk_problem_proposal', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_collectedproblem_proposal_id'))
        batch_op.drop_column('proposal_id')

    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_constraint('fk_proposal_topic', type_='foreignkey')
        batch_op.drop_constraint('uq_proposal_idempotency_key', type_='unique')
        batch_op.drop_index(batch_op.f('ix_proposal_topic_id'))
        batch_op.drop_column('idempotency_key')
        batch_op.drop_column('satisfaction')
        batch_op.drop_column('topic_id')
        batch_op.drop_column('is_key')

    # Topics: the stage back to a status; the timeline and members are lost.
    with op.batch_alter_table('consultationtopic', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', _enum('topicstatus', _OLD_STATUSES), nullable=True))
        batch_op.add_column(sa.Column('consulted_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('participants', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('follow_up', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    for stage, status in _STATUS_OF_STAGE.items():
        op.execute(sa.text('UPDATE consultationtopic SET status = :status WHERE stage = :stage')
                   .bindparams(status=status, stage=stage))
    op.execute('UPDATE consultationtopic SET participants = residents, '
               'follow_up = implementation, consulted_on = (SELECT MIN(happened_on) FROM '
               "topicevent WHERE topicevent.topic_id = consultationtopic.id AND "
               "topicevent.to_stage = 'consultation')")
    with op.batch_alter_table('topicmember', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_topicmember_member_id'))
    op.drop_table('topicmember')
    with op.batch_alter_table('topicevent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_topicevent_topic_id'))
    op.drop_table('topicevent')
    with op.batch_alter_table('consultationtopic', schema=None) as batch_op:
        batch_op.drop_constraint('fk_topic_report', type_='foreignkey')
        batch_op.drop_constraint('uq_consultationtopic_idempotency_key', type_='unique')
        batch_op.drop_constraint('ck_topic_counts', type_='check')
        batch_op.drop_index(batch_op.f('ix_consultationtopic_opinion_report_id'))
        batch_op.drop_index(batch_op.f('ix_consultationtopic_stage'))
        batch_op.alter_column('status', existing_type=_enum('topicstatus', _OLD_STATUSES), nullable=False)
        batch_op.create_index('ix_consultationtopic_status', ['status'], unique=False)
        for column in ('idempotency_key', 'carried_out', 'implementation', 'department_response',
                       'departments', 'experts_count', 'experts', 'residents_count', 'residents',
                       'stage_on', 'stage', 'supervision_group', 'supervision_month',
                       'opinion_report_id', 'description'):
            batch_op.drop_column(column)

    with op.batch_alter_table('workstationactivitymember', schema=None) as batch_op:
        batch_op.drop_index('ix_activitymember_member_date')
        batch_op.create_index('ix_workstationactivitymember_member_id', ['member_id'], unique=False)
        batch_op.drop_column('activity_date')

    with op.batch_alter_table('workstationactivity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('activity_type', _enum('activitytype', _OLD_TYPES), nullable=True))
    for key, name in ACTIVITY_TYPES.items():
        op.execute(sa.text(
            'UPDATE workstationactivity SET activity_type = :key WHERE activity_type_id IN '
            "(SELECT id FROM listentry WHERE kind = 'activity_type' AND name = :name)"
        ).bindparams(key='other' if key == 'visiting' else key, name=name))
    op.execute("UPDATE workstationactivity SET activity_type = 'other' WHERE activity_type IS NULL")
    op.execute("UPDATE workstationactivity SET title = '' WHERE title IS NULL")
    with op.batch_alter_table('workstationactivity', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_recorded_by')
        batch_op.drop_index('ix_activity_station_date')
        batch_op.create_index('ix_activity_station_date', ['workstation_id', 'activity_date'], unique=False)
        batch_op.drop_constraint('fk_activity_recorded_by', type_='foreignkey')
        batch_op.drop_constraint('fk_activity_type', type_='foreignkey')
        batch_op.drop_constraint('uq_workstationactivity_idempotency_key', type_='unique')
        batch_op.drop_constraint('ck_activity_members_present', type_='check')
        batch_op.drop_index(batch_op.f('ix_workstationactivity_activity_type_id'))
        batch_op.alter_column('activity_type', existing_type=_enum('activitytype', _OLD_TYPES), nullable=False)
        batch_op.create_index('ix_workstationactivity_activity_type', ['activity_type'], unique=False)
        batch_op.alter_column('summary', new_column_name='notes',
                              existing_type=sa.String(), existing_nullable=True)
        batch_op.alter_column('title', existing_type=sa.String(length=200),
                              nullable=False)
        batch_op.drop_column('idempotency_key')
        batch_op.drop_column('members_present')
        batch_op.drop_column('recorded_by_user_id')
        batch_op.drop_column('activity_type_id')
    op.execute("DELETE FROM listentry WHERE kind = 'activity_type'")

    stints = bind.execute(sa.text(
        'SELECT DISTINCT workstation_id, member_id FROM workstationmember')).all()
    with op.batch_alter_table('workstationmember', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workstationmember_workstation_id'))
        batch_op.drop_index(batch_op.f('ix_workstationmember_member_id'))
    op.drop_table('workstationmember')
    stationed = op.create_table('workstationmember',
    sa.Column('workstation_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['workstation_id'], ['workstation.id'], ),
    sa.PrimaryKeyConstraint('workstation_id', 'member_id')
    )
    with op.batch_alter_table('workstationmember', schema=None) as batch_op:
        batch_op.create_index('ix_workstationmember_member_id', ['member_id'], unique=False)
    if stints:
        op.bulk_insert(stationed, [{'workstation_id': station, 'member_id': member}
                                   for station, member in stints])

    with op.batch_alter_table('workstation', schema=None) as batch_op:
        batch_op.drop_column('closed_on')
        batch_op.drop_column('head_phone')
        batch_op.drop_column('head_name')
    with op.batch_alter_table('listentry', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=_enum('listkind', (*_KINDS, 'activity_type')),
                              type_=_enum('listkind', _KINDS), existing_nullable=False)
