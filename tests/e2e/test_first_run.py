"""First run in a real browser: create the first administrator, sign in, load the demo
data with a progress bar, and see the home counts, in Chinese and in English."""

from datetime import date

from playwright.sync_api import Page, expect

from core.db import get_engine, read_session
from core.i18n import format_number
from services.actors import SYSTEM
from services.overview import overview
from tests.helpers.browser import (
    PASSWORD,
    TODAY,
    screenshot,
    setup_token_printed,
    sign_in,
    wait_for_app,
    wait_for_sign_in_cookie,
)


def _metric_value(page: Page, label: str):
    return page.get_by_test_id("stMetric").filter(has_text=label).get_by_test_id("stMetricValue")


def test_setup_sign_in_load_demo_data_and_see_home_counts(start_app, page: Page, tmp_path):
    store = f"sqlite:///{tmp_path / 'liaison.db'}"
    url = start_app(DATABASE_URL=store)

    page.goto(url)
    wait_for_app(page)
    expect(page.get_by_role("heading", name="首次使用：创建系统管理员")).to_be_visible()
    page.get_by_role("textbox", name="安装口令", exact=True).fill(
        setup_token_printed(tmp_path, url))
    page.get_by_role("textbox", name="用户名", exact=True).fill("chief")
    page.get_by_role("textbox", name="姓名", exact=True).fill("王主任")
    page.get_by_role("textbox", name="新密码", exact=True).fill(PASSWORD)
    page.get_by_role("textbox", name="再次输入新密码", exact=True).fill(PASSWORD)
    screenshot(page, "setup-zh")
    page.get_by_role("button", name="创建管理员").click()
    expect(page.get_by_text("管理员账户已创建，请登录。")).to_be_visible()

    sign_in(page, "chief", PASSWORD)
    expect(page.get_by_role("heading", name="欢迎使用委员联系界别群众工作平台")).to_be_visible()
    screenshot(page, "welcome-zh")

    page.get_by_role("button", name="加载演示数据").click()
    expect(page.get_by_role("heading", name="工作概览")).to_be_visible(timeout=120_000)
    wait_for_app(page)
    expect(page.get_by_text("演示数据已加载")).to_be_visible()

    with read_session(get_engine(store)) as session:
        counts = overview(session=session, actor=SYSTEM, today=date.fromisoformat(TODAY)).counts
    assert counts.members_in_office > 400 and counts.visits > 1000
    expect(_metric_value(page, "在任委员")).to_have_text(format_number(counts.members_in_office))
    expect(_metric_value(page, "走访联系记录")).to_have_text(format_number(counts.visits))
    expect(_metric_value(page, "社情民意信息")).to_have_text(format_number(counts.opinion_reports))
    expect(_metric_value(page, "委员工作室（站）")).to_have_text(
        format_number(counts.workstations)
    )
    expect(page.get_by_text("2026年第4季度")).to_be_visible()
    expect(page.get_by_text("41 天", exact=True)).to_have_count(2)  # Q4 and H2 both end 31 Dec
    wait_for_sign_in_cookie(page)
    page.reload()  # a refresh keeps the user signed in
    wait_for_app(page)
    expect(page.get_by_role("heading", name="工作概览")).to_be_visible()
    screenshot(page, "home-zh")

    # The picker sits at the foot of the sidebar, below the navigation's sections: at
    # 900 px its list may open out of sight, so the choice is typed and taken with Enter.
    picker = page.get_by_test_id("stSidebar").get_by_role("combobox").first
    picker.click()
    picker.press_sequentially("Eng")
    picker.press("Enter")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    wait_for_app(page)
    expect(_metric_value(page, "Members in office")).to_have_text(
        format_number(counts.members_in_office)
    )
    page.reload()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()


def test_unreachable_database_gets_a_clear_message_not_a_traceback(start_app, page: Page):
    url = start_app(DATABASE_URL="postgresql://liaison@127.0.0.1:1/liaison")
    page.goto(url)
    wait_for_app(page)
    expect(page.get_by_text("暂时无法连接数据库")).to_be_visible()
    expect(page.get_by_text("python manage.py check")).to_be_visible()
    for detail in ("127.0.0.1", "liaison@", "refused"):  # anyone may see this page
        expect(page.get_by_text(detail)).to_have_count(0)
    expect(page.get_by_text("Traceback")).to_have_count(0)
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)  # no pages/ fallback menu
    screenshot(page, "store-unavailable-zh")
