"""The problems' follow-up: each step and its fields, who may take it, the overdue rule,
the queue's filters and the handled rate by committee."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from core.db import read_session, write_session
from core.i18n import t
from models import (
    AuditAction,
    AuditEntry,
    CollectedProblem,
    Committee,
    ListEntry,
    ListKind,
    Member,
    ProblemStatus,
    ProblemStatusChange,
    Role,
    Visit,
    utcnow,
)
from services import problems
from services.actors import Actor
from services.errors import PermissionDenied, StaleRecord, ValidationFailed
from services.problems import (
    BulkChangeRefused,
    ProblemFilters,
    ProblemItem,
    QueueSort,
    StatusChange,
    TransitionRefused,
)
from tests.helpers import factories

TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
COLLECTED = date(2026, 11, 1)
S = ProblemStatus
actor = factories.actor


@dataclass(frozen=True)
class World:
    education_id: int  # 教科卫体委员会: 刘洋 and 王芳
    economy_id: int  # 经济委员会: 赵强
    sector_id: int
    liu_id: int
    zhao_id: int
    category_id: int
    staff: Actor  # staff of 教科卫体委员会
    other_staff: Actor  # staff of 经济委员会
    leader: Actor
    admin: Actor
    outside_admin: Actor  # an administrator of another organisation
    liu: Actor  # the member 刘洋
    zhao: Actor  # the member 赵强


@pytest.fixture
def world(engine) -> World:
    with write_session(engine) as session:
        org = factories.organisation(session)
        economy = Committee(organisation_id=factories.TOP, name="经济委员会")
        category = ListEntry(organisation_id=factories.TOP, kind=ListKind.PROBLEM_CATEGORY,
                             name="道路交通（测试）")
        session.add_all([economy, category])
        session.flush()
        liu = factories.member(session, org, name="刘洋")
        factories.member(session, org, name="王芳")
        zhao = factories.member(session, (org[0], economy, org[2]), name="赵强")
        return World(
            education_id=org[1].id, economy_id=economy.id, sector_id=org[0].id,
            liu_id=liu.id, zhao_id=zhao.id, category_id=category.id,
            staff=actor(session, "clerk", Role.STAFF, committees=[org[1].id]),
            other_staff=actor(session, "economist", Role.STAFF, committees=[economy.id]),
            leader=actor(session, "chair", Role.LEADER),
            admin=actor(session, "admin", Role.ADMIN),
            outside_admin=actor(session, "county", Role.ADMIN, organisations={99}),
            liu=actor(session, "liuyang", Role.MEMBER, member_id=liu.id),
            zhao=actor(session, "zhaoqiang", Role.MEMBER, member_id=zhao.id),
        )


def collect(engine, world: World, *contents: str, names=("刘洋", "王芳"),
            on: date = COLLECTED, committee: str = "education",
            category: bool = True) -> list[int]:
    """Problems collected at one visit of the members named, followed up by a committee."""
    with write_session(engine) as session:
        members = [session.exec(select(Member).where(Member.name == name)).one()
                   for name in names]
        visit = factories.visit(session, members, on=on)
        items = [ProblemItem(text, world.category_id if category else None)
                 for text in contents]
        committee_id = world.education_id if committee == "education" else world.economy_id
        return [p.id for p in problems.add_problems(
            session, world.staff, organisation_id=factories.TOP, committee_id=committee_id,
            collected_on=on, items=items, visit_id=visit.id)]


def step(engine, who: Actor, problem_id: int, to: ProblemStatus, *, version: int | None = None,
         **fields) -> CollectedProblem:
    with write_session(engine) as session:
        if version is None:
            version = session.get(CollectedProblem, problem_id).version
        return problems.change_status(
            session=session, actor=who, problem_id=problem_id, expected_version=version,
            change=StatusChange(to, **fields), today=TODAY, now=NOW)


def stored(engine, problem_id: int) -> CollectedProblem:
    with read_session(engine) as session:
        return session.get(CollectedProblem, problem_id)


def refusal(engine, who: Actor, problem_id: int, to: ProblemStatus, **fields) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        step(engine, who, problem_id, to, **fields)
    return caught.value.field_errors


def queue(engine, who: Actor, **filters) -> list[int]:
    sort = filters.pop("sort", QueueSort.OLDEST)
    with read_session(engine) as session:
        return problems.problem_queue(session=session, actor=who, today=TODAY,
                                      filters=ProblemFilters(**filters), sort=sort)["id"].tolist()


# --- the steps --------------------------------------------------------------------------


def test_a_problem_is_referred_handled_and_its_reply_passed_back(engine, world):
    (pid,) = collect(engine, world, "小区门口路灯不亮")
    step(engine, world.staff, pid, S.REFERRED, department=" 住房和城乡建设局 ",
         referred_on=date(2026, 11, 3), note="电话联系")
    referred = stored(engine, pid)
    assert (referred.status, referred.department, referred.referred_on, referred.due_on) == (
        S.REFERRED, "住房和城乡建设局", date(2026, 11, 3), date(2026, 12, 3))  # 30 days
    step(engine, world.staff, pid, S.HANDLED, reply="已维修。", handled_on=date(2026, 11, 10))
    step(engine, world.staff, pid, S.FED_BACK, note="电话告知居民")
    done = stored(engine, pid)
    assert (done.status, done.handling_note, done.handled_on, done.fed_back_on,
            done.version, done.status_changed_at) == (
        S.FED_BACK, "已维修。", date(2026, 11, 10), TODAY, 4, NOW)
    with read_session(engine) as session:
        detail = problems.problem_detail(session=session, actor=world.leader, problem_id=pid,
                                         today=TODAY)
        audits = session.exec(select(AuditEntry).where(
            AuditEntry.action == AuditAction.STATUS_CHANGE)).all()
    assert [(h.from_status, h.to_status, h.note) for h in detail.history] == [
        (None, S.PENDING, None), (S.PENDING, S.REFERRED, "电话联系"),
        (S.REFERRED, S.HANDLED, "已维修。"), (S.HANDLED, S.FED_BACK, "电话告知居民")]
    assert detail.history[1].actor == "clerk"
    assert (detail.members, detail.held_on, detail.steps) == (["刘洋", "王芳"], COLLECTED, [])
    assert [(a.entity, a.entity_id) for a in audits] == [("CollectedProblem", pid)] * 3
    assert '"status": "fed_back"' in audits[-1].after


@pytest.mark.parametrize(("start", "to", "fields", "written"), [
    (S.PENDING, S.HANDLED, {"reply": "委员当场解答"}, {"handling_note": "委员当场解答"}),
    (S.PENDING, S.TO_REPORT, {"note": "整理上报"}, {}),
    (S.PENDING, S.TO_TOPIC, {}, {}),
    (S.PENDING, S.CLOSED, {"reason": "不属于政协职责"}, {"close_reason": "不属于政协职责"}),
    (S.REFERRED, S.TO_REPORT, {}, {}),
    (S.REFERRED, S.TO_TOPIC, {"note": "共性问题"}, {}),
    (S.REFERRED, S.CLOSED, {"reason": "部门答复无法解决"}, {"close_reason": "部门答复无法解决"}),
])
def test_each_allowed_step(engine, world, start, to, fields, written):
    (pid,) = collect(engine, world, "问题")
    if start is S.REFERRED:
        step(engine, world.staff, pid, S.REFERRED, department="教育局")
    step(engine, world.staff, pid, to, **fields)
    problem = stored(engine, pid)
    assert problem.status is to
    assert {field: getattr(problem, field) for field in written} == written


@pytest.mark.parametrize(("start", "to", "message_key", "names"), [
    (S.HANDLED, S.CLOSED, "problems.error.from_handled", ["反馈"]),
    (S.REFERRED, S.REFERRED, "problems.error.from_referred", ["办理", "社情民意", "不予处理"]),
    (S.PENDING, S.FED_BACK, "problems.error.from_pending", ["转交", "协商议题"]),
    (S.CLOSED, S.REFERRED, "problems.error.from_final", ["管理员"]),
])
def test_a_step_the_status_does_not_allow_is_refused_naming_those_it_does(
        engine, world, start, to, message_key, names):
    (pid,) = collect(engine, world, "问题")
    path = {S.PENDING: [], S.REFERRED: [S.REFERRED], S.HANDLED: [S.HANDLED],
            S.CLOSED: [S.CLOSED]}[start]
    for status in path:
        step(engine, world.staff, pid, status, department="教育局", reply="答复", reason="理由")
    with pytest.raises(TransitionRefused) as caught:
        step(engine, world.admin, pid, to, department="教育局", reason="理由")
    assert caught.value.message_key == message_key
    assert all(name in t(message_key) for name in names)
    assert stored(engine, pid).status is start


def test_only_an_administrator_reopens_a_final_problem_and_only_with_a_note(engine, world):
    (pid,) = collect(engine, world, "问题")
    step(engine, world.staff, pid, S.REFERRED, department="教育局")
    step(engine, world.staff, pid, S.CLOSED, reason="重复反映")
    with pytest.raises(TransitionRefused):
        step(engine, world.staff, pid, S.PENDING, note="再看看")
    assert refusal(engine, world.admin, pid, S.PENDING) == {"note": "problems.error.note_required"}
    step(engine, world.admin, pid, S.PENDING, note="群众再次反映")
    reopened = stored(engine, pid)
    assert (reopened.status, reopened.department, reopened.due_on, reopened.close_reason) == (
        S.PENDING, None, None, None)
    assert problems.next_steps(world.staff, reopened)[0] is S.REFERRED


@pytest.mark.parametrize(("to", "fields", "errors"), [
    (S.REFERRED, {"department": "  \u200b "}, {"department": "problems.error.department_required"}),
    (S.REFERRED, {"department": "局" * 121}, {"department": "problems.error.department_too_long"}),
    (S.HANDLED, {"reply": ""}, {"reply": "problems.error.reply_required"}),
    (S.HANDLED, {"reply": "长" * 1001}, {"reply": "problems.error.reply_too_long"}),
    (S.CLOSED, {}, {"reason": "problems.error.reason_required"}),
    (S.CLOSED, {"reason": "长" * 501}, {"reason": "problems.error.reason_too_long"}),
    (S.TO_TOPIC, {"note": "长" * 501}, {"note": "problems.error.note_too_long"}),
    (S.TO_REPORT, {"opinion_report_id": 999},
     {"opinion_report_id": "problems.error.unknown_report"}),
])
def test_a_step_without_its_required_fields_is_refused(engine, world, to, fields, errors):
    (pid,) = collect(engine, world, "问题")
    assert refusal(engine, world.staff, pid, to, **fields) == errors
    assert stored(engine, pid).status is S.PENDING


def test_a_referral_is_dated_between_collection_and_today_and_due_after_it(engine, world):
    (pid,) = collect(engine, world, "问题")
    assert refusal(engine, world.staff, pid, S.REFERRED, department="教育局",
                   referred_on=COLLECTED - timedelta(days=1)) == {
        "referred_on": "problems.error.before_collected"}
    assert refusal(engine, world.staff, pid, S.REFERRED, department="",
                   referred_on=TODAY + timedelta(days=1), due_on=TODAY) == {
        "department": "problems.error.department_required",
        "referred_on": "problems.error.future_date",
        "due_on": "problems.error.due_before_referred"}
    step(engine, world.staff, pid, S.REFERRED, department="教育局", referred_on=COLLECTED,
         due_on=COLLECTED)  # the same day is a due date
    assert stored(engine, pid).due_on == COLLECTED


def test_a_reply_is_not_dated_before_the_referral_nor_the_feedback_before_the_reply(
        engine, world):
    (pid,) = collect(engine, world, "问题")
    step(engine, world.staff, pid, S.REFERRED, department="教育局", referred_on=date(2026, 11, 5))
    assert refusal(engine, world.staff, pid, S.HANDLED, reply="答复",
                   handled_on=date(2026, 11, 4)) == {"handled_on": "problems.error.before_referred"}
    assert refusal(engine, world.staff, pid, S.HANDLED, reply="答复",
                   handled_on=TODAY + timedelta(days=1)) == {
        "handled_on": "problems.error.future_date"}
    step(engine, world.staff, pid, S.HANDLED, reply="答复", handled_on=date(2026, 11, 9))
    assert refusal(engine, world.staff, pid, S.FED_BACK, fed_back_on=date(2026, 11, 8)) == {
        "fed_back_on": "problems.error.before_handled"}


def test_a_step_against_an_old_version_is_refused_and_changes_nothing(engine, world):
    (pid,) = collect(engine, world, "问题")
    step(engine, world.staff, pid, S.REFERRED, department="教育局")
    with pytest.raises(StaleRecord):  # a colleague's screen still showed version 1
        step(engine, world.admin, pid, S.CLOSED, version=1, reason="重复")
    assert (stored(engine, pid).status, stored(engine, pid).version) == (S.REFERRED, 2)


@pytest.mark.parametrize("who", ["other_staff", "leader", "outside_admin", "liu"])
def test_only_the_committees_staff_and_administrators_take_steps(engine, world, who):
    (pid,) = collect(engine, world, "问题")
    with pytest.raises(PermissionDenied):
        step(engine, getattr(world, who), pid, S.REFERRED, department="教育局")
    assert stored(engine, pid).version == 1
    with read_session(engine) as session:
        problem = session.get(CollectedProblem, pid)
        assert problems.next_steps(getattr(world, who), problem) == []


def test_an_administrator_of_the_organisation_takes_steps_for_any_committee(engine, world):
    (pid,) = collect(engine, world, "问题", names=("赵强",), committee="economy")
    step(engine, world.admin, pid, S.TO_TOPIC)
    assert stored(engine, pid).status is S.TO_TOPIC


def test_who_reads_which_problems(engine, world):
    ours = collect(engine, world, "刘洋和王芳的问题")
    theirs = collect(engine, world, "赵强的问题", names=("赵强",), committee="economy")
    everything = ours + theirs
    assert queue(engine, world.leader) == everything
    assert queue(engine, world.other_staff) == everything  # staff read other committees
    assert queue(engine, world.liu) == ours
    assert queue(engine, world.zhao) == theirs
    assert queue(engine, world.outside_admin) == []
    with read_session(engine) as session:
        with pytest.raises(PermissionDenied):
            problems.problem_detail(session=session, actor=world.liu, problem_id=theirs[0],
                                    today=TODAY)
        with pytest.raises(PermissionDenied):
            problems.handled_rates(session=session, actor=world.liu, first=COLLECTED,
                                   last=TODAY, today=TODAY)
        rows = problems.problem_queue(session=session, actor=world.other_staff, today=TODAY)
    assert rows.set_index("id")["can_act"].to_dict() == {ours[0]: False, theirs[0]: True}


def test_a_deleted_visit_takes_its_problems_out_of_the_queue(engine, world):
    (pid,) = collect(engine, world, "问题")
    with write_session(engine) as session:
        session.get(Visit, stored(engine, pid).visit_id).deleted_at = utcnow()
    assert queue(engine, world.admin) == []
    with pytest.raises(StaleRecord):
        step(engine, world.admin, pid, S.CLOSED, reason="重复")


# --- bulk ---------------------------------------------------------------------------------


def bulk(engine, who: Actor, versions: dict[int, int], to: ProblemStatus, **fields):
    with write_session(engine) as session:
        return problems.change_statuses(session=session, actor=who, versions=versions,
                                        change=StatusChange(to, **fields), today=TODAY, now=NOW)


def test_several_problems_take_one_step_together(engine, world):
    ids = collect(engine, world, "问题一", "问题二", "问题三")
    done = bulk(engine, world.staff, dict.fromkeys(ids, 1), S.REFERRED, department="教育局")
    assert [p.status for p in done] == [S.REFERRED] * 3
    assert {stored(engine, pid).department for pid in ids} == {"教育局"}


def test_one_problem_that_cannot_take_the_step_stops_them_all_and_is_named(engine, world):
    first, second, third = collect(engine, world, "问题一", "问题二", "问题三")
    step(engine, world.staff, second, S.CLOSED, reason="重复")
    theirs, = collect(engine, world, "赵强的问题", names=("赵强",), committee="economy")
    with pytest.raises(BulkChangeRefused) as caught:
        bulk(engine, world.staff, {first: 1, second: 2, third: 1, theirs: 1}, S.REFERRED,
             department="教育局")
    assert caught.value.reasons == {second: "problems.error.from_final",
                                    theirs: "error.permission_denied"}
    assert t(caught.value.message_key, **caught.value.params).count("#") == 2
    assert f"#{second}" in caught.value.params["ids"]
    assert [stored(engine, pid).status for pid in (first, third)] == [S.PENDING] * 2
    with pytest.raises(BulkChangeRefused) as caught:  # a stale version, too
        bulk(engine, world.staff, {first: 2, third: 1}, S.REFERRED, department="教育局")
    assert caught.value.reasons == {first: "error.stale_record"}
    with read_session(engine) as session:
        assert len(session.exec(select(ProblemStatusChange)).all()) == 4 + 1  # first rows, close


def test_a_bulk_step_with_a_bad_field_is_refused_for_the_form(engine, world):
    ids = collect(engine, world, "问题一", "问题二")
    with pytest.raises(ValidationFailed) as caught:
        bulk(engine, world.staff, dict.fromkeys(ids, 1), S.CLOSED, reason="")
    assert caught.value.field_errors == {"reason": "problems.error.reason_required"}
    with pytest.raises(ValidationFailed) as caught:
        bulk(engine, world.staff, {}, S.CLOSED, reason="重复")
    assert caught.value.field_errors == {"problem_ids": "problems.error.none_chosen"}


# --- overdue --------------------------------------------------------------------------------


def test_a_problem_is_overdue_one_day_after_the_overdue_days(engine, world):
    on_time = collect(engine, world, "刚好30天", on=TODAY - timedelta(days=30))[0]
    late = collect(engine, world, "31天", on=TODAY - timedelta(days=31))[0]
    handled = collect(engine, world, "已办理", on=TODAY - timedelta(days=90))[0]
    step(engine, world.staff, handled, S.HANDLED, reply="已解决")
    with read_session(engine) as session:
        rows = problems.problem_queue(session=session, actor=world.staff, today=TODAY)
    assert rows.set_index("id")["overdue_days"].to_dict() == {on_time: 0, late: 1, handled: 0}
    assert rows.set_index("id")["age_days"].to_dict() == {on_time: 30, late: 31, handled: 90}
    assert queue(engine, world.staff, overdue_only=True) == [late]


def test_a_referred_problem_is_overdue_after_its_due_date(engine, world):
    due_today, due_yesterday = collect(engine, world, "今天到期", "昨天到期",
                                       on=TODAY - timedelta(days=3))
    step(engine, world.staff, due_today, S.REFERRED, department="教育局", due_on=TODAY)
    step(engine, world.staff, due_yesterday, S.REFERRED, department="教育局",
         referred_on=TODAY - timedelta(days=2), due_on=TODAY - timedelta(days=1))
    assert queue(engine, world.staff, overdue_only=True) == [due_yesterday]
    assert queue(engine, world.staff, sort=QueueSort.MOST_OVERDUE)[0] == due_yesterday


def test_most_overdue_orders_open_problems_by_deadline_and_the_queue_is_cut_in_sql(
        engine, world):
    old = collect(engine, world, "40天", on=TODAY - timedelta(days=40))[0]
    older_due = collect(engine, world, "转交后过期", on=TODAY - timedelta(days=10))[0]
    step(engine, world.staff, older_due, S.REFERRED, department="教育局",
         referred_on=TODAY - timedelta(days=9), due_on=TODAY - timedelta(days=20) +
         timedelta(days=11))  # due 9 days ago: its deadline is before the 40-day one's
    recent = collect(engine, world, "新问题", on=TODAY - timedelta(days=1))[0]
    closed = collect(engine, world, "不予处理", on=TODAY - timedelta(days=200))[0]
    step(engine, world.staff, closed, S.CLOSED, reason="重复")
    # deadlines: old → 10 days ago (40 − 30), older_due → 9 days ago, recent → in 29 days
    assert queue(engine, world.staff, sort=QueueSort.MOST_OVERDUE) == [
        old, older_due, recent, closed]
    with read_session(engine) as session:
        first_two = problems.problem_queue(session=session, actor=world.staff, today=TODAY,
                                           limit=2)
        summary = problems.queue_summary(session=session, actor=world.staff, today=TODAY)
    assert first_two["id"].tolist() == [closed, old]
    assert (summary.collected, summary.concluded, summary.overdue) == (4, 1, 2)


def test_the_overdue_days_are_a_setting_of_the_top_organisations_administrators(engine, world):
    late = collect(engine, world, "问题", on=TODAY - timedelta(days=11))[0]
    assert queue(engine, world.staff, overdue_only=True) == []
    with write_session(engine) as session:
        problems.set_overdue_days(session=session, actor=world.admin, days=10)
    assert queue(engine, world.staff, overdue_only=True) == [late]
    step(engine, world.staff, late, S.REFERRED, department="教育局")
    assert stored(engine, late).due_on == TODAY + timedelta(days=10)
    for days in (None, 0, 366):
        with pytest.raises(ValidationFailed) as caught, write_session(engine) as session:
            problems.set_overdue_days(session=session, actor=world.admin, days=days)
        assert caught.value.field_errors == {"overdue_days": "problems.error.overdue_days_range"}
    with pytest.raises(PermissionDenied), write_session(engine) as session:
        problems.set_overdue_days(session=session, actor=world.staff, days=20)
    with read_session(engine) as session:
        assert problems.overdue_days(session=session) == 10
        audit = session.exec(select(AuditEntry).where(AuditEntry.entity == "AppSetting")).one()
    assert (audit.before, audit.after) == ('{"problems.overdue_days": 30}',
                                           '{"problems.overdue_days": 10}')


# --- the queue ----------------------------------------------------------------------------


def test_the_queue_lists_each_problem_with_its_members_committee_and_category(engine, world):
    (pid,) = collect(engine, world, "路灯不亮", names=("王芳", "刘洋"))
    with read_session(engine) as session:
        row = problems.problem_queue(session=session, actor=world.staff, today=TODAY).iloc[0]
    assert (row["id"], row["members"], row["committee"], row["category"], row["content"],
            row["status"], row["collected_on"], row["can_act"]) == (
        pid, "刘洋、王芳", "教科卫体委员会", "道路交通（测试）", "路灯不亮", "pending",
        COLLECTED, True)


def test_the_queue_filters(engine, world):
    light, school = collect(engine, world, "路灯不亮", "学校门口拥堵")
    (old,) = collect(engine, world, "去年的问题", on=date(2025, 6, 1), category=False)
    (theirs,) = collect(engine, world, "企业融资难", names=("赵强",), committee="economy")
    step(engine, world.staff, school, S.REFERRED, department="交通运输局")
    assert queue(engine, world.staff, committee_id=world.economy_id) == [theirs]
    assert queue(engine, world.staff, statuses=frozenset({S.REFERRED})) == [school]
    assert queue(engine, world.staff, statuses=frozenset({S.PENDING, S.REFERRED}),
                 committee_id=world.education_id) == [old, light, school]
    assert queue(engine, world.staff, category_id=world.category_id) == [light, school, theirs]
    assert queue(engine, world.staff, first=date(2025, 1, 1), last=date(2025, 12, 31)) == [old]
    assert queue(engine, world.staff, organisation_ids=frozenset({99})) == []
    assert queue(engine, world.staff, sector_id=world.sector_id) == [old, light, school, theirs]
    assert queue(engine, world.staff, sort=QueueSort.NEWEST)[0] == theirs


@pytest.mark.parametrize(("text", "found"), [
    ("路灯", ["light"]),  # the content
    ("交通运输", ["school"]),  # the department
    ("赵强", ["theirs"]),  # a member who raised it
    ("王", ["light", "school"]),
    ("%", []),  # taken literally
])
def test_the_queue_search_looks_in_content_department_and_members(engine, world, text, found):
    light, school = collect(engine, world, "路灯不亮", "学校门口拥堵")
    (theirs,) = collect(engine, world, "企业融资难", names=("赵强",), committee="economy")
    step(engine, world.staff, school, S.REFERRED, department="交通运输局")
    ids = {"light": light, "school": school, "theirs": theirs}
    assert queue(engine, world.leader, search=text) == [ids[name] for name in found]


# --- the handled rate -----------------------------------------------------------------------


def test_the_handled_rate_is_concluded_over_collected_per_committee(engine, world):
    ids = collect(engine, world, "一", "二", "三", "四", "五", on=date(2026, 8, 1))
    collect(engine, world, "六", names=("赵强",), committee="economy", on=date(2026, 9, 1))
    collect(engine, world, "期外", on=date(2026, 6, 30))  # before the period
    step(engine, world.staff, ids[0], S.HANDLED, reply="已解决")
    step(engine, world.staff, ids[1], S.CLOSED, reason="重复")
    step(engine, world.staff, ids[2], S.TO_REPORT)
    step(engine, world.staff, ids[3], S.REFERRED, department="教育局", due_on=TODAY)
    with write_session(engine) as session:
        session.add(Committee(organisation_id=factories.TOP, name="提案委员会"))
    with read_session(engine) as session:
        rates = problems.handled_rates(session=session, actor=world.leader,
                                       first=date(2026, 7, 1), last=date(2026, 12, 31),
                                       today=TODAY)
    table = rates.set_index("committee").drop(columns="committee_id")
    assert table.loc["教科卫体委员会"].to_dict() == {
        "collected": 5, "concluded": 3, "handled_rate": 0.6, "pending": 1, "referred": 1,
        "overdue": 1}  # the pending one, collected 112 days ago; the referred is due today
    assert table.loc["经济委员会"].to_dict() == {
        "collected": 1, "concluded": 0, "handled_rate": 0.0, "pending": 1, "referred": 0,
        "overdue": 1}
    assert table.loc["提案委员会", "collected"] == 0
    assert pd_isna(table.loc["提案委员会", "handled_rate"])
    total = rates[rates["committee_id"].isna()].iloc[0]
    assert (total["collected"], total["concluded"], total["handled_rate"]) == (6, 3, 0.5)
    with read_session(engine) as session:
        summary = problems.queue_summary(session=session, actor=world.leader, today=TODAY,
                                         filters=ProblemFilters(first=date(2026, 7, 1)))
    assert (summary.collected, summary.concluded, summary.overdue, summary.handled_rate) == (
        6, 3, 2, 0.5)


def pd_isna(value) -> bool:
    return value is None or value != value


# --- templates ------------------------------------------------------------------------------


def test_a_reply_template_is_filled_with_the_department(engine, world):
    (pid,) = collect(engine, world, "问题")
    with write_session(engine) as session:
        template = ListEntry(organisation_id=factories.TOP,
                             kind=ListKind.PROBLEM_REPLY_TEMPLATE, name="办结（测试）",
                             text="经{department}办理，问题已解决。{其他}")
        session.add(template)
        session.flush()
        template_id = template.id
    step(engine, world.staff, pid, S.REFERRED, department="教育局")

    def render(**given):
        with read_session(engine) as session:
            return problems.render_reply(session=session, actor=world.staff, problem_id=pid,
                                         template_id=template_id, **given)

    assert render() == "经教育局办理，问题已解决。{其他}"
    assert render(department="卫健委") == "经卫健委办理，问题已解决。{其他}"
    with pytest.raises(ValidationFailed), read_session(engine) as session:
        problems.render_reply(session=session, actor=world.staff, problem_id=pid,
                              template_id=world.category_id)
