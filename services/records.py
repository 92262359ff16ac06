"""Rows that several people or processes write at once.

Records that staff edit (``Editable``) are read with ``load_live`` and saved through
``update_record`` and ``soft_delete``, so a lost update is impossible and every change
has its audit row in the same transaction. ``insert_if_absent`` creates a row that
another process may be creating at the same moment.
"""

from typing import Any, TypeVar

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel

from models import AuditAction, utcnow
from models.base import Editable
from services.actors import Actor
from services.audit import changed_values, record_audit, snapshot
from services.errors import StaleRecord

RecordT = TypeVar("RecordT", bound=Editable)

_PROTECTED = {"id", "version", "created_at", "updated_at", "deleted_at"}


def load_live(session: Session, model: type[RecordT], record_id: int) -> RecordT:
    """The record as stored now; ``StaleRecord`` if it is gone or soft-deleted."""
    record = session.get(model, record_id, populate_existing=True)
    if record is None or record.deleted_at is not None:
        raise StaleRecord()
    return record


def versioned_update(
    session: Session, model: type[RecordT], record_id: int, expected_version: int,
    values: dict[str, Any],
) -> None:
    """Compare-and-set on ``version`` in the database, so two sessions that read the same
    version cannot both win."""
    table = model.__table__
    result = session.execute(
        update(table)
        .where(table.c.id == record_id, table.c.version == expected_version,
               table.c.deleted_at.is_(None))
        .values(**values, version=expected_version + 1, updated_at=utcnow())
    )
    if result.rowcount != 1:
        raise StaleRecord()


def update_record(
    *,
    session: Session,
    actor: Actor,
    model: type[RecordT],
    record_id: int,
    expected_version: int,
    changes: dict[str, Any],
) -> RecordT:
    """Apply ``changes`` if nobody saved the record since ``expected_version`` was read.
    No changes write nothing, but a stale version is still refused: the editor has not
    seen what is stored."""
    unknown = set(changes) - set(model.model_fields) | (set(changes) & _PROTECTED)
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)} of {model.__name__}")
    current = load_live(session, model, record_id)
    if not changes:
        if current.version != expected_version:
            raise StaleRecord()
        return current
    before = snapshot(current)
    versioned_update(session, model, record_id, expected_version, changes)
    record = load_live(session, model, record_id)
    old_values, new_values = changed_values(before, snapshot(record), changes)
    record_audit(
        session=session, actor=actor, action=AuditAction.UPDATE, entity=model.__name__,
        entity_id=record_id, before=old_values, after=new_values,
    )
    return record


def soft_delete(
    *, session: Session, actor: Actor, model: type[RecordT], record_id: int, expected_version: int,
) -> None:
    before = snapshot(load_live(session, model, record_id))
    versioned_update(session, model, record_id, expected_version, {"deleted_at": utcnow()})
    record_audit(
        session=session, actor=actor, action=AuditAction.DELETE, entity=model.__name__,
        entity_id=record_id, before=before,
    )


def insert_if_absent(
    session: Session, model: type[SQLModel], values: dict[str, Any], *, key: str,
) -> None:
    """INSERT … ON CONFLICT DO NOTHING: two processes may create the same row at once."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    session.execute(insert(model).values(**values).on_conflict_do_nothing(index_elements=[key]))
