"""Issue 10's main path in a real browser: a member submits a public-opinion report; in
another browser the committee's staff review and adopt it, forward it to two
departments, record each department's reply, feed the outcome back and close it, and
see every step on its timeline; the member's sidebar then counts the news, the report
shows it marked new, and the marks clear once the member has looked."""

import re
from datetime import date
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page, expect

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
from services.users import UserInput
from tests.helpers.browser import PASSWORD, screenshot, sign_in, wait_for_app
from tests.helpers.users import user_with_own_password

TOP = 1
TITLE = "关于规范校外培训机构收费的建议"
DEPARTMENTS = ("市教育局", "市市场监督管理局")


def _store(tmp_path: Path) -> str:
    """A committee with the member 刘洋 (who signs in himself) and its staff."""
    url = f"sqlite:///{tmp_path / 'liaison.db'}"
    engine = get_engine(url)
    upgrade_to_head(engine)  # seeds the top organisation's report categories
    with write_session(engine) as session:
        term = add_term(session=session, actor=SYSTEM, organisation_id=TOP,
                        data=TermInput(number=14, name="十四届", starts_on=date(2023, 1, 1)))
        sector = add_sector(session=session, actor=SYSTEM, organisation_id=TOP,
                            data=SectorInput(name="教育界"))
        committee = add_committee(session=session, actor=SYSTEM, organisation_id=TOP,
                                  data=CommitteeInput(name="教科卫体委员会"))
        member = roster.create_member(
            session=session, actor=SYSTEM, today=date(2026, 11, 21),
            data=roster.MemberInput(name="刘洋", organisation_id=TOP, term_id=term.id,
                                    sector_id=sector.id, committee_id=committee.id,
                                    in_office_from=date(2023, 1, 1)))
        user_with_own_password(session, UserInput(
            username="liuyang", display_name="刘洋", role=Role.MEMBER, member_id=member.id),
            PASSWORD)
        user_with_own_password(session, UserInput(
            username="clerk", display_name="李干事", role=Role.STAFF,
            committee_ids=frozenset({committee.id})), PASSWORD)
    return url


def _open(page: Page, name: str | re.Pattern) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name).click()
    wait_for_app(page)


def _choose(page: Page, label: str, option: str | re.Pattern) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option).first.click()
    wait_for_app(page)


def _action(page: Page, action: str) -> Locator:
    """Choose the next step; its form."""
    page.get_by_role("radiogroup", name="下一步").get_by_text(action, exact=True).click()
    wait_for_app(page)
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name=action))
    form.get_by_role("button", name=action).hover()
    return form


def _send(page: Page, form: Locator, action: str) -> None:
    form.get_by_role("button", name=action).click()
    expect(page.get_by_text(f"{action}：已完成。")).to_be_visible()
    wait_for_app(page)


def _signed_in(browser: Browser, url: str, username: str) -> Page:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.goto(url)
    sign_in(page, username, PASSWORD)
    return page


def test_a_report_walks_the_whole_loop_and_the_member_sees_what_is_new(
    start_app, browser: Browser, tmp_path: Path
):
    url = start_app(DATABASE_URL=_store(tmp_path))
    member = _signed_in(browser, url, "liuyang")
    _open(member, "社情民意报送")
    member.get_by_role("textbox", name="标题").fill(TITLE)
    _choose(member, "类别", "教育")
    member.get_by_role("textbox", name="正文").fill(
        "部分校外培训机构预收费用周期长、退费难，建议建立资金监管账户并公示收费标准。")
    wait_for_app(member)
    screenshot(member, "report-entry")
    member.get_by_role("button", name="报送", exact=True).click()
    expect(member.get_by_text("已报送社情民意信息 #1", exact=False)).to_be_visible()

    staff = _signed_in(browser, url, "clerk")
    _open(staff, "社情民意办理")
    expect(staff.get_by_test_id("stDataFrame").locator("[role=row]").filter(
        has_text=TITLE)).to_contain_text("刘洋")
    _choose(staff, "打开一条信息", re.compile(TITLE[:10]))
    _send(staff, _action(staff, "开始审核"), "开始审核")
    form = _action(staff, "录入采用")
    form.get_by_role("combobox", name="采用层级").click()
    staff.get_by_role("option", name="市政协采用").click()
    form.get_by_role("textbox", name="刊发载体").fill("《社情民意》2026年第12期")
    _send(staff, form, "录入采用")
    form = _action(staff, "转送部门")
    departments = form.get_by_role("combobox", name="转送部门")
    departments.click()
    for department in DEPARTMENTS:  # typed: new departments join the list as they go
        staff.keyboard.type(department)
        staff.keyboard.press("Enter")
    staff.keyboard.press("Escape")
    _send(staff, form, "转送部门")
    for department in DEPARTMENTS:
        form = _action(staff, "录入部门答复")
        form.get_by_role("combobox", name="答复部门").click()
        staff.get_by_role("option", name=department, exact=True).click()
        form.get_by_role("textbox", name="答复内容").fill(f"{department}已研究，将出台监管办法。")
        _send(staff, form, "录入部门答复")
    expect(staff.get_by_text("部门已答复", exact=False).first).to_be_visible()
    form = _action(staff, "反馈委员")
    form.get_by_role("textbox", name="反馈委员内容").fill("两个部门均已答复，详见答复意见。")
    _send(staff, form, "反馈委员")
    _send(staff, _action(staff, "办结"), "办结")
    staff.get_by_text("办理过程", exact=False).first.click()  # the timeline opens
    timeline = staff.get_by_test_id("stExpander").filter(has_text="办理过程")
    for step in ("开始审核", "采用", "转送部门", "部门答复", "反馈委员", "办结"):
        expect(timeline.get_by_text(re.compile(step)).first).to_be_visible()
    expect(timeline).to_contain_text("市市场监督管理局已研究")
    timeline.screenshot(path=str(screenshot(staff, "report-timeline")))
    staff.get_by_role("combobox", name="办理环节").first.scroll_into_view_if_needed()
    screenshot(staff, "report-board")

    member.reload()
    wait_for_app(member)
    news = re.compile(r"我的社情民意（1条新动态）")
    expect(member.get_by_test_id("stSidebarNav")).to_contain_text(news)
    _open(member, news)
    expect(member.get_by_test_id("stDataFrame").locator("[role=row]").filter(
        has_text=TITLE)).to_contain_text(re.compile(r"^\d+ 条"))
    _choose(member, "打开一条信息", re.compile(TITLE[:10]))
    expect(member.get_by_text("新", exact=True).first).to_be_visible()
    expect(member.get_by_text("市教育局已研究，将出台监管办法。").first).to_be_visible()
    screenshot(member, "my-reports")
    member.reload()
    wait_for_app(member)
    nav = member.get_by_test_id("stSidebarNav")
    expect(nav.get_by_role("link", name="我的社情民意", exact=True)).to_be_visible()
    _open(member, "我的社情民意")
    expect(member.get_by_test_id("stDataFrame").locator("[role=row]").filter(
        has_text=TITLE)).not_to_contain_text(re.compile(r"^\d+ 条"))
