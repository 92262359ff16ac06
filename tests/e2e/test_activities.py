"""Issue 11's main path in a real browser: a member of staff sees a station on the idle
list (stationed members, no activity for months though flagged open), logs an activity
there with two members in at most ten interactions, and then sees it on the station's
timeline, on both members' records, and the station gone from the idle list.

An interaction is what a person does: a click, a field filled (click and type), or a
choice typed into a picker and taken with Enter."""

from datetime import date
from pathlib import Path

from playwright.sync_api import Page, expect

from core.db import get_engine, write_session
from core.migrate import upgrade_to_head
from models import Role, WorkstationKind
from services import roster, station_registry
from services.actors import SYSTEM
from services.reference import (
    CommitteeInput,
    SectorInput,
    TermInput,
    add_committee,
    add_sector,
    add_term,
)
from services.station_registry import StationInput
from services.users import UserInput, create_admin
from tests.helpers.browser import (
    PASSWORD,
    Counter,
    choose,
    fill,
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
MAX_INTERACTIONS = 10
STATION = "东城街道委员工作站"


def _store(tmp_path: Path) -> str:
    """One committee, three members (two stationed at the station), staff of the
    committee; the station was established in 2024 and never held an activity."""
    url = f"sqlite:///{tmp_path / 'liaison.db'}"
    engine = get_engine(url)
    upgrade_to_head(engine)
    with write_session(engine) as session:
        term = add_term(session=session, actor=SYSTEM, organisation_id=TOP,
                        data=TermInput(number=14, name="十四届", starts_on=date(2023, 1, 1)))
        sector = add_sector(session=session, actor=SYSTEM, organisation_id=TOP,
                            data=SectorInput(name="教育界"))
        committee = add_committee(session=session, actor=SYSTEM, organisation_id=TOP,
                                  data=CommitteeInput(name="教科卫体委员会"))
        members = [roster.create_member(session=session, actor=SYSTEM, today=TODAY,
                                        data=roster.MemberInput(
                                            name=name, organisation_id=TOP, term_id=term.id,
                                            sector_id=sector.id, committee_id=committee.id,
                                            in_office_from=date(2023, 1, 1)))
                   for name in ("刘洋", "王芳", "赵强")]
        station = station_registry.create_station(
            session=session, actor=SYSTEM, today=TODAY, data=StationInput(
                organisation_id=TOP, name=STATION, kind=WorkstationKind.STATION,
                committee_id=committee.id, district="东城区", address="东城街道文化路1号",
                head_name="刘洋", established_on=date(2024, 3, 1)))
        for member in members[:2]:
            station_registry.add_stint(session=session, actor=SYSTEM, station_id=station.id,
                                       member_id=member.id, from_on=date(2024, 3, 1),
                                       duty_days="每周三上午", today=TODAY)
        create_admin(session=session, username="chief", display_name="王主任",
                     password=PASSWORD)
        user_with_own_password(session, UserInput(
            username="clerk", display_name="李干事", role=Role.STAFF,
            committee_ids=frozenset({committee.id})), PASSWORD)
    return url


def test_staff_log_an_activity_and_the_station_leaves_the_idle_list(
    start_app, page: Page, tmp_path: Path
):
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(start_app(DATABASE_URL=_store(tmp_path), LIAISON_TODAY=TODAY.isoformat()))
    sign_in(page, "clerk", PASSWORD)

    # Before: flagged open, but no activity since it opened in March 2024: idle.
    open_screen(page, "委员工作室（站）")
    idle = open_tab(page, "闲置")
    expect(table_row(idle, STATION)).to_contain_text("刘洋")
    expect(table_row(idle, STATION)).to_contain_text("从未开展活动")
    screenshot(page, "workstation-idle-before")

    # Log the activity: station, type, two members, people served, summary, save.
    open_screen(page, "工作站活动登记")
    count = Counter()
    choose(page, count, "工作室（站）", "东城", "station")
    choose(page, count, "活动类型", "政策", "type")
    choose(page, count, "参加委员", "liuyang", "first member by pinyin")
    expect(page.get_by_text("驻站 · 刘洋", exact=False)).to_be_visible()
    choose(page, count, "参加委员", "wf", "second member by initials")
    page.keyboard.press("Escape")
    count("close the member picker")
    fill(count, page.get_by_role("spinbutton", name="服务群众（人次）"), "45",
          "people served")
    fill(count, page.get_by_role("textbox", name="活动概况"),
          "在东城街道宣讲医保新政，解答居民咨询。", "summary")
    wait_for_app(page)
    screenshot(page, "activity-entry-filled")
    page.get_by_role("button", name="保存活动").click()
    count("save")
    expect(page.get_by_text("已保存活动（编号 1）", exact=False)).to_be_visible()
    assert len(count.done) <= MAX_INTERACTIONS, count.done
    wait_for_app(page)
    expect(page.get_by_role("textbox", name="活动概况")).to_have_value("")
    expect(table_row(page, "东城街道委员工作站")).to_contain_text("刘洋、王芳")

    # The station's page: the activity on its timeline.
    open_screen(page, "委员工作室（站）")
    open_tab(page, "工作站")
    picker = page.get_by_role("combobox", name="打开工作室（站）")
    picker.click()
    picker.press_sequentially("东城")
    page.get_by_role("option", name=STATION).click()
    wait_for_app(page)
    expect(table_row(page, "政策宣讲")).to_contain_text("刘洋、王芳")
    expect(table_row(page, "政策宣讲")).to_contain_text("45")
    screenshot(page, "workstation-station")

    # It has left the idle list.
    idle = open_tab(page, "闲置")
    expect(idle.get_by_test_id("stDataFrame").locator("[role=row]").filter(
        has_text=STATION)).to_have_count(0)
    screenshot(page, "workstation-idle-after")

    # Both members' records show it.
    open_screen(page, "委员名录")
    for name in ("刘洋", "王芳"):
        chooser = page.get_by_role("combobox", name="查看委员")
        chooser.click()
        chooser.press_sequentially(name)
        page.get_by_role("option").filter(has_text=name).first.click()
        wait_for_app(page)
        expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
        tab = open_tab(page, "工作站活动")
        expect(table_row(tab, "政策宣讲")).to_contain_text(STATION)
        expect(table_row(tab, "每周三上午")).to_contain_text(STATION)  # where they are stationed
        expect(tab.get_by_text("本季度参加活动 1 次", exact=False)).to_be_visible()
    screenshot(page, "member-activities")
