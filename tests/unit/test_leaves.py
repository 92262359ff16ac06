"""Members' leave: requested by the member or the office, decided by staff of the member's
committee (never by the member), and only an approved leave exempts from quotas."""

import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from core.db import read_session, write_session
from models import (
    AuditAction,
    AuditEntry,
    Committee,
    LeaveStatus,
    MemberLeave,
    Role,
)
from services import leaves
from services.actors import Actor
from services.errors import PermissionDenied, StaleRecord, ValidationFailed
from services.leaves import DateRange, LeaveAlreadyDecided
from tests.helpers import factories

TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


@dataclass(frozen=True)
class World:
    member_id: int
    other_member_id: int  # same committee
    economist_id: int  # a member of another committee
    member: Actor  # the member themself
    staff: Actor  # staff of the member's committee
    staff_member: Actor  # staff of the committee, linked to the member (a member on staff)
    other_staff: Actor  # staff of another committee
    leader: Actor
    admin: Actor
    outside_admin: Actor  # an administrator of another organisation


actor = factories.actor


@pytest.fixture
def world(engine) -> World:
    with write_session(engine) as session:
        org = factories.organisation(session)
        member = factories.member(session, org, name="刘洋")
        other = factories.member(session, org, name="王芳")
        economy = Committee(organisation_id=factories.TOP, name="经济委员会")
        session.add(economy)
        session.flush()
        economist = factories.member(session, (org[0], economy, org[2]), name="赵强")
        committee = org[1].id
        return World(
            member_id=member.id, other_member_id=other.id, economist_id=economist.id,
            member=actor(session, "liuyang", Role.MEMBER, member_id=member.id),
            staff=actor(session, "clerk", Role.STAFF, committees=[committee]),
            staff_member=actor(session, "liuyang_staff", Role.STAFF, committees=[committee],
                               member_id=member.id),
            other_staff=actor(session, "economist", Role.STAFF, committees=[economy.id]),
            leader=actor(session, "chair", Role.LEADER),
            admin=actor(session, "admin", Role.ADMIN),
            outside_admin=actor(session, "county", Role.ADMIN, organisations={99}),
        )


def request(engine, who: Actor, member_id: int, starts_on: date | None = date(2026, 12, 1),
            ends_on: date | None = date(2026, 12, 31), reason: str = "出国访问") -> int:
    with write_session(engine) as session:
        return leaves.request_leave(session=session, actor=who, member_id=member_id,
                                    starts_on=starts_on, ends_on=ends_on, reason=reason,
                                    today=TODAY).id


def refusal(engine, who: Actor, member_id: int, **fields) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        request(engine, who, member_id, **fields)
    return caught.value.field_errors


def decide(engine, who: Actor, leave_id: int, *, approve: bool = True, version: int = 1,
           note: str = "") -> MemberLeave:
    with write_session(engine) as session:
        return leaves.decide_leave(session=session, actor=who, leave_id=leave_id,
                                   expected_version=version, approve=approve, note=note, now=NOW)


def withdraw(engine, who: Actor, leave_id: int, version: int = 1) -> None:
    with write_session(engine) as session:
        leaves.withdraw_leave(session=session, actor=who, leave_id=leave_id,
                              expected_version=version)


def stored(engine, leave_id: int) -> MemberLeave:
    with read_session(engine) as session:
        return session.get(MemberLeave, leave_id)


def approved_between(engine, first: date, last: date, **options) -> dict[int, list[DateRange]]:
    with read_session(engine) as session:
        return leaves.approved_leaves_between(session=session, first=first, last=last,
                                              **options)


# --- requesting -------------------------------------------------------------------------


def test_a_member_requests_their_own_leave(engine, world):
    leave = stored(engine, request(engine, world.member, world.member_id,
                                   reason=" 出国\u200b访问\n（三周） "))
    assert (leave.status, leave.starts_on, leave.ends_on, leave.reason) == (
        LeaveStatus.PENDING, date(2026, 12, 1), date(2026, 12, 31), "出国访问\n（三周）")
    assert (leave.requested_by_user_id, leave.decided_by_user_id) == (world.member.user_id, None)
    with read_session(engine) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.entity == "MemberLeave")).one()
    assert (entry.action, entry.entity_id) == (AuditAction.CREATE, leave.id)


@pytest.mark.parametrize("who", ["staff", "admin", "staff_member"])
def test_the_office_requests_for_a_member_of_its_committee(engine, world, who):
    request(engine, getattr(world, who), world.member_id)


@pytest.mark.parametrize("who", ["other_staff", "leader", "outside_admin"])
def test_others_may_not_request(engine, world, who):
    with pytest.raises(PermissionDenied):
        request(engine, getattr(world, who), world.member_id)


def test_a_member_may_not_request_for_another_member(engine, world):
    with pytest.raises(PermissionDenied):
        request(engine, world.member, world.other_member_id)


@pytest.mark.parametrize(("fields", "errors"), [
    ({"ends_on": date(2026, 11, 30)}, {"ends_on": "leaves.error.ends_before_start"}),
    ({"starts_on": None, "ends_on": None}, {"starts_on": "leaves.error.date_required",
                                            "ends_on": "leaves.error.date_required"}),
    ({"ends_on": date(2028, 12, 1)}, {"ends_on": "leaves.error.too_many_days"}),
    ({"starts_on": date(2027, 12, 1), "ends_on": date(2027, 12, 31)},
     {"starts_on": "leaves.error.start_out_of_range"}),
    ({"starts_on": date(2025, 11, 1), "ends_on": date(2025, 11, 30)},
     {"starts_on": "leaves.error.start_out_of_range"}),
    ({"reason": " \u200b\u202e "}, {"reason": "leaves.error.reason_required"}),
    ({"reason": "事" * 10_000}, {"reason": "leaves.error.too_long"}),
])
def test_bad_requests_are_refused_field_by_field(engine, world, fields, errors):
    assert refusal(engine, world.member, world.member_id, **fields) == errors


def test_two_years_is_the_longest_leave(engine, world):
    request(engine, world.staff, world.member_id, ends_on=date(2028, 11, 30))  # 731 days


def test_hostile_text_is_stored_as_typed(engine, world):
    reason = '=HYPERLINK("http://evil.example","病假") 𠮷 ئەخمەت'
    assert stored(engine, request(engine, world.member, world.member_id,
                                  reason=reason)).reason == reason


def test_an_overlapping_request_is_refused_so_a_double_submit_adds_once(engine, world):
    request(engine, world.member, world.member_id)
    assert refusal(engine, world.member, world.member_id) == {
        "starts_on": "leaves.error.overlaps"}
    assert refusal(engine, world.member, world.member_id, starts_on=date(2026, 12, 31),
                   ends_on=date(2027, 1, 15)) == {"starts_on": "leaves.error.overlaps"}
    request(engine, world.member, world.member_id, starts_on=date(2027, 1, 1),
            ends_on=date(2027, 1, 15))  # the next day is free
    request(engine, world.staff, world.other_member_id)  # another member's leave


def test_an_approved_leave_blocks_its_days_a_refused_or_withdrawn_one_does_not(engine, world):
    approved = request(engine, world.member, world.member_id)
    decide(engine, world.staff, approved)
    assert refusal(engine, world.member, world.member_id) == {
        "starts_on": "leaves.error.overlaps"}
    january = {"starts_on": date(2027, 1, 1), "ends_on": date(2027, 1, 31)}
    decide(engine, world.staff, request(engine, world.member, world.member_id, **january),
           approve=False)
    withdraw(engine, world.member, request(engine, world.member, world.member_id, **january))
    request(engine, world.member, world.member_id, **january)


# --- deciding ---------------------------------------------------------------------------


def test_staff_of_the_committee_approve_and_who_and_when_is_kept(engine, world):
    leave_id = request(engine, world.member, world.member_id)
    decide(engine, world.staff, leave_id, note=" 同意\u200b ")
    leave = stored(engine, leave_id)
    assert (leave.status, leave.decided_by_user_id, leave.decision_note, leave.version) == (
        LeaveStatus.APPROVED, world.staff.user_id, "同意", 2)
    assert leave.decided_at.replace(tzinfo=UTC) == NOW
    with read_session(engine) as session:
        entry = session.exec(select(AuditEntry).where(
            AuditEntry.action == AuditAction.STATUS_CHANGE)).one()
    assert (entry.entity, entry.entity_id, entry.actor_user_id) == (
        "MemberLeave", leave_id, world.staff.user_id)
    assert '"pending"' in entry.before and '"approved"' in entry.after


def test_an_admin_refuses(engine, world):
    leave_id = request(engine, world.member, world.member_id)
    decide(engine, world.admin, leave_id, approve=False, note="材料不全")
    assert stored(engine, leave_id).status is LeaveStatus.REFUSED


@pytest.mark.parametrize("who", ["member", "staff_member", "other_staff", "leader",
                                 "outside_admin"])
def test_nobody_else_decides_and_never_on_their_own_leave(engine, world, who):
    leave_id = request(engine, world.staff, world.member_id)
    with pytest.raises(PermissionDenied):
        decide(engine, getattr(world, who), leave_id)
    assert stored(engine, leave_id).status is LeaveStatus.PENDING


def test_staff_on_leave_themselves_still_decide_for_colleagues(engine, world):
    decide(engine, world.staff_member, request(engine, world.staff, world.other_member_id))


def test_deciding_twice_is_refused_and_the_first_decision_stands(engine, world):
    leave_id = request(engine, world.member, world.member_id)
    decide(engine, world.staff, leave_id)
    with pytest.raises(LeaveAlreadyDecided):
        decide(engine, world.admin, leave_id, approve=False)  # saw the pending version
    with pytest.raises(LeaveAlreadyDecided):
        decide(engine, world.admin, leave_id, approve=False, version=2)
    assert (stored(engine, leave_id).status, stored(engine, leave_id).decided_by_user_id) == (
        LeaveStatus.APPROVED, world.staff.user_id)


def test_two_deciders_at_once_the_second_waits_and_finds_it_decided(engine, world):
    leave_id = request(engine, world.member, world.member_id)
    outcome: list[str] = []

    def second_decider() -> None:
        try:
            decide(engine, world.admin, leave_id, approve=False)
        except LeaveAlreadyDecided:
            outcome.append("already decided")

    with write_session(engine) as session:
        leaves.decide_leave(session=session, actor=world.staff, leave_id=leave_id,
                            expected_version=1, approve=True, now=NOW)
        thread = threading.Thread(target=second_decider)
        thread.start()
        thread.join(timeout=0.5)
        assert thread.is_alive()  # held until the first decision is committed
    thread.join(timeout=10)
    assert outcome == ["already decided"]
    assert stored(engine, leave_id).status is LeaveStatus.APPROVED


def test_two_requests_at_once_for_the_same_days_only_one_is_kept(engine, world):
    outcome: list[dict[str, str]] = []

    def second_request() -> None:
        outcome.append(refusal(engine, world.staff, world.member_id))

    with write_session(engine) as session:
        leaves.request_leave(session=session, actor=world.member, member_id=world.member_id,
                             starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 31),
                             reason="出国访问", today=TODAY)
        thread = threading.Thread(target=second_request)
        thread.start()
        thread.join(timeout=0.5)
    thread.join(timeout=10)
    assert outcome == [{"starts_on": "leaves.error.overlaps"}]


def test_a_decision_against_a_wrong_version_is_refused(engine, world):
    leave_id = request(engine, world.member, world.member_id)
    with pytest.raises(StaleRecord):
        decide(engine, world.staff, leave_id, version=7)


def test_a_long_decision_note_is_refused(engine, world):
    leave_id = request(engine, world.member, world.member_id)
    with pytest.raises(ValidationFailed) as caught:
        decide(engine, world.staff, leave_id, note="意" * 10_000)
    assert caught.value.field_errors == {"note": "leaves.error.too_long"}
    assert stored(engine, leave_id).status is LeaveStatus.PENDING


# --- withdrawing ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["member", "staff"])
def test_a_pending_request_is_withdrawn_softly(engine, world, who):
    leave_id = request(engine, world.member, world.member_id)
    withdraw(engine, getattr(world, who), leave_id)
    assert stored(engine, leave_id).deleted_at is not None
    with read_session(engine) as session:
        assert leaves.list_leaves(session=session, actor=world.staff,
                                  member_id=world.member_id).empty


def test_a_decided_leave_cannot_be_withdrawn(engine, world):
    leave_id = request(engine, world.member, world.member_id)
    decide(engine, world.staff, leave_id)
    with pytest.raises(LeaveAlreadyDecided):
        withdraw(engine, world.member, leave_id, version=2)


def test_others_may_not_withdraw(engine, world):
    leave_id = request(engine, world.member, world.member_id)
    for who in (world.leader, world.other_staff):
        with pytest.raises(PermissionDenied):
            withdraw(engine, who, leave_id)


# --- lists ------------------------------------------------------------------------------


def test_the_members_leaves_latest_first_with_who_decided(engine, world):
    first = request(engine, world.member, world.member_id, reason="病假")
    decide(engine, world.staff, first, note="早日康复")
    request(engine, world.staff, world.member_id, starts_on=date(2027, 2, 1),
            ends_on=date(2027, 2, 10), reason="培训")
    with read_session(engine) as session:
        rows = leaves.list_leaves(session=session, actor=world.member, member_id=world.member_id)
    columns = ["reason", "status", "days", "requested_by", "decided_by", "decision_note"]
    assert rows[columns].fillna("—").values.tolist() == [
        ["培训", "pending", 10, "clerk", "—", "—"],
        ["病假", "approved", 31, "liuyang", "clerk", "早日康复"],
    ]
    assert list(rows.columns) == leaves.LEAVE_COLUMNS


def test_leaves_are_read_by_whoever_reads_the_member(engine, world):
    request(engine, world.member, world.member_id)
    with read_session(engine) as session:
        for who in (world.leader, world.other_staff):
            assert len(leaves.list_leaves(session=session, actor=who,
                                          member_id=world.member_id)) == 1
        for who, member_id in ((world.member, world.other_member_id),
                               (world.outside_admin, world.member_id)):
            with pytest.raises(PermissionDenied):
                leaves.list_leaves(session=session, actor=who, member_id=member_id)


def test_pending_requests_are_listed_for_those_who_decide_them(engine, world):
    mine = request(engine, world.member, world.member_id)
    decide(engine, world.staff, request(engine, world.staff, world.other_member_id))
    theirs = request(engine, world.other_staff, world.economist_id)
    with read_session(engine) as session:
        def pending(who: Actor) -> list[int]:
            return leaves.pending_leaves(session=session, actor=who)["id"].tolist()

        assert pending(world.staff) == [mine]
        assert pending(world.staff_member) == []  # never their own
        assert pending(world.other_staff) == [theirs]
        assert pending(world.admin) == [mine, theirs]
        assert pending(world.leader) == pending(world.outside_admin) == []


# --- what the quota rules read ----------------------------------------------------------


def test_only_approved_live_leave_is_returned_cut_to_the_period(engine, world):
    decide(engine, world.staff, request(engine, world.member, world.member_id,
                                        starts_on=date(2026, 12, 15), ends_on=date(2027, 1, 20)))
    request(engine, world.member, world.member_id, starts_on=date(2027, 2, 1),
            ends_on=date(2027, 2, 28))  # pending
    decide(engine, world.staff, request(engine, world.member, world.member_id,
                                        starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 5)),
           approve=False)
    decide(engine, world.staff, request(engine, world.staff, world.other_member_id,
                                        starts_on=date(2027, 3, 10), ends_on=date(2027, 3, 12)))
    first_quarter = (date(2027, 1, 1), date(2027, 3, 31))
    assert approved_between(engine, *first_quarter) == {
        world.member_id: [DateRange(date(2027, 1, 1), date(2027, 1, 20))],
        world.other_member_id: [DateRange(date(2027, 3, 10), date(2027, 3, 12))],
    }
    assert approved_between(engine, *first_quarter, member_ids=[world.member_id]) == {
        world.member_id: [DateRange(date(2027, 1, 1), date(2027, 1, 20))]}
    with read_session(engine) as session:
        days = leaves.approved_leave_days(session=session, member_id=world.member_id,
                                          first=first_quarter[0], last=first_quarter[1])
        none = leaves.approved_leave_days(session=session, member_id=world.economist_id,
                                          first=first_quarter[0], last=first_quarter[1])
    assert (days, none) == (20, 0)


def test_adjacent_approved_leaves_merge_and_boundaries_are_inclusive(engine, world):
    for starts_on, ends_on in ((date(2026, 12, 1), date(2026, 12, 31)),
                               (date(2027, 1, 1), date(2027, 1, 10))):
        decide(engine, world.staff, request(engine, world.member, world.member_id,
                                            starts_on=starts_on, ends_on=ends_on))
    assert approved_between(engine, date(2026, 12, 31), date(2027, 1, 1)) == {
        world.member_id: [DateRange(date(2026, 12, 31), date(2027, 1, 1))]}
    assert approved_between(engine, date(2026, 10, 1), date(2027, 3, 31)) == {
        world.member_id: [DateRange(date(2026, 12, 1), date(2027, 1, 10))]}
    assert approved_between(engine, date(2027, 1, 11), date(2027, 3, 31)) == {}
