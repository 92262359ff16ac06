"""The station activity dashboard's rankings and lists, each asserted against a count made
by hand over a small world (today is 2026-11-21; idle after 90 days: a station is idle
when its last live activity is on or before 2026-08-23):

=======  ============  ========  ==========  ==============================================
station  committee     org       state now   live activities (people served, members)
=======  ============  ========  ==========  ==============================================
A 东城    教科卫体        city      active      03-01 (10, 0), 10-05 (20, 1), 11-10 (30, 2);
                                             11-11 (100) deleted
B 西城    经济           city      idle        05-20 (5, 0)
C 南城    教科卫体        city      idle        none ever (established 2025-01-01)
D 江海    district      district  active      11-01 (40, 1), 11-02 (8, 0)
E 北城    经济           city      closed      02-14 (7, 0); closed on 06-30
F 废弃    教科卫体        city      (deleted)   11-01 (50, 0): never counted
=======  ============  ========  ==========  ==============================================
"""

from dataclasses import dataclass
from datetime import date

import pytest

from core.db import read_session, write_session
from models import Committee, Organisation, OrgLevel, Role, Workstation, WorkstationActivity
from services import station_dashboard
from services.actors import Actor
from services.errors import PermissionDenied
from services.records import soft_delete
from services.workstation_figures import ActivityGroup, ActivityScope
from tests.helpers import factories

TODAY = date(2026, 11, 21)
YEAR = ActivityScope(first=date(2026, 1, 1), last=TODAY)
AUTUMN = ActivityScope(first=date(2026, 10, 1), last=TODAY)


def d(month: int, day: int) -> date:
    return date(2026, month, day)


@dataclass(frozen=True)
class World:
    district_id: int
    education_id: int  # 教科卫体委员会
    economy_id: int  # 经济委员会
    district_committee_id: int
    stations: dict[str, int]  # A.. → id
    leader: Actor
    district_staff: Actor
    member: Actor


@pytest.fixture
def world(engine) -> World:
    with write_session(engine) as session:
        district = Organisation(name="江海区政协", level=OrgLevel.DISTRICT, parent_id=factories.TOP)
        session.add(district)
        session.flush()
        city_org = factories.organisation(session)
        district_org = factories.organisation(session, district.id)
        economy = Committee(organisation_id=factories.TOP, name="经济委员会")
        session.add(economy)
        session.flush()
        education, district_committee = city_org[1], district_org[1]
        liu = factories.member(session, city_org, name="刘洋")
        wang = factories.member(session, city_org, name="王芳")
        chen = factories.member(session, district_org, name="陈静")
        kind = factories.activity_type(session).id
        admin = factories.actor(session, "admin", Role.ADMIN,
                                organisations={factories.TOP, district.id})

        def station(name: str, committee: Committee, **fields: object) -> Workstation:
            row = factories.workstation(session, committee, name=name,
                                        established_on=fields.pop("established_on",
                                                                  date(2024, 1, 1)))
            for field, value in fields.items():
                setattr(row, field, value)
            session.add(row)
            session.flush()
            return row

        def held(row: Workstation, on: date, people: int, members=()) -> WorkstationActivity:
            return factories.activity(session, row, list(members), on=on, type_id=kind,
                                      people_served=people)

        a = station("东城工作站", education)
        held(a, d(3, 1), 10)
        held(a, d(10, 5), 20, [liu])
        held(a, d(11, 10), 30, [liu, wang])
        gone = held(a, d(11, 11), 100)
        soft_delete(session=session, actor=admin, model=WorkstationActivity,
                    record_id=gone.id, expected_version=gone.version)
        b = station("西城工作站", economy)
        held(b, d(5, 20), 5)
        c = station("南城工作室", education, established_on=date(2025, 1, 1))
        e = station("北城工作站", economy, closed_on=d(6, 30), is_active=False)
        held(e, d(2, 14), 7)
        f = station("废弃工作站", education)
        held(f, d(11, 1), 50)
        soft_delete(session=session, actor=admin, model=Workstation, record_id=f.id,
                    expected_version=f.version)
        d_ = station("江海区工作站", district_committee)
        held(d_, d(11, 1), 40, [chen])
        held(d_, d(11, 2), 8)
        return World(
            district_id=district.id, education_id=education.id, economy_id=economy.id,
            district_committee_id=district_committee.id,
            stations={"A": a.id, "B": b.id, "C": c.id, "D": d_.id, "E": e.id, "F": f.id},
            leader=factories.actor(session, "chair", Role.LEADER,
                                   organisations={factories.TOP, district.id}),
            district_staff=factories.actor(session, "district", Role.STAFF,
                                           committees=[district_committee.id],
                                           organisations={district.id}),
            member=factories.actor(session, "liuyang", Role.MEMBER, member_id=liu.id),
        )


def rows(frame, *columns: str) -> list[tuple]:
    return [tuple(row) for row in frame[list(columns)].itertuples(index=False)]


COUNTS = ("name", "stations", "active", "idle", "closed", "activities", "people_served",
          "attendances")


def test_committees_are_ranked_by_activities_with_their_stations_state_today(engine, world):
    with read_session(engine) as session:
        ranking = station_dashboard.group_ranking(session=session, actor=world.leader,
                                                  scope=YEAR, group=ActivityGroup.COMMITTEE,
                                                  today=TODAY)
    # the deleted activity and the deleted station count nowhere; the closed station
    # counts its activity and is neither active nor idle
    assert rows(ranking, *COUNTS) == [
        ("教科卫体委员会", 2, 1, 1, 0, 3, 60, 3),
        ("教科卫体委员会", 1, 1, 0, 0, 2, 48, 1),  # the district's committee of that name
        ("经济委员会", 2, 0, 1, 1, 2, 12, 0),
    ]
    assert ranking["key"].tolist() == [world.education_id, world.district_committee_id,
                                       world.economy_id]
    assert ranking["organisation"].tolist() == ["本级政协", "江海区政协", "本级政协"]


def test_a_committee_without_activity_in_the_period_is_listed_with_zeros(engine, world):
    with read_session(engine) as session:
        ranking = station_dashboard.group_ranking(session=session, actor=world.leader,
                                                  scope=AUTUMN, group=ActivityGroup.COMMITTEE,
                                                  today=TODAY)
    assert rows(ranking, "key", "activities", "people_served", "stations") == [
        (world.education_id, 2, 50, 2), (world.district_committee_id, 2, 48, 1),
        (world.economy_id, 0, 0, 2)]


def test_organisations_are_ranked_and_the_filters_narrow_them(engine, world):
    with read_session(engine) as session:
        ranking = station_dashboard.group_ranking(
            session=session, actor=world.leader, scope=YEAR,
            group=ActivityGroup.ORGANISATION, today=TODAY)
        economy_only = station_dashboard.group_ranking(
            session=session, actor=world.leader,
            scope=ActivityScope(first=YEAR.first, last=YEAR.last, committee_id=world.economy_id),
            group=ActivityGroup.ORGANISATION, today=TODAY)
    assert rows(ranking, *COUNTS) == [("本级政协", 4, 1, 2, 1, 5, 72, 3),
                                      ("江海区政协", 1, 1, 0, 0, 2, 48, 1)]
    assert rows(economy_only, "key", *COUNTS[1:]) == [(factories.TOP, 2, 0, 1, 1, 2, 12, 0)]


def test_staff_of_a_district_rank_only_their_own(engine, world):
    with read_session(engine) as session:
        ranking = station_dashboard.group_ranking(
            session=session, actor=world.district_staff, scope=YEAR,
            group=ActivityGroup.ORGANISATION, today=TODAY)
        top = station_dashboard.most_active_stations(session=session, actor=world.district_staff,
                                                     scope=YEAR, today=TODAY)
    assert ranking["key"].tolist() == [world.district_id]
    assert top["id"].tolist() == [world.stations["D"]]


def test_stations_are_ranked_by_month_or_station_only(engine, world):
    with read_session(engine) as session, pytest.raises(ValueError):
        station_dashboard.group_ranking(session=session, actor=world.leader, scope=YEAR,
                                        group=ActivityGroup.MONTH, today=TODAY)


def test_the_most_active_stations_with_their_last_activity(engine, world):
    with read_session(engine) as session:
        top = station_dashboard.most_active_stations(session=session, actor=world.leader,
                                                     scope=YEAR, today=TODAY)
        first_two = station_dashboard.most_active_stations(session=session, actor=world.leader,
                                                           scope=YEAR, today=TODAY, limit=2)
    s = world.stations
    # E before B: one activity each, E served more people
    assert top["id"].tolist() == [s["A"], s["D"], s["E"], s["B"]]
    assert rows(top, "name", "organisation", "committee", "activities", "people_served",
                "attendances", "last_on", "days_since")[:2] == [
        ("东城工作站", "本级政协", "教科卫体委员会", 3, 60, 3, d(11, 10), 11),
        ("江海区工作站", "江海区政协", "教科卫体委员会", 2, 48, 1, d(11, 2), 19)]
    assert first_two["id"].tolist() == [s["A"], s["D"]]


def test_a_station_quiet_in_the_period_is_not_among_the_most_active(engine, world):
    with read_session(engine) as session:
        top = station_dashboard.most_active_stations(session=session, actor=world.leader,
                                                     scope=AUTUMN, today=TODAY)
    s = world.stations
    assert rows(top, "id", "activities", "people_served") == [(s["A"], 2, 50), (s["D"], 2, 48)]


def test_the_idle_list_puts_the_stations_that_never_held_an_activity_first(engine, world):
    with read_session(engine) as session:
        idle = station_dashboard.idle_station_list(session=session, actor=world.leader,
                                                   today=TODAY)
        economy = station_dashboard.idle_station_list(session=session, actor=world.leader,
                                                      today=TODAY, committee_id=world.economy_id)
        district = station_dashboard.idle_station_list(
            session=session, actor=world.leader, today=TODAY,
            organisation_ids=frozenset({world.district_id}))
    s = world.stations
    # the closed station is not idle, whatever its last activity
    assert idle["id"].tolist() == [s["C"], s["B"]]
    assert idle["last_on"].tolist()[1] == d(5, 20)
    assert idle["last_on"].isna().tolist()[0] and idle["days_since"].isna().tolist()[0]
    assert idle["days_since"].tolist()[1] == 185
    assert economy["id"].tolist() == [s["B"]]
    assert district.empty


def test_the_longest_idle_come_first_after_the_never_active(engine, world):
    with write_session(engine) as session:
        older = factories.workstation(session, session.get(Committee, world.economy_id),
                                      name="更早闲置的工作站", established_on=date(2024, 1, 1))
        factories.activity(session, older, [], on=d(4, 1),
                           type_id=factories.activity_type(session, "另一类").id)
    with read_session(engine) as session:
        idle = station_dashboard.idle_station_list(session=session, actor=world.leader,
                                                   today=TODAY)
    assert idle["name"].tolist() == ["南城工作室", "更早闲置的工作站", "西城工作站"]


@pytest.mark.parametrize("service", ["group_ranking", "most_active_stations",
                                     "idle_station_list"])
def test_members_are_refused(engine, world, service):
    arguments = {"today": TODAY}
    if service != "idle_station_list":
        arguments["scope"] = YEAR
    if service == "group_ranking":
        arguments["group"] = ActivityGroup.COMMITTEE
    with read_session(engine) as session, pytest.raises(PermissionDenied):
        getattr(station_dashboard, service)(session=session, actor=world.member, **arguments)
