"""The audit trail: who did what to which record, with before and after values.

Rows are only ever added, in the same transaction as the change they describe.
"""

import json
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlmodel import Session, SQLModel

from models import AuditAction, AuditEntry
from services.actors import Actor


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def snapshot(record: SQLModel) -> dict[str, Any]:
    """The record's column values, ready for JSON."""
    return {key: _jsonable(value) for key, value in record.model_dump().items()}


def record_audit(
    *,
    session: Session,
    actor: Actor,
    action: AuditAction,
    entity: str | None = None,
    entity_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    detail: str | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        actor_user_id=actor.user_id,
        actor_name=actor.name,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=json.dumps(before, ensure_ascii=False, sort_keys=True) if before else None,
        after=json.dumps(after, ensure_ascii=False, sort_keys=True) if after else None,
        detail=detail,
    )
    session.add(entry)
    return entry
