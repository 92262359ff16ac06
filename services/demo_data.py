"""A deterministic, realistic demo store: a fictional city (or province) CPPCC.

``load_demo_data`` writes one current term and its predecessor, the real sector and
committee names, members with their contact persons, studios and stations, and
``size.years`` years of history up to ``today``: visits (seasonal, clustered on the
must-visit occasions, with joint visits and realistic gaps against the quarterly quota),
the problems they collected, opinion reports through their whole workflow, workstation
activities, consultation topics and proposals.

Same ``seed`` and same ``today`` give identical data. Everything is written in ONE
transaction with bulk inserts (lists of dicts, ``executemany`` in chunks), primary keys
assigned here, so the province size (10,000 members, millions of rows) is generatable;
a load killed midway leaves nothing behind.

History never starts before the current term: members of the previous term are not
modelled, so with ``years`` larger than the term's age the history is that much shorter.
"""

import bisect
import json
import math
import random
import time as _time
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any, Self

from faker import Faker
from sqlalchemy import Table, bindparam, exists, insert, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from core.db import is_sqlite, write_session
from core.locks import AdvisoryLock
from models import (
    ActivityType,
    AdoptionLevel,
    AuditAction,
    AuditEntry,
    CampaignSector,
    Channel,
    CollectedProblem,
    Committee,
    ConsultationTopic,
    ContactPerson,
    Gender,
    InstructionLevel,
    LeaderInstruction,
    Member,
    MemberLeave,
    MustVisitCampaign,
    OpinionReport,
    OpinionReportMember,
    OpinionStatus,
    OpinionStatusChange,
    ProblemStatus,
    Proposal,
    ProposalMember,
    ProposalStatus,
    Role,
    Sector,
    Term,
    TopicKind,
    TopicStatus,
    Visit,
    VisitContact,
    VisitMember,
    VisitOccasion,
    Workstation,
    WorkstationActivity,
    WorkstationActivityMember,
    WorkstationKind,
    WorkstationMember,
    utcnow,
)
from services import demo_vocabulary as vocab
from services.actors import Actor
from services.audit import audit_detail
from services.errors import StoreNotEmpty

ProgressCallback = Callable[[float, str], None]
"""``(fraction 0..1, message key)``; the keys are ``demo.step.*``."""

CHUNK_ROWS = 5_000

STEP_ORGANISATION = "demo.step.organisation"
STEP_MEMBERS = "demo.step.members"
STEP_WORKSTATIONS = "demo.step.workstations"
STEP_VISITS = "demo.step.visits"
STEP_REPORTS = "demo.step.reports"
STEP_ACTIVITIES = "demo.step.activities"
STEP_TOPICS = "demo.step.topics"
STEP_FINISHING = "demo.step.finishing"

# Where each step starts on the progress bar (roughly its share of the work).
_STEP_START = {
    STEP_ORGANISATION: 0.0,
    STEP_MEMBERS: 0.02,
    STEP_WORKSTATIONS: 0.10,
    STEP_VISITS: 0.13,
    STEP_REPORTS: 0.62,
    STEP_ACTIVITIES: 0.72,
    STEP_TOPICS: 0.90,
    STEP_FINISHING: 0.95,
}

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
class DemoSize:
    members: int = 500
    workstations: int = 150
    years: int = 2

    def __post_init__(self) -> None:
        if self.members < 5 or self.workstations < 0 or not 1 <= self.years <= 10:
            raise ValueError(f"unsupported demo size {self}")

    @classmethod
    def city(cls) -> Self:
        return cls()

    @classmethod
    def province(cls) -> Self:
        return cls(members=10_000, workstations=2_000, years=5)

    @classmethod
    def small(cls) -> Self:
        """A quick look: loads in well under a second."""
        return cls(members=60, workstations=12, years=2)


@dataclass(frozen=True)
class DemoSummary:
    """Rows inserted per table name, and the elapsed seconds."""

    rows: dict[str, int]
    seconds: float


_CITY = DemoSize()
PRESETS: dict[str, DemoSize] = {
    "small": DemoSize.small(),
    "city": DemoSize.city(),
    "province": DemoSize.province(),
}
"""Named sizes for the command line, the benchmarks and the welcome screen."""


def load_demo_data(
    *,
    engine: Engine,
    actor: Actor,
    size: DemoSize = _CITY,
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
    started = _time.perf_counter()
    report: ProgressCallback = progress or _no_progress
    postgres = not is_sqlite(engine)
    with write_session(engine) as session:
        connection = session.connection()
        if postgres:
            connection.execute(text(f"SELECT pg_advisory_xact_lock({AdvisoryLock.DEMO_LOAD:d})"))
        _refuse_if_not_empty(connection)
        sink = _Sink(connection)
        _Builder(size=size, seed=seed, today=today, sink=sink, progress=report).build()
        report(_STEP_START[STEP_FINISHING], STEP_FINISHING)
        _write_audit(connection, sink, actor, size, seed, today)
        if postgres:
            _reset_sequences(connection, sink.counts)
    report(1.0, STEP_FINISHING)
    return DemoSummary(rows=dict(sink.counts), seconds=_time.perf_counter() - started)


def _no_progress(fraction: float, key: str) -> None:
    return None


def _table(model: type[SQLModel]) -> Table:
    return model.__table__  # type: ignore[attr-defined,no-any-return]


def _refuse_if_not_empty(connection: Connection) -> None:
    for model in (Member, *_MUST_BE_EMPTY):
        if connection.execute(select(exists().select_from(_table(model)))).scalar():
            raise StoreNotEmpty()


def _write_audit(
    connection: Connection, sink: "_Sink", actor: Actor, size: DemoSize, seed: int, today: date
) -> None:
    sink.flush()
    detail = audit_detail(
        "audit.detail.demo_load", members=size.members, workstations=size.workstations,
        years=size.years, seed=seed, today=today.isoformat(),
    )
    connection.execute(
        insert(_table(AuditEntry)).values(
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
    sink.counts[_table(AuditEntry).name] = 1


def _reset_sequences(connection: Connection, counts: dict[str, int]) -> None:
    """Our ids were assigned explicitly: move each sequence past them."""
    for model in _ID_MODELS:
        name = _table(model).name
        if counts.get(name):
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f'(SELECT max(id) FROM "{name}"))'
                )
            )


class _Sink:
    """Buffers rows per table and inserts them in chunks, parents before children."""

    def __init__(self, connection: Connection, chunk: int = CHUNK_ROWS) -> None:
        self._connection = connection
        self._chunk = chunk
        self._tables = list(SQLModel.metadata.sorted_tables)
        self._buffers: dict[str, list[dict[str, Any]]] = {t.name: [] for t in self._tables}
        self.counts: dict[str, int] = {}

    def add(self, model: type[SQLModel], row: dict[str, Any]) -> None:
        buffer = self._buffers[_table(model).name]
        buffer.append(row)
        if len(buffer) >= self._chunk:
            self.flush()

    def flush(self) -> None:
        for table in self._tables:
            rows = self._buffers[table.name]
            if rows:
                self._connection.execute(insert(table), rows)
                self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)
                self._buffers[table.name] = []

    def update(self, model: type[SQLModel], column: str, pairs: Sequence[tuple[int, int]]) -> None:
        """Set ``column`` of the rows with the given ids: ``[(id, value), …]``."""
        self.flush()
        table = _table(model)
        statement = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values({column: bindparam("b_value")})
        )
        for start in range(0, len(pairs), self._chunk):
            chunk = pairs[start:start + self._chunk]
            self._connection.execute(statement, [{"b_id": i, "b_value": v} for i, v in chunk])


# --- the builder ----------------------------------------------------------------------

_MONTH_WEIGHT = (0.0, 0.8, 0.8, 1.25, 1.3, 1.2, 1.0, 0.8, 0.8, 1.2, 1.05, 1.3, 1.1)
_CHANNELS = (Channel.FACE_TO_FACE, Channel.REGULAR_WORK, Channel.ONLINE,
             Channel.SERVICE_ACTIVITY, Channel.PLATFORM)
_CHANNEL_CUM = (40, 55, 75, 87, 100)
_OCCASIONS = tuple(VisitOccasion)
_OCC_INDEX = {occasion: i for i, occasion in enumerate(_OCCASIONS)}
# Routine visits not tagged with a campaign: mostly routine, a few one-off occasions.
_SPRINKLED = (
    (0.85, VisitOccasion.ROUTINE), (0.90, VisitOccasion.CONTACT_REQUEST),
    (0.94, VisitOccasion.CONTACT_DIFFICULTY), (0.97, VisitOccasion.CONTACT_LIFE_CHANGE),
    (0.99, VisitOccasion.NEW_POLICY), (1.0, VisitOccasion.MAJOR_SPEECH),
)
_PROBLEM_STATUSES = tuple(ProblemStatus)
_OPINION_STATUSES = tuple(OpinionStatus)
_TOPIC_STATUSES = tuple(TopicStatus)
_PROPOSAL_STATUSES = tuple(ProposalStatus)
_ACTIVITY_TYPES = tuple(ActivityType)
_ACTIVITY_BASE_WEIGHTS = (22, 10, 8, 6, 10, 22, 16, 6)
_ACTIVITY_BOOST = {
    "health": ActivityType.FREE_CLINIC, "agriculture": ActivityType.AGRI_SCIENCE_HELP,
    "law": ActivityType.LEGAL_CONSULTATION, "education": ActivityType.TRAINING,
    "science": ActivityType.TRAINING, "culture": ActivityType.OTHER,
}
_PEOPLE_SERVED = {
    ActivityType.POLICY_BRIEFING: (20, 150), ActivityType.LEGAL_CONSULTATION: (5, 40),
    ActivityType.FREE_CLINIC: (30, 200), ActivityType.AGRI_SCIENCE_HELP: (15, 80),
    ActivityType.TRAINING: (20, 100), ActivityType.RECEPTION_DAY: (3, 25),
    ActivityType.MICRO_CONSULTATION: (10, 40), ActivityType.OTHER: (10, 60),
}
_HEAD_COUNT = {
    Channel.FACE_TO_FACE: (1, 8), Channel.REGULAR_WORK: (3, 15), Channel.ONLINE: (1, 20),
    Channel.SERVICE_ACTIVITY: (5, 40), Channel.PLATFORM: (8, 60),
}
_CONTACTS_REACHED = {
    Channel.FACE_TO_FACE: (1, 3), Channel.REGULAR_WORK: (0, 2), Channel.ONLINE: (1, 3),
    Channel.SERVICE_ACTIVITY: (1, 2), Channel.PLATFORM: (0, 1),
}
_MOBILE_PREFIXES = ("133", "135", "136", "137", "138", "139", "150", "151", "152", "158",
                    "159", "177", "180", "181", "186", "187", "188", "189", "199")


@dataclass(slots=True)
class _Member:
    id: int
    sector: int  # index into vocab.SECTORS
    committee_id: int
    from_ord: int
    to_ord: int  # last day in office within the generated history (today if still in)
    area: str  # district + street, for texts
    district: str
    rate: float  # visits a year
    leaves: list[tuple[int, int]] = field(default_factory=list)
    contact_first: int = 0
    contact_names: list[str] = field(default_factory=list)
    stations: list[int] = field(default_factory=list)  # workstation indices

    def in_office(self, day: int) -> bool:
        if not self.from_ord <= day <= self.to_ord:
            return False
        return not any(start <= day <= end for start, end in self.leaves)


@dataclass(slots=True)
class _Station:
    id: int
    name: str
    committee_id: int
    sector: int | None
    place: str
    established: int
    active_until: int  # last day it can host anything (deactivation or idleness)
    is_studio: bool
    members: list[int] = field(default_factory=list)  # member indices


@dataclass(slots=True)
class _Campaign:
    id: int
    occasion: VisitOccasion
    title: str
    start: int
    end: int
    sectors: tuple[int, ...]
    probability: float


def _on(reached: dict[OpinionStatus, int], step: OpinionStatus) -> date | None:
    return date.fromordinal(reached[step]) if step in reached else None


_Steps = list[tuple[OpinionStatus, int]]
_Path = tuple[bool, _Steps, _Steps]  # (urgent, full path, the part taken so far)


@dataclass(slots=True)
class _ReportPlan:
    day: int
    lead: int
    co: list[int]


class _Builder:
    def __init__(
        self, *, size: DemoSize, seed: int, today: date, sink: _Sink, progress: ProgressCallback
    ) -> None:
        self.size = size
        self.today = today
        self.t_ord = today.toordinal()
        self.sink = sink
        self.progress = progress
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self._stamps: dict[int, datetime] = {}
        self._fraction = 0.0
        # filled by the steps
        self.members: list[_Member] = []
        self.stations: list[_Station] = []
        self.campaigns: list[_Campaign] = []
        self.visit_problems: list[tuple[int, int]] = []  # (problem id, collected ord)
        self.next_problem_id = 1
        self._names: list[str] = []
        self._issues_by_category: dict[Any, list[int]] = {}
        for index, issue in enumerate(vocab.ISSUES):
            self._issues_by_category.setdefault(issue.category, []).append(index)

    # -- helpers ------------------------------------------------------------------------

    def _report(self, fraction: float, key: str) -> None:
        self._fraction = max(self._fraction, min(fraction, 1.0))
        self.progress(self._fraction, key)

    def _within(self, key: str, done: float) -> None:
        """Progress inside a step: ``done`` is the share of the step completed."""
        keys = list(_STEP_START)
        start = _STEP_START[key]
        end = _STEP_START[keys[keys.index(key) + 1]]
        self._report(start + (end - start) * done, key)

    def _stamp(self, ordinal: int, slot: int = 0) -> datetime:
        """A UTC timestamp on that day during office hours (09:00–17:59 Beijing time), so
        its date is the same in UTC and in China; never after the start of ``today``."""
        slot %= 64
        key = ordinal * 64 + slot
        stamp = self._stamps.get(key)
        if stamp is None:
            if ordinal >= self.t_ord:
                stamp = datetime.combine(self.today, time(0, 0, slot % 60), tzinfo=UTC)
            else:
                stamp = datetime.combine(
                    date.fromordinal(ordinal), time(1 + slot % 9, (slot * 13) % 60), tzinfo=UTC
                )
            self._stamps[key] = stamp
        return stamp

    def _random_stamp(self, ordinal: int) -> datetime:
        return self._stamp(ordinal, self.rng.randrange(9))

    def _editable(self, created: datetime, updated: datetime | None = None) -> dict[str, Any]:
        return {"created_at": created, "updated_at": updated or created, "version": 1,
                "deleted_at": None}

    def _phone(self) -> str:
        return self.rng.choice(_MOBILE_PREFIXES) + f"{self.rng.randrange(100_000_000):08d}"

    def _poisson(self, mean: float) -> int:
        if mean <= 0:
            return 0
        limit = math.exp(-mean)
        count, product = 0, self.rng.random()
        while product > limit:
            count += 1
            product *= self.rng.random()
        return count

    def _pick_day(self, lo: int, hi: int) -> int:
        """A day in ``[lo, hi]`` (within the history), weighted by the season."""
        base, cum = self.h_ord, self._cum
        a, b = cum[lo - base], cum[hi - base + 1]
        u = a + self.rng.random() * (b - a)
        index = bisect.bisect_right(cum, u, lo - base, hi - base + 1) - 1
        return base + min(max(index, lo - base), hi - base)

    def _two_chars(self) -> str:
        while True:
            a, b = self.rng.choice(vocab.PLACE_CHARS), self.rng.choice(vocab.PLACE_CHARS)
            if a != b:
                return a + b

    def _unique_names(self, count: int, suffixes: Sequence[str], used: set[str]) -> list[str]:
        names: list[str] = []
        attempts = 0
        while len(names) < count:
            attempts += 1
            stem = self._two_chars()
            if attempts > 50 * count:  # pool exhausted: three characters
                stem += self.rng.choice(vocab.PLACE_CHARS)
            name = stem + self.rng.choice(suffixes)
            if name not in used:
                used.add(name)
                names.append(name)
        return names

    def _issue_for(self, sector: int | None) -> int:
        """Index of an issue, biased towards what the sector cares about."""
        if sector is not None and self.rng.random() < 0.6:
            categories = vocab.SECTORS[sector].categories
            return self.rng.choice(self._issues_by_category[self.rng.choice(categories)])
        return self.rng.randrange(len(vocab.ISSUES))

    # -- the steps ----------------------------------------------------------------------

    def build(self) -> None:
        self._report(_STEP_START[STEP_ORGANISATION], STEP_ORGANISATION)
        self._organisation()
        self._report(_STEP_START[STEP_MEMBERS], STEP_MEMBERS)
        self._members()
        self._report(_STEP_START[STEP_WORKSTATIONS], STEP_WORKSTATIONS)
        self._workstations()
        self._report(_STEP_START[STEP_VISITS], STEP_VISITS)
        self._campaigns()
        self._visits()
        self._report(_STEP_START[STEP_REPORTS], STEP_REPORTS)
        self._reports()
        self._report(_STEP_START[STEP_ACTIVITIES], STEP_ACTIVITIES)
        self._activities()
        self._report(_STEP_START[STEP_TOPICS], STEP_TOPICS)
        self._topics()
        self._proposals()
        self.sink.flush()

    # organisation: terms, plenaries, sectors, committees, places ------------------------

    def _organisation(self) -> None:
        rng, today = self.rng, self.today
        self.plenaries = {
            year: date(year, 1, rng.randint(8, 16)).toordinal()
            for year in range(today.year - 10, today.year + 2)
        }
        self.term_start = self.plenaries[today.year - 4]
        previous_start = self.plenaries[today.year - 9]
        try:
            history = today.replace(year=today.year - self.size.years)
        except ValueError:  # 29 February
            history = today.replace(year=today.year - self.size.years, day=28)
        self.h_ord = max(history.toordinal(), self.term_start)
        weights = [self._day_weight(date.fromordinal(o)) for o in range(self.h_ord, self.t_ord + 1)]
        self._cum = [0.0]
        for weight in weights:
            self._cum.append(self._cum[-1] + weight)

        sink, org_stamp = self.sink, self._stamp(self.term_start - 20)
        self.current_term_id = 2
        sink.add(Term, {"id": 1, "number": 13, "name": vocab.TERM_NAMES[13],
                        "starts_on": date.fromordinal(previous_start),
                        "ends_on": date.fromordinal(self.term_start - 1), "is_current": False})
        sink.add(Term, {"id": 2, "number": 14, "name": vocab.TERM_NAMES[14],
                        "starts_on": date.fromordinal(self.term_start), "ends_on": None,
                        "is_current": True})
        for index, spec in enumerate(vocab.SECTORS):
            holiday = spec.holiday
            sink.add(Sector, {
                "id": index + 1, "name": spec.name, "sort_order": index + 1,
                "holiday_name": holiday[0] if holiday else None,
                "holiday_month": holiday[1] if holiday else None,
                "holiday_day": holiday[2] if holiday else None,
                "created_at": org_stamp, "updated_at": org_stamp,
            })
        self.committee_ids = {name: i + 1 for i, name in enumerate(vocab.COMMITTEES)}
        self.liaison_id = len(vocab.COMMITTEES) + 1
        for name, committee_id in [*self.committee_ids.items(), (vocab.LIAISON, self.liaison_id)]:
            sink.add(Committee, {
                "id": committee_id, "name": name, "sort_order": committee_id,
                "is_liaison": committee_id == self.liaison_id,
                "created_at": org_stamp, "updated_at": org_stamp,
            })
        # Places: districts (区/县/市), each with streets and towns.
        used: set[str] = set()
        district_count = max(6, min(200, round(self.size.workstations / 12) or 6))
        self.districts = self._unique_names(district_count, vocab.DISTRICT_SUFFIXES, used)
        self.streets = {
            district: self._unique_names(rng.randint(6, 10), vocab.STREET_SUFFIXES, used)
            for district in self.districts
        }
        self.villages = [self._two_chars() for _ in range(max(60, self.size.members // 4))]

    @staticmethod
    def _day_weight(day: date) -> float:
        weight = _MONTH_WEIGHT[day.month]
        month, dom = vocab.SPRING_FESTIVAL.get(day.year, (2, 5))
        if -7 <= (day - date(day.year, month, dom)).days <= 10:
            weight *= 0.25
        if day.month == 10 and day.day <= 7:  # National Day week
            weight *= 0.4
        if day.weekday() >= 5:
            weight *= 0.55
        return weight

    # members, leaves, contact persons ---------------------------------------------------

    def _employer(self, key: str, district: str, street: str) -> str:
        template, titles = self.rng.choice(vocab.EMPLOYERS[key])
        company = self.fake.company() if "{co}" in template else ""
        employer = template.format(d=district, s=street, v=self.rng.choice(self.villages),
                                   n=self.rng.randint(1, 12), co=company)
        title = self.rng.choice(titles).format(r=district[-1])
        return f"{employer} {title}"[:120]

    def _members(self) -> None:
        rng, fake, sink, size = self.rng, self.fake, self.sink, self.size
        sector_count = len(vocab.SECTORS)
        weights = [spec.weight for spec in vocab.SECTORS]
        if size.members >= 2 * sector_count:
            sectors = list(range(sector_count))
            sectors += rng.choices(range(sector_count), weights, k=size.members - sector_count)
        else:
            sectors = rng.choices(range(sector_count), weights, k=size.members)
        rng.shuffle(sectors)
        # ~4% take a leave: at least one approved (quotas suspended) and one not
        on_leave = rng.sample(range(size.members), max(2, round(size.members * 0.04)))
        leave_approved = {m: i == 0 or (i > 1 and rng.random() < 0.7)
                          for i, m in enumerate(on_leave)}
        committees = list(self.committee_ids.values())
        used_names: set[str] = set()
        contact_id = 1
        leave_id = 1
        for index, sector in enumerate(sectors):
            spec = vocab.SECTORS[sector]
            female = rng.random() < 0.32
            name = ""
            for _ in range(6):  # Faker's zh_CN name_male/name_female are not gendered
                given = fake.first_name_female() if female else fake.first_name_male()
                name = fake.last_name() + given
                if name not in used_names:
                    break
            used_names.add(name)
            self._names.append(name)
            district = rng.choice(self.districts)
            street = rng.choice(self.streets[district])
            area = district + street
            roll = rng.random()
            if roll < 0.6:
                base_unit = (f"{area}{self._two_chars()}{rng.choice(vocab.COMPOUND_SUFFIXES)}"
                             f"{rng.randint(1, 30)}栋")
            elif roll < 0.85:
                base_unit = f"{street}{rng.choice(self.villages)}村"
            else:
                base_unit = f"{area}{rng.choice(self.villages)}社区"
            committee = (self.committee_ids[spec.committee]
                         if spec.committee and rng.random() < 0.7 else rng.choice(committees))
            from_ord = self.term_start
            if rng.random() < 0.05 and self.t_ord - 45 > self.term_start + 120:
                from_ord = rng.randint(self.term_start + 120, self.t_ord - 45)
            to_ord: int | None = None
            if rng.random() < 0.03:
                lo = max(from_ord + 120, self.t_ord - 540)
                if lo <= self.t_ord - 20:
                    to_ord = rng.randint(lo, self.t_ord - 20)
            member = _Member(
                id=index + 1, sector=sector, committee_id=committee, from_ord=from_ord,
                to_ord=to_ord if to_ord is not None else self.t_ord, area=area,
                district=district, rate=rng.choices((4.0, 8.0, 12.0), (15, 60, 25))[0],
            )
            created = self._stamp(min(from_ord, self.t_ord))
            sink.add(Member, {
                "id": member.id, "name": name,
                "gender": Gender.FEMALE if female else Gender.MALE,
                "birth_year": self.today.year - int(rng.triangular(33, 70, 54)),
                "phone": self._phone(),
                "employer": self._employer(spec.employers, district, street),
                "sector_id": sector + 1, "committee_id": committee,
                "term_id": self.current_term_id, "is_standing_committee": rng.random() < 0.15,
                "is_cpc": rng.random() < spec.cpc_share, "base_unit": base_unit[:120],
                "in_office_from": date.fromordinal(from_ord),
                "in_office_to": date.fromordinal(to_ord) if to_ord is not None else None,
                **self._editable(created,
                                 self._stamp(to_ord) if to_ord is not None else created),
            })
            # A few leave periods: approved ones suspend the quotas, the others do not.
            if index in leave_approved:
                lo, hi = max(self.h_ord, from_ord), min(member.to_ord, self.t_ord) - 20
                if lo < hi:
                    start = rng.randint(lo, hi)
                    end = start + rng.randint(30, 180)
                    approved = leave_approved[index]
                    member.leaves.append((start, end))
                    sink.add(MemberLeave, {
                        "id": leave_id, "member_id": member.id,
                        "starts_on": date.fromordinal(start), "ends_on": date.fromordinal(end),
                        "reason": rng.choice(vocab.LEAVE_REASONS), "approved": approved,
                        "created_at": self._stamp(start - 3),
                        "updated_at": self._stamp(min(start, self.t_ord)),
                    })
                    leave_id += 1
            # About ten sector contact persons.
            member.contact_first = contact_id
            for _ in range(rng.randint(8, 12)):
                contact_name = fake.name()
                template = rng.choice(vocab.CONTACT_ORGS)
                organisation = template.format(
                    d=district, s=street, v=rng.choice(self.villages), n=rng.randint(1, 12),
                    co=fake.company() if "{co}" in template else "",
                )
                sink.add(ContactPerson, {
                    "id": contact_id, "member_id": member.id, "name": contact_name,
                    "phone": self._phone(), "organisation": organisation[:120],
                    "note": rng.choice(vocab.CONTACT_ROLES),
                    **self._editable(created),
                })
                member.contact_names.append(contact_name)
                contact_id += 1
            self.members.append(member)
            if index % 1000 == 999:
                self._within(STEP_MEMBERS, index / size.members)
        self.by_sector: list[list[int]] = [[] for _ in vocab.SECTORS]
        self.by_committee: dict[int, list[int]] = {}
        for index, member in enumerate(self.members):
            self.by_sector[member.sector].append(index)
            self.by_committee.setdefault(member.committee_id, []).append(index)
        # in office today (whether or not on leave)
        self.current_members = [i for i, m in enumerate(self.members) if m.to_ord >= self.t_ord]

    # workstations and their stationed members -------------------------------------------

    def _workstations(self) -> None:
        rng, sink, count = self.rng, self.sink, self.size.workstations
        if count == 0:
            return
        studios = set(rng.sample(range(count), max(1, round(count * 0.2)) if count > 1 else 0))
        closed = set(rng.sample(range(count), round(count * 0.05) if count >= 10 else 0))
        others = [i for i in range(count) if i not in closed]
        idle = set(rng.sample(others, max(1, round(count * 0.12)) if count >= 3 else 0))
        all_committees = [*self.committee_ids.values(), self.liaison_id]
        used: set[str] = set()
        earliest = self.term_start - 3 * 365
        latest = max(earliest + 1, self.t_ord - 120)
        for index in range(count):
            is_studio = index in studios
            district = rng.choice(self.districts)
            street = rng.choice(self.streets[district])
            sector: int | None = None
            named_after: int | None = None
            if is_studio:
                if rng.random() < 0.4 and self.current_members:
                    named_after = rng.choice(self.current_members)
                    sector = self.members[named_after].sector
                    name = f"{self._names[named_after]}委员工作室"
                else:
                    sector = rng.randrange(len(vocab.SECTORS))
                    sector_name = vocab.SECTORS[sector].name
                    suffix = "" if sector_name.endswith("界") else "界"
                    name = f"{district}{sector_name}{suffix}委员工作室"
                spec_committee = vocab.SECTORS[sector].committee
                committee = (self.committee_ids[spec_committee]
                             if spec_committee and rng.random() < 0.7
                             else rng.choice(all_committees))
            else:
                if rng.random() < 0.6:
                    name = f"{district}{street}委员工作站"
                else:
                    name = f"{street}{rng.choice(self.villages)}村委员工作站"
                if rng.random() < 0.15:
                    sector = rng.randrange(len(vocab.SECTORS))
                committee = rng.choice(all_committees)
            if name in used:  # e.g. two stations in one street: number the later ones
                stem = name.removesuffix("委员工作站").removesuffix("委员工作室")
                number = 2
                while f"{stem}第{vocab.cn_number(number)}委员工作{name[-1]}" in used:
                    number += 1
                name = f"{stem}第{vocab.cn_number(number)}委员工作{name[-1]}"
            used.add(name)
            established = rng.randint(earliest, latest)
            active_until = self.t_ord
            is_active = True
            if index in closed:  # closed down a while ago
                is_active = False
                active_until = rng.randint(min(self.t_ord - 60, max(established + 120,
                                                                    self.h_ord + 60)),
                                           self.t_ord - 60)
            elif index in idle:  # worked for a while, an empty shell for the last 4-8 months
                active_until = self.t_ord - rng.randint(120, 240)
                established = min(established, active_until - 120)
            station = _Station(
                id=index + 1, name=name[:120], committee_id=committee, sector=sector,
                place=street if rng.random() < 0.5 else district, established=established,
                active_until=active_until, is_studio=is_studio,
            )
            road = self._two_chars() + rng.choice(vocab.ROAD_SUFFIXES)
            created = self._stamp(established)
            sink.add(Workstation, {
                "id": station.id, "name": station.name,
                "kind": WorkstationKind.STUDIO if is_studio else WorkstationKind.STATION,
                "committee_id": committee, "sector_id": sector + 1 if sector is not None else None,
                "district": district, "address": f"{district}{street}{road}{rng.randint(1, 300)}号",
                "established_on": date.fromordinal(established), "is_active": is_active,
                **self._editable(created, self._stamp(active_until) if not is_active else created),
            })
            # Stationed members: from the sector for a sector studio, else anyone in office.
            pool = self.current_members
            if sector is not None and len(self.by_sector[sector]) >= 4:
                pool = [i for i in self.by_sector[sector] if self.members[i].to_ord >= self.t_ord]
            want = min(rng.randint(2, 8), len(self.current_members))
            chosen = [named_after] if named_after is not None else []
            for candidate in rng.sample(pool, min(want, len(pool))):
                if candidate not in chosen and len(chosen) < want:
                    chosen.append(candidate)
            while len(chosen) < want:
                candidate = rng.choice(self.current_members)
                if candidate not in chosen:
                    chosen.append(candidate)
            for member_index in chosen:
                station.members.append(member_index)
                self.members[member_index].stations.append(index)
                sink.add(WorkstationMember, {"workstation_id": station.id,
                                             "member_id": self.members[member_index].id})
            self.stations.append(station)

    # must-visit campaigns ---------------------------------------------------------------

    def _campaigns(self) -> None:
        rng, sink = self.rng, self.sink
        all_sectors = tuple(range(len(vocab.SECTORS)))
        specs: list[tuple[VisitOccasion, str, int, int, tuple[int, ...], float, str]] = []
        sector_index = {spec.name: i for i, spec in enumerate(vocab.SECTORS)}
        holidays: dict[tuple[str, int, int], list[int]] = {}
        for index, spec in enumerate(vocab.SECTORS):
            if spec.holiday:
                holidays.setdefault(spec.holiday, []).append(index)
        first_year = date.fromordinal(self.h_ord).year
        for year in range(first_year, self.today.year + 2):
            plenary = self.plenaries.get(year)
            start_year = date.fromordinal(self.term_start).year
            if plenary and year > start_year:
                session = year - start_year + 1
                title = (f"市政协十四届{vocab.cn_number(session)}次会议召开前走访" if session <= 5
                         else "市政协十五届一次会议召开前走访")
                specs.append((VisitOccasion.BEFORE_PLENARY, title, plenary - 40, plenary - 1,
                              all_sectors, 0.5, "全会召开前，委员走访界别群众，广泛收集意见建议。"))
            specs.append((VisitOccasion.CONGRESS_OR_TWO_SESSIONS, f"{year}年全国两会精神宣讲走访",
                          date(year, 3, 12).toordinal(), date(year, 4, 15).toordinal(),
                          all_sectors, 0.55, "全国两会闭幕后，委员向界别群众宣讲会议精神。"))
            if (year - 2022) % 5 == 0:
                congress = vocab.cn_number(20 + (year - 2022) // 5)
                specs.append((VisitOccasion.CONGRESS_OR_TWO_SESSIONS,
                              f"学习宣传贯彻党的{congress}大精神走访",
                              date(year, 10, 24).toordinal(), date(year, 12, 10).toordinal(),
                              all_sectors, 0.5, "党的全国代表大会闭幕后开展走访宣讲。"))
            for (name, month, day), sectors in holidays.items():
                holiday = date(year, month, day).toordinal()
                names = "、".join(vocab.SECTORS[s].name.removesuffix("界") for s in sectors)
                specs.append((VisitOccasion.SECTOR_HOLIDAY, f"{year}年{name}走访慰问",
                              holiday - 7, holiday + 7, tuple(sectors), 0.7,
                              f"{name}前后走访慰问{names}界别群众。"))
            for title, names in rng.sample(vocab.POLICY_CAMPAIGNS, 2):
                start = date(year, rng.randint(4, 11), rng.randint(1, 28)).toordinal()
                specs.append((VisitOccasion.NEW_POLICY, f"{year}年{title}", start, start + 30,
                              tuple(sector_index[n] for n in names), 0.5,
                              "新政策出台后，委员向相关界别群众宣传解读。"))
            start = date(year, rng.randint(2, 11), rng.randint(1, 28)).toordinal()
            specs.append((VisitOccasion.MAJOR_SPEECH, f"{year}年学习贯彻重要讲话精神走访",
                          start, start + 21, tuple(sorted(rng.sample(all_sectors, 6))), 0.4,
                          "重要讲话发表后，委员向相关界别群众传达学习。"))
        specs.sort(key=lambda s: (s[2], s[1]))
        self.sector_campaigns: list[list[int]] = [[] for _ in vocab.SECTORS]
        self.day_campaign: list[dict[int, int]] = [{} for _ in vocab.SECTORS]
        for occasion, title, start, end, sectors, probability, description in specs:
            if start > self.t_ord or end < self.h_ord:
                continue
            campaign = _Campaign(id=len(self.campaigns) + 1, occasion=occasion, title=title,
                                 start=start, end=end, sectors=sectors, probability=probability)
            index = len(self.campaigns)
            self.campaigns.append(campaign)
            created = self._stamp(start - 7)
            sink.add(MustVisitCampaign, {
                "id": campaign.id, "occasion": occasion, "title": title,
                "starts_on": date.fromordinal(start), "ends_on": date.fromordinal(end),
                "description": description, "created_at": created, "updated_at": created,
            })
            for sector in sectors:
                sink.add(CampaignSector, {"campaign_id": campaign.id, "sector_id": sector + 1})
                self.sector_campaigns[sector].append(index)
                days = self.day_campaign[sector]
                for day in range(max(start, self.h_ord), min(end, self.t_ord) + 1):
                    days.setdefault(day, index)

    # visits -----------------------------------------------------------------------------

    def _quarters(self) -> list[tuple[int, int]]:
        quarters = []
        day = date.fromordinal(self.h_ord)
        start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        while start.toordinal() <= self.t_ord:
            month = start.month + 3
            following = date(start.year + (month > 12), (month - 1) % 12 + 1, 1)
            quarters.append((start.toordinal(), following.toordinal() - 1))
            start = following
        return quarters

    def _half_years(self) -> list[tuple[int, int]]:
        halves = []
        day = date.fromordinal(self.h_ord)
        start = date(day.year, 1 if day.month <= 6 else 7, 1)
        while start.toordinal() <= self.t_ord:
            following = date(start.year, 7, 1) if start.month == 1 else date(start.year + 1, 1, 1)
            halves.append((start.toordinal(), following.toordinal() - 1))
            start = following
        return halves

    def _visits(self) -> None:
        rng = self.rng
        quarters = self._quarters()
        last = len(quarters) - 1
        # Deliberate gaps: ~12% of the members in office have no visit this quarter yet,
        # ~5% had none last quarter, ~3% missed any earlier quarter.
        self.quiet: set[tuple[int, int]] = set()
        current = self.current_members
        for member in rng.sample(current, max(1, round(len(current) * 0.12))):
            self.quiet.add((member, last))
        if last > 0:
            for member in rng.sample(current, max(1, round(len(current) * 0.05))):
                self.quiet.add((member, last - 1))
        self.quarters = quarters

        plans: list[tuple[int, int, int, int]] = []  # (day, member, occasion, campaign+1)
        for mi, member in enumerate(self.members):
            lo, hi = max(self.h_ord, member.from_ord), min(self.t_ord, member.to_ord)
            for qi, (q_start, q_end) in enumerate(quarters):
                a, b = max(q_start, lo), min(q_end, hi)
                if a > b or (mi, qi) in self.quiet:
                    continue
                if qi < last - 1 and rng.random() < 0.03:
                    self.quiet.add((mi, qi))
                    continue
                before = len(plans)
                for ci in self.sector_campaigns[member.sector]:
                    campaign = self.campaigns[ci]
                    c_start, c_end = max(campaign.start, a), min(campaign.end, b)
                    if c_start > c_end:
                        continue
                    share = (c_end - c_start + 1) / (campaign.end - campaign.start + 1)
                    if rng.random() < campaign.probability * share:
                        day = self._pick_day(c_start, c_end)
                        if member.in_office(day):
                            plans.append((day, mi, _OCC_INDEX[campaign.occasion], ci + 1))
                fraction = (b - a + 1) / (q_end - q_start + 1)
                for _ in range(self._poisson(max(1.5, member.rate - 1.5) / 4 * fraction)):
                    day = self._pick_day(a, b)
                    if member.in_office(day):
                        plans.append((day, mi, *self._routine_occasion(member.sector, day)))
                if len(plans) == before:  # the quota: at least one visit a quarter
                    for _ in range(8):
                        day = self._pick_day(a, b)
                        if member.in_office(day):
                            plans.append((day, mi, *self._routine_occasion(member.sector, day)))
                            break
        plans.sort()
        self._write_visits(plans)

    def _routine_occasion(self, sector: int, day: int) -> tuple[int, int]:
        campaign = self.day_campaign[sector].get(day)
        if campaign is not None and self.rng.random() < 0.3:
            return _OCC_INDEX[self.campaigns[campaign].occasion], campaign + 1
        roll = self.rng.random()
        for threshold, occasion in _SPRINKLED:
            if roll < threshold:
                return _OCC_INDEX[occasion], 0
        return _OCC_INDEX[VisitOccasion.ROUTINE], 0

    def _quarter_of(self, day: int) -> int:
        return bisect.bisect_right(self._quarter_starts, day) - 1

    def _co_members(self, lead: int, day: int, count: int, quiet: set[tuple[int, int]],
                    period: int) -> list[int]:
        """Up to ``count`` colleagues (same sector or committee) in office on ``day``."""
        member = self.members[lead]
        chosen: list[int] = []
        for _ in range(count * 4):
            pool = (self.by_sector[member.sector] if self.rng.random() < 0.6
                    else self.by_committee[member.committee_id])
            other = self.rng.choice(pool)
            if (other != lead and other not in chosen and (other, period) not in quiet
                    and self.members[other].in_office(day)):
                chosen.append(other)
                if len(chosen) == count:
                    break
        return chosen

    def _problem_status(self, age: int) -> int:
        if age < 14:
            weights = (60, 30, 10, 0, 0)
        elif age < 60:
            weights = (15, 30, 35, 15, 5)
        elif age < 180:
            weights = (5, 10, 25, 50, 10)
        else:
            weights = (2, 3, 8, 75, 12)
        return self.rng.choices(range(5), weights)[0]

    def _write_visits(self, plans: list[tuple[int, int, int, int]]) -> None:
        rng, t_ord = self.rng, self.t_ord
        self._quarter_starts = [start for start, _ in self.quarters]
        total = len(plans)
        # Pass 1: the compact facts of each visit.
        channels = bytearray(total)
        problems = bytearray(total)
        stations = array("i", bytes(4 * total))
        joint: dict[int, list[int]] = {}
        for i, (day, lead, _occasion, _campaign) in enumerate(plans):
            roll = rng.randrange(100)
            channel = bisect.bisect_right(_CHANNEL_CUM, roll)
            channels[i] = channel
            if _CHANNELS[channel] is Channel.PLATFORM:
                usable = [s for s in self.members[lead].stations
                          if self.stations[s].established <= day <= self.stations[s].active_until]
                if usable:
                    stations[i] = rng.choice(usable) + 1
            if rng.random() < 0.13:
                others = self._co_members(lead, day, rng.choice((1, 1, 2, 3)), self.quiet,
                                          self._quarter_of(day))
                if others:
                    joint[i] = others
            if rng.random() < 0.4:
                problems[i] = rng.choices((1, 2, 3), (60, 30, 10))[0]
        # Pass 2: problem statuses by age, then make sure every status occurs.
        statuses = bytearray()
        for i, (day, *_rest) in enumerate(plans):
            for _ in range(problems[i]):
                statuses.append(self._problem_status(t_ord - day))
        self._cover_problem_statuses(statuses)
        # Pass 3: the rows.
        sink = self.sink
        self.member_visits: list[list[tuple[int, int]]] = [[] for _ in self.members]
        self.member_problems: list[list[tuple[int, int, int, int, int]]] = [
            [] for _ in self.members
        ]
        self.visit_issue = bytearray(total)
        problem_index = 0
        step = max(1, total // 20)
        for i, (day, lead, occasion_index, campaign) in enumerate(plans):
            visit_id = i + 1
            member = self.members[lead]
            channel = _CHANNELS[channels[i]]
            occasion = _OCCASIONS[occasion_index]
            station = self.stations[stations[i] - 1] if stations[i] else None
            place = station.place if station else member.area
            issues = [self._issue_for(member.sector) for _ in range(max(1, problems[i]))]
            self.visit_issue[i] = issues[0]
            topic = vocab.ISSUES[issues[0]].topic
            low, high = _CONTACTS_REACHED[channel]
            reached = rng.sample(range(len(member.contact_names)),
                                 rng.randint(low, high)) if member.contact_names else []
            low, high = _HEAD_COUNT[channel]
            head_count = max(len(reached), rng.randint(low, high))
            if reached:
                names = "、".join(member.contact_names[c] for c in reached)
                targets = names + (f"等{head_count}人" if head_count > len(reached) else "")
            else:
                group = rng.choice(vocab.TARGET_GROUPS).format(
                    place=place, sector=vocab.SECTORS[member.sector].name.removesuffix("界"))
                targets = f"{group}{head_count}人"
            summary = self._visit_summary(channel, occasion, member, place, targets, topic,
                                          station, problems[i])
            created = self._random_stamp(min(day + rng.choice((0, 0, 1, 2, 5)), t_ord))
            sink.add(Visit, {
                "id": visit_id, "visit_date": date.fromordinal(day), "channel": channel,
                "occasion": occasion, "campaign_id": campaign or None,
                "contact_targets": targets[:500], "head_count": head_count,
                "workstation_id": station.id if station else None, "summary": summary,
                "recorded_by_user_id": None, **self._editable(created),
            })
            visit_date = date.fromordinal(day)
            for other in [lead, *joint.get(i, ())]:
                sink.add(VisitMember, {"visit_id": visit_id, "member_id": self.members[other].id,
                                       "visit_date": visit_date})
            for contact in reached:
                sink.add(VisitContact, {"visit_id": visit_id,
                                        "contact_person_id": member.contact_first + contact})
            self.member_visits[lead].append((day, visit_id))
            for issue in issues[:problems[i]]:
                status = statuses[problem_index]
                problem_index += 1
                problem_id = self._add_problem(
                    day=day, issue=issue, status=status, place=place, visit_id=visit_id,
                    activity_id=None, committee_id=member.committee_id, created=created,
                )
                self.visit_problems.append((problem_id, day))
                self.member_problems[lead].append((day, problem_id, issue, status, visit_id))
            if i % step == step - 1:
                self._within(STEP_VISITS, i / total)

    @staticmethod
    def _cover_problem_statuses(statuses: bytearray) -> None:
        """Every ``ProblemStatus`` occurs: re-label a problem of a plausible age."""
        counts = [statuses.count(s) for s in range(5)]
        for status in range(5):
            if counts[status] or not statuses:
                continue
            # open states on the most recent problems, closed ones on the oldest
            order = range(len(statuses) - 1, -1, -1) if status < 3 else range(len(statuses))
            for index in order:
                if counts[statuses[index]] > 1:
                    counts[statuses[index]] -= 1
                    statuses[index] = status
                    counts[status] += 1
                    break

    def _add_problem(self, *, day: int, issue: int, status: int, place: str,
                     visit_id: int | None, activity_id: int | None, committee_id: int,
                     created: datetime) -> int:
        rng, t_ord = self.rng, self.t_ord
        item = vocab.ISSUES[issue]
        state = _PROBLEM_STATUSES[status]
        handled: int | None = None
        note: str | None = None
        if state is ProblemStatus.COLLECTED:
            changed = day
        elif state is ProblemStatus.REFERRED:
            changed = min(day + rng.randint(1, 10), t_ord)
        elif state is ProblemStatus.IN_PROGRESS:
            changed = min(day + rng.randint(5, 40), t_ord)
        else:
            handled = min(day + rng.randint(7, 120), t_ord)
            changed = handled
            notes = (vocab.HANDLING_NOTES_RESOLVED if state is ProblemStatus.RESOLVED
                     else vocab.HANDLING_NOTES_NOT_RESOLVABLE)
            note = rng.choice(notes).format(dept=item.department)
        problem_id = self.next_problem_id
        self.next_problem_id += 1
        changed_at = max(created, self._stamp(changed, 8))
        self.sink.add(CollectedProblem, {
            "id": problem_id, "visit_id": visit_id, "activity_id": activity_id,
            "committee_id": committee_id, "content": item.problem.format(place=place),
            "suggestion": item.suggestion, "status": state,
            "collected_on": date.fromordinal(day),
            "handled_on": date.fromordinal(handled) if handled is not None else None,
            "handling_note": note, "opinion_report_id": None, "topic_id": None,
            "status_changed_at": changed_at,
            **self._editable(created, changed_at),
        })
        return problem_id

    def _visit_summary(self, channel: Channel, occasion: VisitOccasion, member: _Member,
                       place: str, targets: str, topic: str, station: _Station | None,
                       problem_count: int) -> str:
        rng = self.rng
        short_targets = targets if len(targets) <= 30 else targets[:30].rsplit("、", 1)[0] + "等"
        opening = rng.choice(vocab.VISIT_OPENINGS[channel]).format(
            targets=short_targets, place=place, topic=topic, service=rng.choice(vocab.SERVICES),
            station=station.name if station else "委员工作站",
        )
        spec = vocab.SECTORS[member.sector]
        if occasion is VisitOccasion.SECTOR_HOLIDAY and spec.holiday:
            phrase = f"在{spec.holiday[0]}之际走访慰问{spec.name.removesuffix('界')}界群众，"
        else:
            phrase = vocab.OCCASION_PHRASES[occasion]
        situation = rng.choice(vocab.VISIT_SITUATIONS).format(topic=topic)
        closing = rng.choice(vocab.VISIT_CLOSINGS).format(n=rng.randint(3, 20))
        collected = f"收集问题和建议{problem_count}条。" if problem_count else ""
        return opening + phrase + situation + collected + closing

    # opinion reports --------------------------------------------------------------------

    def _reports(self) -> None:
        rng = self.rng
        halves = self._half_years()
        last = len(halves) - 1
        quiet: set[tuple[int, int]] = set()
        current = self.current_members
        for member in rng.sample(current, max(1, round(len(current) * 0.2))):
            quiet.add((member, last))
        plans: list[_ReportPlan] = []
        self._half_starts = [start for start, _ in halves]
        for hi, (h_start, h_end) in enumerate(halves):
            windows: dict[int, tuple[int, int]] = {}
            for mi, member in enumerate(self.members):
                a = max(h_start, member.from_ord, self.h_ord)
                b = min(h_end, member.to_ord, self.t_ord)
                if a > b or (mi, hi) in quiet:
                    continue
                if hi < last and rng.random() < 0.15:
                    quiet.add((mi, hi))
                    continue
                windows[mi] = (a, b)
            order = list(windows)
            rng.shuffle(order)
            covered: set[int] = set()
            for mi in order:
                if mi in covered and rng.random() < 0.9:
                    continue
                for _ in range(2 if rng.random() < 0.05 else 1):
                    a, b = windows[mi]
                    day = self._pick_day(a, b)
                    if not self.members[mi].in_office(day):
                        continue
                    co: list[int] = []
                    if rng.random() < 0.55:  # written jointly, mostly with those still owing one
                        co = self._co_authors(mi, day, rng.choice((1, 2, 2, 3)), windows, covered)
                    plans.append(_ReportPlan(day=day, lead=mi, co=co))
                    covered.add(mi)
                    covered.update(co)
        plans.sort(key=lambda p: (p.day, p.lead))
        paths = [self._report_path(plan) for plan in plans]
        self._cover_report_statuses(plans, paths)
        self._write_reports(plans, paths)

    def _co_authors(self, lead: int, day: int, count: int, windows: dict[int, tuple[int, int]],
                    covered: set[int]) -> list[int]:
        member = self.members[lead]
        chosen: list[int] = []
        for attempt in range(count * 6):
            pool = (self.by_committee[member.committee_id] if self.rng.random() < 0.6
                    else self.by_sector[member.sector])
            other = self.rng.choice(pool)
            if (other == lead or other in chosen or other not in windows
                    or not self.members[other].in_office(day)):
                continue
            if other in covered and attempt < count * 4:
                continue
            chosen.append(other)
            if len(chosen) == count:
                break
        return chosen

    def _full_path(self, day: int, urgent: bool, adopted: bool, instructed: bool) -> _Steps:
        rng = self.rng
        path = [(OpinionStatus.SUBMITTED, day)]
        t = day + rng.randint(0, 4)
        path.append((OpinionStatus.UNDER_REVIEW, t))
        if not adopted:
            path.append((OpinionStatus.NOT_ADOPTED, t + rng.randint(3, 25)))
            return path
        t += rng.randint(1, 5) if urgent else rng.randint(3, 25)
        path.append((OpinionStatus.ADOPTED, t))
        t += rng.randint(0, 2) if urgent else rng.randint(2, 15)
        path.append((OpinionStatus.FORWARDED, t))
        if instructed:
            t += rng.randint(3, 20)
            path.append((OpinionStatus.INSTRUCTED, t))
        t += rng.randint(2, 10)
        path.append((OpinionStatus.HANDLING, t))
        t += rng.randint(20, 75)
        path.append((OpinionStatus.FEEDBACK_RECEIVED, t))
        path.append((OpinionStatus.CLOSED, t + rng.randint(3, 20)))
        return path

    def _report_path(self, plan: _ReportPlan) -> _Path:
        rng = self.rng
        urgent = rng.random() < 0.1
        adopted = rng.random() < 0.8
        instructed = rng.random() < (0.35 if urgent else 0.15)
        full = self._full_path(plan.day, urgent, adopted, instructed)
        taken = [step for step in full if step[1] <= self.t_ord]
        reached = {status for status, _ in taken}
        roll = rng.random()
        # Some reports got stuck: in review or in a department for many weeks.
        if (roll < 0.06 and len(taken) > 2 and taken[1][1] <= self.t_ord - 42):
            taken = taken[:2]
        elif roll < 0.14 and OpinionStatus.HANDLING in reached:
            stuck = next(s for s in taken if s[0] is OpinionStatus.HANDLING)
            if stuck[1] <= self.t_ord - 56:
                taken = taken[:taken.index(stuck) + 1]
        elif roll < 0.22 and taken[-1][0] is OpinionStatus.CLOSED:
            taken = taken[:-1]  # feedback in, never formally closed
        return urgent, full, taken

    def _cover_report_statuses(
        self, plans: list[_ReportPlan],
        paths: list[_Path],
    ) -> None:
        """Every ``OpinionStatus`` occurs: stop a report at the missing step."""
        if not plans:
            return
        counts: dict[OpinionStatus, int] = dict.fromkeys(_OPINION_STATUSES, 0)
        for _urgent, _full, taken in paths:
            counts[taken[-1][0]] += 1
        for status in _OPINION_STATUSES:
            if counts[status]:
                continue
            done = False
            for index in range(len(paths) - 1, -1, -1):  # most recent first
                urgent, full, taken = paths[index]
                steps = [s for s in full if s[0] is status and s[1] <= self.t_ord]
                if steps and counts[taken[-1][0]] > 1:
                    counts[taken[-1][0]] -= 1
                    paths[index] = (urgent, full, full[:full.index(steps[0]) + 1])
                    counts[status] += 1
                    done = True
                    break
            if done:
                continue
            for index in range(len(paths)):  # oldest first: force the branch
                urgent, _full, taken = paths[index]
                if counts[taken[-1][0]] <= 1:
                    continue
                full = self._full_path(plans[index].day, urgent,
                                       status is not OpinionStatus.NOT_ADOPTED,
                                       status is OpinionStatus.INSTRUCTED)
                steps = [s for s in full if s[0] is status and s[1] <= self.t_ord]
                if steps:
                    counts[taken[-1][0]] -= 1
                    paths[index] = (urgent, full, full[:full.index(steps[0]) + 1])
                    counts[status] += 1
                    break

    def _write_reports(
        self, plans: list[_ReportPlan],
        paths: list[_Path],
    ) -> None:
        rng, sink = self.rng, self.sink
        linked: list[tuple[int, int]] = []  # (problem id, report id)
        used_problems: set[int] = set()
        change_id = 1
        instruction_id = 1
        total = len(plans)
        for index, (plan, (urgent, _full, taken)) in enumerate(zip(plans, paths, strict=True)):
            report_id = index + 1
            member = self.members[plan.lead]
            spec = vocab.SECTORS[member.sector]
            source_visit: int | None = None
            issue: int | None = None
            place = member.district
            roll = rng.random()
            if roll < 0.25:  # grew out of a collected problem
                for p_day, p_id, p_issue, p_status, p_visit in reversed(
                        self.member_problems[plan.lead]):
                    if p_day > plan.day:
                        continue
                    if p_day < plan.day - 120:
                        break
                    if p_id not in used_problems and p_status != 0:
                        used_problems.add(p_id)
                        linked.append((p_id, report_id))
                        issue, source_visit = p_issue, p_visit
                        break
            elif roll < 0.6:  # written up after a visit
                visits = self.member_visits[plan.lead]
                position = bisect.bisect_right(visits, (plan.day, 1 << 62)) - 1
                if position >= 0 and visits[position][0] >= plan.day - 60:
                    source_visit = visits[position][1]
                    issue = self.visit_issue[source_visit - 1]
            if issue is None:
                issue = self._issue_for(member.sector)
            item = vocab.ISSUES[issue]
            station = self.stations[member.stations[0]] if member.stations else None
            opening = rng.choice(vocab.REPORT_OPENINGS[:3] if station is None
                                 else vocab.REPORT_OPENINGS)
            if station is not None and "{station}" in opening:
                place = station.place
            body = (opening.format(sector=spec.name.removesuffix("界") + "界",
                                   station=station.name if station else "")
                    + item.problem.format(place=place) + rng.choice(vocab.REPORT_ANALYSES)
                    + item.suggestion)
            title = rng.choice(vocab.REPORT_TITLES).format(topic=item.topic, place=place)
            reached = {status: day for status, day in taken}
            status, last_day = taken[-1]
            adoption: AdoptionLevel | None = None
            if OpinionStatus.ADOPTED in reached:
                adoption = rng.choices(tuple(AdoptionLevel), (75, 20, 5))[0]
            changed_at = self._stamp(last_day, len(taken) - 1)
            submitted = date.fromordinal(plan.day)

            sink.add(OpinionReport, {
                "id": report_id, "title": title[:200], "body": body,
                "category": item.category, "status": status,
                "committee_id": member.committee_id, "source_visit_id": source_visit,
                "is_urgent": urgent, "submitted_on": submitted, "adoption_level": adoption,
                "adopted_on": _on(reached, OpinionStatus.ADOPTED),
                "not_adopted_reason": (rng.choice(vocab.NOT_ADOPTED_REASONS)
                                       if OpinionStatus.NOT_ADOPTED in reached else None),
                "forwarded_to": item.department if OpinionStatus.FORWARDED in reached else None,
                "forwarded_on": _on(reached, OpinionStatus.FORWARDED),
                "feedback_on": _on(reached, OpinionStatus.FEEDBACK_RECEIVED),
                "feedback_summary": (rng.choice(vocab.FEEDBACKS).format(dept=item.department)
                                     if OpinionStatus.FEEDBACK_RECEIVED in reached else None),
                "closed_on": _on(reached, OpinionStatus.CLOSED), "status_changed_at": changed_at,
                **self._editable(self._stamp(plan.day, 0), changed_at),
            })
            for position, other in enumerate([plan.lead, *plan.co]):
                sink.add(OpinionReportMember, {
                    "report_id": report_id, "member_id": self.members[other].id,
                    "is_lead": position == 0, "submitted_on": submitted,
                })
            previous: OpinionStatus | None = None
            for slot, (step, day) in enumerate(taken):
                note = rng.choice(vocab.STATUS_NOTES)
                sink.add(OpinionStatusChange, {
                    "id": change_id, "report_id": report_id, "from_status": previous,
                    "to_status": step, "changed_at": self._stamp(day, slot),
                    "changed_on": date.fromordinal(day), "actor_user_id": None,
                    "note": note or None,
                })
                change_id += 1
                previous = step
            if OpinionStatus.INSTRUCTED in reached:
                level = (adoption.value if adoption and rng.random() < 0.8 else "city")
                sink.add(LeaderInstruction, {
                    "id": instruction_id, "report_id": report_id,
                    "level": InstructionLevel(level),
                    "leader": rng.choice(vocab.LEADERS[level]),
                    "instructed_on": _on(reached, OpinionStatus.INSTRUCTED),
                    "content": rng.choice(vocab.INSTRUCTIONS).format(dept=item.department),
                })
                instruction_id += 1
            if index % 2000 == 1999:
                self._within(STEP_REPORTS, index / total)
        self.sink.update(CollectedProblem, "opinion_report_id", linked)

    # workstation activities -------------------------------------------------------------

    def _activities(self) -> None:
        rng, t_ord = self.rng, self.t_ord
        plans: list[tuple[int, int]] = []  # (day, station index)
        for si, station in enumerate(self.stations):
            start = max(self.h_ord, station.established)
            end = min(t_ord, station.active_until)
            if start > end:
                continue
            mean = 2.2 if station.is_studio else 1.6
            month = date.fromordinal(start).replace(day=1)
            while month.toordinal() <= end:
                following = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
                a = max(start, month.toordinal())
                b = min(end, following.toordinal() - 1)
                fraction = (b - a + 1) / (following.toordinal() - month.toordinal())
                for _ in range(self._poisson(mean * fraction * _MONTH_WEIGHT[month.month])):
                    plans.append((self._pick_day(a, b), si))
                month = following
        plans.sort()
        sink = self.sink
        total = len(plans)
        for index, (day, si) in enumerate(plans):
            activity_id = index + 1
            station = self.stations[si]
            key = vocab.SECTORS[station.sector].employers if station.sector is not None else ""
            weights = list(_ACTIVITY_BASE_WEIGHTS)
            if key in _ACTIVITY_BOOST:
                weights[_ACTIVITY_TYPES.index(_ACTIVITY_BOOST[key])] += 40
            if station.place.endswith(("镇", "乡")):
                weights[_ACTIVITY_TYPES.index(ActivityType.AGRI_SCIENCE_HELP)] += 15
            kind = rng.choices(_ACTIVITY_TYPES, weights)[0]
            issue = self._issue_for(station.sector)
            title = rng.choice(vocab.ACTIVITY_TITLES[kind]).format(
                policy=rng.choice(vocab.POLICIES), place=station.place,
                crop=rng.choice(vocab.CROPS), topic=vocab.ISSUES[issue].topic,
                month=vocab.cn_number(date.fromordinal(day).month),
            )
            low, high = _PEOPLE_SERVED[kind]
            notes = (rng.choice(vocab.ACTIVITY_NOTES).format(n=rng.randint(5, 120))
                     if rng.random() < 0.5 else None)
            created = self._random_stamp(min(day + rng.choice((0, 1, 3)), t_ord))
            sink.add(WorkstationActivity, {
                "id": activity_id, "workstation_id": station.id,
                "activity_date": date.fromordinal(day), "activity_type": kind,
                "title": title[:200], "people_served": rng.randint(low, high), "notes": notes,
                **self._editable(created),
            })
            present = [m for m in station.members if self.members[m].in_office(day)]
            if present:
                for member_index in rng.sample(present, rng.randint(1, min(4, len(present)))):
                    sink.add(WorkstationActivityMember, {
                        "activity_id": activity_id, "member_id": self.members[member_index].id,
                    })
            if rng.random() < 0.25:
                for _ in range(rng.choice((1, 1, 2))):
                    self._add_problem(
                        day=day, issue=self._issue_for(station.sector),
                        status=self._problem_status(t_ord - day), place=station.place,
                        visit_id=None, activity_id=activity_id,
                        committee_id=station.committee_id, created=created,
                    )
            if index % 5000 == 4999:
                self._within(STEP_ACTIVITIES, index / total)

    # consultation topics and proposals --------------------------------------------------

    def _topics(self) -> None:
        rng, t_ord, sink = self.rng, self.t_ord, self.sink
        count = max(8, round(self.size.members / 500 * 15 * self.size.years))
        latest = max(self.h_ord, t_ord - 5)
        days = sorted(self._pick_day(self.h_ord, latest) for _ in range(count))
        statuses = [self._topic_status(t_ord - day) for day in days]
        # every TopicStatus occurs: re-label a topic old enough for it
        for status in range(len(_TOPIC_STATUSES)):
            if status in statuses:
                continue
            for index in range(len(days) - 1, -1, -1):
                if statuses.count(statuses[index]) > 1 and t_ord - days[index] >= 20 * status:
                    statuses[index] = status
                    break
        committees = [*self.committee_ids.values(), self.liaison_id]
        problem_days = [day for _, day in self.visit_problems]
        links: list[tuple[int, int]] = []
        for index, (day, status) in enumerate(zip(days, statuses, strict=True)):
            topic_id = index + 1
            state = _TOPIC_STATUSES[status]
            kind = TopicKind.SUPERVISION if rng.random() < 0.2 else TopicKind.CONSULTATION
            item = vocab.ISSUES[rng.randrange(len(vocab.ISSUES))]
            usable = [s for s in self.stations if s.established <= day <= s.active_until]
            station = rng.choice(usable) if usable and rng.random() < 0.4 else None
            age = t_ord - day
            consulted = done = None
            if status >= _TOPIC_STATUSES.index(TopicStatus.CONSULTED):
                consulted = day + max(1, int(age * rng.uniform(0.3, 0.6)))
            if state is TopicStatus.DONE and consulted is not None:
                done = consulted + max(1, int((t_ord - consulted) * rng.uniform(0.3, 0.9)))
            converted = status >= _TOPIC_STATUSES.index(TopicStatus.OUTCOME_CONVERTED)
            updated = self._stamp(done or consulted or day, 5)
            sink.add(ConsultationTopic, {
                "id": topic_id,
                "title": rng.choice(vocab.TOPIC_TITLES[kind.value]).format(topic=item.topic),
                "kind": kind, "status": state, "committee_id": rng.choice(committees),
                "workstation_id": station.id if station else None,
                "proposed_on": date.fromordinal(day),
                "consulted_on": date.fromordinal(consulted) if consulted else None,
                "participants": (vocab.TOPIC_PARTICIPANTS.format(dept=item.department,
                                                                 n=rng.randint(12, 60))
                                 if consulted else None),
                "outcome": (rng.choice(vocab.TOPIC_OUTCOMES).format(n=rng.randint(3, 12),
                                                                    dept=item.department)
                            if converted else None),
                "follow_up": (rng.choice(vocab.TOPIC_FOLLOW_UPS).format(dept=item.department)
                              if converted else None),
                "done_on": date.fromordinal(done) if done else None,
                **self._editable(self._stamp(day, 1), updated),
            })
            # general problems that fed the topic (collected in the 120 days before)
            lo = bisect.bisect_left(problem_days, day - 120)
            hi = bisect.bisect_right(problem_days, day)
            if hi > lo:
                for position in rng.sample(range(lo, hi), min(hi - lo, rng.randint(1, 3))):
                    links.append((self.visit_problems[position][0], topic_id))
        sink.update(CollectedProblem, "topic_id", sorted(links))

    @staticmethod
    def _topic_status(age: int) -> int:
        if age < 30:
            return 0 if age < 12 else 1
        if age < 90:
            return 1 + (age % 2)
        if age < 200:
            return 2 + (age % 3)
        return 3 + (age % 3)

    def _proposals(self) -> None:
        rng, t_ord, sink = self.rng, self.t_ord, self.sink
        count = round(self.size.members * 0.6 * (t_ord - self.h_ord + 1) / 365)
        plenaries = [p for p in self.plenaries.values() if self.h_ord <= p <= t_ord]
        days = []
        for _ in range(count):
            if plenaries and rng.random() < 0.65:
                day = rng.choice(plenaries) + rng.randint(-3, 3)
                days.append(min(max(day, self.h_ord), t_ord))
            else:
                days.append(self._pick_day(self.h_ord, t_ord))
        days.sort()
        start_year = date.fromordinal(self.term_start).year
        sequence: dict[int, int] = {}
        proposal_id = 0
        statuses: list[ProposalStatus] = []
        rows: list[tuple[dict[str, Any], list[int]]] = []
        for day in days:
            lead = rng.choice(self.members)
            if not lead.in_office(day):
                lead = next((m for m in rng.sample(self.members, min(20, len(self.members)))
                             if m.in_office(day)), lead)
                if not lead.in_office(day):
                    continue
            lead_index = lead.id - 1
            co = (self._co_members(lead_index, day, rng.randint(1, 4), set(), 0)
                  if rng.random() < 0.5 else [])
            when = date.fromordinal(day)
            session = when.year - start_year + (1 if day >= self.plenaries[when.year] else 0)
            session = min(max(session, 1), 5)
            sequence[session] = sequence.get(session, 0) + 1
            proposal_id += 1
            item = vocab.ISSUES[self._issue_for(lead.sector)]
            age = t_ord - day
            if age <= 20:
                status = ProposalStatus.SUBMITTED
            elif rng.random() < 0.1:
                status = ProposalStatus.NOT_FILED
            elif age <= 45:
                status = ProposalStatus.FILED
            elif age <= 150:
                status = ProposalStatus.REPLIED if rng.random() < 0.3 else ProposalStatus.HANDLING
            else:
                status = ProposalStatus.HANDLING if rng.random() < 0.12 else ProposalStatus.REPLIED
            statuses.append(status)
            row = {
                "id": proposal_id, "number": f"14-{session}-{sequence[session]:05d}",
                "title": rng.choice(vocab.PROPOSAL_TITLES).format(topic=item.topic)[:200],
                "term_id": self.current_term_id, "submitted_on": when, "status": status,
                "handling_unit": item.department, "reply_summary": None, "replied_on": None,
                "_reply": rng.choice(vocab.PROPOSAL_REPLIES).format(dept=item.department),
                "_span": rng.randint(60, 150),
            }
            rows.append((row, [lead_index, *co]))
        # every ProposalStatus occurs (the oldest ones can be anything)
        for status in _PROPOSAL_STATUSES:
            if status in statuses or not rows:
                continue
            for index, (row, _members) in enumerate(rows):
                age = t_ord - row["submitted_on"].toordinal()
                if statuses.count(statuses[index]) > 1 and age > 20:
                    statuses[index] = row["status"] = status
                    break
        for (row, members), status in zip(rows, statuses, strict=True):
            day = row["submitted_on"].toordinal()
            reply, span = row.pop("_reply"), row.pop("_span")
            if status is ProposalStatus.SUBMITTED or status is ProposalStatus.NOT_FILED:
                row["handling_unit"] = None
            updated = self._stamp(min(day + 20, t_ord), 3)
            if status is ProposalStatus.REPLIED:
                replied = min(day + span, t_ord)
                row["replied_on"] = date.fromordinal(replied)
                row["reply_summary"] = reply
                updated = self._stamp(replied, 4)
            elif status is ProposalStatus.SUBMITTED:
                updated = self._stamp(day, 1)
            sink.add(Proposal, {**row, **self._editable(self._stamp(day, 1), updated)})
            for position, member_index in enumerate(members):
                sink.add(ProposalMember, {"proposal_id": row["id"],
                                          "member_id": self.members[member_index].id,
                                          "is_lead": position == 0})
