"""The workstations screen per tab: the list and a click that opens a station, one station
with its record, members, timeline and chart, the idle list, registering a station, the
idle days; bad input kept beside its field; leaders read without edit forms."""

from datetime import date, timedelta

from sqlmodel import select

from core.db import get_engine, read_session, write_session
from models import (
    Committee,
    ListEntry,
    ListKind,
    Role,
    Workstation,
    WorkstationActivity,
    WorkstationMember,
)
from services.workstations import idle_days
from tests.helpers import factories
from tests.helpers.app_test import TODAY, button, open_tab, sign_in_as, text_input, widget
from ui.components import plain

DAY = date.fromisoformat(TODAY)
TABS = "station_page.tab"


def _station(app_env, committee_id: int, *, name: str = "东城街道委员工作站",
             last_activity: date | None = None, established_on: date | None = None) -> int:
    with write_session(get_engine(app_env)) as session:
        station = factories.workstation(session, session.get(Committee, committee_id))
        station.name, station.established_on = name, established_on
        station.district, station.head_name = "东城区", "陈主任"
        session.add(station)
        session.flush()
        if last_activity is not None:
            kind = ListEntry(organisation_id=1, kind=ListKind.ACTIVITY_TYPE, name=f"测试{name}")
            session.add(kind)
            session.flush()
            session.add(WorkstationActivity(
                workstation_id=station.id, activity_date=last_activity,
                activity_type_id=kind.id, title="政策宣讲进社区", people_served=30,
                summary="宣讲**新政策**"))
        return station.id


def _open(app, app_env, actor, station_id: int | None = None, tab: str = "列表"):
    sign_in_as(app, app_env, actor).run()
    app.switch_page("pages/workstations.py").run()
    assert not app.exception, app.exception
    if station_id is not None:
        app.session_state["station_page.open"] = station_id
    return open_tab(app, TABS, tab)


def test_the_list_shows_every_station_and_a_click_opens_one(app, app_env, role_actor, org_ids):
    committee_id, _ = org_ids
    station_id = _station(app_env, committee_id, last_activity=DAY - timedelta(days=3))
    _open(app, app_env, role_actor(Role.LEADER))
    table = app.dataframe[0].value
    assert list(table["name"]) == ["东城街道委员工作站"]
    assert list(table["days_since"]) == [3]
    assert any("共 1 个工作室（站），其中闲置 0 个" in c.value for c in app.caption)
    assert {b.label for b in app.get("download_button")} >= {"导出 Excel", "导出 CSV"}
    # a click on the row, as the table reports it
    app.session_state["station_page.list.clicked"] = None
    app.session_state["station_page.#goto"] = station_id
    app.run()
    assert app.session_state[TABS] == "工作站"
    assert [s.value for s in app.subheader] == ["东城街道委员工作站"]


def test_search_narrows_the_list_and_says_when_nothing_matches(app, app_env, role_actor,
                                                               org_ids):
    committee_id, _ = org_ids
    _station(app_env, committee_id)
    _open(app, app_env, role_actor(Role.STAFF))
    widget(app, "text_input", "搜索").input("没有这个").run()
    assert any("没有符合条件" in i.value for i in app.info)


def test_the_station_tab_shows_record_members_timeline_and_chart(app, app_env, role_actor,
                                                                 org_ids):
    committee_id, member_id = org_ids
    station_id = _station(app_env, committee_id, last_activity=DAY - timedelta(days=10))
    with write_session(get_engine(app_env)) as session:
        session.add(WorkstationMember(workstation_id=station_id, member_id=member_id,
                                      from_on=date(2026, 1, 1), duty_days="每周三上午"))
    _open(app, app_env, role_actor(Role.LEADER), station_id, "工作站")
    assert [s.value for s in app.subheader] == ["东城街道委员工作站"]
    members, timeline = app.dataframe[0].value, app.dataframe[1].value
    assert list(members["member"]) == ["刘洋"] and list(members["duty_days"]) == ["每周三上午"]
    assert list(timeline["title"]) == ["政策宣讲进社区"]
    assert len(app.get("vega_lite_chart")) == 1


def test_leader_reads_a_station_but_gets_no_forms(app, app_env, role_actor, org_ids):
    committee_id, _ = org_ids
    station_id = _station(app_env, committee_id)
    _open(app, app_env, role_actor(Role.LEADER), station_id, "工作站")
    assert [t for t in app.text_input if t.form_id == f"station_edit_{station_id}"] == []
    assert [b for b in app.button if b.label == "添加驻站委员"] == []
    assert any("您可以查看本工作室" in c.value for c in app.caption)
    assert "新建" not in [t.label for t in app.tabs]


def test_staff_edit_with_bad_input_keeps_the_typing_and_saves_nothing(app, app_env, role_actor,
                                                                      org_ids):
    committee_id, _ = org_ids
    station_id = _station(app_env, committee_id)
    _open(app, app_env, role_actor(Role.STAFF), station_id, "工作站")
    form = f"station_edit_{station_id}"
    text_input(app, "联系电话", form=form).input("call me maybe")
    text_input(app, "地址", form=form).input("=HYPERLINK(\"x\")")
    button(app, "保存", form=form).click().run()
    assert any("联系电话格式不正确" in e.value for e in app.error)
    assert text_input(app, "联系电话", form=form).value == "call me maybe"
    assert text_input(app, "地址", form=form).value == "=HYPERLINK(\"x\")"
    with read_session(get_engine(app_env)) as session:
        station = session.get(Workstation, station_id)
        assert (station.head_phone, station.address, station.version) == (None, None, 1)
    text_input(app, "联系电话", form=form).input("010-88886666")
    button(app, "保存", form=form).click().run()
    assert any("已保存" in s.value for s in app.success)
    with read_session(get_engine(app_env)) as session:
        station = session.get(Workstation, station_id)
        assert (station.head_phone, station.address) == ("010-88886666", "=HYPERLINK(\"x\")")


def test_staff_stations_a_member(app, app_env, role_actor, org_ids):
    committee_id, member_id = org_ids
    station_id = _station(app_env, committee_id)
    _open(app, app_env, role_actor(Role.STAFF), station_id, "工作站")
    form = f"stint_add_{station_id}"
    widget(app, "selectbox", "委员", form=form).select(member_id)
    text_input(app, "值班时间", form=form).input("每周三上午")
    button(app, "添加驻站委员", form=form).click().run()
    assert any("已添加驻站委员" in s.value for s in app.success)
    with read_session(get_engine(app_env)) as session:
        stint = session.exec(select(WorkstationMember)).one()
    assert (stint.member_id, stint.from_on, stint.duty_days) == (member_id, DAY, "每周三上午")


def test_the_idle_tab_lists_idle_stations_with_their_last_activity(app, app_env, role_actor,
                                                                   org_ids):
    committee_id, _ = org_ids
    _station(app_env, committee_id, name="空壳站", last_activity=DAY - timedelta(days=120))
    _station(app_env, committee_id, name="活跃站", last_activity=DAY - timedelta(days=1))
    _open(app, app_env, role_actor(Role.LEADER), tab="闲置")
    idle = app.dataframe[-1].value
    assert list(idle["name"]) == ["空壳站"]
    assert list(idle["last_activity"]) == [(DAY - timedelta(days=120)).isoformat()]
    assert list(idle["days_since"]) == [120]


def test_the_idle_tab_says_when_no_station_is_idle(app, app_env, role_actor, org_ids):
    committee_id, _ = org_ids
    _station(app_env, committee_id, last_activity=DAY)
    _open(app, app_env, role_actor(Role.LEADER), tab="闲置")
    assert any("没有闲置的工作室" in s.value for s in app.success)


def test_admin_registers_a_station_and_a_missing_name_is_said_beside_it(app, app_env,
                                                                        role_actor, org_ids):
    committee_id, _ = org_ids
    _open(app, app_env, role_actor(Role.ADMIN), tab="新建")
    form = "station_new"
    widget(app, "selectbox", "类型", form=form).select_index(0)
    widget(app, "selectbox", "指导专委会", form=form).select(committee_id)
    text_input(app, "地址", form=form).input("东城街道1号")
    button(app, "新建工作室（站）", form=form).click().run()
    assert any("请填写名称" in e.value for e in app.error)
    assert text_input(app, "地址", form=form).value == "东城街道1号"
    text_input(app, "名称", form=form).input("<b>西城</b>委员工作室")
    button(app, "新建工作室（站）", form=form).click().run()
    assert not app.exception
    with read_session(get_engine(app_env)) as session:
        station = session.exec(select(Workstation)).one()
    assert (station.name, station.address) == ("<b>西城</b>委员工作室", "东城街道1号")
    assert app.session_state[TABS] == "工作站"
    assert [s.value for s in app.subheader] == [plain("<b>西城</b>委员工作室")]


def test_admin_sets_the_idle_days_within_their_range(app, app_env, role_actor, org_ids):
    _open(app, app_env, role_actor(Role.ADMIN), tab="设置")
    form = "station_settings"
    widget(app, "number_input", "闲置天数", form=form).set_value(5)
    button(app, "保存", form=form).click().run()
    assert any("空闲天数应在 7 到 730 之间" in e.value for e in app.error)
    widget(app, "number_input", "闲置天数", form=form).set_value(60)
    button(app, "保存", form=form).click().run()
    with read_session(get_engine(app_env)) as session:
        assert idle_days(session=session) == 60


def test_staff_have_no_settings_tab(app, app_env, role_actor, org_ids):
    _open(app, app_env, role_actor(Role.STAFF))
    assert [t.label for t in app.tabs] == ["列表", "工作站", "闲置", "新建"]
