"""Sign-in through app.py: first-run setup, the form, lockout, idle timeout, sign-out,
forced password change, and which pages each role is offered."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from core.db import get_engine, read_session, write_session
from models import AuditAction, AuditEntry, Role, User
from services.screens import SCREENS, Page
from tests.helpers.app_test import (
    APP_PATH,
    PASSWORD,
    button,
    registered_pages,
    sign_in_as,
    text_input,
)
from tests.helpers.users import setup_token


def _submit_sign_in(app, username, password):
    text_input(app, "用户名").input(username)
    text_input(app, "密码").input(password)
    button(app, "登录").click().run()
    if any(info.value == "正在进入系统……" for info in app.info):
        app.run()  # in a browser, the cookie component reruns the script once it has run
    return app


def test_fresh_store_asks_for_the_first_admin_and_has_no_default_account(app, app_env):
    app.run()
    assert app.title[0].value == "首次使用：创建系统管理员"
    with read_session(get_engine(app_env)) as session:
        assert session.exec(select(User)).all() == []


def test_setup_bad_input_is_shown_under_the_fields_and_typing_is_kept(app, app_env):
    token = setup_token(app_env)
    app.run()
    text_input(app, "安装口令").input(token)
    text_input(app, "用户名").input("chief")
    text_input(app, "姓名").input("王主任")
    text_input(app, "新密码").input("too short")
    text_input(app, "再次输入新密码").input("too short")
    button(app, "创建管理员").click().run()
    assert not app.exception
    assert [e.value for e in app.error] == ["密码至少需要 12 个字符。"]
    assert text_input(app, "用户名").value == "chief"
    assert text_input(app, "姓名").value == "王主任"
    with read_session(get_engine(app_env)) as session:
        assert session.exec(select(User)).all() == []  # nothing half-saved


def test_setup_without_the_printed_token_creates_nobody(app, app_env):
    """Finding 3: the first visitor of a fresh install became administrator."""
    app.run()
    text_input(app, "用户名").input("intruder")
    text_input(app, "姓名").input("路人")
    text_input(app, "新密码").input(PASSWORD)
    text_input(app, "再次输入新密码").input(PASSWORD)
    button(app, "创建管理员").click().run()
    assert "尚未生成安装口令" in app.error[0].value
    setup_token(app_env)  # the server (re)started and printed a token the visitor lacks
    text_input(app, "安装口令").input("1234-5678-9abc-def0-1234-5678")
    button(app, "创建管理员").click().run()
    assert "安装口令不正确" in app.error[0].value
    assert text_input(app, "用户名").value == "intruder"  # typing kept
    with read_session(get_engine(app_env)) as session:
        assert session.exec(select(User)).all() == []


def test_setup_then_sign_in_through_the_form(app, app_env):
    """Also proves the AppTest PagesManager fix: forms drawn by app.py submit."""
    token = setup_token(app_env)
    app.run()
    text_input(app, "安装口令").input(token)
    text_input(app, "用户名").input("chief")
    text_input(app, "姓名").input("王主任")
    text_input(app, "新密码").input(PASSWORD)
    text_input(app, "再次输入新密码").input(PASSWORD)
    button(app, "创建管理员").click().run()
    assert "管理员账户已创建" in app.info[0].value
    _submit_sign_in(app, "chief", PASSWORD)
    assert not app.exception
    assert app.title[0].value == "欢迎使用委员联系界别群众工作平台"
    assert "当前用户：王主任（系统管理员）" in [c.value for c in app.sidebar.caption]
    app.run()  # the next run resumes the session from the store
    assert button(app, "退出登录")


def test_wrong_password_says_so_without_naming_which_part(app, make_user):
    make_user(Role.LEADER)
    app.run()
    _submit_sign_in(app, "leader", "not the password")
    assert app.error[0].value == "用户名或密码不正确。"
    _submit_sign_in(app, "nobody", "not the password")
    assert app.error[0].value == "用户名或密码不正确。"


def test_five_wrong_passwords_lock_and_the_lock_lifts_after_fifteen_minutes(
    app, make_user, tmp_path, monkeypatch
):
    clock_file = tmp_path / "now"
    start = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    clock_file.write_text(start.isoformat())
    monkeypatch.setenv("LIAISON_CLOCK_FILE", str(clock_file))
    make_user(Role.LEADER)
    app.run()
    for _ in range(5):
        _submit_sign_in(app, "leader", "not the password")
    assert "账户已临时锁定" in app.error[0].value
    _submit_sign_in(app, "leader", PASSWORD)
    assert "账户已临时锁定" in app.error[0].value
    clock_file.write_text((start + timedelta(minutes=15, seconds=1)).isoformat())
    _submit_sign_in(app, "leader", PASSWORD)
    assert not app.error
    assert button(app, "退出登录")


def test_idle_session_ends_after_thirty_minutes(app, app_env, make_user, tmp_path, monkeypatch):
    clock_file = tmp_path / "now"
    start = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    clock_file.write_text(start.isoformat())
    monkeypatch.setenv("LIAISON_CLOCK_FILE", str(clock_file))
    sign_in_as(app, app_env, make_user(Role.LEADER)).run()
    assert button(app, "退出登录")
    clock_file.write_text((start + timedelta(minutes=31)).isoformat())
    app.run()
    assert "登录已失效" in app.info[0].value
    assert text_input(app, "用户名")


def test_sign_out_ends_the_session_in_the_store(app, app_env, make_user):
    sign_in_as(app, app_env, make_user(Role.LEADER)).run()
    session_marker = app.session_state["liaison_session"]
    button(app, "退出登录").click().run()
    assert "您已安全退出" in app.info[0].value
    assert text_input(app, "用户名")
    # the same cookie presented by another browser (a copied cookie) is refused
    other_browser = AppTest.from_file(str(APP_PATH), default_timeout=60)
    other_browser.session_state["liaison_session"] = session_marker
    other_browser.run()
    assert text_input(other_browser, "用户名")
    assert "登录已失效" in other_browser.info[0].value


def test_reset_password_forces_a_change_before_anything_else(app, app_env, role_actor):
    actor = role_actor(Role.STAFF)
    with write_session(get_engine(app_env)) as session:
        session.get(User, actor.user_id).must_change_password = True
    sign_in_as(app, app_env, actor).run()
    assert registered_pages(app) == {"account"}
    assert "请先设置您自己的新密码" in app.warning[0].value
    new = "another long passphrase"
    text_input(app, "当前密码").input(PASSWORD)
    text_input(app, "新密码").input(new)
    text_input(app, "再次输入新密码").input(new)
    button(app, "修改密码").click().run()
    assert "密码已修改" in app.info[0].value  # signed out everywhere
    _submit_sign_in(app, "staff", new)
    assert registered_pages(app) == {page.value for page in VISIBLE[Role.STAFF]}



def test_wrong_current_passwords_on_the_account_page_lock_and_sign_out(app, app_env, make_user):
    """Finding 8: the account page let a session guess the password without limit."""
    sign_in_as(app, app_env, make_user(Role.LEADER)).run()
    app.switch_page("pages/account.py").run()
    new = "another long passphrase"
    for attempt in range(5):
        text_input(app, "当前密码").input(f"guess number {attempt}")
        text_input(app, "新密码").input(new)
        text_input(app, "再次输入新密码").input(new)
        button(app, "修改密码").click().run()
        if attempt < 4:
            assert [e.value for e in app.error] == ["当前密码不正确。"]
    app.run()
    assert text_input(app, "用户名")  # the guessing session was ended
    _submit_sign_in(app, "leader", PASSWORD)
    assert "账户已临时锁定" in app.error[0].value
    with read_session(get_engine(app_env)) as session:
        failures = session.exec(select(AuditEntry).where(
            AuditEntry.action == AuditAction.SIGN_IN_FAILED)).all()
    assert sum("wrong_current_password" in (f.detail or "") for f in failures) == 5


VISIBLE = {
    Role.ADMIN: {Page.HOME, Page.OVERVIEW, Page.COMPLIANCE, Page.STATION_ACTIVITY,
                 Page.OPINION_PIPELINE, Page.MEETING, Page.CAMPAIGNS,
                 Page.VISIT_ENTRY, Page.VISITS, Page.PROBLEMS, Page.REPORT_ENTRY,
                 Page.REPORTS, Page.ACTIVITY_ENTRY, Page.WORKSTATIONS, Page.TOPICS,
                 Page.PROPOSALS, Page.MEMBERS, Page.ROSTER_IMPORT, Page.ACCOUNT,
                 Page.ORGANISATIONS, Page.USERS, Page.AUDIT},
    Role.LEADER: {Page.HOME, Page.OVERVIEW, Page.COMPLIANCE, Page.STATION_ACTIVITY,
                  Page.OPINION_PIPELINE, Page.MEETING, Page.CAMPAIGNS,
                 Page.VISITS, Page.PROBLEMS, Page.REPORTS, Page.WORKSTATIONS,
                  Page.TOPICS, Page.PROPOSALS, Page.MEMBERS,
                  Page.ACCOUNT},
    Role.STAFF: {Page.HOME, Page.OVERVIEW, Page.COMPLIANCE, Page.STATION_ACTIVITY,
                 Page.OPINION_PIPELINE, Page.MEETING, Page.CAMPAIGNS,
                 Page.VISIT_ENTRY, Page.VISITS, Page.PROBLEMS, Page.REPORT_ENTRY,
                 Page.REPORTS, Page.ACTIVITY_ENTRY, Page.WORKSTATIONS, Page.TOPICS,
                 Page.PROPOSALS, Page.MEMBERS, Page.ROSTER_IMPORT, Page.ACCOUNT},
    Role.MEMBER: {Page.HOME, Page.VISIT_ENTRY, Page.VISITS, Page.REPORT_ENTRY,
                  Page.MY_REPORTS, Page.ACTIVITY_ENTRY, Page.MEMBERS, Page.ACCOUNT},
}
PAGE_FILES = {Page(screen.key): screen.file for screen in SCREENS}


@pytest.mark.parametrize("role", list(Role))
def test_role_page_visibility_matrix(app, app_env, role_actor, role):
    sign_in_as(app, app_env, role_actor(role)).run()
    assert registered_pages(app) == {page.value for page in VISIBLE[role]}
    for page in Page:
        if page in VISIBLE[role]:
            app.switch_page(PAGE_FILES[page]).run()
            assert not app.exception, (role, page, app.exception)
        else:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                app.switch_page(PAGE_FILES[page])


def test_the_signed_out_page_no_longer_shows_who_was_signed_in(app, app_env, make_user):
    sign_in_as(app, app_env, make_user(Role.LEADER)).run()
    button(app, "退出登录").click().run()
    assert [b for b in app.button if b.label == "退出登录"] == []
    assert not any("当前用户" in c.value for c in app.sidebar.caption)
