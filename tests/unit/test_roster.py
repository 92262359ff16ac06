"""The roster: adding, editing and retiring members within one's scope, and the history
of where a member sat (a committee move keeps last quarter where it was)."""

from dataclasses import replace
from datetime import date

import pytest
from sqlmodel import select

from core.db import read_session, write_session
from models import (
    AuditEntry,
    Committee,
    Member,
    MemberAssignment,
    Organisation,
    OrgLevel,
    Role,
    Sector,
    Term,
)
from services import roster
from services.actors import SYSTEM, Actor
from services.errors import PermissionDenied, StaleRecord, ValidationFailed
from services.members import list_members
from tests.helpers import factories

TODAY = date(2026, 5, 20)


@pytest.fixture
def org(engine):
    """Organisation 1 with a sector, two committees and two terms; a district below it
    with lists of its own."""
    with write_session(engine) as session:
        sector, committee, term = factories.organisation(session)
        economy = Committee(organisation_id=1, name="经济委员会")
        old_term = Term(organisation_id=1, number=13, name="十三届", starts_on=date(2018, 1, 1))
        district = Organisation(name="东城区政协", level=OrgLevel.DISTRICT, parent_id=1)
        session.add_all([economy, old_term, district])
        session.flush()
        d_sector = Sector(organisation_id=district.id, name="教育界")
        d_committee = Committee(organisation_id=district.id, name="教科卫体委员会")
        d_term = Term(organisation_id=district.id, number=9, name="九届",
                      starts_on=date(2022, 1, 1))
        session.add_all([d_sector, d_committee, d_term])
        session.flush()
        return {"sector": sector.id, "committee": committee.id, "economy": economy.id,
                "term": term.id, "old_term": old_term.id, "district": district.id,
                "d_sector": d_sector.id, "d_committee": d_committee.id, "d_term": d_term.id}


def _input(org, **fields) -> roster.MemberInput:
    values = {"name": "李明", "organisation_id": 1, "term_id": org["term"],
              "sector_id": org["sector"], "committee_id": org["committee"],
              "in_office_from": date(2023, 1, 1), "birth_year": 1970}
    return roster.MemberInput(**(values | fields))


def _staff(*committees: int, organisation_ids=frozenset({1})) -> Actor:
    return Actor(user_id=None, name="staff", role=Role.STAFF, committee_ids=frozenset(committees),
                 organisation_id=min(organisation_ids), organisation_ids=organisation_ids)


def _create(engine, data, actor=SYSTEM) -> int:
    with write_session(engine) as session:
        return roster.create_member(session=session, actor=actor, data=data, today=TODAY).id


def _update(engine, member_id, actor=SYSTEM, *, effective_on=None, **changes) -> Member:
    with read_session(engine) as session:
        version = session.get(Member, member_id).version
    with write_session(engine) as session:
        return roster.update_member(session=session, actor=actor, member_id=member_id,
                                    expected_version=version, changes=changes, today=TODAY,
                                    effective_on=effective_on)


def _assignments(engine, member_id):
    with read_session(engine) as session:
        rows = session.exec(select(MemberAssignment).where(
            MemberAssignment.member_id == member_id).order_by(MemberAssignment.starts_on))
        return [(a.starts_on, a.ends_on, a.committee_id, a.term_id) for a in rows]


def _errors(call) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as failure:
        call()
    return failure.value.field_errors


def test_a_new_member_gets_one_assignment_a_pinyin_key_and_an_audit_row(engine, org):
    member_id = _create(engine, _input(org, name=" 曾\u200b国藩 ", phone="１３８００１３８０００"))
    with read_session(engine) as session:
        member = session.get(Member, member_id)
        audit = session.exec(select(AuditEntry).where(AuditEntry.entity == "Member")).all()
    assert (member.name, member.name_key, member.phone) == ("曾国藩", "zeng guo fan", "13800138000")
    assert _assignments(engine, member_id) == [(date(2023, 1, 1), None, org["committee"],
                                                org["term"])]
    assert len(audit) == 1 and "曾国藩" in audit[0].after


@pytest.mark.parametrize("name", ["𠮷田一郎", "مُحَمَّد", '=HYPERLINK("http://x","y")'])
def test_names_are_stored_as_typed(engine, org, name):
    member_id = _create(engine, _input(org, name=name))
    with read_session(engine) as session:
        assert session.get(Member, member_id).name == name


@pytest.mark.parametrize(("fields", "field", "key"), [
    ({"name": "  "}, "name", "roster.error.name_required"),
    ({"name": "名" * 10_000}, "name", "roster.error.too_long"),
    ({"birth_year": 1850}, "birth_year", "roster.error.birth_year"),
    ({"birth_year": 2020}, "birth_year", "roster.error.birth_year"),
    ({"phone": "call me"}, "phone", "roster.error.phone_format"),
    ({"employer": "单" * 121}, "employer", "roster.error.too_long"),
    ({"in_office_to": date(2022, 1, 1)}, "in_office_to", "roster.error.office_dates"),
    ({"committee_id": None}, "committee_id", "roster.error.required"),
])
def test_bad_input_is_refused_by_field_and_nothing_is_saved(engine, org, fields, field, key):
    assert _errors(lambda: _create(engine, _input(org, **fields)))[field] == key
    with read_session(engine) as session:
        assert session.exec(select(Member)).all() == []


def test_lists_of_another_organisation_are_refused(engine, org):
    errors = _errors(lambda: _create(engine, _input(org, sector_id=org["d_sector"])))
    assert errors == {"sector_id": "roster.error.not_in_organisation"}


def test_the_same_name_and_birth_year_twice_is_refused_but_a_namesake_is_not(engine, org):
    _create(engine, _input(org))
    assert _errors(lambda: _create(engine, _input(org)))["name"] == "roster.error.duplicate"
    _create(engine, _input(org, birth_year=1980))  # a namesake: another person
    district = _input(org, organisation_id=org["district"], term_id=org["d_term"],
                      sector_id=org["d_sector"], committee_id=org["d_committee"])
    _create(engine, district)  # the same key in another organisation


def test_staff_add_and_edit_only_in_their_committees(engine, org):
    staff = _staff(org["committee"])
    member_id = _create(engine, _input(org), actor=staff)
    with pytest.raises(PermissionDenied):
        _create(engine, _input(org, name="王五", committee_id=org["economy"]), actor=staff)
    with pytest.raises(PermissionDenied):  # moving to a committee not theirs
        _update(engine, member_id, staff, committee_id=org["economy"])
    _update(engine, member_id, _staff(org["committee"], org["economy"]),
            committee_id=org["economy"])


@pytest.mark.parametrize("role", [Role.LEADER, Role.MEMBER])
def test_leaders_and_members_do_not_keep_the_roster(engine, org, role):
    actor = Actor(user_id=None, name="x", role=role, organisation_ids=frozenset({1}))
    with pytest.raises(PermissionDenied):
        _create(engine, _input(org), actor=actor)


def test_an_admin_of_a_district_cannot_touch_the_city(engine, org):
    district_admin = Actor(user_id=None, name="d", role=Role.ADMIN,
                           organisation_id=org["district"],
                           organisation_ids=frozenset({org["district"]}))
    city_member = _create(engine, _input(org))
    with pytest.raises(PermissionDenied):
        _update(engine, city_member, district_admin, phone="13800138000")
    with pytest.raises(PermissionDenied):
        _create(engine, _input(org, name="王五"), actor=district_admin)
    with read_session(engine) as session:
        listed = list_members(session=session, actor=district_admin, today=TODAY)
    assert listed.empty


def test_a_committee_move_keeps_last_quarter_where_it_was(engine, org):
    member_id = _create(engine, _input(org))
    _update(engine, member_id, committee_id=org["economy"], effective_on=date(2026, 4, 1))
    assert _assignments(engine, member_id) == [
        (date(2023, 1, 1), date(2026, 3, 31), org["committee"], org["term"]),
        (date(2026, 4, 1), None, org["economy"], org["term"]),
    ]
    with read_session(engine) as session:
        last_quarter = roster.members_of_committee_between(
            session, org["committee"], date(2026, 1, 1), date(2026, 3, 31))
        this_quarter = roster.members_of_committee_between(
            session, org["committee"], date(2026, 4, 1), date(2026, 6, 30))
        then = roster.assignment_on(session, member_id, date(2026, 2, 1))
        member = session.get(Member, member_id)
    assert last_quarter == {member_id} and this_quarter == set()
    assert then.committee_id == org["committee"] and member.committee_id == org["economy"]


def test_a_change_on_the_current_assignments_first_day_corrects_it(engine, org):
    member_id = _create(engine, _input(org))
    _update(engine, member_id, sector_id=org["sector"], committee_id=org["economy"],
            effective_on=date(2023, 1, 1))
    assert _assignments(engine, member_id) == [(date(2023, 1, 1), None, org["economy"],
                                                org["term"])]


def test_a_change_cannot_take_effect_before_the_current_assignment(engine, org):
    member_id = _create(engine, _input(org))
    _update(engine, member_id, committee_id=org["economy"], effective_on=date(2025, 1, 1))
    errors = _errors(lambda: _update(engine, member_id, committee_id=org["committee"],
                                     effective_on=date(2024, 1, 1)))
    assert errors == {"effective_on": "roster.error.effective_before_current"}


def test_reappointment_for_a_new_term_keeps_one_identity(engine, org):
    member_id = _create(engine, _input(org, term_id=org["old_term"],
                                       in_office_from=date(2018, 1, 1),
                                       in_office_to=date(2022, 12, 31)))
    # Still carrying the old last day, the new term is refused: it would end before it began.
    errors = _errors(lambda: _update(engine, member_id, term_id=org["term"],
                                     effective_on=date(2023, 1, 10)))
    assert errors == {"in_office_to": "roster.error.office_to_before_assignment"}
    member = _update(engine, member_id, term_id=org["term"], in_office_to=None,
                     effective_on=date(2023, 1, 10))
    assert _assignments(engine, member_id) == [
        (date(2018, 1, 1), date(2022, 12, 31), org["committee"], org["old_term"]),
        (date(2023, 1, 10), None, org["committee"], org["term"]),
    ]
    assert (member.id, member.term_id, member.in_office_from, member.in_office_to) == (
        member_id, org["term"], date(2018, 1, 1), None)
    with read_session(engine) as session:  # not in office in the gap between the terms
        assert roster.assignment_on(session, member_id, date(2023, 1, 5)) is None


def test_retiring_ends_the_last_assignment(engine, org):
    member_id = _create(engine, _input(org))
    _update(engine, member_id, committee_id=org["economy"], effective_on=date(2025, 1, 1))
    with read_session(engine) as session:
        version = session.get(Member, member_id).version
    with write_session(engine) as session:
        roster.retire_member(session=session, actor=SYSTEM, member_id=member_id,
                             expected_version=version, on=date(2026, 5, 31), today=TODAY)
    assert _assignments(engine, member_id)[-1][:2] == (date(2025, 1, 1), date(2026, 5, 31))
    with read_session(engine) as session:
        later = list_members(session=session, actor=SYSTEM, today=date(2026, 6, 1))
        before = list_members(session=session, actor=SYSTEM, today=date(2026, 5, 31))
    assert later.empty and before["id"].tolist() == [member_id]


def test_retiring_before_the_last_assignment_began_is_refused(engine, org):
    member_id = _create(engine, _input(org))
    _update(engine, member_id, committee_id=org["economy"], effective_on=date(2025, 1, 1))
    errors = _errors(lambda: _update(engine, member_id, in_office_to=date(2024, 6, 30)))
    assert errors == {"in_office_to": "roster.error.office_to_before_assignment"}


def test_moving_the_first_day_moves_the_first_assignment(engine, org):
    member_id = _create(engine, _input(org))
    _update(engine, member_id, committee_id=org["economy"], effective_on=date(2025, 1, 1))
    _update(engine, member_id, in_office_from=date(2023, 3, 1))
    assert _assignments(engine, member_id)[0][0] == date(2023, 3, 1)
    errors = _errors(lambda: _update(engine, member_id, in_office_from=date(2025, 2, 1)))
    assert errors == {"in_office_from": "roster.error.office_from_after_history"}


def test_a_move_to_another_organisation_uses_its_lists(engine, org):
    member_id = _create(engine, _input(org))
    errors = _errors(lambda: _update(engine, member_id, organisation_id=org["district"]))
    assert set(errors) == {"term_id", "sector_id", "committee_id"}
    _update(engine, member_id, organisation_id=org["district"], term_id=org["d_term"],
            sector_id=org["d_sector"], committee_id=org["d_committee"],
            effective_on=date(2026, 1, 1))
    with read_session(engine) as session:
        history = roster.member_history(session=session, actor=SYSTEM, member_id=member_id)
    assert [row.organisation for row in history] == ["东城区政协", "本级政协"]


def test_a_stale_edit_is_refused_and_changes_nothing(engine, org):
    member_id = _create(engine, _input(org))
    with write_session(engine) as session:
        roster.update_member(session=session, actor=SYSTEM, member_id=member_id,
                             expected_version=1, changes={"phone": "13800138000"}, today=TODAY)
    with pytest.raises(StaleRecord), write_session(engine) as session:
        roster.update_member(session=session, actor=SYSTEM, member_id=member_id,
                             expected_version=1, changes={"committee_id": org["economy"]},
                             today=TODAY, effective_on=date(2026, 1, 1))
    assert len(_assignments(engine, member_id)) == 1


def test_an_unchanged_save_writes_nothing(engine, org):
    member_id = _create(engine, _input(org))
    member = _update(engine, member_id, name="李明", phone=None)
    assert member.version == 1
    with read_session(engine) as session:
        assert len(session.exec(select(AuditEntry)).all()) == 1


def test_a_renamed_member_is_sorted_by_the_new_name(engine, org):
    first = _create(engine, _input(org, name="张三"))
    _create(engine, _input(org, name="李四"))
    _update(engine, first, name="艾一")
    with read_session(engine) as session:
        names = list_members(session=session, actor=SYSTEM, today=TODAY)["name"].tolist()
    assert names == ["艾一", "李四"]


def test_the_directory_filters_and_sorts(engine, org):
    for name, year, standing in [("赵六", 1960, True), ("阿七", 1980, False),
                                 ("钱八", 1970, True)]:
        _create(engine, _input(org, name=name, birth_year=year, is_standing_committee=standing))
    with read_session(engine) as session:
        def names(**filters):
            return list_members(session=session, actor=SYSTEM, today=TODAY,
                                **filters)["name"].tolist()

        assert names() == ["阿七", "钱八", "赵六"]
        assert names(sort="birth_year") == ["赵六", "钱八", "阿七"]
        assert names(standing=True) == ["钱八", "赵六"]
        assert names(term_id=org["old_term"]) == []
        assert names(in_office_on=date(2022, 6, 1)) == []


def test_input_round_trips_through_of(engine, org):
    member_id = _create(engine, _input(org, post="主任"))
    with read_session(engine) as session:
        data = roster.MemberInput.of(session.get(Member, member_id))
    assert data == replace(_input(org, post="主任"))


def test_a_change_cannot_take_effect_after_today(engine, org):
    """The Member row is where the member sits today: a move dated later would show
    before it happens, so it is entered on its day."""
    member_id = _create(engine, _input(org))
    errors = _errors(lambda: _update(engine, member_id, committee_id=org["economy"],
                                     effective_on=date(2026, 6, 1)))
    assert errors == {"effective_on": "roster.error.effective_in_future"}


def test_the_directory_on_a_past_day_shows_the_committee_of_that_day(engine, org):
    member_id = _create(engine, _input(org))
    _update(engine, member_id, committee_id=org["economy"], effective_on=date(2026, 4, 1))
    with read_session(engine) as session:
        def listed(**filters):
            return list_members(session=session, actor=SYSTEM, today=TODAY, **filters)

        then = listed(in_office_on=date(2026, 2, 1), committee_id=org["committee"])
        assert then["committee"].tolist() == ["教科卫体委员会"]
        assert listed(in_office_on=date(2026, 2, 1), committee_id=org["economy"]).empty
        now = listed(committee_id=org["economy"])
        assert now["id"].tolist() == [member_id] and now["committee"].tolist() == ["经济委员会"]
