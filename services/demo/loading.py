"""Loading the demo: one transaction, under a lock, into an empty store, audited.

An empty store has one organisation (the migration makes it): the demo renames it and
builds the organisations below it. A store with more than one is not empty."""

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
    MemberAssignment,
    MemberLeave,
    MustVisitCampaign,
    OpinionAdoption,
    OpinionEvent,
    OpinionForwarding,
    OpinionReport,
    OpinionReportMember,
    OpinionReportSeen,
    Organisation,
    ProblemStatusChange,
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
from services.demo import members, organisation, problems, reports, topics, visits, workstations
from services.demo.sink import Sink, table
from services.demo.sizes import PRESETS, DemoSize
from services.demo.world import ProgressCallback, World
from services.errors import StoreNotEmpty

STEP_FINISHING = "demo.step.finishing"
# Each step: its message key, where it starts on the progress bar (roughly its share of
# the work), and what it builds, in this order.
_STEPS: tuple[tuple[str, float, tuple[Callable[[World], None], ...]], ...] = (
    ("demo.step.organisation", 0.0, (organisation.build_organisations,
                                     problems.find_categories,
                                     problems.find_departments)),
    ("demo.step.members", 0.02, (members.build_members,)),
    ("demo.step.workstations", 0.08, (workstations.build_workstations,)),
    ("demo.step.visits", 0.09, (visits.build_campaigns, visits.build_visits)),
    ("demo.step.reports", 0.40, (reports.build_reports,)),
    ("demo.step.activities", 0.50, (workstations.build_activities,)),
    ("demo.step.topics", 0.61, (topics.build_topics, topics.build_proposals)),
    # the problems last, once the reports and topics have taken up theirs
    ("demo.step.problems", 0.63, (problems.write_problems,)),
)
_FINISHING_START = 0.98

# Tables whose ``id`` the generator assigns, all of them empty before (their PostgreSQL
# sequences are reset after, with the organisations').
_ID_MODELS: tuple[type[SQLModel], ...] = (
    Term, Sector, Committee, Member, MemberAssignment, MemberLeave, ContactPerson,
    Workstation, MustVisitCampaign, Visit, CollectedProblem, OpinionReport, OpinionEvent,
    OpinionAdoption, OpinionForwarding, LeaderInstruction, WorkstationActivity,
    ConsultationTopic, Proposal, ProblemStatusChange,
)
# Tables that must be empty before loading (anything else would collide with our ids).
_MUST_BE_EMPTY: tuple[type[SQLModel], ...] = (
    *_ID_MODELS, CampaignSector, VisitMember, VisitContact, OpinionReportMember,
    OpinionReportSeen, WorkstationMember, WorkstationActivityMember, ProposalMember,
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
    ``StoreNotEmpty`` when the store already holds members or records, or more than one
    organisation (checked inside the same transaction, under a lock, so two concurrent
    loads cannot both pass). The store's organisation becomes the demo's top one (its
    id, and so its users, stay).
    """
    actor.require_role(Role.ADMIN)
    started = time.perf_counter()
    report: ProgressCallback = progress or _no_progress
    with write_session(engine) as session:
        connection = session.connection()
        hold_advisory_lock(connection, AdvisoryLock.DEMO_LOAD)
        _refuse_if_not_empty(connection)
        top_id = _the_organisation(connection)
        sink = Sink(connection)
        _build(World(size=size, seed=seed, today=today, sink=sink, progress=report,
                     top_id=top_id or 1, top_exists=top_id is not None))
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


def _the_organisation(connection: Connection) -> int | None:
    """The store's one organisation, which becomes the top (None: there is none yet, so
    the top is made). A store that already has several is not empty."""
    organisations = table(Organisation)
    found = connection.execute(select(organisations.c.id).limit(2)).scalars().all()
    if len(found) > 1:
        raise StoreNotEmpty()
    return found[0] if found else None


def _write_audit(
    connection: Connection, sink: Sink, actor: Actor, size: DemoSize, seed: int, today: date
) -> None:
    sink.flush()
    detail = audit_detail(
        "audit.detail.demo_load", members=sink.counts.get(table(Member).name, 0),
        workstations=sink.counts.get(table(Workstation).name, 0), years=size.years,
        seed=seed, today=today.isoformat(),
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
    for model in (Organisation, *_ID_MODELS):
        name = table(model).name
        if counts.get(name):
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f'(SELECT max(id) FROM "{name}"))'
                )
            )
