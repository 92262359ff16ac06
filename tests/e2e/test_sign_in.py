"""Sign-in in a real browser: wrong password, lockout and its end after 15 minutes (with
a clock the test moves), sign-out, and a copied cookie that is useless after sign-out."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import col, select

from core.db import get_engine, read_session, write_session
from core.migrate import upgrade_to_head
from models import AppSetting, AuthSession, Role
from services.server_key import COOKIE_KEY_SETTING
from services.users import UserInput
from tests.helpers.browser import (
    PASSWORD,
    screenshot,
    sign_in,
    wait_for_app,
    wait_for_sign_in_cookie,
)
from tests.helpers.users import user_with_own_password

START = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock_file(tmp_path: Path) -> Path:
    path = tmp_path / "now"
    path.write_text(START.isoformat())
    return path


@pytest.fixture
def app_url(start_app, tmp_path: Path, clock_file: Path) -> str:
    """A server on a store with one leader, ``lihua``."""
    store = f"sqlite:///{tmp_path / 'liaison.db'}"
    engine = get_engine(store)
    upgrade_to_head(engine)
    with write_session(engine) as session:
        user_with_own_password(session, UserInput("lihua", "李华", Role.LEADER), PASSWORD)
    return start_app(DATABASE_URL=store, LIAISON_CLOCK_FILE=str(clock_file))


def _signed_in(page: Page) -> None:
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()


def test_wrong_password_then_right_one(app_url, page: Page):
    page.goto(app_url)
    wait_for_app(page)
    sign_in(page, "lihua", "not my password")
    expect(page.get_by_text("用户名或密码不正确。")).to_be_visible()
    screenshot(page, "sign-in-wrong-password-zh")
    sign_in(page, "lihua", PASSWORD)
    _signed_in(page)
    expect(page.get_by_text("当前用户：李华（领导）")).to_be_visible()


def test_lockout_after_five_failures_lifts_after_fifteen_minutes(app_url, page: Page,
                                                                 clock_file: Path):
    page.goto(app_url)
    wait_for_app(page)
    for _ in range(5):
        sign_in(page, "lihua", "not my password")
    expect(page.get_by_text("账户已临时锁定")).to_be_visible()
    sign_in(page, "lihua", PASSWORD)
    expect(page.get_by_text("账户已临时锁定")).to_be_visible()
    screenshot(page, "sign-in-locked-zh")
    clock_file.write_text((START + timedelta(minutes=15, seconds=1)).isoformat())
    sign_in(page, "lihua", PASSWORD)
    _signed_in(page)


def test_copied_cookie_is_useless_after_sign_out(app_url, browser: Browser, page: Page):
    page.goto(app_url)
    wait_for_app(page)
    sign_in(page, "lihua", PASSWORD)
    _signed_in(page)
    wait_for_sign_in_cookie(page)
    page.reload()  # the cookie carries the sign-in across a refresh
    wait_for_app(page)
    _signed_in(page)
    cookie = [c for c in page.context.cookies() if c["name"] == "liaison_session"]
    assert len(cookie) == 1

    thief = browser.new_context(viewport={"width": 1440, "height": 900})
    thief.add_cookies(cookie)
    stolen = thief.new_page()
    stolen.goto(app_url)
    wait_for_app(stolen)
    _signed_in(stolen)  # the copy works while the session is open...

    page.get_by_role("button", name="退出登录").click()
    wait_for_app(page)
    expect(page.get_by_text("您已安全退出。")).to_be_visible()

    replay = browser.new_context(viewport={"width": 1440, "height": 900})
    replay.add_cookies(cookie)
    again = replay.new_page()
    again.goto(app_url)
    wait_for_app(again)
    # ...but not after sign-out
    expect(again.get_by_role("button", name="登录", exact=True)).to_be_visible()
    expect(again.get_by_role("button", name="退出登录")).to_have_count(0)
    stolen.reload()
    wait_for_app(stolen)
    expect(stolen.get_by_role("button", name="登录", exact=True)).to_be_visible()
    thief.close()
    replay.close()


def test_a_cookie_forged_from_a_copy_of_the_store_is_refused(app_url, browser: Browser,
                                                             page: Page, tmp_path: Path):
    """Finding 5: the signing key and the session rows (username, expiry) were in the same
    store, so a copy of it was enough to make a working cookie. The cookie now needs the
    session's random token, of which the store keeps only a hash."""
    page.goto(app_url)
    sign_in(page, "lihua", PASSWORD)
    _signed_in(page)
    wait_for_sign_in_cookie(page)
    with read_session(get_engine(f"sqlite:///{tmp_path / 'liaison.db'}")) as session:
        key = session.get(AppSetting, COOKIE_KEY_SETTING).value
        rows = session.exec(select(AuthSession).where(col(AuthSession.ended_at).is_(None))).all()
    assert rows
    genuine = next(c for c in page.context.cookies() if c["name"] == "liaison_session")
    for row in rows:
        for claims in ({"username": "lihua", "exp_date": row.cookie_expiry},
                       {"username": "lihua", "exp_date": row.cookie_expiry,
                        "sid": row.token_hash}):
            forger = browser.new_context(viewport={"width": 1440, "height": 900})
            forger.add_cookies([{**genuine, "value": jwt.encode(claims, key, algorithm="HS256")}])
            forged = forger.new_page()
            forged.goto(app_url)
            wait_for_app(forged)
            expect(forged.get_by_role("button", name="登录", exact=True)).to_be_visible()
            expect(forged.get_by_role("button", name="退出登录")).to_have_count(0)
            forger.close()



def test_a_page_address_in_a_new_session_still_goes_through_sign_in(app_url, page: Page):
    page.goto(f"{app_url}/members")
    wait_for_app(page)
    expect(page.get_by_role("textbox", name="用户名", exact=True)).to_be_visible()
    expect(page.get_by_text("This app has encountered an error")).to_have_count(0)
    expect(page.get_by_role("link", name="members")).to_have_count(0)  # no pages/ listing
