"""Users, sign-in, lockout and revocable sessions.

The sign-in widget is streamlit-authenticator's; everything that decides is here:
credentials live in the users table, failed attempts and lockouts are counted in the
store (so every app process sees them), and a sign-in cookie is honoured only while its
``AuthSession`` row is open, recent and of the user's current ``session_epoch``.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import pandas as pd
from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

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
from services.errors import PermissionDenied, StaleRecord, ValidationFailed
from services.passwords import hash_password, password_problem, spend_equal_time, verify_password

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
LAST_SEEN_RESOLUTION = timedelta(minutes=1)  # write "last seen" at most once a minute
COOKIE_KEY_SETTING = "auth.cookie_key"


class SignInResult(StrEnum):
    OK = "ok"
    INVALID = "invalid"
    LOCKED = "locked"


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


def _password_errors(password: str, confirm: str | None, username: str) -> dict[str, str]:
    if problem := password_problem(password, username=username):
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


def create_first_admin(
    *, session: Session, username: str, display_name: str, password: str, confirm: str,
) -> User:
    """First run: the one moment a user is created without a signed-in administrator."""
    if session.get_bind().dialect.name == "postgresql":
        session.exec(select(func.pg_advisory_xact_lock(AdvisoryLock.FIRST_ADMIN.value)))
    if has_users(session=session):
        raise PermissionDenied("setup.error.already_done")
    data = UserInput(username=username, display_name=display_name, role=Role.ADMIN)
    return _insert_user(session, SYSTEM, data, password, confirm)


def create_user(
    *, session: Session, actor: Actor, data: UserInput, password: str, confirm: str | None = None,
) -> User:
    """An administrator creates a user with a first password they must change."""
    actor.require_role(Role.ADMIN)
    return _insert_user(session, actor, data, password, confirm, must_change=True)


def _insert_user(
    session: Session, actor: Actor, data: UserInput, password: str, confirm: str | None,
    *, must_change: bool = False,
) -> User:
    errors = _validate_user(session, data, user_id=None)
    errors |= _password_errors(password, confirm, data.username)
    if errors:
        raise ValidationFailed(errors)
    user = User(
        username=normalise_username(data.username),
        display_name=data.display_name.strip(),
        password_hash=hash_password(password),
        role=data.role,
        member_id=data.member_id if data.role is Role.MEMBER else None,
        must_change_password=must_change,
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
    *, session: Session, actor: Actor, user_id: int, password: str, confirm: str | None = None,
) -> None:
    """An administrator sets a temporary password; the user must change it at sign-in."""
    actor.require_role(Role.ADMIN)
    user = _load_user_for_update(session, user_id)
    if errors := _password_errors(password, confirm, user.username):
        raise ValidationFailed(errors)
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.session_epoch += 1
    throttle = session.get(SignInThrottle, user.username)
    if throttle is not None:
        session.delete(throttle)  # a reset also lifts a lockout
    record_audit(
        session=session, actor=actor, action=AuditAction.UPDATE, entity="User",
        entity_id=user.id, detail=audit_detail("audit.detail.password_reset"),
    )


def change_own_password(
    *, session: Session, actor: Actor, current: str, new: str, confirm: str,
) -> None:
    """Every cookie of the user is revoked: they sign in again with the new password."""
    if actor.user_id is None:
        raise PermissionDenied()
    user = _load_user_for_update(session, actor.user_id)
    errors: dict[str, str] = {}
    if not verify_password(current, user.password_hash):
        errors["current"] = "password.wrong_current"
    errors |= _password_errors(new, confirm, user.username)
    if not errors and verify_password(new, user.password_hash):
        errors["password"] = "password.same_as_old"
    if errors:
        raise ValidationFailed(errors)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.session_epoch += 1
    record_audit(
        session=session, actor=actor, action=AuditAction.UPDATE, entity="User",
        entity_id=user.id, detail=audit_detail("audit.detail.password_changed"),
    )


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


def authenticate(*, session: Session, username: str, password: str, now: datetime) -> SignIn:
    """Check a sign-in attempt; five failures for a typed username lock it for 15 minutes.

    Failures are counted per typed username, whether a user has it or not, and every path
    spends one bcrypt check: the answer and its timing are the same for a wrong password,
    an unknown or inactive user and a locked name.
    """
    username = normalise_username(username)[:60]
    throttle = _throttle(session, username)
    user = session.exec(select(User).where(User.username == username)).first()
    attempt_actor = Actor(user_id=user.id if user else None, name=username, role=Role.MEMBER)
    if throttle.locked_until is not None and throttle.locked_until > now:
        spend_equal_time(password)
        _audit_failure(session, attempt_actor, user, audit_detail("audit.detail.locked"))
        return SignIn(SignInResult.LOCKED, locked_until=throttle.locked_until)
    if user is not None and user.is_active and verify_password(password, user.password_hash):
        throttle.failed_attempts = 0
        throttle.locked_until = None
        user.last_sign_in_at = now
        record_audit(session=session, actor=attempt_actor, action=AuditAction.SIGN_IN,
                     entity="User", entity_id=user.id)
        return SignIn(SignInResult.OK, user.id, must_change_password=user.must_change_password)
    if user is None or not user.is_active:
        spend_equal_time(password)
        reason = audit_detail("audit.detail.unknown_user")
    else:
        reason = audit_detail("audit.detail.wrong_password",
                              attempt=throttle.failed_attempts + 1)
    throttle.failed_attempts += 1
    _audit_failure(session, attempt_actor, user, reason)
    if throttle.failed_attempts < MAX_FAILED_ATTEMPTS:
        return SignIn(SignInResult.INVALID)
    throttle.failed_attempts = 0
    throttle.locked_until = now + LOCKOUT
    record_audit(session=session, actor=attempt_actor, action=AuditAction.LOCKOUT,
                 entity="User" if user else None, entity_id=user.id if user else None,
                 detail=audit_detail("audit.detail.locked_until",
                                     until=throttle.locked_until.isoformat()))
    return SignIn(SignInResult.LOCKED, locked_until=throttle.locked_until)


def _throttle(session: Session, username: str) -> SignInThrottle:
    """The username's failure count, locked for this transaction (created if new)."""
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


def _audit_failure(session: Session, actor: Actor, user: User | None, detail: str) -> None:
    record_audit(session=session, actor=actor, action=AuditAction.SIGN_IN_FAILED,
                 entity="User" if user else None, entity_id=user.id if user else None,
                 detail=detail)


def start_session(
    *, session: Session, user_id: int, cookie_expiry: float, now: datetime,
) -> AuthSession:
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise PermissionDenied()
    auth_session = AuthSession(
        user_id=user_id, cookie_expiry=cookie_expiry, epoch=user.session_epoch,
        started_at=now, last_seen_at=now,
    )
    session.add(auth_session)
    session.flush()
    return auth_session


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
    *, session: Session, username: str, cookie_expiry: float, now: datetime,
    idle_timeout: timedelta,
) -> SessionCheck:
    """Read-only check of a sign-in cookie on every run: it is what makes a copied cookie
    useless after sign-out, and it takes no write lock unless something changed."""
    row = session.exec(
        select(AuthSession, User)
        .join(User, col(AuthSession.user_id) == User.id)
        .where(User.username == normalise_username(username),
               AuthSession.cookie_expiry == cookie_expiry)
    ).first()
    if row is None:
        return SessionCheck(actor=None)
    auth_session, user = row
    if auth_session.ended_at is not None:
        return SessionCheck(actor=None)
    if (auth_session.epoch != user.session_epoch or not user.is_active
            or cookie_expiry <= now.timestamp() or now - auth_session.last_seen_at > idle_timeout):
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


def cookie_key(*, session: Session, configured: str | None) -> str:
    """The key that signs sign-in cookies: from the configuration if given, else made
    randomly on first use and kept in the store, so every process sharing the store
    agrees on it and nothing secret is in the repository."""
    if configured:
        return configured
    _insert_if_absent(session, AppSetting,
                      {"key": COOKIE_KEY_SETTING, "value": secrets.token_urlsafe(48)}, key="key")
    stored = select(AppSetting.value).where(AppSetting.key == COOKIE_KEY_SETTING)
    return session.exec(stored).one()
