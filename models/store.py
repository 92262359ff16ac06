"""What the store says about itself, beside the domain's tables."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import utcnow


class DataVersion(SQLModel, table=True):
    """One row: a token that every write transaction replaces (``core.db.write_session``),
    so a cached read names the data it was computed from. A fresh random token rather
    than a count: a store restored from a backup, or emptied and filled again, can never
    meet a process's cache under a version it held for other data."""

    __tablename__ = "data_version"

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    version: int = Field(sa_type=sa.BigInteger)


class QuotaRuleChange(SQLModel, table=True):
    """A change of a quota rule's settings, applying to the rule periods starting on or
    after ``effective_from`` (``services.quota_rules``)."""

    __tablename__ = "quota_rule_change"
    __table_args__ = (
        sa.UniqueConstraint("rule", "effective_from", name="uq_quota_rule_change_day"),
        sa.CheckConstraint("required >= 1", name="ck_quota_rule_change_required"),
        sa.CheckConstraint("grace_days >= 0", name="ck_quota_rule_change_grace"),
    )

    id: int | None = Field(default=None, primary_key=True)
    rule: str = Field(max_length=20)  # services.quota_rules.ComplianceRule
    effective_from: date
    required: int
    grace_days: int
    cosigners_count: bool = True
    changed_by_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    changed_at: datetime = Field(default_factory=utcnow)
