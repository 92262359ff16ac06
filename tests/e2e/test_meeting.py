"""Issue 13's meeting screen in a real browser at 1920×1080: a leader presents; each
slide fills the screen without a vertical scroll bar, its headline figures at least 48 px
and no text under 24 px; the keys (arrows, space, page down, Escape) and the timer
advance it; a visit recorded meanwhile shows on the open slide without leaving it; and
the slides come out as one PDF (a page each, the Chinese headings in its text) and a ZIP
of PNG images, both named with the day."""

import io
import subprocess
import zipfile
from datetime import date
from pathlib import Path

from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlmodel import select

from core.db import get_engine, read_session, write_session
from models import AuditAction, AuditEntry, Member, Role
from services.audit import parse_audit_detail
from services.users import UserInput
from tests.e2e.test_visits import _store
from tests.helpers import factories
from tests.helpers.browser import PASSWORD, TODAY, open_screen, screenshot, sign_in, wait_for_app
from tests.helpers.users import user_with_own_password

TITLES = ["本周与上周相比", "履职达标情况", "专委会排名", "社情民意流转", "工作站动态",
          "本周需提醒的委员"]
LIVE_WITHIN_MS = 30_000

# The page's scroll containers (the document and Streamlit's main area) hold no more
# than they show, and the smallest and the headline type of the slide.
MEASURE = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const slide = document.querySelector('.lm-slide');
  const sizes = [...slide.querySelectorAll('*')]
    .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
    .map(e => parseFloat(getComputedStyle(e).fontSize));
  const values = [...slide.querySelectorAll('.lm-value')]
    .map(e => parseFloat(getComputedStyle(e).fontSize));
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  return {document: document.documentElement.scrollHeight - innerHeight,
          main: main.scrollHeight - main.clientHeight,
          bottom: slide.getBoundingClientRect().bottom, smallest: Math.min(...sizes),
          title: parseFloat(getComputedStyle(slide.querySelector('.lm-title')).fontSize),
          values: values, sidebar: sidebar ? sidebar.getBoundingClientRect().width : 0};
}"""


def slide(page: Page, number: int) -> None:
    expect(page.locator(".lm-slide")).to_have_attribute("data-number", str(number))
    expect(page.locator(".lm-title")).to_have_text(TITLES[number - 1])


def test_a_leader_presents_the_meeting_by_keys_and_timer_and_circulates_it(
    start_app, page: Page, tmp_path: Path
):
    url = _store(tmp_path)
    engine = get_engine(url)
    with write_session(engine) as session:
        user_with_own_password(session, UserInput(username="boss", display_name="张主席",
                                                  role=Role.LEADER), PASSWORD)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(start_app(DATABASE_URL=url, LIAISON_LIVE_SECONDS="3"))
    sign_in(page, "boss", PASSWORD)
    open_screen(page, "例会投屏")
    page.get_by_role("button", name="开始放映").click()
    wait_for_app(page)

    keys = ["ArrowRight", "Space", "PageDown", "ArrowRight", "ArrowRight"]
    for number in range(1, 7):
        slide(page, number)
        found = page.evaluate(MEASURE)
        assert found["document"] <= 0 and found["main"] <= 0, found  # no vertical scroll
        assert found["bottom"] <= 1080 and found["sidebar"] == 0, found
        assert found["title"] >= 48 and all(size >= 48 for size in found["values"]), found
        assert found["smallest"] >= 24, found
        screenshot(page, f"meeting-{number}")
        if number < 6:
            page.keyboard.press(keys[number - 1])
            wait_for_app(page)
    page.keyboard.press("ArrowLeft")
    slide(page, 5)
    page.set_viewport_size({"width": 1280, "height": 720})  # a smaller projector
    found = page.evaluate(MEASURE)
    assert found["document"] <= 0 and found["main"] <= 0 and found["bottom"] <= 720, found
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.keyboard.press("ArrowRight")
    slide(page, 6)

    # Live: 刘洋 is to be reminded of both quotas; a visit recorded elsewhere leaves the
    # report quota only, on the same slide, without a key or a reload.
    reminder = page.locator(".lm-table tr", has_text="刘洋")
    expect(reminder).to_contain_text("联系群众 0/1；社情民意 0/1")
    with write_session(engine) as session:
        liu = session.query(Member).filter(Member.name == "刘洋").one()
        factories.visit(session, [liu], on=date.fromisoformat(TODAY))
    expect(reminder).to_contain_text("社情民意 0/1", timeout=LIVE_WITHIN_MS)
    expect(reminder).not_to_contain_text("联系群众", timeout=LIVE_WITHIN_MS)
    slide(page, 6)

    page.keyboard.press("Escape")  # ends: the setup is back, its choices kept
    wait_for_app(page)
    expect(page.locator(".lm-slide")).to_have_count(0)
    expect(page.get_by_test_id("stSidebar")).to_be_visible()
    page.get_by_role("combobox", name="自动翻页").click()
    page.get_by_role("option", name="每 10 秒").click()
    wait_for_app(page)
    page.get_by_role("button", name="开始放映").click()
    wait_for_app(page)
    slide(page, 1)
    expect(page.locator(".lm-slide")).to_have_attribute("data-number", "2", timeout=25_000)
    expect(page.locator(".lm-foot")).to_contain_text("每 10 秒自动翻页")
    page.get_by_role("button", name="暂停翻页").click()
    expect(page.locator(".lm-foot")).to_contain_text("自动翻页已暂停")
    page.get_by_role("button", name="结束放映").click()
    wait_for_app(page)

    # For circulation: one PDF and a ZIP of PNGs, built with a progress bar.
    page.get_by_role("button", name="生成 PDF 和图片").click()
    expect(page.get_by_text("已生成 6 张幻灯片，可以下载。")).to_be_visible(timeout=60_000)
    with page.expect_download() as pdf_download:
        page.get_by_role("button", name="下载 PDF").click()
    assert pdf_download.value.suggested_filename == f"liaison-meeting-{TODAY}.pdf"
    pdf = tmp_path / "meeting.pdf"
    pdf_download.value.save_as(pdf)
    assert len(PdfReader(pdf).pages) == 6
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    pages = text.split("\f")
    for number, title in enumerate(TITLES):
        assert title in pages[number], (number, pages[number][:200])
    assert "刘洋" in pages[5]
    with page.expect_download() as zip_download:
        page.get_by_role("button", name="下载图片（ZIP）").click()
    assert zip_download.value.suggested_filename == f"liaison-meeting-{TODAY}.zip"
    with zipfile.ZipFile(io.BytesIO(Path(zip_download.value.path()).read_bytes())) as archive:
        names = archive.namelist()
        assert names == [f"liaison-meeting-{TODAY}-{n:02d}-{key}.png" for n, key in enumerate(
            ["week", "quota", "committees", "opinions", "stations", "remind"], 1)]
        assert archive.read(names[0])[16:24] == (1920).to_bytes(4, "big") + (
            1080).to_bytes(4, "big")  # the PNG header's width and height
    with read_session(engine) as session:  # each file recorded as it left the app
        details = session.exec(select(AuditEntry.detail).where(
            AuditEntry.action == AuditAction.EXPORT, AuditEntry.entity == "Meeting")).all()
    assert sorted(parse_audit_detail(detail)[1]["format"] for detail in details) == [
        "pdf", "zip"]
