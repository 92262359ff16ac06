"""The must-visit campaign screen (八必访) in a real browser: a member of staff declares a
campaign for one sector, first without a sector (refused beside the field, the typed
title kept), then rightly; the campaign opens with none of the sector's two members
visited and both on the to-visit list; a visit recorded on 走访登记 for the campaign
(chosen as the visit's occasion) makes one of them visited, and that member leaves the
to-visit list, in the list of campaigns as on the campaign itself."""

import re
import shutil
from datetime import date
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

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
    ROOT,
    metric_value,
    open_screen,
    open_tab,
    screenshot,
    sign_in,
    table_row,
    wait_for_app,
)
from tests.helpers.users import user_with_own_password

TOP = 1
TODAY = date(2026, 11, 21)
TITLE = "2027年全会前走访教育界群众"
ENDS_ON = date(2026, 12, 20)
PICKED = f"{TITLE}（{TODAY.isoformat()}）"  # the campaign picker names its first day
SECTOR = "教育界"
COMMITTEE = "教科卫体委员会"
SLOW = 30_000  # the app computes on a shared, loaded machine


def _store(tmp_path: Path) -> str:
    """Two sectors and two committees; 刘洋 and 王芳 in 教育界 (教科卫体委员会), 赵强 in
    经济界; staff of the first committee and an administrator; no campaign yet."""
    url = f"sqlite:///{tmp_path / 'liaison.db'}"
    engine = get_engine(url)
    upgrade_to_head(engine)
    with write_session(engine) as session:
        term = add_term(session=session, actor=SYSTEM, organisation_id=TOP,
                        data=TermInput(number=14, name="十四届", starts_on=date(2023, 1, 1)))
        sectors = [add_sector(session=session, actor=SYSTEM, organisation_id=TOP,
                              data=SectorInput(name=name)) for name in (SECTOR, "经济界")]
        committees = [add_committee(session=session, actor=SYSTEM, organisation_id=TOP,
                                    data=CommitteeInput(name=name))
                      for name in (COMMITTEE, "经济委员会")]
        for name, index in (("刘洋", 0), ("赵强", 1), ("王芳", 0)):
            roster.create_member(session=session, actor=SYSTEM, today=TODAY,
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


def _fill_date(within: Locator, label: str, day: date) -> None:
    """Streamlit's date input is three spin buttons (year, month, day) in a group named
    by the label: each is typed into, as a person would."""
    group = within.get_by_role("group", name=label, exact=True)
    for part, value in (("year", f"{day.year:04d}"), ("month", f"{day.month:02d}"),
                        ("day", f"{day.day:02d}")):
        box = group.get_by_role("spinbutton", name=f"{part}, {label}", exact=True)
        box.click()
        box.press_sequentially(value)
        expect(box).to_have_attribute("aria-valuenow", str(int(value)))


def _pick(within: Locator, label: str, typed: str, option: str | re.Pattern[str]) -> None:
    """Type into a picker and click the option named ``option``."""
    box = within.get_by_role("combobox", name=label)
    box.click()
    box.press_sequentially(typed)
    within.page.get_by_role("option", name=option, exact=True).click()


def _tiles(within: Locator, members: str, visited: str, to_visit: str) -> None:
    expect(metric_value(within, "应走访委员")).to_have_text(members, timeout=SLOW)
    expect(metric_value(within, "已走访")).to_have_text(visited, timeout=SLOW)
    expect(metric_value(within, "待走访")).to_have_text(to_visit, timeout=SLOW)


def _to_visit_list(within: Locator) -> Locator:
    """The members still to visit: the table below the completion per committee."""
    expect(within.get_by_role("heading", name="待走访委员（提醒电话）")).to_be_visible()
    return within.get_by_test_id("stDataFrame").nth(1)


def test_staff_declare_a_campaign_and_a_visit_for_it_takes_a_member_off_the_list(
    start_app, page: Page, tmp_path: Path
):
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(start_app(DATABASE_URL=_store(tmp_path), LIAISON_TODAY=TODAY.isoformat()))
    sign_in(page, "clerk", PASSWORD)
    open_screen(page, "八必访")
    expect(page.get_by_text("还没有八必访活动。", exact=False)).to_be_visible(timeout=SLOW)

    # Declared without a sector: refused beside the sector field, the typing kept.
    new = open_tab(page, "新建")
    form = new.get_by_test_id("stForm")
    form.get_by_role("textbox", name="标题").fill(TITLE)
    _pick(form, "必访情形", "全会", "政协全会召开前")
    _fill_date(form, "结束日期（含当天）", ENDS_ON)
    form.get_by_role("button", name="宣布活动", exact=True).click()
    wait_for_app(page)
    error = form.get_by_test_id("stElementContainer").filter(
        has=page.get_by_test_id("stAlertContentError"))
    expect(error).to_have_count(1, timeout=SLOW)
    expect(error).to_contain_text("请至少选择一个界别。")
    # beside the sectors: the element right before the error is the sector picker
    expect(error.locator("xpath=preceding-sibling::*[1]")
           .get_by_role("combobox", name="界别")).to_be_visible()
    expect(form.get_by_role("textbox", name="标题")).to_have_value(TITLE)
    expect(form.get_by_role("combobox", name="必访情形")).to_have_value("政协全会召开前")

    # With its sector it is declared, and opens with nobody visited yet.
    _pick(form, "界别", "教育", SECTOR)
    page.keyboard.press("Escape")
    expect(form.locator("[data-tag]").filter(has_text=SECTOR)).to_be_visible()
    form.get_by_role("button", name="宣布活动", exact=True).click()
    expect(page.get_by_text("已宣布活动。", exact=True)).to_be_visible(timeout=SLOW)
    wait_for_app(page)
    detail = page.get_by_role("tabpanel", name="活动")
    expect(page.get_by_role("tab", name="活动", exact=True)).to_have_attribute(
        "aria-selected", "true", timeout=SLOW)
    expect(detail.get_by_role("heading", name=TITLE)).to_be_visible(timeout=SLOW)
    _tiles(detail, "2", "0", "2")
    waiting = _to_visit_list(detail)
    for name in ("刘洋", "王芳"):
        expect(waiting.locator("[role=row]").filter(has_text=name)).to_contain_text(SECTOR)
    expect(waiting.locator("[role=row]").filter(has_text="赵强")).to_have_count(0)

    # A visit by 刘洋 recorded for the campaign: the open campaign is offered as occasion.
    open_screen(page, "走访登记")
    _pick(page.locator("body"), "参加委员", "liuyang", re.compile("^刘洋"))
    page.keyboard.press("Escape")
    wait_for_app(page)
    occasion = page.get_by_role("combobox", name="走访事由")
    occasion.click()
    page.get_by_role("option", name=f"必访活动：{TITLE}", exact=True).click()
    wait_for_app(page)
    expect(occasion).to_have_value(f"必访活动：{TITLE}")
    page.get_by_role("textbox", name="联系对象（其他）").fill("东城区中小学教师")
    page.get_by_role("spinbutton", name="人数").fill("12")
    page.get_by_role("textbox", name="主要做法和基本情况").fill(
        "全会前走访东城区中小学，听取教师对课后服务和教师减负的意见。")
    wait_for_app(page)
    page.get_by_role("button", name="保存登记").click()
    expect(page.get_by_text("已保存走访记录 #1", exact=False)).to_be_visible(timeout=SLOW)
    wait_for_app(page)

    # Back on 八必访: one visited, one to visit, in the list and on the campaign.
    open_screen(page, "八必访")
    listed = open_tab(page, "列表")
    row = table_row(listed, TITLE)
    expect(row).to_contain_text("进行中", timeout=SLOW)
    expect(row).to_contain_text("政协全会召开前")
    expect(row).to_contain_text("50")  # the completion, 1 of 2
    screenshot(page, "campaign-list")

    detail = open_tab(page, "活动")
    # still the one opened before: the tab keeps its campaign while other screens are used
    expect(detail.get_by_role("combobox", name="打开活动")).to_have_value(PICKED)
    expect(detail.get_by_role("heading", name=TITLE)).to_be_visible(timeout=SLOW)
    _tiles(detail, "2", "1", "1")
    waiting = _to_visit_list(detail)
    expect(waiting.locator("[role=row]").filter(has_text="王芳")).to_contain_text(
        COMMITTEE, timeout=SLOW)
    expect(waiting.locator("[role=row]").filter(has_text="刘洋")).to_have_count(0)
    page.set_viewport_size({"width": 1400, "height": 1450})  # the whole campaign, list included
    wait_for_app(page)
    shot = screenshot(page, "campaign-detail")
    shutil.copyfile(shot, ROOT / "docs" / "img" / "campaign-detail.png")
