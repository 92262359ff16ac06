"""The problems screen (问题办理) as each role sees it, against a real (temporary) store:
the queue with its KPI line, a problem's next step with its fields, several problems at
once, the handled rate, the administrators' lists, and hostile typing in the reply and
the reason."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from core.db import get_engine, read_session, write_session
from models import CollectedProblem, ListEntry, ListKind, Member, ProblemStatus, Role
from services import problems
from services.actors import SYSTEM
from services.problems import ProblemItem, StatusChange
from tests.helpers import factories
from tests.helpers.app_test import TODAY, button, open_tab, sign_in_as, widget

DAY = date.fromisoformat(TODAY)
HOSTILE = {  # typed → stored
    "formula": ('=HYPERLINK("http://x","y")', '=HYPERLINK("http://x","y")'),
    "html": ("<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),
    "astral": ("𠮷田", "𠮷田"),
    "rtl": ("مرحبا עולם", "مرحبا עולם"),
    "zero_width": ("已\u200b处理\u200d完毕", "已处理完毕"),
}
TOO_LONG = "长" * 10_000


def collect(app_env, org_ids, *contents: str, on: date = DAY - timedelta(days=40)) -> list[int]:
    """Problems collected at a visit of 刘洋 (the committee's member) on ``on``."""
    committee_id, member_id = org_ids
    with write_session(get_engine(app_env)) as session:
        visit = factories.visit(session, [session.get(Member, member_id)], on=on)
        return [p.id for p in problems.add_problems(
            session, SYSTEM, organisation_id=factories.TOP, committee_id=committee_id,
            collected_on=on, items=[ProblemItem(text) for text in contents],
            visit_id=visit.id)]


def stored(app_env, problem_id: int) -> CollectedProblem:
    with read_session(get_engine(app_env)) as session:
        return session.get(CollectedProblem, problem_id)


def open_screen(app, app_env, who, problem_id: int | None = None):
    sign_in_as(app, app_env, who)
    app.switch_page("pages/problems.py").run()
    if problem_id is not None:
        app.selectbox(key="problem_queue.pick").select(problem_id).run()
    assert not app.exception, app.exception
    return app


def take_step(app_env, problem_id: int, change: StatusChange) -> None:
    """A colleague's step, in another browser."""
    with write_session(get_engine(app_env)) as session:
        problems.change_status(session=session, actor=SYSTEM, problem_id=problem_id,
                               expected_version=stored(app_env, problem_id).version,
                               today=DAY, change=change)


def handled(app_env, problem_id: int) -> None:
    take_step(app_env, problem_id, StatusChange(ProblemStatus.HANDLED, reply="已解决"))


@pytest.fixture
def staff(role_actor):
    return role_actor(Role.STAFF)


def test_an_empty_queue_says_where_problems_come_from(app, app_env, staff, org_ids):
    app = open_screen(app, app_env, staff)
    assert "还没有收集到问题" in app.info[0].value


def test_staff_see_the_queue_refer_a_problem_and_mark_it_handled(app, app_env, staff,
                                                                  org_ids):
    late, fresh = collect(app_env, org_ids, "小区路灯不亮")[0], collect(
        app_env, org_ids, "学校门口拥堵", on=DAY - timedelta(days=2))[0]
    with write_session(get_engine(app_env)) as session:
        session.add(ListEntry(organisation_id=1, kind=ListKind.PROBLEM_REPLY_TEMPLATE,
                              name="办结（测）", text="经{department}办理，问题已解决。"))
    app = open_screen(app, app_env, staff)
    table = app.dataframe[0].value
    assert table["id"].tolist() == [late, fresh]
    assert table["members"].tolist() == ["刘洋", "刘洋"]
    assert table["overdue"].tolist() == ["逾期10天", ""]  # 40 days old, 30 allowed
    assert [m.value for m in app.metric] == ["2", "0", "0%", "1"]

    app.selectbox(key="problem_queue.pick").select(late).run()
    assert app.subheader[0].value == f"问题 #{late}"
    form = f"problem_{late}_referred"
    assert app.radio(key=f"problem_{late}.step").value is ProblemStatus.REFERRED
    widget(app, "text_input", "承办部门", form=form).input("住房和城乡建设局")
    button(app, "转交部门", form=form).click().run()
    assert [s.value for s in app.success] == ["转交部门：已完成，共 1 个问题。"]
    problem = stored(app_env, late)
    assert (problem.status, problem.department, problem.referred_on, problem.due_on) == (
        ProblemStatus.REFERRED, "住房和城乡建设局", DAY, DAY + timedelta(days=30))

    app.radio(key=f"problem_{late}.step").set_value(ProblemStatus.HANDLED).run()
    form = f"problem_{late}_handled"
    app.selectbox(key=f"{form}.#reply_pick").set_value(_template_id(app_env)).run()
    assert widget(app, "text_area", "办理答复", form=form).value == (
        "经住房和城乡建设局办理，问题已解决。")
    button(app, "标记已办理", form=form).click().run()
    assert [s.value for s in app.success] == ["标记已办理：已完成，共 1 个问题。"]
    problem = stored(app_env, late)
    assert (problem.status, problem.handling_note, problem.handled_on) == (
        ProblemStatus.HANDLED, "经住房和城乡建设局办理，问题已解决。", DAY)
    assert app.radio(key=f"problem_{late}.step").options == ["反馈群众"]


def _template_id(app_env) -> int:
    with read_session(get_engine(app_env)) as session:
        return session.exec(select(ListEntry.id).where(ListEntry.name == "办结（测）")).one()


def test_a_leader_reads_a_problem_without_an_action_form(app, app_env, role_actor, org_ids):
    (pid,) = collect(app_env, org_ids, "小区路灯不亮")
    app = open_screen(app, app_env, role_actor(Role.LEADER), pid)
    assert app.subheader[0].value == f"问题 #{pid}"
    assert "办理由所属专委会工作人员或管理员进行" in " ".join(c.value for c in app.caption)
    assert [r for r in app.radio if r.key == f"problem_{pid}.step"] == []
    assert [b.label for b in app.button if b.label in {"转交部门", "不予处理"}] == []
    assert "名单设置" not in [tab.label for tab in app.tabs]


def test_a_missing_department_is_said_beside_the_field_and_nothing_is_saved(
        app, app_env, staff, org_ids):
    (pid,) = collect(app_env, org_ids, "小区路灯不亮")
    app = open_screen(app, app_env, staff, pid)
    form = f"problem_{pid}_referred"
    widget(app, "text_area", "备注（可不填）", form=form).input("电话联系了街道")
    button(app, "转交部门", form=form).click().run()
    assert [e.value for e in app.error] == ["请填写承办部门。"]
    assert widget(app, "text_area", "备注（可不填）", form=form).value == "电话联系了街道"
    assert stored(app_env, pid).version == 1


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_typing_in_the_reply_is_stored_as_typed_and_shown_as_text(
        app, app_env, staff, org_ids, case):
    typed, kept = HOSTILE[case]
    (pid,) = collect(app_env, org_ids, "小区路灯不亮")
    app = open_screen(app, app_env, staff, pid)
    app.radio(key=f"problem_{pid}.step").set_value(ProblemStatus.HANDLED).run()
    form = f"problem_{pid}_handled"
    widget(app, "text_area", "办理答复", form=form).input(typed)
    button(app, "标记已办理", form=form).click().run()
    assert stored(app_env, pid).handling_note == kept
    with read_session(get_engine(app_env)) as session:
        history = problems.problem_detail(session=session, actor=SYSTEM, problem_id=pid,
                                          today=DAY).history
    assert [(row.to_status, row.note) for row in history] == [
        (ProblemStatus.PENDING, None), (ProblemStatus.HANDLED, kept)]  # saved once
    shown = [t.value for t in app.text]
    assert kept in shown  # drawn as text, never as markdown or HTML


@pytest.mark.parametrize(("step", "field", "label", "message"), [
    (ProblemStatus.HANDLED, "reply", "办理答复", "办理答复最多 1000 字。"),
    (ProblemStatus.CLOSED, "reason", "不予处理的理由", "理由最多 500 字。"),
])
def test_ten_thousand_characters_are_refused_beside_the_field_and_kept(
        app, app_env, staff, org_ids, step, field, label, message):
    (pid,) = collect(app_env, org_ids, "小区路灯不亮")
    app = open_screen(app, app_env, staff, pid)
    app.radio(key=f"problem_{pid}.step").set_value(step).run()
    form = f"problem_{pid}_{step.value}"
    widget(app, "text_area", label, form=form).input(TOO_LONG)
    button(app, {ProblemStatus.HANDLED: "标记已办理", ProblemStatus.CLOSED: "不予处理"}[step],
           form=form).click().run()
    assert [e.value for e in app.error] == [message]
    assert widget(app, "text_area", label, form=form).value == TOO_LONG
    assert stored(app_env, pid).status is ProblemStatus.PENDING


@pytest.mark.parametrize("case", ["formula", "rtl", "zero_width"])
def test_hostile_typing_in_the_reason_is_stored_as_typed(app, app_env, staff, org_ids, case):
    typed, kept = HOSTILE[case]
    (pid,) = collect(app_env, org_ids, "小区路灯不亮")
    app = open_screen(app, app_env, staff, pid)
    app.radio(key=f"problem_{pid}.step").set_value(ProblemStatus.CLOSED).run()
    form = f"problem_{pid}_closed"
    widget(app, "text_area", "不予处理的理由", form=form).input(typed)
    button(app, "不予处理", form=form).click().run()
    assert stored(app_env, pid).close_reason == kept


def test_several_problems_are_closed_at_once(app, app_env, staff, org_ids):
    first, second, third = collect(app_env, org_ids, "问题一", "问题二", "问题三")
    app = open_screen(app, app_env, staff)
    app.multiselect(key="problem_queue.bulk_ids").select(first).select(third).run()
    app.radio(key="problem_queue.bulk_step").set_value(ProblemStatus.CLOSED).run()
    widget(app, "text_area", "不予处理的理由", form="problems_bulk").input("重复反映")
    button(app, "不予处理", form="problems_bulk").click().run()
    assert [s.value for s in app.success] == ["不予处理：已完成，共 2 个问题。"]
    assert [stored(app_env, pid).status for pid in (first, second, third)] == [
        ProblemStatus.CLOSED, ProblemStatus.PENDING, ProblemStatus.CLOSED]


def test_a_bulk_step_one_problem_cannot_take_changes_none_and_names_it(
        app, app_env, staff, org_ids):
    first, second = collect(app_env, org_ids, "问题一", "问题二")
    app = open_screen(app, app_env, staff)
    app.multiselect(key="problem_queue.bulk_ids").select(first).select(second).run()
    app.radio(key="problem_queue.bulk_step").set_value(ProblemStatus.CLOSED).run()
    take_step(app_env, second, StatusChange(ProblemStatus.REFERRED, department="教育局"))
    widget(app, "text_area", "不予处理的理由", form="problems_bulk").input("重复反映")
    button(app, "不予处理", form="problems_bulk").click().run()
    assert f"#{second}" in app.error[0].value
    assert any(f"#{second}" in m.value and "已被其他人修改" in m.value for m in app.markdown)
    assert [stored(app_env, pid).status for pid in (first, second)] == [
        ProblemStatus.PENDING, ProblemStatus.REFERRED]
    assert widget(app, "text_area", "不予处理的理由", form="problems_bulk").value == "重复反映"
    button(app, "不予处理", form="problems_bulk").click().run()  # having read why
    assert [stored(app_env, pid).status for pid in (first, second)] == [ProblemStatus.CLOSED] * 2


def test_a_step_on_a_problem_a_colleague_changed_meanwhile_is_refused_once(
        app, app_env, staff, org_ids):
    (pid,) = collect(app_env, org_ids, "小区路灯不亮")
    app = open_screen(app, app_env, staff, pid)
    app.radio(key=f"problem_{pid}.step").set_value(ProblemStatus.CLOSED).run()
    take_step(app_env, pid, StatusChange(ProblemStatus.REFERRED, department="教育局"))
    form = f"problem_{pid}_closed"
    widget(app, "text_area", "不予处理的理由", form=form).input("重复反映")
    button(app, "不予处理", form=form).click().run()
    assert "已被其他人修改" in app.error[0].value
    assert stored(app_env, pid).status is ProblemStatus.REFERRED
    assert widget(app, "text_area", "不予处理的理由", form=form).value == "重复反映"
    button(app, "不予处理", form=form).click().run()  # having seen the referral
    assert stored(app_env, pid).status is ProblemStatus.CLOSED


def test_the_handled_rate_tab_shows_each_committee_and_the_total(
        app, app_env, role_actor, org_ids):
    first, _ = collect(app_env, org_ids, "问题一", "问题二", on=DAY - timedelta(days=3))
    handled(app_env, first)
    app = open_screen(app, app_env, role_actor(Role.LEADER))
    app = open_tab(app, "problem_queue.tab", "处理率")
    rates = app.dataframe[-1].value
    assert rates["committee"].tolist() == ["教科卫体委员会", "合计"]
    assert rates["handled_rate"].tolist() == ["50%", "50%"]


def test_an_administrator_adds_a_department_and_it_is_offered_when_referring(
        admin_app, app_env, org_ids):
    (pid,) = collect(app_env, org_ids, "小区路灯不亮")
    app = admin_app
    app = open_tab(app.switch_page("pages/problems.py"), "problem_queue.tab", "名单设置")
    app.radio(key="lists.kind.problem_category").set_value(ListKind.DEPARTMENT).run()
    form = "list_add_1_department"
    widget(app, "text_input", "名称", form=form).input("城市管理局（测）")
    button(app, "添加", form=form).click().run()
    assert [s.value for s in app.success] == ["已保存。"]
    widget(app, "text_input", "名称", form=form).input("城市管理局（测）")
    button(app, "添加", form=form).click().run()
    assert [e.value for e in app.error] == ["本组织的该名单中已有同名项。"]

    app = open_tab(app, "problem_queue.tab", "问题队列")
    app.selectbox(key="problem_queue.pick").select(pid).run()
    with read_session(get_engine(app_env)) as session:
        entry_id = session.exec(select(ListEntry.id).where(
            ListEntry.name == "城市管理局（测）")).one()
    widget(app, "selectbox", "从承办部门名单选择").set_value(entry_id).run()
    assert widget(app, "text_input", "承办部门", form=f"problem_{pid}_referred").value == (
        "城市管理局（测）")


def test_an_administrator_sets_the_overdue_days(admin_app, app_env, org_ids):
    app = open_tab(admin_app.switch_page("pages/problems.py"), "problem_queue.tab", "名单设置")
    form = "problems_overdue"
    widget(app, "number_input", "逾期天数", form=form).set_value(400)
    button(app, "保存", form=form).click().run()
    assert [e.value for e in app.error] == ["逾期天数须为 1 至 365 之间的整数。"]
    widget(app, "number_input", "逾期天数", form=form).set_value(15)
    button(app, "保存", form=form).click().run()
    with read_session(get_engine(app_env)) as session:
        assert problems.overdue_days(session=session) == 15
