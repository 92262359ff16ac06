"""Reading opinion reports (services.opinion_board): who reads which reports, the board's
filters and counts, what is overdue, and the member's own reports with what is new to
them since they last looked."""

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from core.db import read_session, write_session
from models import (
    AdoptionLevel,
    Committee,
    InstructionLevel,
    ListEntry,
    ListKind,
    OpinionAction,
    OpinionForwarding,
    OpinionReport,
    OpinionStatus,
    Organisation,
    Role,
)
from models.enums import OrgLevel
from services import opinion, opinion_board
from services.actors import Actor
from services.errors import PermissionDenied
from services.opinion import ReportDraft, Step
from services.opinion_board import BoardFilters
from tests.helpers import factories

TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
S, A = OpinionStatus, OpinionAction
actor = factories.actor


@dataclass(frozen=True)
class World:
    district_id: int  # 东城区政协, below the city's
    education_id: int  # 教科卫体委员会: 刘洋 and 王芳
    economy_id: int  # 经济委员会: 赵强
    sector_id: int  # the city's 教育界: 刘洋, 王芳, 赵强
    district_sector_id: int  # the district's 教育界: 孙丽
    liu_id: int
    wang_id: int
    zhao_id: int
    sun_id: int
    category_id: int
    other_category_id: int
    staff: Actor  # staff of 教科卫体委员会
    other_staff: Actor  # staff of 经济委员会
    district_staff: Actor  # staff of the district's committee
    leader: Actor  # of the city
    admin: Actor  # of the city, seeing the district too
    liu: Actor
    wang: Actor
    zhao: Actor


@pytest.fixture
def world(engine) -> World:
    with write_session(engine) as session:
        org = factories.organisation(session)
        district = Organisation(name="东城区政协", level=OrgLevel.DISTRICT, parent_id=factories.TOP)
        economy = Committee(organisation_id=factories.TOP, name="经济委员会")
        category = ListEntry(organisation_id=factories.TOP, kind=ListKind.OPINION_CATEGORY,
                             name="民生（测试）")
        other = ListEntry(organisation_id=factories.TOP, kind=ListKind.OPINION_CATEGORY,
                          name="营商环境（测试）")
        session.add_all([district, economy, category, other])
        session.flush()
        district_org = factories.organisation(session, district.id)
        liu = factories.member(session, org, name="刘洋")
        wang = factories.member(session, org, name="王芳")
        zhao = factories.member(session, (org[0], economy, org[2]), name="赵强")
        sun = factories.member(session, district_org, name="孙丽")
        return World(
            district_id=district.id, education_id=org[1].id, economy_id=economy.id,
            sector_id=org[0].id, district_sector_id=district_org[0].id, liu_id=liu.id,
            wang_id=wang.id, zhao_id=zhao.id, sun_id=sun.id, category_id=category.id,
            other_category_id=other.id,
            staff=actor(session, "clerk", Role.STAFF, committees=[org[1].id]),
            other_staff=actor(session, "economist", Role.STAFF, committees=[economy.id]),
            district_staff=actor(session, "district-clerk", Role.STAFF,
                                 committees=[district_org[1].id],
                                 organisations=frozenset({district.id})),
            leader=actor(session, "chair", Role.LEADER),
            admin=actor(session, "admin", Role.ADMIN,
                        organisations=frozenset({factories.TOP, district.id})),
            liu=actor(session, "liuyang", Role.MEMBER, member_id=liu.id),
            wang=actor(session, "wangfang", Role.MEMBER, member_id=wang.id),
            zhao=actor(session, "zhaoqiang", Role.MEMBER, member_id=zhao.id),
        )


def submit(engine, who: Actor, *, lead_id: int, category_id: int, title: str,
           submitted_on: date, co_signers: tuple[int, ...] = (), urgent: bool = False,
           body: str = "正文。", now: datetime = NOW) -> int:
    draft = ReportDraft(title=title, body=body, category_id=category_id, lead_member_id=lead_id,
                        co_signer_ids=co_signers, is_urgent=urgent, submitted_on=submitted_on)
    with write_session(engine) as session:
        return opinion.submit_report(session=session, actor=who, draft=draft,
                                     idempotency_key=uuid.uuid4().hex, today=TODAY,
                                     now=now).id


def act(engine, who: Actor, report_id: int, action: OpinionAction, *, now: datetime = NOW,
        **fields) -> OpinionReport:
    with write_session(engine) as session:
        version = session.get(OpinionReport, report_id).version
        return opinion.take_step(session=session, actor=who, report_id=report_id,
                                 expected_version=version, step=Step(action, **fields),
                                 today=TODAY, now=now)


def reply_all(engine, who: Actor, report_id: int, on: date) -> None:
    with read_session(engine) as session:
        silent = session.exec(select(OpinionForwarding.id).where(
            OpinionForwarding.report_id == report_id,
            OpinionForwarding.replied_on.is_(None))).all()
    for forwarding_id in silent:
        act(engine, who, report_id, A.REPLY, forwarding_id=forwarding_id, reply="已办理", on=on)


@dataclass(frozen=True)
class Reports:
    school: int  # 刘洋 with 王芳, submitted 2 Nov, still waiting for review: overdue
    finance: int  # 赵强's through-train report, forwarded to 市发改委, due in the future
    clinic: int  # 王芳's, adopted by the province, forwarded to 市教育局 and 市卫健委, one silent
    old: int  # 刘洋's of last year, closed
    district: int  # 孙丽's, in the district, submitted 10 Nov: overdue


@pytest.fixture
def reports(engine, world) -> Reports:
    school = submit(engine, world.staff, lead_id=world.liu_id, category_id=world.category_id,
                    title="关于校园周边交通拥堵的建议", body="上下学时段校门口拥堵。",
                    submitted_on=date(2026, 11, 2), co_signers=(world.wang_id,))
    finance = submit(engine, world.other_staff, lead_id=world.zhao_id, urgent=True,
                     category_id=world.other_category_id, title="关于小微企业融资难的建议",
                     submitted_on=date(2026, 11, 15))
    act(engine, world.admin, finance, A.START_REVIEW, on=date(2026, 11, 15))
    act(engine, world.admin, finance, A.ADOPT, level=AdoptionLevel.CITY, on=date(2026, 11, 16))
    act(engine, world.admin, finance, A.FORWARD, departments=("市发改委",),
        on=date(2026, 11, 17))  # due in 15 days
    clinic = submit(engine, world.staff, lead_id=world.wang_id, category_id=world.category_id,
                    title="关于社区卫生服务站建设的建议", submitted_on=date(2026, 10, 1))
    act(engine, world.staff, clinic, A.START_REVIEW, on=date(2026, 10, 2))
    act(engine, world.staff, clinic, A.ADOPT, level=AdoptionLevel.CITY, on=date(2026, 10, 5))
    act(engine, world.staff, clinic, A.ADOPT, level=AdoptionLevel.PROVINCIAL,
        on=date(2026, 10, 20))
    act(engine, world.staff, clinic, A.FORWARD, departments=("市教育局", "市卫健委"),
        on=date(2026, 10, 6), due_on=date(2026, 11, 19))
    with read_session(engine) as session:
        education = session.exec(select(OpinionForwarding.id).where(
            OpinionForwarding.report_id == clinic,
            OpinionForwarding.department == "市教育局")).one()
    act(engine, world.staff, clinic, A.REPLY, forwarding_id=education, reply="已办理",
        on=date(2026, 10, 30))
    old = submit(engine, world.staff, lead_id=world.liu_id, category_id=world.category_id,
                 title="关于老旧小区加装电梯的建议", submitted_on=date(2025, 6, 1))
    act(engine, world.staff, old, A.START_REVIEW, on=date(2025, 6, 2))
    act(engine, world.staff, old, A.REJECT, note="已有同类信息", on=date(2025, 6, 3))
    act(engine, world.staff, old, A.CLOSE, on=date(2025, 6, 4))
    district = submit(engine, world.district_staff, lead_id=world.sun_id,
                      category_id=world.category_id, title="关于街道养老驿站的建议",
                      submitted_on=date(2026, 11, 10))
    return Reports(school=school, finance=finance, clinic=clinic, old=old, district=district)


def board(engine, who: Actor, **filters):
    with read_session(engine) as session:
        return opinion_board.report_board(session=session, actor=who, today=TODAY,
                                          filters=BoardFilters(**filters))


def ids(engine, who: Actor, **filters) -> set[int]:
    return set(board(engine, who, **filters)["id"])


def summary(engine, who: Actor, **filters) -> opinion_board.BoardSummary:
    with read_session(engine) as session:
        return opinion_board.board_summary(session=session, actor=who, today=TODAY,
                                           filters=BoardFilters(**filters))


def detail(engine, who: Actor, report_id: int) -> opinion_board.ReportDetail:
    with read_session(engine) as session:
        return opinion_board.report_detail(session=session, actor=who, report_id=report_id,
                                           today=TODAY)


def mine(engine, who: Actor):
    with read_session(engine) as session:
        return opinion_board.my_reports(session=session, actor=who, today=TODAY)


def unseen(engine, who: Actor) -> int:
    with read_session(engine) as session:
        return opinion_board.unseen_count(session=session, actor=who)


def mark_seen(engine, who: Actor, report_id: int, now: datetime) -> None:
    with write_session(engine) as session:
        opinion_board.mark_seen(session=session, actor=who, report_id=report_id, seen_up_to=now)


# --- who reads what -----------------------------------------------------------------------


def test_a_member_sees_only_the_reports_they_signed(engine, world, reports):
    r = reports
    assert ids(engine, world.liu) == {r.school, r.old}
    assert ids(engine, world.wang) == {r.school, r.clinic}  # as co-signer and as lead
    assert ids(engine, world.zhao) == {r.finance}
    assert not board(engine, world.wang)["can_act"].any()
    assert summary(engine, world.liu).total == 2
    with pytest.raises(PermissionDenied):
        detail(engine, world.liu, r.clinic)
    with pytest.raises(PermissionDenied):
        mark_seen(engine, world.liu, r.clinic, NOW)
    assert set(mine(engine, world.wang)["id"]) == {r.school, r.clinic}


def test_staff_of_one_organisation_see_nothing_of_another(engine, world, reports):
    r = reports
    city = {r.school, r.finance, r.clinic, r.old}
    assert ids(engine, world.staff) == city
    assert ids(engine, world.leader) == city
    assert ids(engine, world.district_staff) == {r.district}
    assert summary(engine, world.district_staff).total == 1
    with pytest.raises(PermissionDenied):
        detail(engine, world.district_staff, r.school)
    with pytest.raises(PermissionDenied):
        detail(engine, world.staff, r.district)


def test_the_board_may_act_only_on_the_staffs_committees_reports(engine, world, reports):
    r = reports
    can_act = board(engine, world.staff).set_index("id")["can_act"].to_dict()
    assert can_act == {r.school: True, r.finance: False, r.clinic: True, r.old: True}
    assert board(engine, world.other_staff).set_index("id")["can_act"].to_dict() == {
        r.school: False, r.finance: True, r.clinic: False, r.old: False}
    assert board(engine, world.admin)["can_act"].all()
    assert not board(engine, world.leader)["can_act"].any()
    assert detail(engine, world.other_staff, r.school).actions == []
    assert detail(engine, world.staff, r.school).actions == [A.START_REVIEW, A.INSTRUCT]


# --- the board ----------------------------------------------------------------------------


def test_a_board_row_shows_the_report_its_members_and_where_it_stands(engine, world, reports):
    rows = board(engine, world.leader).set_index("id")
    school, clinic = rows.loc[reports.school], rows.loc[reports.clinic]
    assert (school["title"], school["committee"], school["category"], school["status"],
            school["members"], school["departments"], school["submitted_on"],
            school["age_days"], school["due_on"], school["overdue_days"],
            school["is_urgent"]) == (
        "关于校园周边交通拥堵的建议", "教科卫体委员会", "民生（测试）", "submitted",
        "刘洋、王芳", "", date(2026, 11, 2), 19, date(2026, 11, 9), 12, False)
    assert (clinic["status"], clinic["members"], clinic["departments"],
            clinic["adoption_level"], clinic["due_on"], clinic["overdue_days"]) == (
        "forwarded", "王芳", "市教育局、市卫健委", "provincial", date(2026, 11, 19), 2)
    # open and most overdue first, closed last
    assert list(rows.index) == [reports.school, reports.clinic, reports.finance, reports.old]


def test_each_board_filter(engine, world, reports):
    r = reports
    cases = {
        "committee": ({"committee_id": world.economy_id}, {r.finance}),
        "organisation": ({"organisation_ids": frozenset({world.district_id})}, {r.district}),
        "sector": ({"sector_id": world.district_sector_id}, {r.district}),
        "member": ({"member_id": world.wang_id}, {r.school, r.clinic}),  # lead or co-signer
        "category": ({"category_id": world.other_category_id}, {r.finance}),
        "statuses": ({"statuses": frozenset({S.SUBMITTED, S.CLOSED})},
                     {r.school, r.old, r.district}),
        "adoption level": ({"adoption_level": AdoptionLevel.PROVINCIAL}, {r.clinic}),
        "any adoption at that level": ({"adoption_level": AdoptionLevel.CITY},
                                       {r.finance, r.clinic}),
        "department": ({"department": "市卫健委"}, {r.clinic}),
        "first": ({"first": date(2026, 11, 2)}, {r.school, r.finance, r.district}),
        "last": ({"last": date(2026, 11, 1)}, {r.clinic, r.old}),
        "first to last": ({"first": date(2026, 11, 2), "last": date(2026, 11, 10)},
                          {r.school, r.district}),
        "overdue": ({"overdue_only": True}, {r.school, r.clinic, r.district}),
        "urgent": ({"urgent_only": True}, {r.finance}),
        "search title": ({"search": "融资"}, {r.finance}),
        "search body": ({"search": "校门口"}, {r.school}),
        "search member": ({"search": "王芳"}, {r.school, r.clinic}),
        "search wildcard": ({"search": "%"}, set()),
        "together": ({"committee_id": world.education_id, "overdue_only": True,
                      "member_id": world.liu_id}, {r.school}),
    }
    for name, (filters, expected) in cases.items():
        assert ids(engine, world.admin, **filters) == expected, name
    assert ids(engine, world.staff, sector_id=world.district_sector_id) == set()  # not theirs


@pytest.mark.parametrize("filters", [
    {}, {"overdue_only": True}, {"committee_id": "education"},
    {"statuses": frozenset({S.FORWARDED, S.CLOSED})}, {"search": "建议"}])
def test_the_summary_counts_what_the_board_lists(engine, world, reports, filters):
    if filters.get("committee_id") == "education":
        filters = {"committee_id": world.education_id}
    for who in (world.admin, world.staff, world.wang):
        rows = board(engine, who, **filters)
        counts = summary(engine, who, **filters)
        assert counts.by_status == {status: Counter(rows["status"])[status.value]
                                    for status in OpinionStatus}
        assert counts.overdue == int((rows["overdue_days"] > 0).sum())
        assert counts.total == len(rows)


def test_a_report_is_overdue_the_day_after_it_is_due(engine, world):
    due_today = submit(engine, world.staff, lead_id=world.liu_id, category_id=world.category_id,
                       title="今天到期", submitted_on=TODAY - timedelta(days=7))
    due_yesterday = submit(engine, world.staff, lead_id=world.liu_id,
                           category_id=world.category_id, title="昨天到期",
                           submitted_on=TODAY - timedelta(days=8))
    returned = submit(engine, world.staff, lead_id=world.liu_id, category_id=world.category_id,
                      title="退回修改", submitted_on=TODAY - timedelta(days=60))
    act(engine, world.staff, returned, A.START_REVIEW, on=TODAY - timedelta(days=59))
    act(engine, world.staff, returned, A.RETURN, note="请补充", on=TODAY - timedelta(days=58))
    rows = board(engine, world.staff).set_index("id")
    assert rows["overdue_days"].to_dict() == {due_today: 0, due_yesterday: 1, returned: 0}
    assert ids(engine, world.staff, overdue_only=True) == {due_yesterday}
    assert summary(engine, world.staff).overdue == 1
    assert detail(engine, world.liu, due_yesterday).overdue_days == 1
    assert mine(engine, world.liu).set_index("id")["overdue_days"].to_dict() == {
        due_today: 0, due_yesterday: 1, returned: 0}


def test_a_forwarding_is_overdue_until_its_department_replies(engine, world, reports):
    forwardings = {f.department: (f.overdue_days, f.reply)
                   for f in detail(engine, world.wang, reports.clinic).forwardings}
    assert forwardings == {"市教育局": (0, "已办理"), "市卫健委": (2, None)}


# --- a member's own reports and what is new to them ------------------------------------------

LATER = NOW + timedelta(hours=1)
LATEST = NOW + timedelta(hours=2)


def test_a_step_by_staff_shows_as_new_to_the_member_until_they_look(engine, world):
    rid = submit(engine, world.liu, lead_id=world.liu_id, category_id=world.category_id,
                 title="我的建议", submitted_on=date(2026, 11, 10), co_signers=(world.wang_id,))
    assert (detail(engine, world.liu, rid).new_count, unseen(engine, world.liu)) == (0, 0)
    act(engine, world.staff, rid, A.START_REVIEW, on=date(2026, 11, 11))
    seen = detail(engine, world.liu, rid)
    assert [(row.action, row.is_new) for row in seen.timeline] == [
        (A.SUBMIT, False), (A.START_REVIEW, True)]
    assert seen.timeline[1].actor == "clerk"
    assert mine(engine, world.liu).set_index("id").loc[rid, "new"] == 1
    assert unseen(engine, world.liu) == 1
    mark_seen(engine, world.liu, rid, LATER)
    assert (detail(engine, world.liu, rid).new_count, unseen(engine, world.liu)) == (0, 0)
    assert mine(engine, world.liu).set_index("id").loc[rid, "new"] == 0
    act(engine, world.staff, rid, A.RETURN, note="请补充", on=date(2026, 11, 12), now=LATEST)
    assert [row.is_new for row in detail(engine, world.liu, rid).timeline] == [
        False, False, True]
    assert unseen(engine, world.liu) == 1
    mark_seen(engine, world.liu, rid, LATEST + timedelta(minutes=1))  # looking again
    assert unseen(engine, world.liu) == 0


def test_a_step_by_the_member_themself_is_never_new_to_them(engine, world):
    rid = submit(engine, world.staff, lead_id=world.liu_id, category_id=world.category_id,
                 title="我的建议", submitted_on=date(2026, 11, 10), co_signers=(world.wang_id,))
    act(engine, world.staff, rid, A.START_REVIEW, on=date(2026, 11, 11))
    act(engine, world.staff, rid, A.RETURN, note="请补充", on=date(2026, 11, 12))
    mark_seen(engine, world.liu, rid, LATER)
    act(engine, world.liu, rid, A.RESUBMIT, body="补充后的正文", on=date(2026, 11, 13), now=LATEST)
    assert detail(engine, world.liu, rid).new_count == 0
    assert unseen(engine, world.liu) == 0
    # the co-signer never looked: everything after the submission is new to them
    assert [row.is_new for row in detail(engine, world.wang, rid).timeline] == [
        False, True, True, True]
    assert mine(engine, world.wang).set_index("id").loc[rid, "new"] == 3


def test_unseen_count_counts_reports_not_events(engine, world):
    busy = submit(engine, world.liu, lead_id=world.liu_id, category_id=world.category_id,
                  title="一", submitted_on=date(2026, 11, 10))
    quiet = submit(engine, world.liu, lead_id=world.liu_id, category_id=world.category_id,
                   title="二", submitted_on=date(2026, 11, 10))
    untouched = submit(engine, world.liu, lead_id=world.liu_id, category_id=world.category_id,
                       title="三", submitted_on=date(2026, 11, 10))
    act(engine, world.staff, busy, A.START_REVIEW, on=date(2026, 11, 11))
    act(engine, world.staff, busy, A.ADOPT, level=AdoptionLevel.CITY, on=date(2026, 11, 12))
    act(engine, world.staff, busy, A.INSTRUCT, leader="张市长",
        instruction_level=InstructionLevel.CITY, on=date(2026, 11, 12))
    act(engine, world.staff, quiet, A.START_REVIEW, on=date(2026, 11, 11))
    assert mine(engine, world.liu).set_index("id")["new"].to_dict() == {
        busy: 3, quiet: 1, untouched: 0}
    assert unseen(engine, world.liu) == 2
    for somebody_else in (world.staff, world.leader, world.wang):
        assert unseen(engine, somebody_else) == 0


def test_my_reports_shows_where_each_stands(engine, world, reports):
    rows = mine(engine, world.wang).set_index("id")
    assert rows.loc[reports.clinic, ["status", "is_lead", "adoption_level", "departments",
                                     "replies", "instructions", "overdue_days"]].tolist() == [
        "forwarded", True, "provincial", "市教育局、市卫健委", "1/2", 0, 2]
    assert rows.loc[reports.school, ["is_lead", "replies"]].tolist() == [False, ""]
    assert list(rows.index) == [reports.school, reports.clinic]  # the newest first
    assert mine(engine, world.staff).empty
