"""Proposals, light: the number unique in its organisation, the lead and co-signers, the
source topic or problems, the reply and satisfaction (versioned, audited), who may do
what, the list, a member's proposals and the handled rate, counted by hand."""

from dataclasses import dataclass
from datetime import date

import pytest
from sqlmodel import select

from core.db import read_session, write_session
from models import (
    AuditAction,
    AuditEntry,
    CollectedProblem,
    Committee,
    Member,
    MemberAssignment,
    ProblemStatus,
    ProblemStatusChange,
    Proposal,
    ProposalMember,
    ProposalStatus,
    Role,
    Satisfaction,
    Term,
)
from services import problems, proposals, topics
from services.actors import Actor
from services.errors import PermissionDenied, StaleRecord, ValidationFailed
from services.problems import ProblemItem, StatusChange, TransitionRefused
from services.proposals import ProposalDraft, ProposalFilters
from services.topics import Grouping, TopicDraft
from tests.helpers import factories

TODAY = date(2026, 11, 21)
P = ProposalStatus
actor = factories.actor


@dataclass(frozen=True)
class World:
    education_id: int
    economy_id: int
    term_id: int
    liu_id: int
    wang_id: int
    zhao_id: int
    staff: Actor
    other_staff: Actor
    leader: Actor
    admin: Actor
    liu: Actor
    wang: Actor


@pytest.fixture
def world(engine) -> World:
    with write_session(engine) as session:
        org = factories.organisation(session)
        economy = Committee(organisation_id=factories.TOP, name="经济委员会")
        session.add(economy)
        session.flush()
        liu = factories.member(session, org, name="刘洋")
        wang = factories.member(session, org, name="王芳")
        zhao = factories.member(session, (org[0], economy, org[2]), name="赵强")
        return World(
            education_id=org[1].id, economy_id=economy.id, term_id=org[2].id, liu_id=liu.id,
            wang_id=wang.id, zhao_id=zhao.id,
            staff=actor(session, "clerk", Role.STAFF, committees=[org[1].id]),
            other_staff=actor(session, "economist", Role.STAFF, committees=[economy.id]),
            leader=actor(session, "chair", Role.LEADER),
            admin=actor(session, "admin", Role.ADMIN),
            liu=actor(session, "liuyang", Role.MEMBER, member_id=liu.id),
            wang=actor(session, "wangfang", Role.MEMBER, member_id=wang.id),
        )


def draft(world: World, **fields) -> ProposalDraft:
    values = {"number": "20260001", "title": "关于加快老旧小区加装电梯的提案",
              "term_id": world.term_id, "submitted_on": date(2026, 3, 1),
              "lead_member_id": world.liu_id, "co_signer_ids": (world.wang_id,)} | fields
    return ProposalDraft(**values)


def create(engine, who: Actor, proposal: ProposalDraft, *, key: str = "k1") -> Proposal:
    with write_session(engine) as session:
        return proposals.create_proposal(session=session, actor=who,
                                         organisation_id=factories.TOP, draft=proposal,
                                         idempotency_key=key, today=TODAY)


def refused(engine, who: Actor, proposal: ProposalDraft) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        create(engine, who, proposal, key="refused")
    return caught.value.field_errors


def update(engine, who: Actor, proposal_id: int, version: int | None = None,
           **changes) -> Proposal:
    with write_session(engine) as session:
        if version is None:
            version = session.get(Proposal, proposal_id).version
        return proposals.update_proposal(session=session, actor=who, proposal_id=proposal_id,
                                         expected_version=version, changes=changes,
                                         today=TODAY)


def rows(engine, model, *where):
    with read_session(engine) as session:
        return session.exec(select(model).where(*where)).all()


def collect(engine, world: World, *contents: str) -> list[int]:
    with write_session(engine) as session:
        visit = factories.visit(session, [session.get(Member, world.liu_id)],
                                on=date(2026, 2, 1))
        return [p.id for p in problems.add_problems(
            session, world.staff, organisation_id=factories.TOP,
            committee_id=world.education_id, collected_on=date(2026, 2, 1),
            items=[ProblemItem(text) for text in contents], visit_id=visit.id)]


def test_a_proposal_is_saved_with_its_lead_and_co_signers_and_audited(engine, world):
    proposal = create(engine, world.staff, draft(world, is_key=True, handling_unit="住建局"))
    assert (proposal.status, proposal.is_key, proposal.handling_unit) == (
        P.SUBMITTED, True, "住建局")
    signers = rows(engine, ProposalMember, ProposalMember.proposal_id == proposal.id)
    assert {(s.member_id, s.is_lead) for s in signers} == {(world.liu_id, True),
                                                            (world.wang_id, False)}
    (audit,) = rows(engine, AuditEntry, AuditEntry.entity == "Proposal")
    assert audit.action is AuditAction.CREATE


def test_the_same_form_sent_twice_saves_one_proposal(engine, world):
    assert create(engine, world.staff, draft(world)).id == create(
        engine, world.staff, draft(world)).id
    assert len(rows(engine, Proposal)) == 1


def test_a_number_already_used_in_the_organisation_is_refused_beside_the_field(engine, world):
    create(engine, world.staff, draft(world))
    assert refused(engine, world.staff, draft(world, title="另一件")) == {
        "number": "proposals.error.number_taken"}
    assert len(rows(engine, Proposal)) == 1


@pytest.mark.parametrize(("fields", "errors"), [
    ({"number": " "}, {"number": "proposals.error.number_required"}),
    ({"number": "1" * 31}, {"number": "proposals.error.too_long"}),
    ({"title": ""}, {"title": "proposals.error.title_required"}),
    ({"term_id": None}, {"term_id": "proposals.error.term_required"}),
    ({"term_id": 99_999}, {"term_id": "proposals.error.term_unknown"}),
    ({"submitted_on": date(2026, 11, 22)}, {"submitted_on": "proposals.error.future_date"}),
    ({"lead_member_id": None}, {"lead": "proposals.error.lead_required"}),
    ({"co_signer_ids": (99_999,)}, {"co_signers": "proposals.error.member_unknown"}),
    ({"topic_id": 99_999}, {"topic_id": "proposals.error.topic_unknown"}),
    ({"handling_unit": "单" * 121}, {"handling_unit": "proposals.error.too_long"}),
])
def test_each_bad_field_is_named_and_nothing_is_saved(engine, world, fields, errors):
    assert refused(engine, world.staff, draft(world, **fields)) == errors
    assert rows(engine, Proposal) == []


def test_the_lead_is_not_counted_again_as_a_co_signer(engine, world):
    proposal = create(engine, world.staff, draft(world, co_signer_ids=(world.liu_id,)))
    assert len(rows(engine, ProposalMember, ProposalMember.proposal_id == proposal.id)) == 1


def test_problems_turned_into_a_proposal_take_the_step_and_are_final(engine, world):
    pids = collect(engine, world, "电梯", "停车")
    proposal = create(engine, world.staff, draft(world, problem_ids=tuple(pids)))
    for pid in pids:
        (problem,) = rows(engine, CollectedProblem, CollectedProblem.id == pid)
        assert (problem.status, problem.proposal_id) == (ProblemStatus.TO_PROPOSAL, proposal.id)
        history = rows(engine, ProblemStatusChange, ProblemStatusChange.problem_id == pid)
        assert history[-1].to_status is ProblemStatus.TO_PROPOSAL
    with write_session(engine) as session, pytest.raises(TransitionRefused) as caught:
        problems.change_status(session=session, actor=world.staff, problem_id=pids[0],
                               expected_version=2, today=TODAY,
                               change=StatusChange(ProblemStatus.CLOSED, reason="x"))
    assert caught.value.message_key == "problems.error.from_final"


def test_the_problem_step_to_a_proposal_needs_one_of_the_problems_organisation(engine, world):
    proposal = create(engine, world.staff, draft(world))
    (pid,) = collect(engine, world, "电梯")

    def step(**fields):
        with write_session(engine) as session:
            return problems.change_status(
                session=session, actor=world.staff, problem_id=pid, expected_version=1,
                today=TODAY, change=StatusChange(ProblemStatus.TO_PROPOSAL, **fields))

    for fields, key in (({}, "proposals.problem_step.proposal_required"),
                        ({"proposal_id": 99_999}, "proposals.problem_step.unknown_proposal")):
        with pytest.raises(ValidationFailed) as caught:
            step(**fields)
        assert caught.value.field_errors == {"proposal_id": key}
    assert step(proposal_id=proposal.id, note="列入提案").proposal_id == proposal.id
    assert problems.TRANSITIONS[ProblemStatus.REFERRED][-2] is ProblemStatus.TO_PROPOSAL


def test_a_proposal_from_a_topic_is_listed_on_the_topic(engine, world):
    with write_session(engine) as session:
        topic = topics.create_topic(
            session=session, actor=world.staff, organisation_id=factories.TOP,
            draft=TopicDraft(title="电梯", committee_id=world.education_id),
            idempotency_key="t", today=TODAY)
    proposal = create(engine, world.staff, draft(world, topic_id=topic.id))
    with read_session(engine) as session:
        detail = topics.topic_detail(session=session, actor=world.leader, topic_id=topic.id)
    assert detail.proposals == [(proposal.id, "20260001", proposal.title)]


def test_who_may_create_a_proposal(engine, world):
    with pytest.raises(PermissionDenied):  # the lead is not of their committee
        create(engine, world.other_staff, draft(world))
    for who in (world.leader, world.liu):
        with pytest.raises(PermissionDenied):
            create(engine, who, draft(world))
    assert create(engine, world.other_staff, draft(world, lead_member_id=world.zhao_id)).id


def test_the_reply_and_satisfaction_hold_together(engine, world):
    proposal = create(engine, world.staff, draft(world))
    with pytest.raises(ValidationFailed) as caught:
        update(engine, world.staff, proposal.id, status=P.REPLIED)
    assert caught.value.field_errors == {"replied_on": "proposals.error.reply_day_required"}
    with pytest.raises(ValidationFailed) as caught:
        update(engine, world.staff, proposal.id, satisfaction=Satisfaction.SATISFIED)
    assert caught.value.field_errors == {
        "satisfaction": "proposals.error.satisfaction_not_replied"}
    for day, key in ((date(2026, 2, 28), "proposals.error.before_submitted"),
                     (date(2026, 11, 22), "proposals.error.future_date")):
        with pytest.raises(ValidationFailed) as caught:
            update(engine, world.staff, proposal.id, status=P.REPLIED, replied_on=day)
        assert caught.value.field_errors == {"replied_on": key}
    replied = update(engine, world.staff, proposal.id, status=P.REPLIED,
                     replied_on=date(2026, 6, 1), reply_summary="已列入计划",
                     satisfaction=Satisfaction.BASICALLY_SATISFIED, handling_unit="住建局")
    assert (replied.status, replied.replied_on, replied.satisfaction, replied.version) == (
        P.REPLIED, date(2026, 6, 1), Satisfaction.BASICALLY_SATISFIED, 2)
    audit = rows(engine, AuditEntry, AuditEntry.action == AuditAction.UPDATE)[-1]
    assert '"satisfaction": "basically_satisfied"' in audit.after


def test_an_update_on_a_stale_version_or_out_of_scope_is_refused(engine, world):
    proposal = create(engine, world.staff, draft(world))
    update(engine, world.admin, proposal.id, status=P.FILED)
    with pytest.raises(StaleRecord):
        update(engine, world.staff, proposal.id, version=1, status=P.HANDLING)
    for who in (world.leader, world.other_staff, world.liu):
        with pytest.raises(PermissionDenied):
            update(engine, who, proposal.id, status=P.HANDLING)


def test_the_list_filters_and_a_member_sees_their_own(engine, world):
    mine = create(engine, world.staff, draft(world, is_key=True), key="a")
    other = create(engine, world.other_staff, draft(world, number="20260002", title="营商环境",
                                                    lead_member_id=world.zhao_id,
                                                    co_signer_ids=()), key="b")

    def ids(who: Actor = world.leader, **filters) -> list[int]:
        with read_session(engine) as session:
            return proposals.list_proposals(session=session, actor=who,
                                            filters=ProposalFilters(**filters))["id"].tolist()

    assert sorted(ids()) == sorted([mine.id, other.id])
    assert ids(committee_id=world.economy_id) == [other.id]
    assert ids(key_only=True) == [mine.id]
    assert ids(search="王芳") == [mine.id]
    assert ids(search="20260002") == [other.id]
    assert ids(statuses=frozenset({P.REPLIED})) == []
    assert ids(world.wang) == [mine.id]  # a co-signer
    with read_session(engine) as session:
        listed = proposals.member_proposals(session=session, actor=world.wang,
                                            member_id=world.wang_id)
        assert listed[["lead", "co_signers"]].values.tolist() == [["刘洋", "王芳"]]
        with pytest.raises(PermissionDenied):
            proposals.member_proposals(session=session, actor=world.wang,
                                       member_id=world.liu_id)


def test_the_committee_is_the_leads_on_the_submission_day(engine, world):
    with write_session(engine) as session:  # 刘洋 moved to 经济委员会 in June
        assignment = session.exec(select(MemberAssignment).where(
            MemberAssignment.member_id == world.liu_id)).one()
        assignment.ends_on = date(2026, 5, 31)
        session.add(MemberAssignment(member_id=world.liu_id, organisation_id=factories.TOP,
                                     term_id=world.term_id, sector_id=assignment.sector_id,
                                     committee_id=world.economy_id,
                                     starts_on=date(2026, 6, 1)))
        liu = session.get(Member, world.liu_id)
        liu.committee_id = world.economy_id
    march = create(engine, world.staff, draft(world), key="a")
    with pytest.raises(PermissionDenied):  # in July 刘洋 is no longer theirs
        create(engine, world.staff, draft(world, number="2", submitted_on=date(2026, 7, 1)),
               key="b")
    with read_session(engine) as session:
        listed = proposals.list_proposals(session=session, actor=world.staff)
    assert listed[["id", "committee", "can_edit"]].values.tolist() == [
        [march.id, "教科卫体委员会", True]]


def test_the_handled_rate_is_replied_over_filed_handling_and_replied(engine, world):
    statuses = [P.SUBMITTED, P.FILED, P.HANDLING, P.REPLIED, P.REPLIED, P.NOT_FILED]
    for index, status in enumerate(statuses):
        made = create(engine, world.admin, draft(world, number=str(index), is_key=index == 3),
                      key=str(index))
        if status is not P.SUBMITTED:
            replied = {"replied_on": date(2026, 6, 1)} if status is P.REPLIED else {}
            update(engine, world.admin, made.id, status=status, **replied)
    economy = create(engine, world.admin, draft(world, number="e", lead_member_id=world.zhao_id,
                                                co_signer_ids=()), key="e")
    update(engine, world.admin, economy.id, status=P.HANDLING)
    with read_session(engine) as session:
        rates = proposals.handled_rates(session=session, actor=world.leader)
        by_organisation = proposals.handled_rates(session=session, actor=world.leader,
                                                  by=Grouping.ORGANISATION)
        in_period = proposals.handled_rates(session=session, actor=world.leader,
                                            first=date(2027, 1, 1), last=date(2027, 12, 31))
    education = rates.set_index("name").loc["教科卫体委员会"]
    assert (education["submitted"], education["in_rate"], education["replied"],
            education["handled_rate"], education["key"]) == (6, 4, 2, 0.5, 1)
    total = rates.iloc[-1]
    assert (total["submitted"], total["in_rate"], total["handled_rate"]) == (7, 5, 0.4)
    assert by_organisation.iloc[0]["handled_rate"] == 0.4
    assert in_period.iloc[-1]["handled_rate"] is None
    with read_session(engine) as session, pytest.raises(PermissionDenied):
        proposals.handled_rates(session=session, actor=world.liu)


def test_the_terms_offered_start_with_the_current_one(engine, world):
    with write_session(engine) as session:
        other_term = Term(organisation_id=factories.TOP, number=13, name="十三届",
                          starts_on=date(2018, 1, 1))
        session.add(other_term)
        session.flush()
        choices = proposals.term_choices(session=session, actor=world.staff,
                                         organisation_id=factories.TOP)
    assert list(choices.values()) == ["十四届", "十三届"]  # the current one first
