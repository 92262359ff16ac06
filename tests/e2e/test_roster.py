"""Issue 8's main path in a real browser: an administrator downloads the Excel template,
fills in a roster of 500 members, sees the preview (500 new, no errors), imports it, finds
one of the new members, adds a sector contact person and approves a leave.

A formula typed as an employer (a text cell, as Excel keeps ``'=…``) is stored as that
text, never evaluated."""

import io
import random
import re
from datetime import date
from pathlib import Path

import openpyxl
from faker import Faker
from playwright.sync_api import Locator, Page, expect
from sqlmodel import func, select

from core.db import get_engine, read_session, write_session
from core.migrate import upgrade_to_head
from models import ContactPerson, LeaveStatus, Member, MemberLeave, User
from services.actors import SYSTEM
from services.reference import (
    CommitteeInput,
    SectorInput,
    TermInput,
    add_committee,
    add_sector,
    add_term,
)
from services.users import create_admin
from tests.helpers.browser import PASSWORD, screenshot, sign_in, wait_for_app

TOP = 1  # the organisation every store starts with
MEMBERS = 500
SECTORS = ["教育界", "经济界", "医药卫生界", "科学技术界", "文化艺术界"]
COMMITTEES = ["教科卫体委员会", "经济委员会", "社会和法制委员会"]
HOSTILE = '=HYPERLINK("http://x","y")'
FOUND = "欧阳明华"  # the member looked up, by the pinyin of their name
FOUND_PINYIN = "ouyangminghua"


def _store(tmp_path: Path) -> str:
    """A fresh store with the lists the roster names, and an administrator."""
    url = f"sqlite:///{tmp_path / 'liaison.db'}"
    engine = get_engine(url)
    upgrade_to_head(engine)
    with write_session(engine) as session:
        add_term(session=session, actor=SYSTEM, organisation_id=TOP,
                 data=TermInput(number=14, name="十四届", starts_on=date(2023, 1, 1)))
        for name in SECTORS:
            add_sector(session=session, actor=SYSTEM, organisation_id=TOP,
                       data=SectorInput(name=name))
        for name in COMMITTEES:
            add_committee(session=session, actor=SYSTEM, organisation_id=TOP,
                          data=CommitteeInput(name=name))
        create_admin(session=session, username="chief", display_name="王主任",
                     password=PASSWORD)
    return url


def _names() -> list[str]:
    """500 distinct names, the one looked up first."""
    fake = Faker("zh_CN")
    fake.seed_instance(8)
    names = [FOUND]
    while len(names) < MEMBERS:
        name = fake.name()
        if name not in names and not name.startswith("欧阳"):
            names.append(name)
    return names


def _roster(template: bytes, path: Path) -> Path:
    """The template, its example row dropped and 500 members written under its headers."""
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    column = {cell.value: cell.column for cell in sheet[1]}
    assert str(sheet.cell(2, column["姓名"]).value).startswith("（示例）")
    sheet.delete_rows(2)
    rng = random.Random(8)
    for index, name in enumerate(_names()):
        row = index + 2
        values = {
            "姓名": name, "性别": rng.choice(["男", "女"]), "出生年份": rng.randint(1955, 1990),
            "界别": SECTORS[index % len(SECTORS)], "专委会": COMMITTEES[index % len(COMMITTEES)],
            "届次": "十四届", "常委": rng.choice(["是", "否", "否", "否"]),
            "中共党员": rng.choice(["是", "否"]), "工作单位": f"市第{index % 40 + 1}中学",
            "职务": "教师", "联系电话": f"139{rng.randrange(10**8):08d}",
            "基层联系点": f"东城街道第{index % 12 + 1}社区",
        }
        for header, value in values.items():
            sheet.cell(row, column[header], value)
    hostile = sheet.cell(3, column["工作单位"], HOSTILE)
    hostile.data_type = "s"  # a text cell, as Excel keeps '=…: not a formula
    workbook.save(path)
    return path


def _open(page: Page, name: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name).click()
    wait_for_app(page)


def _metric(page: Page, label: str) -> Locator:
    tile = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True))
    return tile.get_by_test_id("stMetricValue")


def _fill_date(form: Locator, label: str, day: date) -> None:
    """Streamlit's date input is three spin buttons (year, month, day) in a group named
    by the label: each is typed into, as a person would."""
    group = form.get_by_role("group", name=label, exact=True)
    for part, value in (("year", f"{day.year:04d}"), ("month", f"{day.month:02d}"),
                        ("day", f"{day.day:02d}")):
        box = group.get_by_role("spinbutton", name=f"{part}, {label}", exact=True)
        box.click()
        box.press_sequentially(value)
        expect(box).to_have_attribute("aria-valuenow", str(int(value)))


def _tab(page: Page, name: str) -> Locator:
    """Open a tab of the profile."""
    wait_for_app(page)
    page.get_by_role("tab", name=name, exact=True).click()
    return _still_open(page, name)


def _still_open(page: Page, name: str) -> Locator:
    """The tab, which must still be the open one: a save's message above the tabs, coming
    or going, once made Streamlit draw them anew on the first tab."""
    wait_for_app(page)
    expect(page.get_by_role("tab", name=name, exact=True)).to_have_attribute(
        "aria-selected", "true")
    return page.get_by_role("tabpanel", name=name)


def _row(within: Locator, text: str) -> Locator:
    """The table row holding ``text``. The table is drawn on a canvas; its accessible copy
    (one ``role=row`` per row) is hidden from role queries, so it is found by CSS."""
    return within.get_by_test_id("stDataFrame").locator("[role=row]").filter(has_text=text)


def test_admin_imports_500_members_adds_a_contact_and_approves_a_leave(
    start_app, page: Page, tmp_path: Path
):
    store = _store(tmp_path)
    page.goto(start_app(DATABASE_URL=store))
    sign_in(page, "chief", PASSWORD)

    # The template, downloaded from the page, filled in with 500 members.
    _open(page, "名册导入")
    expect(page.get_by_text("先下载模板", exact=False)).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="下载 Excel 模板").click()
    assert download.value.suggested_filename == "委员名册导入模板.xlsx"
    roster = _roster(Path(download.value.path()).read_bytes(), tmp_path / "委员名册.xlsx")

    # The preview: 500 new, nothing else, no errors.
    page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(roster)
    expect(_metric(page, "新增")).to_have_text("500", timeout=60_000)
    wait_for_app(page)
    for outcome in ("更新", "无变化", "错误"):
        expect(_metric(page, outcome)).to_have_text("0")
    expect(page.get_by_role("heading", name="逐行预览")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^有 .* 处错误"))).to_have_count(0)
    expect(_row(page, FOUND)).to_contain_text("新增")  # the table has drawn
    screenshot(page, "roster-import-preview")

    page.get_by_role("button", name="导入 500 行").click()
    wait_for_app(page)
    expect(page.get_by_text(re.compile(r"^将新增 500 行、更新 0 行。"))).to_be_visible()
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text("已导入：新增 500 行，更新 0 行，0 行无变化。")).to_be_visible(
        timeout=60_000)
    wait_for_app(page)
    expect(page.get_by_text("先下载模板", exact=False)).to_be_visible()  # a fresh uploader

    # The directory: 500 members; one found by the pinyin of their name.
    _open(page, "委员名录")
    expect(page.get_by_text("共 500 名委员", exact=True)).to_be_visible()
    # A click on a row of the table opens that member (the picker lists the first 500).
    table = page.get_by_test_id("stDataFrame").first
    box = table.bounding_box()
    page.mouse.click(box["x"] + 12, box["y"] + 35 + 35 / 2)  # the first row's marker
    wait_for_app(page)
    expect(page.get_by_role("heading", level=3)).to_have_count(1)
    page.get_by_role("textbox", name="搜索", exact=True).fill(FOUND_PINYIN)
    expect(page.get_by_text("共 1 名委员", exact=True)).to_be_visible()
    wait_for_app(page)
    page.get_by_role("combobox", name="查看委员").click()
    page.get_by_role("option", name=re.compile(f"^{FOUND}（")).click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name=FOUND)).to_be_visible()

    # A sector contact person; the tab stays open through each save.
    contacts = _tab(page, "界别群众联系人")
    expect(contacts.get_by_text("界别群众联系人 0 / 10", exact=True)).to_be_visible()
    contacts.get_by_text("添加联系人", exact=True).click()
    add = contacts.get_by_test_id("stForm").filter(
        has=page.get_by_role("button", name="添加", exact=True))
    # Hovering waits until the expander has stopped opening: a click while it moves is lost.
    add.get_by_role("button", name="添加", exact=True).hover()
    add.get_by_role("textbox", name="姓名", exact=True).fill("李明")
    add.get_by_role("textbox", name="联系电话", exact=True).fill("13900139000")
    add.get_by_role("button", name="添加", exact=True).click()
    expect(page.get_by_text("已添加联系人。", exact=True)).to_be_visible()
    contacts = _still_open(page, "界别群众联系人")
    expect(contacts.get_by_text("界别群众联系人 1 / 10", exact=True)).to_be_visible()
    expect(_row(contacts, "李明")).to_contain_text("13900139000")

    # A leave, requested, then approved after its confirmation.
    leaves = _tab(page, "请假")
    expect(leaves.get_by_text("没有请假记录。", exact=True)).to_be_visible()
    leaves.get_by_text("申请请假", exact=True).click()
    request = leaves.get_by_test_id("stForm").filter(
        has=page.get_by_role("button", name="提交申请"))
    request.get_by_role("button", name="提交申请").hover()
    _fill_date(request, "开始日期", date(2026, 12, 1))
    _fill_date(request, "结束日期", date(2026, 12, 5))
    request.get_by_role("textbox", name="请假事由", exact=True).fill("赴外地参加培训")
    request.get_by_role("button", name="提交申请").click()
    requested = page.get_by_text("请假申请已提交，等待所属专委会审批。", exact=True)
    expect(requested).to_be_visible()
    leaves = _still_open(page, "请假")
    expect(leaves.get_by_text("待审批：2026年12月1日 至 2026年12月5日，共 5 天")).to_be_visible()
    expect(_row(leaves, "赴外地参加培训")).to_contain_text("待审批")
    approve = leaves.get_by_role("button", name="批准", exact=True)
    expect(approve).to_be_disabled()  # until the confirmation is ticked
    leaves.get_by_text("确认操作", exact=True).click()
    expect(requested).to_have_count(0)  # the run after the tick has drawn
    leaves = _still_open(page, "请假")
    expect(approve).to_be_enabled()
    approve.click()
    expect(page.get_by_text("已批准该请假。", exact=True)).to_be_visible()
    leaves = _still_open(page, "请假")
    expect(leaves.get_by_text("待审批：")).to_have_count(0)
    expect(_row(leaves, "赴外地参加培训")).to_contain_text("已批准")
    screenshot(page, "member-profile")

    with read_session(get_engine(store)) as session:
        assert session.exec(select(func.count()).select_from(Member)).one() == MEMBERS
        found = session.exec(select(Member).where(Member.name == FOUND)).one()
        contact = session.exec(select(ContactPerson)).one()
        assert (contact.member_id, contact.name, contact.phone, contact.is_active) == (
            found.id, "李明", "13900139000", True)
        leave = session.exec(select(MemberLeave)).one()
        assert (leave.member_id, leave.status, leave.starts_on, leave.ends_on) == (
            found.id, LeaveStatus.APPROVED, date(2026, 12, 1), date(2026, 12, 5))
        chief = session.exec(select(User).where(User.username == "chief")).one()
        assert leave.decided_by_user_id == chief.id
        second = session.exec(select(Member).where(Member.employer == HOSTILE)).one()
        assert second.name == _names()[1]
