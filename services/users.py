"""Users: the first administrator, and the administration of users by an administrator.

Passwords set here are either chosen by the person themself (the first administrator, an
administrator created on the command line) or temporary: a user an administrator created
or reset must change the password at sign-in, within ``TEMPORARY_PASSWORD_LIFETIME``.
Signing in and sessions are ``services.sign_in``.
"""

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.locks import AdvisoryLock, hold_advisory_lock
from models import (
    AppSetting,
    AuditAction,
    Member,
    Role,
    SignInThrottle,
    User,
    UserCommittee,
)
from services.actors import SYSTEM, Actor
from services.audit import audit_detail, changed_values, record_audit
from services.errors import PermissionDenied, StaleRecord, ValidationFailed
from services.passwords import hash_password, new_password_errors, token_digest

TEMPORARY_PASSWORD_LIFETIME = timedelta(days=3)
SETUP_TOKEN_SETTING = "first_run.token_hash"  # not "setup.…": that is the catalog's


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


def user_for_update(session: Session, user_id: int) -> User:
    """The user's row, locked until the transaction ends; ``StaleRecord`` if it is gone."""
    user = session.exec(select(User).where(User.id == user_id).with_for_update()).first()
    if user is None:
        raise StaleRecord()
    return user


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


# --- the first administrator -----------------------------------------------------------


def _normalise_setup_token(token: str) -> str:
    """People copy the token from a console: spaces, dashes and case do not matter."""
    return "".join(c for c in token.lower() if c.isalnum())


def _lock_first_run(session: Session) -> None:
    """Two processes (or two browsers) finishing the first run at once: one wins."""
    hold_advisory_lock(session, AdvisoryLock.FIRST_ADMIN)


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
        raise ValidationFailed(errors | new_password_errors(
            password, confirm, username=username, display_name=display_name))
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


# --- administering users -------------------------------------------------------------


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
    errors |= new_password_errors(password, confirm, username=data.username,
                                  display_name=data.display_name)
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


def update_user(*, session: Session, actor: Actor, user_id: int, data: UserInput) -> User:
    actor.require_role(Role.ADMIN)
    user = user_for_update(session, user_id)
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
    old_values, new_values = changed_values(before, after, after)
    if new_values:
        record_audit(
            session=session, actor=actor, action=AuditAction.UPDATE, entity="User",
            entity_id=user.id, before=old_values, after=new_values,
        )
    return user


def set_active(*, session: Session, actor: Actor, user_id: int, active: bool) -> None:
    """Deactivating ends every session of the user at once."""
    actor.require_role(Role.ADMIN)
    if user_id == actor.user_id and not active:
        raise ValidationFailed({"is_active": "users.error.cannot_deactivate_self"})
    user = user_for_update(session, user_id)
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
    user = user_for_update(session, user_id)
    if errors := new_password_errors(password, confirm, username=user.username,
                                     display_name=user.display_name):
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
