"""An administrator's morning in a real browser, on the demo city: create a staff user for
one committee, look a member up, and read the trail of it on the audit page."""

import re
from datetime import date
from pathlib import Path

from playwright.sync_api import Page, expect

from core.db import get_engine, write_session
from core.migrate import upgrade_to_head
from services.actors import SYSTEM
from services.demo import DemoSize, load_demo_data
from services.users import create_admin
from tests.helpers.browser import PASSWORD, TODAY, screenshot, sign_in, wait_for_app


def _demo_store(tmp_path: Path) -> str:
    store = f"sqlite:///{tmp_path / 'liaison.db'}"
    engine = get_engine(store)
    upgrade_to_head(engine)
    load_demo_data(engine=engine, actor=SYSTEM, size=DemoSize.city(),
                   today=date.fromisoformat(TODAY))
    with write_session(engine) as session:
        create_admin(session=session, username="chief", display_name="王主任",
                     password=PASSWORD)
    return store


def _open(page: Page, name: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name).click()
    wait_for_app(page)


def test_admin_creates_staff_finds_a_member_and_reads_the_trail(start_app, page: Page,
                                                                tmp_path: Path):
    url = start_app(DATABASE_URL=_demo_store(tmp_path))
    page.goto(url)
    sign_in(page, "chief", PASSWORD)
    expect(page.get_by_role("heading", name="工作概览")).to_be_visible()
    nav = page.get_by_test_id("stSidebarNav")
    for name in ["首页", "委员名录", "我的账户", "用户管理", "操作日志"]:
        expect(nav.get_by_role("link", name=name)).to_be_visible()

    _open(page, "用户管理")
    create = page.get_by_test_id("stForm").filter(has=page.get_by_role("textbox",
                                                                        name="初始密码"))
    create.get_by_role("textbox", name="用户名", exact=True).fill("zhangli")
    create.get_by_role("textbox", name="姓名", exact=True).fill("张丽")
    create.get_by_role("combobox", name="角色").click()
    page.get_by_role("option", name="工作人员").click()
    create.get_by_role("combobox", name="负责的专委会").click()
    page.get_by_role("option", name="教科卫体委员会").click()
    page.keyboard.press("Escape")
    create.get_by_role("textbox", name="初始密码", exact=True).fill("first passphrase 2026")
    create.get_by_role("button", name="保存").click()
    wait_for_app(page)
    expect(page.get_by_text("用户已创建")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    screenshot(page, "users-zh")

    _open(page, "委员名录")
    count = page.get_by_text(re.compile(r"^共 [\d,]+ 名委员$"))
    everyone = count.inner_text()
    page.get_by_role("combobox", name="专委会").click()
    # The city and its districts each have one: the city's is named first.
    page.get_by_role("option", name=re.compile("^教科卫体委员会（")).first.click()
    expect(count).not_to_have_text(everyone)  # the filtered run has drawn
    wait_for_app(page)
    page.get_by_role("combobox", name="查看委员").click()
    page.get_by_role("option").nth(1).click()
    expect(page.get_by_text("批注", exact=True)).to_be_visible()
    wait_for_app(page)
    screenshot(page, "members-zh")

    _open(page, "操作日志")
    expect(page.get_by_role("heading", name="操作日志")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^共 \d+ 条记录"))).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    expect(page.get_by_text("时间范围")).to_be_visible()
    screenshot(page, "audit-zh")
