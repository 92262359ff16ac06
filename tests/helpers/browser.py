"""Acting in the real app through Playwright: signing in, waiting for the app to settle,
screenshots, and what the server printed on its console."""

import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
TODAY = "2026-11-21"
PASSWORD = "a long browser passphrase"


def setup_token_printed(tmp_path: Path, url: str) -> str:
    """The one-time setup token the start command printed on the server's console."""
    log = tmp_path / f"streamlit-{url.rsplit(':', 1)[1]}.log"
    found = re.search(r"^\s+([0-9a-f]{4}(?:-[0-9a-f]{4}){5})\s*$", log.read_text(), re.M)
    assert found, f"no setup token on the console:\n{log.read_text()}"
    return found.group(1)


def wait_for_app(page: Page, timeout: float = 60_000) -> None:
    """Connected to the server and the script run finished."""
    app = page.get_by_test_id("stApp")
    expect(app).to_have_attribute("data-test-connection-state", "CONNECTED", timeout=timeout)
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=timeout)


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Page, username: str, password: str) -> None:
    wait_for_app(page)
    page.get_by_role("textbox", name="用户名", exact=True).fill(username)
    page.get_by_role("textbox", name="密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    wait_for_app(page)


def wait_for_sign_in_cookie(page: Page) -> None:
    """The cookie is written by a component a moment after the signed-in page appears; a
    person cannot refresh that fast, a test can."""
    page.wait_for_function("() => document.cookie.includes('liaison_session=')")


# --- driving the app as a person does (the browser tests' shared steps) ---------------------


class Counter:
    """Counts a person's interactions with a form, each named as it happens."""

    def __init__(self) -> None:
        self.done: list[str] = []

    def __call__(self, what: str) -> None:
        self.done.append(what)


def open_screen(page: Page, name: str) -> None:
    """Click the screen's link in the sidebar navigation."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name).click()
    wait_for_app(page)


def open_tab(page: Page, name: str) -> Locator:
    """Open a tab (lazy tabs rerun the page) and return its panel once it is the open one."""
    wait_for_app(page)
    page.get_by_role("tab", name=name, exact=True).click()
    wait_for_app(page)
    expect(page.get_by_role("tab", name=name, exact=True)).to_have_attribute(
        "aria-selected", "true")
    return page.get_by_role("tabpanel", name=name)


def choose(page: Page, count: Counter, label: str, typed: str, what: str) -> None:
    """Type into a picker and take the first match with Enter: one interaction."""
    box = page.get_by_role("combobox", name=label)
    box.click()
    box.press_sequentially(typed)
    # the list has narrowed to the match (the label carries the pinyin code) before Enter
    expect(page.get_by_role("option").first).to_contain_text(typed)
    box.press("Enter")
    count(what)
    wait_for_app(page)


def fill(count: Counter, field: Locator, text: str, what: str) -> None:
    """Click a field and fill it: one interaction."""
    field.click()
    field.fill(text)
    count(what)


def metric_value(within: Locator, label: str) -> Locator:
    tile = within.get_by_test_id("stMetric").filter(
        has=within.page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True))
    return tile.get_by_test_id("stMetricValue")


def table_row(within: Locator, text: str) -> Locator:
    """The table row holding ``text`` (the canvas table's accessible copy)."""
    return within.get_by_test_id("stDataFrame").locator("[role=row]").filter(has_text=text)
