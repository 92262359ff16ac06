"""Issue 9's main path in a real browser: a member of staff logs a joint visit with two
problems from an empty form in at most ten counted interactions, sees it in the visit
list, on both members' pages and in the problems queue, then refers one problem to a
department and marks it handled.

An interaction is what a person does: a click, a field filled (click and type), or a
choice typed into a picker and taken with Enter."""

import re
from datetime import date
from pathlib import Path

from playwright.sync_api import Page, expect

from core.db import get_engine, write_session
from core.migrate import upgrade_to_head
from models import Role
from services import roster
from services.actors import SYSTEM
from services.reference import (
    CommitteeInput,
    SectorInput,
    TermInput,
    add_committee,
    add_sector,
    add_term,
)
from services.users import UserInput, create_admin
from tests.helpers.browser import (
    PASSWORD,
    Counter,
    choose,
    fill,
    metric_value,
    open_screen,
    screenshot,
    sign_in,
    table_row,
    wait_for_app,
)
from tests.helpers.users import user_with_own_password

TOP = 1
MAX_INTERACTIONS = 10


def _store(tmp_path: Path) -> str:
    """Two committees, three members (two on the visit), staff of the first committee."""
    url = f"sqlite:///{tmp_path / 'liaison.db'}"
    engine = get_engine(url)
    upgrade_to_head(engine)
    with write_session(engine) as session:
        term = add_term(session=session, actor=SYSTEM, organisation_id=TOP,
                        data=TermInput(number=14, name="十四届", starts_on=date(2023, 1, 1)))
        sectors = [add_sector(session=session, actor=SYSTEM, organisation_id=TOP,
                              data=SectorInput(name=name)) for name in ("教育界", "经济界")]
        committees = [add_committee(session=session, actor=SYSTEM, organisation_id=TOP,
                                    data=CommitteeInput(name=name))
                      for name in ("教科卫体委员会", "经济委员会")]
        for name, index in (("刘洋", 0), ("赵强", 1), ("王芳", 0)):
            roster.create_member(session=session, actor=SYSTEM, today=date(2026, 11, 21),
                                 data=roster.MemberInput(
                                     name=name, organisation_id=TOP, term_id=term.id,
                                     sector_id=sectors[index].id,
                                     committee_id=committees[index].id,
                                     in_office_from=date(2023, 1, 1)))
        create_admin(session=session, username="chief", display_name="王主任",
                     password=PASSWORD)
        user_with_own_password(session, UserInput(
            username="clerk", display_name="李干事", role=Role.STAFF,
            committee_ids=frozenset({committees[0].id})), PASSWORD)
    return url


def test_staff_log_a_joint_visit_in_ten_interactions_and_follow_its_problems(
    start_app, page: Page, tmp_path: Path
):
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(start_app(DATABASE_URL=_store(tmp_path)))
    sign_in(page, "clerk", PASSWORD)
    open_screen(page, "走访登记")
    count = Counter()

    choose(page, count, "参加委员", "liuyang", "member by pinyin")
    choose(page, count, "参加委员", "zq", "second member by initials")
    page.keyboard.press("Escape")
    count("close the member picker")
    # A first visit's channel is face to face (走访谈心), the occasion routine.
    expect(page.get_by_role("combobox", name="联系渠道")).to_have_value("走访谈心")
    fill(count, page.get_by_role("textbox", name="联系对象（其他）"),
          "东城街道教师和家长", "contact targets")
    fill(count, page.get_by_role("spinbutton", name="人数"), "15", "head count")
    fill(count, page.get_by_role("textbox", name="主要做法和基本情况"),
          "走访东城街道学校，听取教师和家长对课后服务的意见。", "summary")
    fill(count, page.get_by_role("textbox", name="收集的问题和建议（每行一条）"),
          "教育：课后服务收费不透明\n交通出行：校车线路太少", "two problems")
    wait_for_app(page)
    screenshot(page, "visit-entry-filled")
    page.get_by_role("button", name="保存登记").click()
    count("save")
    expect(page.get_by_text("已保存走访记录 #1（问题建议 2 条）", exact=False)).to_be_visible()
    assert len(count.done) <= MAX_INTERACTIONS, count.done
    wait_for_app(page)
    # Ready for the next one: members empty, channel kept.
    expect(page.get_by_role("textbox", name="主要做法和基本情况")).to_have_value("")
    expect(page.get_by_role("combobox", name="联系渠道")).to_have_value("走访谈心")

    # The visit list: the joint visit, its two open problems.
    open_screen(page, "走访记录")
    row = table_row(page, "刘洋、赵强")
    expect(row).to_contain_text("东城街道教师和家长")
    screenshot(page, "visit-list")

    # Both members' pages: one visit this quarter, two problems collected.
    open_screen(page, "委员名录")
    page.get_by_role("combobox", name="专委会").click()  # staff start on their own
    page.get_by_role("option", name="全部", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text("共 3 名委员", exact=True)).to_be_visible()
    for name in ("刘洋", "赵强"):
        picker = page.get_by_role("combobox", name="查看委员")
        picker.click()
        picker.press_sequentially(name)
        page.get_by_role("option", name=re.compile(f"^{name}")).click()
        wait_for_app(page)
        expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
        page.get_by_role("tab", name="走访记录", exact=True).click()
        wait_for_app(page)
        tab = page.get_by_role("tabpanel", name="走访记录")
        expect(metric_value(tab, "2026年第4季度走访次数")).to_have_text("1")
        expect(metric_value(tab, "收集的问题建议")).to_have_text("2")
        problems = tab.get_by_test_id("stDataFrame").nth(1)  # below the visits
        problems.scroll_into_view_if_needed()
        expect(problems.locator("[role=row]").filter(has_text="课后服务收费不透明")
               ).to_contain_text("待处理")
    screenshot(page, "member-visits")

    # The queue: refer the first problem, then mark it handled.
    open_screen(page, "问题办理")
    expect(table_row(page, "课后服务收费不透明")).to_contain_text("刘洋、赵强")
    page.get_by_role("combobox", name="打开问题").click()
    page.get_by_role("option", name=re.compile("课后服务收费不透明")).click()
    wait_for_app(page)
    refer = page.get_by_test_id("stForm").filter(
        has=page.get_by_role("button", name="转交部门"))
    refer.get_by_role("button", name="转交部门").hover()
    refer.get_by_role("textbox", name="承办部门").fill("市教育局")
    refer.get_by_role("button", name="转交部门").click()
    expect(page.get_by_text("转交部门：已完成，共 1 个问题。")).to_be_visible()
    wait_for_app(page)
    page.get_by_role("radiogroup", name="下一步").get_by_text("标记已办理").click()
    wait_for_app(page)
    handle = page.get_by_test_id("stForm").filter(
        has=page.get_by_role("button", name="标记已办理"))
    handle.get_by_role("button", name="标记已办理").hover()
    handle.get_by_role("textbox", name="办理答复").fill("市教育局已公开课后服务收费标准。")
    handle.get_by_role("button", name="标记已办理").click()
    expect(page.get_by_text("标记已办理：已完成，共 1 个问题。")).to_be_visible()
    wait_for_app(page)
    screenshot(page, "problem-queue")
    page.get_by_role("tab", name="处理率", exact=True).click()
    wait_for_app(page)
    rate = page.get_by_role("tabpanel", name="处理率")
    expect(table_row(rate, "教科卫体委员会")).to_contain_text("50")
