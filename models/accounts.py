"""Users of the app and the audit trail."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import Timestamped, enum_field, organisation_field, utcnow
from models.enums import AuditAction, Role


class User(Timestamped, table=True):
    """A person who signs in. ``session_epoch`` is bumped to revoke every cookie of the
    user at once (logout, password change, deactivation)."""

    __tablename__ = "app_user"  # "user" is reserved in PostgreSQL

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=60, unique=True)
    display_name: str = Field(max_length=60)
    password_hash: str = Field(max_length=100)
    role: Role = enum_field(Role)
    organisation_id: int = organisation_field()
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    is_active: bool = True
    must_change_password: bool = False
    session_epoch: int = 0
    last_sign_in_at: datetime | None = None
    # A first or reset password set by an administrator stops working at this time.
    password_expires_at: datetime | None = None


class SignInThrottle(SQLModel, table=True):
    """Failed sign-ins per typed username, whether or not such a user exists: an unknown
    name is locked after five failures exactly like a real one, so the lockout message
    tells nothing about which usernames exist. A name no user has is kept only as a keyed
    hash (it may be a password typed into the wrong field), and rows without a failure
    for a day are purged."""

    __tablename__ = "signin_throttle"

    username: str = Field(primary_key=True, max_length=60)
    failed_attempts: int = 0
    locked_until: datetime | None = None
    last_failed_at: datetime | None = Field(default=None, index=True)


class UserCommittee(SQLModel, table=True):
    """A committee whose members' records a staff user may create and edit."""

    user_id: int = Field(foreign_key="app_user.id", primary_key=True)
    committee_id: int = Field(foreign_key="committee.id", primary_key=True)


class AuditEntry(SQLModel, table=True):
    """Append-only: the app writes rows and never updates or deletes them, and triggers
    in the store (migration 0004) refuse an UPDATE or DELETE from anyone else."""

    __table_args__ = (sa.Index("ix_audit_entity", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow, index=True)
    actor_user_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    actor_name: str = Field(max_length=60)
    action: AuditAction = enum_field(AuditAction, index=True)
    entity: str | None = Field(default=None, max_length=60)
    entity_id: int | None = None
    before: str | None = None  # JSON
    after: str | None = None  # JSON
    detail: str | None = Field(default=None, max_length=500)


class AuthSession(SQLModel, table=True):
    """One signed-in browser. The sign-in cookie carries a random session token; the store
    keeps only its SHA-256, so reading the store (key included) is not enough to make a
    cookie. A session is valid only while this row is open, not idle, and of the user's
    current epoch, so a cookie can be revoked server-side although the cookie itself
    cannot."""

    __table_args__ = (sa.UniqueConstraint("user_id", "cookie_expiry"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    token_hash: str | None = Field(default=None, max_length=64, unique=True, index=True)
    cookie_expiry: float
    epoch: int
    started_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None


class AppSetting(SQLModel, table=True):
    """Settings shared by every app process on one store (e.g. the generated cookie key)."""

    __tablename__ = "app_setting"

    key: str = Field(primary_key=True, max_length=60)
    value: str = Field(max_length=500)
