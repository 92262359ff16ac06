"""Users: the first administrator and the administration of users."""

import json

import pytest
from sqlmodel import select

from core.db import read_session, write_session
from models import AppSetting, AuditAction, AuditEntry, Role, User
from services import users
from services.errors import PermissionDenied, ValidationFailed
from services.users import UserInput
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
