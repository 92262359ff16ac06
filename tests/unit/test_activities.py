"""Workstation activities: the form's rules, saving exactly once, who may record, the
records of the members present, the idle rule at its boundary, the dated setting that
makes activities count as contacts, and the figures counted by hand."""

from dataclasses import dataclass, replace
from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from core.db import read_session, write_session
from models import (
    AuditAction,
    AuditEntry,
    CollectedProblem,
    Committee,
    ListEntry,
    ListKind,
    ProblemStatus,
    Role,
    WorkstationActivity,
    WorkstationActivityMember,
)
from services import (
    activities,
    member_visits,
    overview,
    problems,
    station_registry,
    topics,
    workstation_figures,
    workstations,
)
from services.activities import ActivityInput
from services.actors import Actor
from services.errors import PermissionDenied, StaleRecord, ValidationFailed
from services.problems import ProblemItem
from services.station_registry import StationFilter
from services.workstation_figures import ActivityGroup, ActivityScope
from tests.helpers import factories

TODAY = date(2026, 11, 21)


@dataclass(frozen=True)
class World:
    station_id: int
    other_station_id: int  # guided by the economy committee
    type_id: int
    category_id: int
    member_id: int  # stationed at the station
    colleague_id: int  # stationed too
    guest_id: int  # not stationed, same committee
    economist_id: int  # another committee, not stationed
    member: Actor
    guest: Actor
    staff: Actor
    other_staff: Actor
    leader: Actor
    admin: Actor


@pytest.fixture
def world(engine) -> World:
    with write_session(engine) as session:
        org = factories.organisation(session)
        economy = Committee(organisation_id=factories.TOP, name="经济委员会")
        session.add(economy)
        session.flush()
        member = factories.member(session, org, name="刘洋")
        colleague = factories.member(session, org, name="王芳")
        guest = factories.member(session, org, name="孙丽")
        economist = factories.member(session, (org[0], economy, org[2]), name="赵强")
        station = factories.workstation(session, org[1], established_on=date(2024, 1, 1))
        other = factories.workstation(session, economy, name="西城委员工作站")
        factories.stationed(session, station, member)
        factories.stationed(session, station, colleague, from_on=date(2026, 6, 1))
        kind = factories.activity_type(session)
        category = ListEntry(organisation_id=factories.TOP, kind=ListKind.PROBLEM_CATEGORY,
                             name="测试类别")
        session.add(category)
        session.flush()
        return World(
            station_id=station.id, other_station_id=other.id, type_id=kind.id,
            category_id=category.id, member_id=member.id, colleague_id=colleague.id,
            guest_id=guest.id, economist_id=economist.id,
            member=factories.actor(session, "liuyang", Role.MEMBER, member_id=member.id),
            guest=factories.actor(session, "sunli", Role.MEMBER, member_id=guest.id),
            staff=factories.actor(session, "staff", Role.STAFF, committees={org[1].id}),
            other_staff=factories.actor(session, "econ", Role.STAFF, committees={economy.id}),
            leader=factories.actor(session, "leader", Role.LEADER),
            admin=factories.actor(session, "admin", Role.ADMIN),
        )


def form(world: World, **changes) -> ActivityInput:
    base = ActivityInput(workstation_id=world.station_id, activity_date=TODAY,
                         activity_type_id=world.type_id,
                         member_ids=(world.member_id, world.colleague_id), people_served=35,
                         summary="宣讲惠民政策，解答群众咨询")
    return replace(base, **changes)


def record(engine, actor: Actor, data: ActivityInput, key: str = "k1") -> int:
    with write_session(engine) as session:
        return activities.record_activity(session=session, actor=actor, data=data,
                                          idempotency_key=key, today=TODAY).id


def errors_of(engine, actor: Actor, data: ActivityInput) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as failure:
        record(engine, actor, data)
    return failure.value.field_errors


# --- the form ---------------------------------------------------------------------------


def test_an_activity_is_saved_with_its_members_problems_and_audit_row(engine, world):
    data = form(world, problems=(ProblemItem("小区路灯不亮", world.category_id),))
    activity_id = record(engine, world.staff, data)
    with read_session(engine) as session:
        activity = session.get(WorkstationActivity, activity_id)
        present = session.exec(select(WorkstationActivityMember)).all()
        problem = session.exec(select(CollectedProblem)).one()
        audit = session.exec(select(AuditEntry).where(
            AuditEntry.entity == "WorkstationActivity")).one()
    assert (activity.people_served, activity.activity_type_id, activity.members_present) == (
        35, world.type_id, 2)
    assert {(p.member_id, p.activity_date) for p in present} == {
        (world.member_id, TODAY), (world.colleague_id, TODAY)}
    # the problem joins the queue followed up by the station's guiding committee
    assert (problem.activity_id, problem.status, problem.collected_on) == (
        activity_id, ProblemStatus.PENDING, TODAY)
    assert audit.action is AuditAction.CREATE


def test_a_second_submit_of_the_same_form_saves_nothing_more(engine, world):
    first = record(engine, world.staff, form(world), key="same")
    second = record(engine, world.staff, form(world), key="same")
    with read_session(engine) as session:
        count = session.exec(select(func.count()).select_from(WorkstationActivity)).one()
    assert first == second and count == 1


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"workstation_id": None}, "workstation_id", "activities.error.station_required"),
    ({"activity_date": None}, "activity_date", "activities.error.date_required"),
    ({"activity_date": TODAY + timedelta(days=1)}, "activity_date",
     "activities.error.date_in_future"),
    ({"activity_date": date(2023, 12, 31)}, "activity_date",
     "activities.error.before_established"),
    ({"activity_type_id": None}, "activity_type_id", "activities.error.type_required"),
    ({"activity_type_id": 99_999}, "activity_type_id", "activities.error.type_unknown"),
    ({"member_ids": ()}, "members", "activities.error.members_required"),
    ({"member_ids": (99_999,)}, "members", "activities.error.member_unknown"),
    ({"people_served": -1}, "people_served", "activities.error.people_served"),
    ({"people_served": None}, "people_served", "activities.error.people_served_required"),
    ({"summary": "长" * 4001}, "summary", "activities.error.too_long"),
    ({"title": "题" * 201}, "title", "activities.error.too_long"),
])
def test_bad_input_is_refused_beside_its_field_and_nothing_is_saved(engine, world, changes,
                                                                    field, message):
    assert errors_of(engine, world.admin, form(world, **changes))[field] == message
    with read_session(engine) as session:
        assert session.exec(select(func.count()).select_from(WorkstationActivity)).one() == 0


def test_a_member_not_yet_in_office_on_the_day_is_refused(engine, world):
    with write_session(engine) as session:
        org = (session.get(factories.Sector, 1), session.get(Committee, 1), None)
        late = factories.member(session, (org[0], org[1], session.get(factories.Term, 1)),
                                name="周敏", in_office_from=TODAY)
        late_id = late.id
    data = form(world, activity_date=TODAY - timedelta(days=1), member_ids=(late_id,))
    assert errors_of(engine, world.admin, data)["members"] == "activities.error.not_in_office"


def test_a_closed_station_takes_no_activity_after_it_closed(engine, world):
    with write_session(engine) as session:
        station = session.get(factories.Workstation, world.station_id)
        station.closed_on, station.is_active = TODAY - timedelta(days=10), False
        session.add(station)
    errors = errors_of(engine, world.admin, form(world))
    assert errors["activity_date"] == "activities.error.after_closed"


def test_hostile_text_is_stored_as_typed(engine, world):
    text = "=HYPERLINK(\"http://x\")<img src=x onerror=alert(1)>𠮷مرحبا"
    activity_id = record(engine, world.staff, form(world, title=text[:200], summary=text))
    with read_session(engine) as session:
        assert session.get(WorkstationActivity, activity_id).summary == text


# --- who may -----------------------------------------------------------------------------


def test_staff_of_the_guiding_committee_admins_and_the_stationed_member_record(engine, world):
    record(engine, world.staff, form(world), key="staff")
    record(engine, world.admin, form(world), key="admin")
    record(engine, world.member, form(world), key="member")


def test_staff_of_a_present_members_committee_may_record_at_another_station(engine, world):
    data = form(world, workstation_id=world.other_station_id,
                member_ids=(world.member_id,))
    record(engine, world.staff, data)


@pytest.mark.parametrize("who", ["leader", "other_staff", "guest"])
def test_others_may_not_record(engine, world, who):
    with pytest.raises(PermissionDenied):
        record(engine, getattr(world, who), form(world, member_ids=(world.guest_id,)))


def test_a_member_records_only_where_stationed_on_the_day_and_present(engine, world):
    # the colleague was stationed from 2026-06-01: not yet on 2026-05-31
    colleague = replace(world.member, member_id=world.colleague_id)
    with pytest.raises(PermissionDenied):
        record(engine, colleague, form(world, activity_date=date(2026, 5, 31)))
    with pytest.raises(PermissionDenied):  # not among those present
        record(engine, world.member, form(world, member_ids=(world.colleague_id,)))
    with read_session(engine) as session:
        offered = activities.station_choices(session=session, actor=world.member, on=TODAY)
        guest = activities.station_choices(session=session, actor=world.guest, on=TODAY)
    assert list(offered) == [world.station_id] and guest == {}


def test_the_form_offers_the_stationed_members_first(engine, world):
    with read_session(engine) as session:
        choices = activities.activity_choices(session=session, actor=world.staff,
                                              station_id=world.station_id, on=TODAY)
        before = activities.activity_choices(session=session, actor=world.staff,
                                             station_id=world.station_id,
                                             on=date(2026, 5, 1))
    assert set(choices.stationed) == {world.member_id, world.colleague_id}
    assert before.stationed == [world.member_id]
    assert choices.types[world.type_id] == "测试活动"


# --- editing and deleting --------------------------------------------------------------------


def test_an_edit_changes_the_members_present_against_the_version_seen(engine, world):
    activity_id = record(engine, world.staff, form(world))
    with write_session(engine) as session:
        activities.update_activity(session=session, actor=world.staff,
                                   activity_id=activity_id, expected_version=1,
                                   data=form(world, member_ids=(world.member_id,),
                                             people_served=40), today=TODAY)
    with pytest.raises(StaleRecord), write_session(engine) as session:
        activities.update_activity(session=session, actor=world.staff,
                                   activity_id=activity_id, expected_version=1,
                                   data=form(world), today=TODAY)
    with read_session(engine) as session:
        present = session.exec(select(WorkstationActivityMember.member_id)).all()
        assert present == [world.member_id]
        stored = session.get(WorkstationActivity, activity_id)
        assert (stored.people_served, stored.members_present) == (40, 1)


def test_a_deleted_activity_leaves_the_station_and_the_member_record(engine, world):
    activity_id = record(engine, world.staff, form(world))
    with write_session(engine) as session:
        activities.delete_activity(session=session, actor=world.staff,
                                   activity_id=activity_id, expected_version=1)
    with read_session(engine) as session:
        assert activities.station_activities(session=session, actor=world.staff,
                                             station_id=world.station_id).empty
        assert activities.member_activities(session=session, actor=world.staff,
                                            member_id=world.member_id).empty
        assert activities.activities_of_member_between(
            session, world.member_id, TODAY, TODAY) == 0


# --- the records ------------------------------------------------------------------------------


def test_the_station_timeline_and_the_members_records_show_the_activity(engine, world):
    activity_id = record(engine, world.staff, form(world, problems=(
        ProblemItem("停车难", world.category_id),)))
    with read_session(engine) as session:
        timeline = activities.station_activities(session=session, actor=world.leader,
                                                 station_id=world.station_id)
        mine = activities.member_activities(session=session, actor=world.member,
                                            member_id=world.member_id)
        problems = activities.station_problems(session=session, actor=world.leader,
                                               station_id=world.station_id)
    row = timeline.iloc[0]
    assert (row["id"], row["activity_type"], row["people_served"], row["problems"]) == (
        activity_id, "测试活动", 35, 1)
    assert row["members"] == "刘洋、王芳"
    assert mine["station"].tolist() == ["东城街道委员工作站"]
    assert problems["content"].tolist() == ["停车难"]


def test_a_member_may_not_read_another_members_activities(engine, world):
    with pytest.raises(PermissionDenied), read_session(engine) as session:
        activities.member_activities(session=session, actor=world.guest,
                                     member_id=world.member_id)


# --- the idle rule -----------------------------------------------------------------------------


def _status(engine, actor: Actor, today: date) -> tuple[int, int, int]:
    with read_session(engine) as session:
        row = workstation_figures.station_status(session=session, actor=actor,
                                                 today=today).iloc[0]
    return int(row["stations"]), int(row["active"]), int(row["idle"])


def test_a_station_is_idle_from_the_idle_days_after_its_last_activity(engine, world):
    record(engine, world.staff, form(world, activity_date=TODAY - timedelta(days=89)))
    # the other station was recorded today and never held one: not yet an empty shell
    assert _status(engine, world.leader, TODAY) == (2, 2, 0)
    assert _status(engine, world.leader, TODAY + timedelta(days=1)) == (2, 1, 1)


def test_the_open_flag_does_not_keep_an_idle_station_alive(engine, world):
    with write_session(engine) as session:
        station = session.get(factories.Workstation, world.other_station_id)
        station.established_on = TODAY - timedelta(days=120)
        session.add(station)
    record(engine, world.staff, form(world))
    assert _status(engine, world.leader, TODAY) == (2, 1, 1)


def test_the_idle_days_are_a_setting_only_a_top_administrator_changes(engine, world):
    record(engine, world.staff, form(world, activity_date=TODAY - timedelta(days=40)))
    with write_session(engine) as session:
        with pytest.raises(PermissionDenied):
            workstations.set_idle_days(session=session, actor=world.staff, days=30)
        with pytest.raises(ValidationFailed):
            workstations.set_idle_days(session=session, actor=world.admin, days=3)
        workstations.set_idle_days(session=session, actor=world.admin, days=30)
    with read_session(engine) as session:
        assert workstations.idle_days(session=session) == 30
    assert _status(engine, world.leader, TODAY)[2] == 1


@pytest.mark.parametrize(("days_back", "established", "closed", "idle"), [
    (90, None, None, True), (89, None, None, False),  # by the last activity
    (None, 90, None, True), (None, 89, None, False),  # never: from its establishment
    (120, None, 10, False),  # closed ten days ago: closed, not idle
    (120, None, -5, True),  # closing next week: still open, and idle
])
def test_every_path_of_the_idle_rule_agrees_at_its_boundary(engine, world, days_back,
                                                            established, closed, idle):
    """The counts (home, figures), the lists and the station's page read the rule through
    three spellings of it (SQL with and without the last day, Python): they agree."""
    with write_session(engine) as session:
        station = session.get(factories.Workstation, world.station_id)
        station.established_on = TODAY - timedelta(days=established or 400)
        station.closed_on = TODAY - timedelta(days=closed) if closed is not None else None
        session.add(station)
        other = session.get(factories.Workstation, world.other_station_id)
        other.deleted_at = other.created_at  # only the one station is counted
        session.add(other)
        if days_back is not None:
            factories.activity(session, station, [], on=TODAY - timedelta(days=days_back),
                               type_id=world.type_id)
    with read_session(engine) as session:
        status = workstation_figures.station_status(session=session, actor=world.leader,
                                                    today=TODAY).iloc[0]
        listed = station_registry.station_list(session=session, actor=world.leader,
                                               filters=StationFilter(), today=TODAY)
        detail = station_registry.station_detail(session=session, actor=world.leader,
                                                 station_id=world.station_id, today=TODAY)
        counts = overview.store_counts(session=session, actor=world.leader, today=TODAY)
    assert bool(status["idle"]) is idle and counts.idle_workstations == int(idle)
    assert bool(listed.set_index("id").loc[world.station_id, "idle"]) is idle
    assert detail.idle is idle
    is_closed = closed is not None and closed >= 0
    assert int(status["closed"]) == counts.closed_workstations == int(is_closed)
    assert int(status["active"]) == int(not idle and not is_closed)


# --- activities as contacts ----------------------------------------------------------------------


def test_activities_count_as_contacts_for_the_members_present_by_the_dated_setting(engine,
                                                                                   world):
    record(engine, world.staff, form(world, activity_date=date(2026, 10, 10)), key="a")
    record(engine, world.staff, form(world, activity_date=date(2026, 11, 20)), key="b")

    def this_quarter(member_id: int) -> int:
        with read_session(engine) as session:
            return member_visits.member_visits(session=session, actor=world.admin,
                                               member_id=member_id, today=TODAY).contacts

    assert this_quarter(world.member_id) == 2 and this_quarter(world.guest_id) == 0
    with write_session(engine) as session:
        with pytest.raises(ValidationFailed):  # a quarter already over keeps its figures
            workstations.set_activities_count_as_contacts(
                session=session, actor=world.admin, value=False,
                effective_from=date(2026, 9, 30), today=TODAY)
        workstations.set_activities_count_as_contacts(
            session=session, actor=world.admin, value=False,
            effective_from=date(2026, 11, 1), today=TODAY)
    # the October activity still counts; the one after 1 November no longer does
    assert this_quarter(world.member_id) == 1
    with read_session(engine) as session:
        assert workstations.activities_count_as_contacts(session=session,
                                                         on=date(2026, 10, 31))
        assert not workstations.activities_count_as_contacts(session=session, on=TODAY)


# --- figures ---------------------------------------------------------------------------


def test_figures_per_station_committee_organisation_and_month(engine, world):
    record(engine, world.staff, form(world, activity_date=date(2026, 9, 3),
                                     people_served=10), key="a")
    record(engine, world.staff, form(world, activity_date=date(2026, 11, 2),
                                     people_served=20, member_ids=(world.member_id,)),
           key="b")
    record(engine, world.admin, form(world, workstation_id=world.other_station_id,
                                     activity_date=date(2026, 11, 5), people_served=5,
                                     member_ids=(world.economist_id,)), key="c")
    scope = ActivityScope(first=date(2026, 9, 1), last=date(2026, 11, 30))
    with read_session(engine) as session:
        def figures(group: ActivityGroup):
            frame = workstation_figures.activity_figures(session=session, actor=world.leader,
                                                         scope=scope, group=group)
            return [tuple(row) for row in frame[["name", "activities", "people_served",
                                                 "attendances"]].itertuples(index=False)]

        assert figures(ActivityGroup.STATION) == [("东城街道委员工作站", 2, 30, 3),
                                                  ("西城委员工作站", 1, 5, 1)]
        assert figures(ActivityGroup.COMMITTEE) == [("教科卫体委员会", 2, 30, 3),
                                                    ("经济委员会", 1, 5, 1)]
        assert figures(ActivityGroup.MONTH) == [("2026-09", 1, 10, 2), ("2026-10", 0, 0, 0),
                                                ("2026-11", 2, 25, 2)]
        assert len(figures(ActivityGroup.ORGANISATION)) == 1
        months = workstation_figures.station_months(
            session=session, actor=world.leader, station_id=world.station_id,
            first=date(2026, 9, 1), last=date(2026, 11, 30))
        narrow = workstation_figures.activity_figures(
            session=session, actor=world.leader, group=ActivityGroup.STATION,
            scope=replace(scope, first=date(2026, 11, 1)))
    assert months[["activities", "people_served"]].values.tolist() == [[1, 10], [0, 0],
                                                                       [1, 20]]
    assert narrow["activities"].tolist() == [1, 1]


def test_members_see_no_figures(engine, world):
    with pytest.raises(PermissionDenied), read_session(engine) as session:
        workstation_figures.station_status(session=session, actor=world.member, today=TODAY)


# --- who may change what (review findings) ------------------------------------------------


def test_a_member_names_only_members_stationed_there_that_day(engine, world):
    with pytest.raises(PermissionDenied):  # the guest is not stationed at the station
        record(engine, world.member, form(world, member_ids=(world.member_id,
                                                             world.guest_id)))
    record(engine, world.member, form(world))  # the colleague is stationed: fine


def test_only_the_recorder_or_the_stations_keepers_change_an_activity(engine, world):
    by_admin = record(engine, world.admin, form(world), key="admin")
    by_member = record(engine, world.member, form(world, member_ids=(world.member_id,)),
                       key="member")
    # a member may not delete the office's
    with pytest.raises(PermissionDenied), write_session(engine) as session:
        activities.delete_activity(session=session, actor=world.member,
                                   activity_id=by_admin, expected_version=1)
    with write_session(engine) as session:  # their own, yes
        activities.delete_activity(session=session, actor=world.member,
                                   activity_id=by_member, expected_version=1)
    with write_session(engine) as session:  # staff of the guiding committee: any
        activities.update_activity(session=session, actor=world.staff, activity_id=by_admin,
                                   expected_version=1, data=form(world, people_served=9),
                                   today=TODAY)


def test_staff_of_a_present_members_committee_change_only_what_they_recorded(engine, world):
    at_other = form(world, workstation_id=world.other_station_id,
                    member_ids=(world.member_id, world.economist_id))
    by_econ_admin = record(engine, world.admin, at_other, key="admin")
    with pytest.raises(PermissionDenied), write_session(engine) as session:
        activities.update_activity(session=session, actor=world.staff,
                                   activity_id=by_econ_admin, expected_version=1,
                                   data=replace(at_other, people_served=999), today=TODAY)
    mine = record(engine, world.staff, replace(at_other, member_ids=(world.member_id,)),
                  key="staff")
    with write_session(engine) as session:
        activities.update_activity(session=session, actor=world.staff, activity_id=mine,
                                   expected_version=1,
                                   data=replace(at_other, member_ids=(world.member_id,),
                                                people_served=12), today=TODAY)


def test_another_users_key_never_returns_their_activity(engine, world):
    record(engine, world.staff, form(world), key="shared")
    with pytest.raises(PermissionDenied):
        record(engine, world.admin, form(world), key="shared")


def test_a_closed_station_is_not_offered_after_it_closed(engine, world):
    with write_session(engine) as session:
        station = session.get(factories.Workstation, world.station_id)
        station.closed_on, station.is_active = TODAY - timedelta(days=10), False
        session.add(station)
    with read_session(engine) as session:
        now = activities.station_choices(session=session, actor=world.staff, on=TODAY)
        before = activities.station_choices(session=session, actor=world.staff,
                                            on=TODAY - timedelta(days=20))
    assert world.station_id not in now and world.station_id in before


def test_the_totals_count_every_activity_however_many_the_list_shows(engine, world):
    for day in range(3):
        record(engine, world.staff, form(world, activity_date=TODAY - timedelta(days=day),
                                         people_served=10 + day), key=f"k{day}")
    with read_session(engine) as session:
        listed = activities.list_activities(session=session, actor=world.leader, limit=2)
        totals = activities.activity_totals(session=session, actor=world.leader)
    assert len(listed) == 2 and totals == (3, 33)


def test_an_activitys_problem_names_its_station_and_leaves_the_figures_with_it(engine,
                                                                               world):
    activity_id = record(engine, world.staff, form(world, problems=(
        ProblemItem("停车难", world.category_id),)))
    with read_session(engine) as session:
        problem_id = session.exec(select(CollectedProblem.id)).one()
        detail = problems.problem_detail(session=session, actor=world.staff,
                                         problem_id=problem_id, today=TODAY)
        before = topics.problems_taken_up(session=session, actor=world.leader,
                                          first=TODAY, last=TODAY).iloc[-1]["collected"]
    assert detail.station == "东城街道委员工作站" and detail.held_on == TODAY
    with write_session(engine) as session:
        activities.delete_activity(session=session, actor=world.staff,
                                   activity_id=activity_id, expected_version=1)
    with read_session(engine) as session:
        after = topics.problems_taken_up(session=session, actor=world.leader,
                                         first=TODAY, last=TODAY).iloc[-1]["collected"]
    assert (before, after) == (1, 0)


def test_closing_a_station_ends_the_stints_still_running(engine, world):
    with read_session(engine) as session:
        version = session.get(factories.Workstation, world.station_id).version
    with write_session(engine) as session:
        station_registry.update_station(session=session, actor=world.admin,
                                        station_id=world.station_id,
                                        expected_version=version,
                                        changes={"closed_on": TODAY - timedelta(days=1)},
                                        today=TODAY)
    with read_session(engine) as session:
        assert workstations.stationed_on(session, world.station_id, TODAY) == set()
        assert workstations.stationed_on(session, world.station_id,
                                         TODAY - timedelta(days=1)) == {world.member_id,
                                                                        world.colleague_id}


def test_a_member_who_left_office_or_was_deleted_is_stationed_no_more(engine, world):
    with write_session(engine) as session:
        org = (session.get(factories.Sector, 1), session.get(Committee, 1),
               session.get(factories.Term, 1))
        left = factories.member(session, org, name="周敏",
                                in_office_to=TODAY - timedelta(days=1))
        station = session.get(factories.Workstation, world.station_id)
        factories.stationed(session, station, left)
        colleague = session.get(factories.Member, world.colleague_id)
        colleague.deleted_at = colleague.created_at
        session.add(colleague)
        left_id = left.id
    with read_session(engine) as session:
        today = workstations.stationed_on(session, world.station_id, TODAY)
        before = workstations.stationed_on(session, world.station_id,
                                           TODAY - timedelta(days=1))
    assert today == {world.member_id}
    assert left_id in before and world.colleague_id not in before
