"""Consultation and supervision topics: creation from problems, a report or typed (saved
once), the stages one at a time with their days, participants and results, conclusion
with the verdict, who may do what, the list's filters and the figures, counted by hand."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from core.db import read_session, write_session
from models import (
    AuditAction,
    AuditEntry,
    CollectedProblem,
    Committee,
    ConsultationTopic,
    Member,
    OpinionReport,
    Organisation,
    OrgLevel,
    ProblemStatus,
    ProblemStatusChange,
    Role,
    TopicEvent,
    TopicKind,
    TopicMember,
    TopicStage,
)
from services import problems, topics
from services.actors import Actor
from services.errors import PermissionDenied, StaleRecord, ValidationFailed
from services.problems import ProblemItem, StatusChange
from services.topics import Grouping, StageRefused, TopicDraft, TopicFilters
from tests.helpers import factories

TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
S = TopicStage
actor = factories.actor


@dataclass(frozen=True)
class World:
    education_id: int
    economy_id: int
    liu_id: int
    wang_id: int
    zhao_id: int
    staff: Actor  # staff of 教科卫体委员会
    other_staff: Actor  # staff of 经济委员会
    leader: Actor
    admin: Actor
    outside_admin: Actor
    liu: Actor  # the member 刘洋


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
            education_id=org[1].id, economy_id=economy.id, liu_id=liu.id, wang_id=wang.id,
            zhao_id=zhao.id,
            staff=actor(session, "clerk", Role.STAFF, committees=[org[1].id]),
            other_staff=actor(session, "economist", Role.STAFF, committees=[economy.id]),
            leader=actor(session, "chair", Role.LEADER),
            admin=actor(session, "admin", Role.ADMIN),
            outside_admin=actor(session, "county", Role.ADMIN, organisations={99}),
            liu=actor(session, "liuyang", Role.MEMBER, member_id=liu.id),
        )


def collect(engine, world: World, *contents: str, on: date = date(2026, 10, 1),
            committee_id: int | None = None) -> list[int]:
    with write_session(engine) as session:
        members = [session.get(Member, world.liu_id)]
        visit = factories.visit(session, members, on=on)
        return [p.id for p in problems.add_problems(
            session, world.staff, organisation_id=factories.TOP,
            committee_id=committee_id or world.education_id, collected_on=on,
            items=[ProblemItem(text) for text in contents], visit_id=visit.id)]


def draft(world: World, **fields) -> TopicDraft:
    values = {"title": "老旧小区加装电梯", "committee_id": world.education_id,
              "proposed_on": date(2026, 11, 1)} | fields
    return TopicDraft(**values)


def create(engine, who: Actor, topic_draft: TopicDraft, *, key: str = "k1") -> ConsultationTopic:
    with write_session(engine) as session:
        return topics.create_topic(session=session, actor=who, organisation_id=factories.TOP,
                                   draft=topic_draft, idempotency_key=key, today=TODAY, now=NOW)


def refused(engine, who: Actor, topic_draft: TopicDraft) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        create(engine, who, topic_draft, key="refused")
    return caught.value.field_errors


def advance(engine, who: Actor, topic_id: int, to: TopicStage, on: date | None = None,
            note: str = "", version: int | None = None) -> ConsultationTopic:
    with write_session(engine) as session:
        if version is None:
            version = session.get(ConsultationTopic, topic_id).version
        return topics.advance_stage(session=session, actor=who, topic_id=topic_id,
                                    expected_version=version, to_stage=to, happened_on=on,
                                    note=note, today=TODAY, now=NOW)


def walk_to(engine, who: Actor, topic_id: int, last: TopicStage) -> None:
    stages = list(TopicStage)
    for stage in stages[1:stages.index(last) + 1]:
        advance(engine, who, topic_id, stage, on=date(2026, 11, 1 + stages.index(stage)))


def conclude(engine, who: Actor, topic_id: int, carried_out: bool | None,
             on: date | None = None) -> ConsultationTopic:
    with write_session(engine) as session:
        version = session.get(ConsultationTopic, topic_id).version
        return topics.conclude_topic(session=session, actor=who, topic_id=topic_id,
                                     expected_version=version, carried_out=carried_out,
                                     done_on=on, note="验收", today=TODAY, now=NOW)


def update(engine, who: Actor, topic_id: int, version: int | None = None,
           **changes) -> ConsultationTopic:
    with write_session(engine) as session:
        if version is None:
            version = session.get(ConsultationTopic, topic_id).version
        return topics.update_topic(session=session, actor=who, topic_id=topic_id,
                                   expected_version=version, changes=changes)


def rows(engine, model, *where):
    with read_session(engine) as session:
        return session.exec(select(model).where(*where)).all()


# --- creation ---------------------------------------------------------------------------


def test_a_typed_topic_starts_in_selection_with_its_first_timeline_row_and_audit(
        engine, world):
    topic = create(engine, world.staff, draft(world, member_ids=(world.liu_id, world.wang_id)))
    assert (topic.stage, topic.stage_on, topic.proposed_on, topic.kind) == (
        S.SELECTION, date(2026, 11, 1), date(2026, 11, 1), TopicKind.CONSULTATION)
    (event,) = rows(engine, TopicEvent, TopicEvent.topic_id == topic.id)
    assert (event.from_stage, event.to_stage, event.happened_on) == (
        None, S.SELECTION, date(2026, 11, 1))
    members = rows(engine, TopicMember, TopicMember.topic_id == topic.id)
    assert {m.member_id for m in members} == {world.liu_id, world.wang_id}
    (audit,) = rows(engine, AuditEntry, AuditEntry.entity == "ConsultationTopic")
    assert audit.action is AuditAction.CREATE


def test_the_same_form_sent_twice_saves_one_topic(engine, world):
    first = create(engine, world.staff, draft(world), key="same")
    second = create(engine, world.staff, draft(world), key="same")
    assert first.id == second.id
    assert len(rows(engine, ConsultationTopic)) == 1
    assert len(rows(engine, TopicEvent)) == 1


def test_problems_turned_into_a_topic_take_the_step_with_their_history(engine, world):
    pids = collect(engine, world, "电梯", "停车")
    topic = create(engine, world.staff, draft(world, problem_ids=tuple(pids)))
    for pid in pids:
        (problem,) = rows(engine, CollectedProblem, CollectedProblem.id == pid)
        assert (problem.status, problem.topic_id) == (ProblemStatus.TO_TOPIC, topic.id)
        history = rows(engine, ProblemStatusChange, ProblemStatusChange.problem_id == pid)
        assert [h.to_status for h in history] == [ProblemStatus.PENDING, ProblemStatus.TO_TOPIC]


def test_a_problem_no_longer_open_refuses_the_topic_and_nothing_is_saved(engine, world):
    open_one, closed = collect(engine, world, "电梯", "停车")
    with write_session(engine) as session:
        problems.change_status(session=session, actor=world.staff, problem_id=closed,
                               expected_version=1, today=TODAY,
                               change=StatusChange(ProblemStatus.CLOSED, reason="重复"))
    errors = refused(engine, world.staff, draft(world, problem_ids=(open_one, closed)))
    assert errors == {"problem_ids": "topics.error.problem_not_open"}
    assert rows(engine, ConsultationTopic) == []
    (problem,) = rows(engine, CollectedProblem, CollectedProblem.id == open_one)
    assert problem.status is ProblemStatus.PENDING


def test_staff_cannot_take_up_another_committees_problem(engine, world):
    (pid,) = collect(engine, world, "电梯", committee_id=world.economy_id)
    errors = refused(engine, world.staff, draft(world, problem_ids=(pid,)))
    assert errors == {"problem_ids": "topics.error.problem_not_yours"}


def test_a_topic_from_an_opinion_report_keeps_the_report(engine, world):
    with write_session(engine) as session:
        report = OpinionReport(organisation_id=factories.TOP, title="加装电梯难", body="正文",
                               committee_id=world.education_id,
                               submitted_on=date(2026, 10, 1), stage_started_on=date(2026, 10, 1))
        session.add(report)
        session.flush()
        report_id = report.id
    topic = create(engine, world.staff, draft(world, opinion_report_id=report_id))
    with read_session(engine) as session:
        detail = topics.topic_detail(session=session, actor=world.leader, topic_id=topic.id)
    assert detail.report == (report_id, "加装电梯难")
    assert refused(engine, world.staff, draft(world, opinion_report_id=report_id + 99)) == {
        "opinion_report_id": "topics.error.report_unknown"}


def test_a_supervision_topic_needs_its_month_and_group_and_keeps_the_first_day(engine, world):
    errors = refused(engine, world.staff, draft(world, kind=TopicKind.SUPERVISION))
    assert errors == {"supervision_month": "topics.error.month_required",
                      "supervision_group": "topics.error.supervision_group_required"}
    topic = create(engine, world.staff, draft(world, kind=TopicKind.SUPERVISION,
                                              supervision_month=date(2026, 11, 17),
                                              supervision_group="第一监督组"))
    assert (topic.supervision_month, topic.supervision_group) == (date(2026, 11, 1),
                                                                   "第一监督组")


def test_a_consultation_topic_drops_a_supervision_month_it_was_given(engine, world):
    topic = create(engine, world.staff, draft(world, supervision_month=date(2026, 11, 5),
                                              supervision_group="组"))
    assert (topic.supervision_month, topic.supervision_group) == (None, None)


@pytest.mark.parametrize(("fields", "errors"), [
    ({"title": "  "}, {"title": "topics.error.title_required"}),
    ({"title": "长" * 201}, {"title": "topics.error.too_long"}),
    ({"kind": None}, {"kind": "topics.error.kind_required"}),
    ({"committee_id": None}, {"committee_id": "topics.error.committee_required"}),
    ({"proposed_on": date(2026, 11, 22)}, {"proposed_on": "topics.error.future_date"}),
    ({"member_ids": (99_999,)}, {"member_ids": "topics.error.member_unknown"}),
    ({"workstation_id": 99_999}, {"workstation_id": "topics.error.workstation_unknown"}),
])
def test_each_bad_field_is_named_and_nothing_is_saved(engine, world, fields, errors):
    assert refused(engine, world.staff, draft(world, **fields)) == errors
    assert rows(engine, ConsultationTopic) == []


def test_hostile_text_is_stored_as_typed(engine, world):
    typed = '=HYPERLINK("http://x","y") <img src=x onerror=alert(1)> 𠮷 مرحبا'
    topic = create(engine, world.staff, draft(world, title=typed[:200],
                                              description=typed + "长" * 10_000))
    assert topic.title == typed
    assert topic.description == typed + "长" * 10_000


def test_who_may_create_a_topic(engine, world):
    with pytest.raises(PermissionDenied):
        create(engine, world.other_staff, draft(world))
    with pytest.raises(PermissionDenied):
        create(engine, world.leader, draft(world))
    with pytest.raises(PermissionDenied):
        create(engine, world.liu, draft(world))
    with pytest.raises(PermissionDenied):
        create(engine, world.outside_admin, draft(world))
    assert create(engine, world.admin, draft(world)).id


# --- the stages ----------------------------------------------------------------------------


def test_a_topic_moves_one_stage_at_a_time_each_with_its_day_note_and_audit(engine, world):
    topic = create(engine, world.staff, draft(world))
    moved = advance(engine, world.staff, topic.id, S.RESEARCH, on=date(2026, 11, 3),
                    note="走访十个小区")
    assert (moved.stage, moved.stage_on, moved.version) == (S.RESEARCH, date(2026, 11, 3), 2)
    events = rows(engine, TopicEvent, TopicEvent.topic_id == topic.id)
    assert [(e.from_stage, e.to_stage, e.note) for e in events] == [
        (None, S.SELECTION, None), (S.SELECTION, S.RESEARCH, "走访十个小区")]
    audits = rows(engine, AuditEntry, AuditEntry.action == AuditAction.STATUS_CHANGE)
    assert [a.entity_id for a in audits] == [topic.id]


def test_skipping_a_stage_is_refused_naming_the_allowed_one(engine, world):
    topic = create(engine, world.staff, draft(world))
    with pytest.raises(StageRefused) as caught:
        advance(engine, world.staff, topic.id, S.CONSULTATION)
    assert caught.value.message_key == "topics.error.from_selection"
    with pytest.raises(StageRefused):
        advance(engine, world.staff, topic.id, S.DONE)


def test_a_stage_day_before_the_current_stages_day_or_in_the_future_is_refused(engine, world):
    topic = create(engine, world.staff, draft(world))
    for day, key in ((date(2026, 10, 31), "topics.error.before_stage"),
                     (date(2026, 11, 22), "topics.error.future_date")):
        with pytest.raises(ValidationFailed) as caught:
            advance(engine, world.staff, topic.id, S.RESEARCH, on=day)
        assert caught.value.field_errors == {"happened_on": key}
    same_day = advance(engine, world.staff, topic.id, S.RESEARCH, on=date(2026, 11, 1))
    assert same_day.stage_on == date(2026, 11, 1)  # the same day is not before it


def test_a_step_on_a_stale_version_is_refused(engine, world):
    topic = create(engine, world.staff, draft(world))
    advance(engine, world.admin, topic.id, S.RESEARCH)
    with pytest.raises(StaleRecord):
        advance(engine, world.staff, topic.id, S.CONSULTATION, version=topic.version)


def test_leaders_members_and_other_committees_cannot_move_a_topic(engine, world):
    topic = create(engine, world.staff, draft(world))
    for who in (world.leader, world.liu, world.other_staff, world.outside_admin):
        with pytest.raises(PermissionDenied):
            advance(engine, who, topic.id, S.RESEARCH)


def test_conclusion_only_after_implementation_with_the_verdict(engine, world):
    topic = create(engine, world.staff, draft(world))
    with pytest.raises(StageRefused) as caught:
        conclude(engine, world.staff, topic.id, True)
    assert caught.value.message_key == "topics.error.from_selection"
    walk_to(engine, world.staff, topic.id, S.IMPLEMENTATION)
    with pytest.raises(StageRefused) as caught:
        advance(engine, world.staff, topic.id, S.DONE)
    assert caught.value.message_key == "topics.error.from_implementation"
    with pytest.raises(ValidationFailed) as caught:
        conclude(engine, world.staff, topic.id, None)
    assert caught.value.field_errors == {"carried_out": "topics.error.verdict_required"}
    done = conclude(engine, world.staff, topic.id, False, on=date(2026, 11, 20))
    assert (done.stage, done.carried_out, done.done_on) == (S.DONE, False, date(2026, 11, 20))
    with pytest.raises(StageRefused) as caught:
        conclude(engine, world.staff, topic.id, True)
    assert caught.value.message_key == "topics.error.from_done"


# --- participants and results ---------------------------------------------------------


def test_participants_and_results_are_saved_versioned_and_audited(engine, world):
    topic = create(engine, world.staff, draft(world, member_ids=(world.liu_id,)))
    saved = update(engine, world.staff, topic.id, member_ids=[world.wang_id, world.zhao_id],
                   residents="张大爷、李阿姨", residents_count=12, experts="王教授",
                   experts_count=None, departments="住建局\n\n 住建局\n街道办 ",
                   outcome="形成协商意见 3 条")
    assert (saved.residents_count, saved.experts_count, saved.departments, saved.version) == (
        12, 0, "住建局\n街道办", 2)
    members = rows(engine, TopicMember, TopicMember.topic_id == topic.id)
    assert {m.member_id for m in members} == {world.wang_id, world.zhao_id}
    audit = rows(engine, AuditEntry, AuditEntry.action == AuditAction.UPDATE)[-1]
    assert '"members"' in audit.after and '"outcome"' in audit.after


@pytest.mark.parametrize(("changes", "errors"), [
    ({"residents_count": -1}, {"residents_count": "topics.error.count_range"}),
    ({"experts_count": 1_000_001}, {"experts_count": "topics.error.count_range"}),
    ({"residents": "名" * 1001}, {"residents": "topics.error.too_long"}),
    ({"departments": "部" * 121}, {"departments": "topics.error.too_long"}),
    ({"title": ""}, {"title": "topics.error.title_required"}),
    ({"member_ids": [99_999]}, {"member_ids": "topics.error.member_unknown"}),
])
def test_bad_participants_are_named_and_nothing_changes(engine, world, changes, errors):
    topic = create(engine, world.staff, draft(world))
    with pytest.raises(ValidationFailed) as caught:
        update(engine, world.staff, topic.id, **changes)
    assert caught.value.field_errors == errors
    (stored,) = rows(engine, ConsultationTopic)
    assert stored.version == 1


def test_participants_on_a_stale_version_are_refused(engine, world):
    topic = create(engine, world.staff, draft(world))
    update(engine, world.admin, topic.id, outcome="一")
    with pytest.raises(StaleRecord):
        update(engine, world.staff, topic.id, version=1, outcome="二")
    with pytest.raises(PermissionDenied):
        update(engine, world.leader, topic.id, outcome="三")


# --- reading ------------------------------------------------------------------------------


def test_the_list_filters_by_committee_kind_stage_month_period_and_search(engine, world):
    education = create(engine, world.staff, draft(world, title="加装电梯"), key="a")
    monthly = create(engine, world.staff, draft(world, title="菜市场整治",
                                                kind=TopicKind.SUPERVISION,
                                                supervision_month=date(2026, 10, 1),
                                                supervision_group="第二组",
                                                proposed_on=date(2026, 10, 20)), key="b")
    economy = create(engine, world.other_staff, draft(world, title="营商环境",
                                                      committee_id=world.economy_id), key="c")
    advance(engine, world.staff, education.id, S.RESEARCH)

    def ids(**filters) -> list[int]:
        with read_session(engine) as session:
            return topics.list_topics(session=session, actor=world.leader,
                                      filters=TopicFilters(**filters))["id"].tolist()

    assert ids() == [economy.id, education.id, monthly.id]
    assert ids(committee_id=world.economy_id) == [economy.id]
    assert ids(kind=TopicKind.SUPERVISION) == [monthly.id]
    assert ids(stages=frozenset({S.RESEARCH})) == [education.id]
    assert ids(supervision_month=date(2026, 10, 31)) == [monthly.id]
    assert ids(first=date(2026, 10, 1), last=date(2026, 10, 31)) == [monthly.id]
    assert ids(search="电梯") == [education.id]
    assert ids(search="第二组") == [monthly.id]
    assert ids(organisation_ids=frozenset({99})) == []


def test_a_member_reads_only_the_topics_they_took_part_in(engine, world):
    theirs = create(engine, world.staff, draft(world, member_ids=(world.liu_id,)), key="a")
    create(engine, world.staff, draft(world, title="别的"), key="b")
    with read_session(engine) as session:
        listed = topics.member_topics(session=session, actor=world.liu, member_id=world.liu_id)
        assert listed["id"].tolist() == [theirs.id]
        with pytest.raises(PermissionDenied):
            topics.member_topics(session=session, actor=world.liu, member_id=world.wang_id)
        with pytest.raises(PermissionDenied):
            topics.stage_counts(session=session, actor=world.liu)


def test_the_detail_has_the_timeline_members_sources_and_next_step(engine, world):
    (pid,) = collect(engine, world, "电梯")
    topic = create(engine, world.staff, draft(world, problem_ids=(pid,),
                                              member_ids=(world.wang_id, world.liu_id)))
    advance(engine, world.staff, topic.id, S.RESEARCH, note="调研")
    with read_session(engine) as session:
        detail = topics.topic_detail(session=session, actor=world.staff, topic_id=topic.id)
        read_only = topics.topic_detail(session=session, actor=world.leader, topic_id=topic.id)
    assert [name for _, name in detail.members] == ["刘洋", "王芳"]
    assert [(row.to_stage, row.note, row.actor) for row in detail.timeline] == [
        (S.SELECTION, None, "clerk"), (S.RESEARCH, "调研", "clerk")]
    assert detail.problems == [(pid, "电梯")]
    assert (detail.next_stage, detail.can_edit) == (S.CONSULTATION, True)
    assert (read_only.next_stage, read_only.can_edit) == (None, False)


# --- figures, counted by hand ---------------------------------------------------------------


def test_topics_per_stage_by_committee_and_organisation(engine, world):
    with write_session(engine) as session:
        session.add(Organisation(id=2, name="东城区政协", level=OrgLevel.DISTRICT, parent_id=1))
    first = create(engine, world.staff, draft(world), key="a")
    create(engine, world.staff, draft(world), key="b")
    create(engine, world.other_staff, draft(world, committee_id=world.economy_id), key="c")
    advance(engine, world.staff, first.id, S.RESEARCH)
    with read_session(engine) as session:
        counts = topics.stage_counts(session=session, actor=world.leader)
        by_committee = topics.topics_by_stage(session=session, actor=world.admin)
        by_organisation = topics.topics_by_stage(session=session, actor=world.admin,
                                                 by=Grouping.ORGANISATION)
    assert (counts[S.SELECTION], counts[S.RESEARCH], counts[S.DONE]) == (2, 1, 0)
    table = by_committee.set_index("name", drop=False)
    assert table.loc["教科卫体委员会", ["selection", "research", "total"]].tolist() == [1, 1, 2]
    assert table.loc["经济委员会", ["selection", "total"]].tolist() == [1, 1]
    assert by_committee.iloc[-1][["selection", "research", "total"]].tolist() == [2, 1, 3]
    assert by_organisation["total"].tolist() == [3, 3]  # the top organisation, then all


def test_problems_turned_into_topics_or_proposals_count_and_share(engine, world):
    pids = collect(engine, world, "一", "二", "三", "四")
    collect(engine, world, "经济", committee_id=world.economy_id)
    collect(engine, world, "去年", on=date(2025, 6, 1))  # outside the period
    create(engine, world.staff, draft(world, problem_ids=tuple(pids[:2])))
    with write_session(engine) as session:
        problems.change_status(session=session, actor=world.staff, problem_id=pids[2],
                               expected_version=1, today=TODAY,
                               change=StatusChange(ProblemStatus.CLOSED, reason="重复"))
    with read_session(engine) as session:
        table = topics.problems_taken_up(session=session, actor=world.leader,
                                         first=date(2026, 1, 1), last=date(2026, 12, 31))
    education = table.set_index("name").loc["教科卫体委员会"]
    assert (education["collected"], education["to_topic"], education["to_proposal"],
            education["topic_share"]) == (4, 2, 0, 0.5)
    total = table.iloc[-1]
    assert (total["collected"], total["taken_up"], total["taken_up_share"]) == (5, 2, 0.4)
    economy = table.set_index("name").loc["经济委员会"]
    assert (economy["collected"], economy["taken_up_share"]) == (1, 0.0)


# --- undoing a mistaken step -------------------------------------------------------------


def back(engine, who: Actor, topic_id: int, note: str = "误点") -> ConsultationTopic:
    with write_session(engine) as session:
        version = session.get(ConsultationTopic, topic_id).version
        return topics.step_back(session=session, actor=who, topic_id=topic_id,
                                expected_version=version, note=note, today=TODAY, now=NOW)


def test_an_administrator_steps_back_and_the_timeline_keeps_both(engine, world):
    topic = create(engine, world.staff, draft(world))
    walk_to(engine, world.staff, topic.id, TopicStage.CONSULTATION)
    stepped = back(engine, world.admin, topic.id)
    assert (stepped.stage, stepped.stage_on) == (TopicStage.RESEARCH, date(2026, 11, 2))
    with read_session(engine) as session:
        events = session.exec(select(TopicEvent).where(TopicEvent.topic_id == topic.id)
                              .order_by(TopicEvent.id)).all()
    assert [(e.from_stage, e.to_stage) for e in events][-2:] == [
        (TopicStage.RESEARCH, TopicStage.CONSULTATION),
        (TopicStage.CONSULTATION, TopicStage.RESEARCH)]
    assert events[-1].note == "误点" and events[-1].happened_on == TODAY
    # and on again from research
    assert advance(engine, world.staff, topic.id, TopicStage.CONSULTATION,
                   on=date(2026, 11, 10)).stage is TopicStage.CONSULTATION


def test_stepping_back_from_done_clears_the_verdict(engine, world):
    topic = create(engine, world.staff, draft(world))
    walk_to(engine, world.staff, topic.id, TopicStage.IMPLEMENTATION)
    conclude(engine, world.staff, topic.id, True)
    stepped = back(engine, world.admin, topic.id)
    assert (stepped.stage, stepped.carried_out, stepped.done_on) == (
        TopicStage.IMPLEMENTATION, None, None)


def test_only_administrators_step_back_and_only_with_a_reason(engine, world):
    topic = create(engine, world.staff, draft(world))
    walk_to(engine, world.staff, topic.id, TopicStage.RESEARCH)
    for who in (world.staff, world.leader, world.outside_admin):
        with pytest.raises(PermissionDenied):
            back(engine, who, topic.id)
    with pytest.raises(ValidationFailed) as refusal:
        back(engine, world.admin, topic.id, note="  ")
    assert refusal.value.field_errors == {"note": "topics.error.reason_required"}
    back(engine, world.admin, topic.id)
    with pytest.raises(PermissionDenied):  # nothing before the choice
        back(engine, world.admin, topic.id)
