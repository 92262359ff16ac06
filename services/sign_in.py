"""Signing in and out, the lockout, revocable sessions and changing one's own password.

The sign-in widget is streamlit-authenticator's; everything that decides is here:
credentials live in the users table, failed attempts and lockouts are counted in the
store (so every app process sees them), and a sign-in cookie is honoured only while its
``AuthSession`` row is open, recent and of the user's current ``session_epoch``.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.clock import to_office_time
from core.db import read_session, write_session
from models import AuditAction, AuthSession, Role, SignInThrottle, User
from services.actors import Actor
from services.audit import audit_detail, record_audit
from services.errors import PermissionDenied, ServiceError, StaleRecord, ValidationFailed
from services.passwords import (
    hash_password,
    new_password_errors,
    spend_equal_time,
    token_digest,
    verify_password,
)
from services.records import insert_if_absent
from services.users import actor_for, normalise_username, user_for_update

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
THROTTLE_RETENTION = timedelta(days=1)  # a throttle row without failures for a day goes
LAST_SEEN_RESOLUTION = timedelta(minutes=1)  # write "last seen" at most once a minute
UNKNOWN_NAME_PREFIX = "#"  # usernames cannot contain it, so a hashed name never clashes


class SignInResult(StrEnum):
    OK = "ok"
    INVALID = "invalid"
    LOCKED = "locked"
    EXPIRED = "expired"  # the right temporary password, past its lifetime


class AccountLocked(ServiceError):
    message_key = "signin.error.locked"


@dataclass(frozen=True)
class SignIn:
    result: SignInResult
    user_id: int | None = None
    locked_until: datetime | None = None
    must_change_password: bool = False


def widget_credentials(*, session: Session) -> dict:
    """What streamlit-authenticator needs to draw and name users: no password hashes
    (our ``check_credentials`` decides, so hashes never leave the services)."""
    users = session.exec(select(User).where(User.is_active)).all()
    return {
        "usernames": {
            user.username: {"name": user.display_name, "password": "", "roles": [user.role.value]}
            for user in users
        }
    }


# --- signing in ------------------------------------------------------------------------


def typed_name_key(username: str, *, server_key: str) -> str:
    """How the store names a typed username that no user has: a keyed hash, because it
    may be a password typed into the wrong field. Without the server's key the hash
    cannot be tested against guesses."""
    key = hmac.new(server_key.encode("utf-8"), b"typed-username", hashlib.sha256).digest()
    digest = hmac.new(key, username.encode("utf-8"), hashlib.sha256).hexdigest()
    return UNKNOWN_NAME_PREFIX + digest[:40]


@dataclass(frozen=True)
class _Attempt:
    """What the read phase of a sign-in learned."""

    typed_name: str  # the username, or the keyed hash of a name no user has
    user_id: int | None
    checked_hash: str | None  # the hash the password was checked against
    password_ok: bool


def authenticate(
    *, engine: Engine, username: str, password: str, now: datetime, server_key: str,
) -> SignIn:
    """Check a sign-in attempt; five failures for a typed username lock it for 15 minutes.

    Failures are counted per typed username, whether a user has it or not, and every path
    spends one bcrypt check: the answer and its timing are the same for a wrong password,
    an unknown or inactive user and a locked name.

    bcrypt (about 0.25 s) runs between two transactions, never inside a write one: on
    SQLite a write transaction holds the store's only write lock, and sign-ins would
    stall every save. The short write transaction that follows re-checks the lockout and
    that the password hash is still the one checked.
    """
    username = normalise_username(username)[:60]
    with read_session(engine) as session:
        user = session.exec(select(User).where(User.username == username)).first()
        typed_name = username if user else typed_name_key(username, server_key=server_key)
        throttle = session.get(SignInThrottle, typed_name)
        locked = throttle is not None and _is_locked(throttle, now)
        usable = user is not None and user.is_active and not locked
        user_id = user.id if user else None
        checked_hash = user.password_hash if usable else None
    if checked_hash is None:
        spend_equal_time(password)
        password_ok = False
    else:
        password_ok = verify_password(password, checked_hash)
    attempt = _Attempt(typed_name, user_id, checked_hash, password_ok)
    with write_session(engine) as session:
        return _record_attempt(session, attempt, now)


def _record_attempt(session: Session, attempt: _Attempt, now: datetime) -> SignIn:
    throttle = _throttle(session, attempt.typed_name)
    user = session.get(User, attempt.user_id) if attempt.user_id else None
    attempt_actor = Actor(user_id=attempt.user_id, name=attempt.typed_name, role=Role.MEMBER)
    if _is_locked(throttle, now):
        _audit_failure(session, attempt_actor, audit_detail("audit.detail.locked"))
        return SignIn(SignInResult.LOCKED, locked_until=throttle.locked_until)
    still_valid = (user is not None and user.is_active
                   and user.password_hash == attempt.checked_hash)
    if attempt.password_ok and still_valid:
        if user.password_expires_at is not None and user.password_expires_at <= now:
            _audit_failure(session, attempt_actor,
                           audit_detail("audit.detail.temporary_password_expired"))
            return SignIn(SignInResult.EXPIRED)
        session.delete(throttle)
        user.last_sign_in_at = now
        record_audit(session=session, actor=attempt_actor, action=AuditAction.SIGN_IN,
                     entity="User", entity_id=user.id)
        return SignIn(SignInResult.OK, user.id, must_change_password=user.must_change_password)
    if user is None or not user.is_active:
        reason = audit_detail("audit.detail.unknown_user")
    else:
        reason = audit_detail("audit.detail.wrong_password",
                              attempt=throttle.failed_attempts + 1)
    _audit_failure(session, attempt_actor, reason)
    if _count_failure(session, throttle, attempt_actor, attempt.user_id, now):
        return SignIn(SignInResult.LOCKED, locked_until=throttle.locked_until)
    return SignIn(SignInResult.INVALID)


# --- the throttle ----------------------------------------------------------------------


def _is_locked(throttle: SignInThrottle, now: datetime) -> bool:
    return throttle.locked_until is not None and throttle.locked_until > now


def _count_failure(
    session: Session, throttle: SignInThrottle, actor: Actor, user_id: int | None,
    now: datetime,
) -> bool:
    """Count one failure; True when it locked the name (which is then audited). Failures
    older than ``THROTTLE_RETENTION`` are forgotten, whether or not the row was purged."""
    last = throttle.last_failed_at
    if last is not None and last < now - THROTTLE_RETENTION:
        throttle.failed_attempts = 0
    throttle.failed_attempts += 1
    throttle.last_failed_at = now
    _purge_old_throttles(session, now, keep=throttle.username)
    if throttle.failed_attempts < MAX_FAILED_ATTEMPTS:
        return False
    throttle.failed_attempts = 0
    throttle.locked_until = now + LOCKOUT
    record_audit(session=session, actor=actor, action=AuditAction.LOCKOUT,
                 entity="User" if user_id else None, entity_id=user_id,
                 detail=audit_detail("audit.detail.locked_until",
                                     until=throttle.locked_until.isoformat()))
    return True


def _purge_old_throttles(session: Session, now: datetime, *, keep: str) -> None:
    """Forget names with no failure for a day (or none at all) and no lockout running.
    Rows another transaction holds are skipped (PostgreSQL): two failures purging at once
    must not wait for each other's row."""
    stale = (
        select(SignInThrottle.username)
        .where(
            SignInThrottle.username != keep,
            or_(col(SignInThrottle.last_failed_at).is_(None),
                col(SignInThrottle.last_failed_at) < now - THROTTLE_RETENTION),
            or_(col(SignInThrottle.locked_until).is_(None), SignInThrottle.locked_until <= now),
        )
        .with_for_update(skip_locked=True)
    )
    names = session.exec(stale).all()
    if names:
        session.execute(delete(SignInThrottle).where(col(SignInThrottle.username).in_(names)))


def _throttle(session: Session, username: str) -> SignInThrottle:
    """The name's failure count, locked for this transaction (created if new)."""
    insert_if_absent(session, SignInThrottle, {"username": username, "failed_attempts": 0},
                     key="username")
    return session.exec(
        select(SignInThrottle).where(SignInThrottle.username == username).with_for_update()
    ).one()


def _audit_failure(session: Session, actor: Actor, detail: str) -> None:
    record_audit(session=session, actor=actor, action=AuditAction.SIGN_IN_FAILED,
                 entity="User" if actor.user_id else None, entity_id=actor.user_id,
                 detail=detail)


def _locked_error(locked_until: datetime | None) -> AccountLocked:
    until = to_office_time(locked_until).strftime("%H:%M") if locked_until else ""
    return AccountLocked(until=until)


# --- sessions --------------------------------------------------------------------------


def start_session(
    *, session: Session, user_id: int, cookie_expiry: float, now: datetime,
) -> str:
    """Open a session row for a new sign-in cookie; returns the random token the cookie
    carries (the store keeps only its hash)."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise PermissionDenied()
    token = secrets.token_urlsafe(32)
    session.add(AuthSession(
        user_id=user_id, token_hash=token_digest(token), cookie_expiry=cookie_expiry,
        epoch=user.session_epoch, started_at=now, last_seen_at=now,
    ))
    session.flush()
    return token


@dataclass(frozen=True)
class SessionCheck:
    """What a sign-in cookie is worth now: the actor, or None; and whether the session
    row needs a write (recent activity to note, or an end to record)."""

    actor: Actor | None
    session_id: int | None = None
    note_activity: bool = False
    end: bool = False

    @property
    def needs_write(self) -> bool:
        return self.note_activity or self.end


def check_session(
    *, session: Session, token: str, now: datetime, idle_timeout: timedelta,
) -> SessionCheck:
    """Read-only check of a sign-in cookie's session token on every run: it is what makes
    a copied cookie useless after sign-out, and it takes no write lock unless something
    changed."""
    row = session.exec(
        select(AuthSession, User)
        .join(User, col(AuthSession.user_id) == User.id)
        .where(AuthSession.token_hash == token_digest(token))
    ).first()
    if row is None:
        return SessionCheck(actor=None)
    auth_session, user = row
    if auth_session.ended_at is not None:
        return SessionCheck(actor=None)
    if (auth_session.epoch != user.session_epoch or not user.is_active
            or auth_session.cookie_expiry <= now.timestamp()
            or now - auth_session.last_seen_at > idle_timeout):
        return SessionCheck(actor=None, session_id=auth_session.id, end=True)
    return SessionCheck(
        actor=actor_for(session, user),
        session_id=auth_session.id,
        note_activity=now - auth_session.last_seen_at >= LAST_SEEN_RESOLUTION,
    )


def record_session_check(*, session: Session, check: SessionCheck, now: datetime) -> None:
    auth_session = session.get(AuthSession, check.session_id) if check.session_id else None
    if auth_session is None or auth_session.ended_at is not None:
        return
    if check.end:
        auth_session.ended_at = now
    elif check.note_activity:
        auth_session.last_seen_at = max(auth_session.last_seen_at, now)


def sign_out(*, session: Session, actor: Actor, now: datetime) -> None:
    """Ends every session of the user: any copy of any of their cookies stops working."""
    if actor.user_id is None:
        return
    user = user_for_update(session, actor.user_id)
    user.session_epoch += 1
    open_sessions = session.exec(
        select(AuthSession)
        .where(AuthSession.user_id == user.id, col(AuthSession.ended_at).is_(None))
    )
    for auth_session in open_sessions:
        auth_session.ended_at = now
    record_audit(session=session, actor=actor, action=AuditAction.SIGN_OUT,
                 entity="User", entity_id=user.id)


# --- changing one's own password -------------------------------------------------------


@dataclass(frozen=True)
class _PasswordChange:
    """What the read phase of a password change saw and decided, outside any write."""

    username: str
    checked_hash: str
    epoch: int
    current_ok: bool
    errors: dict[str, str]
    new_hash: str | None


def change_own_password(
    *, engine: Engine, actor: Actor, current: str, new: str, confirm: str, now: datetime,
) -> None:
    """Every cookie of the user is revoked: they sign in again with the new password.

    A wrong current password counts with the sign-in throttle, in a transaction of its
    own (the count stays although the change fails): five lock the name for sign-in and
    for this form, and end the user's sessions. As in ``authenticate``, bcrypt runs
    before the short write transaction, which re-checks the lockout, the session epoch
    and the hash: a correct guess still in flight when the fifth wrong one locked the
    name changes nothing."""
    if actor.user_id is None:
        raise PermissionDenied()
    with read_session(engine) as session:
        user = session.get(User, actor.user_id)
        if user is None or not user.is_active:
            raise PermissionDenied()
        username, display_name = user.username, user.display_name
        checked_hash, epoch = user.password_hash, user.session_epoch
    current_ok = verify_password(current, checked_hash)
    errors: dict[str, str] = {}
    new_hash = None
    if current_ok:
        errors = new_password_errors(new, confirm, username=username, display_name=display_name)
        if not errors and verify_password(new, checked_hash):
            errors["password"] = "password.same_as_old"
        new_hash = None if errors else hash_password(new)
    change = _PasswordChange(username, checked_hash, epoch, current_ok, errors, new_hash)
    with write_session(engine) as session:
        refusal = _record_password_change(session, actor, change, now)
    if refusal is not None:
        raise refusal


def _record_password_change(
    session: Session, actor: Actor, change: _PasswordChange, now: datetime,
) -> ServiceError | None:
    """Write what the attempt earned; the refusal to raise once this is committed."""
    throttle = _throttle(session, change.username)
    user = user_for_update(session, actor.user_id)
    if _is_locked(throttle, now):
        _audit_failure(session, actor, audit_detail("audit.detail.locked"))
        return _locked_error(throttle.locked_until)
    if user.session_epoch != change.epoch or user.password_hash != change.checked_hash:
        return StaleRecord()  # signed out, reset or changed meanwhile
    if not change.current_ok:
        _audit_failure(session, actor, audit_detail("audit.detail.wrong_current_password",
                                                    attempt=throttle.failed_attempts + 1))
        if _count_failure(session, throttle, actor, actor.user_id, now):
            user.session_epoch += 1  # whoever is guessing in this session is signed out
            return _locked_error(throttle.locked_until)
        return ValidationFailed({"current": "password.wrong_current"})
    if change.errors:
        return ValidationFailed(change.errors)
    user.password_hash = change.new_hash
    user.must_change_password = False
    user.password_expires_at = None
    user.session_epoch += 1
    session.delete(throttle)
    record_audit(
        session=session, actor=actor, action=AuditAction.UPDATE, entity="User",
        entity_id=user.id, detail=audit_detail("audit.detail.password_changed"),
    )
    return None
