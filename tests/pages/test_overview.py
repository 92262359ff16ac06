"""The leadership overview (履职总览) against a real (temporary) store: the quota tiles of
the quarter and half-year with the week's change, who is behind (a click opens the
member in the directory), the trends and rankings, the filters, the empty state, and
members kept out."""

from datetime import date

import pytest

from core.db import get_engine, write_session
from models import Committee, Member, Role
from tests.helpers import factories
from tests.helpers.app_test import TODAY, open_tab, sign_in_as
from ui.components import plain
from ui.goto import GOTO_MEMBER

DAY = date.fromisoformat(TODAY)  # 2026-11-21: Q4 (41 days left), H2
PAGE = "pages/overview.py"
HOSTILE = '=HYPERLINK("http://x","y")<img src=x onerror=alert(1)>𠮷'


@pytest.fixture
def world(app_env, org_ids) -> dict[str, int]:
    """刘洋 (教科卫体委员会) visited this week and last month; a hostile-named member of
    经济委员会 has done nothing."""
    committee_id, liu_id = org_ids
    with write_session(get_engine(app_env)) as session:
        liu = session.get(Member, liu_id)
        economy = Committee(organisation_id=factories.TOP, name="经济委员会")
        session.add(economy)
        session.flush()
        sector = session.get(factories.Sector, liu.sector_id)
        term = session.get(factories.Term, liu.term_id)
        other = factories.member(session, (sector, economy, term), name=HOSTILE)
        factories.visit(session, [liu], on=date(2026, 10, 20))
        factories.visit(session, [liu], on=DAY - date.resolution * 2)
        return {"liu": liu_id, "other": other.id, "economy": economy.id,
                "education": committee_id}


def open_overview(app, app_env, who):
    sign_in_as(app, app_env, who).run()
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    return app


def metrics(app) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def behind_table(app):
    found = [frame.value for frame in app.dataframe if "days_left" in frame.value.columns]
    assert len(found) == 1
    return found[0]


def test_a_leader_sees_the_quotas_the_week_and_who_is_behind(app, app_env, role_actor, world):
    app = open_overview(app, app_env, role_actor(Role.LEADER))
    shown = metrics(app)
    assert shown["本季度联系界别群众达标率"] == "50%"
    assert shown["本半年报送社情民意达标率"] == "0%"
    assert shown["本季度走访"] == "2"
    deltas = {metric.label: metric.delta for metric in app.metric}
    assert deltas["本季度走访"] == "较上周 +1"
    assert deltas["本季度联系界别群众达标率"] == "较上周 +0.0 个百分点"
    behind = behind_table(app)
    # the economy member is behind on both quotas, 刘洋 on the report one
    assert sorted(behind["member"].tolist()) == sorted([HOSTILE, HOSTILE, "刘洋"])
    assert set(behind["days_left"]) == {41}
    assert HOSTILE in behind["member"].tolist()  # shown as text, not a formula or markup


def test_the_committee_filter_narrows_every_figure(app, app_env, role_actor, world):
    app = open_overview(app, app_env, role_actor(Role.LEADER))
    app.selectbox(key="overview.committee").set_value(world["economy"]).run()
    assert not app.exception
    shown = metrics(app)
    assert shown["本季度联系界别群众达标率"] == "0%"
    assert shown["本季度走访"] == "0"
    assert set(behind_table(app)["member"]) == {HOSTILE}


def test_a_past_year_shows_its_last_quarter(app, app_env, role_actor, world):
    app = open_overview(app, app_env, role_actor(Role.LEADER))
    app.selectbox(key="overview_year").set_value(2025).run()
    assert not app.exception
    assert any("2025Q4" in caption.value for caption in app.caption)
    assert metrics(app)["本季度走访"] == "0"


def test_staff_start_on_their_committee(app, app_env, role_actor, world):
    app = open_overview(app, app_env, role_actor(Role.STAFF))
    assert app.selectbox(key="overview.committee").value == world["education"]
    assert set(behind_table(app)["member"]) == {"刘洋"}


def test_the_tabs_show_trends_and_rankings(app, app_env, role_actor, world):
    app = open_overview(app, app_env, role_actor(Role.ADMIN))
    assert len(app.get("vega_lite_chart")) == 1  # the trends, open first
    open_tab(app, "overview_tab", "专委会排名")
    assert len(app.get("vega_lite_chart")) == 1
    app.expander[-1].open = True
    open_tab(app, "overview_tab", "界别排名")
    assert len(app.get("vega_lite_chart")) == 1


def test_a_click_on_who_is_behind_opens_the_member(app, app_env, role_actor, world):
    app = open_overview(app, app_env, role_actor(Role.LEADER))
    app.session_state[GOTO_MEMBER] = world["other"]  # what a click on the row leaves
    app.switch_page("pages/members.py").run()
    assert not app.exception
    assert plain(HOSTILE) in [header.value for header in app.subheader]  # its profile


def test_an_empty_store_says_what_to_do(app, app_env, make_user):
    app = open_overview(app, app_env, make_user(Role.LEADER))
    assert "名册导入" in app.info[0].value


def test_a_member_cannot_open_the_overview(app, app_env, role_actor, world):
    sign_in_as(app, app_env, role_actor(Role.MEMBER)).run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page(PAGE)
