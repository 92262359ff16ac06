"""The station activity dashboard (工作站活跃度) against a real (temporary) store: its tiles,
the months, the rankings, the most active and the idle stations; the period and
committee filters; staff starting on their own committee; a click on a station opening
it on the stations screen; the empty states; members kept out."""

from datetime import date, timedelta

import pytest

from core.db import get_engine, write_session
from models import Committee, Organisation, OrgLevel, Role
from tests.helpers import factories
from tests.helpers.app_test import TODAY, open_tab, registered_pages, sign_in_as

DAY = date.fromisoformat(TODAY)  # 2026-11-21
PAGE = "pages/station_activity.py"
TABS = "station_activity_tab"  # the lazy tabs: the committees, the most active, the idle
BY_COMMITTEE, BY_ORGANISATION = "按指导专委会排名", "按政协组织排名"
TOP_TEN, IDLE_TAB = "最活跃的工作室（站）（前 10 个）", "闲置的工作室（站）"
HOSTILE = '=HYPERLINK("http://x","y")<img src=x onerror=alert(1)>𠮷'


@pytest.fixture
def stations(app_env, org_ids) -> dict[str, int]:
    """In 教科卫体委员会: 东城 (active: two activities this year, 30 and 12 people served;
    刘洋 at the first), 南城 (idle: established in 2025, never an activity). In 经济委员会:
    西城 (active: one activity, 5 people served)."""
    committee_id, member_id = org_ids
    with write_session(get_engine(app_env)) as session:
        education = session.get(Committee, committee_id)
        economy = Committee(organisation_id=factories.TOP, name="经济委员会")
        session.add(economy)
        session.flush()
        kind = factories.activity_type(session).id
        liu = session.get(factories.Member, member_id)
        east = factories.workstation(session, education, name="东城工作站",
                                     established_on=date(2024, 1, 1))
        factories.activity(session, east, [liu], on=DAY - timedelta(days=3), type_id=kind,
                           people_served=30)
        factories.activity(session, east, [], on=date(2026, 3, 2), type_id=kind,
                           people_served=12)
        south = factories.workstation(session, education, name="南城工作室",
                                      established_on=date(2025, 1, 1))
        west = factories.workstation(session, economy, name="西城工作站",
                                     established_on=date(2024, 1, 1))
        factories.activity(session, west, [], on=date(2026, 10, 8), type_id=kind,
                           people_served=5)
        return {"east": east.id, "south": south.id, "west": west.id, "economy": economy.id}


def open_dashboard(app, app_env, who):
    sign_in_as(app, app_env, who).run()
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    return app


def metrics(app) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


TOP, IDLE, RANKING = "last_on", "last_activity", "stations"  # a column only that table has


def table(app, column: str):
    """The one table on screen with this column."""
    found = [frame.value for frame in app.dataframe if column in frame.value.columns]
    assert len(found) == 1, f"{len(found)} tables have a column {column!r}"
    return found[0]


def test_a_leader_sees_the_year_state_months_rankings_and_the_stations(app, app_env, role_actor,
                                                                       stations):
    app = open_dashboard(app, app_env, role_actor(Role.LEADER))
    assert metrics(app) == {"工作室（站）": "3", "有活动": "2", "闲置": "1", "已关闭": "0",
                            "活动次数": "3", "服务人次": "47"}
    # one organisation: no ranking of organisations
    assert [tab.label for tab in app.tabs] == [BY_COMMITTEE, TOP_TEN, IDLE_TAB]
    # months: activities and people served side by side; the committees
    assert len(app.get("vega_lite_chart")) == 3
    open_tab(app, TABS, TOP_TEN)
    top = table(app, TOP)
    assert top["name"].tolist() == ["东城工作站", "西城工作站"]
    assert top["activities"].tolist() == [2, 1]
    assert {b.label for b in app.get("download_button")} >= {"导出 Excel", "导出 CSV"}
    open_tab(app, TABS, IDLE_TAB)
    idle = table(app, IDLE)
    assert idle["name"].tolist() == ["南城工作室"]
    assert idle["last_activity"].tolist() == ["从未开展活动"]


def test_the_numbers_of_a_chart_open_under_it_with_their_exports(app, app_env, role_actor,
                                                                 stations):
    app = open_dashboard(app, app_env, role_actor(Role.LEADER))
    assert [e.label for e in app.expander].count("数据表") == 2  # months, committees
    assert app.dataframe == []  # closed, not built
    app.session_state["charts_station_ranking_committee_numbers"] = True
    app.run()
    assert not app.exception, app.exception
    ranking = table(app, RANKING)
    assert ranking["name"].tolist() == ["教科卫体委员会", "经济委员会"]
    assert ranking["activities"].tolist() == [2, 1]
    assert ranking["idle"].tolist() == [1, 0]
    assert {b.label for b in app.get("download_button")} == {"导出 Excel", "导出 CSV"}


def test_a_period_without_activity_says_so_and_keeps_the_state_of_today(app, app_env,
                                                                         role_actor, stations):
    app = open_dashboard(app, app_env, role_actor(Role.LEADER))
    app.selectbox(key="station_activity_period.year").select_index(1).run()  # 2025
    assert not app.exception, app.exception
    assert metrics(app)["活动次数"] == "0" and metrics(app)["闲置"] == "1"
    empty = [i.value for i in app.info if "所选期间没有工作站活动" in i.value]
    assert len(empty) == 2  # months, the committees
    assert app.get("vega_lite_chart") == []
    open_tab(app, TABS, TOP_TEN)
    assert any("所选期间没有工作站活动" in i.value for i in app.info)
    app.button_group[0].set_value("quarter").run()  # this quarter: 东城 and 西城 in it
    assert metrics(app)["活动次数"] == "2"


def test_the_committee_filter_narrows_every_figure(app, app_env, role_actor, stations):
    app = open_dashboard(app, app_env, role_actor(Role.LEADER))
    app.selectbox(key="station_activity_filter.committee").select(stations["economy"]).run()
    assert not app.exception, app.exception
    assert metrics(app) == {"工作室（站）": "1", "有活动": "1", "闲置": "0", "已关闭": "0",
                            "活动次数": "1", "服务人次": "5"}
    open_tab(app, TABS, TOP_TEN)
    assert table(app, TOP)["name"].tolist() == ["西城工作站"]
    open_tab(app, TABS, IDLE_TAB)
    assert any("没有闲置的工作室（站）" in s.value for s in app.success)


def test_staff_start_on_their_own_committee(app, app_env, role_actor, stations, org_ids):
    app = open_dashboard(app, app_env, role_actor(Role.STAFF))
    assert app.selectbox(key="station_activity_filter.committee").value == org_ids[0]
    assert metrics(app)["工作室（站）"] == "2"  # 东城 and 南城, not 西城
    assert metrics(app)["活动次数"] == "2"


def test_a_click_on_one_of_the_most_active_opens_it_on_the_stations_screen(app, app_env,
                                                                           role_actor,
                                                                           stations):
    app = open_tab(open_dashboard(app, app_env, role_actor(Role.STAFF)), TABS, TOP_TEN)
    app.session_state["table.station_activity_top.pick"] = {
        "selection": {"rows": [0], "columns": [], "cells": []}}
    app.run()
    assert not app.exception, app.exception
    assert app.session_state["station_page.tab"] == "工作站"
    assert [s.value for s in app.subheader] == ["东城工作站"]


def test_a_click_on_an_idle_station_opens_it_too(app, app_env, role_actor, stations):
    app = open_tab(open_dashboard(app, app_env, role_actor(Role.LEADER)), TABS, IDLE_TAB)
    app.session_state["table.station_activity_idle.pick"] = {
        "selection": {"rows": [0], "columns": [], "cells": []}}
    app.run()
    assert not app.exception, app.exception
    assert [s.value for s in app.subheader] == ["南城工作室"]


def test_with_several_organisations_they_are_ranked_and_named(app, app_env, role_actor,
                                                               stations):
    with write_session(get_engine(app_env)) as session:
        district = Organisation(name="江海区政协", level=OrgLevel.DISTRICT,
                                parent_id=factories.TOP)
        session.add(district)
        session.flush()
        org = factories.organisation(session, district.id)  # its 教科卫体委员会 too
        station = factories.workstation(session, org[1], name="江海区工作站",
                                        established_on=date(2024, 1, 1))
        for day in (1, 2, 3):
            factories.activity(session, station, [], on=date(2026, 11, day),
                               type_id=factories.activity_type(session, f"类{day}",
                                                               district.id).id)
    app = open_dashboard(app, app_env, role_actor(Role.LEADER))
    assert [tab.label for tab in app.tabs] == [BY_COMMITTEE, BY_ORGANISATION, TOP_TEN, IDLE_TAB]
    app.session_state["charts_station_ranking_committee_numbers"] = True
    app.run()
    ranking = table(app, RANKING)
    assert ranking[["name", "organisation", "activities"]].values.tolist() == [
        ["教科卫体委员会", "江海区政协", 3], ["教科卫体委员会", "本级政协", 2],
        ["经济委员会", "本级政协", 1]]
    open_tab(app, TABS, BY_ORGANISATION)
    app.session_state["charts_station_ranking_organisation_numbers"] = True
    app.run()
    ranking = table(app, RANKING)
    assert ranking[["name", "stations", "activities"]].values.tolist() == [
        ["本级政协", 3, 3], ["江海区政协", 1, 3]]


def test_without_any_station_it_says_where_to_register_one(app, app_env, role_actor, org_ids):
    app = open_dashboard(app, app_env, role_actor(Role.LEADER))
    assert [i.value for i in app.info] == [
        "还没有登记任何委员工作室（站）。管理员和专委会工作人员可在“委员工作室（站）”页面的“新建”中登记。"]
    assert app.metric == []


def test_a_committee_without_stations_asks_to_widen_the_filters(app, app_env, role_actor,
                                                                 org_ids):
    with write_session(get_engine(app_env)) as session:
        other = Committee(organisation_id=factories.TOP, name="经济委员会")
        session.add(other)
        session.flush()
        factories.workstation(session, session.get(Committee, org_ids[0]))
        other_id = other.id
    app = open_dashboard(app, app_env, role_actor(Role.LEADER))
    app.selectbox(key="station_activity_filter.committee").select(other_id).run()
    assert [i.value for i in app.info] == ["没有符合筛选条件的工作室（站）。请放宽筛选条件。"]


def test_a_hostile_station_name_is_shown_as_typed(app, app_env, role_actor, org_ids):
    with write_session(get_engine(app_env)) as session:
        station = factories.workstation(session, session.get(Committee, org_ids[0]),
                                        name=HOSTILE, established_on=date(2024, 1, 1))
        factories.activity(session, station, [], on=DAY, type_id=factories.activity_type(
            session).id, people_served=3)
    app = open_tab(open_dashboard(app, app_env, role_actor(Role.LEADER)), TABS, TOP_TEN)
    assert table(app, TOP)["name"].tolist() == [HOSTILE]
    assert all(HOSTILE not in element.value for element in app.markdown)


def test_members_cannot_open_it(app, app_env, role_actor, org_ids):
    sign_in_as(app, app_env, role_actor(Role.MEMBER)).run()
    assert "station_activity" not in registered_pages(app)
