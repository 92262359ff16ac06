"""Hostile typing through the forms of issue 11 (an activity, a station, a topic, a
proposal), as a user types it: a formula, HTML, Markdown, a character outside the Basic
Multilingual Plane, right-to-left text and a zero-width space are stored as typed (the
zero-width space dropped), shown as text, and saved once when the form is sent twice;
10,000 characters are refused beside the field with nothing saved. Exports go through
``services.exports`` (formula-inert, tests/unit/test_exports.py)."""

import pytest
from sqlmodel import func, select

from core.db import get_engine, read_session
from models import ConsultationTopic, Proposal, Role, Workstation, WorkstationActivity
from tests.helpers.app_test import button, open_tab, sign_in_as, text_input, widget
from tests.pages.test_activity_entry import _activities, _fill, _station
from tests.pages.test_activity_entry import _open as open_activity_entry
from tests.pages.test_hostile_input import HOSTILE, TOO_LONG
from ui.components import plain


def _count(app_env, model) -> int:
    with read_session(get_engine(app_env)) as session:
        return session.exec(select(func.count()).select_from(model)).one()


@pytest.mark.parametrize("case", list(HOSTILE))
def test_an_activity_is_stored_as_typed_shown_as_text_and_saved_once(app, app_env,
                                                                     role_actor, org_ids,
                                                                     case):
    typed, stored = HOSTILE[case]
    station_id, _, type_id = _station(app_env, org_ids)
    open_activity_entry(app, app_env, role_actor(Role.STAFF))
    _fill(app, station_id, type_id, [org_ids[1]], summary=typed)
    widget(app, "text_input", "活动主题（可不填）").input(typed)
    button(app, "保存活动").click().run()
    button(app, "保存活动").click().run()  # the emptied form sent again: nothing more
    assert not app.exception, app.exception
    [activity] = _activities(app_env)
    assert (activity.title, activity.summary) == (stored, stored)
    recent = next(frame.value for frame in app.dataframe if "summary" in frame.value)
    assert recent["summary"].tolist() == [stored]  # a table cell: text, never markup


def test_ten_thousand_characters_of_summary_are_refused_and_nothing_saved(
        app, app_env, role_actor, org_ids):
    station_id, _, type_id = _station(app_env, org_ids)
    open_activity_entry(app, app_env, role_actor(Role.STAFF))
    _fill(app, station_id, type_id, [org_ids[1]], summary=TOO_LONG)
    button(app, "保存活动").click().run()
    # refused beside the field, not cut: the typing is kept to be shortened
    assert "内容过长，请精简。" in [e.value for e in app.error]
    assert widget(app, "text_area", "活动概况").value == TOO_LONG
    assert _count(app_env, WorkstationActivity) == 0


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_station_is_stored_as_typed_shown_as_text_and_registered_once(
        app, app_env, role_actor, org_ids, case):
    typed, stored = HOSTILE[case]
    sign_in_as(app, app_env, role_actor(Role.ADMIN)).run()
    app.switch_page("pages/workstations.py").run()
    open_tab(app, "station_page.tab", "新建")
    form = "station_new"
    widget(app, "selectbox", "类型", form=form).select_index(0)
    widget(app, "selectbox", "指导专委会", form=form).select(org_ids[0])
    text_input(app, "名称", form=form).input(typed)
    text_input(app, "地址", form=form).input(typed)
    button(app, "新建工作室（站）", form=form).click().run()
    assert not app.exception, app.exception
    with read_session(get_engine(app_env)) as session:
        [station] = session.exec(select(Workstation)).all()
    assert (station.name, station.address) == (stored, stored)
    assert [s.value for s in app.subheader] == [plain(stored)]  # escaped, never a link


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_topic_is_stored_as_typed_and_saved_once(app, app_env, role_actor, org_ids,
                                                    case):
    typed, stored = HOSTILE[case]
    sign_in_as(app, app_env, role_actor(Role.STAFF))
    app.switch_page("pages/topics.py").run()
    open_tab(app, "topic_list.tab", "新建议题")
    widget(app, "text_input", "议题").input(typed)
    widget(app, "text_area", "议题内容").input(typed)
    button(app, "保存议题").click().run()
    button(app, "保存议题").click().run()
    assert not app.exception, app.exception
    with read_session(get_engine(app_env)) as session:
        [topic] = session.exec(select(ConsultationTopic)).all()
    assert (topic.title, topic.description) == (stored, stored)


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_proposal_is_stored_as_typed_and_saved_once(app, app_env, role_actor, org_ids,
                                                       case):
    typed, stored = HOSTILE[case]
    sign_in_as(app, app_env, role_actor(Role.STAFF))
    app.switch_page("pages/proposals.py").run()
    open_tab(app, "proposal_list.tab", "新建提案")
    widget(app, "text_input", "案号").input("20260001")
    widget(app, "text_input", "标题").input(typed)
    app.selectbox(key="proposal_new.lead").select(org_ids[1]).run()
    button(app, "保存提案").click().run()
    button(app, "保存提案").click().run()
    assert not app.exception, app.exception
    with read_session(get_engine(app_env)) as session:
        [proposal] = session.exec(select(Proposal)).all()
    assert proposal.title == stored
