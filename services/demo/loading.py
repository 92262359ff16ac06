"""Loading the demo: one transaction, under a lock, into an empty store, audited."""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, insert, select, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from core.db import is_sqlite, write_session
from core.locks import AdvisoryLock, hold_advisory_lock
from models import (
    AuditAction,
    AuditEntry,
    CampaignSector,
    CollectedProblem,
    Committee,
    ConsultationTopic,
    ContactPerson,
    LeaderInstruction,
    Member,
    MemberLeave,
    MustVisitCampaign,
    OpinionReport,
    OpinionReportMember,
    OpinionStatusChange,
    Proposal,
    ProposalMember,
    Role,
    Sector,
    Term,
    Visit,
    VisitContact,
    VisitMember,
    Workstation,
    WorkstationActivity,
    WorkstationActivityMember,
    WorkstationMember,
    utcnow,
)
from services.actors import Actor
from services.audit import audit_detail
from services.demo import organisation, reports, topics, visits, workstations
from services.demo.sink import Sink, table
from services.demo.sizes import PRESETS, DemoSize
from services.demo.world import ProgressCallback, World
from services.errors import StoreNotEmpty

STEP_FINISHING = "demo.step.finishing"
# Each step: its message key, where it starts on the progress bar (roughly its share of
# the work), and what it builds, in this order.
_STEPS: tuple[tuple[str, float, tuple[Callable[[World], None], ...]], ...] = (
    ("demo.step.organisation", 0.0, (organisation.build_organisation,)),
    ("demo.step.members", 0.02, (organisation.build_members,)),
    ("demo.step.workstations", 0.10, (workstations.build_workstations,)),
    ("demo.step.visits", 0.13, (visits.build_campaigns, visits.build_visits)),
    ("demo.step.reports", 0.62, (reports.build_reports,)),
    ("demo.step.activities", 0.72, (workstations.build_activities,)),
    ("demo.step.topics", 0.90, (topics.build_topics, topics.build_proposals)),
)
_FINISHING_START = 0.95

# Tables whose ``id`` the generator assigns (their PostgreSQL sequences are reset after).
_ID_MODELS: tuple[type[SQLModel], ...] = (
    Term, Sector, Committee, Member, MemberLeave, ContactPerson, Workstation,
    MustVisitCampaign, Visit, CollectedProblem, OpinionReport, OpinionStatusChange,
    LeaderInstruction, WorkstationActivity, ConsultationTopic, Proposal,
)
# Tables that must be empty before loading (anything else would collide with our ids).
_MUST_BE_EMPTY: tuple[type[SQLModel], ...] = (
    *_ID_MODELS, CampaignSector, VisitMember, VisitContact, OpinionReportMember,
    WorkstationMember, WorkstationActivityMember, ProposalMember,
)


@dataclass(frozen=True)
class DemoSummary:
    """Rows inserted per table name, and the elapsed seconds."""

    rows: dict[str, int]
    seconds: float


def load_demo_data(
    *,
    engine: Engine,
    actor: Actor,
    size: DemoSize = PRESETS["city"],
    seed: int = 2026,
    today: date,
    progress: ProgressCallback | None = None,
) -> DemoSummary:
    """Fill an empty store with demo data, in one transaction.

    Raises ``PermissionDenied`` unless ``actor`` is an administrator, and
    ``StoreNotEmpty`` when the store already holds members (checked inside the same
    transaction, under a lock, so two concurrent loads cannot both pass).
    """
    actor.require_role(Role.ADMIN)
    started = time.perf_counter()
    report: ProgressCallback = progress or _no_progress
    with write_session(engine) as session:
        connection = session.connection()
        hold_advisory_lock(connection, AdvisoryLock.DEMO_LOAD)
        _refuse_if_not_empty(connection)
        sink = Sink(connection)
        _build(World(size=size, seed=seed, today=today, sink=sink, progress=report))
        report(_FINISHING_START, STEP_FINISHING)
        _write_audit(connection, sink, actor, size, seed, today)
        if not is_sqlite(engine):
            _reset_sequences(connection, sink.counts)
    report(1.0, STEP_FINISHING)
    return DemoSummary(rows=dict(sink.counts), seconds=time.perf_counter() - started)


def _no_progress(fraction: float, key: str) -> None:
    return None


def _build(world: World) -> None:
    ends = [start for _, start, _ in _STEPS[1:]] + [_FINISHING_START]
    for (key, start, builders), end in zip(_STEPS, ends, strict=True):
        world.begin(key, start, end)
        for build in builders:
            build(world)
    world.sink.flush()


def _refuse_if_not_empty(connection: Connection) -> None:
    for model in (Member, *_MUST_BE_EMPTY):
        if connection.execute(select(exists().select_from(table(model)))).scalar():
            raise StoreNotEmpty()


def _write_audit(
    connection: Connection, sink: Sink, actor: Actor, size: DemoSize, seed: int, today: date
) -> None:
    sink.flush()
    detail = audit_detail(
        "audit.detail.demo_load", members=size.members, workstations=size.workstations,
        years=size.years, seed=seed, today=today.isoformat(),
    )
    connection.execute(
        insert(table(AuditEntry)).values(
            occurred_at=utcnow(),
            actor_user_id=actor.user_id,
            actor_name=actor.name[:60],
            action=AuditAction.DEMO_LOAD,
            entity=None,
            entity_id=None,
            before=None,
            after=json.dumps(sink.counts, sort_keys=True),
            detail=detail[:500],
        )
    )
    sink.counts[table(AuditEntry).name] = 1


def _reset_sequences(connection: Connection, counts: dict[str, int]) -> None:
    """Our ids were assigned explicitly: move each sequence past them."""
    for model in _ID_MODELS:
        name = table(model).name
        if counts.get(name):
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f'(SELECT max(id) FROM "{name}"))'
                )
            )
