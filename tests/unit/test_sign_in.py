"""Signing in, the lockout, revocable sessions and changing one's own password."""

import threading
import time
from datetime import timedelta

import pytest
from sqlmodel import select

from core.db import get_engine, read_session, write_session
from models import AppSetting, AuditAction, AuditEntry, AuthSession, Role, SignInThrottle, User
from services import sign_in, users
from services.errors import ValidationFailed
from services.sign_in import SignInResult
from services.users import UserInput
from tests.helpers import factories
from tests.helpers.users import NOW, PASSWORD, first_admin, setup_token, staff_user

IDLE = timedelta(minutes=30)
SERVER_KEY = "k" * 16 + "a test server key"


def _sign_in(engine, password=PASSWORD, username="admin", now=NOW):
    return sign_in.authenticate(engine=engine, username=username, password=password, now=now,
                                server_key=SERVER_KEY)


def _actions(engine) -> list[AuditAction]:
    with read_session(engine) as session:
        return list(session.exec(select(AuditEntry.action).order_by(AuditEntry.id)).all())


def test_long_chinese_passphrase_is_accepted_whole(engine):
    passphrase = "委员联系界别群众工作平台" * 10  # 120 characters, 360 bytes: beyond bcrypt's 72
    first_admin(engine, setup_token(engine), password=passphrase, confirm=passphrase)
    assert _sign_in(engine, passphrase).result is SignInResult.OK
    assert _sign_in(engine, passphrase[:-1] + "台台").result is SignInResult.INVALID


# --- signing in and the lockout ---------------------------------------------------


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
        clerk = staff_user(session, admin)
    for _ in range(5):
        _sign_in(engine, "wrong password!!", username="clerk")
    with write_session(engine) as session:
        users.reset_password(session=session, actor=admin, user_id=clerk.id,
                             password="temporary passphrase", now=NOW)
    assert _sign_in(engine, "temporary passphrase", username="clerk").result is SignInResult.OK


def test_deactivated_user_cannot_sign_in(engine, admin):
    with write_session(engine) as session:
        clerk = staff_user(session, admin)
        users.set_active(session=session, actor=admin, user_id=clerk.id, active=False)
    assert _sign_in(engine, PASSWORD, username="clerk").result is SignInResult.INVALID


# --- sessions ------------------------------------------------------------------------


def _start(engine, user_id, expiry, now=NOW) -> str:
    """A new sign-in: the token its cookie carries."""
    with write_session(engine) as session:
        return sign_in.start_session(session=session, user_id=user_id, cookie_expiry=expiry,
                                     now=now)


def _resume(engine, token, now=NOW):
    """What the app does on every run: a read-only check, a write only when needed."""
    with read_session(engine) as session:
        check = sign_in.check_session(session=session, token=token, now=now,
                                      idle_timeout=IDLE)
    if check.needs_write:
        with write_session(engine) as session:
            sign_in.record_session_check(session=session, check=check, now=now)
    return check.actor


def test_cookie_resumes_its_session(engine, admin):
    token = _start(engine, admin.user_id, (NOW + timedelta(days=1)).timestamp())
    assert _resume(engine, token, NOW + timedelta(minutes=5)).user_id == admin.user_id


def test_unknown_cookie_is_refused(engine, admin):
    _start(engine, admin.user_id, (NOW + timedelta(days=1)).timestamp())
    assert _resume(engine, "a token nobody issued") is None


def test_reading_the_store_is_not_enough_to_forge_a_session_cookie(engine, admin):
    """Finding 5: the cookie key and the session rows (username + expiry) sat in the same
    store, so read access was enough to make an administrator's cookie. The cookie now
    carries a random token of which the store keeps only the hash."""
    token = _start(engine, admin.user_id, (NOW + timedelta(days=1)).timestamp())
    with read_session(engine) as session:
        rows = session.exec(select(AuthSession)).all()
        stored = " ".join(str(value) for row in rows for value in row.model_dump().values())
        settings = " ".join(session.exec(select(AppSetting.value)).all())
    assert token not in stored and token not in settings
    for row in rows:  # whatever an attacker read is not a token the store accepts
        assert _resume(engine, row.token_hash) is None
        assert _resume(engine, str(row.cookie_expiry)) is None
    assert _resume(engine, token) is not None


def test_idle_session_times_out_after_thirty_minutes(engine, admin):
    token = _start(engine, admin.user_id, (NOW + timedelta(days=1)).timestamp())
    assert _resume(engine, token, NOW + timedelta(minutes=29)) is not None
    assert _resume(engine, token, NOW + timedelta(minutes=58)) is not None  # activity renewed
    assert _resume(engine, token, NOW + timedelta(minutes=89)) is None
    assert _resume(engine, token, NOW + timedelta(minutes=90)) is None  # stays ended


def test_session_ends_with_its_cookie(engine, admin):
    token = _start(engine, admin.user_id, (NOW + timedelta(hours=1)).timestamp())
    assert _resume(engine, token, NOW + timedelta(minutes=20)) is not None
    assert _resume(engine, token, NOW + timedelta(minutes=61)) is None


def test_sign_out_revokes_every_cookie_of_the_user(engine, admin):
    laptop = _start(engine, admin.user_id, (NOW + timedelta(days=1)).timestamp())
    phone = _start(engine, admin.user_id, (NOW + timedelta(days=2)).timestamp())
    with write_session(engine) as session:
        sign_in.sign_out(session=session, actor=admin, now=NOW)
    assert _resume(engine, laptop) is None and _resume(engine, phone) is None
    assert _actions(engine)[-1] is AuditAction.SIGN_OUT


# --- changing one's own password ----------------------------------------------------


def _change_password(engine, actor, current, new="a new long passphrase", now=NOW):
    sign_in.change_own_password(engine=engine, actor=actor, current=current, new=new,
                                confirm=new, now=now)


def test_password_change_revokes_cookies_and_needs_the_current_password(engine, admin):
    token = _start(engine, admin.user_id, (NOW + timedelta(days=1)).timestamp())
    with pytest.raises(ValidationFailed) as caught:
        _change_password(engine, admin, "wrong one!!!!")
    assert caught.value.field_errors == {"current": "password.wrong_current"}
    _change_password(engine, admin, PASSWORD)
    assert _resume(engine, token) is None
    assert _sign_in(engine, "a new long passphrase").result is SignInResult.OK


def test_wrong_current_passwords_are_throttled_and_audited(engine, admin):
    """Finding 8: the account page let a session guess the password without limit or trace.
    The failures count with the sign-in throttle: five lock the name for sign-in and for
    the form, and end the guessing session."""
    token = _start(engine, admin.user_id, (NOW + timedelta(days=1)).timestamp())
    for _ in range(4):
        with pytest.raises(ValidationFailed):
            _change_password(engine, admin, "wrong one!!!!")
    with pytest.raises(sign_in.AccountLocked):
        _change_password(engine, admin, "wrong one!!!!")
    with pytest.raises(sign_in.AccountLocked):  # even the right one, while locked
        _change_password(engine, admin, PASSWORD, now=NOW + timedelta(minutes=1))
    assert _resume(engine, token) is None
    assert _sign_in(engine, now=NOW + timedelta(minutes=2)).result is SignInResult.LOCKED
    actions = _actions(engine)
    assert actions.count(AuditAction.SIGN_IN_FAILED) >= 5 and AuditAction.LOCKOUT in actions
    _change_password(engine, admin, PASSWORD, now=NOW + timedelta(minutes=16))


def test_a_correct_guess_in_flight_when_the_name_locks_changes_nothing(engine, admin,
                                                                      monkeypatch):
    """Several tabs sharing one stolen cookie: the fifth wrong guess locks the name while a
    correct one is still being checked; the correct one must not change the password nor
    lift the lock."""
    real_verify = sign_in.verify_password
    other_tabs_guessed = []

    def verify(password, password_hash):
        if password == PASSWORD and not other_tabs_guessed:
            other_tabs_guessed.append(True)
            for _ in range(5):
                with pytest.raises((ValidationFailed, sign_in.AccountLocked)):
                    _change_password(engine, admin, "wrong one!!!!")
        return real_verify(password, password_hash)

    monkeypatch.setattr(sign_in, "verify_password", verify)
    with pytest.raises(sign_in.AccountLocked):
        _change_password(engine, admin, PASSWORD)
    assert _sign_in(engine, now=NOW + timedelta(minutes=1)).result is SignInResult.LOCKED
    assert _sign_in(engine, now=NOW + timedelta(minutes=16)).result is SignInResult.OK


def test_a_wrong_current_password_does_not_change_the_password(engine, admin):
    with pytest.raises(ValidationFailed):
        _change_password(engine, admin, "wrong one!!!!")
    assert _sign_in(engine).result is SignInResult.OK


def test_deactivation_ends_an_open_session(engine, admin):
    with write_session(engine) as session:
        clerk = staff_user(session, admin)
    token = _start(engine, clerk.id, (NOW + timedelta(days=1)).timestamp())
    assert _resume(engine, token) is not None
    with write_session(engine) as session:
        users.set_active(session=session, actor=admin, user_id=clerk.id, active=False)
    assert _resume(engine, token) is None


def test_a_change_of_role_or_committees_ends_open_sessions(engine, admin):
    with write_session(engine) as session:
        clerk = staff_user(session, admin)
    token = _start(engine, clerk.id, (NOW + timedelta(days=1)).timestamp())
    with write_session(engine) as session:
        users.update_user(session=session, actor=admin, user_id=clerk.id,
                          data=UserInput("clerk", "办事员", Role.LEADER))
    assert _resume(engine, token) is None


def test_a_name_change_keeps_the_session(engine, admin):
    with write_session(engine) as session:
        clerk = staff_user(session, admin)
        committees = users.actor_for(session, clerk).committee_ids
    token = _start(engine, clerk.id, (NOW + timedelta(days=1)).timestamp())
    with write_session(engine) as session:
        users.update_user(session=session, actor=admin, user_id=clerk.id,
                          data=UserInput("clerk", "办事员甲", Role.STAFF, committees))
    assert _resume(engine, token) is not None


def test_admin_reset_forces_a_change_and_revokes_sessions(engine, admin):
    with write_session(engine) as session:
        clerk = staff_user(session, admin)
    token = _start(engine, clerk.id, (NOW + timedelta(days=1)).timestamp())
    with write_session(engine) as session:
        users.reset_password(session=session, actor=admin, user_id=clerk.id,
                             password="temporary passphrase", now=NOW)
    assert _resume(engine, token) is None
    outcome = _sign_in(engine, "temporary passphrase", username="clerk")
    assert outcome.result is SignInResult.OK and outcome.must_change_password


def test_temporary_passwords_expire(engine, admin):
    """Finding 9: a first or reset password set by an administrator stops working after
    three days; once the user has chosen their own, it does not expire."""
    with write_session(engine) as session:
        clerk = staff_user(session, admin)
    late = NOW + users.TEMPORARY_PASSWORD_LIFETIME + timedelta(seconds=1)
    assert _sign_in(engine, username="clerk", now=late).result is SignInResult.EXPIRED
    with write_session(engine) as session:
        users.reset_password(session=session, actor=admin, user_id=clerk.id,
                             password="temporary passphrase", now=late)
    assert _sign_in(engine, "temporary passphrase", "clerk", now=late).result is SignInResult.OK
    with read_session(engine) as session:
        clerk_actor = users.actor_for(session, session.get(User, clerk.id))
    _change_password(engine, clerk_actor, "temporary passphrase", now=late)
    years_later = late + timedelta(days=3 * 365)
    assert _sign_in(engine, "a new long passphrase", "clerk",
                    now=years_later).result is SignInResult.OK


def test_a_save_is_not_blocked_while_a_sign_in_checks_its_password(sqlite_url, monkeypatch):
    """Finding 4: bcrypt ran inside the write transaction, so on SQLite (one write lock for
    the whole store) every save waited for every sign-in: 8 ms alone, 2.7 s behind 8
    sign-ins. Here a sign-in is held in the middle of its password check while another
    user saves."""
    engine = get_engine(sqlite_url)
    first_admin(engine, setup_token(engine))
    checking, release = threading.Event(), threading.Event()
    real_verify = sign_in.verify_password

    def slow_verify(password, password_hash):
        checking.set()
        release.wait(timeout=20)
        return real_verify(password, password_hash)

    monkeypatch.setattr(sign_in, "verify_password", slow_verify)
    signing_in = threading.Thread(target=_sign_in, args=(engine,))
    signing_in.start()
    try:
        assert checking.wait(timeout=10)
        saved = threading.Event()

        def save():
            with write_session(engine) as session:
                factories.organisation(session)
            saved.set()

        saver = threading.Thread(target=save)
        saver.start()
        assert saved.wait(timeout=3), "a save waited for a sign-in's password check"
    finally:
        release.set()
        signing_in.join(timeout=20)
        saver.join(timeout=20)
    assert _actions(engine)[-1] is AuditAction.SIGN_IN


def test_a_password_reset_during_a_sign_in_is_not_undone(engine, admin, monkeypatch):
    """The sign-in's write re-checks that the hash it checked is still the stored one."""
    real_verify = sign_in.verify_password

    def verify_then_reset(password, password_hash):
        ok = real_verify(password, password_hash)
        with write_session(engine) as session:
            users.reset_password(session=session, actor=admin, user_id=admin.user_id,
                                 password="temporary passphrase", now=NOW)
        return ok

    monkeypatch.setattr(sign_in, "verify_password", verify_then_reset)
    assert _sign_in(engine).result is SignInResult.INVALID


def test_unknown_usernames_are_kept_only_as_keyed_hashes(engine, admin):
    """Finding 11: whatever was typed as a username stayed forever in the append-only
    audit, a password typed into the wrong field included."""
    typed = "my secret passphrase typed as a username"
    for _ in range(5):
        _sign_in(engine, "anything at all", username=typed)
    with read_session(engine) as session:
        names = session.exec(select(AuditEntry.actor_name)).all()
        throttled = session.exec(select(SignInThrottle.username)).all()
    stored = " ".join([*names, *throttled])
    assert typed not in stored and "secret" not in stored
    hashed = sign_in.typed_name_key(typed, server_key=SERVER_KEY)
    assert hashed in names and hashed in throttled and hashed.startswith("#")
    assert hashed != sign_in.typed_name_key(typed, server_key=SERVER_KEY + "other")
    # known usernames stay readable: the audit must say whose account was attacked
    _sign_in(engine, "wrong password!!")
    assert _actor_names(engine)[-1] == "admin"
    # and the hashed name is locked like any other
    assert _sign_in(engine, "anything at all", username=typed).result is SignInResult.LOCKED


def _actor_names(engine) -> list[str]:
    with read_session(engine) as session:
        return list(session.exec(select(AuditEntry.actor_name).order_by(AuditEntry.id)).all())


def test_failures_older_than_a_day_are_forgotten_and_new_ones_count(engine, admin):
    for _ in range(4):
        _sign_in(engine, "wrong password!!")
    later = NOW + sign_in.THROTTLE_RETENTION + timedelta(hours=1)
    results = [_sign_in(engine, "wrong password!!", now=later).result for _ in range(5)]
    assert results == [SignInResult.INVALID] * 4 + [SignInResult.LOCKED]


def test_throttle_rows_without_failures_for_a_day_are_purged(engine, admin):
    for name in ("nobody", "admin"):
        _sign_in(engine, "wrong password!!", username=name)
    for _ in range(5):  # a lockout still running is kept whatever its age
        _sign_in(engine, "wrong password!!", username="locked one")
    next_day = NOW + sign_in.THROTTLE_RETENTION + timedelta(minutes=1)
    with write_session(engine) as session:
        session.get(SignInThrottle, sign_in.typed_name_key(
            "locked one", server_key=SERVER_KEY)).locked_until = next_day + timedelta(hours=1)
    _sign_in(engine, "wrong password!!", username="someone else", now=next_day)
    with read_session(engine) as session:
        left = set(session.exec(select(SignInThrottle.username)).all())
    key = sign_in.typed_name_key
    assert left == {key("locked one", server_key=SERVER_KEY),
                    key("someone else", server_key=SERVER_KEY)}


def test_a_presentation_keeps_its_sign_in_alive_but_a_live_dashboard_does_not(
        engine, admin, monkeypatch):
    """``ui.auth.still_signed_in``, what a live fragment's rerun asks: by default it only
    reads (an open dashboard nobody touches still times out); for a presentation
    (``activity=True``, pages/meeting.py) it notes the activity, so the projector is not
    sent to the sign-in page in the middle of the meeting."""
    from ui import auth
    token = _start(engine, admin.user_id, (NOW + timedelta(days=1)).timestamp())
    monkeypatch.setattr(auth.st, "session_state", {auth._SESSION: token})

    def last_seen():
        with read_session(engine) as session:
            return session.exec(select(AuthSession.last_seen_at)).one()

    monkeypatch.setattr(auth.clock, "now", lambda: NOW + timedelta(minutes=20))
    before = last_seen()
    assert auth.still_signed_in(engine, admin)
    assert last_seen() == before  # read only
    assert auth.still_signed_in(engine, admin, activity=True)
    assert last_seen() > before  # noted
    monkeypatch.setattr(auth.clock, "now", lambda: NOW + timedelta(minutes=45))
    assert auth.still_signed_in(engine, admin)  # 25 minutes after the presentation's run
    assert _resume(engine, token, NOW + timedelta(minutes=45)) is not None
