"""The topics screen against a real (temporary) store: a new topic (errors beside their
fields, typing kept, saved once), one from open problems, the list with its stage counts,
a topic walked through a stage with its timeline and concluded, participants saved,
hostile text shown as text, and who may open what."""

from datetime import date, timedelta

import pytest
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from core.db import get_engine, read_session, write_session
from models import (
    CollectedProblem,
    ConsultationTopic,
    Member,
    ProblemStatus,
    Role,
    TopicEvent,
    TopicMember,
    TopicStage,
)
from services import problems, topics
from services.actors import SYSTEM, Actor
from services.problems import ProblemItem
from services.topics import TopicDraft
from tests.helpers import factories
from tests.helpers.app_test import TODAY, button, open_tab, registered_pages, sign_in_as, widget
from ui import context

DAY = date.fromisoformat(TODAY)
NEW = "topic_new"


@pytest.fixture
def staff(role_actor):
    return role_actor(Role.STAFF)


def stored_topics(app_env) -> list[ConsultationTopic]:
    with read_session(get_engine(app_env)) as session:
        return list(session.exec(select(ConsultationTopic)).all())


def make_topic(app_env, committee_id: int, *, title: str = "老旧小区加装电梯",
               on: date = DAY - timedelta(days=10)) -> int:
    with write_session(get_engine(app_env)) as session:
        return topics.create_topic(
            session=session, actor=SYSTEM, organisation_id=factories.TOP,
            draft=TopicDraft(title=title, committee_id=committee_id, proposed_on=on),
            idempotency_key=title[:60], today=DAY).id


def collect(app_env, member_id: int, committee_id: int, *contents: str) -> list[int]:
    with write_session(get_engine(app_env)) as session:
        visit = factories.visit(session, [session.get(Member, member_id)],
                                on=DAY - timedelta(days=20))
        return [p.id for p in problems.add_problems(
            session, SYSTEM, organisation_id=factories.TOP, committee_id=committee_id,
            collected_on=DAY - timedelta(days=20), items=[ProblemItem(c) for c in contents],
            visit_id=visit.id)]


def open_screen(app, app_env, who, topic_id: int | None = None):
    sign_in_as(app, app_env, who)
    app.switch_page("pages/topics.py").run()
    assert not app.exception, app.exception
    if topic_id is not None:
        app.selectbox(key="topic_list.pick").select(topic_id).run()
        assert not app.exception, app.exception
    return app


def test_staff_add_a_topic_errors_beside_fields_typing_kept_saved_once(
        app, app_env, staff, org_ids):
    app = open_screen(app, app_env, staff)
    open_tab(app, "topic_list.tab", "新建议题")
    widget(app, "text_area", "议题内容").input("加装电梯意见分歧大").run()
    button(app, "保存议题").click().run()
    assert "请填写议题标题。" in [e.value for e in app.error]
    assert widget(app, "text_area", "议题内容").value == "加装电梯意见分歧大"
    assert stored_topics(app_env) == []
    widget(app, "text_input", "议题").input("老旧小区加装电梯").run()
    app.multiselect(key=f"{NEW}.member_ids").select(org_ids[1]).run()
    button(app, "保存议题").click().run()
    button(app, "保存议题").click().run()  # a double click sends the same form again
    assert not app.exception, app.exception
    (topic,) = stored_topics(app_env)
    assert (topic.title, topic.stage, topic.committee_id) == (
        "老旧小区加装电梯", TopicStage.SELECTION, org_ids[0])
    with read_session(get_engine(app_env)) as session:
        assert session.exec(select(TopicMember.member_id)).all() == [org_ids[1]]
    assert widget(app, "text_input", "议题").value == ""  # ready for the next


def test_a_topic_from_open_problems_turns_them_into_a_topic(app, app_env, staff, org_ids):
    first, second = collect(app_env, org_ids[1], org_ids[0], "电梯难装", "停车难")
    app = open_screen(app, app_env, staff)
    app.session_state[f"{NEW}.source"] = "problems"
    open_tab(app, "topic_list.tab", "新建议题")
    app.multiselect(key=f"{NEW}.problem_ids").select(first).select(second).run()
    widget(app, "text_input", "议题").input("小区停车和电梯").run()
    button(app, "保存议题").click().run()
    assert not app.exception, app.exception
    (topic,) = stored_topics(app_env)
    with read_session(get_engine(app_env)) as session:
        taken = session.exec(select(CollectedProblem)).all()
    assert {(p.status, p.topic_id) for p in taken} == {(ProblemStatus.TO_TOPIC, topic.id)}


def test_a_topic_moves_a_stage_with_its_day_and_shows_its_timeline(
        app, app_env, staff, org_ids):
    topic_id = make_topic(app_env, org_ids[0])
    app = open_screen(app, app_env, staff, topic_id)
    metrics = {m.label: m.value for m in app.metric}
    assert (metrics["选题"], metrics["调研"]) == ("1", "0")
    assert app.dataframe[0].value["title"].tolist() == ["老旧小区加装电梯"]
    form = f"topic_{topic_id}_step"
    app.date_input(key=f"{form}.happened_on").set_value(DAY - timedelta(days=11))
    button(app, "进入“调研”阶段", form=form).click().run()
    assert "日期不能早于当前阶段开始的日期。" in [e.value for e in app.error]
    app.date_input(key=f"{form}.happened_on").set_value(DAY - timedelta(days=2))
    widget(app, "text_area", "说明", form=form).input("走访十个小区")
    button(app, "进入“调研”阶段", form=form).click().run()
    assert not app.exception, app.exception
    assert "已进入“调研”阶段。" in [s.value for s in app.success]
    (topic,) = stored_topics(app_env)
    assert (topic.stage, topic.stage_on) == (TopicStage.RESEARCH, DAY - timedelta(days=2))
    assert "走访十个小区" in [t.value for t in app.text]
    assert button(app, "进入“协商”阶段", form=form)  # the next step is offered


def test_a_topic_being_carried_out_is_concluded_with_its_verdict(
        app, app_env, staff, org_ids):
    topic_id = make_topic(app_env, org_ids[0])
    with write_session(get_engine(app_env)) as session:
        for stage in list(TopicStage)[1:-1]:
            version = session.get(ConsultationTopic, topic_id).version
            topics.advance_stage(session=session, actor=SYSTEM, topic_id=topic_id,
                                 expected_version=version, to_stage=stage, today=DAY)
    app = open_screen(app, app_env, staff, topic_id)
    form = f"topic_{topic_id}_conclude"
    button(app, "办结议题", form=form).click().run()
    assert "请选择是否落实。" in [e.value for e in app.error]
    app.selectbox(key=f"{form}.carried_out").select(True)
    button(app, "办结议题", form=form).click().run()
    assert not app.exception, app.exception
    (topic,) = stored_topics(app_env)
    assert (topic.stage, topic.carried_out, topic.done_on) == (TopicStage.DONE, True, DAY)
    with read_session(get_engine(app_env)) as session:
        assert len(session.exec(select(TopicEvent)).all()) == 7


def test_participants_are_saved_and_a_bad_count_is_named(app, app_env, staff, org_ids):
    topic_id = make_topic(app_env, org_ids[0])
    app = open_screen(app, app_env, staff, topic_id)
    form = f"topic_{topic_id}_participants"
    widget(app, "text_area", "参与群众", form=form).input("张大爷、李阿姨")
    app.number_input(key=f"{form}.residents_count").set_value(12)
    widget(app, "text_area", "参与部门", form=form).input("住建局\n街道办")
    button(app, "保存", form=form).click().run()
    assert not app.exception, app.exception
    (topic,) = stored_topics(app_env)
    assert (topic.residents, topic.residents_count, topic.departments) == (
        "张大爷、李阿姨", 12, "住建局\n街道办")


def test_hostile_text_is_shown_as_text(app, app_env, staff, org_ids):
    typed = '<img src=x onerror=alert(1)> =HYPERLINK("http://x","y") 𠮷 مرحبا'
    topic_id = make_topic(app_env, org_ids[0], title=typed)
    app = open_screen(app, app_env, staff, topic_id)
    (heading,) = [e.value for e in app.html if "<h3" in e.value]
    assert "&lt;img src=x onerror=alert(1)&gt;" in heading and "<img" not in heading


def test_leaders_read_without_forms_and_members_cannot_open_the_screen(
        app, app_env, role_actor, org_ids):
    topic_id = make_topic(app_env, org_ids[0])
    app = open_screen(app, app_env, role_actor(Role.LEADER), topic_id)
    assert [t.label for t in app.tabs] == ["议题列表", "统计"]
    assert "您可以查看该议题，但不能修改。" in [c.value for c in app.caption]
    open_tab(app, "topic_list.tab", "统计")
    assert app.dataframe[0].value["total"].tolist()[-1] == 1
    member_app = type(app).from_file(app._script_path, default_timeout=60)
    sign_in_as(member_app, app_env, role_actor(Role.MEMBER)).run()
    assert "topics" not in registered_pages(member_app)


def test_a_members_profile_tab_lists_their_topics_and_proposals(app_env, org_ids, monkeypatch):
    with write_session(get_engine(app_env)) as session:
        topic = topics.create_topic(
            session=session, actor=SYSTEM, organisation_id=factories.TOP,
            draft=TopicDraft(title="加装电梯", committee_id=org_ids[0], member_ids=(org_ids[1],)),
            idempotency_key="t", today=DAY)
    member = Actor(user_id=None, name="m", role=Role.MEMBER, member_id=org_ids[1],
                   organisation_id=factories.TOP, organisation_ids=frozenset({factories.TOP}))
    # what signing in gives the profile page (its export buttons read them)
    monkeypatch.setattr(context, "actor", lambda: member)
    monkeypatch.setattr(context, "store", lambda: get_engine(app_env))
    script = AppTest.from_string(f"""
from datetime import date
from core.db import get_engine
from ui import context
from ui.member_topics import topics_tab
from ui.page import PageContext
topics_tab(PageContext(get_engine({app_env!r}), context.actor(), date(2026, 11, 21)),
           {org_ids[1]})
""", default_timeout=60).run()
    assert not script.exception, script.exception
    assert script.dataframe[0].value["id"].tolist() == [topic.id]
    assert "还没有提案。" in [i.value for i in script.info]


def test_an_administrator_steps_a_mistaken_step_back(app, app_env, make_user, org_ids):
    topic_id = make_topic(app_env, org_ids[0])
    with write_session(get_engine(app_env)) as session:
        topics.advance_stage(session=session, actor=SYSTEM, topic_id=topic_id,
                             expected_version=1, to_stage=TopicStage.RESEARCH,
                             happened_on=DAY - timedelta(days=2), today=DAY)
    app = open_screen(app, app_env, make_user(Role.ADMIN), topic_id)
    form = f"topic_{topic_id}_back"
    button(app, "退回上一阶段", form=form).click().run()
    assert "请填写退回原因。" in [e.value for e in app.error]
    widget(app, "text_area", "退回原因", form=form).input("误点了进入调研")
    button(app, "退回上一阶段", form=form).click().run()
    assert not app.exception, app.exception
    assert "已退回上一阶段。" in [s.value for s in app.success]
    (topic,) = stored_topics(app_env)
    assert topic.stage is TopicStage.SELECTION
    assert "误点了进入调研" in [t.value for t in app.text]


def test_staff_are_offered_no_step_back(app, app_env, staff, org_ids):
    topic_id = make_topic(app_env, org_ids[0])
    with write_session(get_engine(app_env)) as session:
        topics.advance_stage(session=session, actor=SYSTEM, topic_id=topic_id,
                             expected_version=1, to_stage=TopicStage.RESEARCH,
                             happened_on=DAY - timedelta(days=2), today=DAY)
    app = open_screen(app, app_env, staff, topic_id)
    assert [b for b in app.button if b.label == "退回上一阶段"] == []
