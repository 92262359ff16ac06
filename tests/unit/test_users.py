"""Users: the first administrator and the administration of users."""

import json
from dataclasses import dataclass

import pytest
from sqlmodel import col, select

from core.db import read_session, write_session
from models import AppSetting, AuditAction, AuditEntry, OrgLevel, Role, User
from services import reference, users
from services.actors import SYSTEM, Actor
from services.errors import PermissionDenied, ValidationFailed
from services.reference import OrganisationInput
from services.users import UserInput
from tests.helpers import factories
from tests.helpers.users import NOW, PASSWORD, first_admin, setup_token, staff_user

# --- the first administrator -------------------------------------------------------


def test_first_admin_is_created_once_and_stored_lower_case(engine, admin):
    assert admin.role is Role.ADMIN and admin.name == "admin"
    with pytest.raises(PermissionDenied), write_session(engine) as session:
        users.create_first_admin(session=session, username="other", display_name="x",
                                 password=PASSWORD, confirm=PASSWORD, setup_token="x")
    assert setup_token(engine) is None  # no more tokens once a user exists


def test_first_admin_needs_the_setup_token_printed_at_start(engine):
    """Finding 3: whoever reached a fresh install first became administrator."""
    with pytest.raises(ValidationFailed) as caught:
        first_admin(engine, "")
    assert caught.value.field_errors["setup_token"] == "setup.error.no_token"
    token = setup_token(engine)
    with pytest.raises(ValidationFailed) as caught:
        first_admin(engine, "0000-0000-0000-0000-0000-0000")
    assert caught.value.field_errors["setup_token"] == "setup.error.wrong_token"
    newer = setup_token(engine)  # a restart prints a new token; the old one stops working
    with pytest.raises(ValidationFailed):
        first_admin(engine, token)
    admin = first_admin(engine, f"  {newer.upper().replace('-', ' ')} ")  # typed loosely
    assert admin.role is Role.ADMIN
    with read_session(engine) as session:
        settings = session.exec(select(AppSetting.key, AppSetting.value)).all()
    assert users.SETUP_TOKEN_SETTING not in dict(settings)  # used up
    assert all(newer not in value for _, value in settings)


def test_setup_token_errors_come_with_the_other_fields_errors(engine):
    setup_token(engine)
    with pytest.raises(ValidationFailed) as caught:
        first_admin(engine, "wrong", username="a b", password="123456789012",
                    confirm="123456789012")
    assert set(caught.value.field_errors) == {"setup_token", "username", "password"}


def test_command_line_creates_an_admin_and_retires_the_setup_token(engine):
    setup_token(engine)
    with write_session(engine) as session:
        users.create_admin(session=session, username="ops", display_name="运维",
                           password=PASSWORD)
    with read_session(engine) as session:
        assert session.get(AppSetting, users.SETUP_TOKEN_SETTING) is None
        assert not session.exec(select(User.must_change_password)).one()


def test_password_is_stored_as_bcrypt_with_cost_12(engine, admin):
    with read_session(engine) as session:
        stored = session.exec(select(User.password_hash)).one()
    assert stored.startswith("$2b$12$") and PASSWORD not in stored


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short pass", "password.too_short"),
        ("x" * 129 + "y", "password.too_long"),
        ("aaaaaaaaaaaaaa", "password.too_simple"),
        # finding 9: common passwords of the right length were accepted
        ("123456789012", "password.too_guessable"),
        ("passwordpassword", "password.too_guessable"),
        ("qwertyuiop12", "password.too_guessable"),
        ("adminadmin2026", "password.too_guessable"),  # the username, dressed up
        ("管理员管理员管理员管理员", "password.too_guessable"),  # the person's name
    ],
)
def test_password_policy_is_length_and_guessability_not_composition(engine, password, problem):
    with pytest.raises(ValidationFailed) as caught:
        first_admin(engine, setup_token(engine), username="admin", password=password,
                    confirm=password)
    assert caught.value.field_errors == {"password": problem}


def test_confirmation_must_match(engine):
    with pytest.raises(ValidationFailed) as caught:
        first_admin(engine, setup_token(engine), confirm=PASSWORD + "!")
    assert caught.value.field_errors == {"confirm": "password.mismatch"}


# --- administering users -------------------------------------------------------------


def test_admin_creates_staff_who_must_change_password(engine, admin):
    with write_session(engine) as session:
        clerk = staff_user(session, admin)
    assert clerk.must_change_password
    with read_session(engine) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.entity_id == clerk.id,
                                                      AuditEntry.action == AuditAction.CREATE)
                             ).one()
    after = json.loads(entry.after)
    assert after["role"] == "staff" and after["committee_ids"]
    assert "password" not in entry.after and "$2b$" not in entry.after


def test_non_admin_cannot_administer_users(engine, admin):
    with write_session(engine) as session:
        clerk = users.actor_for(session, staff_user(session, admin))
    with pytest.raises(PermissionDenied), write_session(engine) as session:
        users.list_users(session=session, actor=clerk)
    with pytest.raises(PermissionDenied), write_session(engine) as session:
        users.reset_password(session=session, actor=clerk, user_id=admin.user_id,
                             password="temporary passphrase", now=NOW)


@pytest.mark.parametrize(
    ("data", "field", "key"),
    [
        (UserInput("admin", "重名", Role.LEADER), "username", "users.error.username_taken"),
        (UserInput("a b", "空格", Role.LEADER), "username", "users.error.username_format"),
        (UserInput("staff1", "无专委会", Role.STAFF), "committee_ids",
         "users.error.staff_needs_committee"),
        (UserInput("member1", "无委员", Role.MEMBER), "member_id", "users.error.member_needs_link"),
        (UserInput("leader1", "  ", Role.LEADER), "display_name",
         "users.error.display_name_required"),
    ],
)
def test_bad_user_input_names_the_field(engine, admin, data, field, key):
    with pytest.raises(ValidationFailed) as caught, write_session(engine) as session:
        users.create_user(session=session, actor=admin, data=data, password=PASSWORD,
                          now=NOW)
    assert caught.value.field_errors[field] == key


def test_user_list_never_contains_password_hashes(engine, admin):
    with read_session(engine) as session:
        table = users.list_users(session=session, actor=admin)
    assert "password_hash" not in table.columns
    assert not table.astype(str).apply(lambda c: c.str.contains(r"\$2b\$")).any().any()


def test_admin_cannot_lock_themself_out(engine, admin):
    with pytest.raises(ValidationFailed), write_session(engine) as session:
        users.set_active(session=session, actor=admin, user_id=admin.user_id, active=False)
    with pytest.raises(ValidationFailed), write_session(engine) as session:
        users.update_user(session=session, actor=admin, user_id=admin.user_id,
                          data=UserInput("admin", "管理员", Role.LEADER))


# --- users and organisations -----------------------------------------------------------


@dataclass(frozen=True)
class Districts:
    """A city (the first administrator's) with two districts, each with its lists, a
    member, and an administrator of the east district."""

    east: int
    west: int
    city_committee: int
    east_committee: int
    city_member: int
    east_member: int
    west_member: int
    east_admin: Actor


def _district(session, name: str) -> int:
    return reference.add_organisation(
        session=session, actor=SYSTEM,
        data=OrganisationInput(name, OrgLevel.DISTRICT, factories.TOP)).id


@pytest.fixture
def districts(engine, admin) -> Districts:
    with write_session(engine) as session:
        east, west = _district(session, "东城区"), _district(session, "西城区")
        city_org, east_org, west_org = (factories.organisation(session, organisation_id)
                                        for organisation_id in (factories.TOP, east, west))
        members = [factories.member(session, org, name=name).id
                   for org, name in ((city_org, "张伟"), (east_org, "李娜"), (west_org, "王强"))]
        east_admin = users.actor_for(session, factories.user(session, "east_admin", Role.ADMIN,
                                                             organisation_id=east))
        return Districts(east, west, city_org[1].id, east_org[1].id, *members, east_admin)


def _city_admin(engine, admin: Actor) -> Actor:
    """The first administrator as their next page run sees them (the districts included)."""
    with read_session(engine) as session:
        return users.actor_for(session, users.user_for_update(session, admin.user_id))


def _create(engine, actor: Actor, data: UserInput) -> int:
    with write_session(engine) as session:
        return users.create_user(session=session, actor=actor, data=data, password=PASSWORD,
                                 now=NOW).id


def _stored(engine, user_id: int) -> User:
    with read_session(engine) as session:
        return session.get(User, user_id)


def test_a_new_user_belongs_to_the_admins_organisation_unless_another_is_chosen(
        engine, admin, districts):
    city_admin = _city_admin(engine, admin)
    leader = _create(engine, city_admin, UserInput("leader1", "领导", Role.LEADER))
    east_leader = _create(engine, city_admin, UserInput("leader2", "领导", Role.LEADER,
                                                        organisation_id=districts.east))
    assert _stored(engine, leader).organisation_id == factories.TOP
    assert _stored(engine, east_leader).organisation_id == districts.east
    with read_session(engine) as session:
        seen = users.actor_for(session, _stored(engine, east_leader)).organisation_ids
    assert seen == {districts.east}


def test_a_user_is_not_created_in_an_organisation_the_admin_does_not_see(engine, districts):
    for organisation_id in (factories.TOP, districts.west):
        with pytest.raises(PermissionDenied):
            _create(engine, districts.east_admin,
                    UserInput("leader1", "领导", Role.LEADER, organisation_id=organisation_id))


def test_staff_committees_belong_to_the_users_own_organisation(engine, admin, districts):
    city_admin = _city_admin(engine, admin)
    wrong = UserInput("clerk", "办事员", Role.STAFF,
                      committee_ids=frozenset({districts.city_committee, districts.east_committee}),
                      organisation_id=districts.east)
    with pytest.raises(ValidationFailed) as caught, write_session(engine) as session:
        users.create_user(session=session, actor=city_admin, data=wrong, password=PASSWORD,
                          now=NOW)
    assert caught.value.field_errors == {
        "committee_ids": "users.error.committee_other_organisation"}
    clerk = _create(engine, city_admin, UserInput(
        "clerk", "办事员", Role.STAFF, committee_ids=frozenset({districts.east_committee}),
        organisation_id=districts.east))
    assert _stored(engine, clerk).organisation_id == districts.east


def test_a_members_account_links_a_member_of_the_organisation_or_one_below(
        engine, admin, districts):
    city_admin = _city_admin(engine, admin)
    below = _create(engine, city_admin, UserInput("member1", "李娜", Role.MEMBER,
                                                  member_id=districts.east_member))
    assert _stored(engine, below).member_id == districts.east_member
    outside = UserInput("member2", "张伟", Role.MEMBER, member_id=districts.city_member,
                        organisation_id=districts.west)
    with pytest.raises(ValidationFailed) as caught, write_session(engine) as session:
        users.create_user(session=session, actor=city_admin, data=outside, password=PASSWORD,
                          now=NOW)
    assert caught.value.field_errors == {"member_id": "users.error.member_other_organisation"}


def test_the_user_list_holds_the_users_of_the_organisations_the_admin_sees(
        engine, admin, districts):
    with read_session(engine) as session:
        city_view = users.list_users(session=session, actor=_city_admin(engine, admin))
        east_view = users.list_users(session=session, actor=districts.east_admin)
    assert set(city_view["username"]) == {"admin", "east_admin"}
    assert east_view[["username", "organisation"]].values.tolist() == [["east_admin", "东城区"]]


def test_users_outside_the_admins_organisations_are_out_of_reach(engine, admin, districts):
    east_admin = districts.east_admin
    calls = [
        lambda session: users.update_user(session=session, actor=east_admin,
                                          user_id=admin.user_id,
                                          data=UserInput("admin", "改名", Role.ADMIN)),
        lambda session: users.set_active(session=session, actor=east_admin,
                                         user_id=admin.user_id, active=False),
        lambda session: users.reset_password(session=session, actor=east_admin,
                                             user_id=admin.user_id,
                                             password="temporary passphrase", now=NOW),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied), write_session(engine) as session:
            call(session)
    assert _stored(engine, admin.user_id).display_name == "管理员"


def test_moving_a_user_to_another_organisation_ends_their_sessions(engine, admin, districts):
    city_admin = _city_admin(engine, admin)
    leader = _create(engine, city_admin, UserInput("leader1", "领导", Role.LEADER))
    epoch = _stored(engine, leader).session_epoch
    with write_session(engine) as session:
        users.update_user(session=session, actor=city_admin, user_id=leader,
                          data=UserInput("leader1", "领导", Role.LEADER))  # nothing changed
    assert _stored(engine, leader).session_epoch == epoch
    with write_session(engine) as session:
        users.update_user(session=session, actor=city_admin, user_id=leader,
                          data=UserInput("leader1", "领导", Role.LEADER,
                                         organisation_id=districts.east))
    moved = _stored(engine, leader)
    assert (moved.organisation_id, moved.session_epoch) == (districts.east, epoch + 1)
    with read_session(engine) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.entity == "User")
                             .order_by(col(AuditEntry.id).desc())).first()
    assert json.loads(entry.after) == {"organisation_id": districts.east}


def test_a_moved_staff_users_committees_must_follow(engine, admin, districts):
    city_admin = _city_admin(engine, admin)
    clerk = _create(engine, city_admin, UserInput(
        "clerk", "办事员", Role.STAFF, committee_ids=frozenset({districts.city_committee})))
    with pytest.raises(ValidationFailed) as caught, write_session(engine) as session:
        users.update_user(session=session, actor=city_admin, user_id=clerk, data=UserInput(
            "clerk", "办事员", Role.STAFF, committee_ids=frozenset({districts.city_committee}),
            organisation_id=districts.east))
    assert caught.value.field_errors == {
        "committee_ids": "users.error.committee_other_organisation"}


def test_an_admin_neither_moves_themself_nor_a_user_out_of_sight(engine, admin, districts):
    city_admin = _city_admin(engine, admin)
    with pytest.raises(ValidationFailed) as caught, write_session(engine) as session:
        users.update_user(session=session, actor=city_admin, user_id=admin.user_id,
                          data=UserInput("admin", "管理员", Role.ADMIN,
                                         organisation_id=districts.east))
    assert caught.value.field_errors == {"organisation_id": "users.error.cannot_move_self"}
    east_leader = _create(engine, districts.east_admin, UserInput("leader1", "领导", Role.LEADER))
    with pytest.raises(PermissionDenied), write_session(engine) as session:
        users.update_user(session=session, actor=districts.east_admin, user_id=east_leader,
                          data=UserInput("leader1", "领导", Role.LEADER,
                                         organisation_id=districts.west))


def test_the_user_form_offers_each_organisations_committees_and_members(
        engine, admin, districts):
    with read_session(engine) as session:
        city_view = users.user_choices(session=session, actor=_city_admin(engine, admin))
        east_view = users.user_choices(session=session, actor=districts.east_admin)
    assert list(city_view.organisations.values()) == ["本级政协", "\u3000东城区", "\u3000西城区"]
    assert list(city_view.committees_of(districts.east)) == [districts.east_committee]
    assert set(city_view.members_for(factories.TOP)) == {
        districts.city_member, districts.east_member, districts.west_member}
    assert list(city_view.members_for(districts.east)) == [districts.east_member]
    assert list(east_view.organisations) == [districts.east]
    assert east_view.members_for(factories.TOP) == {}
