"""The workstation registry: a station's record and its rules, stationed members and their
stints, who may keep them, and the idle rule as the lists apply it (by the last activity,
whatever the open flag says)."""

import json
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pytest
from sqlmodel import select

from core.db import read_session, write_session
from models import (
    AuditAction,
    AuditEntry,
    Committee,
    ListEntry,
    ListKind,
    Organisation,
    OrgLevel,
    Role,
    Workstation,
    WorkstationActivity,
    WorkstationMember,
    utcnow,
)
from models.enums import WorkstationKind
from services import station_registry as registry
from services.actors import Actor
from services.errors import PermissionDenied, StaleRecord, ValidationFailed
from services.station_registry import HasActivities, StationFilter, StationInput
from services.workstations import set_idle_days
from tests.helpers import factories

TODAY = date(2026, 11, 21)
TOP = factories.TOP


@dataclass(frozen=True)
class World:
    committee_id: int
    other_committee_id: int
    sector_id: int
    district_committee_id: int  # of the other organisation
    district_id: int
    member_id: int
    colleague_id: int
    late_id: int  # in office from 2026-10-01
    district_member_id: int
    activity_type_id: int
    admin: Actor
    staff: Actor
    other_staff: Actor  # staff of another committee
    leader: Actor
    member: Actor
    district_admin: Actor  # administrator of another organisation


@pytest.fixture
def world(engine) -> World:
    with write_session(engine) as session:
        org = factories.organisation(session)
        sector, committee, _term = org
        other = Committee(organisation_id=TOP, name="经济委员会")
        district = Organisation(name="东城区政协", level=OrgLevel.DISTRICT, parent_id=TOP)
        session.add_all([other, district])
        session.flush()
        district_org = factories.organisation(session, district.id)
        member = factories.member(session, org, name="王芳")
        colleague = factories.member(session, org, name="李强")
        late = factories.member(session, org, name="赵敏", in_office_from=date(2026, 10, 1))
        district_member = factories.member(session, district_org, name="周杰")
        kind = ListEntry(organisation_id=TOP, kind=ListKind.ACTIVITY_TYPE, name="测试宣讲")
        session.add(kind)
        session.flush()
        actor = factories.actor
        everyone = frozenset({TOP, district.id})
        return World(
            committee_id=committee.id, other_committee_id=other.id, sector_id=sector.id,
            district_committee_id=district_org[1].id, district_id=district.id,
            member_id=member.id, colleague_id=colleague.id, late_id=late.id,
            district_member_id=district_member.id, activity_type_id=kind.id,
            admin=actor(session, "admin1", Role.ADMIN, organisations=everyone),
            staff=actor(session, "staff1", Role.STAFF, committees=[committee.id],
                        organisations=everyone),
            other_staff=actor(session, "staff2", Role.STAFF, committees=[other.id],
                              organisations=everyone),
            leader=actor(session, "leader1", Role.LEADER, organisations=everyone),
            member=actor(session, "member1", Role.MEMBER, member_id=member.id),
            district_admin=actor(session, "admin2", Role.ADMIN,
                                 organisations=frozenset({district.id})),
        )


def station_input(world: World, **fields) -> StationInput:
    values = {"organisation_id": TOP, "name": "东城街道委员工作站",
              "kind": WorkstationKind.STATION, "committee_id": world.committee_id,
              "sector_id": world.sector_id, "district": "东城区", "address": "东城街道1号",
              "head_name": "陈主任", "head_phone": "010-12345678",
              "established_on": date(2025, 3, 1)}
    return StationInput(**(values | fields))


def create(engine, actor: Actor, data: StationInput) -> int:
    with write_session(engine) as session:
        return registry.create_station(session=session, actor=actor, data=data,
                                       today=TODAY).id


def refused(engine, call, **arguments) -> dict[str, str]:
    """The field errors a write is refused with (nothing of it is kept)."""
    with pytest.raises(ValidationFailed) as caught, write_session(engine) as session:
        call(session=session, **arguments)
    return caught.value.field_errors


def activity(engine, world: World, station_id: int, on: date, *, deleted: bool = False,
             people: int = 10) -> None:
    with write_session(engine) as session:
        session.add(WorkstationActivity(
            workstation_id=station_id, activity_date=on, activity_type_id=world.activity_type_id,
            title="政策宣讲", people_served=people,
            deleted_at=utcnow() if deleted else None))


def listed(engine, actor: Actor, filters: StationFilter | None = None, today: date = TODAY):
    filters = filters or StationFilter()
    with read_session(engine) as session:
        return registry.station_list(session=session, actor=actor, filters=filters, today=today)


def idle_ids(engine, actor: Actor, today: date = TODAY) -> set[int]:
    with read_session(engine) as session:
        found = registry.idle_stations(session=session, actor=actor, today=today)
    return set(found.stations["id"])


# --- the record -------------------------------------------------------------------------


def test_admin_registers_a_station_with_every_field_and_it_is_audited(engine, world):
    station_id = create(engine, world.admin, station_input(world))
    with read_session(engine) as session:
        station = session.get(Workstation, station_id)
        assert (station.name, station.district, station.head_phone, station.is_active) == (
            "东城街道委员工作站", "东城区", "010-12345678", True)
        entry = session.exec(select(AuditEntry).where(AuditEntry.entity == "Workstation")).one()
    assert entry.action is AuditAction.CREATE and entry.entity_id == station_id


def test_name_is_required(engine, world):
    errors = refused(engine, registry.create_station, actor=world.admin,
                     data=station_input(world, name="  \u200b "), today=TODAY)
    assert errors["name"] == "workstations.error.name_required"


def test_name_is_unique_among_the_organisations_live_stations(engine, world):
    create(engine, world.admin, station_input(world))
    errors = refused(engine, registry.create_station, actor=world.admin,
                     data=station_input(world, name=" 东城街道委员工作站 "), today=TODAY)
    assert errors == {"name": "workstations.error.name_taken"}


def test_the_same_name_is_free_in_another_organisation_and_after_a_deletion(engine, world):
    first = create(engine, world.admin, station_input(world))
    create(engine, world.admin, station_input(
        world, organisation_id=world.district_id, committee_id=world.district_committee_id,
        sector_id=None))
    with write_session(engine) as session:
        registry.delete_station(session=session, actor=world.admin, station_id=first,
                                expected_version=1)
    create(engine, world.admin, station_input(world))


def test_committee_and_sector_must_be_the_organisations(engine, world):
    errors = refused(engine, registry.create_station, actor=world.admin,
                     data=station_input(world, organisation_id=world.district_id), today=TODAY)
    assert errors == {"committee_id": "workstations.error.committee_unknown",
                      "sector_id": "workstations.error.sector_unknown"}


def test_phone_and_lengths_are_checked(engine, world):
    errors = refused(engine, registry.create_station, actor=world.admin,
                     data=station_input(world, head_phone="call me", address="路" * 201),
                     today=TODAY)
    assert errors == {"head_phone": "workstations.error.phone_invalid",
                      "address": "workstations.error.too_long"}


def test_established_day_may_not_be_in_the_future(engine, world):
    errors = refused(engine, registry.create_station, actor=world.admin,
                     data=station_input(world, established_on=TODAY + timedelta(days=1)),
                     today=TODAY)
    assert errors == {"established_on": "workstations.error.established_future"}


def test_closing_day_lies_between_established_and_today(engine, world):
    before = refused(engine, registry.create_station, actor=world.admin,
                     data=station_input(world, closed_on=date(2025, 2, 28)), today=TODAY)
    ahead = refused(engine, registry.create_station, actor=world.admin,
                    data=station_input(world, closed_on=TODAY + timedelta(days=1)), today=TODAY)
    assert before == {"closed_on": "workstations.error.closed_before_established"}
    assert ahead == {"closed_on": "workstations.error.closed_future"}


def test_a_closing_day_closes_the_station_and_reopening_clears_it(engine, world):
    station_id = create(engine, world.admin, station_input(world))
    with write_session(engine) as session:
        closed = registry.update_station(session=session, actor=world.staff, station_id=station_id,
                                         expected_version=1, changes={"closed_on": TODAY},
                                         today=TODAY)
        assert (closed.closed_on, closed.is_active) == (TODAY, False)
    with write_session(engine) as session:
        reopened = registry.update_station(session=session, actor=world.staff,
                                           station_id=station_id, expected_version=2,
                                           changes={"is_active": True}, today=TODAY)
        assert (reopened.closed_on, reopened.is_active) == (None, True)


def test_an_edit_names_the_version_it_read(engine, world):
    station_id = create(engine, world.admin, station_input(world))
    with write_session(engine) as session:
        registry.update_station(session=session, actor=world.admin, station_id=station_id,
                                expected_version=1, changes={"district": "西城区"}, today=TODAY)
    with pytest.raises(StaleRecord), write_session(engine) as session:
        registry.update_station(session=session, actor=world.staff, station_id=station_id,
                                expected_version=1, changes={"address": "别处"}, today=TODAY)
    with read_session(engine) as session:
        station = session.get(Workstation, station_id)
        updates = session.exec(select(AuditEntry).where(
            AuditEntry.action == AuditAction.UPDATE, AuditEntry.entity == "Workstation")).all()
    assert (station.district, station.address, station.version) == ("西城区", "东城街道1号", 2)
    assert [json.loads(entry.after) for entry in updates] == [{"district": "西城区"}]


def test_an_edit_is_checked_like_a_new_station(engine, world):
    create(engine, world.admin, station_input(world, name="甲站"))
    station_id = create(engine, world.admin, station_input(world, name="乙站"))
    errors = refused(engine, registry.update_station, actor=world.admin, station_id=station_id,
                     expected_version=1, changes={"name": "甲站"}, today=TODAY)
    assert errors == {"name": "workstations.error.name_taken"}


def test_a_station_with_activities_is_not_deleted(engine, world):
    station_id = create(engine, world.admin, station_input(world))
    activity(engine, world, station_id, TODAY)
    with pytest.raises(HasActivities), write_session(engine) as session:
        registry.delete_station(session=session, actor=world.admin, station_id=station_id,
                                expected_version=1)


# --- who may ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["leader", "member", "other_staff", "district_admin"])
def test_only_admins_of_the_organisation_and_staff_of_the_committee_register(engine, world, who):
    with pytest.raises(PermissionDenied), write_session(engine) as session:
        registry.create_station(session=session, actor=getattr(world, who),
                                data=station_input(world), today=TODAY)


@pytest.mark.parametrize("who", ["leader", "member", "other_staff", "district_admin"])
def test_only_keepers_edit_a_station_or_its_stints(engine, world, who):
    station_id = create(engine, world.admin, station_input(world))
    actor = getattr(world, who)
    with pytest.raises(PermissionDenied), write_session(engine) as session:
        registry.update_station(session=session, actor=actor, station_id=station_id,
                                expected_version=1, changes={"district": "西城区"}, today=TODAY)
    with pytest.raises(PermissionDenied), write_session(engine) as session:
        registry.add_stint(session=session, actor=actor, station_id=station_id,
                           member_id=world.member_id, from_on=date(2026, 1, 1), today=TODAY)


def test_staff_may_not_hand_a_station_to_a_committee_they_do_not_guide(engine, world):
    station_id = create(engine, world.staff, station_input(world))
    with pytest.raises(PermissionDenied), write_session(engine) as session:
        registry.update_station(session=session, actor=world.staff, station_id=station_id,
                                expected_version=1,
                                changes={"committee_id": world.other_committee_id}, today=TODAY)


def test_leaders_and_staff_read_members_never(engine, world):
    station_id = create(engine, world.admin, station_input(world))
    assert list(listed(engine, world.leader)["id"]) == [station_id]
    assert list(listed(engine, world.other_staff)["can_manage"]) == [False]
    assert list(listed(engine, world.staff)["can_manage"]) == [True]
    with pytest.raises(PermissionDenied), read_session(engine) as session:
        registry.station_list(session=session, actor=world.member, filters=StationFilter(),
                              today=TODAY)
    with pytest.raises(PermissionDenied), read_session(engine) as session:
        registry.station_detail(session=session, actor=world.member, station_id=station_id,
                                today=TODAY)


def test_an_administrator_of_another_organisation_sees_none_of_ours(engine, world):
    station_id = create(engine, world.admin, station_input(world))
    assert listed(engine, world.district_admin).empty
    with pytest.raises(PermissionDenied), read_session(engine) as session:
        registry.station_detail(session=session, actor=world.district_admin,
                                station_id=station_id, today=TODAY)


# --- stationed members --------------------------------------------------------------------


def add(engine, world: World, station_id: int, member_id: int, from_on: date,
        to_on: date | None = None, actor: Actor | None = None) -> int:
    with write_session(engine) as session:
        return registry.add_stint(session=session, actor=actor or world.staff,
                                  station_id=station_id, member_id=member_id, from_on=from_on,
                                  to_on=to_on, duty_days="每周三上午", today=TODAY).id


def test_a_member_is_stationed_and_counted_now(engine, world):
    station_id = create(engine, world.admin, station_input(world))
    add(engine, world, station_id, world.member_id, date(2026, 1, 1))
    add(engine, world, station_id, world.colleague_id, date(2025, 1, 1), date(2025, 12, 31))
    assert list(listed(engine, world.admin)["stationed"]) == [1]
    with read_session(engine) as session:
        detail = registry.station_detail(session=session, actor=world.leader,
                                         station_id=station_id, today=TODAY)
    assert list(zip(detail.stints["member"], detail.stints["current"], strict=True)) == [
        ("王芳", True), ("李强", False)]
    assert detail.can_manage is False


def test_overlapping_stints_of_one_member_at_one_station_are_refused(engine, world):
    station_id = create(engine, world.admin, station_input(world))
    add(engine, world, station_id, world.member_id, date(2025, 1, 1), date(2025, 6, 30))
    errors = refused(engine, registry.add_stint, actor=world.staff, station_id=station_id,
                     member_id=world.member_id, from_on=date(2025, 6, 30), today=TODAY)
    assert errors == {"from_on": "workstations.error.stint_overlaps"}
    add(engine, world, station_id, world.member_id, date(2025, 7, 1))  # the next day is free
    errors = refused(engine, registry.add_stint, actor=world.staff, station_id=station_id,
                     member_id=world.member_id, from_on=date(2024, 1, 1),
                     to_on=date(2025, 1, 1), today=TODAY)
    assert errors == {"from_on": "workstations.error.stint_overlaps"}


def test_a_stint_needs_a_member_of_the_organisation_in_office_on_its_first_day(engine, world):
    station_id = create(engine, world.admin, station_input(world))
    early = refused(engine, registry.add_stint, actor=world.staff, station_id=station_id,
                    member_id=world.late_id, from_on=date(2026, 9, 30), today=TODAY)
    foreign = refused(engine, registry.add_stint, actor=world.staff, station_id=station_id,
                      member_id=world.district_member_id, from_on=date(2026, 1, 1), today=TODAY)
    assert early == {"from_on": "workstations.error.not_in_office"}
    assert foreign == {"member_id": "workstations.error.member_unknown"}


def test_a_stint_starts_no_later_than_today_and_ends_after_it_starts(engine, world):
    station_id = create(engine, world.admin, station_input(world))
    errors = refused(engine, registry.add_stint, actor=world.staff, station_id=station_id,
                     member_id=world.member_id, from_on=TODAY + timedelta(days=1), today=TODAY)
    backwards = refused(engine, registry.add_stint, actor=world.staff, station_id=station_id,
                        member_id=world.member_id, from_on=date(2026, 5, 1),
                        to_on=date(2026, 4, 30), today=TODAY)
    assert errors == {"from_on": "workstations.error.from_future"}
    assert backwards == {"to_on": "workstations.error.to_before_from"}


def test_ending_a_stint_keeps_it_in_the_history(engine, world):
    station_id = create(engine, world.admin, station_input(world))
    stint_id = add(engine, world, station_id, world.member_id, date(2026, 1, 1))
    early = refused(engine, registry.end_stint, actor=world.staff, stint_id=stint_id,
                    on=date(2025, 12, 31))
    assert early == {"to_on": "workstations.error.to_before_from"}
    with write_session(engine) as session:
        registry.end_stint(session=session, actor=world.staff, stint_id=stint_id,
                           on=date(2026, 10, 31))
    again = refused(engine, registry.end_stint, actor=world.staff, stint_id=stint_id, on=TODAY)
    assert again == {"to_on": "workstations.error.already_ended"}
    assert list(listed(engine, world.admin)["stationed"]) == [0]
    with read_session(engine) as session:
        stint = session.get(WorkstationMember, stint_id)
        audited = session.exec(select(AuditEntry).where(
            AuditEntry.entity == "WorkstationMember")).all()
    assert stint.to_on == date(2026, 10, 31)
    assert [entry.action for entry in audited] == [AuditAction.CREATE, AuditAction.UPDATE]


def test_correcting_a_stint_checks_the_others_but_not_itself(engine, world):
    station_id = create(engine, world.admin, station_input(world))
    first = add(engine, world, station_id, world.member_id, date(2025, 1, 1), date(2025, 6, 30))
    add(engine, world, station_id, world.member_id, date(2026, 1, 1))
    with write_session(engine) as session:
        registry.correct_stint(session=session, actor=world.staff, stint_id=first,
                               from_on=date(2025, 2, 1), to_on=date(2025, 6, 30),
                               duty_days="每周五", today=TODAY)
    errors = refused(engine, registry.correct_stint, actor=world.staff, stint_id=first,
                     from_on=date(2025, 2, 1), to_on=None, duty_days=None, today=TODAY)
    assert errors == {"from_on": "workstations.error.stint_overlaps"}


def test_a_mistaken_stint_is_deleted_and_audited(engine, world):
    station_id = create(engine, world.admin, station_input(world))
    stint_id = add(engine, world, station_id, world.member_id, date(2026, 1, 1))
    with write_session(engine) as session:
        registry.delete_stint(session=session, actor=world.admin, stint_id=stint_id)
    with read_session(engine) as session:
        assert session.get(WorkstationMember, stint_id) is None
        entry = session.exec(select(AuditEntry).where(
            AuditEntry.entity == "WorkstationMember",
            AuditEntry.action == AuditAction.DELETE)).one()
    assert json.loads(entry.before)["member_id"] == world.member_id


# --- the idle rule through the lists ----------------------------------------------------------


def test_last_activity_exactly_the_idle_days_ago_is_idle_one_day_later_is_not(engine, world):
    on_the_day = create(engine, world.admin, station_input(world, name="甲站"))
    a_day_later = create(engine, world.admin, station_input(world, name="乙站"))
    activity(engine, world, on_the_day, TODAY - timedelta(days=90))
    activity(engine, world, a_day_later, TODAY - timedelta(days=89))
    rows = listed(engine, world.leader).set_index("id")
    assert rows.loc[on_the_day, "idle"] and not rows.loc[a_day_later, "idle"]
    assert rows.loc[on_the_day, "days_since"] == 90
    assert idle_ids(engine, world.leader) == {on_the_day}


def test_the_idle_days_are_a_setting(engine, world):
    station_id = create(engine, world.admin, station_input(world))
    activity(engine, world, station_id, TODAY - timedelta(days=30))
    with write_session(engine) as session:
        set_idle_days(session=session, actor=world.admin, days=30)
    assert idle_ids(engine, world.leader) == {station_id}


def test_a_station_flagged_open_with_no_activity_for_120_days_is_idle(engine, world):
    station_id = create(engine, world.admin, station_input(world))
    activity(engine, world, station_id, TODAY - timedelta(days=120))
    rows = listed(engine, world.leader, StationFilter(is_open=True))
    assert list(rows["is_active"]) == [True] and list(rows["idle"]) == [True]
    assert idle_ids(engine, world.leader) == {station_id}


def test_a_new_station_is_not_idle_an_old_one_without_activity_is(engine, world):
    new = create(engine, world.admin, station_input(
        world, name="新站", established_on=TODAY - timedelta(days=10)))
    old = create(engine, world.admin, station_input(
        world, name="老站", established_on=TODAY - timedelta(days=365)))
    assert idle_ids(engine, world.leader) == {old}
    active = listed(engine, world.leader, StationFilter(idle=False))
    assert list(active["id"]) == [new]  # a station without activity is on one side


def test_deleted_activities_do_not_count(engine, world):
    station_id = create(engine, world.admin, station_input(world))
    activity(engine, world, station_id, TODAY - timedelta(days=100))
    activity(engine, world, station_id, TODAY - timedelta(days=5), deleted=True, people=99)
    row = listed(engine, world.leader).iloc[0]
    assert row["idle"] and row["last_on"] == TODAY - timedelta(days=100)
    assert (row["activities"], row["people_served"]) == (1, 10)


def test_the_idle_list_names_the_stationed_members_and_counts_by_committee(engine, world):
    idle = create(engine, world.admin, station_input(world, name="空站",
                                                     established_on=date(2024, 1, 1)))
    create(engine, world.admin, station_input(world, name="活站",
                                              committee_id=world.other_committee_id))
    alive = listed(engine, world.admin).set_index("name").loc["活站", "id"]
    activity(engine, world, int(alive), TODAY)
    add(engine, world, idle, world.member_id, date(2026, 1, 1))
    add(engine, world, idle, world.colleague_id, date(2026, 1, 1))
    with read_session(engine) as session:
        found = registry.idle_stations(session=session, actor=world.leader, today=TODAY)
    assert list(found.stations["name"]) == ["空站"]
    assert found.stations.iloc[0]["members"] == "李强、王芳"
    assert found.stations.iloc[0]["last_on"] is None
    assert found.by_organisation[["stations", "idle"]].values.tolist() == [[2, 1]]
    by_committee = dict(zip(found.by_committee["committee"], found.by_committee["idle"],
                            strict=True))
    assert by_committee == {"教科卫体委员会": 1, "经济委员会": 0}


def test_the_list_filters_and_searches(engine, world):
    create(engine, world.admin, station_input(world, name="甲站", head_name="张三"))
    create(engine, world.admin, replace(station_input(world, name="乙室"),
                                        kind=WorkstationKind.STUDIO, closed_on=TODAY))
    names = lambda **f: list(listed(engine, world.admin, StationFilter(**f))["name"])  # noqa: E731
    assert names(search="张") == ["甲站"]
    assert names(search="%") == []
    assert names(kind=WorkstationKind.STUDIO) == ["乙室"]
    assert names(is_open=False) == ["乙室"]
    assert names(committee_id=world.other_committee_id) == []
