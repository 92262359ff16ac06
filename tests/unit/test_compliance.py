"""The quota compliance engine, each rule of the Decisions by name: period boundaries,
the leap day, joining or leaving at the grace boundary, approved and unapproved leave, a
joint visit, a co-signed report, a station activity and its dated setting, a deleted and
a restored record, a committee move, the statuses and who sees what."""

from dataclasses import dataclass
from datetime import date

import pytest
from sqlmodel import select

from core.db import read_session, write_session
from models import (
    AuditEntry,
    Committee,
    LeaveStatus,
    MemberAssignment,
    MemberLeave,
    OpinionReport,
    OpinionReportMember,
    OpinionStatus,
    Role,
    Visit,
    utcnow,
)
from services import compliance, quota_rules, workstations
from services.actors import Actor
from services.compliance import ComplianceRule, ComplianceStatus, ExemptReason
from services.errors import PermissionDenied, ValidationFailed
from tests.helpers import factories

TODAY = date(2026, 11, 21)


@dataclass(frozen=True)
class World:
    org: tuple
    economy_id: int
    leader: Actor
    admin: Actor


@pytest.fixture
def world(engine) -> World:
    with write_session(engine) as session:
        org = factories.organisation(session)
        economy = Committee(organisation_id=factories.TOP, name="经济委员会")
        session.add(economy)
        session.flush()
        return World(org=tuple(x.id for x in org), economy_id=economy.id,
                      leader=factories.actor(session, "leader", Role.LEADER),
                      admin=factories.actor(session, "admin", Role.ADMIN))


def member(engine, world: World, name: str = "王芳", **dates) -> int:
    with write_session(engine) as session:
        org = (session.get(factories.Sector, world.org[0]),
               session.get(Committee, world.org[1]), session.get(factories.Term, world.org[2]))
        return factories.member(session, org, name=name, **dates).id


def visit(engine, member_ids: list[int], on: date) -> int:
    with write_session(engine) as session:
        members = [session.get(factories.Member, i) for i in member_ids]
        return factories.visit(session, members, on=on).id


def report(engine, world: World, lead: int, on: date, co: tuple[int, ...] = ()) -> int:
    with write_session(engine) as session:
        row = OpinionReport(title="报告", body="正文", organisation_id=factories.TOP,
                            status=OpinionStatus.SUBMITTED, committee_id=world.org[1],
                            submitted_on=on)
        session.add(row)
        session.flush()
        session.add_all([OpinionReportMember(report_id=row.id, member_id=lead, is_lead=True,
                                             submitted_on=on)]
                        + [OpinionReportMember(report_id=row.id, member_id=m, is_lead=False,
                                               submitted_on=on) for m in co])
        return row.id


def rows(engine, actor: Actor, span: str, today: date = TODAY, **filters):
    with read_session(engine) as session:
        return compliance.compliance(session=session, actor=actor,
                                     span=compliance.parse_span(span), today=today, **filters)


def one(engine, actor: Actor, span: str, member_id: int, rule: ComplianceRule, today: date = TODAY,
        period_start: date | None = None):
    found = [r for r in rows(engine, actor, span, today) if r.member_id == member_id
             and r.rule is rule and (period_start is None or r.period.starts_on == period_start)]
    assert len(found) == 1, found
    return found[0]


# --- periods ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "first", "last"), [
    ("2027Q1", date(2027, 1, 1), date(2027, 3, 31)),
    ("2027q4", date(2027, 10, 1), date(2027, 12, 31)),
    ("2027H2", date(2027, 7, 1), date(2027, 12, 31)),
    ("2028", date(2028, 1, 1), date(2028, 12, 31)),
])
def test_a_span_is_a_quarter_a_half_year_or_a_year(text, first, last):
    span = compliance.parse_span(text)
    assert (span.starts_on, span.ends_on) == (first, last)


@pytest.mark.parametrize("text", ["2027Q5", "2027H3", "27", "Q1", "", "2027-01"])
def test_other_spellings_are_refused(text):
    with pytest.raises(ValueError, match="not a period"):
        compliance.parse_span(text)


def test_a_year_lists_four_quarters_and_two_half_years_a_quarter_its_half_year():
    year, quarter = compliance.parse_span("2027"), compliance.parse_span("2027Q3")
    assert len(compliance.rule_periods(ComplianceRule.CONTACT, year)) == 4
    assert len(compliance.rule_periods(ComplianceRule.REPORT, year)) == 2
    assert [p.starts_on for p in compliance.rule_periods(ComplianceRule.REPORT, quarter)] == [
        date(2027, 7, 1)]


def test_quarter_boundaries_are_inclusive(engine, world):
    who = member(engine, world)
    visit(engine, [who], date(2026, 3, 31))
    visit(engine, [who], date(2026, 4, 1))
    visit(engine, [who], date(2026, 4, 1))
    q1 = one(engine, world.leader, "2026Q1", who, ComplianceRule.CONTACT)
    q2 = one(engine, world.leader, "2026Q2", who, ComplianceRule.CONTACT)
    assert (q1.done, q1.status) == (1, ComplianceStatus.MET)
    assert (q2.done, q2.status) == (2, ComplianceStatus.MET)


def test_half_year_boundaries_are_inclusive(engine, world):
    who = member(engine, world)
    report(engine, world, who, date(2026, 6, 30))
    first = one(engine, world.leader, "2026H1", who, ComplianceRule.REPORT)
    second = one(engine, world.leader, "2026H2", who, ComplianceRule.REPORT)
    assert (first.done, first.status) == (1, ComplianceStatus.MET)
    assert (second.done, second.status, second.days_left) == (0, ComplianceStatus.PENDING, 41)


def test_the_leap_day_belongs_to_its_quarter(engine, world):
    who = member(engine, world)
    visit(engine, [who], date(2028, 2, 29))
    row = one(engine, world.leader, "2028Q1", who, ComplianceRule.CONTACT, today=date(2028, 5, 1))
    assert (row.done, row.status, row.period.length_days) == (1, ComplianceStatus.MET, 91)


# --- who is required ---------------------------------------------------------------------------


@pytest.mark.parametrize(("joined", "required"), [
    (date(2026, 12, 2), True),  # 30 days in office in the quarter: the grace boundary
    (date(2026, 12, 3), False),  # 29 days: exempt, joined late
])
def test_joining_inside_a_quarter_at_the_grace_boundary(engine, world, joined, required):
    who = member(engine, world, in_office_from=joined)
    row = one(engine, world.leader, "2026Q4", who, ComplianceRule.CONTACT, today=date(2026, 12, 31))
    if required:
        assert (row.required, row.status) == (1, ComplianceStatus.PENDING)
    else:
        assert (row.required, row.status, row.reason) == (0, ComplianceStatus.EXEMPT,
                                                          ExemptReason.JOINED_LATE)


@pytest.mark.parametrize(("left", "required"), [
    (date(2026, 10, 30), True),  # 1 Oct .. 30 Oct: 30 days
    (date(2026, 10, 29), False),  # 29 days: exempt, left early
])
def test_leaving_inside_a_quarter_at_the_grace_boundary(engine, world, left, required):
    who = member(engine, world, in_office_to=left)
    row = one(engine, world.leader, "2026Q4", who, ComplianceRule.CONTACT, today=date(2027, 1, 5))
    if required:
        assert (row.required, row.status) == (1, ComplianceStatus.MISSED)
    else:
        assert (row.status, row.reason) == (ComplianceStatus.EXEMPT, ExemptReason.LEFT_EARLY)


def test_a_member_not_in_office_during_a_period_has_no_row_for_it(engine, world):
    who = member(engine, world, in_office_from=date(2026, 7, 1))
    assert [r for r in rows(engine, world.leader, "2026Q1") if r.member_id == who] == []


@pytest.mark.parametrize(("status", "exempt"), [(LeaveStatus.APPROVED, True),
                                                 (LeaveStatus.PENDING, False),
                                                 (LeaveStatus.REFUSED, False)])
def test_only_approved_leave_exempts(engine, world, status, exempt):
    who = member(engine, world)
    with write_session(engine) as session:  # 70 of the quarter's 92 days: 22 remain
        session.add(MemberLeave(member_id=who, starts_on=date(2026, 10, 1),
                                ends_on=date(2026, 12, 9), status=status))
    row = one(engine, world.leader, "2026Q4", who, ComplianceRule.CONTACT)
    assert (row.status is ComplianceStatus.EXEMPT) is exempt
    if exempt:
        assert row.reason is ExemptReason.ON_LEAVE


# --- what counts ------------------------------------------------------------------------------


def test_a_joint_visit_counts_for_each_member_on_it(engine, world):
    a, b = member(engine, world, "甲"), member(engine, world, "乙")
    visit(engine, [a, b], date(2026, 10, 9))
    assert {r.member_id: r.done for r in rows(engine, world.leader, "2026Q4")
            if r.rule is ComplianceRule.CONTACT} == {a: 1, b: 1}


def test_a_co_signed_report_counts_for_the_co_signer(engine, world):
    lead, co = member(engine, world, "甲"), member(engine, world, "乙")
    report(engine, world, lead, date(2026, 8, 3), co=(co,))
    found = {r.member_id: r.status for r in rows(engine, world.leader, "2026H2")
             if r.rule is ComplianceRule.REPORT}
    assert found == {lead: ComplianceStatus.MET, co: ComplianceStatus.MET}


def test_a_station_activity_counts_while_the_setting_says_so(engine, world):
    who = member(engine, world)
    with write_session(engine) as session:
        kind = factories.activity_type(session)
        station = factories.workstation(session, session.get(Committee, world.org[1]))
        person = session.get(factories.Member, who)
        factories.activity(session, station, [person], on=date(2026, 10, 5), type_id=kind.id)
        factories.activity(session, station, [person], on=date(2026, 11, 5), type_id=kind.id)
        workstations.set_activities_count_as_contacts(
            session=session, actor=world.admin, value=False,
            effective_from=date(2026, 11, 1), today=TODAY)
    assert one(engine, world.leader, "2026Q4", who, ComplianceRule.CONTACT).done == 1


def test_a_deleted_record_never_counts_and_a_restored_one_does_again(engine, world):
    who = member(engine, world)
    visit_id = visit(engine, [who], date(2026, 10, 9))
    with write_session(engine) as session:
        session.get(Visit, visit_id).deleted_at = utcnow()
    assert one(engine, world.leader, "2026Q4", who, ComplianceRule.CONTACT).done == 0
    with write_session(engine) as session:
        session.get(Visit, visit_id).deleted_at = None
    assert one(engine, world.leader, "2026Q4", who, ComplianceRule.CONTACT).done == 1


def test_a_committee_move_keeps_the_earlier_quarter_with_the_earlier_committee(engine,
                                                                              world):
    who = member(engine, world)
    with write_session(engine) as session:
        first = session.exec(select(MemberAssignment).where(
            MemberAssignment.member_id == who)).one()
        first.ends_on = date(2026, 3, 31)
        session.add(first)
        session.add(MemberAssignment(member_id=who, organisation_id=factories.TOP,
                                     term_id=first.term_id, sector_id=first.sector_id,
                                     committee_id=world.economy_id, starts_on=date(2026, 4, 1)))
    q1 = one(engine, world.leader, "2026Q1", who, ComplianceRule.CONTACT)
    q2 = one(engine, world.leader, "2026Q2", who, ComplianceRule.CONTACT)
    assert (q1.committee, q2.committee) == ("教科卫体委员会", "经济委员会")
    assert q1.required == q2.required == 1  # a move is not an absence
    moved = rows(engine, world.leader, "2026", committee_id=world.economy_id)
    assert {r.period.starts_on for r in moved if r.rule is ComplianceRule.CONTACT} == {
        date(2026, 4, 1), date(2026, 7, 1), date(2026, 10, 1)}


def test_statuses_met_pending_with_days_left_and_missed(engine, world):
    who = member(engine, world)
    visit(engine, [who], date(2026, 8, 1))
    year = [r for r in rows(engine, world.leader, "2026") if r.rule is ComplianceRule.CONTACT]
    assert [(r.status, r.days_left) for r in year] == [
        (ComplianceStatus.MISSED, 0), (ComplianceStatus.MISSED, 0), (ComplianceStatus.MET, 0),
        (ComplianceStatus.PENDING, 41)]


# --- who sees what -------------------------------------------------------------------------------


def test_a_member_sees_only_themself(engine, world):
    me, other = member(engine, world, "甲"), member(engine, world, "乙")
    with write_session(engine) as session:
        mine = factories.actor(session, "jia", Role.MEMBER, member_id=me)
        nobody = factories.actor(session, "nobody", Role.MEMBER)
    assert {r.member_id for r in rows(engine, mine, "2026Q4")} == {me}
    assert other not in {r.member_id for r in rows(engine, mine, "2026Q4")}
    with pytest.raises(PermissionDenied):
        rows(engine, nobody, "2026Q4")


def test_another_organisations_administrator_sees_none_of_ours(engine, world):
    member(engine, world)
    with write_session(engine) as session:
        outsider = factories.actor(session, "county", Role.ADMIN, organisations={99})
    assert rows(engine, outsider, "2026Q4") == []


# --- the rules as dated settings ---------------------------------------------------------


def set_rule(engine, actor: Actor, rule: ComplianceRule, effective_from: date | None,
             required: int | None = 1, grace_days: int | None = 30, cosigners: bool = True,
             today: date = date(2026, 1, 10)):
    with write_session(engine) as session:
        return quota_rules.set_rule(session=session, actor=actor, rule=rule, required=required,
                                    grace_days=grace_days, cosigners_count=cosigners,
                                    effective_from=effective_from, today=today)


def test_a_rule_changed_mid_year_applies_to_the_periods_starting_after_it(engine, world):
    who = member(engine, world)
    for day in (date(2026, 2, 1), date(2026, 8, 1), date(2026, 8, 20)):
        visit(engine, [who], day)
    set_rule(engine, world.admin, ComplianceRule.CONTACT, date(2026, 5, 15), required=2)
    year = [r for r in rows(engine, world.leader, "2026") if r.rule is ComplianceRule.CONTACT]
    # Q2 had begun before the change: it keeps 1; Q3 and Q4 start after it: 2.
    assert [(r.required, r.done, r.status) for r in year] == [
        (1, 1, ComplianceStatus.MET), (1, 0, ComplianceStatus.MISSED),
        (2, 2, ComplianceStatus.MET), (2, 0, ComplianceStatus.PENDING)]


def test_grace_days_are_a_dated_setting(engine, world):
    who = member(engine, world, in_office_from=date(2026, 12, 1))  # 31 days in Q4
    assert one(engine, world.leader, "2026Q4", who, ComplianceRule.CONTACT).required == 1
    set_rule(engine, world.admin, ComplianceRule.CONTACT, date(2026, 10, 1), grace_days=45,
             today=TODAY)
    row = one(engine, world.leader, "2026Q4", who, ComplianceRule.CONTACT)
    assert (row.status, row.reason) == (ComplianceStatus.EXEMPT, ExemptReason.JOINED_LATE)


def test_co_signers_stop_counting_from_the_half_year_after_the_change(engine, world):
    lead, co = member(engine, world, "甲"), member(engine, world, "乙")
    report(engine, world, lead, date(2026, 3, 3), co=(co,))
    report(engine, world, lead, date(2026, 9, 3), co=(co,))
    set_rule(engine, world.admin, ComplianceRule.REPORT, date(2026, 7, 1), cosigners=False)
    done = {(r.member_id, r.period.index): r.done for r in rows(engine, world.leader, "2026")
            if r.rule is ComplianceRule.REPORT}
    assert done == {(lead, 1): 1, (co, 1): 1, (lead, 2): 1, (co, 2): 0}


def test_a_rule_change_cannot_reach_a_period_already_over(engine, world):
    with pytest.raises(ValidationFailed) as refused:
        set_rule(engine, world.admin, ComplianceRule.CONTACT, date(2025, 12, 31))
    assert refused.value.field_errors == {"effective_from": "quota_rules.error.effective_past"}
    set_rule(engine, world.admin, ComplianceRule.CONTACT, date(2026, 1, 1))  # the current Q1


@pytest.mark.parametrize(("required", "grace", "field"), [
    (0, 30, "required"), (None, 30, "required"), (21, 30, "required"),
    (1, -1, "grace_days"), (1, 91, "grace_days"), (1, None, "grace_days")])
def test_rule_settings_out_of_range_are_refused_beside_their_field(engine, world, required,
                                                                    grace, field):
    with pytest.raises(ValidationFailed) as refused:
        set_rule(engine, world.admin, ComplianceRule.CONTACT, date(2026, 4, 1),
                 required=required, grace_days=grace)
    assert set(refused.value.field_errors) == {field}
    with read_session(engine) as session:
        assert quota_rules.rule_history(session=session) == []


def test_a_new_change_replaces_later_ones_of_the_same_rule_and_is_audited(engine, world):
    set_rule(engine, world.admin, ComplianceRule.CONTACT, date(2026, 7, 1), required=3)
    set_rule(engine, world.admin, ComplianceRule.REPORT, date(2026, 7, 1), required=2)
    set_rule(engine, world.admin, ComplianceRule.CONTACT, date(2026, 4, 1), required=2)
    with read_session(engine) as session:
        history = quota_rules.rule_history(session=session)
        audited = session.exec(select(AuditEntry).where(
            AuditEntry.entity == "QuotaRuleChange")).all()
    assert [(c.rule, c.effective_from, c.settings.required) for c in history] == [
        (ComplianceRule.CONTACT, date(2026, 4, 1), 2),
        (ComplianceRule.REPORT, date(2026, 7, 1), 2)]
    assert len(audited) == 3


@pytest.mark.parametrize("role", [Role.LEADER, Role.STAFF, Role.MEMBER])
def test_only_administrators_change_the_rules(engine, world, role):
    with write_session(engine) as session:
        someone = factories.actor(session, f"x{role.value}", role)
    with pytest.raises(PermissionDenied):
        set_rule(engine, someone, ComplianceRule.CONTACT, date(2026, 4, 1))


def test_a_deleted_activity_never_counts(engine, world):
    who = member(engine, world)
    with write_session(engine) as session:
        kind = factories.activity_type(session)
        station = factories.workstation(session, session.get(Committee, world.org[1]))
        done = factories.activity(session, station, [session.get(factories.Member, who)],
                                  on=date(2026, 10, 5), type_id=kind.id)
        done.deleted_at = utcnow()
    assert one(engine, world.leader, "2026Q4", who, ComplianceRule.CONTACT).done == 0


def test_the_frame_and_the_rows_agree_and_a_member_on_leave_and_moved_is_worked_out(engine,
                                                                                    world):
    """The column-wise path and the members worked out one by one (several seats, leave)
    give the same answers as the rows."""
    plain, moved = member(engine, world, "甲"), member(engine, world, "乙")
    with write_session(engine) as session:
        first = session.exec(select(MemberAssignment).where(
            MemberAssignment.member_id == moved)).one()
        first.ends_on = date(2026, 5, 10)
        session.add(MemberAssignment(member_id=moved, organisation_id=factories.TOP,
                                     term_id=first.term_id, sector_id=first.sector_id,
                                     committee_id=world.economy_id, starts_on=date(2026, 5, 11)))
        session.add(MemberLeave(member_id=plain, starts_on=date(2026, 7, 1),
                                ends_on=date(2026, 9, 10), status=LeaveStatus.APPROVED))
    with read_session(engine) as session:
        frame = compliance.compliance_frame(session=session, actor=world.leader,
                                            span=compliance.parse_span("2026"), today=TODAY)
    found = {(r.member, r.rule, r.period): (r.required, r.status, r.reason, r.committee)
             for r in frame.itertuples()}
    assert found[("甲", "contact", "2026Q3")] == (0, "exempt", "on_leave", "教科卫体委员会")
    assert found[("乙", "contact", "2026Q2")] == (1, "missed", None, "经济委员会")
    assert len(frame) == len(rows(engine, world.leader, "2026")) == 12


def test_a_period_not_begun_yet_has_no_row_and_nobody_is_behind_on_it(engine, world):
    who = member(engine, world)
    spring = rows(engine, world.leader, "2026", today=date(2026, 5, 1))
    assert [(r.rule, r.period.starts_on) for r in spring if r.member_id == who] == [
        (ComplianceRule.CONTACT, date(2026, 1, 1)), (ComplianceRule.CONTACT, date(2026, 4, 1)),
        (ComplianceRule.REPORT, date(2026, 1, 1))]
    assert rows(engine, world.leader, "2027") == []


def test_a_term_change_inside_a_quarter_keeps_the_days_of_office_and_the_term_of_then(
        engine, world):
    """Seated in 十四届 until 14 December, in 十五届 from the 15th: under either term the
    quarter counts all 92 days in office; the quarter belongs to 十五届 (the seat of its
    last day), so the 十四届 filter leaves it out."""
    who = member(engine, world)
    with write_session(engine) as session:
        first = session.exec(select(MemberAssignment).where(
            MemberAssignment.member_id == who)).one()
        first.ends_on = date(2026, 12, 14)
        later = factories.Term(organisation_id=factories.TOP, number=15, name="十五届",
                               starts_on=date(2026, 12, 15))
        session.add(later)
        session.flush()
        session.add(MemberAssignment(member_id=who, organisation_id=factories.TOP,
                                     term_id=later.id, sector_id=first.sector_id,
                                     committee_id=first.committee_id,
                                     starts_on=date(2026, 12, 15)))
        earlier_term, later_term = first.term_id, later.id
    day = date(2026, 12, 20)
    under_later = [r for r in rows(engine, world.leader, "2026Q4", day, term_id=later_term)
                   if r.rule is ComplianceRule.CONTACT]
    assert [(r.member_id, r.required, r.status) for r in under_later] == [
        (who, 1, ComplianceStatus.PENDING)]  # not "joined late"
    assert [r for r in rows(engine, world.leader, "2026Q4", day, term_id=earlier_term)
            if r.rule is ComplianceRule.CONTACT] == []
