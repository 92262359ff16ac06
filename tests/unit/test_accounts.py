"""Sign-in, lockout, revocable sessions and user administration."""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from core.db import read_session, write_session
from models import AuditAction, AuditEntry, Role, User
from services import accounts
from services.accounts import SignInResult, UserInput
from services.errors import PermissionDenied, ValidationFailed
from tests import factories

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
IDLE = timedelta(minutes=30)


@pytest.fixture
def admin(engine):
    with write_session(engine) as session:
        user = accounts.create_first_admin(
            session=session, username="Admin", display_name="管理员", password=PASSWORD,
            confirm=PASSWORD,
        )
        return accounts.actor_for(session, user)


def _sign_in(engine, password=PASSWORD, username="admin", now=NOW):
    with write_session(engine) as session:
        return accounts.authenticate(session=session, username=username, password=password,
                                     now=now)


def _actions(engine) -> list[AuditAction]:
    with read_session(engine) as session:
        return list(session.exec(select(AuditEntry.action).order_by(AuditEntry.id)).all())


# --- first run -----------------------------------------------------------------------

def test_first_admin_is_created_once_and_stored_lower_case(engine, admin):
    assert admin.role is Role.ADMIN and admin.name == "admin"
    with pytest.raises(PermissionDenied), write_session(engine) as session:
        accounts.create_first_admin(session=session, username="other", display_name="x",
                                    password=PASSWORD, confirm=PASSWORD)


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
    ],
)
def test_password_policy_is_length_not_composition(engine, password, problem):
    with pytest.raises(ValidationFailed) as caught, write_session(engine) as session:
        accounts.create_first_admin(session=session, username="admin", display_name="管理员",
                                    password=password, confirm=password)
    assert caught.value.field_errors == {"password": problem}


def test_long_chinese_passphrase_is_accepted_whole(engine):
    passphrase = "委员联系界别群众工作平台" * 10  # 120 characters, 360 bytes: beyond bcrypt's 72
    with write_session(engine) as session:
        accounts.create_first_admin(session=session, username="admin", display_name="管理员",
                                    password=passphrase, confirm=passphrase)
    assert _sign_in(engine, passphrase).result is SignInResult.OK
    assert _sign_in(engine, passphrase[:-1] + "台台").result is SignInResult.INVALID


def test_confirmation_must_match(engine):
    with pytest.raises(ValidationFailed) as caught, write_session(engine) as session:
        accounts.create_first_admin(session=session, username="admin", display_name="管理员",
                                    password=PASSWORD, confirm=PASSWORD + "!")
    assert caught.value.field_errors == {"confirm": "password.mismatch"}


# --- sign-in and lockout -------------------------------------------------------------

def test_sign_in_with_the_right_password(engine, admin):
    assert _sign_in(engine).result is SignInResult.OK
    assert _actions(engine)[-1] is AuditAction.SIGN_IN


def test_five_failures_lock_the_account_for_fifteen_minutes(engine, admin):
    results = [_sign_in(engine, "wrong password!!").result for _ in range(5)]
    assert results == [SignInResult.INVALID] * 4 + [SignInResult.LOCKED]
    # even the right password is refused while locked
    assert _sign_in(engine, now=NOW + timedelta(minutes=14)).result is SignInResult.LOCKED
    assert _sign_in(engine, now=NOW + timedelta(minutes=15, seconds=1)).result is SignInResult.OK
    assert AuditAction.LOCKOUT in _actions(engine)


def test_a_success_resets_the_failure_count(engine, admin):
    for _ in range(4):
        _sign_in(engine, "wrong password!!")
    assert _sign_in(engine).result is SignInResult.OK
    for _ in range(4):
        assert _sign_in(engine, "wrong password!!").result is SignInResult.INVALID


def test_unknown_username_answers_like_a_wrong_password_in_the_same_time(engine, admin):
    def timed(username):
        started = time.perf_counter()
        result = _sign_in(engine, "wrong password!!", username=username).result
        return result, time.perf_counter() - started

    known = [timed("admin") for _ in range(3)]
    unknown = [timed("nobody") for _ in range(3)]
    assert {r for r, _ in known} == {r for r, _ in unknown} == {SignInResult.INVALID}
    # both spend one bcrypt check of cost 12 (~tens of ms); a missing check would be ~1000x faster
    assert min(t for _, t in unknown) > 0.3 * min(t for _, t in known)


def test_unknown_username_locks_like_a_real_one_so_lockout_reveals_nothing(engine, admin):
    for username in ("admin", "nobody"):
        results = [_sign_in(engine, "wrong password!!", username=username).result
                   for _ in range(6)]
        assert results == [SignInResult.INVALID] * 4 + [SignInResult.LOCKED] * 2, username


def test_lockout_is_per_username_not_global(engine, admin):
    for _ in range(5):
        _sign_in(engine, "wrong password!!", username="nobody")
    assert _sign_in(engine).result is SignInResult.OK


def test_admin_reset_lifts_a_lockout(engine, admin):
    with write_session(engine) as session:
        clerk = _staff(session, admin)
    for _ in range(5):
        _sign_in(engine, "wrong password!!", username="clerk")
    with write_session(engine) as session:
        accounts.reset_password(session=session, actor=admin, user_id=clerk.id,
                                password="temporary passphrase")
    assert _sign_in(engine, "temporary passphrase", username="clerk").result is SignInResult.OK


def test_deactivated_user_cannot_sign_in(engine, admin):
    with write_session(engine) as session:
        clerk = _staff(session, admin)
        accounts.set_active(session=session, actor=admin, user_id=clerk.id, active=False)
    assert _sign_in(engine, PASSWORD, username="clerk").result is SignInResult.INVALID


# --- sessions ------------------------------------------------------------------------

def _start(engine, user_id, expiry, now=NOW):
    with write_session(engine) as session:
        accounts.start_session(session=session, user_id=user_id, cookie_expiry=expiry, now=now)


def _resume(engine, expiry, now=NOW, username="admin"):
    """What the app does on every run: a read-only check, a write only when needed."""
    with read_session(engine) as session:
        check = accounts.check_session(session=session, username=username,
                                       cookie_expiry=expiry, now=now, idle_timeout=IDLE)
    if check.needs_write:
        with write_session(engine) as session:
            accounts.record_session_check(session=session, check=check, now=now)
    return check.actor


def test_cookie_resumes_its_session(engine, admin):
    expiry = (NOW + timedelta(days=1)).timestamp()
    _start(engine, admin.user_id, expiry)
    assert _resume(engine, expiry, NOW + timedelta(minutes=5)).user_id == admin.user_id


def test_unknown_cookie_is_refused(engine, admin):
    assert _resume(engine, (NOW + timedelta(days=1)).timestamp()) is None


def test_idle_session_times_out_after_thirty_minutes(engine, admin):
    expiry = (NOW + timedelta(days=1)).timestamp()
    _start(engine, admin.user_id, expiry)
    assert _resume(engine, expiry, NOW + timedelta(minutes=29)) is not None
    assert _resume(engine, expiry, NOW + timedelta(minutes=58)) is not None  # activity renewed
    assert _resume(engine, expiry, NOW + timedelta(minutes=89)) is None
    assert _resume(engine, expiry, NOW + timedelta(minutes=90)) is None  # stays ended


def test_sign_out_revokes_every_cookie_of_the_user(engine, admin):
    laptop, phone = (NOW + timedelta(days=1)).timestamp(), (NOW + timedelta(days=2)).timestamp()
    _start(engine, admin.user_id, laptop)
    _start(engine, admin.user_id, phone)
    with write_session(engine) as session:
        accounts.sign_out(session=session, actor=admin, now=NOW)
    assert _resume(engine, laptop) is None and _resume(engine, phone) is None
    assert _actions(engine)[-1] is AuditAction.SIGN_OUT


def test_password_change_revokes_cookies_and_needs_the_current_password(engine, admin):
    expiry = (NOW + timedelta(days=1)).timestamp()
    _start(engine, admin.user_id, expiry)
    new = "a new long passphrase"
    with pytest.raises(ValidationFailed) as caught, write_session(engine) as session:
        accounts.change_own_password(session=session, actor=admin, current="wrong one!!!!",
                                     new=new, confirm=new)
    assert caught.value.field_errors == {"current": "password.wrong_current"}
    with write_session(engine) as session:
        accounts.change_own_password(session=session, actor=admin, current=PASSWORD, new=new,
                                     confirm=new)
    assert _resume(engine, expiry) is None
    assert _sign_in(engine, new).result is SignInResult.OK


def test_deactivation_ends_an_open_session(engine, admin):
    with write_session(engine) as session:
        clerk = _staff(session, admin)
    expiry = (NOW + timedelta(days=1)).timestamp()
    _start(engine, clerk.id, expiry)
    assert _resume(engine, expiry, username="clerk") is not None
    with write_session(engine) as session:
        accounts.set_active(session=session, actor=admin, user_id=clerk.id, active=False)
    assert _resume(engine, expiry, username="clerk") is None


def test_a_change_of_role_or_committees_ends_open_sessions(engine, admin):
    with write_session(engine) as session:
        clerk = _staff(session, admin)
    expiry = (NOW + timedelta(days=1)).timestamp()
    _start(engine, clerk.id, expiry)
    with write_session(engine) as session:
        accounts.update_user(session=session, actor=admin, user_id=clerk.id,
                             data=UserInput("clerk", "办事员", Role.LEADER))
    assert _resume(engine, expiry, username="clerk") is None


def test_a_name_change_keeps_the_session(engine, admin):
    with write_session(engine) as session:
        clerk = _staff(session, admin)
        committees = accounts.actor_for(session, clerk).committee_ids
    expiry = (NOW + timedelta(days=1)).timestamp()
    _start(engine, clerk.id, expiry)
    with write_session(engine) as session:
        accounts.update_user(session=session, actor=admin, user_id=clerk.id,
                             data=UserInput("clerk", "办事员甲", Role.STAFF, committees))
    assert _resume(engine, expiry, username="clerk") is not None


def test_admin_reset_forces_a_change_and_revokes_sessions(engine, admin):
    with write_session(engine) as session:
        clerk = _staff(session, admin)
    expiry = (NOW + timedelta(days=1)).timestamp()
    _start(engine, clerk.id, expiry)
    with write_session(engine) as session:
        accounts.reset_password(session=session, actor=admin, user_id=clerk.id,
                                password="temporary passphrase")
    assert _resume(engine, expiry, username="clerk") is None
    outcome = _sign_in(engine, "temporary passphrase", username="clerk")
    assert outcome.result is SignInResult.OK and outcome.must_change_password


def test_cookie_key_is_generated_once_and_shared(engine):
    with write_session(engine) as session:
        first = accounts.cookie_key(session=session, configured=None)
    with write_session(engine) as session:
        second = accounts.cookie_key(session=session, configured=None)
        configured = accounts.cookie_key(session=session, configured="from-secrets")
    assert first == second and len(first) >= 48
    assert configured == "from-secrets"


# --- user administration -------------------------------------------------------------

def _staff(session, admin):
    org = factories.organisation(session)
    return accounts.create_user(
        session=session, actor=admin, password=PASSWORD,
        data=UserInput(username="clerk", display_name="办事员", role=Role.STAFF,
                       committee_ids=frozenset({org[1].id})),
    )


def test_admin_creates_staff_who_must_change_password(engine, admin):
    with write_session(engine) as session:
        clerk = _staff(session, admin)
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
        clerk = accounts.actor_for(session, _staff(session, admin))
    with pytest.raises(PermissionDenied), write_session(engine) as session:
        accounts.list_users(session=session, actor=clerk)
    with pytest.raises(PermissionDenied), write_session(engine) as session:
        accounts.reset_password(session=session, actor=clerk, user_id=admin.user_id,
                                password="temporary passphrase")


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
        accounts.create_user(session=session, actor=admin, data=data, password=PASSWORD)
    assert caught.value.field_errors[field] == key


def test_user_list_never_contains_password_hashes(engine, admin):
    with read_session(engine) as session:
        table = accounts.list_users(session=session, actor=admin)
    assert "password_hash" not in table.columns
    assert not table.astype(str).apply(lambda c: c.str.contains(r"\$2b\$")).any().any()


def test_admin_cannot_lock_themself_out(engine, admin):
    with pytest.raises(ValidationFailed), write_session(engine) as session:
        accounts.set_active(session=session, actor=admin, user_id=admin.user_id, active=False)
    with pytest.raises(ValidationFailed), write_session(engine) as session:
        accounts.update_user(session=session, actor=admin, user_id=admin.user_id,
                             data=UserInput("admin", "管理员", Role.LEADER))
