"""The visit list (走访记录) per role, through ``app.py`` against a real store: the filters,
opening a visit by clicking its row, acknowledging, editing, deleting and restoring it;
an edit refused because someone else saved first keeps the typing; leaders read only;
members see only their own visits; hostile typing is shown as text."""

from dataclasses import dataclass, replace
from datetime import date, timedelta

import pytest

from core.db import get_engine, read_session, write_session
from models import Channel, Committee, ListEntry, ListKind, Member, Role, Sector, Term, Visit
from services import visits
from services.actors import Actor
from services.problems import ProblemItem
from services.visits import VisitInput
from tests.helpers import factories
from tests.helpers.app_test import TODAY, button, sign_in_as, widget

DAY = date.fromisoformat(TODAY)
PICK = "table.visits.pick"  # the selection of the list's table (ui.table.labelled_table)
HOSTILE_TARGETS = '=HYPERLINK("http://x","y") 𠮷田'
HOSTILE_SUMMARY = "<img src=x onerror=alert(1)> مرحبا"


@dataclass(frozen=True)
class World:
    staff: Actor  # of 刘洋's committee
    member: Actor  # 刘洋 themself
    leader: Actor
    admin: Actor
    own_id: int  # 刘洋's own entry, awaiting acknowledgement
    staff_id: int  # staff's entry for 刘洋, acknowledged on save
    other_id: int  # 赵强's visit, of another committee
    committee_id: int
    economy_id: int


def _record(engine, actor: Actor, data: VisitInput, key: str) -> int:
    with write_session(engine) as session:
        return visits.record_visit(session=session, actor=actor, data=data,
                                   idempotency_key=key, today=DAY).id


@pytest.fixture
def world(app_env, org_ids, role_actor, make_user) -> World:
    engine = get_engine(app_env)
    committee_id, member_id = org_ids
    with write_session(engine) as session:
        liu = session.get(Member, member_id)
        economy = Committee(organisation_id=factories.TOP, name="经济委员会")
        category = ListEntry(organisation_id=factories.TOP, kind=ListKind.PROBLEM_CATEGORY,
                             name="课后服务")
        session.add_all([economy, category])
        session.flush()
        org = (session.get(Sector, liu.sector_id), economy,
               session.get(Term, liu.term_id))
        zhao_id = factories.member(session, org, name="赵强").id
        economy_id, category_id = economy.id, category.id
    staff, member = role_actor(Role.STAFF), role_actor(Role.MEMBER)
    leader, admin = role_actor(Role.LEADER), make_user(Role.ADMIN)
    visit = VisitInput(member_ids=(member_id,), visit_date=DAY - timedelta(days=3),
                       channel=Channel.FACE_TO_FACE, contact_targets="社区居民",
                       head_count=12, summary="走访社区，听取对课后服务的意见",
                       problems=(ProblemItem("课后服务收费不透明", category_id),))
    return World(
        staff=staff, member=member, leader=leader, admin=admin,
        own_id=_record(engine, member, visit, "own"),
        staff_id=_record(engine, staff, replace(
            visit, visit_date=DAY - timedelta(days=10), channel=Channel.ONLINE,
            summary="电话回访学校老师", problems=()), "staff"),
        other_id=_record(engine, admin, replace(
            visit, member_ids=(zhao_id,), summary="走访企业，了解融资难题", problems=()),
            "other"),
        committee_id=committee_id, economy_id=economy_id,
    )


def _list(app, actor: Actor, app_env):
    sign_in_as(app, app_env, actor).run()
    app.switch_page("pages/visits.py").run()
    assert not app.exception
    return app


def _summaries(app) -> list[str]:
    if not app.dataframe:
        return []
    return app.dataframe[0].value["summary"].tolist()


def _open(app, summary: str):
    """Click the row of the visit with this summary."""
    row = _summaries(app).index(summary)
    app.session_state[PICK] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    app.run()
    assert not app.exception
    return app


def _stored(app_env, visit_id: int) -> Visit:
    with read_session(get_engine(app_env)) as session:
        return session.get(Visit, visit_id)


def _texts(app) -> str:
    return "\n".join(element.value for kind in ("markdown", "text", "caption", "subheader")
                     for element in getattr(app, kind))


def test_staff_start_on_their_committee_and_narrow_to_visits_awaiting_acknowledgement(
        app, app_env, world):
    app = _list(app, world.staff, app_env)
    assert app.title[0].value == "走访记录"
    assert sorted(_summaries(app)) == ["电话回访学校老师", "走访社区，听取对课后服务的意见"]
    assert any(caption.value == "共 2 条" for caption in app.caption)
    assert app.dataframe[0].value["channel"].tolist() == ["走访谈心", "网络/移动联系"]
    app.selectbox(key="visit_list.filter.committee").select(world.economy_id).run()
    assert _summaries(app) == ["走访企业，了解融资难题"]
    app.selectbox(key="visit_list.filter.committee").select(world.committee_id).run()
    widget(app, "toggle", "待专委会确认").set_value(True).run()
    assert _summaries(app) == ["走访社区，听取对课后服务的意见"]
    widget(app, "text_input", "关键词").input("不存在的内容").run()
    assert "还没有符合条件的走访记录" in app.info[0].value
    assert app.get("page_link")[0].proto.label == "走访登记"  # where to record one


def test_staff_acknowledge_edit_delete_and_restore_a_visit(app, app_env, world):
    app = _open(_list(app, world.staff, app_env), "走访社区，听取对课后服务的意见")
    shown = _texts(app)
    assert "刘洋" in shown and "课后服务收费不透明 · 课后服务 · **待处理**" in shown
    assert "待专委会确认" in shown
    assert [d.proto.label for d in app.get("download_button")
            if d.proto.label.startswith("下载登记表")] == ["下载登记表（Word）"]

    button(app, "确认已收到").click().run()
    assert "已确认这条走访记录" in app.success[0].value
    visit = _stored(app_env, world.own_id)
    assert visit.acknowledged_by_user_id == world.staff.user_id
    assert [b for b in app.button if b.label == "确认已收到"] == []

    form = f"visit_edit_{world.own_id}"
    app.number_input(key=f"{form}.head_count").set_value(30).run()
    button(app, "保存修改").click().run()
    assert "已保存修改" in app.success[0].value
    assert _stored(app_env, world.own_id).head_count == 30

    app.checkbox(key=f"visit_delete_{world.own_id}.sure").check().run()
    button(app, "删除").click().run()
    assert "已删除这条走访记录" in app.success[0].value
    assert _stored(app_env, world.own_id).deleted_at is not None
    assert "走访社区，听取对课后服务的意见" not in _summaries(app)

    widget(app, "toggle", "已删除的记录").set_value(True).run()
    assert _summaries(app) == ["走访社区，听取对课后服务的意见"]
    _open(app, "走访社区，听取对课后服务的意见")
    assert "已删除" in app.warning[0].value
    button(app, "恢复这条走访记录").click().run()
    assert "已恢复这条走访记录" in app.success[0].value
    assert _stored(app_env, world.own_id).deleted_at is None
    assert "没有已删除的走访记录" in app.info[0].value


def test_an_edit_saved_meanwhile_by_someone_else_is_refused_and_the_typing_kept(
        app, app_env, world):
    app = _open(_list(app, world.staff, app_env), "电话回访学校老师")
    form = f"visit_edit_{world.staff_id}"
    app.text_area(key=f"{form}.summary").input("我改写的情况").run()

    with write_session(get_engine(app_env)) as session:
        stored, version = visits.stored_input(session=session, actor=world.admin,
                                              visit_id=world.staff_id)
        visits.update_visit(session=session, actor=world.admin, visit_id=world.staff_id,
                            expected_version=version, data=replace(stored, head_count=99),
                            today=DAY)

    button(app, "保存修改").click().run()
    assert any("该记录已被其他人修改" in error.value for error in app.error)
    assert app.text_area(key=f"{form}.summary").value == "我改写的情况"  # kept
    assert app.number_input(key=f"{form}.head_count").value == 99  # theirs, untouched here
    assert _stored(app_env, world.staff_id).summary == "电话回访学校老师"

    button(app, "保存修改").click().run()  # a second, informed save goes through
    visit = _stored(app_env, world.staff_id)
    assert (visit.summary, visit.head_count) == ("我改写的情况", 99)


def test_a_leader_reads_a_visit_but_neither_edits_nor_deletes_it(app, app_env, world):
    app = _open(_list(app, world.leader, app_env), "走访社区，听取对课后服务的意见")
    assert "课后服务收费不透明" in _texts(app)
    labels = {b.label for b in app.button}
    assert labels.isdisjoint({"确认已收到", "保存修改", "删除", "恢复这条走访记录"})
    assert {e.label for e in app.expander}.isdisjoint({"修改走访记录", "删除走访记录"})
    assert [t for t in app.toggle if t.label == "已删除的记录"] == []


def test_a_member_sees_only_their_own_visits_and_no_deleted_ones(app, app_env, world):
    app = _list(app, world.member, app_env)
    assert app.title[0].value == "我的走访记录"
    assert sorted(_summaries(app)) == ["电话回访学校老师", "走访社区，听取对课后服务的意见"]
    assert [t for t in app.toggle if t.label == "已删除的记录"] == []
    _open(app, "走访社区，听取对课后服务的意见")
    assert [b for b in app.button if b.label == "确认已收到"] == []  # staff acknowledge
    assert "修改走访记录" in {e.label for e in app.expander}  # their own visit


def test_hostile_text_in_targets_and_summary_is_shown_as_text(app, app_env, world):
    with write_session(get_engine(app_env)) as session:
        stored, version = visits.stored_input(session=session, actor=world.admin,
                                              visit_id=world.staff_id)
        visits.update_visit(session=session, actor=world.admin, visit_id=world.staff_id,
                            expected_version=version, today=DAY, data=replace(
                                stored, contact_targets=HOSTILE_TARGETS,
                                summary=HOSTILE_SUMMARY))
    app = _list(app, world.staff, app_env)
    table = app.dataframe[0].value
    assert HOSTILE_TARGETS in table["contact_targets"].tolist()
    assert HOSTILE_SUMMARY in table["summary"].tolist()
    _open(app, HOSTILE_SUMMARY)
    texts = [element.value for element in app.text]
    assert HOSTILE_TARGETS in texts and HOSTILE_SUMMARY in texts  # as typed, as text
    markdown = "\n".join(element.value for element in app.markdown)
    assert "<img" not in markdown and "](" not in markdown


def test_a_long_list_comes_a_hundred_at_a_time_and_the_whole_list_as_a_file(
        app, app_env, world):
    with write_session(get_engine(app_env)) as session:
        liu = session.get(Member, world.member.member_id)
        for day in range(99):
            factories.visit(session, [liu], on=DAY - timedelta(days=day % 40))
    app = _list(app, world.staff, app_env)
    assert any(c.value == "共 101 条 · 第 1–100 条" for c in app.caption)
    assert len(_summaries(app)) == 100
    files = [d.proto.label for d in app.get("download_button")]
    assert {"导出 Excel（101 条）", "导出 CSV（101 条）"} <= set(files)

    widget(app, "number_input", "页码").set_value(2).run()
    assert len(_summaries(app)) == 1
    assert any(c.value == "共 101 条 · 第 101–101 条" for c in app.caption)
    widget(app, "selectbox", "排序").select(visits.VisitSort.OLDEST).run()
    assert len(_summaries(app)) == 100  # new order, first page
