"""opinion reports: the whole feedback loop

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 08:30:00

A report's category becomes an entry of the office's editable list (``opinion_category``,
seeded for the top organisations with the former fixed categories). Its stages become
the loop of ``services.opinion``: submitted → under review (→ returned → submitted) →
adopted or not adopted → forwarded → replied → feedback given → closed. Former
"instructed" and "handling" reports are forwarded ones (an instruction is a row of its
own, not a stage), former "feedback received" ones are replied.

Adoptions (one row per level) and forwardings (one row per department, each with its due
date and reply) get tables of their own, filled from the single adoption and forwarding a
report could hold before (the feedback summary of a replied report becomes the
department's reply, and leaves the report: the members' feedback is now its own step; a
"forwarded" report without a department becomes adopted). Each converted report gets its
stage's start and deadline by the default deadlines, so the open ones can be overdue, and
its members' users have seen it (what they knew before is not news).
``opinionstatuschange`` becomes ``opinionevent``, with the action
each row records and the actor's name. ``opinionreportseen`` keeps when a user last
looked at a report, so what arrived since is new to them. Opinion reply templates are
seeded beside the problem ones.
"""

from collections.abc import Sequence
from datetime import date, timedelta

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_STATUSES = ('submitted', 'under_review', 'adopted', 'not_adopted', 'forwarded',
                 'instructed', 'handling', 'feedback_received', 'closed')
_STATUSES = ('submitted', 'under_review', 'returned', 'adopted', 'not_adopted', 'forwarded',
             'replied', 'feedback_given', 'closed')
_NEW_FROM_OLD = {'instructed': 'forwarded', 'handling': 'forwarded',
                 'feedback_received': 'replied'}
_OLD_FROM_NEW = {'returned': 'submitted', 'replied': 'feedback_received',
                 'feedback_given': 'feedback_received'}
_ACTIONS = ('submit', 'start_review', 'return', 'resubmit', 'adopt', 'reject', 'forward',
            'reply', 'instruct', 'give_feedback', 'close')
# The action each former history row recorded, by the status it reached.
_ACTION_OF_OLD_STEP = {'submitted': 'submit', 'under_review': 'start_review',
                       'adopted': 'adopt', 'not_adopted': 'reject', 'forwarded': 'forward',
                       'instructed': 'instruct', 'handling': 'forward',
                       'feedback_received': 'reply', 'closed': 'close'}
_CATEGORIES = {'livelihood': '民生', 'economy': '经济', 'education': '教育',
               'health': '医疗卫生', 'ecology': '生态环境', 'rule_of_law': '法治',
               'business_environment': '营商环境', 'agriculture': '农业农村',
               'culture': '文化', 'social_governance': '社会治理', 'other': '其他'}
_LIST_KINDS_OLD = ('problem_category', 'department', 'problem_reply_template')
_LIST_KINDS = (*_LIST_KINDS_OLD, 'opinion_category', 'opinion_reply_template')
DEFAULT_TEMPLATES = {
    '已采用': '您报送的社情民意信息《{title}》已被采用，感谢您的辛勤工作。',
    '已转送办理': '您报送的社情民意信息《{title}》已转送{department}办理，办理结果将及时反馈。',
    '部门已答复': '{department}已对您报送的《{title}》作出答复，详见附件答复意见。',
    '未采用': '您报送的社情民意信息《{title}》经审核暂未采用，欢迎继续关注并报送。',
}
_REPLY_DAYS = 30  # the due date given to a forwarding that had none


def _enum(name: str, values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=40)


def _remap(table: str, column: str, mapping: dict[str, str]) -> None:
    for old, new in mapping.items():
        op.execute(sa.text(f'UPDATE {table} SET {column} = :new WHERE {column} = :old')
                   .bindparams(new=new, old=old))


def upgrade() -> None:
    with op.batch_alter_table('listentry', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=_enum('listkind', _LIST_KINDS_OLD),
                              type_=_enum('listkind', _LIST_KINDS), existing_nullable=False)

    op.create_table('opinionadoption',
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum('city', 'provincial', 'national', name='adoptionlevel', native_enum=False, length=40), nullable=False),
    sa.Column('adopted_on', sa.Date(), nullable=False),
    sa.Column('publication', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['opinionreport.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('report_id', 'level', name='uq_adoption_level')
    )
    with op.batch_alter_table('opinionadoption', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opinionadoption_report_id'), ['report_id'], unique=False)

    op.create_table('opinionforwarding',
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('department', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('forwarded_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('reply', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('replied_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['opinionreport.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('report_id', 'department', name='uq_forwarding_department')
    )
    with op.batch_alter_table('opinionforwarding', schema=None) as batch_op:
        batch_op.create_index('ix_forwarding_department', ['department'], unique=False)
        batch_op.create_index(batch_op.f('ix_opinionforwarding_report_id'), ['report_id'], unique=False)

    op.create_table('opinionreportseen',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('seen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['opinionreport.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('user_id', 'report_id')
    )

    with op.batch_alter_table('opinionreport', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('replied_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('stage_started_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('due_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('idempotency_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.alter_column('status', existing_type=_enum('opinionstatus', _OLD_STATUSES),
                              type_=_enum('opinionstatus', _OLD_STATUSES + _STATUSES[2:3] + ('replied', 'feedback_given')),
                              existing_nullable=False)

    op.rename_table('opinionstatuschange', 'opinionevent')
    with op.batch_alter_table('opinionevent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('action', _enum('opinionaction', _ACTIONS), nullable=True))
        batch_op.add_column(sa.Column('actor_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False, server_default=''))
        batch_op.alter_column('from_status', existing_type=_enum('opinionstatus', _OLD_STATUSES),
                              type_=_enum('opinionstatus', _OLD_STATUSES + ('returned', 'replied', 'feedback_given')),
                              existing_nullable=True)
        batch_op.alter_column('to_status', existing_type=_enum('opinionstatus', _OLD_STATUSES),
                              type_=_enum('opinionstatus', _OLD_STATUSES + ('returned', 'replied', 'feedback_given')),
                              existing_nullable=False)

    _convert_data()

    with op.batch_alter_table('opinionevent', schema=None) as batch_op:
        batch_op.alter_column('action', existing_type=_enum('opinionaction', _ACTIONS),
                              nullable=False)
        batch_op.alter_column('from_status', existing_type=_enum('opinionstatus', _OLD_STATUSES + ('returned', 'replied', 'feedback_given')),
                              type_=_enum('opinionstatus', _STATUSES), existing_nullable=True)
        batch_op.alter_column('to_status', existing_type=_enum('opinionstatus', _OLD_STATUSES + ('returned', 'replied', 'feedback_given')),
                              type_=_enum('opinionstatus', _STATUSES), existing_nullable=False)
        batch_op.drop_index('ix_opinionstatuschange_changed_at')
        batch_op.drop_index('ix_opinionstatuschange_report_id')
        batch_op.create_index(batch_op.f('ix_opinionevent_changed_at'), ['changed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_opinionevent_report_id'), ['report_id'], unique=False)

    with op.batch_alter_table('opinionreport', schema=None) as batch_op:
        batch_op.drop_index('ix_opinionreport_category')
        batch_op.drop_column('category')
        batch_op.drop_column('forwarded_to')
        batch_op.alter_column('status', existing_type=_enum('opinionstatus', _OLD_STATUSES + ('returned', 'replied', 'feedback_given')),
                              type_=_enum('opinionstatus', _STATUSES), existing_nullable=False)
        batch_op.create_index(batch_op.f('ix_opinionreport_category_id'), ['category_id'], unique=False)
        batch_op.create_index('ix_report_status_due', ['status', 'due_on'], unique=False)
        batch_op.create_unique_constraint('uq_opinionreport_idempotency_key', ['idempotency_key'])
        batch_op.create_foreign_key('fk_opinionreport_category', 'listentry', ['category_id'], ['id'])


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


def _convert_data() -> None:
    bind = op.get_bind()
    listentry = sa.table('listentry', sa.column('id', sa.Integer),
                         sa.column('organisation_id', sa.Integer),
                         sa.column('kind', sa.String), sa.column('name', sa.String),
                         sa.column('text', sa.String), sa.column('position', sa.Integer),
                         sa.column('is_active', sa.Boolean),
                         sa.column('created_at', sa.DateTime(timezone=True)),
                         sa.column('updated_at', sa.DateTime(timezone=True)))
    roots = _roots()
    now = sa.func.current_timestamp()
    for root in sorted(set(roots.values())):
        for position, name in enumerate(_CATEGORIES.values()):
            bind.execute(listentry.insert().values(
                organisation_id=root, kind='opinion_category', name=name, text=None,
                position=position, is_active=True, created_at=now, updated_at=now))
        for position, (name, text) in enumerate(DEFAULT_TEMPLATES.items()):
            bind.execute(listentry.insert().values(
                organisation_id=root, kind='opinion_reply_template', name=name, text=text,
                position=position, is_active=True, created_at=now, updated_at=now))
    category_ids = {(organisation_id, name): entry_id for entry_id, organisation_id, name in
                    bind.execute(sa.text("SELECT id, organisation_id, name FROM listentry "
                                         "WHERE kind = 'opinion_category'")).all()}
    reports = bind.execute(sa.text(
        'SELECT id, organisation_id, category, status, submitted_on, adoption_level, '
        'adopted_on, forwarded_to, forwarded_on, feedback_on, feedback_summary, closed_on, '
        'is_urgent FROM opinionreport')).all()
    for (report_id, organisation_id, category, status, submitted_on, level, adopted_on,
         department, forwarded_on, feedback_on, summary, closed_on, urgent) in reports:
        submitted_on, adopted_on, forwarded_on, feedback_on, closed_on = (
            _day(value) for value in (submitted_on, adopted_on, forwarded_on, feedback_on,
                                      closed_on))
        category_id = category_ids.get((roots.get(organisation_id, organisation_id),
                                        _CATEGORIES.get(category, '其他')))
        forwarded = bool(department) and forwarded_on is not None
        # The old feedback was the department's: its reply now. Only a closed report's
        # members are taken to have been told.
        replied = status in ('feedback_received', 'closed') and forwarded
        replied_on = (feedback_on or closed_on or forwarded_on) if replied else None
        new_status = _NEW_FROM_OLD.get(status, status)
        if new_status == 'forwarded' and not forwarded:  # no department to hear from
            new_status = 'adopted' if level is not None else 'under_review'
        if new_status == 'replied' and not forwarded:
            new_status = 'adopted' if level is not None else 'under_review'
        started = {'closed': closed_on, 'replied': replied_on, 'forwarded': forwarded_on,
                   'adopted': adopted_on}.get(new_status) or submitted_on
        reply_due = (forwarded_on + timedelta(days=15 if urgent else _REPLY_DAYS)
                     if forwarded else None)
        keeps_feedback = new_status == 'closed'
        bind.execute(sa.text(
            'UPDATE opinionreport SET category_id = :category, replied_on = :replied, '
            'stage_started_on = :started, due_on = :due, status = :status, '
            'feedback_on = :feedback_on, feedback_summary = :summary WHERE id = :id'
        ).bindparams(category=category_id, replied=replied_on, id=report_id, started=started,
                     due=_due(new_status, started, bool(urgent), reply_due if not replied
                              else None), status=new_status,
                     feedback_on=feedback_on if keeps_feedback else None,
                     summary=summary if keeps_feedback else None))
        if level is not None and adopted_on is not None:
            bind.execute(sa.text(
                'INSERT INTO opinionadoption (created_at, updated_at, report_id, level, '
                'adopted_on, publication) VALUES (:now, :now, :id, :level, :on, NULL)'
            ).bindparams(now=_now(), id=report_id, level=level, on=adopted_on))
        if forwarded:
            bind.execute(sa.text(
                'INSERT INTO opinionforwarding (created_at, updated_at, report_id, '
                'department, forwarded_on, due_on, reply, replied_on) '
                'VALUES (:now, :now, :id, :department, :on, :due, :reply, :replied)'
            ).bindparams(now=_now(), id=report_id, department=department, on=forwarded_on,
                         due=reply_due, reply=(summary or '') if replied else None,
                         replied=replied_on))
    # What the reports' members knew before the upgrade is not news to them.
    op.execute('INSERT INTO opinionreportseen (user_id, report_id, seen_at) '
               'SELECT DISTINCT app_user.id, opinionreportmember.report_id, '
               'CURRENT_TIMESTAMP FROM app_user JOIN opinionreportmember '
               'ON opinionreportmember.member_id = app_user.member_id')
    for old_status, action in _ACTION_OF_OLD_STEP.items():
        op.execute(sa.text('UPDATE opinionevent SET action = :action WHERE to_status = :old')
                   .bindparams(action=action, old=old_status))
    _remap('opinionevent', 'to_status', _NEW_FROM_OLD)
    _remap('opinionevent', 'from_status', _NEW_FROM_OLD)


def _due(status: str, started: date, urgent: bool, reply_due: date | None) -> date | None:
    """The deadline of the stage a converted report is in, by the default deadlines
    (``services.opinion.Deadlines``: no setting exists yet when this runs)."""
    days = {'submitted': 3 if urgent else 7, 'under_review': 3 if urgent else 7,
            'adopted': 2 if urgent else 7, 'replied': 15, 'not_adopted': 15}
    if status == 'forwarded':
        return reply_due
    return started + timedelta(days=days[status]) if status in days else None


def _day(value: object) -> date | None:
    """A date column as read back (SQLite hands back text)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _now() -> object:
    from datetime import UTC, datetime
    return datetime.now(UTC)


def downgrade() -> None:
    with op.batch_alter_table('opinionreport', schema=None) as batch_op:
        batch_op.drop_constraint('fk_opinionreport_category', type_='foreignkey')
        batch_op.drop_constraint('uq_opinionreport_idempotency_key', type_='unique')
        batch_op.drop_index('ix_report_status_due')
        batch_op.drop_index(batch_op.f('ix_opinionreport_category_id'))
        batch_op.add_column(sa.Column('category', _enum('opinioncategory', tuple(_CATEGORIES)), nullable=False, server_default='other'))
        batch_op.add_column(sa.Column('forwarded_to', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True))
        batch_op.alter_column('status', existing_type=_enum('opinionstatus', _STATUSES),
                              type_=_enum('opinionstatus', _OLD_STATUSES + _STATUSES),
                              existing_nullable=False)
    _remap('opinionreport', 'status', _OLD_FROM_NEW)
    for key, name in _CATEGORIES.items():
        op.execute(sa.text(
            'UPDATE opinionreport SET category = :key WHERE category_id IN (SELECT id FROM '
            "listentry WHERE kind = 'opinion_category' AND name = :name)"
        ).bindparams(key=key, name=name))
    op.execute('UPDATE opinionreport SET forwarded_to = (SELECT MIN(department) FROM '
               'opinionforwarding WHERE opinionforwarding.report_id = opinionreport.id)')
    with op.batch_alter_table('opinionreport', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=_enum('opinionstatus', _OLD_STATUSES + _STATUSES),
                              type_=_enum('opinionstatus', _OLD_STATUSES), existing_nullable=False)
        batch_op.alter_column('category', existing_type=_enum('opinioncategory', tuple(_CATEGORIES)),
                              server_default=None, existing_nullable=False)
        batch_op.create_index('ix_opinionreport_category', ['category'], unique=False)
        batch_op.drop_column('idempotency_key')
        batch_op.drop_column('due_on')
        batch_op.drop_column('stage_started_on')
        batch_op.drop_column('replied_on')
        batch_op.drop_column('category_id')

    with op.batch_alter_table('opinionevent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opinionevent_report_id'))
        batch_op.drop_index(batch_op.f('ix_opinionevent_changed_at'))
        batch_op.alter_column('from_status', existing_type=_enum('opinionstatus', _STATUSES),
                              type_=_enum('opinionstatus', _OLD_STATUSES + _STATUSES), existing_nullable=True)
        batch_op.alter_column('to_status', existing_type=_enum('opinionstatus', _STATUSES),
                              type_=_enum('opinionstatus', _OLD_STATUSES + _STATUSES), existing_nullable=False)
    _remap('opinionevent', 'to_status', _OLD_FROM_NEW)
    _remap('opinionevent', 'from_status', _OLD_FROM_NEW)
    with op.batch_alter_table('opinionevent', schema=None) as batch_op:
        batch_op.alter_column('from_status', existing_type=_enum('opinionstatus', _OLD_STATUSES + _STATUSES),
                              type_=_enum('opinionstatus', _OLD_STATUSES), existing_nullable=True)
        batch_op.alter_column('to_status', existing_type=_enum('opinionstatus', _OLD_STATUSES + _STATUSES),
                              type_=_enum('opinionstatus', _OLD_STATUSES), existing_nullable=False)
        batch_op.drop_column('actor_name')
        batch_op.drop_column('action')
        batch_op.create_index('ix_opinionstatuschange_report_id', ['report_id'], unique=False)
        batch_op.create_index('ix_opinionstatuschange_changed_at', ['changed_at'], unique=False)
    op.rename_table('opinionevent', 'opinionstatuschange')

    op.drop_table('opinionreportseen')
    with op.batch_alter_table('opinionforwarding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opinionforwarding_report_id'))
        batch_op.drop_index('ix_forwarding_department')
    op.drop_table('opinionforwarding')
    with op.batch_alter_table('opinionadoption', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opinionadoption_report_id'))
    op.drop_table('opinionadoption')
    op.execute("DELETE FROM listentry WHERE kind IN ('opinion_category', "
               "'opinion_reply_template')")
    with op.batch_alter_table('listentry', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=_enum('listkind', _LIST_KINDS),
                              type_=_enum('listkind', _LIST_KINDS_OLD), existing_nullable=False)
