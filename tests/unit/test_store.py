"""The store: migrations, SQLite connection settings, write locking and clear failures."""

import threading
from datetime import UTC, date, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel, select

from core.db import (
    SchemaTooNew,
    StoreUnavailable,
    get_engine,
    normalise_url,
    read_session,
    redacted,
    write_session,
)
from core.migrate import (
    alembic_config,
    ensure_schema_known,
    head_revision,
    migration_connection,
    store_revision,
    upgrade_to_head,
)
from models import (
    AuditAction,
    AuditEntry,
    Committee,
    ConsultationTopic,
    LeaveStatus,
    ListEntry,
    ListKind,
    Member,
    MemberAssignment,
    MemberLeave,
    OpinionAction,
    OpinionEvent,
    OpinionForwarding,
    OpinionReport,
    OpinionReportSeen,
    OpinionStatus,
    Organisation,
    OrgLevel,
    Role,
    Sector,
    Term,
    TopicEvent,
    TopicStage,
    User,
    WorkstationActivity,
    WorkstationActivityMember,
    WorkstationMember,
)
from services import sign_in, users
from services.actors import SYSTEM
from services.audit import record_audit


def test_fresh_store_is_migrated_to_head(engine):
    assert store_revision(engine) == head_revision()
    tables = set(inspect(engine).get_table_names())
    assert {"member", "visit", "visitmember", "opinionreport", "auditentry", "app_user"} <= tables


def test_migrating_twice_is_a_no_op(engine):
    upgrade_to_head(engine)
    assert store_revision(engine) == head_revision()


def test_first_run_creates_the_sqlite_file_and_its_folder(tmp_path):
    path = tmp_path / "nested" / "data" / "liaison.db"
    engine = get_engine(f"sqlite:///{path}")
    upgrade_to_head(engine)
    assert path.exists()
    engine.dispose()


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(sqlite_url):
    engine = get_engine(sqlite_url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


def test_foreign_keys_are_enforced(engine):
    with pytest.raises(Exception, match=r"(?i)foreign key"), write_session(engine) as session:
        session.add(_member(sector_id=999, committee_id=999, term_id=999))


def test_failed_write_session_leaves_nothing_behind(engine):
    with pytest.raises(RuntimeError), write_session(engine) as session:
        session.add(Sector(organisation_id=1, name="教育界"))
        session.flush()
        raise RuntimeError("boom")
    with read_session(engine) as session:
        assert session.exec(select(Sector)).all() == []


def test_concurrent_sqlite_writers_queue_instead_of_failing_with_database_is_locked(sqlite_url):
    """Each writer reads then writes; with a deferred BEGIN the second upgrade of a read
    lock fails at once with 'database is locked'. BEGIN IMMEDIATE makes them queue."""
    engine = get_engine(sqlite_url)
    with write_session(engine) as session:
        session.add(Sector(organisation_id=1, name="计数", sort_order=0))
    errors: list[BaseException] = []

    def increment() -> None:
        try:
            for _ in range(20):
                with write_session(engine) as session:
                    sector = session.exec(select(Sector).where(Sector.name == "计数")).one()
                    sector.sort_order += 1
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=increment) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with read_session(engine) as session:
        assert session.exec(select(Sector.sort_order)).one() == 80


def test_unreachable_database_raises_a_message_naming_the_cause():
    engine = get_engine("postgresql://nobody@127.0.0.1:1/none")
    with pytest.raises(StoreUnavailable) as caught:
        upgrade_to_head(engine)
    assert caught.value.params["url"].startswith("postgresql+psycopg://nobody@127.0.0.1:1")
    assert caught.value.params["cause"]


def test_unknown_driver_is_reported_as_unavailable_not_a_crash():
    with pytest.raises(StoreUnavailable):
        get_engine("nosuchdb://somewhere/x")


def test_store_migrated_by_a_newer_release_is_refused(engine):
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00dfeed9999'"))
    with pytest.raises(SchemaTooNew) as caught:
        ensure_schema_known(engine)
    assert caught.value.params == {"store_revision": "f00dfeed9999", "code_head": head_revision()}


def test_postgres_spellings_are_normalised_to_psycopg3():
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_redacted_url_hides_the_password():
    assert "secret" not in redacted("postgresql://u:secret@h/db")


def _member(**ids: int) -> Member:
    return Member(organisation_id=1, name="张三", in_office_from=date(2023, 1, 1), **ids)


def test_member_round_trips_with_its_sector_committee_and_term(engine):
    with write_session(engine) as session:
        sector = Sector(organisation_id=1, name="教育界")
        committee = Committee(organisation_id=1, name="教科卫体委员会")
        term = Term(organisation_id=1, number=14, name="十四届", starts_on=date(2023, 1, 1),
                    is_current=True)
        session.add_all([sector, committee, term])
        session.flush()
        session.add(_member(sector_id=sector.id, committee_id=committee.id, term_id=term.id))
    with read_session(engine) as session:
        member = session.exec(select(Member)).one()
        assert member.version == 1 and member.deleted_at is None
        assert member.created_at.tzinfo is not None


def test_models_and_migrations_describe_the_same_schema(engine):
    """A model change without its migration fails here (what `alembic check` reports)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def _downgrade(engine, revision: str) -> None:
    config = alembic_config()
    with migration_connection(engine) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
        connection.commit()


def test_every_migration_downgrades_and_upgrades_again(engine):
    _downgrade(engine, "base")
    assert store_revision(engine) is None
    upgrade_to_head(engine)
    assert store_revision(engine) == head_revision()


def test_migrations_rebuild_tables_that_other_rows_refer_to(engine):
    """SQLite's batch mode rebuilds app_user to drop a column; with foreign keys enforced
    the rebuild failed as soon as someone had signed in (a session row refers to it)."""
    with write_session(engine) as session:
        user = users.create_admin(session=session, username="chief",
                                  display_name="王主任", password="a long test passphrase")
        sign_in.start_session(session=session, user_id=user.id, cookie_expiry=2e9,
                              now=datetime.now(UTC))
    _downgrade(engine, "0003")
    upgrade_to_head(engine)
    with read_session(engine) as session:
        assert session.exec(select(User.username)).all() == ["chief"]


def test_an_existing_roster_is_carried_over_to_organisations_and_history(engine):
    """Migration 0008: today's members get the single organisation, their current
    assignment as history and their pinyin key; an approved leave stays approved."""
    _downgrade(engine, "0007")
    with engine.begin() as connection:
        for statement in (
            "INSERT INTO sector (id, name, sort_order, created_at, updated_at) "
            "VALUES (1, '教育界', 1, '2023-01-01', '2023-01-01')",
            "INSERT INTO committee (id, name, sort_order, is_liaison, created_at, updated_at) "
            "VALUES (1, '教科卫体委员会', 1, false, '2023-01-01', '2023-01-01')",
            "INSERT INTO term (id, number, name, starts_on, is_current) "
            "VALUES (1, 14, '十四届', '2023-01-01', true)",
            "INSERT INTO member (id, name, sector_id, committee_id, term_id, "
            "is_standing_committee, is_cpc, in_office_from, in_office_to, version, "
            "created_at, updated_at) VALUES (1, '曾红', 1, 1, 1, false, false, '2023-01-01', "
            "'2025-06-30', 1, '2023-01-01', '2023-01-01')",
            "INSERT INTO memberleave (id, member_id, starts_on, ends_on, approved, created_at, "
            "updated_at) VALUES (1, 1, '2024-01-01', '2024-02-01', true, '2023-01-01', "
            "'2023-01-02'), (2, 1, '2024-05-01', '2024-05-09', false, '2023-01-01', "
            "'2023-01-02')",
        ):
            connection.execute(text(statement))
    upgrade_to_head(engine)
    with read_session(engine) as session:
        member = session.get(Member, 1)
        assignments = session.exec(select(MemberAssignment)).all()
        leaves = session.exec(select(MemberLeave).order_by(MemberLeave.id)).all()
        sector = session.get(Sector, 1)
    assert (member.organisation_id, member.name_key, sector.organisation_id) == (1, "zeng hong", 1)
    assert [(a.organisation_id, a.committee_id, a.starts_on, a.ends_on) for a in assignments] == [
        (1, 1, date(2023, 1, 1), date(2025, 6, 30))]
    assert [leave.status for leave in leaves] == [LeaveStatus.APPROVED, LeaveStatus.PENDING]
    assert leaves[0].decided_at is not None and leaves[0].version == 1


def test_old_opinion_reports_are_carried_over_to_the_loop(engine):
    """Migration 0010: an old report's category becomes the list entry of that name, its
    single adoption and forwarding become rows, the department's feedback its reply (not
    the members'), "handling" a forwarded stage with its deadline, and a member who
    signed it has seen it; downgrading gives the category back."""
    _downgrade(engine, "0009")
    with engine.begin() as connection:
        for statement in (
            "INSERT INTO sector (id, organisation_id, name, sort_order, created_at, "
            "updated_at) VALUES (1, 1, '教育界', 1, '2023-01-01', '2023-01-01')",
            "INSERT INTO committee (id, organisation_id, name, sort_order, is_liaison, "
            "created_at, updated_at) VALUES (1, 1, '教科卫体委员会', 1, false, '2023-01-01', "
            "'2023-01-01')",
            "INSERT INTO term (id, organisation_id, number, name, starts_on, is_current) "
            "VALUES (1, 1, 14, '十四届', '2023-01-01', true)",
            "INSERT INTO member (id, organisation_id, name, name_key, sector_id, committee_id, "
            "term_id, is_standing_committee, is_cpc, in_office_from, version, created_at, "
            "updated_at) VALUES (1, 1, '曾红', 'zeng hong', 1, 1, 1, false, false, "
            "'2023-01-01', 1, '2023-01-01', '2023-01-01')",
            "INSERT INTO opinionreport (id, title, body, organisation_id, category, status, "
            "committee_id, is_urgent, submitted_on, adoption_level, adopted_on, forwarded_to, "
            "forwarded_on, feedback_on, feedback_summary, status_changed_at, version, "
            "created_at, updated_at) VALUES "
            "(1, '办理中', '正文', 1, 'education', 'handling', 1, false, '2026-03-01', 'city', "
            "'2026-03-05', '市教育局', '2026-03-10', NULL, NULL, '2026-03-10', 1, "
            "'2026-03-01', '2026-03-01'), "
            "(2, '已反馈', '正文', 1, 'health', 'feedback_received', 1, false, '2026-03-01', "
            "'city', '2026-03-05', '市卫健委', '2026-03-10', '2026-04-01', '已解决', "
            "'2026-04-01', 1, '2026-03-01', '2026-03-01')",
            "INSERT INTO opinionreportmember (report_id, member_id, is_lead, submitted_on) "
            "VALUES (1, 1, true, '2026-03-01'), (2, 1, true, '2026-03-01')",
            "INSERT INTO opinionstatuschange (report_id, from_status, to_status, changed_at, "
            "changed_on) VALUES (1, NULL, 'submitted', '2026-03-01', '2026-03-01'), "
            "(1, 'forwarded', 'handling', '2026-03-11', '2026-03-11')",
        ):
            connection.execute(text(statement))
    with write_session(engine) as session:
        users.create_admin(session=session, username="chief", display_name="王主任",
                           password="a long test passphrase")
        session.add(User(username="zenghong", display_name="曾红", password_hash="!",
                         role=Role.MEMBER, organisation_id=1, member_id=1))
    upgrade_to_head(engine)
    with read_session(engine) as session:
        handling, fed_back = (session.get(OpinionReport, i) for i in (1, 2))
        category = session.get(ListEntry, handling.category_id)
        forwardings = session.exec(select(OpinionForwarding)
                                   .order_by(OpinionForwarding.report_id)).all()
        events = session.exec(select(OpinionEvent).order_by(OpinionEvent.id)).all()
        seen = session.exec(select(OpinionReportSeen.report_id)).all()
    assert (category.kind, category.name) == (ListKind.OPINION_CATEGORY, "教育")
    assert (handling.status, handling.due_on) == (OpinionStatus.FORWARDED, date(2026, 4, 9))
    assert (fed_back.status, fed_back.replied_on, fed_back.feedback_on) == (
        OpinionStatus.REPLIED, date(2026, 4, 1), None)
    assert fed_back.due_on == date(2026, 4, 16)  # the members hear back within 15 days
    assert [(f.department, f.reply) for f in forwardings] == [("市教育局", None),
                                                               ("市卫健委", "已解决")]
    assert [(e.action, e.to_status) for e in events] == [
        (OpinionAction.SUBMIT, OpinionStatus.SUBMITTED),
        (OpinionAction.FORWARD, OpinionStatus.FORWARDED)]
    assert sorted(seen) == [1, 2]
    _downgrade(engine, "0009")
    with engine.connect() as connection:
        categories = connection.execute(text(
            "SELECT category FROM opinionreport ORDER BY id")).scalars().all()
    assert categories == ["education", "health"]
    upgrade_to_head(engine)  # the next test finds the store as it began


def test_old_stations_activities_and_topics_are_carried_over(engine):
    """Migration 0011: a stationed member becomes a stint from the day the station was
    established, an activity's fixed type the list entry of that name (with how many
    members were present and their day), a topic's status its stage with a timeline;
    downgrading gives the type and the status back."""
    _downgrade(engine, "0010")
    with engine.begin() as connection:
        for statement in (
            "INSERT INTO sector (id, organisation_id, name, sort_order, created_at, "
            "updated_at) VALUES (1, 1, '教育界', 1, '2023-01-01', '2023-01-01')",
            "INSERT INTO committee (id, organisation_id, name, sort_order, is_liaison, "
            "created_at, updated_at) VALUES (1, 1, '教科卫体委员会', 1, false, '2023-01-01', "
            "'2023-01-01')",
            "INSERT INTO term (id, organisation_id, number, name, starts_on, is_current) "
            "VALUES (1, 1, 14, '十四届', '2023-01-01', true)",
            "INSERT INTO member (id, organisation_id, name, name_key, sector_id, committee_id, "
            "term_id, is_standing_committee, is_cpc, in_office_from, version, created_at, "
            "updated_at) VALUES (1, 1, '曾红', 'zeng hong', 1, 1, 1, false, false, "
            "'2023-01-01', 1, '2023-01-01', '2023-01-01')",
            "INSERT INTO workstation (id, organisation_id, name, kind, committee_id, "
            "established_on, is_active, version, created_at, updated_at) VALUES "
            "(1, 1, '东城委员工作站', 'station', 1, '2024-03-01', true, 1, '2024-03-01', "
            "'2024-03-01')",
            "INSERT INTO workstationmember (workstation_id, member_id) VALUES (1, 1)",
            "INSERT INTO workstationactivity (id, workstation_id, activity_date, "
            "activity_type, title, people_served, notes, version, created_at, updated_at) "
            "VALUES (1, 1, '2026-05-06', 'free_clinic', '义诊', 80, '很好', 1, "
            "'2026-05-06', '2026-05-06')",
            "INSERT INTO workstationactivitymember (activity_id, member_id) VALUES (1, 1)",
            "INSERT INTO consultationtopic (id, title, kind, organisation_id, status, "
            "committee_id, proposed_on, consulted_on, participants, version, created_at, "
            "updated_at) VALUES (1, '停车难', 'consultation', 1, 'consulted', 1, "
            "'2026-04-01', '2026-05-01', '居民代表20人', 1, '2026-04-01', '2026-05-01')",
        ):
            connection.execute(text(statement))
    upgrade_to_head(engine)
    with read_session(engine) as session:
        stint = session.exec(select(WorkstationMember)).one()
        activity = session.get(WorkstationActivity, 1)
        kind = session.get(ListEntry, activity.activity_type_id)
        present = session.exec(select(WorkstationActivityMember)).one()
        topic = session.get(ConsultationTopic, 1)
        events = session.exec(select(TopicEvent).order_by(TopicEvent.id)).all()
    assert (stint.from_on, stint.to_on) == (date(2024, 3, 1), None)
    assert (kind.kind, kind.name) == (ListKind.ACTIVITY_TYPE, "义诊/送医下乡")
    assert (activity.summary, activity.members_present) == ("很好", 1)
    assert present.activity_date == date(2026, 5, 6)
    assert (topic.stage, topic.stage_on, topic.residents) == (
        TopicStage.CONSULTATION, date(2026, 5, 1), "居民代表20人")
    assert [(e.to_stage, e.happened_on) for e in events] == [
        (TopicStage.SELECTION, date(2026, 4, 1)), (TopicStage.CONSULTATION, date(2026, 5, 1))]
    _downgrade(engine, "0010")
    with engine.connect() as connection:
        old = connection.execute(text(
            "SELECT activity_type, notes FROM workstationactivity")).one()
        status = connection.execute(text("SELECT status FROM consultationtopic")).scalar()
    assert tuple(old) == ("free_clinic", "很好") and status == "consulted"
    upgrade_to_head(engine)  # the next test finds the store as it began


def test_names_are_unique_per_organisation_not_per_store(engine):
    with write_session(engine) as session:
        district = Organisation(name="东城区政协", level=OrgLevel.DISTRICT, parent_id=1)
        session.add(district)
        session.flush()
        session.add_all([Sector(organisation_id=1, name="教育界"),
                         Sector(organisation_id=district.id, name="教育界")])
    with pytest.raises(Exception, match=r"(?i)unique"), write_session(engine) as session:
        session.add(Sector(organisation_id=1, name="教育界"))


def test_sanity_checks_refuse_impossible_rows(engine):
    with write_session(engine) as session:
        sector = Sector(organisation_id=1, name="教育界")
        committee = Committee(organisation_id=1, name="教科卫体委员会")
        term = Term(organisation_id=1, number=14, name="十四届", starts_on=date(2023, 1, 1))
        session.add_all([sector, committee, term])
        session.flush()
        ids = {"sector_id": sector.id, "committee_id": committee.id, "term_id": term.id}
    with pytest.raises(Exception, match=r"(?i)check"), write_session(engine) as session:
        session.add(Member(organisation_id=1, name="倒置", in_office_from=date(2024, 1, 1),
                           in_office_to=date(2023, 1, 1), **ids))


@pytest.mark.parametrize("statement", ["UPDATE auditentry SET actor_name = 'someone else'",
                                       "DELETE FROM auditentry"])
def test_the_store_refuses_to_change_or_delete_audit_rows(engine, statement):
    with write_session(engine) as session:
        record_audit(session=session, actor=SYSTEM, action=AuditAction.CREATE, entity="Sector")
    with pytest.raises(Exception, match="append-only"), engine.begin() as connection:
        connection.execute(text(statement))
    with read_session(engine) as session:
        assert session.exec(select(AuditEntry.actor_name)).all() == ["system"]
