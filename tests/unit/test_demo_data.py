"""The demo-data generator, against real stores (SQLite, and PostgreSQL when configured)."""

import shutil
import threading
from datetime import date
from itertools import pairwise

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel

from core.db import get_engine, read_session, write_session
from models import (
    AuditAction,
    AuditEntry,
    CollectedProblem,
    ContactPerson,
    Member,
    MustVisitCampaign,
    OpinionReport,
    OpinionReportMember,
    OpinionStatus,
    OpinionStatusChange,
    ProblemStatus,
    Role,
    Sector,
    Visit,
    VisitMember,
    Workstation,
    WorkstationActivity,
)
from services.actors import SYSTEM, Actor
from services.audit import parse_audit_detail
from services.demo import DemoSize, load_demo_data
from services.errors import PermissionDenied, StoreNotEmpty

SMALL = DemoSize(members=40, workstations=8, years=2)
TODAY = date(2026, 5, 20)
QUARTER_START = date(2026, 4, 1)
DEMO_TABLES = (
    "term", "sector", "committee", "member", "memberleave", "contactperson", "workstation",
    "workstationmember", "mustvisitcampaign", "campaignsector", "visit", "visitmember",
    "visitcontact", "collectedproblem", "opinionreport", "opinionreportmember",
    "opinionstatuschange", "leaderinstruction", "workstationactivity",
    "workstationactivitymember", "consultationtopic", "proposal", "proposalmember", "auditentry",
)
STEP_KEYS = {
    "demo.step.organisation", "demo.step.members", "demo.step.workstations",
    "demo.step.visits", "demo.step.reports", "demo.step.activities", "demo.step.topics",
    "demo.step.finishing",
}


def _load(engine, **kwargs):
    return load_demo_data(engine=engine, actor=SYSTEM, size=SMALL, today=TODAY, **kwargs)


def _count(engine, model: type[SQLModel]) -> int:
    with read_session(engine) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_sizes():
    assert DemoSize.city() == DemoSize(members=500, workstations=150, years=2)
    assert DemoSize.province() == DemoSize(members=10_000, workstations=2_000, years=5)


def test_loads_every_table_and_reports_progress(engine):
    steps: list[tuple[float, str]] = []
    summary = _load(engine, progress=lambda fraction, key: steps.append((fraction, key)))

    assert _count(engine, Member) == SMALL.members
    assert _count(engine, Workstation) == SMALL.workstations
    assert summary.rows["member"] == SMALL.members
    assert summary.seconds > 0
    for table in DEMO_TABLES:
        assert summary.rows.get(table, 0) > 0, table
    assert "app_user" not in summary.rows  # the sign-in creates users, not the demo
    assert _count(engine, Sector) == 31
    assert 8 <= _count(engine, ContactPerson) / SMALL.members <= 12
    assert summary.rows["visit"] == _count(engine, Visit)
    with read_session(engine) as session:
        audit = session.execute(select(AuditEntry)).scalar_one()
    assert audit.action is AuditAction.DEMO_LOAD and audit.actor_name == SYSTEM.name
    key, params = parse_audit_detail(audit.detail)
    assert key == "audit.detail.demo_load" and params["members"] == 40

    assert {key for _, key in steps} == STEP_KEYS
    fractions = [fraction for fraction, _ in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_same_seed_and_day_give_the_same_data(sqlite_template, tmp_path):
    def load(name: str, seed: int) -> tuple[list[str], int, list[str]]:
        path = tmp_path / name
        shutil.copyfile(sqlite_template, path)
        engine = get_engine(f"sqlite:///{path}")
        load_demo_data(engine=engine, actor=SYSTEM, size=SMALL, seed=seed, today=TODAY)
        with read_session(engine) as session:
            names = list(session.execute(select(Member.name).order_by(Member.id)).scalars())
            summaries = list(
                session.execute(select(Visit.summary).order_by(Visit.id).limit(50)).scalars()
            )
        visits = _count(engine, Visit)
        engine.dispose()
        return names, visits, summaries

    first, second = load("a.db", 7), load("b.db", 7)
    assert first == second
    assert load("c.db", 8)[0] != first[0]


def test_refuses_a_store_that_has_members(engine):
    _load(engine)
    members, visits = _count(engine, Member), _count(engine, Visit)

    with pytest.raises(StoreNotEmpty):
        _load(engine)

    assert (_count(engine, Member), _count(engine, Visit)) == (members, visits)
    assert _count(engine, AuditEntry) == 1


def test_only_an_administrator_may_load(engine):
    staff = Actor(user_id=None, name="staff", role=Role.STAFF)
    with pytest.raises(PermissionDenied):
        load_demo_data(engine=engine, actor=staff, size=SMALL, today=TODAY)
    assert _count(engine, Member) == 0


def test_a_failure_midway_leaves_nothing(engine):
    def explode(fraction: float, key: str) -> None:
        if key == "demo.step.visits":
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError, match="killed"):
        _load(engine, progress=explode)

    for model in (Member, Sector, ContactPerson, Workstation, AuditEntry):
        assert _count(engine, model) == 0
    _load(engine)  # and the store is still usable
    assert _count(engine, Member) == SMALL.members


def test_two_concurrent_loads_write_once(engine):
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run() -> None:
        barrier.wait()
        try:
            _load(engine)
            outcomes.append("loaded")
        except StoreNotEmpty:
            outcomes.append("refused")

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["loaded", "refused"]
    assert _count(engine, Member) == SMALL.members


def test_history_is_in_the_past_and_covers_every_status(engine):
    _load(engine)
    with read_session(engine) as session:
        def scalar(statement):
            return session.execute(statement).scalar_one()

        assert scalar(select(func.max(Visit.visit_date))) <= TODAY
        assert scalar(select(func.max(OpinionReport.submitted_on))) <= TODAY
        assert scalar(select(func.max(WorkstationActivity.activity_date))) <= TODAY
        assert scalar(select(func.max(OpinionStatusChange.changed_on))) <= TODAY
        assert scalar(select(func.max(CollectedProblem.handled_on))) <= TODAY
        assert scalar(select(func.min(Visit.visit_date))) >= date(2024, 5, 20)
        assert scalar(select(func.max(MustVisitCampaign.starts_on))) <= TODAY
        report_statuses = set(session.execute(select(OpinionReport.status)).scalars())
        problem_statuses = set(session.execute(select(CollectedProblem.status)).scalars())
        changes = session.execute(
            select(OpinionStatusChange.changed_on, OpinionStatusChange.changed_at)
        ).all()
    assert report_statuses == set(OpinionStatus)
    assert problem_statuses == set(ProblemStatus)
    assert all(changed_at.date() == changed_on for changed_on, changed_at in changes)


def test_copied_dates_and_report_history_are_consistent(engine):
    _load(engine)
    with read_session(engine) as session:
        mismatched_visits = session.execute(
            select(func.count()).select_from(VisitMember)
            .join(Visit, Visit.id == VisitMember.visit_id)
            .where(Visit.visit_date != VisitMember.visit_date)
        ).scalar_one()
        mismatched_authors = session.execute(
            select(func.count()).select_from(OpinionReportMember)
            .join(OpinionReport, OpinionReport.id == OpinionReportMember.report_id)
            .where(OpinionReport.submitted_on != OpinionReportMember.submitted_on)
        ).scalar_one()
        leads = session.execute(
            select(OpinionReportMember.report_id, func.count())
            .where(OpinionReportMember.is_lead)
            .group_by(OpinionReportMember.report_id)
        ).all()
        reports = {r.id: r for r in session.execute(select(OpinionReport)).scalars()}
        history: dict[int, list[OpinionStatusChange]] = {}
        for change in session.execute(
            select(OpinionStatusChange).order_by(OpinionStatusChange.changed_at,
                                                 OpinionStatusChange.id)
        ).scalars():
            history.setdefault(change.report_id, []).append(change)
    assert mismatched_visits == 0 and mismatched_authors == 0
    assert len(leads) == len(reports) and all(count == 1 for _, count in leads)
    for report_id, report in reports.items():
        steps = history[report_id]
        assert steps[0].from_status is None and steps[0].to_status is OpinionStatus.SUBMITTED
        assert steps[-1].to_status is report.status
        assert all(a.to_status is b.from_status for a, b in pairwise(steps))
        assert [s.changed_on for s in steps] == sorted(s.changed_on for s in steps)


def test_some_members_in_office_have_no_visit_this_quarter(engine):
    _load(engine)
    with read_session(engine) as session:
        in_office = set(session.execute(
            select(Member.id).where(Member.in_office_to.is_(None))
        ).scalars())
        visited = set(session.execute(
            select(VisitMember.member_id).where(VisitMember.visit_date >= QUARTER_START)
        ).scalars())
    missing = in_office - visited
    assert missing, "the demo must show members behind on the quarterly quota"
    assert len(missing) < len(in_office) / 3


def test_normal_inserts_work_after_the_load(engine):
    _load(engine)
    with write_session(engine) as session:
        sector = Sector(name="新的界别")
        session.add(sector)
        session.flush()
        assert sector.id == 32
        session.add(Workstation(name="新工作站", kind="station", committee_id=1))
    assert _count(engine, Sector) == 32


def test_some_workstations_are_empty_shells(engine):
    _load(engine)
    with read_session(engine) as session:
        last_activity = dict(session.execute(
            select(WorkstationActivity.workstation_id, func.max(WorkstationActivity.activity_date))
            .group_by(WorkstationActivity.workstation_id)
        ).all())
        active = set(session.execute(select(Workstation.id).where(Workstation.is_active))
                     .scalars())
    idle = [ws for ws in active if ws in last_activity
            and (TODAY - last_activity[ws]).days >= 120]
    assert idle, "the demo must show stations that stopped working months ago"
    assert len(idle) < len(active)
