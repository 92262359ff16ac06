"""The activity entry page (工作站活动登记) under AppTest: an activity saved in a few
steps with the stationed members offered first, the form ready for the next, errors
beside their fields with the typing kept, saved once, the office's list of activities,
the member profile's tab, and who may use it."""

from datetime import date, timedelta

from sqlmodel import select

from core.db import get_engine, read_session, write_session
from models import (
    CollectedProblem,
    Committee,
    ListEntry,
    ListKind,
    Member,
    Role,
    WorkstationActivity,
    WorkstationActivityMember,
)
from tests.helpers import factories
from tests.helpers.app_test import button, open_tab, sign_in_as, widget

PAGE = "pages/activity_entry.py"
SAVE = "保存活动"
TODAY = date(2026, 11, 21)


def _station(app_env, org_ids, *, stationed: bool = True) -> tuple[int, int, int]:
    """A station of the committee with the member stationed, a colleague, and the type
    政策宣讲 (the migration seeds it): (station, colleague, type)."""
    committee_id, member_id = org_ids
    with write_session(get_engine(app_env)) as session:
        committee = session.get(Committee, committee_id)
        member = session.get(Member, member_id)
        station = factories.workstation(session, committee, name="东城街道委员工作站",
                                        established_on=date(2024, 1, 1))
        org = (session.get(factories.Sector, member.sector_id), committee,
               session.get(factories.Term, member.term_id))
        colleague = factories.member(session, org, name="王芳")
        if stationed:
            factories.stationed(session, station, member)
        kind = session.exec(select(ListEntry).where(
            ListEntry.kind == ListKind.ACTIVITY_TYPE, ListEntry.name == "政策宣讲")).one()
        return station.id, colleague.id, kind.id


def _open(app, app_env, actor):
    sign_in_as(app, app_env, actor)
    app.run()
    app.switch_page(PAGE).run()
    assert not app.exception
    return app


def _activities(app_env) -> list[WorkstationActivity]:
    with read_session(get_engine(app_env)) as session:
        return session.exec(select(WorkstationActivity)).all()


def _fill(app, station_id, type_id, members, *, people=30, summary="宣讲惠民政策"):
    widget(app, "selectbox", "工作室（站）").set_value(station_id).run()
    widget(app, "selectbox", "活动类型").set_value(type_id)
    widget(app, "multiselect", "参加委员").set_value(members)
    widget(app, "number_input", "服务群众（人次）").set_value(people)
    widget(app, "text_area", "活动概况").set_value(summary)
    return app


def test_staff_save_an_activity_with_two_members_and_a_problem(app, app_env, role_actor,
                                                                org_ids):
    station_id, colleague_id, type_id = _station(app_env, org_ids)
    _open(app, app_env, role_actor(Role.STAFF))
    _fill(app, station_id, type_id, [org_ids[1], colleague_id])
    # the stationed member comes first and is marked
    options = widget(app, "multiselect", "参加委员").options
    assert options[0] == "驻站 · 刘洋 · liuyang ly"
    widget(app, "text_area", "收集的问题（每行一条，可写“类别：内容”）").set_value("路灯不亮")
    button(app, SAVE).click().run()
    assert not app.exception
    [activity] = _activities(app_env)
    assert (activity.workstation_id, activity.activity_type_id, activity.people_served) == (
        station_id, type_id, 30)
    with read_session(get_engine(app_env)) as session:
        present = set(session.exec(select(WorkstationActivityMember.member_id)).all())
        problem = session.exec(select(CollectedProblem)).one()
    assert present == {org_ids[1], colleague_id}
    assert problem.activity_id == activity.id and problem.content == "路灯不亮"
    assert any("已保存活动" in s.value for s in app.success)
    # ready for the next: station, day and type kept, the rest empty
    assert widget(app, "multiselect", "参加委员").value == []
    assert widget(app, "text_area", "活动概况").value == ""
    assert widget(app, "selectbox", "工作室（站）").value == station_id
    assert widget(app, "selectbox", "活动类型").value == type_id
    # a second click on the emptied form saves nothing more
    button(app, SAVE).click().run()
    assert len(_activities(app_env)) == 1
    # the recent list shows it
    assert any("东城街道委员工作站" in str(frame.value.values.tolist())
               for frame in app.dataframe)


def test_bad_input_shows_beside_the_field_and_keeps_the_typing(app, app_env, role_actor,
                                                                 org_ids):
    station_id, _, type_id = _station(app_env, org_ids)
    _open(app, app_env, role_actor(Role.STAFF))
    _fill(app, station_id, type_id, [], summary="=HYPERLINK(\"x\")<b>概况</b>")
    button(app, SAVE).click().run()
    assert not app.exception
    assert "请至少选择一位参加委员。" in [e.value for e in app.error]
    assert widget(app, "text_area", "活动概况").value == "=HYPERLINK(\"x\")<b>概况</b>"
    assert _activities(app_env) == []


def test_the_day_before_the_station_was_established_is_refused(app, app_env, role_actor,
                                                                org_ids):
    station_id, _, type_id = _station(app_env, org_ids)
    _open(app, app_env, role_actor(Role.STAFF))
    widget(app, "date_input", "活动日期").set_value(date(2023, 12, 1)).run()
    _fill(app, station_id, type_id, [org_ids[1]])
    button(app, SAVE).click().run()
    assert "活动日期早于该工作室（站）的成立日期。" in [e.value for e in app.error]
    assert _activities(app_env) == []


def test_a_stationed_member_records_their_own_activity(app, app_env, role_actor, org_ids):
    station_id, _, type_id = _station(app_env, org_ids)
    _open(app, app_env, role_actor(Role.MEMBER))
    _fill(app, station_id, type_id, [org_ids[1]])
    button(app, SAVE).click().run()
    assert not app.exception
    assert len(_activities(app_env)) == 1


def test_a_member_stationed_nowhere_is_told_so(app, app_env, role_actor, org_ids):
    _station(app_env, org_ids, stationed=False)
    _open(app, app_env, role_actor(Role.MEMBER))
    assert any("没有驻站" in i.value for i in app.info)
    assert [b for b in app.button if b.label == SAVE] == []


def test_the_office_lists_every_activity_and_the_profile_shows_it(app, app_env, role_actor,
                                                                  org_ids):
    station_id, _, type_id = _station(app_env, org_ids)
    with write_session(get_engine(app_env)) as session:
        station = session.get(factories.Workstation, station_id)
        member = session.get(Member, org_ids[1])
        factories.activity(session, station, [member], on=TODAY - timedelta(days=3),
                           type_id=type_id, people_served=12)
    _open(app, app_env, role_actor(Role.STAFF))
    open_tab(app, "activity_tabs", "活动记录")
    assert not app.exception
    assert any("共 1 次活动，服务群众 12 人次。" in c.value for c in app.caption)
    app.switch_page("pages/members.py").run()
    assert not app.exception


def _recorded(app_env, org_ids, station_id, type_id, recorder_id=None) -> int:
    with write_session(get_engine(app_env)) as session:
        station = session.get(factories.Workstation, station_id)
        member = session.get(Member, org_ids[1])
        row = factories.activity(session, station, [member], on=TODAY - timedelta(days=2),
                                 type_id=type_id, people_served=12)
        row.recorded_by_user_id = recorder_id
        session.add(row)
        return row.id


def test_staff_correct_and_then_delete_an_activity_from_the_list(app, app_env, role_actor,
                                                                  org_ids):
    station_id, _, type_id = _station(app_env, org_ids)
    activity_id = _recorded(app_env, org_ids, station_id, type_id)
    _open(app, app_env, role_actor(Role.STAFF))
    open_tab(app, "activity_tabs", "活动记录")
    app.session_state["activity_page.open"] = activity_id
    app.run()
    assert not app.exception
    form = f"activity_edit_{activity_id}"
    app.number_input(key=f"{form}.people_served").set_value(40)
    button(app, "保存更正").click().run()
    assert not app.exception
    assert "已保存更正。" in [s.value for s in app.success]
    [stored] = _activities(app_env)
    assert stored.people_served == 40 and stored.version == 2
    app.checkbox(key=f"activity_delete_{activity_id}.sure").check().run()
    button(app, "删除").click().run()
    assert not app.exception
    [stored] = _activities(app_env)
    assert stored.deleted_at is not None


def test_staff_of_another_committee_read_it_but_are_offered_no_correction(
        app, app_env, make_user, org_ids):
    station_id, _, type_id = _station(app_env, org_ids)
    activity_id = _recorded(app_env, org_ids, station_id, type_id)
    with write_session(get_engine(app_env)) as session:
        economy = Committee(organisation_id=1, name="经济委员会")
        session.add(economy)
        session.flush()
        economy_id = economy.id
    _open(app, app_env, make_user(Role.STAFF, "econ", committee_ids=(economy_id,)))
    open_tab(app, "activity_tabs", "活动记录")
    app.session_state["activity_page.open"] = activity_id
    app.run()
    assert not app.exception
    assert any("您可以查看这条活动记录" in c.value for c in app.caption)
    assert [b for b in app.button if b.label == "保存更正"] == []
