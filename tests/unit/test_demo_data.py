"""The demo-data generator, against real stores (SQLite, and PostgreSQL when configured)."""

import shutil
import threading
from collections import Counter
from datetime import date, timedelta
from itertools import groupby, pairwise

import pytest
from sqlalchemy import func, select, text
from sqlmodel import SQLModel

from core.db import get_engine, read_session, write_session
from models import (
    AdoptionLevel,
    AuditAction,
    AuditEntry,
    Channel,
    CollectedProblem,
    Committee,
    ConsultationTopic,
    ContactPerson,
    LeaderInstruction,
    LeaveStatus,
    ListEntry,
    ListKind,
    Member,
    MemberAssignment,
    MemberLeave,
    MustVisitCampaign,
    OpinionAction,
    OpinionAdoption,
    OpinionEvent,
    OpinionForwarding,
    OpinionReport,
    OpinionReportMember,
    OpinionStatus,
    Organisation,
    OrgLevel,
    ProblemStatus,
    ProblemStatusChange,
    Proposal,
    Role,
    Sector,
    Term,
    TopicEvent,
    TopicKind,
    TopicStage,
    Visit,
    VisitMember,
    Workstation,
    WorkstationActivity,
    WorkstationMember,
)
from services.actors import SYSTEM, Actor
from services.audit import parse_audit_detail
from services.demo import PRESETS, DemoSize, load_demo_data
from services.demo import vocabulary as vocab
from services.demo.problems import cover_problem_statuses
from services.errors import PermissionDenied, StoreNotEmpty
from services.lists import ancestors, entry_names
from services.name_search import sort_key
from services.opinion import ANY_TIME, OPEN, TRANSITIONS, Deadlines, stage_due
from services.workstations import DEFAULT_ACTIVITY_TYPES

SMALL = DemoSize(members=40, workstations=8, years=2)  # one organisation
# A city with three districts or counties, small enough to load quickly.
TREE = DemoSize(members=80, workstations=16, years=2, children=3, child_members=30)
# A province with two cities of two counties each.
PROVINCE = DemoSize(members=30, workstations=6, years=1, level=OrgLevel.PROVINCE, children=2,
                    child_members=20, grandchildren=2, grandchild_members=12)
TODAY = date(2026, 5, 20)
QUARTER_START = date(2026, 4, 1)
DEMO_TABLES = (
    "term", "sector", "committee", "member", "memberassignment", "memberleave",
    "contactperson", "workstation",
    "workstationmember", "mustvisitcampaign", "campaignsector", "visit", "visitmember",
    "visitcontact", "collectedproblem", "problemstatuschange", "opinionreport",
    "opinionreportmember", "opinionevent", "opinionadoption", "opinionforwarding",
    "leaderinstruction", "workstationactivity",
    "workstationactivitymember", "consultationtopic", "proposal", "proposalmember", "auditentry",
)
STEP_KEYS = {
    "demo.step.organisation", "demo.step.members", "demo.step.workstations",
    "demo.step.visits", "demo.step.reports", "demo.step.activities", "demo.step.topics",
    "demo.step.problems",
    "demo.step.finishing",
}


def _load(engine, size: DemoSize = SMALL, **kwargs):
    return load_demo_data(engine=engine, actor=SYSTEM, size=size, today=TODAY, **kwargs)


def _count(engine, model: type[SQLModel]) -> int:
    with read_session(engine) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_sizes():
    small, city, province = DemoSize.small(), DemoSize.city(), DemoSize.province()
    assert small.organisations == 1 and small.total_members == 60
    assert city == DemoSize(members=500, workstations=150, years=2, children=4,
                            child_members=115)
    assert city.organisations == 5 and city.total_members == 960
    assert province.level is OrgLevel.PROVINCE and province.years == 5
    assert province.organisations == 31
    assert 9_500 <= province.total_members <= 10_500
    assert 1_900 <= province.total_members * province.workstations / province.members <= 2_100
    with pytest.raises(ValueError):
        DemoSize(children=2)  # districts without members
    with pytest.raises(ValueError):
        DemoSize(children=2, child_members=50, grandchildren=2, grandchild_members=20)


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
        assert scalar(select(func.max(OpinionEvent.changed_on))) <= TODAY
        assert scalar(select(func.max(OpinionForwarding.replied_on))) <= TODAY
        assert scalar(select(func.max(OpinionAdoption.adopted_on))) <= TODAY
        assert scalar(select(func.max(CollectedProblem.handled_on))) <= TODAY
        assert scalar(select(func.max(CollectedProblem.fed_back_on))) <= TODAY
        assert scalar(select(func.max(ProblemStatusChange.changed_at))).date() <= TODAY
        assert scalar(select(func.min(Visit.visit_date))) >= date(2024, 5, 20)
        assert scalar(select(func.max(MustVisitCampaign.starts_on))) <= TODAY
        report_statuses = set(session.execute(select(OpinionReport.status)).scalars())
        problem_statuses = set(session.execute(select(CollectedProblem.status)).scalars())
        changes = session.execute(
            select(OpinionEvent.changed_on, OpinionEvent.changed_at)
        ).all()
    assert report_statuses == set(OpinionStatus)
    assert problem_statuses == set(ProblemStatus)
    assert all(changed_at.date() == changed_on for changed_on, changed_at in changes)


def test_copied_dates_and_report_authors_are_consistent(engine):
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
        reports = session.execute(select(func.count()).select_from(OpinionReport)).scalar_one()
    assert mismatched_visits == 0 and mismatched_authors == 0
    assert len(leads) == reports and all(count == 1 for _, count in leads)


# --- opinion reports and their feedback loop -------------------------------------------

R = OpinionStatus
LEVELS = list(AdoptionLevel)  # lowest first
LIMITS = Deadlines()  # the service's defaults: the demo's store has no settings


def _by_report(rows) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(row.report_id, []).append(row)
    return grouped


def _reports_with_their_rows(engine):
    """Each report with its timeline (in order), adoptions, forwardings, instructions."""
    with read_session(engine) as session:
        reports = session.execute(select(OpinionReport).order_by(OpinionReport.id)
                                  ).scalars().all()
        events = _by_report(session.execute(select(OpinionEvent).order_by(
            OpinionEvent.report_id, OpinionEvent.changed_at, OpinionEvent.id)).scalars())
        adoptions = _by_report(session.execute(select(OpinionAdoption).order_by(
            OpinionAdoption.id)).scalars())
        forwardings = _by_report(session.execute(select(OpinionForwarding).order_by(
            OpinionForwarding.id)).scalars())
        instructions = _by_report(session.execute(select(LeaderInstruction).order_by(
            LeaderInstruction.id)).scalars())
    return [(r, events[r.id], adoptions.get(r.id, []), forwardings.get(r.id, []),
             instructions.get(r.id, [])) for r in reports]


def test_every_report_has_the_timeline_of_its_status(engine):
    _load(engine)
    for report, events, _, forwardings, _ in _reports_with_their_rows(engine):
        assert events[0].action is OpinionAction.SUBMIT and events[0].from_status is None
        assert events[0].to_status is R.SUBMITTED
        assert all(a.to_status is b.from_status for a, b in pairwise(events))
        assert events[-1].to_status is report.status
        silent = 0
        for event in events[1:]:  # each an action the stage allows, leading where it does
            if event.action in ANY_TIME:
                assert event.to_status is event.from_status
                continue
            allowed = TRANSITIONS[event.from_status]
            assert event.action in allowed, (report.id, event.action, event.from_status)
            silent += (len(event.note.split("、")) if event.action is OpinionAction.FORWARD
                       else -(event.action is OpinionAction.REPLY))
            replied = event.action is OpinionAction.REPLY and silent == 0
            assert event.to_status is (R.REPLIED if replied
                                       else allowed[event.action] or event.from_status)
        assert silent == sum(f.replied_on is None for f in forwardings)
        assert [e.changed_on for e in events] == sorted(e.changed_on for e in events)
        assert all(e.changed_at.date() == e.changed_on for e in events)
        assert all(e.actor_user_id is None and e.actor_name for e in events)
        assert events[0].changed_at == report.created_at
        assert events[-1].changed_at == report.updated_at
        began = next(e for e in reversed(events) if e.from_status is not e.to_status)
        assert report.stage_started_on == began.changed_on
        assert report.status_changed_at == began.changed_at
        assert report.idempotency_key is None


def test_adoptions_forwardings_and_instructions_agree_with_the_timeline(engine):
    _load(engine, TREE)
    for report, events, adoptions, forwardings, instructions in _reports_with_their_rows(engine):
        done: dict[OpinionAction, list[OpinionEvent]] = {}
        for event in events:
            done.setdefault(event.action, []).append(event)
        adopted = done.get(OpinionAction.ADOPT, [])
        assert [(a.level, a.adopted_on, a.publication) for a in adoptions] == [
            (a.level, e.changed_on, e.note) for a, e in zip(adoptions, adopted, strict=True)]
        assert len({a.level for a in adoptions}) == len(adoptions)  # once per level
        if adoptions:
            assert report.adoption_level == max((a.level for a in adoptions), key=LEVELS.index)
            assert report.adopted_on == adoptions[0].adopted_on
            assert all(a.publication for a in adoptions)
        else:
            assert (report.adoption_level, report.adopted_on) == (None, None)
        forwarded = [(name, e.changed_on) for e in done.get(OpinionAction.FORWARD, [])
                     for name in e.note.split("、")]
        assert [(f.department, f.forwarded_on) for f in forwardings] == forwarded
        assert len(forwardings) <= 3 and len({f.department for f in forwardings}) == len(forwarded)
        replies = {(e.changed_on, e.note) for e in done.get(OpinionAction.REPLY, [])}
        assert {(f.replied_on, f.reply) for f in forwardings if f.replied_on} == replies
        assert report.forwarded_on == (forwardings[0].forwarded_on if forwardings else None)
        for forwarding in forwardings:
            assert forwarding.due_on == forwarding.forwarded_on + timedelta(
                days=LIMITS.days("reply", report.is_urgent))
            assert (forwarding.reply is None) is (forwarding.replied_on is None)
            assert (forwarding.replied_on is None
                    or forwarding.forwarded_on <= forwarding.replied_on <= TODAY)
        silent = [f for f in forwardings if f.replied_on is None]
        if report.status is R.FORWARDED:
            assert silent
        if report.status is R.REPLIED:
            assert forwardings and not silent
        if report.status in {R.REPLIED, R.FEEDBACK_GIVEN, R.CLOSED} and forwardings:
            assert not silent
            assert report.replied_on == max(f.replied_on for f in forwardings)
        rejected = done.get(OpinionAction.REJECT)
        assert report.not_adopted_reason == (rejected[0].note if rejected else None)
        told = done.get(OpinionAction.GIVE_FEEDBACK)
        assert (report.feedback_on, report.feedback_summary) == (
            (told[0].changed_on, told[0].note) if told else (None, None))
        assert not told or f"《{report.title}》" in report.feedback_summary
        assert (report.closed_on is not None) is (report.status is R.CLOSED)
        instructed = done.get(OpinionAction.INSTRUCT, [])
        assert [(i.instructed_on, f"{i.leader}：{i.content}") for i in instructions] == [
            (e.changed_on, e.note) for e in instructed]
        assert not instructions or adoptions


def test_the_board_shows_every_stage_some_overdue_and_partly_replied_reports(engine):
    _load(engine, TREE)
    tree_reports = _reports_with_their_rows(engine)
    statuses = Counter(report.status for report, *_ in tree_reports)
    assert set(statuses) == set(OpinionStatus)
    open_reports = [report for report, *_ in tree_reports if report.status in OPEN]
    overdue = [r for r in open_reports if r.due_on is not None and r.due_on < TODAY]
    assert 0.03 * len(open_reports) <= len(overdue) <= 0.2 * len(open_reports)
    partly = [report for report, _, _, forwardings, _ in tree_reports
              if report.status is R.FORWARDED
              and any(f.replied_on is not None for f in forwardings)
              and any(f.replied_on is None for f in forwardings)]
    assert partly
    adopted = [report for report, *_ in tree_reports if report.adoption_level is not None]
    instructed = [report for report, *_, instructions in tree_reports if instructions]
    assert 0.03 * len(adopted) <= len(instructed) <= 0.2 * len(adopted)
    several = Counter(len(forwardings) for _, _, _, forwardings, _ in tree_reports)
    assert several[2] and several[3]
    assert any(len(adoptions) > 1 for _, _, adoptions, _, _ in tree_reports)


def test_each_report_is_due_by_its_stages_deadline(engine):
    _load(engine, TREE)
    for report, _, _, forwardings, _ in _reports_with_their_rows(engine):
        silent = [f.due_on for f in forwardings if f.replied_on is None]
        assert report.due_on == stage_due(report.status, report.stage_started_on,
                                          report.is_urgent, LIMITS, silent)
        assert (report.due_on is None) is (report.status in {R.RETURNED, R.FEEDBACK_GIVEN,
                                                             R.CLOSED})
        if report.status is R.REPLIED:
            assert report.stage_started_on == report.replied_on


def test_reports_are_filed_under_the_top_organisations_opinion_categories(engine):
    _load(engine, TREE)
    with read_session(engine) as session:
        entries = dict(session.execute(select(ListEntry.id, ListEntry.name).where(
            ListEntry.organisation_id == 1, ListEntry.kind == ListKind.OPINION_CATEGORY)).all())
        templates = dict(session.execute(select(ListEntry.name, ListEntry.text).where(
            ListEntry.kind == ListKind.OPINION_REPLY_TEMPLATE)).all())
        reports = session.execute(select(OpinionReport)).scalars().all()
    used = {entries[report.category_id] for report in reports}
    assert len(used) >= 10
    assert sorted(entries.values()) == sorted(vocab.OPINION_CATEGORIES.values())
    assert templates == vocab.OPINION_REPLY_TEMPLATES
    elevator = [r for r in reports if "加装电梯" in r.title]
    assert elevator and {entries[r.category_id] for r in elevator} == {"民生"}
    summaries = [r for r in reports if r.feedback_summary]
    assert all(f"《{r.title}》" in r.feedback_summary for r in summaries)


# --- problems and their follow-up ------------------------------------------------------

P = ProblemStatus
# The statuses each problem went through, by where it stands.
PROBLEM_PATHS = {
    P.PENDING: [P.PENDING], P.REFERRED: [P.PENDING, P.REFERRED],
    P.HANDLED: [P.PENDING, P.REFERRED, P.HANDLED],
    P.FED_BACK: [P.PENDING, P.REFERRED, P.HANDLED, P.FED_BACK],
    P.TO_REPORT: [P.PENDING, P.TO_REPORT], P.TO_TOPIC: [P.PENDING, P.TO_TOPIC],
    P.TO_PROPOSAL: [P.PENDING, P.TO_PROPOSAL],
    P.CLOSED: [P.PENDING, P.CLOSED],
}
REFERRED_AND_LATER = {P.REFERRED, P.HANDLED, P.FED_BACK}


def _problems_with_history(engine) -> list[tuple[CollectedProblem, list[ProblemStatusChange]]]:
    with read_session(engine) as session:
        problems = session.execute(select(CollectedProblem).order_by(CollectedProblem.id)
                                   ).scalars().all()
        changes = session.execute(select(ProblemStatusChange).order_by(
            ProblemStatusChange.problem_id, ProblemStatusChange.changed_at,
            ProblemStatusChange.id)).scalars().all()
    history = {problem_id: list(rows)
               for problem_id, rows in groupby(changes, key=lambda c: c.problem_id)}
    assert set(history) == {problem.id for problem in problems}
    return [(problem, history[problem.id]) for problem in problems]


def _categories(engine, kind: ListKind = ListKind.PROBLEM_CATEGORY) -> dict[int, ListEntry]:
    with read_session(engine) as session:
        return {e.id: e for e in session.execute(
            select(ListEntry).where(ListEntry.kind == kind)).scalars()}


def test_every_problem_has_the_history_of_its_status(engine):
    _load(engine, TREE)
    problems = _problems_with_history(engine)
    with read_session(engine) as session:
        reports = dict(session.execute(
            select(OpinionReport.id, OpinionReport.submitted_on)).all())
        topics = dict(session.execute(
            select(ConsultationTopic.id, ConsultationTopic.proposed_on)).all())
        proposals = dict(session.execute(select(Proposal.id, Proposal.submitted_on)).all())

    assert {problem.status for problem, _ in problems} == set(ProblemStatus)
    for problem, history in problems:
        assert [c.to_status for c in history] == PROBLEM_PATHS[problem.status]
        assert [c.from_status for c in history] == [None, *PROBLEM_PATHS[problem.status][:-1]]
        assert history[0].changed_at == problem.created_at
        assert history[-1].changed_at == problem.status_changed_at == problem.updated_at
        assert history[-1].changed_at.date() <= TODAY
        assert all(c.actor_user_id is None and c.actor_name == "demo" for c in history)
        reached = {c.to_status: c.changed_at.date() for c in history}
        closed = history[-1] if problem.status is P.CLOSED else None
        assert problem.close_reason == (closed.note if closed else None)
        assert (problem.close_reason is not None) is (closed is not None)
        assert problem.collected_on <= problem.created_at.date()
        if problem.status in REFERRED_AND_LATER:
            assert problem.department and problem.referred_on == reached[P.REFERRED]
            assert problem.referred_on >= problem.collected_on
            assert problem.due_on == problem.referred_on + timedelta(days=30)
        else:
            assert (problem.department, problem.referred_on, problem.due_on) == (None,) * 3
        assert problem.handled_on == reached.get(P.HANDLED)
        assert (problem.handling_note is not None) is (P.HANDLED in reached)
        assert problem.fed_back_on == reached.get(P.FED_BACK)
        report, topic, proposal = problem.opinion_report_id, problem.topic_id, problem.proposal_id
        assert (report is not None) is (problem.status is P.TO_REPORT)
        assert (topic is not None) is (problem.status is P.TO_TOPIC)
        assert (proposal is not None) is (problem.status is P.TO_PROPOSAL)
        for target, on in ((report, reports), (topic, topics), (proposal, proposals)):
            if target is not None:  # taken up on the report's or topic's day
                assert history[-1].changed_at.date() == max(on[target],
                                                            problem.created_at.date())


def test_missing_statuses_go_to_problems_of_a_plausible_age_no_report_took_up():
    statuses = [P.FED_BACK] * 10 + [P.TO_REPORT]
    cover_problem_statuses(statuses, days=list(range(11)))  # the last ones the youngest

    # open states on the youngest, the others on the oldest; the report's stays
    assert statuses == [P.HANDLED, P.TO_TOPIC, P.TO_PROPOSAL, P.CLOSED, *[P.FED_BACK] * 4,
                        P.REFERRED,
                        P.PENDING, P.TO_REPORT]


def test_problems_are_filed_under_the_top_organisations_categories(engine):
    _load(engine, TREE)
    categories = _categories(engine)
    problems = [problem for problem, _ in _problems_with_history(engine)]
    used = {categories[problem.category_id].name for problem in problems}

    assert all(categories[p.category_id].organisation_id == 1 for p in problems)
    assert used == {vocab.problem_category(issue) for issue in vocab.ISSUES}
    assert len(used) >= 10
    assert set(vocab.PROBLEM_CATEGORIES_BY_TOPIC) <= {issue.topic for issue in vocab.ISSUES}
    elevator = [p for p in problems if "加装电梯" in p.content]
    assert elevator and {categories[p.category_id].name for p in elevator} == {"城乡建设"}


def test_the_demo_keeps_the_stores_categories_and_adds_what_it_lacks(engine):
    opinion = ListKind.OPINION_CATEGORY
    with write_session(engine) as session:
        session.execute(text("DELETE FROM listentry"))
        for kind in (ListKind.PROBLEM_CATEGORY, opinion):
            session.add_all([ListEntry(organisation_id=1, kind=kind, name="教育"),
                             ListEntry(organisation_id=1, kind=kind, name="本地类别", position=1)])
        session.add(ListEntry(organisation_id=1, kind=ListKind.OPINION_REPLY_TEMPLATE,
                              name="本地模板", text="《{title}》已收悉。"))
    kept = {e.name: e.id for e in _categories(engine).values()}
    kept_opinion = {e.name: e.id for e in _categories(engine, opinion).values()}
    summary = _load(engine)

    categories = _categories(engine)
    names = {vocab.problem_category(issue) for issue in vocab.ISSUES}
    assert {e.name for e in categories.values()} == names | {"本地类别"}
    assert all(categories[i].name == name for name, i in kept.items())
    used = {problem.category_id for problem, _ in _problems_with_history(engine)}
    assert kept["教育"] in used and kept["本地类别"] not in used
    # the same for the opinion categories; the store's reply template stays beside the demo's
    opinion_names = set(vocab.OPINION_CATEGORIES.values())
    assert ({e.name for e in _categories(engine, opinion).values()}
            == opinion_names | {"本地类别"})
    with read_session(engine) as session:
        used = set(session.execute(select(OpinionReport.category_id)).scalars())
    assert kept_opinion["教育"] in used and kept_opinion["本地类别"] not in used
    templates = {e.name for e in _categories(engine, ListKind.OPINION_REPLY_TEMPLATE).values()}
    assert templates == set(vocab.OPINION_REPLY_TEMPLATES) | {"本地模板"}
    assert summary.rows["listentry"] == (len(names) - 1 + len(opinion_names) - 1
                                         + len(vocab.OPINION_REPLY_TEMPLATES)
                                         + len(vocab.DEPARTMENTS)
                                         + len(DEFAULT_ACTIVITY_TYPES))
    # the activity types the store lacked are added, and the activities use them
    types = _categories(engine, ListKind.ACTIVITY_TYPE)
    assert {e.name for e in types.values()} == set(DEFAULT_ACTIVITY_TYPES.values())
    with read_session(engine) as session:
        used = set(session.execute(select(WorkstationActivity.activity_type_id)).scalars())
    assert used and used <= set(types)


@pytest.mark.parametrize("size", [TREE, PROVINCE], ids=["city", "province"])
def test_problems_and_reports_go_to_departments_of_their_organisations_list(engine, size):
    department = ListKind.DEPARTMENT
    top = "省" if size.level is OrgLevel.PROVINCE else "市"
    seeded = {e.id: e.name for e in _categories(engine, department).values()}
    with write_session(engine) as session:  # a name the demo uses, deactivated before
        brought_back = ListEntry(organisation_id=1, kind=department, name=f"{top}教育局",
                                 position=len(seeded), is_active=False)
        session.add(brought_back)
    _load(engine, size)

    with read_session(engine) as session:
        offered = {org.id: set(entry_names(session=session, organisation_id=org.id,
                                           kind=department).values())
                   for org in session.execute(select(Organisation)).scalars()}
        used = set(session.execute(select(CollectedProblem.organisation_id,
                                          CollectedProblem.department)
                                   .where(CollectedProblem.department.is_not(None))).all())
        used |= set(session.execute(
            select(OpinionReport.organisation_id, OpinionForwarding.department)
            .join(OpinionReport, OpinionReport.id == OpinionForwarding.report_id)).all())
    entries = _categories(engine, department)

    assert {org for org, _ in used} == set(offered)  # every organisation forwards some
    assert all(name in offered[org] for org, name in used), sorted(
        (org, name) for org, name in used if name not in offered[org])
    # the store's entries stay (the seeded bare names active); the demo adds the rest
    assert {i: entries[i].name for i in seeded} == seeded
    assert all(entries[i].is_active for i in seeded)
    assert entries[brought_back.id].is_active and entries[brought_back.id].name == f"{top}教育局"
    assert offered[1] == set(seeded.values()) | {top + name[1:] for name in vocab.DEPARTMENTS}
    with read_session(engine) as session:
        above = {org: ancestors(session, org)[1:] for org in offered}
    for org, names in offered.items():  # a lower level adds what it lacks, once
        own = {e.name for e in entries.values() if e.organisation_id == org}
        inherited = {e.name for e in entries.values()
                     if e.is_active and e.organisation_id in above[org]}
        assert names == own | inherited and not own & inherited
        if org != 1:  # (a county-level city has its city's names from above)
            assert all(e.is_active for e in entries.values() if e.organisation_id == org)


def test_recent_visits_await_acknowledgement_and_some_were_at_the_base_unit(engine):
    _load(engine)
    with read_session(engine) as session:
        visits = session.execute(select(Visit)).scalars().all()
    awaiting = [v for v in visits if v.acknowledged_at is None]
    recent = [v for v in visits if (TODAY - v.visit_date).days < 30]
    assert 1 <= len(awaiting) <= max(1, 0.05 * len(recent))
    assert all(v in recent for v in awaiting)
    assert all(v.acknowledged_at == v.created_at for v in visits if v not in awaiting)
    assert all(v.acknowledged_by_user_id is None and v.idempotency_key is None
               for v in visits)
    face_to_face = [v for v in visits if v.channel is Channel.FACE_TO_FACE]
    at_base = [v for v in visits if v.at_base_unit]
    assert all(v.channel is Channel.FACE_TO_FACE for v in at_base)
    assert 0.05 * len(face_to_face) <= len(at_base) <= 0.3 * len(face_to_face)


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
        organisation = Organisation(name="新的区政协", level=OrgLevel.DISTRICT, parent_id=1)
        session.add(organisation)
        sector = Sector(organisation_id=1, name="新的界别")
        session.add(sector)
        session.flush()
        assert sector.id == 32 and organisation.id == 2
        session.add(Workstation(organisation_id=1, name="新工作站", kind="station",
                                committee_id=1))
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


def test_stations_have_stints_and_activities_carry_their_members_day(engine):
    _load(engine)
    with read_session(engine) as session:
        stints = session.execute(select(WorkstationMember)).scalars().all()
        wrong_day = session.execute(text(
            "SELECT count(*) FROM workstationactivitymember x JOIN workstationactivity a "
            "ON a.id = x.activity_id WHERE a.activity_date <> x.activity_date")).scalar()
        wrong_count = session.execute(text(
            "SELECT count(*) FROM workstationactivity a WHERE a.members_present <> (SELECT "
            "count(*) FROM workstationactivitymember x WHERE x.activity_id = a.id)")).scalar()
    assert stints and all(s.from_on <= TODAY and (s.to_on is None or s.to_on >= s.from_on)
                          for s in stints)
    assert wrong_day == 0 and wrong_count == 0


def test_topics_have_a_timeline_up_to_their_stage(engine):
    _load(engine, TREE)
    with read_session(engine) as session:
        topics = session.execute(select(ConsultationTopic)).scalars().all()
        events = session.execute(select(TopicEvent).order_by(TopicEvent.topic_id,
                                                             TopicEvent.happened_on,
                                                             TopicEvent.id)).scalars().all()
    timeline = {topic_id: list(rows) for topic_id, rows in groupby(events, lambda e: e.topic_id)}
    stages = list(TopicStage)
    assert {topic.stage for topic in topics} == set(TopicStage)
    for topic in topics:
        reached = [event.to_stage for event in timeline[topic.id]]
        assert reached == stages[:stages.index(topic.stage) + 1]
        assert timeline[topic.id][-1].happened_on == topic.stage_on <= TODAY
        assert (topic.carried_out is not None) is (topic.stage is TopicStage.DONE)
        supervision = topic.kind is TopicKind.SUPERVISION
        assert (topic.supervision_month is not None) is supervision


# --- organisations ---------------------------------------------------------------------

# Rows whose organisation differs from the organisation of what they belong to.
MISMATCHES = {
    "member/sector": "SELECT count(*) FROM member m JOIN sector s ON s.id = m.sector_id "
                     "WHERE s.organisation_id <> m.organisation_id",
    "member/committee": "SELECT count(*) FROM member m JOIN committee c "
                        "ON c.id = m.committee_id WHERE c.organisation_id <> m.organisation_id",
    "member/term": "SELECT count(*) FROM member m JOIN term t ON t.id = m.term_id "
                   "WHERE t.organisation_id <> m.organisation_id",
    "assignment/member": "SELECT count(*) FROM memberassignment a JOIN member m "
                         "ON m.id = a.member_id WHERE m.organisation_id <> a.organisation_id",
    "assignment/sector": "SELECT count(*) FROM memberassignment a JOIN sector s "
                         "ON s.id = a.sector_id WHERE s.organisation_id <> a.organisation_id",
    "assignment/committee": "SELECT count(*) FROM memberassignment a JOIN committee c "
                            "ON c.id = a.committee_id "
                            "WHERE c.organisation_id <> a.organisation_id",
    "assignment/term": "SELECT count(*) FROM memberassignment a JOIN term t "
                       "ON t.id = a.term_id WHERE t.organisation_id <> a.organisation_id",
    "workstation/committee": "SELECT count(*) FROM workstation w JOIN committee c "
                             "ON c.id = w.committee_id "
                             "WHERE c.organisation_id <> w.organisation_id",
    "workstation/sector": "SELECT count(*) FROM workstation w JOIN sector s "
                          "ON s.id = w.sector_id WHERE s.organisation_id <> w.organisation_id",
    "workstation/member": "SELECT count(*) FROM workstationmember x "
                          "JOIN workstation w ON w.id = x.workstation_id "
                          "JOIN member m ON m.id = x.member_id "
                          "WHERE m.organisation_id <> w.organisation_id",
    "campaign/sector": "SELECT count(*) FROM campaignsector x "
                       "JOIN mustvisitcampaign c ON c.id = x.campaign_id "
                       "JOIN sector s ON s.id = x.sector_id "
                       "WHERE s.organisation_id <> c.organisation_id",
    "visit/member": "SELECT count(*) FROM visitmember x JOIN visit v ON v.id = x.visit_id "
                    "JOIN member m ON m.id = x.member_id "
                    "WHERE m.organisation_id <> v.organisation_id",
    "visit/campaign": "SELECT count(*) FROM visit v JOIN mustvisitcampaign c "
                      "ON c.id = v.campaign_id WHERE c.organisation_id <> v.organisation_id",
    "visit/workstation": "SELECT count(*) FROM visit v JOIN workstation w "
                         "ON w.id = v.workstation_id "
                         "WHERE w.organisation_id <> v.organisation_id",
    "visit/contact": "SELECT count(*) FROM visitcontact x JOIN visit v ON v.id = x.visit_id "
                     "JOIN contactperson p ON p.id = x.contact_person_id "
                     "JOIN member m ON m.id = p.member_id "
                     "WHERE m.organisation_id <> v.organisation_id",
    "problem/committee": "SELECT count(*) FROM collectedproblem p JOIN committee c "
                         "ON c.id = p.committee_id "
                         "WHERE c.organisation_id <> p.organisation_id",
    "problem/visit": "SELECT count(*) FROM collectedproblem p JOIN visit v "
                     "ON v.id = p.visit_id WHERE v.organisation_id <> p.organisation_id",
    "problem/activity": "SELECT count(*) FROM collectedproblem p "
                        "JOIN workstationactivity a ON a.id = p.activity_id "
                        "JOIN workstation w ON w.id = a.workstation_id "
                        "WHERE w.organisation_id <> p.organisation_id",
    "problem/report": "SELECT count(*) FROM collectedproblem p JOIN opinionreport r "
                      "ON r.id = p.opinion_report_id "
                      "WHERE r.organisation_id <> p.organisation_id",
    "problem/topic": "SELECT count(*) FROM collectedproblem p JOIN consultationtopic t "
                     "ON t.id = p.topic_id WHERE t.organisation_id <> p.organisation_id",
    "activity/member": "SELECT count(*) FROM workstationactivitymember x "
                       "JOIN workstationactivity a ON a.id = x.activity_id "
                       "JOIN workstation w ON w.id = a.workstation_id "
                       "JOIN member m ON m.id = x.member_id "
                       "WHERE m.organisation_id <> w.organisation_id",
    "report/committee": "SELECT count(*) FROM opinionreport r JOIN committee c "
                        "ON c.id = r.committee_id WHERE c.organisation_id <> r.organisation_id",
    "report/member": "SELECT count(*) FROM opinionreportmember x "
                     "JOIN opinionreport r ON r.id = x.report_id "
                     "JOIN member m ON m.id = x.member_id "
                     "WHERE m.organisation_id <> r.organisation_id",
    "report/visit": "SELECT count(*) FROM opinionreport r JOIN visit v "
                    "ON v.id = r.source_visit_id WHERE v.organisation_id <> r.organisation_id",
    "topic/committee": "SELECT count(*) FROM consultationtopic t JOIN committee c "
                       "ON c.id = t.committee_id WHERE c.organisation_id <> t.organisation_id",
    "topic/workstation": "SELECT count(*) FROM consultationtopic t JOIN workstation w "
                         "ON w.id = t.workstation_id "
                         "WHERE w.organisation_id <> t.organisation_id",
    "proposal/term": "SELECT count(*) FROM proposal p JOIN term t ON t.id = p.term_id "
                     "WHERE t.organisation_id <> p.organisation_id",
    "proposal/member": "SELECT count(*) FROM proposalmember x "
                       "JOIN proposal p ON p.id = x.proposal_id "
                       "JOIN member m ON m.id = x.member_id "
                       "WHERE m.organisation_id <> p.organisation_id",
}
OWNED_TABLES = ("term", "sector", "committee", "member", "memberassignment", "workstation",
                "visit", "collectedproblem", "opinionreport", "consultationtopic", "proposal",
                "mustvisitcampaign")


def _organisations(engine) -> dict[int, Organisation]:
    with read_session(engine) as session:
        return {o.id: o for o in session.execute(select(Organisation)).scalars()}


def _members_by_organisation(engine) -> dict[int, int]:
    with read_session(engine) as session:
        return dict(session.execute(
            select(Member.organisation_id, func.count()).group_by(Member.organisation_id)
        ).all())


def _assert_rows_belong_to_known_organisations(engine) -> None:
    known = set(_organisations(engine))
    with read_session(engine) as session:
        for table in OWNED_TABLES:
            used = set(session.execute(
                text(f"SELECT DISTINCT organisation_id FROM {table}")).scalars())
            assert used and used <= known, table
        for name, statement in MISMATCHES.items():
            assert session.execute(text(statement)).scalar_one() == 0, name


def test_the_small_size_is_one_organisation(engine):
    _load(engine)

    organisations = _organisations(engine)
    assert list(organisations) == [1]
    top = organisations[1]
    assert top.name.endswith("市政协") and top.level is OrgLevel.CITY
    assert top.parent_id is None
    assert _members_by_organisation(engine) == {1: SMALL.members}
    _assert_rows_belong_to_known_organisations(engine)


def test_a_city_with_its_districts_and_counties(engine):
    summary = _load(engine, TREE)

    organisations = _organisations(engine)
    assert len(organisations) == 1 + TREE.children
    top = organisations[1]
    assert top.level is OrgLevel.CITY and top.parent_id is None
    children = [o for o in organisations.values() if o.id != 1]
    assert all(o.parent_id == 1 for o in children)
    assert {o.level for o in children} <= {OrgLevel.DISTRICT, OrgLevel.COUNTY}
    assert sorted(o.sort_order for o in children) == list(range(1, TREE.children + 1))
    members = _members_by_organisation(engine)
    assert members[1] == TREE.members
    assert sum(members.values()) == TREE.total_members == summary.rows["member"]
    assert all(0.7 * TREE.child_members - 1 <= members[o.id] <= 1.3 * TREE.child_members + 1
               for o in children)
    _assert_rows_belong_to_known_organisations(engine)
    with read_session(engine) as session:
        stations = dict(session.execute(
            select(Workstation.organisation_id, func.count())
            .group_by(Workstation.organisation_id)).all())
        sectors = dict(session.execute(
            select(Sector.organisation_id, func.count()).group_by(Sector.organisation_id)).all())
        committees = dict(session.execute(
            select(Committee.organisation_id, func.count())
            .group_by(Committee.organisation_id)).all())
        liaison = dict(session.execute(
            select(Committee.organisation_id, func.count()).where(Committee.is_liaison)
            .group_by(Committee.organisation_id)).all())
    assert stations[1] == TREE.workstations and set(stations) == set(organisations)
    assert sectors[1] == 31 and all(19 <= sectors[o.id] < 31 for o in children)
    assert committees[1] == 10 and all(5 <= committees[o.id] <= 7 for o in children)
    assert liaison == dict.fromkeys(organisations, 1)

    with write_session(engine) as session:  # the organisations' sequence moved on
        added = Organisation(name="新的区政协", level=OrgLevel.DISTRICT, parent_id=1)
        session.add(added)
        session.flush()
        assert added.id == len(organisations) + 1


def test_a_province_with_its_cities_and_counties(engine):
    _load(engine, PROVINCE)

    organisations = _organisations(engine)
    assert len(organisations) == PROVINCE.organisations == 7
    top = organisations[1]
    assert top.level is OrgLevel.PROVINCE and top.name.endswith("省政协")
    cities = [o for o in organisations.values() if o.parent_id == 1]
    assert len(cities) == 2 and all(o.level is OrgLevel.CITY for o in cities)
    counties = [o for o in organisations.values() if o.id != 1 and o.parent_id != 1]
    assert {o.parent_id for o in counties} == {o.id for o in cities}
    assert {o.level for o in counties} <= {OrgLevel.DISTRICT, OrgLevel.COUNTY}
    assert sum(_members_by_organisation(engine).values()) == PROVINCE.total_members
    _assert_rows_belong_to_known_organisations(engine)


def test_the_city_size_has_about_500_city_members_and_its_districts(engine):
    _load(engine, PRESETS["city"])

    organisations = _organisations(engine)
    assert 4 <= len(organisations) <= 5
    members = _members_by_organisation(engine)
    assert 450 <= members[1] <= 550
    assert all(80 <= members[o] <= 150 for o in organisations if o != 1)


def test_names_are_unique_within_each_organisation(engine):
    _load(engine, TREE)
    with read_session(engine) as session:
        for model in (Sector, Committee):
            names = session.execute(select(model.organisation_id, model.name)).all()
            assert len(names) == len(set(names)), model.__name__
            assert len({name for _, name in names}) < len(names)  # repeated across them
        terms = session.execute(select(Term.organisation_id, Term.number, Term.is_current)
                                .order_by(Term.organisation_id, Term.number)).all()
        numbers = session.execute(select(Proposal.organisation_id, Proposal.number)).all()
        organisations = session.execute(select(Organisation.name)).scalars().all()
    assert len(numbers) == len(set(numbers))
    assert len(organisations) == len(set(organisations))
    for _, rows in groupby(terms, key=lambda row: row.organisation_id):
        (_, previous, was_current), (_, current, is_current) = rows
        assert current == previous + 1 and is_current and not was_current


def test_assignments_cover_each_members_time_in_office(engine):
    _load(engine, TREE)
    with read_session(engine) as session:
        members = {m.id: m for m in session.execute(select(Member)).scalars()}
        assignments = session.execute(
            select(MemberAssignment)
            .order_by(MemberAssignment.member_id, MemberAssignment.starts_on)).scalars().all()
        current_terms = set(session.execute(select(Term.id).where(Term.is_current)).scalars())
    by_member = {member_id: list(rows)
                 for member_id, rows in groupby(assignments, key=lambda a: a.member_id)}
    assert set(by_member) == set(members)
    moved = reappointed = 0
    for member_id, history in by_member.items():
        member = members[member_id]
        assert history[0].starts_on == member.in_office_from
        assert history[-1].ends_on == member.in_office_to
        for earlier, later in pairwise(history):  # no overlap, no gap
            assert earlier.ends_on is not None
            assert earlier.ends_on + timedelta(days=1) == later.starts_on
        assert all(a.ends_on is None or a.ends_on >= a.starts_on for a in history)
        latest = history[-1]
        assert ((latest.organisation_id, latest.term_id, latest.sector_id, latest.committee_id)
                == (member.organisation_id, member.term_id, member.sector_id,
                    member.committee_id))
        assert member.term_id in current_terms
        assert all(a.organisation_id == member.organisation_id for a in history)
        if len(history) > 1:
            if history[0].term_id != latest.term_id:
                reappointed += 1
            if any(a.term_id == latest.term_id and (a.committee_id, a.sector_id)
                   != (latest.committee_id, latest.sector_id) for a in history[:-1]):
                moved += 1
    assert 0 < moved < 0.15 * len(members)
    assert 0 < reappointed < 0.25 * len(members)


def test_members_carry_their_name_key_and_post(engine):
    _load(engine, TREE)
    with read_session(engine) as session:
        rows = session.execute(select(Member.name, Member.name_key, Member.employer,
                                      Member.post)).all()
    assert all(key == sort_key(name) and key for name, key, _, _ in rows)
    assert all(employer and post and not employer.endswith(post)
               for _, _, employer, post in rows)


@pytest.mark.parametrize("size", [SMALL, TREE], ids=["small", "tree"])
def test_leaves_are_approved_pending_or_refused(engine, size):
    _load(engine, size)
    with read_session(engine) as session:
        leaves = session.execute(select(MemberLeave)).scalars().all()
        offices = dict(session.execute(select(Member.id, Member.in_office_to)).all())
    assert {leave.status for leave in leaves} == set(LeaveStatus)
    for leave in leaves:
        decided = leave.status is not LeaveStatus.PENDING
        assert (leave.decided_at is not None) is decided
        assert (leave.decision_note is not None) is decided
        assert leave.decided_by_user_id is None and leave.requested_by_user_id is None
        assert leave.ends_on >= leave.starts_on and leave.version == 1
        assert leave.created_at <= leave.updated_at
        if decided:
            assert leave.decided_at.date() <= leave.starts_on
            assert leave.created_at <= leave.decided_at
        else:  # asked for lately, by a member still in office
            assert (TODAY - leave.created_at.date()).days <= 10
            assert offices[leave.member_id] is None


def test_contact_persons_relate_and_some_are_no_longer_kept(engine):
    _load(engine, TREE)
    with read_session(engine) as session:
        contacts = session.execute(
            select(ContactPerson, Member.in_office_from)
            .join(Member, Member.id == ContactPerson.member_id)).all()
        reached = session.execute(text(
            "SELECT p.is_active, p.starts_on, v.visit_date FROM visitcontact x "
            "JOIN contactperson p ON p.id = x.contact_person_id "
            "JOIN visit v ON v.id = x.visit_id")).all()
    assert all(c.sector_relation and c.starts_on >= since for c, since in contacts)
    inactive = [c for c, _ in contacts if not c.is_active]
    assert 0 < len(inactive) < 0.15 * len(contacts)
    assert all(c.ends_on is not None and c.starts_on < c.ends_on <= TODAY for c in inactive)
    assert all(c.ends_on is None for c, _ in contacts if c.is_active)
    assert reached and all(active and str(starts) <= str(day) for active, starts, day in reached)


def test_a_store_with_several_organisations_is_not_empty(engine):
    with write_session(engine) as session:
        session.add_all([Organisation(name="甲市政协", level=OrgLevel.CITY),
                         Organisation(name="乙区政协", level=OrgLevel.DISTRICT)])
    with pytest.raises(StoreNotEmpty):
        _load(engine)
    assert _count(engine, Member) == 0


def test_a_store_without_an_organisation_gets_one(engine):
    with write_session(engine) as session:
        session.execute(text("DELETE FROM listentry"))
        session.execute(text("DELETE FROM organisation"))
    _load(engine, TREE)

    organisations = _organisations(engine)
    assert min(organisations) == 1 and organisations[1].parent_id is None
    _assert_rows_belong_to_known_organisations(engine)
    categories = _categories(engine)  # the demo made the categories it files problems under
    assert {e.organisation_id for e in categories.values()} == {1}
    assert all(problem.category_id in categories
               for problem, _ in _problems_with_history(engine))
    with read_session(engine) as session:  # and the opinion categories and reply templates
        opinion = dict(session.execute(select(ListEntry.id, ListEntry.name).where(
            ListEntry.organisation_id == 1, ListEntry.kind == ListKind.OPINION_CATEGORY)).all())
        templates = session.execute(select(ListEntry).where(
            ListEntry.kind == ListKind.OPINION_REPLY_TEMPLATE)).scalars().all()
        used = set(session.execute(select(OpinionReport.category_id)).scalars())
    assert sorted(opinion.values()) == sorted(vocab.OPINION_CATEGORIES.values())
    assert used <= set(opinion)
    assert {t.name for t in templates} == set(vocab.OPINION_REPLY_TEMPLATES)
    assert all(t.organisation_id == 1 and "{title}" in t.text for t in templates)
