"""Home page and first run, driven through app.py with AppTest against a real store."""

from datetime import date

from sqlalchemy import text

from core.db import get_engine, read_session, write_session
from core.i18n import format_number
from models import Role
from services.actors import SYSTEM
from services.overview import overview
from tests.helpers import factories
from tests.helpers.app_test import TODAY, button, sign_in_as


def _metrics(at) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def _counts(url: str):
    with read_session(get_engine(url)) as session:
        return overview(session=session, actor=SYSTEM, today=date.fromisoformat(TODAY)).counts


def test_empty_store_shows_the_welcome_with_the_demo_offer(admin_app):
    app = admin_app
    app.run()
    assert not app.exception
    assert app.title[0].value == "欢迎使用委员联系界别群众工作平台"
    assert button(app, "加载演示数据")
    assert app.metric == []


def test_demo_form_submits_through_app_py(admin_app, app_env):
    """Proves the PagesManager fix: the form in a page run by st.navigation submits."""
    app = admin_app
    app.run()
    app.radio[0].set_value("small")
    button(app, "加载演示数据").click().run()
    assert not app.exception
    assert app.title[0].value == "工作概览"
    assert "演示数据已加载" in app.success[0].value
    counts = _counts(app_env)
    assert counts.members_in_office > 0
    assert _metrics(app)["在任委员"] == format_number(counts.members_in_office)
    assert _metrics(app)["走访联系记录"] == format_number(counts.visits)


def test_home_shows_counts_and_periods_of_the_store(admin_app, app_env):
    app = admin_app
    with write_session(get_engine(app_env)) as session:
        org = factories.organisation(session)
        first = factories.member(session, org, name="李明")
        factories.member(session, org, name="赵丽", in_office_to=date(2025, 12, 31))
        factories.visit(session, [first], on=date(2026, 11, 3))
        factories.workstation(session, org[1], active=False)
    app.run()
    assert not app.exception
    metrics = _metrics(app)
    assert metrics["在任委员"] == "1"
    assert metrics["走访联系记录"] == "1"
    assert metrics["社情民意信息"] == "0"
    assert metrics["委员工作室（站）"] == "1"
    assert metrics["剩余天数"] == "41 天"  # 21 Nov to 31 Dec, today included
    period_names = [markdown.value for markdown in app.markdown]
    assert "**2026年第4季度**" in period_names
    assert "**2026年下半年**" in period_names


def test_english_is_one_switch_away(admin_app, app_env):
    app = admin_app
    with write_session(get_engine(app_env)) as session:
        factories.member(session, factories.organisation(session))
    app.query_params["lang"] = "en"
    app.run()
    assert app.title[0].value == "Overview"
    assert "Members in office" in _metrics(app)
    assert app.sidebar.selectbox[0].value == "en"


def test_language_picker_switches_to_english(app):
    app.run()
    app.sidebar.selectbox[0].select("en").run()
    assert app.title[0].value == "First run: create the administrator"


def test_non_admin_sees_the_welcome_without_the_demo_button(app, app_env, make_user):
    sign_in_as(app, app_env, make_user(Role.LEADER)).run()
    assert app.title[0].value == "欢迎使用委员联系界别群众工作平台"
    assert "请联系系统管理员" in app.info[0].value
    assert [b.label for b in app.button if b.label == "加载演示数据"] == []


def test_demo_not_loaded_when_someone_filled_the_store_meanwhile(admin_app, app_env):
    """Two people on the welcome screen: the second click finds data and loads nothing."""
    app = admin_app
    app.run()
    with write_session(get_engine(app_env)) as session:
        factories.member(session, factories.organisation(session))
    button(app, "加载演示数据").click().run()
    assert not app.exception
    assert app.title[0].value == "工作概览"
    assert _metrics(app)["在任委员"] == "1"


def _everything_shown(app) -> str:
    """Every element the browser receives (its protobuf as text), main area and sidebar."""
    shown, pending = [], [app._tree]
    while pending:
        node = pending.pop()
        pending.extend(getattr(node, "children", {}).values())
        if getattr(node, "proto", None) is not None:
            shown.append(str(node.proto))
    return "\n".join(shown)


def test_unreachable_store_shows_a_visitor_only_what_to_do_and_logs_the_detail(
    app, monkeypatch, caplog
):
    """Anyone may open this page, signed in or not: the database's host, port and user
    go to the server log (and ``manage.py check``), not to the browser."""
    monkeypatch.setenv("DATABASE_URL", "postgresql://secretuser@127.0.0.1:1/x")
    with caplog.at_level("ERROR", logger="liaison"):
        app.run()
    assert not app.exception
    assert "暂时无法连接数据库" in app.error[0].value
    assert "python manage.py check" in app.info[0].value
    shown = _everything_shown(app)
    assert "暂时无法连接数据库" in shown  # the walk sees what the page shows
    for detail in ("secretuser", "127.0.0.1", "5432", ":1/", "psycopg", "refused"):
        assert detail not in shown
    (logged,) = [r.getMessage() for r in caplog.records if r.name == "liaison"]
    assert "secretuser@127.0.0.1:1/x" in logged and "Cannot connect" in logged


def test_store_from_a_newer_release_is_refused_with_advice(app, app_env, caplog):
    with get_engine(app_env).begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'abcdef999999'"))
    with caplog.at_level("ERROR", logger="liaison"):
        app.run()
    assert not app.exception
    assert "数据库的版本与本程序不一致" in app.error[0].value
    assert "abcdef999999" not in _everything_shown(app)
    assert any("abcdef999999" in r.getMessage() for r in caplog.records if r.name == "liaison")
