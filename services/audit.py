"""The audit trail: who did what to which record, with before and after values.

Rows are only ever added, in the same transaction as the change they describe.
"""

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from typing import Any

import pandas as pd
from sqlalchemy import func, or_
from sqlmodel import Session, SQLModel, col, select

from models import AuditAction, AuditEntry, Organisation, Role, User, utcnow
from services.actors import Actor
from services.search import contains


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def audit_detail(message_key: str, **params: object) -> str:
    """A detail the audit page can translate: a message key, then its parameters as JSON."""
    if not params:
        return message_key
    return f"{message_key} {json.dumps(params, ensure_ascii=False, sort_keys=True)}"


def parse_audit_detail(detail: str) -> tuple[str, dict[str, Any]]:
    """The message key and parameters of a detail written by ``audit_detail``."""
    message_key, _, params = detail.partition(" ")
    return message_key, json.loads(params) if params else {}


def snapshot(record: SQLModel) -> dict[str, Any]:
    """The record's column values, ready for JSON."""
    return {key: _jsonable(value) for key, value in record.model_dump().items()}


def changed_values(
    before: dict[str, Any], after: dict[str, Any], keys: Iterable[str],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """What an update audits: the old and the new values of those ``keys`` that changed."""
    changed = [key for key in keys if before.get(key) != after.get(key)]
    return {key: before[key] for key in changed}, {key: after[key] for key in changed}


def record_audit(*, session: Session, **fields: Any) -> AuditEntry:
    """Add one audit row (``fields`` as ``audit_row`` takes them) to the session's
    transaction."""
    entry = AuditEntry(**audit_row(**fields))
    session.add(entry)
    return entry


def audit_row(
    *,
    actor: Actor,
    action: AuditAction,
    entity: str | None = None,
    entity_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    detail: str | None = None,
) -> dict[str, Any]:
    """The values of one audit row, for writing many in one statement."""
    return {
        "occurred_at": utcnow(),
        "actor_user_id": actor.user_id,
        "actor_name": actor.name,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "before": json.dumps(before, ensure_ascii=False, sort_keys=True) if before else None,
        "after": json.dumps(after, ensure_ascii=False, sort_keys=True) if after else None,
        "detail": detail,
    }


def record_export(*, session: Session, actor: Actor, what: str, rows: int,
                  file_format: str) -> None:
    """Exports carry personal data (phone numbers) out of the app: each one is audited."""
    record_audit(session=session, actor=actor, action=AuditAction.EXPORT, entity=what,
                 detail=audit_detail("audit.detail.export", rows=rows, format=file_format))


AUDIT_COLUMNS = ["occurred_at", "actor", "action", "entity", "entity_id", "before", "after",
                 "detail"]


def list_audit(
    *,
    session: Session,
    actor: Actor,
    start: date | None = None,
    end: date | None = None,
    actions: list[AuditAction] | None = None,
    entity: str | None = None,
    actor_name: str = "",
    limit: int = 5000,
) -> pd.DataFrame:
    """The trail for the administrators' audit page, newest first (read-only: there is no
    service that edits or deletes audit rows). An administrator of an organisation below
    the top sees what the users of their organisations did; the system's own rows (the
    command line, demo loads) and sign-ins under unknown names are the top's."""
    actor.require_role(Role.ADMIN)
    query = select(AuditEntry).order_by(col(AuditEntry.occurred_at).desc(),
                                        col(AuditEntry.id).desc())
    if actor.organisation_ids is not None and not _sees_every_organisation(session, actor):
        in_scope = select(User.id).where(col(User.organisation_id).in_(
            sorted(actor.organisation_ids)))
        query = query.where(col(AuditEntry.actor_user_id).in_(in_scope))
    if start is not None:
        query = query.where(AuditEntry.occurred_at >= datetime.combine(start, time.min, UTC))
    if end is not None:
        query = query.where(
            AuditEntry.occurred_at < datetime.combine(end + timedelta(days=1), time.min, UTC)
        )
    if actions:
        query = query.where(col(AuditEntry.action).in_(actions))
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if actor_name.strip():  # the username or the person's name
        named = select(User.id).where(contains(User.display_name, actor_name))
        query = query.where(or_(contains(AuditEntry.actor_name, actor_name),
                                col(AuditEntry.actor_user_id).in_(named)))
    rows = session.exec(query.limit(limit)).all()
    return pd.DataFrame(
        [
            {
                "occurred_at": row.occurred_at, "actor": row.actor_name,
                "action": row.action.value, "entity": row.entity, "entity_id": row.entity_id,
                "before": row.before, "after": row.after, "detail": row.detail,
            }
            for row in rows
        ],
        columns=AUDIT_COLUMNS,
    )


def _sees_every_organisation(session: Session, actor: Actor) -> bool:
    every = session.exec(select(func.count()).select_from(Organisation)).one()
    return len(actor.organisation_ids or ()) >= every


def audit_entities(*, session: Session, actor: Actor) -> list[str]:
    actor.require_role(Role.ADMIN)
    rows = session.exec(
        select(AuditEntry.entity).distinct().where(col(AuditEntry.entity).is_not(None))
    )
    return sorted(rows.all())
