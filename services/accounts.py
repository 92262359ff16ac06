"""Users, sign-in, lockout and revocable sessions.

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

import pandas as pd
from sqlalchemy import delete, func, or_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.clock import to_office_time
from core.db import ConfigurationProblem, read_session, write_session
from core.locks import AdvisoryLock
from models import (
    AppSetting,
    AuditAction,
    AuthSession,
    Member,
    Role,
    SignInThrottle,
    User,
    UserCommittee,
)
from services.actors import SYSTEM, Actor
from services.audit import audit_detail, record_audit
from services.errors import PermissionDenied, ServiceError, StaleRecord, ValidationFailed
from services.passwords import hash_password, password_problem, spend_equal_time, verify_password

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
THROTTLE_RETENTION = timedelta(days=1)  # a throttle row without failures for a day goes
TEMPORARY_PASSWORD_LIFETIME = timedelta(days=3)
LAST_SEEN_RESOLUTION = timedelta(minutes=1)  # write "last seen" at most once a minute
COOKIE_KEY_SETTING = "auth.cookie_key"
SETUP_TOKEN_SETTING = "first_run.token_hash"  # not "setup.…": that is the catalog's
MIN_CONFIGURED_KEY_LENGTH = 32
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


@dataclass(frozen=True)
class UserInput:
    username: str
    display_name: str
    role: Role
    committee_ids: frozenset[int] = frozenset()
    member_id: int | None = None


# --- reading users -------------------------------------------------------------------


def normalise_username(username: str) -> str:
    """The sign-in widget lower-cases and strips usernames; we store them the same way."""
    return username.strip().lower()


def has_users(*, session: Session) -> bool:
    return session.exec(select(User.id).limit(1)).first() is not None


def _committee_ids(session: Session, user_id: int) -> frozenset[int]:
    rows = session.exec(select(UserCommittee.committee_id).where(UserCommittee.user_id == user_id))
    return frozenset(rows.all())


def actor_for(session: Session, user: User) -> Actor:
    return Actor(
        user_id=user.id,
        name=user.username,
        role=user.role,
        committee_ids=_committee_ids(session, user.id),
        member_id=user.member_id,
        display_name=user.display_name,
        must_change_password=user.must_change_password,
    )


def active_actor(*, session: Session, user_id: int) -> Actor | None:
    user = session.get(User, user_id)
    return actor_for(session, user) if user is not None and user.is_active else None


def widget_credentials(*, session: Session) -> dict:
    """What streamlit-authenticator needs to draw and name users: no password hashes
    (our ``check_credentials`` decides, so hashes never leave this module)."""
    users = session.exec(select(User).where(User.is_active)).all()
    return {
        "usernames": {
            user.username: {"name": user.display_name, "password": "", "roles": [user.role.value]}
            for user in users
        }
    }


# --- validation ------------------------------------------------------------------------


def _validate_user(session: Session, data: UserInput, *, user_id: int | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    username = normalise_username(data.username)
    if not 3 <= len(username) <= 60 or not username.replace("_", "").replace(".", "").isalnum():
        errors["username"] = "users.error.username_format"
    else:
        clash = session.exec(select(User.id).where(User.username == username)).first()
        if clash is not None and clash != user_id:
            errors["username"] = "users.error.username_taken"
    if not data.display_name.strip():
        errors["display_name"] = "users.error.display_name_required"
    if data.role is Role.STAFF and not data.committee_ids:
        errors["committee_ids"] = "users.error.staff_needs_committee"
    if data.role is Role.MEMBER:
        if data.member_id is None:
            errors["member_id"] = "users.error.member_needs_link"
        elif session.get(Member, data.member_id) is None:
            errors["member_id"] = "users.error.member_unknown"
    return errors


def _password_errors(
    password: str, confirm: str | None, username: str, display_name: str = "",
) -> dict[str, str]:
    if problem := password_problem(password, username=username, known_words=(display_name,)):
        return {"password": problem}
    if confirm is not None and confirm.strip() != password.strip():
        return {"confirm": "password.mismatch"}
    return {}


def _user_snapshot(session: Session, user: User) -> dict:
    """Audit view of a user: never the password hash."""
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role.value,
        "member_id": user.member_id,
        "is_active": user.is_active,
        "committee_ids": sorted(_committee_ids(session, user.id)) if user.id else [],
    }


def _set_committees(session: Session, user_id: int, committee_ids: frozenset[int]) -> None:
    for link in session.exec(select(UserCommittee).where(UserCommittee.user_id == user_id)):
        session.delete(link)
    session.flush()
    session.add_all(UserCommittee(user_id=user_id, committee_id=c) for c in sorted(committee_ids))


# --- creating and changing users -----------------------------------------------------


def token_digest(token: str) -> str:
    """What the store keeps of a secret token (session, setup): its SHA-256."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _normalise_setup_token(token: str) -> str:
    """People copy the token from a console: spaces, dashes and case do not matter."""
    return "".join(c for c in token.lower() if c.isalnum())


def _lock_first_run(session: Session) -> None:
    """Two processes (or two browsers) finishing the first run at once: one wins."""
    if session.get_bind().dialect.name == "postgresql":
        session.exec(select(func.pg_advisory_xact_lock(AdvisoryLock.FIRST_ADMIN.value)))


def issue_setup_token(*, session: Session) -> str | None:
    """A new one-time token for the first-run form, while the store has no user: the
    start command prints it to the server's console, so only whoever can read that
    console can create the first administrator. The store keeps its hash; a new token
    replaces the previous one. None once a user exists."""
    _lock_first_run(session)
    if has_users(session=session):
        return None
    token = secrets.token_hex(12)
    session.execute(delete(AppSetting).where(AppSetting.key == SETUP_TOKEN_SETTING))
    session.add(AppSetting(key=SETUP_TOKEN_SETTING,
                           value=token_digest(_normalise_setup_token(token))))
    return "-".join(token[i:i + 4] for i in range(0, len(token), 4))


def _consume_setup_token(session: Session) -> None:
    session.execute(delete(AppSetting).where(AppSetting.key == SETUP_TOKEN_SETTING))


def create_first_admin(
    *, session: Session, username: str, display_name: str, password: str, confirm: str,
    setup_token: str,
) -> User:
    """First run: the one moment a user is created without a signed-in administrator. It
    needs the one-time token the start command printed (``issue_setup_token``)."""
    _lock_first_run(session)
    if has_users(session=session):
        raise PermissionDenied("setup.error.already_done")
    stored = session.exec(
        select(AppSetting.value).where(AppSetting.key == SETUP_TOKEN_SETTING)
    ).first()
    data = UserInput(username=username, display_name=display_name, role=Role.ADMIN)
    errors = _validate_user(session, data, user_id=None)
    if stored is None:
        errors["setup_token"] = "setup.error.no_token"
    elif not hmac.compare_digest(stored, token_digest(_normalise_setup_token(setup_token))):
        errors["setup_token"] = "setup.error.wrong_token"
    if errors:  # every field's message at once, the password's too
        raise ValidationFailed(errors | _password_errors(password, confirm, username,
                                                          display_name))
    user = _insert_user(session, SYSTEM, data, password, confirm)
    _consume_setup_token(session)
    return user


def create_admin(*, session: Session, username: str, display_name: str, password: str) -> User:
    """``manage.py create-admin``: whoever runs commands on the server may create an
    administrator at any time (the first one, or a new one when all are locked out)."""
    _lock_first_run(session)
    data = UserInput(username=username, display_name=display_name, role=Role.ADMIN)
    user = _insert_user(session, SYSTEM, data, password, None)
    _consume_setup_token(session)
    return user


def create_user(
    *, session: Session, actor: Actor, data: UserInput, password: str, now: datetime,
    confirm: str | None = None,
) -> User:
    """An administrator creates a user with a first password they must change, and which
    stops working after ``TEMPORARY_PASSWORD_LIFETIME``."""
    actor.require_role(Role.ADMIN)
    return _insert_user(session, actor, data, password, confirm,
                        expires_at=now + TEMPORARY_PASSWORD_LIFETIME)


def _insert_user(
    session: Session, actor: Actor, data: UserInput, password: str, confirm: str | None,
    *, expires_at: datetime | None = None,
) -> User:
    """A temporary password (``expires_at`` set) must be changed at the first sign-in."""
    errors = _validate_user(session, data, user_id=None)
    errors |= _password_errors(password, confirm, data.username, data.display_name)
    if errors:
        raise ValidationFailed(errors)
    user = User(
        username=normalise_username(data.username),
        display_name=data.display_name.strip(),
        password_hash=hash_password(password),
        role=data.role,
        member_id=data.member_id if data.role is Role.MEMBER else None,
        must_change_password=expires_at is not None,
        password_expires_at=expires_at,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:  # another administrator took the name a moment ago
        raise ValidationFailed({"username": "users.error.username_taken"}) from exc
    committees = data.committee_ids if data.role is Role.STAFF else frozenset()
    _set_committees(session, user.id, committees)
    session.flush()
    record_audit(
        session=session, actor=actor, action=AuditAction.CREATE, entity="User",
        entity_id=user.id, after=_user_snapshot(session, user),
    )
    return user


def _load_user_for_update(session: Session, user_id: int) -> User:
    user = session.exec(select(User).where(User.id == user_id).with_for_update()).first()
    if user is None:
        raise StaleRecord()
    return user


def update_user(*, session: Session, actor: Actor, user_id: int, data: UserInput) -> User:
    actor.require_role(Role.ADMIN)
    user = _load_user_for_update(session, user_id)
    errors = _validate_user(session, data, user_id=user_id)
    if user_id == actor.user_id and data.role is not Role.ADMIN:
        errors["role"] = "users.error.cannot_demote_self"
    if errors:
        raise ValidationFailed(errors)
    before = _user_snapshot(session, user)
    user.display_name = data.display_name.strip()
    if user.role is not data.role or before["committee_ids"] != sorted(data.committee_ids):
        user.session_epoch += 1  # new rights take effect at the next sign-in
    user.role = data.role
    user.member_id = data.member_id if data.role is Role.MEMBER else None
    committees = data.committee_ids if data.role is Role.STAFF else frozenset()
    _set_committees(session, user.id, committees)
    session.flush()
    after = _user_snapshot(session, user)
    changed = {key for key in after if before[key] != after[key]}
    if changed:
        record_audit(
            session=session, actor=actor, action=AuditAction.UPDATE, entity="User",
            entity_id=user.id, before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return user


def set_active(*, session: Session, actor: Actor, user_id: int, active: bool) -> None:
    """Deactivating ends every session of the user at once."""
    actor.require_role(Role.ADMIN)
    if user_id == actor.user_id and not active:
        raise ValidationFailed({"is_active": "users.error.cannot_deactivate_self"})
    user = _load_user_for_update(session, user_id)
    if user.is_active == active:
        return
    user.is_active = active
    user.session_epoch += 1
    record_audit(
        session=session, actor=actor, action=AuditAction.UPDATE, entity="User",
        entity_id=user.id, before={"is_active": not active}, after={"is_active": active},
    )


def reset_password(
    *, session: Session, actor: Actor, user_id: int, password: str, now: datetime,
    confirm: str | None = None,
) -> None:
    """An administrator sets a temporary password; the user must change it at sign-in,
    within ``TEMPORARY_PASSWORD_LIFETIME``."""
    actor.require_role(Role.ADMIN)
    user = _load_user_for_update(session, user_id)
    if errors := _password_errors(password, confirm, user.username, user.display_name):
        raise ValidationFailed(errors)
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.password_expires_at = now + TEMPORARY_PASSWORD_LIFETIME
    user.session_epoch += 1
    throttle = session.get(SignInThrottle, user.username)
    if throttle is not None:
        session.delete(throttle)  # a reset also lifts a lockout
    record_audit(
        session=session, actor=actor, action=AuditAction.UPDATE, entity="User",
        entity_id=user.id, detail=audit_detail("audit.detail.password_reset"),
    )


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
        errors = _password_errors(new, confirm, username, display_name)
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
    user = _load_user_for_update(session, actor.user_id)
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


def _locked_error(locked_until: datetime | None) -> AccountLocked:
    until = to_office_time(locked_until).strftime("%H:%M") if locked_until else ""
    return AccountLocked(until=until)


def list_users(*, session: Session, actor: Actor) -> pd.DataFrame:
    """Users for the administration table (no password hashes)."""
    actor.require_role(Role.ADMIN)
    rows = session.exec(
        select(User, Member.name, SignInThrottle.locked_until)
        .join(Member, col(User.member_id) == Member.id, isouter=True)
        .join(SignInThrottle, col(SignInThrottle.username) == User.username, isouter=True)
        .order_by(User.username)
    ).all()
    return pd.DataFrame(
        [
            {
                "id": user.id, "username": user.username, "display_name": user.display_name,
                "role": user.role.value, "committee_ids": sorted(_committee_ids(session, user.id)),
                "member_id": user.member_id, "member": member_name, "is_active": user.is_active,
                "locked_until": locked_until,
                "must_change_password": user.must_change_password,
                "last_sign_in_at": user.last_sign_in_at,
            }
            for user, member_name, locked_until in rows
        ],
        columns=["id", "username", "display_name", "role", "committee_ids", "member_id", "member",
                 "is_active", "locked_until", "must_change_password", "last_sign_in_at"],
    )


# --- signing in and out --------------------------------------------------------------


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
    _insert_if_absent(session, SignInThrottle, {"username": username, "failed_attempts": 0},
                      key="username")
    return session.exec(
        select(SignInThrottle).where(SignInThrottle.username == username).with_for_update()
    ).one()


def _insert_if_absent(session: Session, model: type, values: dict, *, key: str) -> None:
    """INSERT … ON CONFLICT DO NOTHING: two processes may create the same row at once."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    session.execute(insert(model).values(**values).on_conflict_do_nothing(index_elements=[key]))


def _audit_failure(session: Session, actor: Actor, detail: str) -> None:
    record_audit(session=session, actor=actor, action=AuditAction.SIGN_IN_FAILED,
                 entity="User" if actor.user_id else None, entity_id=actor.user_id,
                 detail=detail)


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
    user = _load_user_for_update(session, actor.user_id)
    user.session_epoch += 1
    open_sessions = session.exec(
        select(AuthSession)
        .where(AuthSession.user_id == user.id, col(AuthSession.ended_at).is_(None))
    )
    for auth_session in open_sessions:
        auth_session.ended_at = now
    record_audit(session=session, actor=actor, action=AuditAction.SIGN_OUT,
                 entity="User", entity_id=user.id)


# --- the cookie key ------------------------------------------------------------------


class WeakServerKey(ConfigurationProblem):
    message_key = "config.error.weak_cookie_key"


def check_configured_key(key: str) -> None:
    if len(key) < MIN_CONFIGURED_KEY_LENGTH:
        raise WeakServerKey(length=str(MIN_CONFIGURED_KEY_LENGTH))


def server_key(*, session: Session, configured: str | None) -> str:
    """The key that signs sign-in cookies and keys the hashes of unknown typed usernames.

    In production it comes from the configuration (``LIAISON_COOKIE_KEY`` or
    ``[auth] cookie_key`` in secrets.toml), at least 32 characters. Without it, a key
    is made randomly on first use and kept in the store, so every process sharing the
    store agrees on it; the start command warns, because anyone who can read the store
    can read that key (session tokens still are not in the store, only their hashes)."""
    if configured is not None:
        check_configured_key(configured)
        return configured
    _insert_if_absent(session, AppSetting,
                      {"key": COOKIE_KEY_SETTING, "value": secrets.token_urlsafe(48)}, key="key")
    stored = select(AppSetting.value).where(AppSetting.key == COOKIE_KEY_SETTING)
    return session.exec(stored).one()
