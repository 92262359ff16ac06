"""Reference lists: organisations and each organisation's sectors, committees and terms,
kept by administrators within the organisations they see."""

import json
from dataclasses import dataclass
from datetime import date

import pytest
from sqlmodel import select

from core.db import read_session, write_session
from models import (
    AuditAction,
    AuditEntry,
    Committee,
    MemberAssignment,
    Organisation,
    OrgLevel,
    Role,
    Sector,
    Term,
    UserCommittee,
)
from services import reference, users
from services.actors import SYSTEM, Actor
from services.errors import PermissionDenied, StaleRecord, ValidationFailed
from services.reference import (
    CommitteeInput,
    InUse,
    OrganisationInput,
    SectorInput,
    TermInput,
)
from tests.helpers import factories

CITY = factories.TOP  # 本级政协, a city (migration 0008)


@dataclass(frozen=True)
class World:
    """A city with two districts, an administrator of each (the city's is the first
    administrator, refreshed to see the districts)."""

    city_admin: Actor
    east: int
    west: int
    east_admin: Actor


def act(engine, service, **arguments):
    """``service`` in one write transaction; what it returns, read before the end."""
    with write_session(engine) as session:
        result = service(session=session, **arguments)
        return getattr(result, "id", result)


def refused(engine, service, **arguments) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        act(engine, service, **arguments)
    return caught.value.field_errors


def in_use(engine, service, **arguments) -> str:
    with pytest.raises(InUse) as caught:
        act(engine, service, **arguments)
    return caught.value.message_key


def district(engine, who: Actor, name: str, parent: int = CITY,
             level: OrgLevel = OrgLevel.DISTRICT) -> int:
    return act(engine, reference.add_organisation, actor=who,
               data=OrganisationInput(name, level, parent))


def admin_of(engine, organisation_id: int, username: str) -> Actor:
    with write_session(engine) as session:
        user = factories.user(session, username, Role.ADMIN, organisation_id=organisation_id)
        return users.actor_for(session, user)


def refreshed(engine, who: Actor) -> Actor:
    """The actor as the next page run sees them (organisations added since included)."""
    with read_session(engine) as session:
        return users.actor_for(session, users.user_for_update(session, who.user_id))


@pytest.fixture
def world(engine, admin) -> World:
    east, west = district(engine, admin, "东城区"), district(engine, admin, "西城区")
    return World(refreshed(engine, admin), east, west, admin_of(engine, east, "east_admin"))


def organisation(engine, organisation_id: int) -> Organisation:
    with read_session(engine) as session:
        return session.get(Organisation, organisation_id)


def rows(engine, model, organisation_id: int) -> list:
    with read_session(engine) as session:
        return session.exec(select(model).where(model.organisation_id == organisation_id)
                            .order_by(model.id)).all()


def audited(engine, entity: str) -> list[AuditEntry]:
    with read_session(engine) as session:
        return session.exec(select(AuditEntry).where(AuditEntry.entity == entity)
                            .order_by(AuditEntry.id)).all()


# --- organisations ---------------------------------------------------------------------


def test_admin_adds_a_district_below_their_city_audited(engine, admin):
    east = district(engine, admin, " 东城区\u200b ")  # pasted with a zero-width space
    stored = organisation(engine, east)
    assert (stored.name, stored.level, stored.parent_id) == ("东城区", OrgLevel.DISTRICT, CITY)
    entry = audited(engine, "Organisation")[-1]
    assert entry.action is AuditAction.CREATE and entry.actor_name == "admin"
    assert json.loads(entry.after)["name"] == "东城区"
    assert east in refreshed(engine, admin).organisation_ids  # seen from the next page run


def test_only_the_command_line_makes_a_top_organisation(engine, admin):
    top = OrganisationInput("省政协", OrgLevel.PROVINCE, None)
    assert refused(engine, reference.add_organisation, actor=admin, data=top) == {
        "parent_id": "organisations.error.parent_required"}
    province = act(engine, reference.add_organisation, actor=SYSTEM, data=top)
    assert organisation(engine, province).parent_id is None


@pytest.mark.parametrize(("level", "allowed"), [
    (OrgLevel.DISTRICT, True), (OrgLevel.COUNTY, True),
    (OrgLevel.CITY, False), (OrgLevel.PROVINCE, False),
])
def test_an_organisation_ranks_below_its_parent(engine, admin, level, allowed):
    data = OrganisationInput("新组织", level, CITY)
    if allowed:
        assert act(engine, reference.add_organisation, actor=admin, data=data)
    else:
        assert refused(engine, reference.add_organisation, actor=admin, data=data) == {
            "level": "organisations.error.level_below_parent"}


def test_a_district_cannot_sit_below_a_county(engine, world):
    county = district(engine, world.city_admin, "某县", level=OrgLevel.COUNTY)
    data = OrganisationInput("某镇", OrgLevel.DISTRICT, county)
    assert refused(engine, reference.add_organisation, actor=refreshed(engine, world.city_admin),
                   data=data) == {"level": "organisations.error.level_below_parent"}


def test_a_level_change_keeps_the_organisations_below_lower(engine, world):
    city = organisation(engine, CITY)
    errors = refused(engine, reference.update_organisation, actor=world.city_admin,
                     organisation_id=CITY,
                     data=OrganisationInput(city.name, OrgLevel.DISTRICT, None))
    assert errors == {"level": "organisations.error.level_above_children"}


def test_moving_an_organisation_below_itself_or_one_below_it_is_refused(engine, world):
    errors = refused(engine, reference.update_organisation, actor=SYSTEM, organisation_id=CITY,
                     data=OrganisationInput("本级政协", OrgLevel.CITY, world.east))
    assert errors["parent_id"] == "organisations.error.cycle"
    errors = refused(engine, reference.update_organisation, actor=world.city_admin,
                     organisation_id=world.east,
                     data=OrganisationInput("东城区", OrgLevel.DISTRICT, world.east))
    assert errors["parent_id"] == "organisations.error.cycle"


def test_an_organisation_moves_below_another_it_ranks_under(engine, world):
    admin = world.city_admin
    province = act(engine, reference.add_organisation, actor=SYSTEM,
                   data=OrganisationInput("省政协", OrgLevel.PROVINCE, None))
    act(engine, reference.update_organisation, actor=SYSTEM, organisation_id=CITY,
        data=OrganisationInput("市政协", OrgLevel.CITY, province))
    assert organisation(engine, CITY).parent_id == province
    act(engine, reference.update_organisation, actor=admin, organisation_id=world.west,
        data=OrganisationInput("西城区", OrgLevel.COUNTY, CITY))
    entry = audited(engine, "Organisation")[-1]
    assert (json.loads(entry.before), json.loads(entry.after)) == (
        {"level": "district"}, {"level": "county"})


def test_organisation_names_are_unique_over_the_store(engine, world):
    errors = refused(engine, reference.add_organisation, actor=world.city_admin,
                     data=OrganisationInput("东城区\u200b", OrgLevel.DISTRICT, CITY))
    assert errors == {"name": "organisations.error.organisation_name_taken"}
    errors = refused(engine, reference.update_organisation, actor=world.city_admin,
                     organisation_id=world.west,
                     data=OrganisationInput("东城区", OrgLevel.DISTRICT, CITY))
    assert errors == {"name": "organisations.error.organisation_name_taken"}


@pytest.mark.parametrize(("name", "error"), [
    ("  \u200b ", "organisations.error.name_required"),
    ("区" * 61, "organisations.error.name_too_long"),
])
def test_an_organisation_needs_a_name_of_at_most_60_characters(engine, admin, name, error):
    data = OrganisationInput(name, OrgLevel.DISTRICT, CITY)
    assert refused(engine, reference.add_organisation, actor=admin, data=data) == {"name": error}


def test_a_district_admin_renames_their_district_below_the_city_they_do_not_see(engine, world):
    act(engine, reference.update_organisation, actor=world.east_admin,
        organisation_id=world.east, data=OrganisationInput("东城区政协", OrgLevel.DISTRICT, CITY))
    assert organisation(engine, world.east).name == "东城区政协"


def test_a_district_admin_cannot_touch_the_city_or_a_sibling_district(engine, world):
    east_admin = world.east_admin
    attempts = [
        (reference.update_organisation, {"organisation_id": CITY, "data": OrganisationInput(
            "本级政协", OrgLevel.CITY, None)}),
        (reference.update_organisation, {"organisation_id": world.west, "data": OrganisationInput(
            "西城区", OrgLevel.DISTRICT, CITY)}),
        (reference.update_organisation, {"organisation_id": world.east, "data": OrganisationInput(
            "东城区", OrgLevel.DISTRICT, world.west)}),  # moved below the sibling
        (reference.add_organisation, {"data": OrganisationInput(
            "西城区某街道", OrgLevel.COUNTY, world.west)}),
        (reference.delete_organisation, {"organisation_id": world.west}),
        (reference.add_sector, {"organisation_id": world.west, "data": SectorInput("教育界")}),
        (reference.add_committee, {"organisation_id": CITY, "data": CommitteeInput("提案委员会")}),
        (reference.add_term, {"organisation_id": CITY, "data": TermInput(
            14, "十四届", date(2023, 1, 1))}),
        (reference.sector_table, {"organisation_id": world.west}),
        (reference.committee_table, {"organisation_id": CITY}),
        (reference.term_table, {"organisation_id": CITY}),
    ]
    for service, arguments in attempts:
        with pytest.raises(PermissionDenied):
            act(engine, service, actor=east_admin, **arguments)


def test_a_district_admin_cannot_change_the_city_s_lists_by_their_ids(engine, world):
    with write_session(engine) as session:
        sector, committee, term = factories.organisation(session, CITY)
        ids = sector.id, committee.id, term.id
    attempts = [
        (reference.update_sector, {"sector_id": ids[0], "data": SectorInput("经济界")}),
        (reference.delete_sector, {"sector_id": ids[0]}),
        (reference.reorder_sectors, {"organisation_id": CITY, "sector_ids": [ids[0]]}),
        (reference.update_committee, {"committee_id": ids[1], "data": CommitteeInput("x")}),
        (reference.delete_committee, {"committee_id": ids[1]}),
        (reference.update_term, {"term_id": ids[2], "data": TermInput(
            15, "十五届", date(2028, 1, 1))}),
        (reference.set_current_term, {"term_id": ids[2]}),
        (reference.delete_term, {"term_id": ids[2]}),
    ]
    for service, arguments in attempts:
        with pytest.raises(PermissionDenied):
            act(engine, service, actor=world.east_admin, **arguments)


def test_only_administrators_keep_the_lists(engine, world):
    with write_session(engine) as session:
        org = factories.organisation(session, CITY)
        staff = users.actor_for(session, factories.user(session, "clerk", Role.STAFF))
        leader = users.actor_for(session, factories.user(session, "chief", Role.LEADER))
    for who in (staff, leader):
        with pytest.raises(PermissionDenied):
            act(engine, reference.add_sector, actor=who, organisation_id=CITY,
                data=SectorInput("经济界"))
        with pytest.raises(PermissionDenied):
            act(engine, reference.update_committee, actor=who, committee_id=org[1].id,
                data=CommitteeInput("x"))
        with pytest.raises(PermissionDenied):
            act(engine, reference.organisation_table, actor=who)


def test_the_tree_shows_what_the_admin_sees_from_their_own_organisation(engine, world):
    with read_session(engine) as session:
        everything = reference.organisation_table(session=session, actor=world.city_admin)
        east_only = reference.organisation_table(session=session, actor=world.east_admin)
    assert list(everything["name"]) == ["本级政协", "东城区", "西城区"]
    assert list(everything["indented_name"]) == ["本级政协", "\u3000东城区", "\u3000西城区"]
    assert list(everything["users"]) == [1, 1, 0]
    assert east_only[["name", "depth", "parent"]].values.tolist() == [["东城区", 0, "本级政协"]]


def test_the_parents_offered_are_the_ones_a_move_may_choose(engine, world):
    with read_session(engine) as session:
        for_new = reference.parent_choices(session=session, actor=world.city_admin)
        for_east = reference.parent_choices(session=session, actor=world.city_admin,
                                            organisation_id=world.east)
        own = reference.parent_choices(session=session, actor=world.east_admin,
                                       organisation_id=world.east)
        for_city = reference.parent_choices(session=session, actor=world.city_admin,
                                            organisation_id=CITY)
    assert list(for_new) == [CITY, world.east, world.west]
    assert list(for_east) == [CITY, world.west]  # not itself
    assert own == {CITY: "本级政协"}  # the parent it has, though not seen
    assert list(for_city) == [None]  # a top organisation stays on top


def test_an_unused_organisation_is_deleted_audited(engine, world):
    act(engine, reference.delete_organisation, actor=world.city_admin,
        organisation_id=world.west)
    assert organisation(engine, world.west) is None
    entry = audited(engine, "Organisation")[-1]
    assert entry.action is AuditAction.DELETE and json.loads(entry.before)["name"] == "西城区"


def test_an_organisation_in_use_is_not_deleted_and_the_refusal_says_why(engine, world):
    admin = world.city_admin
    assert in_use(engine, reference.delete_organisation, actor=admin,
                  organisation_id=CITY) == "organisations.error.has_children"
    assert in_use(engine, reference.delete_organisation, actor=admin,
                  organisation_id=world.east) == "organisations.error.has_users"
    act(engine, reference.add_sector, actor=admin, organisation_id=world.west,
        data=SectorInput("经济界"))
    with pytest.raises(InUse) as caught:
        act(engine, reference.delete_organisation, actor=admin, organisation_id=world.west)
    assert caught.value.message_key == "organisations.error.has_lists"
    assert caught.value.params == {"name": "西城区", "count": 1}
    with write_session(engine) as session:
        factories.member(session, factories.organisation(session, world.west), name="张伟")
    assert in_use(engine, reference.delete_organisation, actor=admin,
                  organisation_id=world.west) == "organisations.error.has_members"
    assert organisation(engine, world.west) is not None


# --- sectors ---------------------------------------------------------------------------


def test_sectors_are_added_in_order_and_reordered(engine, admin):
    ids = [act(engine, reference.add_sector, actor=admin, organisation_id=CITY,
               data=SectorInput(name)) for name in ("中国共产党", "民革", "民盟")]
    act(engine, reference.reorder_sectors, actor=admin, organisation_id=CITY,
        sector_ids=[ids[2], ids[0], ids[1]])
    with read_session(engine) as session:
        table = reference.sector_table(session=session, actor=admin, organisation_id=CITY)
    assert list(table["name"]) == ["民盟", "中国共产党", "民革"]
    moves = [e for e in audited(engine, "Sector") if e.action is AuditAction.UPDATE]
    assert len(moves) == 3 and all("sort_order" in json.loads(e.after) for e in moves)


def test_a_reorder_of_a_list_changed_meanwhile_is_stale(engine, admin):
    first = act(engine, reference.add_sector, actor=admin, organisation_id=CITY,
                data=SectorInput("民革"))
    act(engine, reference.add_sector, actor=admin, organisation_id=CITY, data=SectorInput("民盟"))
    with pytest.raises(StaleRecord):
        act(engine, reference.reorder_sectors, actor=admin, organisation_id=CITY,
            sector_ids=[first])


def test_the_same_sector_name_is_free_in_another_organisation_but_not_twice_in_one(
        engine, world):
    admin = world.city_admin
    for organisation_id in (CITY, world.east):
        act(engine, reference.add_sector, actor=admin, organisation_id=organisation_id,
            data=SectorInput("教育界"))
    assert refused(engine, reference.add_sector, actor=admin, organisation_id=CITY,
                   data=SectorInput("\u200b教育界 ")) == {
        "name": "organisations.error.sector_name_taken"}
    other = act(engine, reference.add_sector, actor=admin, organisation_id=CITY,
                data=SectorInput("经济界"))
    assert refused(engine, reference.update_sector, actor=admin, sector_id=other,
                   data=SectorInput("教育界")) == {"name": "organisations.error.sector_name_taken"}


def test_a_sector_is_renamed_and_given_a_holiday_audited(engine, admin):
    sector_id = act(engine, reference.add_sector, actor=admin, organisation_id=CITY,
                    data=SectorInput("教育"))
    act(engine, reference.update_sector, actor=admin, sector_id=sector_id,
        data=SectorInput("教育界", "教师节", 9, 10))
    stored = rows(engine, Sector, CITY)[0]
    assert (stored.name, stored.holiday_name, stored.holiday_month, stored.holiday_day) == (
        "教育界", "教师节", 9, 10)
    entry = audited(engine, "Sector")[-1]
    assert json.loads(entry.before) == {"name": "教育", "holiday_name": None,
                                        "holiday_month": None, "holiday_day": None}
    act(engine, reference.update_sector, actor=admin, sector_id=sector_id,
        data=SectorInput("教育界"))  # the holiday cleared
    assert rows(engine, Sector, CITY)[0].holiday_name is None


@pytest.mark.parametrize(("holiday", "errors"), [
    (("教师节", None, None), {"holiday_day": "organisations.error.holiday_incomplete"}),
    (("", 9, 10), {"holiday_name": "organisations.error.holiday_incomplete"}),
    (("教师节", 9, None), {"holiday_day": "organisations.error.holiday_incomplete"}),
    (("某节", 2, 30), {"holiday_day": "organisations.error.holiday_date_invalid"}),
    (("某节", 13, 1), {"holiday_day": "organisations.error.holiday_date_invalid"}),
])
def test_a_sector_holiday_is_a_name_and_a_real_day(engine, admin, holiday, errors):
    assert refused(engine, reference.add_sector, actor=admin, organisation_id=CITY,
                   data=SectorInput("教育界", *holiday)) == errors


def test_a_holiday_on_29_february_is_allowed(engine, admin):
    assert act(engine, reference.add_sector, actor=admin, organisation_id=CITY,
               data=SectorInput("某界", "某节", 2, 29))


def test_a_sector_in_use_is_not_deleted(engine, admin):
    with write_session(engine) as session:
        org = factories.organisation(session, CITY)
        factories.member(session, org)
        past = Sector(organisation_id=CITY, name="经济界")
        unused = Sector(organisation_id=CITY, name="体育界")
        with_station = Sector(organisation_id=CITY, name="科技界")
        session.add_all([past, unused, with_station])
        session.flush()
        member = factories.member(session, org, name="李强")
        session.add(MemberAssignment(  # the member sat in 经济界 before
            member_id=member.id, organisation_id=CITY, term_id=org[2].id, sector_id=past.id,
            committee_id=org[1].id, starts_on=date(2020, 1, 1), ends_on=date(2022, 12, 31)))
        station = factories.workstation(session, org[1])
        station.sector_id = with_station.id
        ids = org[0].id, past.id, unused.id, with_station.id
    with pytest.raises(InUse) as caught:
        act(engine, reference.delete_sector, actor=admin, sector_id=ids[0])
    assert caught.value.message_key == "organisations.error.has_members"
    assert caught.value.params == {"name": "教育界", "count": 2}
    assert in_use(engine, reference.delete_sector, actor=admin,
                  sector_id=ids[1]) == "organisations.error.has_members"  # history counts
    assert in_use(engine, reference.delete_sector, actor=admin,
                  sector_id=ids[3]) == "organisations.error.has_records"
    act(engine, reference.delete_sector, actor=admin, sector_id=ids[2])
    assert {s.name for s in rows(engine, Sector, CITY)} == {"教育界", "经济界", "科技界"}
    assert audited(engine, "Sector")[-1].action is AuditAction.DELETE


# --- committees ------------------------------------------------------------------------


def test_committee_names_are_unique_per_organisation(engine, world):
    admin = world.city_admin
    act(engine, reference.add_committee, actor=admin, organisation_id=CITY,
        data=CommitteeInput("提案委员会"))
    act(engine, reference.add_committee, actor=admin, organisation_id=world.east,
        data=CommitteeInput("提案委员会"))
    assert refused(engine, reference.add_committee, actor=admin, organisation_id=CITY,
                   data=CommitteeInput("提案委员会")) == {
        "name": "organisations.error.committee_name_taken"}


def test_an_organisation_has_one_liaison_committee(engine, world):
    admin = world.city_admin
    first = act(engine, reference.add_committee, actor=admin, organisation_id=CITY,
                data=CommitteeInput("联络工委", is_liaison=True))
    act(engine, reference.add_committee, actor=admin, organisation_id=world.east,
        data=CommitteeInput("联络工委", is_liaison=True))
    second = act(engine, reference.add_committee, actor=admin, organisation_id=CITY,
                 data=CommitteeInput("经济委员会"))
    act(engine, reference.update_committee, actor=admin, committee_id=second,
        data=CommitteeInput("经济委员会", is_liaison=True))
    assert [(c.id, c.is_liaison) for c in rows(engine, Committee, CITY)] == [
        (first, False), (second, True)]
    assert [c.is_liaison for c in rows(engine, Committee, world.east)] == [True]
    last_two = [(e.entity_id, json.loads(e.after)) for e in audited(engine, "Committee")[-2:]]
    assert sorted(last_two) == [(first, {"is_liaison": False}), (second, {"is_liaison": True})]


def test_a_committee_with_staff_or_members_is_not_deleted(engine, admin):
    with write_session(engine) as session:
        org = factories.organisation(session, CITY)
        factories.member(session, org)
        staffed = Committee(organisation_id=CITY, name="提案委员会")
        session.add(staffed)
        session.flush()
        clerk = factories.user(session, "clerk", Role.STAFF)
        session.add(UserCommittee(user_id=clerk.id, committee_id=staffed.id))
        ids = org[1].id, staffed.id
    assert in_use(engine, reference.delete_committee, actor=admin,
                  committee_id=ids[0]) == "organisations.error.has_members"
    assert in_use(engine, reference.delete_committee, actor=admin,
                  committee_id=ids[1]) == "organisations.error.has_users"


# --- terms -----------------------------------------------------------------------------


def test_the_first_term_is_current_and_one_term_is_current_after_each_change(engine, world):
    admin = world.city_admin
    thirteenth = act(engine, reference.add_term, actor=admin, organisation_id=CITY,
                     data=TermInput(13, "十三届", date(2018, 1, 1), date(2022, 12, 31)))
    fourteenth = act(engine, reference.add_term, actor=admin, organisation_id=CITY,
                     data=TermInput(14, "十四届", date(2023, 1, 1)))
    act(engine, reference.add_term, actor=admin, organisation_id=world.east,
        data=TermInput(14, "十四届", date(2023, 1, 1)))  # another organisation counts its own

    def current() -> list[int]:
        return [t.id for t in rows(engine, Term, CITY) if t.is_current]

    assert current() == [thirteenth]
    act(engine, reference.set_current_term, actor=admin, term_id=fourteenth)
    assert current() == [fourteenth]
    act(engine, reference.set_current_term, actor=admin, term_id=fourteenth)  # again: no-op
    assert current() == [fourteenth]
    assert [t.is_current for t in rows(engine, Term, world.east)] == [True]
    changes = [json.loads(e.after) for e in audited(engine, "Term")
               if e.action is AuditAction.UPDATE]
    assert changes == [{"is_current": False}, {"is_current": True}]


def test_the_current_term_is_deleted_only_as_the_last_one(engine, admin):
    current = act(engine, reference.add_term, actor=admin, organisation_id=CITY,
                  data=TermInput(14, "十四届", date(2023, 1, 1)))
    older = act(engine, reference.add_term, actor=admin, organisation_id=CITY,
                data=TermInput(13, "十三届", date(2018, 1, 1)))
    assert in_use(engine, reference.delete_term, actor=admin,
                  term_id=current) == "organisations.error.current_term"
    act(engine, reference.delete_term, actor=admin, term_id=older)
    act(engine, reference.delete_term, actor=admin, term_id=current)
    assert rows(engine, Term, CITY) == []


def test_a_term_with_members_is_not_deleted(engine, admin):
    with write_session(engine) as session:
        org = factories.organisation(session, CITY)
        factories.member(session, org)
        term_id = org[2].id
    assert in_use(engine, reference.delete_term, actor=admin,
                  term_id=term_id) == "organisations.error.has_members"


@pytest.mark.parametrize(("term", "errors"), [
    (TermInput(14, "十四届", date(2023, 1, 1)),
     {"number": "organisations.error.term_number_taken"}),
    (TermInput(None, "", None), {"number": "organisations.error.term_number_invalid",
                                 "name": "organisations.error.name_required",
                                 "starts_on": "organisations.error.starts_on_required"}),
    (TermInput(100, "某届", date(2023, 1, 1)),
     {"number": "organisations.error.term_number_invalid"}),
    (TermInput(15, "届" * 41, date(2028, 1, 1)),
     {"name": "organisations.error.term_name_too_long"}),
    (TermInput(15, "十五届", date(2028, 1, 1), date(2027, 12, 31)),
     {"ends_on": "organisations.error.ends_before_start"}),
])
def test_a_term_needs_a_new_number_a_name_and_dates_in_order(engine, admin, term, errors):
    act(engine, reference.add_term, actor=admin, organisation_id=CITY,
        data=TermInput(14, "十四届", date(2023, 1, 1)))
    assert refused(engine, reference.add_term, actor=admin, organisation_id=CITY,
                   data=term) == errors


def test_a_term_is_corrected_audited(engine, admin):
    term_id = act(engine, reference.add_term, actor=admin, organisation_id=CITY,
                  data=TermInput(14, "第十四届", date(2023, 1, 1)))
    act(engine, reference.update_term, actor=admin, term_id=term_id,
        data=TermInput(14, "十四届", date(2023, 1, 1), date(2027, 12, 31)))
    entry = audited(engine, "Term")[-1]
    assert json.loads(entry.before) == {"name": "第十四届", "ends_on": None}
    assert json.loads(entry.after) == {"name": "十四届", "ends_on": "2027-12-31"}


# --- reading ---------------------------------------------------------------------------


def test_lookups_give_each_seen_organisation_its_lists(engine, world):
    with write_session(engine) as session:
        factories.organisation(session, CITY)
        factories.organisation(session, world.east)
    with read_session(engine) as session:
        city_view = reference.lookups_for(session=session, actor=world.city_admin)
        east_view = reference.lookups_for(session=session, actor=world.east_admin)
    assert list(city_view) == [CITY, world.east, world.west]
    assert list(east_view) == [world.east]
    east = east_view[world.east]
    assert list(east.sectors.values()) == ["教育界"] and east.current_term_id in east.terms
    assert city_view[world.west].sectors == {} and city_view[world.west].current_term_id is None
    assert not set(east.committees) & set(city_view[CITY].committees)


def test_list_tables_count_members(engine, admin):
    with write_session(engine) as session:
        org = factories.organisation(session, CITY)
        factories.member(session, org)
    with read_session(engine) as session:
        sectors = reference.sector_table(session=session, actor=admin, organisation_id=CITY)
        committees = reference.committee_table(session=session, actor=admin,
                                               organisation_id=CITY)
        terms = reference.term_table(session=session, actor=admin, organisation_id=CITY)
    assert sectors["members"].tolist() == committees["members"].tolist() == [1]
    assert terms[["name", "is_current", "members"]].values.tolist() == [["十四届", True, 1]]
