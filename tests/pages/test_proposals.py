"""The proposals screen against a real (temporary) store: a new proposal (a number
already used named beside its field, typing kept, saved once), one from open problems,
the reply and satisfaction form (a stale save refused and rebased), the handled rate,
the problems screen's step into a proposal, and who may open what."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from core.db import get_engine, read_session, write_session
from models import (
    CollectedProblem,
    Member,
    ProblemStatus,
    Proposal,
    ProposalStatus,
    Role,
    Satisfaction,
    Term,
)
from services import problems, proposals
from services.actors import SYSTEM
from services.problems import ProblemItem
from services.proposals import ProposalDraft
from tests.helpers import factories
from tests.helpers.app_test import TODAY, button, open_tab, registered_pages, sign_in_as, widget

DAY = date.fromisoformat(TODAY)
NEW = "proposal_new"


@pytest.fixture
def staff(role_actor):
    return role_actor(Role.STAFF)


def term_id(app_env) -> int:
    with read_session(get_engine(app_env)) as session:
        return session.exec(select(Term.id)).first()


def make_proposal(app_env, member_id: int, *, number: str = "20260001",
                  title: str = "关于加装电梯的提案") -> int:
    with write_session(get_engine(app_env)) as session:
        return proposals.create_proposal(
            session=session, actor=SYSTEM, organisation_id=factories.TOP,
            draft=ProposalDraft(number=number, title=title, term_id=term_id(app_env),
                                submitted_on=DAY - timedelta(days=30),
                                lead_member_id=member_id),
            idempotency_key=number, today=DAY).id


def collect(app_env, member_id: int, committee_id: int, *contents: str) -> list[int]:
    with write_session(get_engine(app_env)) as session:
        visit = factories.visit(session, [session.get(Member, member_id)],
                                on=DAY - timedelta(days=20))
        return [p.id for p in problems.add_problems(
            session, SYSTEM, organisation_id=factories.TOP, committee_id=committee_id,
            collected_on=DAY - timedelta(days=20), items=[ProblemItem(c) for c in contents],
            visit_id=visit.id)]


def stored(app_env) -> list[Proposal]:
    with read_session(get_engine(app_env)) as session:
        return list(session.exec(select(Proposal).order_by(Proposal.id)).all())


def open_screen(app, app_env, who, proposal_id: int | None = None):
    sign_in_as(app, app_env, who)
    app.switch_page("pages/proposals.py").run()
    assert not app.exception, app.exception
    if proposal_id is not None:
        app.selectbox(key="proposal_list.pick").select(proposal_id).run()
        assert not app.exception, app.exception
    return app


def test_a_new_proposal_with_a_number_taken_is_named_beside_it_then_saved_once(
        app, app_env, staff, org_ids):
    make_proposal(app_env, org_ids[1])
    app = open_screen(app, app_env, staff)
    open_tab(app, "proposal_list.tab", "新建提案")
    widget(app, "text_input", "案号").input("20260001").run()
    widget(app, "text_input", "标题").input("关于规范校外培训的提案").run()
    app.selectbox(key=f"{NEW}.lead").select(org_ids[1]).run()
    button(app, "保存提案").click().run()
    assert "本组织已有该案号的提案，请核对案号。" in [e.value for e in app.error]
    assert widget(app, "text_input", "标题").value == "关于规范校外培训的提案"
    widget(app, "text_input", "案号").input("20260002").run()
    button(app, "保存提案").click().run()
    button(app, "保存提案").click().run()  # a double click
    assert not app.exception, app.exception
    assert [p.number for p in stored(app_env)] == ["20260001", "20260002"]
    assert widget(app, "text_input", "案号").value == ""


def test_a_proposal_from_open_problems_turns_them_into_a_proposal(
        app, app_env, staff, org_ids):
    (pid,) = collect(app_env, org_ids[1], org_ids[0], "电梯难装")
    app = open_screen(app, app_env, staff)
    open_tab(app, "proposal_list.tab", "新建提案")
    widget(app, "text_input", "案号").input("A-1").run()
    widget(app, "text_input", "标题").input("电梯").run()
    app.selectbox(key=f"{NEW}.lead").select(org_ids[1]).run()
    app.multiselect(key=f"{NEW}.problem_ids").select(pid).run()
    button(app, "保存提案").click().run()
    assert not app.exception, app.exception
    (proposal,) = stored(app_env)
    with read_session(get_engine(app_env)) as session:
        problem = session.get(CollectedProblem, pid)
    assert (problem.status, problem.proposal_id) == (ProblemStatus.TO_PROPOSAL, proposal.id)


def test_the_reply_and_satisfaction_are_saved_and_a_stale_save_is_refused(
        app, app_env, staff, org_ids):
    proposal_id = make_proposal(app_env, org_ids[1])
    app = open_screen(app, app_env, staff, proposal_id)
    form = f"proposal_{proposal_id}_reply"
    app.selectbox(key=f"{form}.status").select(ProposalStatus.REPLIED)
    app.selectbox(key=f"{form}.satisfaction").select(Satisfaction.SATISFIED)
    button(app, "保存", form=form).click().run()
    assert "状态为“已答复”时请填写答复日期。" in [e.value for e in app.error]
    assert stored(app_env)[0].status is ProposalStatus.SUBMITTED
    app.date_input(key=f"{form}.replied_on").set_value(DAY - timedelta(days=1))
    widget(app, "text_area", "答复摘要", form=form).input("已列入明年计划")
    button(app, "保存", form=form).click().run()
    assert not app.exception, app.exception
    (proposal,) = stored(app_env)
    assert (proposal.status, proposal.satisfaction, proposal.reply_summary) == (
        ProposalStatus.REPLIED, Satisfaction.SATISFIED, "已列入明年计划")
    with write_session(get_engine(app_env)) as session:  # a colleague, meanwhile
        proposals.update_proposal(session=session, actor=SYSTEM, proposal_id=proposal_id,
                                  expected_version=proposal.version, today=DAY,
                                  changes={"handling_unit": "住建局"})
    widget(app, "text_input", "承办单位", form=form).input("教育局")
    button(app, "保存", form=form).click().run()
    assert any("没有保存" in e.value or "未保存" in e.value for e in app.error)
    assert stored(app_env)[0].handling_unit == "住建局"


def test_the_handled_rate_tab_counts_by_committee(app, app_env, role_actor, org_ids):
    proposal_id = make_proposal(app_env, org_ids[1])
    make_proposal(app_env, org_ids[1], number="2")
    with write_session(get_engine(app_env)) as session:
        proposals.update_proposal(session=session, actor=SYSTEM, proposal_id=proposal_id,
                                  expected_version=1, today=DAY,
                                  changes={"status": ProposalStatus.REPLIED,
                                           "replied_on": DAY})
    app = open_screen(app, app_env, role_actor(Role.LEADER))
    assert [t.label for t in app.tabs] == ["提案列表", "办复率"]
    open_tab(app, "proposal_list.tab", "办复率")
    table = app.dataframe[0].value
    assert table["handled_rate"].tolist() == ["100%", "100%"]  # the committee, the total
    assert table["submitted"].tolist() == [2, 2]


def test_the_problems_screen_turns_a_problem_into_a_proposal(app, app_env, staff, org_ids):
    proposal_id = make_proposal(app_env, org_ids[1])
    (pid,) = collect(app_env, org_ids[1], org_ids[0], "电梯难装")
    sign_in_as(app, app_env, staff)
    app.switch_page("pages/problems.py").run()
    app.selectbox(key="problem_queue.pick").select(pid).run()
    app.radio(key=f"problem_{pid}.step").set_value(ProblemStatus.TO_PROPOSAL).run()
    form = f"problem_{pid}_to_proposal"
    button(app, "转为提案", form=form).click().run()
    assert "请选择转入的提案；如提案尚未录入，请先在“提案”中新建。" in [
        e.value for e in app.error]
    app.selectbox(key=f"{form}.proposal_id").select(proposal_id)
    button(app, "转为提案", form=form).click().run()
    assert not app.exception, app.exception
    with read_session(get_engine(app_env)) as session:
        problem = session.get(CollectedProblem, pid)
    assert (problem.status, problem.proposal_id) == (ProblemStatus.TO_PROPOSAL, proposal_id)


def test_members_cannot_open_the_screen(app, app_env, role_actor):
    sign_in_as(app, app_env, role_actor(Role.MEMBER)).run()
    assert "proposals" not in registered_pages(app)
