"""Users: the first administrator, and the administration of users by an administrator.

A user belongs to one organisation and works within it and the ones below it. An
administrator administers the users of the organisations they see: staff are given
committees of their own organisation, a member's account is linked to a member of its
organisation or one below.

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
    Committee,
    Member,
    Organisation,
    Role,
    Sector,
    SignInThrottle,
    User,
    UserCommittee,
)
from services.actors import SYSTEM, Actor
from services.audit import audit_detail, changed_values, record_audit
from services.errors import PermissionDenied, StaleRecord, ValidationFailed
from services.members import member_label
from services.organisations import (
    below,
    in_scope,
    organisation_tree,
    scope_of,
    top_organisation_id,
    visible_organisations,
)
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
    # None: for a new user the administrator's own organisation (the top one for the
    # command line); for an update the organisation the user has.
    organisation_id: int | None = None


@dataclass(frozen=True)
class UserChoices:
    """What the user form offers: the organisations the administrator sees (names
    indented as in the tree), each one's committees, and its members."""

    organisations: dict[int, str]
    committees: dict[int, dict[int, str]]
    members: dict[int, dict[int, str]]  # by the member's own organisation
    scopes: dict[int, frozenset[int]]  # each organisation and those below it

    def committees_of(self, organisation_id: int) -> dict[int, str]:
        """The committees a staff user of the organisation may be given."""
        return self.committees.get(organisation_id, {})

    def members_for(self, organisation_id: int) -> dict[int, str]:
        """The members a user of the organisation may be linked to: its own and those of
        the organisations below it."""
        found: dict[int, str] = {}
        for organisation in self.scopes.get(organisation_id, ()):
            found |= self.members.get(organisation, {})
        return dict(sorted(found.items(), key=lambda item: item[1]))


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
        organisation_id=user.organisation_id,
        organisation_ids=scope_of(session=session, organisation_id=user.organisation_id),
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
    """Users of the organisations the administrator sees, for the administration table
    (no password hashes)."""
    actor.require_role(Role.ADMIN)
    rows = session.exec(
        select(User, Organisation.name, Member.name, SignInThrottle.locked_until)
        .join(Organisation, col(User.organisation_id) == Organisation.id)
        .join(Member, col(User.member_id) == Member.id, isouter=True)
        .join(SignInThrottle, col(SignInThrottle.username) == User.username, isouter=True)
        .where(in_scope(User.organisation_id, actor))
        .order_by(User.username)
    ).all()
    return pd.DataFrame(
        [
            {
                "id": user.id, "username": user.username, "display_name": user.display_name,
                "role": user.role.value, "organisation_id": user.organisation_id,
                "organisation": organisation,
                "committee_ids": sorted(_committee_ids(session, user.id)),
                "member_id": user.member_id, "member": member_name, "is_active": user.is_active,
                "locked_until": locked_until,
                "must_change_password": user.must_change_password,
                "last_sign_in_at": user.last_sign_in_at,
            }
            for user, organisation, member_name, locked_until in rows
        ],
        columns=["id", "username", "display_name", "role", "organisation_id", "organisation",
                 "committee_ids", "member_id", "member", "is_active", "locked_until",
                 "must_change_password", "last_sign_in_at"],
    )


def user_choices(*, session: Session, actor: Actor) -> UserChoices:
    """The organisations, committees and members the user form offers (``UserChoices``)."""
    actor.require_role(Role.ADMIN)
    tree = organisation_tree(session=session)
    organisations = {row.id: row.indented_name
                     for row in visible_organisations(session=session, actor=actor)}
    committees: dict[int, dict[int, str]] = {i: {} for i in organisations}
    for organisation_id, committee_id, name in session.exec(
        select(Committee.organisation_id, Committee.id, Committee.name)
        .where(col(Committee.organisation_id).in_(organisations))
        .order_by(Committee.sort_order, Committee.id)
    ):
        committees[organisation_id][committee_id] = name
    members: dict[int, dict[int, str]] = {i: {} for i in organisations}
    for organisation_id, member_id, name, sector in session.exec(
        select(Member.organisation_id, Member.id, Member.name, Sector.name)
        .join(Sector, col(Member.sector_id) == Sector.id)
        .where(col(Member.organisation_id).in_(organisations), col(Member.deleted_at).is_(None))
    ):
        members[organisation_id][member_id] = member_label(name, sector)
    return UserChoices(organisations, committees, members,
                       {i: below(tree, i) & organisations.keys() for i in organisations})


# --- validation ------------------------------------------------------------------------


def _validate_user(session: Session, data: UserInput, *, user_id: int | None,
                   organisation_id: int) -> dict[str, str]:
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
    if data.role is Role.STAFF and (
        error := _committees_error(session, data.committee_ids, organisation_id)
    ):
        errors["committee_ids"] = error
    if data.role is Role.MEMBER and (error := _member_error(session, data.member_id,
                                                            organisation_id)):
        errors["member_id"] = error
    return errors


def _committees_error(session: Session, committee_ids: frozenset[int],
                      organisation_id: int) -> str | None:
    """Staff work for committees of their own organisation."""
    if not committee_ids:
        return "users.error.staff_needs_committee"
    owners = session.exec(select(Committee.organisation_id)
                          .where(col(Committee.id).in_(sorted(committee_ids)))).all()
    if len(owners) != len(committee_ids) or set(owners) != {organisation_id}:
        return "users.error.committee_other_organisation"
    return None


def _member_error(session: Session, member_id: int | None, organisation_id: int) -> str | None:
    """A member's account is linked to a member of the user's organisation or one below."""
    if member_id is None:
        return "users.error.member_needs_link"
    member = session.get(Member, member_id)
    if member is None or member.deleted_at is not None:
        return "users.error.member_unknown"
    if member.organisation_id not in scope_of(session=session, organisation_id=organisation_id):
        return "users.error.member_other_organisation"
    return None


def _organisation_for(session: Session, actor: Actor, data: UserInput) -> int:
    """The organisation a new user belongs to: one the administrator sees."""
    organisation_id = (data.organisation_id or actor.organisation_id
                       or top_organisation_id(session=session))
    actor.require_organisation(organisation_id)
    return organisation_id


def _user_snapshot(session: Session, user: User) -> dict:
    """Audit view of a user: never the password hash."""
    return {
        "username": user.username,
        "display_name": user.display_name,
        "organisation_id": user.organisation_id,
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
    errors = _validate_user(session, data, user_id=None,
                            organisation_id=top_organisation_id(session=session))
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
    organisation_id = _organisation_for(session, actor, data)
    errors = _validate_user(session, data, user_id=None, organisation_id=organisation_id)
    errors |= new_password_errors(password, confirm, username=data.username,
                                  display_name=data.display_name)
    if errors:
        raise ValidationFailed(errors)
    user = User(
        organisation_id=organisation_id,
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
    """Change a user of an organisation the administrator sees; moving them to another
    organisation needs that one in sight too. New rights (role, committees,
    organisation) take effect at the user's next sign-in."""
    actor.require_role(Role.ADMIN)
    user = _administered_user(session, actor, user_id)
    organisation_id = data.organisation_id or user.organisation_id
    actor.require_organisation(organisation_id)
    errors = _validate_user(session, data, user_id=user_id, organisation_id=organisation_id)
    if user_id == actor.user_id and data.role is not Role.ADMIN:
        errors["role"] = "users.error.cannot_demote_self"
    if user_id == actor.user_id and organisation_id != user.organisation_id:
        errors["organisation_id"] = "users.error.cannot_move_self"
    if errors:
        raise ValidationFailed(errors)
    before = _user_snapshot(session, user)
    user.display_name = data.display_name.strip()
    committees = data.committee_ids if data.role is Role.STAFF else frozenset()
    if (user.role is not data.role or before["committee_ids"] != sorted(committees)
            or user.organisation_id != organisation_id):
        user.session_epoch += 1  # new rights take effect at the next sign-in
    user.organisation_id = organisation_id
    user.role = data.role
    user.member_id = data.member_id if data.role is Role.MEMBER else None
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


def _administered_user(session: Session, actor: Actor, user_id: int) -> User:
    """The user's row, locked, when the administrator sees the user's organisation."""
    user = user_for_update(session, user_id)
    actor.require_organisation(user.organisation_id)
    return user


def set_active(*, session: Session, actor: Actor, user_id: int, active: bool) -> None:
    """Deactivating ends every session of the user at once."""
    actor.require_role(Role.ADMIN)
    if user_id == actor.user_id and not active:
        raise ValidationFailed({"is_active": "users.error.cannot_deactivate_self"})
    user = _administered_user(session, actor, user_id)
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
    user = _administered_user(session, actor, user_id)
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
