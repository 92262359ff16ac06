"""Issue 11's topic path in a real browser: a member of staff types a consultation topic,
moves it through its stages (选题 → 调研 → 协商 → 部门回应 → 成果转化 → 落实) with a
day and a note each, records who took part, and concludes it as carried out; the
timeline lists every stage with its day, the stage tiles and the list show it done, and
a member who took part finds it on their profile. On the way, a day before the current
stage's is refused beside the field and the typing is kept, and each step's form starts
afresh (today, no note), not with the last step's day and note still in it."""

import re
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
    metric_value,
    open_screen,
    open_tab,
    screenshot,
    sign_in,
    table_row,
    wait_for_app,
    wait_for_sign_in_cookie,
)
from tests.helpers.users import user_with_own_password

TOP = 1
TODAY = date(2026, 11, 21)
TITLE = "老旧小区加装电梯协调难"
COMMITTEE = "社会和法制委员会"
PROPOSED_ON = date(2026, 9, 1)
# Each step: the stage it enters, its day, its note.
STEPS = [
    ("调研", date(2026, 9, 15), "走访东城街道十个小区，召开三场居民座谈会。"),
    ("协商", date(2026, 10, 10), "在东城街道委员工作站召开协商议事会。"),
    ("部门回应", date(2026, 10, 25), "市住建局书面回应，提出分类推进方案。"),
    ("成果转化", date(2026, 11, 5), "形成加装电梯协调办法，报市政府。"),
    ("落实", date(2026, 11, 12), "东城街道首批三台电梯开工。"),
]
DONE_ON = date(2026, 11, 20)
DONE_NOTE = "首批电梯投入使用，居民满意。"
TOO_EARLY = date(2026, 9, 10)  # before 调研 began: refused when moving on to 协商


def _store(tmp_path: Path) -> str:
    """One committee, three members (two will take part), staff of the committee and an
    administrator; no topic yet."""
    url = f"sqlite:///{tmp_path / 'liaison.db'}"
    engine = get_engine(url)
    upgrade_to_head(engine)
    with write_session(engine) as session:
        term = add_term(session=session, actor=SYSTEM, organisation_id=TOP,
                        data=TermInput(number=14, name="十四届", starts_on=date(2023, 1, 1)))
        sector = add_sector(session=session, actor=SYSTEM, organisation_id=TOP,
                            data=SectorInput(name="社会福利和社会保障界"))
        committee = add_committee(session=session, actor=SYSTEM, organisation_id=TOP,
                                  data=CommitteeInput(name=COMMITTEE))
        for name in ("刘洋", "王芳", "赵强"):
            roster.create_member(session=session, actor=SYSTEM, today=TODAY,
                                 data=roster.MemberInput(
                                     name=name, organisation_id=TOP, term_id=term.id,
                                     sector_id=sector.id, committee_id=committee.id,
                                     in_office_from=date(2023, 1, 1)))
        create_admin(session=session, username="chief", display_name="王主任",
                     password=PASSWORD)
        user_with_own_password(session, UserInput(
            username="clerk", display_name="李干事", role=Role.STAFF,
            committee_ids=frozenset({committee.id})), PASSWORD)
    return url


def _form(page: Page, button: str) -> Locator:
    """The form whose submit button is ``button`` (by its text, not its role: an open
    picker hides the rest of the page from role queries)."""
    return page.get_by_test_id("stForm").filter(has=page.locator("button").filter(
        has_text=re.compile(f"^{re.escape(button)}$")))


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


def _expect_date(within: Locator, label: str, day: date) -> None:
    """The date field shows ``day``."""
    group = within.get_by_role("group", name=label, exact=True)
    for part, value in (("year", day.year), ("month", day.month), ("day", day.day)):
        expect(group.get_by_role("spinbutton", name=f"{part}, {label}", exact=True)
               ).to_have_attribute("aria-valuenow", str(value))


def _choose_in(within: Locator, label: str, typed: str) -> None:
    """Type into a picker and take the first match with Enter."""
    box = within.get_by_role("combobox", name=label)
    box.click()
    box.press_sequentially(typed)
    expect(within.page.get_by_role("option").first).to_contain_text(typed)
    box.press("Enter")


def _expand(within: Locator, label: str) -> Locator:
    """Open an expander and wait for it to finish opening: while it grows (its height
    animated, its overflow hidden) a picker inside lost what was chosen in it."""
    expander = within.get_by_test_id("stExpander").filter(has_text=label)
    expander.locator("summary").click()
    details = expander.locator("details")
    expect(details).to_have_attribute("open", "")
    expect(details).not_to_have_attribute("style", re.compile("height"))
    return expander


def _fact(within: Locator, label: str) -> Locator:
    """One of the open topic's facts: its label in bold over its value."""
    return within.get_by_test_id("stMarkdownContainer").filter(
        has=within.page.locator("strong").get_by_text(label, exact=True))


def _stage_shown(within: Locator, text: str) -> None:
    expect(_fact(within, "阶段")).to_have_text(re.compile(rf"^阶段\s*{re.escape(text)}$"))


def _day(on: date) -> str:
    return f"{on.year}年{on.month}月{on.day}日"


def _next_step(page: Page, stage: str) -> Locator:
    """The form of the step into ``stage``, starting afresh: today, no note (not the
    last step's day and note)."""
    form = _form(page, f"进入“{stage}”阶段")
    form.scroll_into_view_if_needed()
    expect(form.get_by_role("textbox", name="说明")).to_have_value("")
    _expect_date(form, "发生日期", TODAY)
    return form


def _advance(page: Page, stage: str, on: date, note: str) -> None:
    """Take the step into ``stage`` on the open topic's page."""
    label = f"进入“{stage}”阶段"
    form = _next_step(page, stage)
    _fill_date(form, "发生日期", on)
    form.get_by_role("textbox", name="说明").fill(note)
    form.get_by_role("button", name=label, exact=True).click()
    expect(page.get_by_text(f"已进入“{stage}”阶段。", exact=True)).to_be_visible()
    wait_for_app(page)


def test_staff_move_a_typed_topic_through_its_stages_to_carried_out(
    start_app, page: Page, tmp_path: Path
):
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(start_app(DATABASE_URL=_store(tmp_path), LIAISON_TODAY=TODAY.isoformat()))
    sign_in(page, "clerk", PASSWORD)
    open_screen(page, "协商议题")
    expect(page.get_by_text("还没有协商议题。", exact=False)).to_be_visible()

    # A typed consultation topic: kind, committee (the clerk's only one), day, title, text.
    new = open_tab(page, "新建议题")
    expect(new.get_by_role("radiogroup", name="议题来源")).to_be_visible()
    expect(new.get_by_role("combobox", name="类型")).to_have_value("协商议题")
    expect(new.get_by_role("combobox", name="专委会")).to_have_value(COMMITTEE)
    _fill_date(new, "选题日期", PROPOSED_ON)
    new.get_by_role("textbox", name="议题", exact=True).fill(TITLE)
    new.get_by_role("textbox", name="议题内容").fill(
        "东城街道多个老旧小区加装电梯，低层住户与高层住户意见分歧大，费用分摊无章可循。")
    wait_for_app(page)
    screenshot(page, "topic-new-filled")
    page.get_by_role("button", name="保存议题").click()
    expect(page.get_by_text("已保存议题 #1。", exact=True)).to_be_visible()
    wait_for_app(page)

    # The list opens the new topic: stage 选题 since the day it was chosen.
    listed = open_tab(page, "议题列表")
    expect(metric_value(listed, "选题")).to_have_text("1")
    expect(listed.get_by_role("heading", name=f"#1 {TITLE}")).to_be_visible()
    _stage_shown(listed, f"选题 · {_day(PROPOSED_ON)}")

    # 选题 → 调研, with its day and note.
    stage, on, note = STEPS[0]
    _advance(page, stage, on, note)
    _stage_shown(listed, f"调研 · {_day(on)}")

    # A day before 调研 began is refused beside the field; the typing is kept.
    stage, on, note = STEPS[1]
    label = f"进入“{stage}”阶段"
    form = _next_step(page, stage)
    _fill_date(form, "发生日期", TOO_EARLY)
    form.get_by_role("textbox", name="说明").fill(note)
    form.get_by_role("button", name=label, exact=True).click()
    wait_for_app(page)
    form = _form(page, label)
    error = form.get_by_test_id("stElementContainer").filter(
        has=page.get_by_test_id("stAlertContentError"))
    expect(error).to_have_count(1)
    expect(error).to_contain_text("日期不能早于当前阶段开始的日期。")
    # beside the day: the element right before the error is the date field
    expect(error.locator("xpath=preceding-sibling::*[1]")
           .get_by_role("group", name="发生日期", exact=True)).to_be_visible()
    expect(form.get_by_role("textbox", name="说明")).to_have_value(note)
    _expect_date(form, "发生日期", TOO_EARLY)
    _stage_shown(listed, f"调研 · {_day(STEPS[0][1])}")  # nothing saved
    error.scroll_into_view_if_needed()
    screenshot(page, "topic-step-refused")
    # Corrected, it goes through.
    _fill_date(form, "发生日期", on)
    form.get_by_role("button", name=label, exact=True).click()
    expect(page.get_by_text(f"已进入“{stage}”阶段。", exact=True)).to_be_visible()
    wait_for_app(page)
    expect(page.get_by_text("日期不能早于当前阶段开始的日期。")).to_have_count(0)

    # Who took part: two members, the residents and their count, two departments.
    people = _expand(listed, "参与各方").get_by_test_id("stForm")
    people.scroll_into_view_if_needed()
    _choose_in(people, "参与委员", "liuyang")
    _choose_in(people, "参与委员", "wf")
    page.keyboard.press("Escape")
    for name in ("刘洋", "王芳"):  # taken (the chips), before the form is sent
        expect(people.locator("[data-tag]").filter(has_text=name)).to_be_visible()
    people.get_by_role("textbox", name="参与群众").fill("东城街道居民代表")
    people.get_by_role("spinbutton", name="群众人数").fill("36")
    people.get_by_role("textbox", name="参与部门").fill("市住建局\n东城街道办事处")
    people.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_text("已保存。", exact=True)).to_be_visible()
    wait_for_app(page)
    for label, value in (("参与委员", "刘洋、王芳"), ("参与群众", "36 人：东城街道居民代表"),
                         ("参与部门", "市住建局、东城街道办事处")):
        expect(_fact(listed, label)).to_have_text(re.compile(rf"^{label}\s*{value}$"))

    # On through 部门回应, 成果转化 and 落实.
    for stage, on, note in STEPS[2:]:
        _advance(page, stage, on, note)
        _stage_shown(listed, f"{stage} · {_day(on)}")

    # Concluded as carried out.
    conclude = _form(page, "办结议题")
    conclude.scroll_into_view_if_needed()
    _choose_in(conclude, "是否落实", "已落实")
    _fill_date(conclude, "办结日期", DONE_ON)
    conclude.get_by_role("textbox", name="说明").fill(DONE_NOTE)
    conclude.get_by_role("button", name="办结议题", exact=True).click()
    expect(page.get_by_text("议题已办结。", exact=True)).to_be_visible()
    wait_for_app(page)
    _stage_shown(listed, f"已办结 · {_day(DONE_ON)} · 已落实")
    expect(page.get_by_role("button", name=re.compile("^进入“"))).to_have_count(0)
    expect(page.get_by_role("button", name="办结议题")).to_have_count(0)

    # The timeline: every stage, with its day and note, oldest first.
    timeline = page.get_by_test_id("stExpander").filter(has_text="进展时间线")
    lines = timeline.get_by_test_id("stMarkdownContainer").filter(has_text="李干事")
    expected = [f"{_day(PROPOSED_ON)} · 选题 · 李干事"]
    before = "选题"
    for stage, on, _ in STEPS:
        expected.append(f"{_day(on)} · {before} → {stage} · 李干事")
        before = stage
    expected.append(f"{_day(DONE_ON)} · 落实 → 已办结 · 李干事")
    expect(lines).to_have_count(len(expected))
    for line, text in zip(lines.all(), expected, strict=True):
        expect(line).to_contain_text(text)
    notes = timeline.get_by_test_id("stText")
    expect(notes).to_have_text([note for _, _, note in STEPS] + [DONE_NOTE])
    # The topic page from its heading through its timeline, in a window tall enough.
    page.set_viewport_size({"width": 1400, "height": 1700})
    listed.get_by_role("heading", name=f"#1 {TITLE}").scroll_into_view_if_needed()
    expect(timeline.get_by_test_id("stText").last).to_be_in_viewport()
    screenshot(page, "topic-detail")
    page.set_viewport_size({"width": 1400, "height": 1000})

    # The list, as it opens afresh (a refresh keeps the user signed in): the stage
    # tiles and the row, done.
    wait_for_sign_in_cookie(page)
    page.reload()
    wait_for_app(page)
    listed = page.get_by_role("tabpanel", name="议题列表")
    for stage, count in (("选题", "0"), ("调研", "0"), ("落实", "0"), ("已办结", "1")):
        expect(metric_value(listed, stage)).to_have_text(count)
    row = table_row(listed, TITLE)
    # (the columns past the window's width, 是否落实 among them, are not drawn)
    expect(row).to_contain_text(f"已办结{DONE_ON.isoformat()}{PROPOSED_ON.isoformat()}")
    expect(row).to_contain_text("刘洋、王芳")
    expect(listed.get_by_role("combobox", name="打开议题")).to_be_visible()
    page.get_by_role("heading", name="协商议题", exact=True).scroll_into_view_if_needed()
    screenshot(page, "topic-list")

    # A member who took part finds it on their profile.
    open_screen(page, "委员名录")
    chooser = page.get_by_role("combobox", name="查看委员")
    chooser.click()
    chooser.press_sequentially("王芳")
    page.get_by_role("option").filter(has_text="王芳").first.click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="王芳", exact=True)).to_be_visible()
    profile = open_tab(page, "议题与提案")
    expect(metric_value(profile, "参与的协商议题")).to_have_text("1")
    member_row = table_row(profile, TITLE)
    expect(member_row).to_contain_text("已办结")
    expect(member_row).to_contain_text(COMMITTEE)
    screenshot(page, "member-topics")
