"""The opinion-report loop under random use (hypothesis): any action, by anyone, on any
date, with right or wrong fields, against the version seen or an old one. After every
attempt the report, its timeline, forwardings and adoptions must agree with the loop
(``services.opinion.TRANSITIONS``): a refusal changes nothing, an accepted action adds
exactly one event, and what the report stores can be recomputed from its rows."""

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from core.db import read_session, write_session
from models import (
    AdoptionLevel,
    InstructionLevel,
    ListEntry,
    ListKind,
    OpinionAction,
    OpinionAdoption,
    OpinionEvent,
    OpinionForwarding,
    OpinionReport,
    OpinionStatus,
    Role,
)
from services import opinion
from services.actors import Actor
from services.errors import PermissionDenied, ServiceError, ValidationFailed
from services.opinion import (
    ANY_TIME,
    TRANSITIONS,
    Deadlines,
    ReportDraft,
    Step,
    TransitionRefused,
    stage_due,
)
from tests.helpers import factories

TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
S, A = OpinionStatus, OpinionAction
DEPARTMENTS = ("市教育局", "市卫健委", "市公安局")
LEVELS = list(AdoptionLevel)  # in rising order
# The order a random walk prefers the actions a stage allows (hypothesis favours the first
# choices): onward round the loop first, so that the later stages are reached too.
ONWARD = [A.REPLY, A.FORWARD, A.START_REVIEW, A.RESUBMIT, A.ADOPT, A.GIVE_FEEDBACK, A.CLOSE,
          A.REJECT, A.RETURN, A.INSTRUCT, A.SUBMIT]


@dataclass(frozen=True)
class World:
    lead_id: int
    category_id: int
    actors: dict[str, Actor]  # staff, admin, leader, the lead member, a member who did not sign


def make_world(engine) -> World:
    with write_session(engine) as session:
        org = factories.organisation(session)
        category = ListEntry(organisation_id=factories.TOP, kind=ListKind.OPINION_CATEGORY,
                             name="民生（测试）")
        session.add(category)
        session.flush()
        lead = factories.member(session, org, name="刘洋")
        other = factories.member(session, org, name="王芳")
        actors = {
            "staff": factories.actor(session, "clerk", Role.STAFF, committees=[org[1].id]),
            "admin": factories.actor(session, "admin", Role.ADMIN),
            "leader": factories.actor(session, "chair", Role.LEADER),
            "lead": factories.actor(session, "liuyang", Role.MEMBER, member_id=lead.id),
            "outsider": factories.actor(session, "wangfang", Role.MEMBER, member_id=other.id),
        }
        return World(lead_id=lead.id, category_id=category.id, actors=actors)


@dataclass(frozen=True)
class State:
    """Everything a step may change, as stored."""

    report: dict
    events: list[tuple]  # (action, from, to, changed_on), oldest first
    forwardings: list[tuple]  # (id, department, forwarded_on, due_on, replied_on)
    adoptions: list[tuple]  # (level, adopted_on)

    @property
    def status(self) -> OpinionStatus:
        return self.report["status"]

    @property
    def silent(self) -> list[tuple]:
        return [f for f in self.forwardings if f[4] is None]


def read_state(engine, report_id: int) -> State:
    with read_session(engine) as session:
        report = session.get(OpinionReport, report_id)
        events = session.exec(select(OpinionEvent).where(OpinionEvent.report_id == report_id)
                              .order_by(OpinionEvent.id)).all()
        sent = session.exec(select(OpinionForwarding)
                            .where(OpinionForwarding.report_id == report_id)
                            .order_by(OpinionForwarding.id)).all()
        adoptions = session.exec(select(OpinionAdoption.level, OpinionAdoption.adopted_on)
                                 .where(OpinionAdoption.report_id == report_id)).all()
        return State(
            report=report.model_dump(),
            events=[(e.action, e.from_status, e.to_status, e.changed_on) for e in events],
            forwardings=[(f.id, f.department, f.forwarded_on, f.due_on, f.replied_on)
                         for f in sent],
            adoptions=sorted(adoptions),
        )


def valid_step(action: OpinionAction, state: State) -> Step | None:
    """Fields that are right for the report as it stands, dated today; None when the
    action has no right fields left (every level adopted, every department forwarded)."""
    adopted = {level for level, _ in state.adoptions}
    forwarded = {f[1] for f in state.forwardings}
    match action:
        case A.ADOPT:
            level = next((lvl for lvl in LEVELS if lvl not in adopted), None)
            return None if level is None else Step(action, level=level, publication="第1期")
        case A.FORWARD:
            left = [name for name in DEPARTMENTS if name not in forwarded]
            return Step(action, departments=(left[0],)) if left else None
        case A.REPLY:
            silent = state.silent
            return Step(action, forwarding_id=silent[0][0] if silent else None, reply="已办理")
        case A.RETURN | A.REJECT | A.GIVE_FEEDBACK:
            return Step(action, note="说明")
        case A.INSTRUCT:
            return Step(action, leader="张市长", instruction_level=InstructionLevel.CITY)
        case A.RESUBMIT:
            return Step(action, body="修改后的正文")
    return Step(action)


@st.composite
def random_step(draw, state: State, other_forwarding: int) -> Step:
    """Any fields, right or wrong, dated around the day the stage began."""
    started = state.report["stage_started_on"]
    on = draw(st.one_of(st.none(), st.integers(-3, 10).map(
        lambda days: started + timedelta(days=days))))
    forwardings = [f[0] for f in state.forwardings]
    return Step(
        draw(st.sampled_from(list(OpinionAction))),
        on=on,
        note=draw(st.sampled_from(["", "说明", " \u200b "])),
        level=draw(st.sampled_from([None, *LEVELS])),
        departments=tuple(draw(st.lists(st.sampled_from(DEPARTMENTS), max_size=3))),
        due_on=draw(st.one_of(st.none(), st.integers(-3, 40).map(
            lambda days: (on or TODAY) + timedelta(days=days)))),
        forwarding_id=draw(st.sampled_from([None, other_forwarding, *forwardings])),
        reply=draw(st.sampled_from(["", "已办理"])),
        leader=draw(st.sampled_from(["", "张市长"])),
        instruction_level=draw(st.sampled_from([None, *InstructionLevel])),
        title=draw(st.sampled_from([None, "", "新标题"])),
    )


def allowed(state: "State") -> list[OpinionAction]:
    """The actions the loop allows the office now: a further adoption needs a first."""
    actions = [*TRANSITIONS[state.status], *ANY_TIME]
    if not state.adoptions and state.status is not S.UNDER_REVIEW:
        actions = [action for action in actions if action is not A.ADOPT]
    return sorted(actions, key=ONWARD.index)


def possible_next(status: OpinionStatus, action: OpinionAction) -> set[OpinionStatus]:
    """The stages ``action`` may lead to from ``status`` per the loop."""
    if action in ANY_TIME:
        return {status}
    to = TRANSITIONS[status][action]
    if to is not None:
        return {to}
    return {status, S.REPLIED} if action is A.REPLY else {status}


def check_consistent(state: State) -> None:
    """What holds after any attempt, read from the rows alone."""
    report = state.report
    assert state.events[0][:3] == (A.SUBMIT, None, S.SUBMITTED)
    for earlier, later in zip(state.events, state.events[1:], strict=False):
        assert later[1] is earlier[2]  # each event starts where the one before ended
    assert state.events[-1][2] is state.status
    assert report["version"] == len(state.events)  # one event per saved change
    silent = state.silent
    assert (state.status is S.FORWARDED) == bool(silent)
    if state.status is S.REPLIED:
        assert state.forwardings and not silent
    assert report["due_on"] == stage_due(state.status, report["stage_started_on"],
                                         report["is_urgent"], Deadlines(), [f[3] for f in silent])
    levels = [level for level, _ in state.adoptions]
    assert report["adoption_level"] == (max(levels, key=LEVELS.index) if levels else None)
    assert report["adopted_on"] == min((on for _, on in state.adoptions), default=None)
    assert report["forwarded_on"] == min((f[2] for f in state.forwardings), default=None)
    if state.status is not S.REPLIED:  # (the replied stage: see test_opinion)
        changes = [event for event in state.events if event[1] is not event[2]]
        assert report["stage_started_on"] == changes[-1][3]


def test_random_actions_keep_the_report_and_its_timeline_consistent(engine):
    world = make_world(engine)
    other = submit(engine, world, urgent=False)  # a second report, forwarded, to reply wrongly
    for action, step in ((A.START_REVIEW, Step(A.START_REVIEW)),
                         (A.ADOPT, Step(A.ADOPT, level=AdoptionLevel.CITY)),
                         (A.FORWARD, Step(A.FORWARD, departments=("市教育局",)))):
        assert take(engine, world.actors["admin"], other, step) is None, action
    other_forwarding = read_state(engine, other).forwardings[0][0]

    @settings(max_examples=40, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        report_id = submit(engine, world, urgent=data.draw(st.booleans(), label="urgent"))
        state = read_state(engine, report_id)
        check_consistent(state)
        for _ in range(data.draw(st.integers(4, 24), label="steps")):
            # mostly a step the stage allows, with right fields, so the report goes round
            # the loop; else any action with right fields, or anything at all
            mode = data.draw(st.sampled_from(["loop", "loop", "any", "random"]), label="mode")
            who = data.draw(st.sampled_from(
                ["staff", "admin", "staff", "lead"] if mode == "loop" else
                ["staff", "admin", "lead", "outsider", "leader"]), label="who")
            stale = False
            if mode == "random":
                step = data.draw(random_step(state, other_forwarding), label="step")
                stale = data.draw(st.sampled_from([False, False, False, True]), label="stale")
                refused = take(engine, world.actors[who], report_id, step, -1 if stale else 0)
            else:
                action = data.draw(st.sampled_from(
                    allowed(state) if mode == "loop" else list(OpinionAction)), label="action")
                step = valid_step(action, state)
                exhausted = step is None
                step = step or Step(action, level=LEVELS[0], departments=(DEPARTMENTS[0],))
                refused = take(engine, world.actors[who], report_id, step)
                expected = expected_refusal(who, action, state, exhausted)
                assert type(refused) is expected if expected else refused is None, (
                    who, step, refused)
            after = read_state(engine, report_id)
            check_step(state, after, step, who, stale, refused)
            check_consistent(after)
            state = after
        event(f"ended {state.status.value}")

    run()


def expected_refusal(who: str, action: OpinionAction, state: "State",
                     exhausted: bool) -> type[ServiceError] | None:
    """How a step with right fields, against the version stored, must end."""
    status = state.status
    if who in ("leader", "outsider"):
        return PermissionDenied
    if who == "lead":  # a member resubmits a returned report they signed, nothing else
        if action is not A.RESUBMIT:
            return PermissionDenied
        return None if status is S.RETURNED else TransitionRefused
    if action not in allowed(state):
        return TransitionRefused
    return ValidationFailed if exhausted else None


def check_step(before: State, after: State, step: Step, who: str, stale: bool,
               refused: ServiceError | None) -> None:
    """An attempt either changed nothing or added exactly one event the loop allows."""
    status = before.status
    if refused is not None:
        assert after == before  # the report, its timeline, forwardings and adoptions
        if who in ("leader", "outsider"):
            assert isinstance(refused, PermissionDenied)
        if isinstance(refused, TransitionRefused):
            assert refused.message_key == f"opinion.error.from_{status.value}"
        return
    assert who in ("staff", "admin") or (who == "lead" and step.action is A.RESUBMIT)
    assert not stale
    assert step.action in allowed(before) or step.action is A.RESUBMIT
    assert after.report["version"] == before.report["version"] + 1
    assert after.events[:-1] == before.events  # no history lost
    action, from_status, to_status, changed_on = after.events[-1]
    assert (action, from_status, to_status) == (step.action, status, after.status)
    assert changed_on == (step.on or TODAY)
    assert after.status in possible_next(status, step.action)


def submit(engine, world: World, *, urgent: bool) -> int:
    draft = ReportDraft(title="关于校园周边交通拥堵的建议", body="上下学时段校门口拥堵严重。",
                        category_id=world.category_id, lead_member_id=world.lead_id,
                        is_urgent=urgent, submitted_on=TODAY - timedelta(days=30))
    with write_session(engine) as session:
        return opinion.submit_report(session=session, actor=world.actors["staff"], draft=draft,
                                     idempotency_key=uuid.uuid4().hex, today=TODAY,
                                     now=NOW).id


def take(engine, who: Actor, report_id: int, step: Step,
         behind: int = 0) -> ServiceError | None:
    """Take the step against the version stored, or one ``behind`` it (-1: stale);
    a refusal is caught inside the transaction, which then commits: the service must not
    have written anything before refusing."""
    with write_session(engine) as session:
        current = session.get(OpinionReport, report_id, populate_existing=True).version
        try:
            opinion.take_step(session=session, actor=who, report_id=report_id,
                              expected_version=current + behind, step=step,
                              today=TODAY, now=NOW)
        except ServiceError as refusal:
            return refusal
    return None
