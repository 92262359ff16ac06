"""Opinion reports (services.opinion): who submits, every field's error at once, a form
saved once; each action of the loop and its fields, who may take it, the stages'
deadlines and their settings, bulk steps all or none, reply templates and hostile text."""

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from core.db import read_session, write_session
from models import (
    AdoptionLevel,
    AppSetting,
    AuditAction,
    AuditEntry,
    CollectedProblem,
    Committee,
    InstructionLevel,
    LeaderInstruction,
    ListEntry,
    ListKind,
    Member,
    MemberAssignment,
    OpinionAction,
    OpinionAdoption,
    OpinionEvent,
    OpinionForwarding,
    OpinionReport,
    OpinionReportMember,
    OpinionStatus,
    Organisation,
    ProblemStatus,
    ProblemStatusChange,
    Role,
    Sector,
    Term,
)
from models.enums import OrgLevel
from services import opinion, opinion_entry, problems
from services.actors import Actor
from services.errors import PermissionDenied, StaleRecord, ValidationFailed
from services.opinion import (
    TRANSITIONS,
    BulkRefused,
    Deadlines,
    ReportDraft,
    Step,
    TransitionRefused,
    days_overdue,
    stage_due,
)
from services.opinion_board import report_detail
from services.problems import ProblemItem, StatusChange
from tests.helpers import factories

TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
SUBMITTED_ON = date(2026, 11, 2)
S, A = OpinionStatus, OpinionAction
actor = factories.actor


@dataclass(frozen=True)
class World:
    education_id: int  # 教科卫体委员会: 刘洋 and 王芳
    economy_id: int  # 经济委员会: 赵强
    liu_id: int
    wang_id: int
    zhao_id: int
    category_id: int  # an opinion category
    other_category_id: int  # another opinion category
    problem_category_id: int  # a category of problems, not of reports
    template_id: int  # a feedback template
    staff: Actor  # staff of 教科卫体委员会
    other_staff: Actor  # staff of 经济委员会
    leader: Actor
    admin: Actor
    outside_admin: Actor  # an administrator of another organisation
    liu: Actor  # the member 刘洋
    wang: Actor  # the member 王芳
    zhao: Actor  # the member 赵强


@pytest.fixture
def world(engine) -> World:
    with write_session(engine) as session:
        org = factories.organisation(session)
        economy = Committee(organisation_id=factories.TOP, name="经济委员会")
        category = ListEntry(organisation_id=factories.TOP, kind=ListKind.OPINION_CATEGORY,
                             name="民生（测试）")
        other = ListEntry(organisation_id=factories.TOP, kind=ListKind.OPINION_CATEGORY,
                          name="教育（测试）")
        problem_category = ListEntry(organisation_id=factories.TOP,
                                     kind=ListKind.PROBLEM_CATEGORY, name="道路交通（测试）")
        template = ListEntry(organisation_id=factories.TOP,
                             kind=ListKind.OPINION_REPLY_TEMPLATE, name="转办反馈（测试）",
                             text="您的《{title}》已转{department}办理。{其他}")
        session.add_all([economy, category, other, problem_category, template])
        session.flush()
        liu = factories.member(session, org, name="刘洋")
        wang = factories.member(session, org, name="王芳")
        zhao = factories.member(session, (org[0], economy, org[2]), name="赵强")
        return World(
            education_id=org[1].id, economy_id=economy.id, liu_id=liu.id, wang_id=wang.id,
            zhao_id=zhao.id, category_id=category.id, other_category_id=other.id,
            problem_category_id=problem_category.id, template_id=template.id,
            staff=actor(session, "clerk", Role.STAFF, committees=[org[1].id]),
            other_staff=actor(session, "economist", Role.STAFF, committees=[economy.id]),
            leader=actor(session, "chair", Role.LEADER),
            admin=actor(session, "admin", Role.ADMIN),
            outside_admin=actor(session, "county", Role.ADMIN, organisations={99}),
            liu=actor(session, "liuyang", Role.MEMBER, member_id=liu.id),
            wang=actor(session, "wangfang", Role.MEMBER, member_id=wang.id),
            zhao=actor(session, "zhaoqiang", Role.MEMBER, member_id=zhao.id),
        )


# --- helpers ------------------------------------------------------------------------------


def draft(world: World, **fields) -> ReportDraft:
    values = {"title": "关于校园周边交通拥堵的建议", "body": "上下学时段校门口拥堵严重。",
              "category_id": world.category_id, "lead_member_id": world.liu_id,
              "submitted_on": SUBMITTED_ON}
    return ReportDraft(**(values | fields))


def submit(engine, world: World, who: Actor | None = None, *, key: str | None = None,
           **fields) -> OpinionReport:
    with write_session(engine) as session:
        return opinion.submit_report(session=session, actor=who or world.admin,
                                     draft=draft(world, **fields),
                                     idempotency_key=key or uuid.uuid4().hex, today=TODAY,
                                     now=NOW)


def submit_errors(engine, world: World, who: Actor | None = None, **fields) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        submit(engine, world, who, **fields)
    return caught.value.field_errors


def act(engine, who: Actor, report_id: int, action: OpinionAction, *,
        version: int | None = None, **fields) -> OpinionReport:
    with write_session(engine) as session:
        if version is None:
            version = session.get(OpinionReport, report_id).version
        return opinion.take_step(session=session, actor=who, report_id=report_id,
                                 expected_version=version, step=Step(action, **fields),
                                 today=TODAY, now=NOW)


def refusal(engine, who: Actor, report_id: int, action: OpinionAction, **fields) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        act(engine, who, report_id, action, **fields)
    return caught.value.field_errors


def stored(engine, report_id: int) -> OpinionReport:
    with read_session(engine) as session:
        return session.get(OpinionReport, report_id)


def events(engine, report_id: int) -> list[OpinionEvent]:
    with read_session(engine) as session:
        return list(session.exec(select(OpinionEvent).where(OpinionEvent.report_id == report_id)
                                 .order_by(OpinionEvent.id)).all())


def forwardings(engine, report_id: int) -> list[OpinionForwarding]:
    with read_session(engine) as session:
        return list(session.exec(select(OpinionForwarding)
                                 .where(OpinionForwarding.report_id == report_id)
                                 .order_by(OpinionForwarding.id)).all())


def valid_fields(engine, report_id: int, action: OpinionAction) -> dict:
    """The fields that make ``action`` right for the report as it stands (dated today)."""
    with read_session(engine) as session:
        levels = set(session.exec(select(OpinionAdoption.level)
                                  .where(OpinionAdoption.report_id == report_id)).all())
    sent = forwardings(engine, report_id)
    match action:
        case A.ADOPT:
            return {"level": next((lvl for lvl in AdoptionLevel if lvl not in levels), None)}
        case A.FORWARD:
            return {"departments": (f"部门{len(sent) + 1}",)}
        case A.REPLY:
            return {"forwarding_id": next((f.id for f in sent if f.replied_on is None), None),
                    "reply": "已办理。"}
        case A.RETURN | A.REJECT | A.GIVE_FEEDBACK:
            return {"note": "说明"}
        case A.INSTRUCT:
            return {"leader": "张市长", "instruction_level": InstructionLevel.CITY}
    return {}


# The day each step of the usual path is taken.
ON = {A.START_REVIEW: date(2026, 11, 3), A.RETURN: date(2026, 11, 4),
      A.REJECT: date(2026, 11, 4), A.ADOPT: date(2026, 11, 5), A.FORWARD: date(2026, 11, 6),
      A.REPLY: date(2026, 11, 10), A.GIVE_FEEDBACK: date(2026, 11, 12),
      A.CLOSE: date(2026, 11, 13)}
PATHS = {
    S.SUBMITTED: (),
    S.UNDER_REVIEW: (A.START_REVIEW,),
    S.RETURNED: (A.START_REVIEW, A.RETURN),
    S.ADOPTED: (A.START_REVIEW, A.ADOPT),
    S.NOT_ADOPTED: (A.START_REVIEW, A.REJECT),
    S.FORWARDED: (A.START_REVIEW, A.ADOPT, A.FORWARD),
    S.REPLIED: (A.START_REVIEW, A.ADOPT, A.FORWARD, A.REPLY),
    S.FEEDBACK_GIVEN: (A.START_REVIEW, A.ADOPT, A.FORWARD, A.REPLY, A.GIVE_FEEDBACK),
    S.CLOSED: (A.START_REVIEW, A.ADOPT, A.FORWARD, A.REPLY, A.GIVE_FEEDBACK, A.CLOSE),
}


def reach(engine, world: World, status: OpinionStatus, **fields) -> OpinionReport:
    """A report submitted and taken along the usual path to ``status`` by the admin."""
    report = submit(engine, world, **fields)
    for action in PATHS[status]:
        report = act(engine, world.admin, report.id, action, on=ON[action],
                     **valid_fields(engine, report.id, action))
    assert report.status is status
    return report


# --- submission -------------------------------------------------------------------------


def test_a_member_submits_their_own_report_as_lead(engine, world):
    report = submit(engine, world, world.liu, co_signer_ids=(world.wang_id,))
    assert (report.status, report.organisation_id, report.committee_id, report.category_id,
            report.submitted_on, report.stage_started_on, report.due_on, report.version,
            report.is_urgent) == (
        S.SUBMITTED, factories.TOP, world.education_id, world.category_id, SUBMITTED_ON,
        SUBMITTED_ON, SUBMITTED_ON + timedelta(days=7), 1, False)
    with read_session(engine) as session:
        signers = session.exec(select(OpinionReportMember.member_id, OpinionReportMember.is_lead,
                                      OpinionReportMember.submitted_on)
                               .where(OpinionReportMember.report_id == report.id)).all()
        audit = session.exec(select(AuditEntry).where(AuditEntry.entity == "OpinionReport")).one()
    assert sorted(signers) == sorted([(world.liu_id, True, SUBMITTED_ON),
                                      (world.wang_id, False, SUBMITTED_ON)])
    (event,) = events(engine, report.id)
    assert (event.action, event.from_status, event.to_status, event.changed_on,
            event.actor_user_id, event.actor_name) == (
        A.SUBMIT, None, S.SUBMITTED, SUBMITTED_ON, world.liu.user_id, "liuyang")
    assert (audit.action, audit.entity_id, json.loads(audit.after)["members"]) == (
        AuditAction.CREATE, report.id, [world.liu_id, world.wang_id])


@pytest.mark.parametrize(("who", "lead", "allowed"), [
    ("liu", "liu", True),  # a member submits their own
    ("liu", "wang", False),  # … not another member's
    ("staff", "liu", True),  # staff for the members of their committees
    ("staff", "zhao", False),  # … not of another committee
    ("other_staff", "zhao", True),
    ("admin", "zhao", True),  # an administrator for any member of the organisation
    ("outside_admin", "liu", False),  # … not of another organisation
    ("leader", "liu", False),  # leaders read
])
def test_who_may_submit_a_report_for_which_member(engine, world, who, lead, allowed):
    fields = {"lead_member_id": getattr(world, f"{lead}_id")}
    if allowed:
        report = submit(engine, world, getattr(world, who), **fields)
        assert report.status is S.SUBMITTED
        return
    with pytest.raises(PermissionDenied):
        submit(engine, world, getattr(world, who), **fields)
    with read_session(engine) as session:
        assert session.exec(select(OpinionReport)).all() == []


def test_co_signers_are_deduplicated_and_the_lead_removed_from_them(engine, world):
    report = submit(engine, world, co_signer_ids=(world.wang_id, world.liu_id, world.wang_id))
    with read_session(engine) as session:
        signers = session.exec(select(OpinionReportMember.member_id, OpinionReportMember.is_lead)
                               .where(OpinionReportMember.report_id == report.id)).all()
        assert opinion.signer_ids(session, report.id) == [world.liu_id, world.wang_id]
    assert sorted(signers) == sorted([(world.liu_id, True), (world.wang_id, False)])


def test_every_missing_field_is_reported_at_once(engine, world):
    assert submit_errors(engine, world, title=" \u200b ", body="\n", category_id=None,
                         submitted_on=TODAY + timedelta(days=1),
                         co_signer_ids=(world.wang_id, 99_999)) == {
        "title": "opinion.error.title_required", "body": "opinion.error.body_required",
        "category": "opinion.error.category_required",
        "submitted_on": "opinion.error.future_date",
        "co_signers": "opinion.error.member_unknown"}
    assert submit_errors(engine, world, lead_member_id=None) == {
        "lead": "opinion.error.lead_required"}
    assert submit_errors(engine, world, lead_member_id=99_999) == {
        "lead": "opinion.error.member_unknown"}


def test_every_wrong_field_is_reported_at_once(engine, world):
    with write_session(engine) as session:
        liu_visit = factories.visit(session, [session.get(Member, world.liu_id)],
                                    on=date(2026, 10, 20))
        zhao_visit = factories.visit(session, [session.get(Member, world.zhao_id)],
                                     on=date(2026, 10, 20))
        session.flush()
        (closed,) = problems.add_problems(
            session, world.staff, organisation_id=factories.TOP,
            committee_id=world.education_id, collected_on=date(2026, 10, 20),
            items=[ProblemItem("问题")], visit_id=liu_visit.id)
        session.flush()
        problems.change_status(session=session, actor=world.staff, problem_id=closed.id,
                               expected_version=1,
                               change=StatusChange(ProblemStatus.CLOSED, reason="重复"),
                               today=TODAY, now=NOW)
        zhao_visit_id, closed_id = zhao_visit.id, closed.id
    assert submit_errors(engine, world, title="题" * 201, body="文" * 20_001,
                         category_id=world.problem_category_id,
                         source_visit_id=zhao_visit_id, source_problem_id=closed_id) == {
        "title": "opinion.error.too_long", "body": "opinion.error.too_long",
        "category": "opinion.error.unknown_category",
        "source_visit": "opinion.error.unknown_visit",
        "source_problem": "opinion.error.unknown_problem"}  # not from that visit
    assert submit_errors(engine, world, source_problem_id=closed_id) == {
        "source_problem": "opinion.error.problem_not_open"}
    # a visit a co-signer attended will do; the longest title and body are kept whole
    report = submit(engine, world, title="题" * 200, body="文" * 20_000, submitted_on=TODAY,
                    co_signer_ids=(world.zhao_id,), source_visit_id=zhao_visit_id)
    assert (len(report.title), len(report.body), report.source_visit_id) == (
        200, 20_000, zhao_visit_id)


def test_a_report_belongs_to_the_leads_committee_on_the_day_it_was_submitted(engine, world):
    with write_session(engine) as session:  # 刘洋 moved to 经济委员会 on 1 July
        moved = session.get(Member, world.liu_id)
        (first,) = session.exec(select(MemberAssignment)
                                .where(MemberAssignment.member_id == moved.id)).all()
        first.ends_on = date(2026, 6, 30)
        session.add(MemberAssignment(
            member_id=moved.id, organisation_id=factories.TOP, term_id=first.term_id,
            sector_id=first.sector_id, committee_id=world.economy_id,
            starts_on=date(2026, 7, 1)))
        moved.committee_id = world.economy_id
        newcomer = factories.member(session, (session.get(Sector, first.sector_id),
                                              session.get(Committee, world.education_id),
                                              session.get(Term, first.term_id)),
                                    name="陈静", in_office_from=date(2026, 11, 10))
        newcomer_id = newcomer.id
    assert submit(engine, world, submitted_on=date(2026, 5, 4)).committee_id == world.education_id
    assert submit(engine, world).committee_id == world.economy_id
    assert submit_errors(engine, world, co_signer_ids=(newcomer_id,)) == {
        "submitted_on": "opinion.error.not_in_office"}  # 陈静 took office on 10 November


def test_the_same_idempotency_key_saves_the_report_once(engine, world):
    first = submit(engine, world, world.liu, key="form-1")
    again = submit(engine, world, world.liu, key="form-1", title="另一个标题")
    assert again.id == first.id
    assert stored(engine, first.id).title == "关于校园周边交通拥堵的建议"
    with read_session(engine) as session:
        assert len(session.exec(select(OpinionReport)).all()) == 1
        assert len(session.exec(select(OpinionReportMember)).all()) == 1
    assert len(events(engine, first.id)) == 1
    with pytest.raises(ValueError):
        submit(engine, world, key="k" * 65)


def test_a_source_open_problem_becomes_to_report_with_its_history_row(engine, world):
    with write_session(engine) as session:
        visit = factories.visit(session, [session.get(Member, world.liu_id)],
                                on=date(2026, 10, 20))
        session.flush()
        (problem,) = problems.add_problems(
            session, world.staff, organisation_id=factories.TOP,
            committee_id=world.education_id, collected_on=date(2026, 10, 20),
            items=[ProblemItem("校门口拥堵")], visit_id=visit.id)
        visit_id, problem_id = visit.id, problem.id
    report = submit(engine, world, world.liu, source_visit_id=visit_id,
                    source_problem_id=problem_id)
    with read_session(engine) as session:
        turned = session.get(CollectedProblem, problem_id)
        history = session.exec(select(ProblemStatusChange)
                               .where(ProblemStatusChange.problem_id == problem_id)
                               .order_by(ProblemStatusChange.id)).all()
        detail = report_detail(session=session, actor=world.liu, report_id=report.id,
                               today=TODAY)
    assert (turned.status, turned.opinion_report_id) == (ProblemStatus.TO_REPORT, report.id)
    assert [(h.from_status, h.to_status) for h in history] == [
        (None, ProblemStatus.PENDING), (ProblemStatus.PENDING, ProblemStatus.TO_REPORT)]
    assert history[-1].actor_user_id == world.liu.user_id
    assert (detail.source_visit_on, detail.source_problems) == (
        date(2026, 10, 20), [(problem_id, "校门口拥堵")])


def test_nobody_turns_a_problem_of_a_visit_no_signer_attended_into_their_report(
        engine, world):
    with write_session(engine) as session:
        zhao_visit = factories.visit(session, [session.get(Member, world.zhao_id)],
                                     on=date(2026, 10, 20))
        liu_visit = factories.visit(session, [session.get(Member, world.liu_id)],
                                    on=date(2026, 10, 21))
        session.flush()
        (theirs,) = problems.add_problems(
            session, world.staff, organisation_id=factories.TOP,
            committee_id=world.economy_id, collected_on=date(2026, 10, 20),
            items=[ProblemItem("赵强收集的问题")], visit_id=zhao_visit.id)
        theirs_id, liu_visit_id = theirs.id, liu_visit.id
    assert submit_errors(engine, world, source_problem_id=theirs_id) == {
        "source_problem": "opinion.error.unknown_problem"}
    # nor with 赵强 as co-signer when 刘洋 submits it himself, nor from another visit
    assert submit_errors(engine, world, world.liu, co_signer_ids=(world.zhao_id,),
                         source_problem_id=theirs_id) == {
        "source_problem": "opinion.error.unknown_problem"}
    assert submit_errors(engine, world, co_signer_ids=(world.zhao_id,),
                         source_visit_id=liu_visit_id, source_problem_id=theirs_id) == {
        "source_problem": "opinion.error.unknown_problem"}
    with read_session(engine) as session:
        assert session.get(CollectedProblem, theirs_id).status is ProblemStatus.PENDING


def test_a_member_is_offered_only_their_own_visits_and_their_organisations_members(
        engine, world):
    with write_session(engine) as session:
        factories.visit(session, [session.get(Member, world.zhao_id)], on=date(2026, 10, 20))
        own = factories.visit(session, [session.get(Member, world.liu_id)],
                              on=date(2026, 10, 21))
        own_id = own.id
    with read_session(engine) as session:
        offered = opinion_entry.report_sources(session=session, actor=world.liu,
                                               member_ids=[world.liu_id, world.zhao_id],
                                               on=TODAY)
        assert list(offered.visits) == [own_id]
        with pytest.raises(PermissionDenied):
            opinion_entry.submission_choices(session=session, actor=world.liu,
                                             organisation_id=99, on=TODAY)


# --- the loop ---------------------------------------------------------------------------

LOOP = {
    S.SUBMITTED: {A.START_REVIEW: S.UNDER_REVIEW},
    S.UNDER_REVIEW: {A.RETURN: S.RETURNED, A.ADOPT: S.ADOPTED, A.REJECT: S.NOT_ADOPTED},
    S.RETURNED: {A.RESUBMIT: S.SUBMITTED},
    S.ADOPTED: {A.ADOPT: S.ADOPTED, A.FORWARD: S.FORWARDED,
                A.GIVE_FEEDBACK: S.FEEDBACK_GIVEN},
    S.NOT_ADOPTED: {A.GIVE_FEEDBACK: S.FEEDBACK_GIVEN, A.CLOSE: S.CLOSED},
    # a reply from the only department still silent makes it replied
    S.FORWARDED: {A.ADOPT: S.FORWARDED, A.FORWARD: S.FORWARDED, A.REPLY: S.REPLIED},
    S.REPLIED: {A.ADOPT: S.REPLIED, A.FORWARD: S.FORWARDED,
                A.GIVE_FEEDBACK: S.FEEDBACK_GIVEN},
    S.FEEDBACK_GIVEN: {A.ADOPT: S.FEEDBACK_GIVEN, A.CLOSE: S.CLOSED},
    S.CLOSED: {A.ADOPT: S.CLOSED},
}


def test_the_transitions_are_the_documented_loop():
    assert set(TRANSITIONS) == set(OpinionStatus)
    for status, allowed in LOOP.items():
        assert list(TRANSITIONS[status]) == list(allowed)
        for action, to in TRANSITIONS[status].items():
            assert (to or status) is allowed[action] or (status, action) == (S.FORWARDED, A.REPLY)


@pytest.mark.parametrize("status", list(OpinionStatus))
def test_each_stage_allows_exactly_its_actions(engine, world, status):
    allowed = LOOP[status] | {A.INSTRUCT: status}
    report = reach(engine, world, status)
    with read_session(engine) as session:
        signers = opinion.signer_ids(session, report.id)
    assert opinion.next_actions(world.staff, report, signers) == list(allowed)
    for action in OpinionAction:
        if action in allowed:
            fresh = reach(engine, world, status)
            done = act(engine, world.staff, fresh.id, action,
                       **valid_fields(engine, fresh.id, action))
            assert (done.status, done.version) == (allowed[action], fresh.version + 1), action
            last = events(engine, fresh.id)[-1]
            assert (last.action, last.from_status, last.to_status) == (
                action, status, allowed[action])
            continue
        with pytest.raises(TransitionRefused) as caught:
            act(engine, world.staff, report.id, action, **valid_fields(engine, report.id, action))
        assert caught.value.message_key == f"opinion.error.from_{status.value}", action
    assert stored(engine, report.id).version == report.version
    assert len(events(engine, report.id)) == len(PATHS[status]) + 1


def test_a_report_goes_round_the_loop_and_its_timeline_keeps_every_step(engine, world):
    report = submit(engine, world, world.staff)
    rid = report.id
    act(engine, world.staff, rid, A.START_REVIEW, on=date(2026, 11, 3))
    act(engine, world.staff, rid, A.RETURN, on=date(2026, 11, 4), note="请补充调研数据")
    act(engine, world.liu, rid, A.RESUBMIT, on=date(2026, 11, 5), title="关于校门口拥堵的建议",
        body="补充了调研数据。", category_id=world.other_category_id, note="已补充")
    act(engine, world.staff, rid, A.START_REVIEW, on=date(2026, 11, 5))
    act(engine, world.staff, rid, A.ADOPT, on=date(2026, 11, 6), level=AdoptionLevel.CITY,
        publication="《社情民意》第12期")
    act(engine, world.staff, rid, A.FORWARD, on=date(2026, 11, 7),
        departments=("市教育局", "市公安局交警支队"), note="请研究办理")
    act(engine, world.staff, rid, A.INSTRUCT, on=date(2026, 11, 8), leader="张市长",
        instruction_level=InstructionLevel.CITY, note="请抓紧落实")
    first, second = forwardings(engine, rid)
    act(engine, world.staff, rid, A.REPLY, on=date(2026, 11, 10), forwarding_id=second.id,
        reply="已增派警力。")
    act(engine, world.staff, rid, A.REPLY, on=date(2026, 11, 12), forwarding_id=first.id,
        reply="已调整放学时间。")
    act(engine, world.staff, rid, A.GIVE_FEEDBACK, on=date(2026, 11, 14), note="已告知委员")
    act(engine, world.staff, rid, A.CLOSE, on=date(2026, 11, 15))
    done = stored(engine, rid)
    assert (done.status, done.title, done.body, done.category_id, done.adoption_level,
            done.adopted_on, done.forwarded_on, done.replied_on, done.feedback_on,
            done.feedback_summary, done.closed_on, done.stage_started_on, done.due_on,
            done.version, done.status_changed_at) == (
        S.CLOSED, "关于校门口拥堵的建议", "补充了调研数据。", world.other_category_id,
        AdoptionLevel.CITY, date(2026, 11, 6), date(2026, 11, 7), date(2026, 11, 12),
        date(2026, 11, 14), "已告知委员", date(2026, 11, 15), date(2026, 11, 15), None, 12,
        NOW)
    assert [(e.action, e.from_status, e.to_status, e.changed_on, e.note)
            for e in events(engine, rid)] == [
        (A.SUBMIT, None, S.SUBMITTED, SUBMITTED_ON, None),
        (A.START_REVIEW, S.SUBMITTED, S.UNDER_REVIEW, date(2026, 11, 3), None),
        (A.RETURN, S.UNDER_REVIEW, S.RETURNED, date(2026, 11, 4), "请补充调研数据"),
        (A.RESUBMIT, S.RETURNED, S.SUBMITTED, date(2026, 11, 5), "已补充"),
        (A.START_REVIEW, S.SUBMITTED, S.UNDER_REVIEW, date(2026, 11, 5), None),
        (A.ADOPT, S.UNDER_REVIEW, S.ADOPTED, date(2026, 11, 6), "《社情民意》第12期"),
        (A.FORWARD, S.ADOPTED, S.FORWARDED, date(2026, 11, 7),
         "市教育局、市公安局交警支队：请研究办理"),
        (A.INSTRUCT, S.FORWARDED, S.FORWARDED, date(2026, 11, 8), "张市长：请抓紧落实"),
        # a reply's row names the department that gave it
        (A.REPLY, S.FORWARDED, S.FORWARDED, date(2026, 11, 10), "市公安局交警支队：已增派警力。"),
        (A.REPLY, S.FORWARDED, S.REPLIED, date(2026, 11, 12), "市教育局：已调整放学时间。"),
        (A.GIVE_FEEDBACK, S.REPLIED, S.FEEDBACK_GIVEN, date(2026, 11, 14), "已告知委员"),
        (A.CLOSE, S.FEEDBACK_GIVEN, S.CLOSED, date(2026, 11, 15), None),
    ]
    with read_session(engine) as session:
        audits = session.exec(select(AuditEntry).where(
            AuditEntry.action == AuditAction.STATUS_CHANGE)).all()
        (instruction,) = session.exec(select(LeaderInstruction)).all()
    assert [(a.entity, a.entity_id) for a in audits] == [("OpinionReport", rid)] * 11
    assert json.loads(audits[-1].before)["action"] == "close"
    assert (instruction.leader, instruction.level, instruction.instructed_on,
            instruction.content) == (
        "张市长", InstructionLevel.CITY, date(2026, 11, 8), "请抓紧落实")


def test_return_needs_a_note_and_reject_needs_a_reason(engine, world):
    rid = reach(engine, world, S.UNDER_REVIEW).id
    assert refusal(engine, world.staff, rid, A.RETURN, note=" \u200b ") == {
        "note": "opinion.error.note_required"}
    assert refusal(engine, world.staff, rid, A.REJECT) == {"note": "opinion.error.reason_required"}
    assert refusal(engine, world.staff, rid, A.REJECT, note="长" * 2_001) == {
        "note": "opinion.error.too_long"}
    rejected = act(engine, world.staff, rid, A.REJECT, on=date(2026, 11, 4),
                   note="与已报送信息重复")
    assert (rejected.status, rejected.not_adopted_reason, rejected.due_on) == (
        S.NOT_ADOPTED, "与已报送信息重复", date(2026, 11, 19))  # feedback within 15 days


def test_give_feedback_needs_what_the_members_were_told(engine, world):
    rid = reach(engine, world, S.NOT_ADOPTED).id
    assert refusal(engine, world.staff, rid, A.GIVE_FEEDBACK) == {
        "note": "opinion.error.feedback_required"}


def test_adopt_needs_a_level_and_refuses_a_level_already_adopted(engine, world):
    rid = reach(engine, world, S.UNDER_REVIEW).id
    assert refusal(engine, world.staff, rid, A.ADOPT, publication="刊" * 121) == {
        "level": "opinion.error.level_required", "publication": "opinion.error.too_long"}
    act(engine, world.staff, rid, A.ADOPT, on=date(2026, 11, 5), level=AdoptionLevel.PROVINCIAL)
    assert refusal(engine, world.staff, rid, A.ADOPT, level=AdoptionLevel.PROVINCIAL) == {
        "level": "opinion.error.level_adopted"}
    assert refusal(engine, world.staff, rid, A.ADOPT, level=AdoptionLevel.CITY,
                   on=date(2026, 11, 4)) == {"on": "opinion.error.too_early"}  # before the first
    # a lower level later keeps the highest; the first adoption's date stays
    again = act(engine, world.staff, rid, A.ADOPT, on=date(2026, 11, 9), level=AdoptionLevel.CITY)
    assert (again.status, again.adoption_level, again.adopted_on) == (
        S.ADOPTED, AdoptionLevel.PROVINCIAL, date(2026, 11, 5))
    national = act(engine, world.staff, rid, A.ADOPT, level=AdoptionLevel.NATIONAL)
    assert national.adoption_level is AdoptionLevel.NATIONAL
    with read_session(engine) as session:
        rows = session.exec(select(OpinionAdoption.level, OpinionAdoption.adopted_on)
                            .where(OpinionAdoption.report_id == rid)).all()
    assert sorted(rows) == sorted([(AdoptionLevel.PROVINCIAL, date(2026, 11, 5)),
                                   (AdoptionLevel.CITY, date(2026, 11, 9)),
                                   (AdoptionLevel.NATIONAL, TODAY)])


def test_forward_needs_departments_and_refuses_one_already_forwarded(engine, world):
    rid = reach(engine, world, S.ADOPTED).id
    assert refusal(engine, world.staff, rid, A.FORWARD, departments=(" ", "\u200b")) == {
        "departments": "opinion.error.departments_required"}
    assert refusal(engine, world.staff, rid, A.FORWARD, departments=("局" * 121,)) == {
        "departments": "opinion.error.too_long"}
    assert refusal(engine, world.staff, rid, A.FORWARD,
                   departments=tuple(f"部门{n}" for n in range(21))) == {
        "departments": "opinion.error.too_many_departments"}
    # the same department typed twice is one forwarding
    act(engine, world.staff, rid, A.FORWARD, departments=("市教育局", " 市教育局 ", "市卫健委"))
    assert [f.department for f in forwardings(engine, rid)] == ["市教育局", "市卫健委"]
    assert refusal(engine, world.staff, rid, A.FORWARD, departments=("市民政局", "市卫健委")) == {
        "departments": "opinion.error.already_forwarded"}
    assert len(forwardings(engine, rid)) == 2


def test_a_due_date_before_the_forwarding_is_refused(engine, world):
    rid = reach(engine, world, S.ADOPTED).id
    assert refusal(engine, world.staff, rid, A.FORWARD, departments=("市教育局",),
                   on=date(2026, 11, 10), due_on=date(2026, 11, 9)) == {
        "due_on": "opinion.error.due_before_forwarded"}
    done = act(engine, world.staff, rid, A.FORWARD, departments=("市教育局",),
               on=date(2026, 11, 10), due_on=date(2026, 11, 10))  # the same day will do
    assert (forwardings(engine, rid)[0].due_on, done.due_on) == (
        date(2026, 11, 10), date(2026, 11, 10))


@pytest.mark.parametrize(("urgent", "days"), [(False, 30), (True, 15)])
def test_a_forwarding_is_due_the_reply_days_after_it(engine, world, urgent, days):
    rid = reach(engine, world, S.ADOPTED, is_urgent=urgent).id
    done = act(engine, world.staff, rid, A.FORWARD, departments=("市教育局",),
               on=date(2026, 11, 8))
    (sent,) = forwardings(engine, rid)
    assert (sent.forwarded_on, sent.due_on, done.due_on, done.forwarded_on) == (
        date(2026, 11, 8), date(2026, 11, 8) + timedelta(days=days),
        date(2026, 11, 8) + timedelta(days=days), date(2026, 11, 8))


def test_reply_needs_a_forwarding_of_this_report_and_text_and_comes_once(engine, world):
    rid = reach(engine, world, S.FORWARDED).id
    other = reach(engine, world, S.FORWARDED).id
    (own,), (theirs,) = forwardings(engine, rid), forwardings(engine, other)
    assert refusal(engine, world.staff, rid, A.REPLY) == {
        "forwarding": "opinion.error.forwarding_required",
        "reply": "opinion.error.reply_required"}
    assert refusal(engine, world.staff, rid, A.REPLY, forwarding_id=theirs.id,
                   reply="答复") == {"forwarding": "opinion.error.forwarding_required"}
    assert refusal(engine, world.staff, rid, A.REPLY, forwarding_id=own.id,
                   reply="长" * 2_001) == {"reply": "opinion.error.too_long"}
    act(engine, world.staff, rid, A.FORWARD, departments=("市卫健委",))  # keep it forwarded
    act(engine, world.staff, rid, A.REPLY, forwarding_id=own.id, reply="已办理。")
    assert refusal(engine, world.staff, rid, A.REPLY, forwarding_id=own.id,
                   reply="再次答复") == {"forwarding": "opinion.error.already_replied"}
    assert forwardings(engine, rid)[0].reply == "已办理。"


def test_report_is_replied_only_when_every_department_has_replied(engine, world):
    rid = reach(engine, world, S.ADOPTED).id
    act(engine, world.staff, rid, A.FORWARD, departments=("市教育局",), on=date(2026, 11, 6),
        due_on=date(2026, 11, 30))
    act(engine, world.staff, rid, A.FORWARD, departments=("市卫健委",), on=date(2026, 11, 7),
        due_on=date(2026, 11, 25))
    education, health = forwardings(engine, rid)
    assert stored(engine, rid).due_on == date(2026, 11, 25)  # the earliest silent one
    one = act(engine, world.staff, rid, A.REPLY, forwarding_id=health.id, reply="已办理",
              on=date(2026, 11, 9))
    assert (one.status, one.due_on, one.replied_on) == (S.FORWARDED, date(2026, 11, 30), None)
    both = act(engine, world.staff, rid, A.REPLY, forwarding_id=education.id, reply="已办理",
               on=date(2026, 11, 12))
    assert (both.status, both.replied_on, both.stage_started_on, both.due_on) == (
        S.REPLIED, date(2026, 11, 12), date(2026, 11, 12), date(2026, 11, 27))
    # forwarded once more: back to waiting on the new department
    more = act(engine, world.staff, rid, A.FORWARD, departments=("市民政局",),
               on=date(2026, 11, 13), due_on=date(2026, 12, 1))
    assert (more.status, more.replied_on, more.forwarded_on, more.due_on) == (
        S.FORWARDED, None, date(2026, 11, 6), date(2026, 12, 1))


def test_the_replied_stage_begins_on_the_latest_reply_whatever_order_replies_are_recorded(
        engine, world):
    """Replies are often recorded late and out of order: the report is replied (and its
    feedback deadline runs) from the day the last department actually replied."""
    rid = reach(engine, world, S.ADOPTED).id
    act(engine, world.staff, rid, A.FORWARD, departments=("市教育局", "市卫健委"),
        on=date(2026, 11, 6))
    education, health = forwardings(engine, rid)
    act(engine, world.staff, rid, A.REPLY, forwarding_id=education.id, reply="已办理",
        on=date(2026, 11, 10))
    done = act(engine, world.staff, rid, A.REPLY, forwarding_id=health.id, reply="已办理",
               on=date(2026, 11, 8))  # recorded second, dated earlier
    assert (done.status, done.replied_on, done.stage_started_on, done.due_on) == (
        S.REPLIED, date(2026, 11, 10), date(2026, 11, 10), date(2026, 11, 25))
    assert refusal(engine, world.staff, rid, A.GIVE_FEEDBACK, note="已告知委员",
                   on=date(2026, 11, 9)) == {"on": "opinion.error.too_early"}


def test_step_dates_are_not_in_the_future_nor_before_the_stage_began(engine, world):
    rid = reach(engine, world, S.ADOPTED).id  # adopted on 5 November
    assert refusal(engine, world.staff, rid, A.FORWARD, departments=("市教育局",),
                   on=TODAY + timedelta(days=1)) == {"on": "opinion.error.future_date"}
    assert refusal(engine, world.staff, rid, A.FORWARD, departments=("市教育局",),
                   on=date(2026, 11, 4)) == {"on": "opinion.error.too_early"}
    act(engine, world.staff, rid, A.FORWARD, departments=("市教育局",), on=date(2026, 11, 8))
    (sent,) = forwardings(engine, rid)
    assert refusal(engine, world.staff, rid, A.REPLY, forwarding_id=sent.id, reply="已办理",
                   on=date(2026, 11, 7)) == {"on": "opinion.error.too_early"}
    # an instruction may carry any day from the submission, whatever the stage
    assert refusal(engine, world.staff, rid, A.INSTRUCT, leader="张市长",
                   instruction_level=InstructionLevel.CITY,
                   on=SUBMITTED_ON - timedelta(days=1)) == {"on": "opinion.error.too_early"}
    act(engine, world.staff, rid, A.INSTRUCT, leader="张市长",
        instruction_level=InstructionLevel.PROVINCIAL, on=SUBMITTED_ON)
    assert stored(engine, rid).status is S.FORWARDED


def test_an_instruction_needs_the_leader_and_level_and_keeps_the_stage(engine, world):
    report = reach(engine, world, S.UNDER_REVIEW)
    assert refusal(engine, world.staff, report.id, A.INSTRUCT, note="请办理") == {
        "leader": "opinion.error.leader_required",
        "instruction_level": "opinion.error.level_required"}
    assert refusal(engine, world.staff, report.id, A.INSTRUCT, leader="张" * 81,
                   instruction_level=InstructionLevel.CITY) == {
        "leader": "opinion.error.too_long"}
    done = act(engine, world.staff, report.id, A.INSTRUCT, leader="张市长",
               instruction_level=InstructionLevel.CITY)
    assert (done.status, done.stage_started_on, done.due_on) == (
        S.UNDER_REVIEW, report.stage_started_on, report.due_on)


def test_a_step_against_an_old_version_is_refused_and_changes_nothing(engine, world):
    report = reach(engine, world, S.UNDER_REVIEW)
    with pytest.raises(StaleRecord):  # a colleague's screen still showed version 1
        act(engine, world.admin, report.id, A.ADOPT, version=1, level=AdoptionLevel.CITY)
    assert (stored(engine, report.id).status, stored(engine, report.id).version) == (
        S.UNDER_REVIEW, report.version)
    assert len(events(engine, report.id)) == 2


# --- who acts ---------------------------------------------------------------------------


def test_a_member_resubmits_a_returned_report_they_signed_and_takes_no_other_step(
        engine, world):
    report = reach(engine, world, S.RETURNED, co_signer_ids=(world.wang_id,))
    with read_session(engine) as session:
        signers = opinion.signer_ids(session, report.id)
    assert opinion.next_actions(world.wang, report, signers) == [A.RESUBMIT]
    assert opinion.next_actions(world.zhao, report, signers) == []
    with pytest.raises(PermissionDenied):  # not a signer
        act(engine, world.zhao, report.id, A.RESUBMIT)
    assert refusal(engine, world.wang, report.id, A.RESUBMIT, title="", body="文" * 20_001,
                   category_id=world.problem_category_id) == {
        "title": "opinion.error.title_required", "body": "opinion.error.too_long",
        "category": "opinion.error.unknown_category"}
    # the co-signer resubmits with edits; what is not given stays
    done = act(engine, world.wang, report.id, A.RESUBMIT, on=date(2026, 11, 6),
               body="补充了数据。")
    assert (done.status, done.title, done.body, done.category_id, done.stage_started_on,
            done.due_on) == (
        S.SUBMITTED, "关于校园周边交通拥堵的建议", "补充了数据。", world.category_id,
        date(2026, 11, 6), date(2026, 11, 13))
    assert opinion.next_actions(world.liu, done, signers) == []
    for action in (A.START_REVIEW, A.INSTRUCT, A.CLOSE):
        with pytest.raises(PermissionDenied):
            act(engine, world.liu, report.id, action, **valid_fields(engine, report.id, action))
    with pytest.raises(TransitionRefused):  # resubmitting is for a returned report only
        act(engine, world.liu, report.id, A.RESUBMIT)
    assert stored(engine, report.id).version == done.version


@pytest.mark.parametrize("who", ["leader", "other_staff", "outside_admin"])
def test_only_the_committees_staff_and_administrators_act(engine, world, who):
    report = reach(engine, world, S.UNDER_REVIEW)
    someone = getattr(world, who)
    with pytest.raises(PermissionDenied):
        act(engine, someone, report.id, A.ADOPT, level=AdoptionLevel.CITY)
    with read_session(engine) as session:
        signers = opinion.signer_ids(session, report.id)
    assert opinion.next_actions(someone, report, signers) == []
    assert stored(engine, report.id).version == report.version


def test_a_leader_reads_a_report_but_cannot_act(engine, world):
    report = reach(engine, world, S.UNDER_REVIEW)
    with read_session(engine) as session:
        detail = report_detail(session=session, actor=world.leader, report_id=report.id,
                               today=TODAY)
        with pytest.raises(PermissionDenied):
            report_detail(session=session, actor=world.outside_admin, report_id=report.id,
                          today=TODAY)
    assert (detail.report.id, detail.actions) == (report.id, [])
    with pytest.raises(PermissionDenied):
        act(engine, world.leader, report.id, A.INSTRUCT, leader="张市长",
            instruction_level=InstructionLevel.CITY)


def test_an_administrator_acts_on_every_committee_of_the_organisation(engine, world):
    report = reach(engine, world, S.SUBMITTED, lead_member_id=world.zhao_id)
    with pytest.raises(PermissionDenied):
        act(engine, world.staff, report.id, A.START_REVIEW)
    assert act(engine, world.other_staff, report.id, A.START_REVIEW).status is S.UNDER_REVIEW
    assert act(engine, world.admin, report.id, A.ADOPT,
               level=AdoptionLevel.CITY).status is S.ADOPTED


# --- deadlines --------------------------------------------------------------------------


@pytest.mark.parametrize("urgent", [False, True], ids=["usual", "through-train"])
def test_each_stage_is_due_its_days_after_it_began(engine, world, urgent):
    def days(usual: int, through_train: int) -> timedelta:
        return timedelta(days=through_train if urgent else usual)

    expected = {
        S.SUBMITTED: SUBMITTED_ON + days(7, 3),
        S.UNDER_REVIEW: ON[A.START_REVIEW] + days(7, 3),
        S.RETURNED: None,  # waits on the member
        S.ADOPTED: ON[A.ADOPT] + days(7, 2),
        S.NOT_ADOPTED: ON[A.REJECT] + days(15, 15),
        S.FORWARDED: ON[A.FORWARD] + days(30, 15),  # its department's due date
        S.REPLIED: ON[A.REPLY] + days(15, 15),
        S.FEEDBACK_GIVEN: None,
        S.CLOSED: None,
    }
    assert {status: reach(engine, world, status, is_urgent=urgent).due_on
            for status in expected} == expected


@pytest.mark.parametrize(("status", "urgent", "silent", "due"), [
    (S.SUBMITTED, False, (), date(2026, 11, 8)),
    (S.UNDER_REVIEW, True, (), date(2026, 11, 4)),
    (S.ADOPTED, True, (), date(2026, 11, 3)),
    (S.FORWARDED, False, (date(2026, 12, 9), date(2026, 12, 2)), date(2026, 12, 2)),
    (S.FORWARDED, False, (), None),
    (S.REPLIED, True, (), date(2026, 11, 16)),
    (S.NOT_ADOPTED, False, (), date(2026, 11, 16)),
    (S.RETURNED, False, (), None),
    (S.FEEDBACK_GIVEN, False, (), None),
    (S.CLOSED, False, (), None),
])
def test_stage_due_counts_from_the_day_the_stage_began(status, urgent, silent, due):
    assert stage_due(status, date(2026, 11, 1), urgent, Deadlines(), silent) == due


def test_days_overdue_counts_from_the_day_after_the_due_date():
    due = date(2026, 11, 20)
    assert days_overdue(S.UNDER_REVIEW, due, due) == 0  # due today
    assert days_overdue(S.UNDER_REVIEW, due, due + timedelta(days=1)) == 1
    assert days_overdue(S.FORWARDED, due, due + timedelta(days=10)) == 10
    assert days_overdue(S.FORWARDED, due, due - timedelta(days=3)) == 0
    assert days_overdue(S.CLOSED, due, due + timedelta(days=10)) == 0  # a closed stage is done
    assert days_overdue(S.RETURNED, None, due) == 0


def set_days(engine, who: Actor, **days) -> None:
    with write_session(engine) as session:
        opinion.set_deadlines(session=session, actor=who, values=Deadlines(**days))


def current_deadlines(engine) -> Deadlines:
    with read_session(engine) as session:
        return opinion.deadlines(session=session)


def test_set_deadlines_changes_later_stages_only(engine, world):
    report = submit(engine, world)
    set_days(engine, world.admin, review=10, forward=4)
    assert current_deadlines(engine) == Deadlines(review=10, forward=4)
    assert stored(engine, report.id).due_on == SUBMITTED_ON + timedelta(days=7)  # as it began
    reviewed = act(engine, world.staff, report.id, A.START_REVIEW, on=date(2026, 11, 3))
    assert reviewed.due_on == date(2026, 11, 13)  # a stage begun after the change
    assert submit(engine, world).due_on == SUBMITTED_ON + timedelta(days=10)
    with read_session(engine) as session:
        audit = session.exec(select(AuditEntry).where(AuditEntry.entity == "AppSetting")).one()
    assert (json.loads(audit.before), json.loads(audit.after)) == (
        {"review": 7, "forward": 7}, {"review": 10, "forward": 4})


def test_an_action_that_keeps_the_stage_keeps_the_deadline_it_began_with(engine, world):
    """The deadline is fixed when the stage begins: an instruction or a further adoption
    taken after the settings changed does not move it."""
    report = reach(engine, world, S.ADOPTED)  # adopted on 5 November: forward by the 12th
    set_days(engine, world.admin, forward=20)
    instructed = act(engine, world.staff, report.id, A.INSTRUCT, leader="张市长",
                     instruction_level=InstructionLevel.CITY)
    assert instructed.due_on == date(2026, 11, 12)
    further = act(engine, world.staff, report.id, A.ADOPT, level=AdoptionLevel.PROVINCIAL)
    assert further.due_on == date(2026, 11, 12)


def test_deadlines_are_set_in_range_by_an_administrator_of_a_top_organisation(engine, world):
    with pytest.raises(ValidationFailed) as caught:
        set_days(engine, world.admin, review=0, feedback=366)
    assert caught.value.field_errors == {"review": "opinion.error.deadline_range",
                                         "feedback": "opinion.error.deadline_range"}
    with write_session(engine) as session:
        district = Organisation(name="东城区政协", level=OrgLevel.DISTRICT, parent_id=factories.TOP)
        session.add(district)
        session.flush()
        row = factories.user(session, "district-admin", Role.ADMIN, organisation_id=district.id)
        district_admin = Actor(user_id=row.id, name=row.username, role=Role.ADMIN,
                               organisation_id=district.id,
                               organisation_ids=frozenset({district.id}))
    for someone in (world.staff, world.leader, world.liu, district_admin):
        with pytest.raises(PermissionDenied):
            set_days(engine, someone, review=10)
    assert current_deadlines(engine) == Deadlines()
    with write_session(engine) as session:  # a value stored by hand that is no number of days
        session.add_all([AppSetting(key="opinion.deadline.review", value="七天"),
                         AppSetting(key="opinion.deadline.forward", value="0")])
    assert current_deadlines(engine) == Deadlines()  # each bad one falls back to its default
    set_days(engine, world.admin, review=1, reply=365)
    assert current_deadlines(engine) == Deadlines(review=1, reply=365)


# --- several reports at once --------------------------------------------------------------


def bulk(engine, who: Actor, versions: dict[int, int], action: OpinionAction, **fields):
    with write_session(engine) as session:
        return opinion.take_steps(session=session, actor=who, versions=versions,
                                  step=Step(action, **fields), today=TODAY, now=NOW)


def test_several_reports_take_one_step_together(engine, world):
    first, second = reach(engine, world, S.ADOPTED), reach(engine, world, S.ADOPTED)
    done = bulk(engine, world.staff, {first.id: first.version, second.id: second.version},
                A.FORWARD, departments=("市教育局", "市卫健委"), on=date(2026, 11, 10))
    assert [(r.id, r.status) for r in done] == [(first.id, S.FORWARDED), (second.id, S.FORWARDED)]
    for report in (first, second):
        assert [f.department for f in forwardings(engine, report.id)] == ["市教育局", "市卫健委"]
        assert events(engine, report.id)[-1].action is A.FORWARD


def test_take_steps_is_all_or_none_and_names_the_reports_that_cannot(engine, world):
    ready = reach(engine, world, S.NOT_ADOPTED)
    stale = reach(engine, world, S.NOT_ADOPTED)
    early = reach(engine, world, S.SUBMITTED)
    theirs = reach(engine, world, S.NOT_ADOPTED, lead_member_id=world.zhao_id)
    chosen = (ready, stale, early, theirs)
    # the refusal caught inside the transaction, which then commits what was written
    with write_session(engine) as session, pytest.raises(BulkRefused) as caught:
        opinion.take_steps(session=session, actor=world.staff,
                           versions={ready.id: ready.version, stale.id: stale.version - 1,
                                     early.id: early.version, theirs.id: theirs.version},
                           step=Step(A.CLOSE), today=TODAY, now=NOW)
    assert caught.value.reasons == {stale.id: "error.stale_record",
                                    early.id: "opinion.error.from_submitted",
                                    theirs.id: "error.permission_denied"}
    assert caught.value.message_key == "opinion.error.bulk_refused"
    assert caught.value.params["ids"] == f"#{stale.id}, #{early.id}, #{theirs.id}"
    assert [(stored(engine, r.id).status, stored(engine, r.id).version) for r in chosen] == [
        (r.status, r.version) for r in chosen]
    assert [len(events(engine, r.id)) for r in chosen] == [3, 3, 1, 3]
    assert bulk(engine, world.admin, {r.id: r.version for r in (ready, stale, theirs)},
                A.CLOSE)[0].status is S.CLOSED


def test_a_bulk_step_with_a_bad_field_is_refused_for_the_form(engine, world):
    first, second = reach(engine, world, S.ADOPTED), reach(engine, world, S.ADOPTED)
    with pytest.raises(ValidationFailed) as caught:
        bulk(engine, world.staff, {first.id: first.version, second.id: second.version},
             A.FORWARD, departments=())
    assert caught.value.field_errors == {"departments": "opinion.error.departments_required"}
    with pytest.raises(ValidationFailed) as caught:
        bulk(engine, world.staff, {}, A.CLOSE)
    assert caught.value.field_errors == {"reports": "opinion.error.none_chosen"}


# --- feedback templates -------------------------------------------------------------------


def render(engine, who: Actor, report_id: int, template_id: int, **given) -> str:
    with read_session(engine) as session:
        return opinion.render_template(session=session, actor=who, report_id=report_id,
                                       template_id=template_id, **given)


def test_a_feedback_template_is_filled_with_the_title_and_the_departments(engine, world):
    rid = reach(engine, world, S.ADOPTED, co_signer_ids=(world.wang_id,)).id
    act(engine, world.staff, rid, A.FORWARD, departments=("市教育局", "市卫健委"))
    assert render(engine, world.staff, rid, world.template_id) == (
        "您的《关于校园周边交通拥堵的建议》已转市教育局、市卫健委办理。{其他}")
    assert render(engine, world.wang, rid, world.template_id, department=" 市民政局 ") == (
        "您的《关于校园周边交通拥堵的建议》已转市民政局办理。{其他}")
    with pytest.raises(ValidationFailed) as caught:
        render(engine, world.staff, rid, world.category_id)
    assert caught.value.field_errors == {"template": "opinion.error.unknown_template"}
    with pytest.raises(PermissionDenied):  # a member who did not sign it
        render(engine, world.zhao, rid, world.template_id)


def test_a_title_with_braces_is_put_into_a_template_as_typed(engine, world):
    rid = reach(engine, world, S.ADOPTED, title="建议{department}牵头解决").id
    act(engine, world.staff, rid, A.FORWARD, departments=("市教育局",))
    assert render(engine, world.staff, rid, world.template_id) == (
        "您的《建议{department}牵头解决》已转市教育局办理。{其他}")


# --- hostile text ---------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "kept"), [
    ('=HYPERLINK("http://x.example","点我")', '=HYPERLINK("http://x.example","点我")'),
    ("<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),
    ("𠮷野家门口的建议", "𠮷野家门口的建议"),  # outside the Basic Multilingual Plane
    ("ئۇيغۇر تىلى", "ئۇيغۇر تىلى"),  # right-to-left letters are letters
    ("\u202e议建的反相", "议建的反相"),  # the invisible right-to-left override goes
    ("零\u200b宽\u200d字\ufeff符", "零宽字符"),  # so do zero-width characters
], ids=["formula", "html", "astral", "rtl-letters", "rtl-override", "zero-width"])
def test_hostile_text_is_stored_as_typed_but_invisible_characters(engine, world, typed, kept):
    report = submit(engine, world, world.liu, title=typed, body=f"正文\n{typed}")
    act(engine, world.staff, report.id, A.START_REVIEW)
    act(engine, world.staff, report.id, A.RETURN, note=typed)
    act(engine, world.liu, report.id, A.RESUBMIT, title=f"{typed}（修改）")
    act(engine, world.staff, report.id, A.START_REVIEW)
    act(engine, world.staff, report.id, A.ADOPT, level=AdoptionLevel.CITY)
    act(engine, world.staff, report.id, A.FORWARD, departments=(typed,))
    done = stored(engine, report.id)
    assert (done.title, done.body) == (f"{kept}（修改）", f"正文\n{kept}")
    assert events(engine, report.id)[2].note == kept
    assert [f.department for f in forwardings(engine, report.id)] == [kept]
