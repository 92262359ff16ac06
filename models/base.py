"""Column helpers and mixins shared by the tables."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Aware UTC timestamp: SQLModel's datetime columns refuse naive values."""
    return datetime.now(UTC)


def enum_type(enum_cls: type[StrEnum]) -> sa.Enum:
    """A VARCHAR enum (no native PostgreSQL type) so adding a value needs no DDL dance."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        length=40,
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
    )


def enum_field(enum_cls: type[StrEnum], default: Any = ..., *, index: bool = False) -> Any:
    """A required enum column, or an optional one when ``default`` is None."""
    return Field(
        default=default,
        sa_type=enum_type(enum_cls),
        index=index,
        nullable=default is None,
    )


def organisation_field() -> Any:
    """The organisation (``Organisation``) a row belongs to: every list is scoped by it."""
    return Field(foreign_key="organisation.id", index=True)


class Timestamped(SQLModel):
    created_at: datetime = Field(default_factory=utcnow, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, nullable=False)


class Editable(Timestamped):
    """Records edited by several people: optimistic locking and soft delete.

    ``version`` is compared on every update (see ``services.records``); ``deleted_at``
    hides a row from every query without losing its history.
    """

    version: int = Field(default=1, nullable=False)
    deleted_at: datetime | None = Field(default=None)
