"""What the builder knows while it builds: the seeded random sources, the calendar of the
history, the progress bar, and what the steps before have made.

Every step module (``organisation``, ``members``, ``workstations``, ``visits``,
``reports``, ``topics``) reads what earlier steps left in the ``World`` and adds its own.
All randomness comes from ``World.rng`` and ``World.fake`` in a fixed order, so the same
seed and the same day give the same store.
"""

import bisect
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from faker import Faker

from models import OrgLevel, ProblemStatus, VisitOccasion
from services.demo import vocabulary as vocab
from services.demo.sink import Sink
from services.demo.sizes import DemoSize

ProgressCallback = Callable[[float, str], None]
"""``(fraction 0..1, message key)``; the keys are ``demo.step.*``."""

MONTH_WEIGHT = (0.0, 0.8, 0.8, 1.25, 1.3, 1.2, 1.0, 0.8, 0.8, 1.2, 1.05, 1.3, 1.1)
_MOBILE_PREFIXES = ("133", "135", "136", "137", "138", "139", "150", "151", "152", "158",
                    "159", "177", "180", "181", "186", "187", "188", "189", "199")


@dataclass(slots=True)
class OrgPlan:
    """An organisation (政协组织) and what belongs to it."""

    id: int
    index: int  # in ``World.orgs``
    name: str  # 青龙区政协
    level: OrgLevel
    parent_id: int | None
    place: str  # the place it serves: 青龙区
    short: str  # how its own documents name it: 区政协
    dept_prefix: str  # its government's departments begin so: 区(教育局)
    member_count: int
    station_count: int
    places: list[str]  # the districts its members live in and its stations stand in
    term_number: int = 0  # the current term's
    term_id: int = 0
    previous_term_id: int = 0
    sectors: list[int] = field(default_factory=list)  # indices into vocab.SECTORS
    sector_ids: dict[int, int] = field(default_factory=dict)  # vocab index -> Sector.id
    committee_ids: dict[str, int] = field(default_factory=dict)  # the special committees
    liaison_id: int = 0
    members: list[int] = field(default_factory=list)  # member indices
    current: list[int] = field(default_factory=list)  # in office today
    stations: list[int] = field(default_factory=list)  # workstation indices
    visit_problems: list[tuple[int, int]] = field(default_factory=list)  # (id, collected)

    def local(self, text: str) -> str:
        """A city department's or unit's name as this organisation's government has it:
        市教育局 -> 区教育局."""
        return self.dept_prefix + text[1:] if text.startswith("市") else text


@dataclass(slots=True)
class MemberPlan:
    id: int
    org: int  # index into World.orgs
    sector: int  # index into vocab.SECTORS
    sector_id: int
    committee_id: int
    from_ord: int  # first day in office in the current term
    to_ord: int  # last day in office within the generated history (today if still in)
    area: str  # district + street, for texts
    district: str
    rate: float  # visits a year
    leaves: list[tuple[int, int]] = field(default_factory=list)  # approved ones
    contact_ids: list[int] = field(default_factory=list)  # active contact persons
    contact_names: list[str] = field(default_factory=list)
    stations: list[int] = field(default_factory=list)  # workstation indices
    moved_on: int = 0  # the day the current committee began, after a move in the term
    former_committee_id: int = 0

    def in_office(self, day: int) -> bool:
        if not self.from_ord <= day <= self.to_ord:
            return False
        return not any(start <= day <= end for start, end in self.leaves)

    def committee_on(self, day: int) -> int:
        """The committee the member sat on that day."""
        return self.former_committee_id if day < self.moved_on else self.committee_id


@dataclass(slots=True)
class StationPlan:
    id: int
    org: int  # index into World.orgs
    name: str
    committee_id: int
    sector: int | None
    place: str
    established: int
    active_until: int  # last day it can host anything (deactivation or idleness)
    is_studio: bool
    members: list[int] = field(default_factory=list)  # member indices


@dataclass(slots=True)
class CampaignPlan:
    id: int
    org: int  # index into World.orgs
    occasion: VisitOccasion
    title: str
    start: int
    end: int
    sectors: tuple[int, ...]  # Sector ids
    probability: float


@dataclass(slots=True)
class ProblemPlan:
    """A collected problem, written once the reports and topics have taken up theirs."""

    day: int  # collected
    issue: int  # index into vocab.ISSUES
    org: int  # index into World.orgs
    place: str
    visit_id: int | None
    activity_id: int | None
    committee_id: int
    created: datetime


def editable(created: datetime, updated: datetime | None = None) -> dict[str, Any]:
    """The ``Editable`` columns of a row created (and last changed) at these times."""
    return {"created_at": created, "updated_at": updated or created, "version": 1,
            "deleted_at": None}


class World:
    """The seeded random sources and what the steps have built so far. The attributes
    below are set by the step named beside them and read by the later ones."""

    # the organisations and the calendar (organisation.build_organisations)
    orgs: list[OrgPlan]  # the top first, each followed by those below it
    plenaries: dict[int, int]  # year -> day of the plenary session (every organisation's)
    term_start: int
    previous_term_start: int
    h_ord: int  # the first day of the history
    cum: list[float]  # cumulative day weights from h_ord, for pick_day
    sector_count: int  # Sector ids are 1..sector_count
    streets: dict[str, list[str]]
    villages: list[str]
    # the roster (members.build_members)
    by_sector: list[list[int]]  # by Sector id
    by_committee: dict[int, list[int]]
    current_members: list[int]  # in office today (whether or not on leave)
    # must-visit campaigns (visits.build_campaigns), by Sector id
    sector_campaigns: list[list[int]]
    day_campaign: list[dict[int, int]]
    # visits (visits.build_visits)
    member_visits: list[list[tuple[int, int]]]  # (day, visit id), by member index
    # (day, problem id, issue, visit id), by member index
    member_problems: list[list[tuple[int, int, int, int]]]
    visit_issue: bytearray  # the issue of each visit
    # the problem category (ListEntry id) of each issue (problems.find_categories)
    category_ids: list[int]

    def __init__(
        self, *, size: DemoSize, seed: int, today: date, sink: Sink, progress: ProgressCallback,
        top_id: int = 1, top_exists: bool = True,
    ) -> None:
        self.size = size
        self.top_id = top_id  # the store's one organisation becomes the top
        self.top_exists = top_exists
        self.today = today
        self.t_ord = today.toordinal()
        self.sink = sink
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self._progress = progress
        self._fraction = 0.0
        self._step = ("", 0.0, 0.0)
        self._stamps: dict[int, datetime] = {}
        self.members: list[MemberPlan] = []
        self.names: list[str] = []  # of the members, by index
        self.stations: list[StationPlan] = []
        self.campaigns: list[CampaignPlan] = []
        self.problems: list[ProblemPlan] = []  # problem id - 1 (problems.add_problem)
        # problem id -> (to_report or to_topic, report or topic id, day), by the reports
        # and topics that took the problem up (problems.take_up)
        self.taken_up: dict[int, tuple[ProblemStatus, int, int]] = {}
        self._issues_by_category: dict[Any, list[int]] = {}
        for index, issue in enumerate(vocab.ISSUES):
            self._issues_by_category.setdefault(issue.category, []).append(index)

    # -- progress -------------------------------------------------------------------------

    def begin(self, key: str, start: float, end: float) -> None:
        """A step begins: it fills the progress bar from ``start`` to ``end``."""
        self._step = (key, start, end)
        self._report(start, key)

    def advance(self, done: float) -> None:
        """Progress inside the step: ``done`` is the share of the step completed."""
        key, start, end = self._step
        self._report(start + (end - start) * done, key)

    def _report(self, fraction: float, key: str) -> None:
        self._fraction = max(self._fraction, min(fraction, 1.0))
        self._progress(self._fraction, key)

    # -- time -----------------------------------------------------------------------------

    def stamp(self, ordinal: int, slot: int = 0) -> datetime:
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

    def random_stamp(self, ordinal: int) -> datetime:
        return self.stamp(ordinal, self.rng.randrange(9))

    def pick_day(self, lo: int, hi: int) -> int:
        """A day in ``[lo, hi]`` (within the history), weighted by the season."""
        base, cum = self.h_ord, self.cum
        a, b = cum[lo - base], cum[hi - base + 1]
        u = a + self.rng.random() * (b - a)
        index = bisect.bisect_right(cum, u, lo - base, hi - base + 1) - 1
        return base + min(max(index, lo - base), hi - base)

    # -- random values --------------------------------------------------------------------

    def phone(self) -> str:
        return self.rng.choice(_MOBILE_PREFIXES) + f"{self.rng.randrange(100_000_000):08d}"

    def poisson(self, mean: float) -> int:
        if mean <= 0:
            return 0
        limit = math.exp(-mean)
        count, product = 0, self.rng.random()
        while product > limit:
            count += 1
            product *= self.rng.random()
        return count

    def two_chars(self) -> str:
        while True:
            a, b = self.rng.choice(vocab.PLACE_CHARS), self.rng.choice(vocab.PLACE_CHARS)
            if a != b:
                return a + b

    def unique_names(self, count: int, suffixes: Sequence[str], used: set[str]) -> list[str]:
        names: list[str] = []
        attempts = 0
        while len(names) < count:
            attempts += 1
            stem = self.two_chars()
            if attempts > 50 * count:  # pool exhausted: three characters
                stem += self.rng.choice(vocab.PLACE_CHARS)
            name = stem + self.rng.choice(suffixes)
            if name not in used:
                used.add(name)
                names.append(name)
        return names

    def issue_for(self, sector: int | None) -> int:
        """Index of an issue, biased towards what the sector cares about."""
        if sector is not None and self.rng.random() < 0.6:
            categories = vocab.SECTORS[sector].categories
            return self.rng.choice(self._issues_by_category[self.rng.choice(categories)])
        return self.rng.randrange(len(vocab.ISSUES))

    def colleagues(
        self, lead: int, day: int, count: int, *, draws_per_seat: int,
        committee_first: bool = False, welcome: Callable[[int, int], bool] | None = None,
    ) -> list[int]:
        """Up to ``count`` colleagues of member ``lead`` in office on ``day``, drawn from the
        same sector or committee (six draws in ten from the first of them), at most
        ``draws_per_seat`` draws a seat. ``welcome(colleague, draw)`` may turn one away."""
        member = self.members[lead]
        sector = self.by_sector[member.sector_id]
        committee = self.by_committee[member.committee_id]
        near, far = (committee, sector) if committee_first else (sector, committee)
        chosen: list[int] = []
        for draw in range(count * draws_per_seat):
            other = self.rng.choice(near if self.rng.random() < 0.6 else far)
            if (other != lead and other not in chosen and self.members[other].in_office(day)
                    and (welcome is None or welcome(other, draw))):
                chosen.append(other)
                if len(chosen) == count:
                    break
        return chosen

    def members_without_any(self, share: float, period: int) -> set[tuple[int, int]]:
        """A ``share`` of the members in office today (at least one), as (member, period)
        pairs: they did nothing of the kind in that period."""
        current = self.current_members
        return {(member, period)
                for member in self.rng.sample(current, max(1, round(len(current) * share)))}
