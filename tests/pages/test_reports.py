"""The opinion report screens against a real (temporary) store: submitting one (errors
beside their fields, saved once), the staff's board with its stage counts and overdue
marks, one report's actions and timeline, the member's own reports with what is new,
the sidebar's count, and who may open what."""

import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from core.db import get_engine, read_session, write_session
from models import (
    AdoptionLevel,
    LeaderInstruction,
    ListEntry,
    ListKind,
    OpinionAction,
    OpinionReport,
    OpinionStatus,
    Role,
)
from services import opinion
from services.actors import SYSTEM
from services.opinion import ReportDraft, Step
from tests.helpers import factories
from tests.helpers.app_test import (
    PROFILE_TABS,
    TODAY,
    button,
    open_tab,
    page_titles,
    registered_pages,
    sign_in_as,
    widget,
)

DAY = date.fromisoformat(TODAY)
A = OpinionAction


@pytest.fixture
def staff(role_actor):
    return role_actor(Role.STAFF)


@pytest.fixture
def category_id(app_env) -> int:
    with write_session(get_engine(app_env)) as session:
        entry = ListEntry(organisation_id=factories.TOP, kind=ListKind.OPINION_CATEGORY,
                          name="民生（测）")
        session.add(entry)
        session.flush()
        return entry.id


def submit(app_env, member_id: int, category_id: int, *, title: str = "关于课后服务收费的建议",
           on: date = DAY - timedelta(days=20), urgent: bool = False) -> int:
    with write_session(get_engine(app_env)) as session:
        return opinion.submit_report(
            session=session, actor=SYSTEM, idempotency_key=f"{hash((title, on))}",
            draft=ReportDraft(title=title, body="正文", category_id=category_id,
                              lead_member_id=member_id, submitted_on=on, is_urgent=urgent),
            today=DAY).id


def act(app_env, report_id: int, step: Step) -> OpinionReport:
    """A colleague's action, in another browser."""
    with write_session(get_engine(app_env)) as session:
        version = session.get(OpinionReport, report_id).version
        return opinion.take_step(session=session, actor=SYSTEM, report_id=report_id,
                                 expected_version=version, step=step, today=DAY)


def stored(app_env, report_id: int) -> OpinionReport:
    with read_session(get_engine(app_env)) as session:
        return session.get(OpinionReport, report_id)


def heading(app) -> str:
    """The open report's heading, as the page wrote it (HTML, the title escaped)."""
    (shown,) = [element.value for element in app.html if "<h3" in element.value]
    return re.sub(r"<[^>]+>", "", shown)


def open_board(app, app_env, who, report_id: int | None = None):
    sign_in_as(app, app_env, who)
    app.switch_page("pages/reports.py").run()
    if report_id is not None:
        app.selectbox(key="report_board.pick").select(report_id).run()
    assert not app.exception, app.exception
    return app


def test_staff_submit_a_report_for_a_member_errors_beside_fields_saved_once(
        app, app_env, staff, org_ids, category_id):
    sign_in_as(app, app_env, staff)
    app.switch_page("pages/report_entry.py").run()
    assert not app.exception, app.exception
    form = "report_entry"
    app.selectbox(key=f"{form}.lead").select(org_ids[1]).run()
    widget(app, "text_area", "正文").input("校外培训收费不透明，建议公示收费标准。").run()
    button(app, "报送").click().run()
    assert "请填写标题。" in [e.value for e in app.error]
    assert widget(app, "text_area", "正文").value == "校外培训收费不透明，建议公示收费标准。"
    widget(app, "text_input", "标题").input("关于规范校外培训收费的建议").run()
    app.selectbox(key=f"{form}.category").select(category_id).run()
    button(app, "报送").click().run()
    assert not app.exception, app.exception
    with read_session(get_engine(app_env)) as session:
        reports = session.exec(select(OpinionReport)).all()
    assert [(r.title, r.status) for r in reports] == [
        ("关于规范校外培训收费的建议", OpinionStatus.SUBMITTED)]
    assert any("已报送社情民意信息" in s.value for s in app.success)
    assert widget(app, "text_input", "标题").value == ""  # ready for the next


def test_the_board_counts_stages_marks_overdue_and_walks_a_report_to_forwarded(
        app, app_env, staff, org_ids, category_id):
    late = submit(app_env, org_ids[1], category_id, title="迟迟未审", on=DAY - timedelta(days=30))
    fresh = submit(app_env, org_ids[1], category_id, title="刚刚报送", on=DAY)
    app = open_board(app, app_env, staff)
    table = app.dataframe[0].value
    assert table["id"].tolist() == [late, fresh]  # the most overdue first
    assert table["status"].tolist() == ["已报送 · 逾期23天", "已报送"]
    metrics = {m.label: m.value for m in app.metric}
    assert (metrics["已报送"], metrics["逾期"]) == ("2", "1")

    app.selectbox(key="report_board.pick").select(late).run()
    assert heading(app) == f"#{late} 迟迟未审"
    choice = app.radio(key=f"report_{late}.action")
    assert (choice.options, choice.value) == (["开始审核", "录入领导批示"], None)  # none yet
    choice.set_value(A.START_REVIEW).run()
    button(app, "开始审核", form=f"report_{late}_start_review").click().run()
    assert "开始审核：已完成。" in [s.value for s in app.success]
    assert stored(app_env, late).status is OpinionStatus.UNDER_REVIEW

    app.radio(key=f"report_{late}.action").set_value(A.ADOPT).run()
    form = f"report_{late}_adopt"
    app.selectbox(key=f"{form}.level").select(AdoptionLevel.CITY).run()
    widget(app, "text_input", "刊发载体", form=form).input("《社情民意》第12期")
    button(app, "录入采用", form=form).click().run()
    assert stored(app_env, late).status is OpinionStatus.ADOPTED

    app.radio(key=f"report_{late}.action").set_value(A.FORWARD).run()
    form = f"report_{late}_forward"
    button(app, "转送部门", form=form).click().run()
    assert "请至少选择一个转送部门。" in [e.value for e in app.error]
    app.multiselect(key=f"{form}.departments").select("教育局（测）").select("财政局（测）")
    button(app, "转送部门", form=form).click().run()
    report = stored(app_env, late)
    assert (report.status, report.due_on) == (OpinionStatus.FORWARDED, DAY + timedelta(days=30))
    timeline = " ".join(m.value for m in app.markdown)
    assert "转送部门" in timeline and "教育局（测）" in " ".join(t.value for t in app.text)


def test_a_saved_step_empties_its_form_so_a_second_click_saves_nothing_twice(
        app, app_env, staff, org_ids, category_id):
    report_id = submit(app_env, org_ids[1], category_id)
    app = open_board(app, app_env, staff, report_id)
    app.radio(key=f"report_{report_id}.action").set_value(A.INSTRUCT).run()
    form = f"report_{report_id}_instruct"
    widget(app, "text_input", "批示领导", form=form).input("王书记")
    app.selectbox(key=f"{form}.instruction_level").select_index(0)
    widget(app, "text_area", "批示内容", form=form).input("同意。")
    button(app, "录入领导批示", form=form).click().run()
    assert "录入领导批示：已完成。" in [s.value for s in app.success]
    assert app.radio(key=f"report_{report_id}.action").value is None  # chosen anew
    app.radio(key=f"report_{report_id}.action").set_value(A.INSTRUCT).run()
    assert widget(app, "text_input", "批示领导", form=form).value == ""
    button(app, "录入领导批示", form=form).click().run()
    assert "请填写批示领导。" in [e.value for e in app.error]
    with read_session(get_engine(app_env)) as session:
        assert len(session.exec(select(LeaderInstruction)).all()) == 1


def test_a_leader_reads_the_board_but_has_no_action_form(app, app_env, role_actor, org_ids,
                                                         category_id):
    report_id = submit(app_env, org_ids[1], category_id)
    app = open_board(app, app_env, role_actor(Role.LEADER), report_id)
    assert "您可以查看这条信息，但不能办理。" in [c.value for c in app.caption]
    assert [r for r in app.radio if r.key == f"report_{report_id}.action"] == []


def test_a_member_sees_new_replies_marked_and_counted_in_the_sidebar_until_opened(
        app, app_env, role_actor, org_ids, category_id):
    member = role_actor(Role.MEMBER)
    report_id = submit(app_env, org_ids[1], category_id)
    act(app_env, report_id, Step(A.START_REVIEW))
    sign_in_as(app, app_env, member)
    app.run()
    assert "reports" not in registered_pages(app)
    assert "my_reports" in registered_pages(app)
    app.switch_page("pages/my_reports.py").run()
    assert not app.exception, app.exception
    assert app.dataframe[0].value["new"].tolist() == ["1 条"]
    assert page_titles(app)["my_reports"] == "我的社情民意（1条新动态）"
    app.selectbox(key="my_reports.pick").select(report_id).run()
    assert "1 条新动态" in " ".join(e.label for e in app.expander)
    app.run()
    assert app.dataframe[0].value["new"].tolist() == [""]
    assert page_titles(app)["my_reports"] == "我的社情民意"


def test_a_member_resubmits_a_returned_report_with_a_revised_text(
        app, app_env, role_actor, org_ids, category_id):
    member = role_actor(Role.MEMBER)
    report_id = submit(app_env, org_ids[1], category_id)
    act(app_env, report_id, Step(A.START_REVIEW))
    act(app_env, report_id, Step(A.RETURN, note="请补充数据来源"))
    sign_in_as(app, app_env, member)
    app.switch_page("pages/my_reports.py").run()
    app.selectbox(key="my_reports.pick").select(report_id).run()
    choice = app.radio(key=f"report_{report_id}.action")
    assert choice.options == ["重新报送"]
    choice.set_value(A.RESUBMIT).run()
    form = f"report_{report_id}_resubmit"
    widget(app, "text_area", "正文", form=form).input("补充：据区教育局统计……")
    button(app, "重新报送", form=form).click().run()
    assert not app.exception, app.exception
    report = stored(app_env, report_id)
    assert (report.status, report.body) == (OpinionStatus.SUBMITTED, "补充：据区教育局统计……")


def test_members_cannot_open_the_board(app, app_env, role_actor, org_ids):
    sign_in_as(app, app_env, role_actor(Role.MEMBER))
    app.run()
    assert "reports" not in registered_pages(app)
    assert "report_entry" in registered_pages(app)


def test_an_administrator_changes_a_deadline(
        app, app_env, make_user, org_ids):
    app = open_tab(open_board(app, app_env, make_user(Role.ADMIN)), "report_board.tab", "办理时限")
    form = "report_deadlines"
    app.number_input(key=f"{form}.reply").set_value(20)
    button(app, "保存时限", form=form).click().run()
    assert not app.exception, app.exception
    with read_session(get_engine(app_env)) as session:
        assert opinion.deadlines(session=session).reply == 20
    assert "办理时限已保存。" in [s.value for s in app.success]


def test_staff_see_no_deadlines_tab(app, app_env, staff, org_ids):
    app = open_board(app, app_env, staff)
    assert [tab.label for tab in app.tabs] == ["办理看板", "统计"]


def test_the_figures_tab_counts_the_period_and_lists_the_overdue(
        app, app_env, staff, org_ids, category_id):
    late = submit(app_env, org_ids[1], category_id, title="迟迟未审",
                  on=DAY - timedelta(days=30))
    adopted = submit(app_env, org_ids[1], category_id, title="已采用的", on=DAY - timedelta(days=5))
    act(app_env, adopted, Step(A.START_REVIEW, on=DAY - timedelta(days=4)))
    act(app_env, adopted, Step(A.ADOPT, level=AdoptionLevel.CITY, on=DAY - timedelta(days=3)))
    app = open_tab(open_board(app, app_env, staff), "report_board.tab", "统计")
    app.selectbox(key="report_figures.period.quarter").select_index(0).run()
    assert not app.exception, app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["报送"] == "2"
    assert (metrics["采用"], metrics["采用率"]) == ("1", "50%")
    assert metrics["市政协采用"] == "1"
    late_table = app.dataframe[-1].value
    assert late_table["id"].tolist() == [late]
    assert late_table["days_overdue"].tolist() == [23]


def test_a_hostile_title_is_stored_as_typed_and_shown_as_text(
        app, app_env, staff, org_ids, category_id):
    hostile = '=HYPERLINK("http://x","y")<img src=x onerror=alert(1)>𠮷'
    report_id = submit(app_env, org_ids[1], category_id, title=hostile)
    app = open_board(app, app_env, staff, report_id)
    assert stored(app_env, report_id).title == hostile
    escaped = hostile.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
        '"', "&quot;")
    assert escaped in heading(app)  # as text: no tag, no Markdown link
    assert app.dataframe[0].value["title"].tolist() == [hostile]


def test_bulk_close_asks_for_a_confirmation_then_closes_every_report_chosen(
        app, app_env, staff, org_ids, category_id):
    chosen = [submit(app_env, org_ids[1], category_id, title=title) for title in ("一", "二")]
    for report_id in chosen:
        act(app_env, report_id, Step(A.START_REVIEW))
        act(app_env, report_id, Step(A.REJECT, note="不予采用"))
    app = open_board(app, app_env, staff)
    app.multiselect(key="report_board.bulk_ids").set_value(chosen).run()
    choice = app.radio(key="report_board.bulk_action")
    assert choice.options == ["办结"]
    choice.set_value(A.CLOSE).run()
    button(app, "办结", form="reports_bulk").click().run()
    assert "请先勾选确认。" in [e.value for e in app.error]
    assert {stored(app_env, i).status for i in chosen} == {OpinionStatus.NOT_ADOPTED}
    app.checkbox(key="reports_bulk.#confirm_close_2").check().run()
    button(app, "办结", form="reports_bulk").click().run()
    assert not app.exception, app.exception
    assert "办结：已完成，共 2 条信息。" in [s.value for s in app.success]
    assert {stored(app_env, i).status for i in chosen} == {OpinionStatus.CLOSED}


def test_a_members_profile_counts_their_reports_this_half_year(
        app, app_env, staff, org_ids, category_id):
    submit(app_env, org_ids[1], category_id, title="今年下半年", on=DAY - timedelta(days=20))
    earlier = submit(app_env, org_ids[1], category_id, title="上半年", on=date(2026, 3, 2))
    act(app_env, earlier, Step(A.START_REVIEW, on=date(2026, 3, 3)))
    act(app_env, earlier, Step(A.ADOPT, level=AdoptionLevel.CITY, on=date(2026, 3, 4)))
    sign_in_as(app, app_env, staff)
    app.switch_page("pages/members.py").run()
    app.selectbox(key="member.pick").select(org_ids[1]).run()
    open_tab(app, PROFILE_TABS, "社情民意")
    assert not app.exception, app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert (metrics["2026年下半年报送条数"], metrics["报送总数"], metrics["其中被采用"]) == (
        "1", "2", "1")
    table = next(frame.value for frame in app.dataframe if "adoption_level" in frame.value)
    assert table["title"].tolist() == ["今年下半年", "上半年"]


HOSTILE = {  # typed → stored
    "formula": ('=HYPERLINK("http://x","y")', '=HYPERLINK("http://x","y")'),
    "html": ("<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),
    "astral": ("𠮷田的建议", "𠮷田的建议"),
    "rtl": ("مرحبا עולם 建议", "مرحبا עולם 建议"),
    "zero_width": ("关于\u200b课后服务", "关于课后服务"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_typing_in_the_form_is_stored_as_typed_shown_as_text_and_saved_once(
        app, app_env, staff, org_ids, category_id, case):
    typed, kept = HOSTILE[case]
    sign_in_as(app, app_env, staff)
    app.switch_page("pages/report_entry.py").run()
    for _ in range(2):  # a double click: the second run still carries what was sent
        app.selectbox(key="report_entry.lead").select(org_ids[1]).run()
        app.selectbox(key="report_entry.category").select(category_id)
        widget(app, "text_input", "标题").input(typed)
        widget(app, "text_area", "正文").input(typed)
        button(app, "报送").click().run()
        assert not app.exception, app.exception
        assert not app.error, [e.value for e in app.error]
    with read_session(get_engine(app_env)) as session:
        reports = session.exec(select(OpinionReport)).all()
    assert [(r.title, r.body) for r in reports] == [(kept, kept)]
    app = open_board(app, app_env, staff, reports[0].id)
    assert kept.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;") in heading(app)
    assert app.dataframe[0].value["title"].tolist() == [kept]


def test_ten_thousand_characters_are_refused_beside_the_title_and_kept(
        app, app_env, staff, org_ids, category_id):
    sign_in_as(app, app_env, staff)
    app.switch_page("pages/report_entry.py").run()
    app.selectbox(key="report_entry.lead").select(org_ids[1]).run()
    app.selectbox(key="report_entry.category").select(category_id).run()
    widget(app, "text_input", "标题").input("长" * 10_000)
    widget(app, "text_area", "正文").input("正文").run()
    button(app, "报送").click().run()
    assert "内容过长，请精简。" in [e.value for e in app.error]
    assert widget(app, "text_input", "标题").value == "长" * 10_000
    with read_session(get_engine(app_env)) as session:
        assert session.exec(select(OpinionReport)).all() == []
