"""Members' studios and workstations, and the activities they hold."""

from datetime import date

from sqlalchemy import select

from models import (
    ListEntry,
    ListKind,
    Workstation,
    WorkstationActivity,
    WorkstationActivityMember,
    WorkstationKind,
    WorkstationMember,
)
from services.demo import vocabulary as vocab
from services.demo.problems import add_problem
from services.demo.sink import table
from services.demo.world import MONTH_WEIGHT, OrgPlan, StationPlan, World, editable
from services.workstations import DEFAULT_ACTIVITY_TYPES

_ACTIVITY_TYPES = tuple(DEFAULT_ACTIVITY_TYPES)  # the keys, in the list's order
_ACTIVITY_BASE_WEIGHTS = (22, 10, 8, 6, 10, 22, 16, 6, 6)
_ACTIVITY_BOOST = {
    "health": "free_clinic", "agriculture": "agri_science_help",
    "law": "legal_consultation", "education": "training",
    "science": "training", "culture": "other",
}
_PEOPLE_SERVED = {
    "policy_briefing": (20, 150), "legal_consultation": (5, 40),
    "free_clinic": (30, 200), "agri_science_help": (15, 80),
    "training": (20, 100), "reception_day": (3, 25),
    "micro_consultation": (10, 40), "visiting": (5, 30), "other": (10, 60),
}


def build_workstations(w: World) -> None:
    """Every organisation's studios and stations, some closed and some idle, and the
    members stationed there (the organisation's own)."""
    used: set[str] = set()
    for org in w.orgs:
        _build_org_workstations(w, org, used)


def _build_org_workstations(w: World, org: OrgPlan, used: set[str]) -> None:
    rng, sink, count = w.rng, w.sink, org.station_count
    if count == 0:
        return
    studios = set(rng.sample(range(count), max(1, round(count * 0.2)) if count > 1 else 0))
    closed = set(rng.sample(range(count), round(count * 0.05) if count >= 10 else 0))
    others = [i for i in range(count) if i not in closed]
    idle = set(rng.sample(others, max(1, round(count * 0.12)) if count >= 3 else 0))
    all_committees = [*org.committee_ids.values(), org.liaison_id]
    current = org.current
    earliest = w.term_start - 3 * 365
    latest = max(earliest + 1, w.t_ord - 120)
    for position in range(count):
        index = len(w.stations)
        is_studio = position in studios
        district = rng.choice(org.places)
        street = rng.choice(w.streets[district])
        sector: int | None = None
        named_after: int | None = None
        if is_studio:
            if rng.random() < 0.4 and current:
                named_after = rng.choice(current)
                sector = w.members[named_after].sector
                name = f"{w.names[named_after]}委员工作室"
            else:
                sector = rng.choice(org.sectors)
                sector_name = vocab.SECTORS[sector].name
                suffix = "" if sector_name.endswith("界") else "界"
                name = f"{district}{sector_name}{suffix}委员工作室"
            spec_committee = vocab.SECTORS[sector].committee
            committee = (org.committee_ids[spec_committee]
                         if spec_committee in org.committee_ids and rng.random() < 0.7
                         else rng.choice(all_committees))
        else:
            if rng.random() < 0.6:
                name = f"{district}{street}委员工作站"
            else:
                name = f"{street}{rng.choice(w.villages)}村委员工作站"
            if rng.random() < 0.15:
                sector = rng.choice(org.sectors)
            committee = rng.choice(all_committees)
        if name in used:  # e.g. two stations in one street: number the later ones
            stem = name.removesuffix("委员工作站").removesuffix("委员工作室")
            number = 2
            while f"{stem}第{vocab.cn_number(number)}委员工作{name[-1]}" in used:
                number += 1
            name = f"{stem}第{vocab.cn_number(number)}委员工作{name[-1]}"
        used.add(name)
        established = rng.randint(earliest, latest)
        active_until = w.t_ord
        is_active = True
        if position in closed:  # closed down a while ago
            is_active = False
            active_until = rng.randint(min(w.t_ord - 60, max(established + 120,
                                                                w.h_ord + 60)),
                                       w.t_ord - 60)
        elif position in idle:  # worked for a while, an empty shell for the last 4-8 months
            active_until = w.t_ord - rng.randint(120, 240)
            established = min(established, active_until - 120)
        station = StationPlan(
            id=index + 1, org=org.index, name=name[:120], committee_id=committee,
            sector=sector, place=street if rng.random() < 0.5 else district,
            established=established, active_until=active_until, is_studio=is_studio,
        )
        road = w.two_chars() + rng.choice(vocab.ROAD_SUFFIXES)
        created = w.stamp(established)
        row = {
            "id": station.id, "organisation_id": org.id, "name": station.name,
            "kind": WorkstationKind.STUDIO if is_studio else WorkstationKind.STATION,
            "committee_id": committee,
            "sector_id": org.sector_ids[sector] if sector is not None else None,
            "district": district, "address": f"{district}{street}{road}{rng.randint(1, 300)}号",
            "established_on": date.fromordinal(established), "is_active": is_active,
            "closed_on": date.fromordinal(active_until) if not is_active else None,
            **editable(created, w.stamp(active_until) if not is_active else created),
        }
        # Stationed members: from the sector for a sector studio, else anyone in office.
        pool = current
        if sector is not None:
            same = [i for i in w.by_sector[org.sector_ids[sector]]
                    if w.members[i].to_ord >= w.t_ord]
            if len(same) >= 4:
                pool = same
        want = min(rng.randint(2, 8), len(current))
        chosen = [named_after] if named_after is not None else []
        for candidate in rng.sample(pool, min(want, len(pool))):
            if candidate not in chosen and len(chosen) < want:
                chosen.append(candidate)
        while len(chosen) < want:
            candidate = rng.choice(current)
            if candidate not in chosen:
                chosen.append(candidate)
        # the head (负责人): the first member stationed there, with a made-up phone (no
        # draw from the generator, so the rest of the data stays as it was)
        head = chosen[0] if chosen else None
        sink.add(Workstation, {
            **row, "head_name": w.names[head] if head is not None else None,
            "head_phone": (f"13{station.id % 10}{(station.id * 7919) % 10**8:08d}"
                           if head is not None else None)})
        for member_index in chosen:
            station.members.append(member_index)
            w.members[member_index].stations.append(index)
            member = w.members[member_index]
            sink.add(WorkstationMember, {
                "workstation_id": station.id, "member_id": member.id,
                "from_on": date.fromordinal(max(established, member.from_ord)),
                "to_on": (date.fromordinal(member.to_ord)
                          if established <= member.to_ord < w.t_ord else None),
                "duty_days": rng.choice(_DUTY_DAYS)})
        w.stations.append(station)
        org.stations.append(index)


_DUTY_DAYS = ("每周一上午", "每周三上午", "每周五下午", "每月第一个周二", "每月15日", None)


def _activity_type_ids(w: World) -> dict[str, int]:
    """The top organisation's activity types (migration 0011 seeds them) by key; the
    ones it lacks are added."""
    entries = table(ListEntry)

    def stored() -> dict[str, int]:
        return dict(w.sink.read(select(entries.c.name, entries.c.id).where(
            entries.c.organisation_id == w.top_id,
            entries.c.kind == ListKind.ACTIVITY_TYPE)))

    ids = stored()
    missing = [name for name in DEFAULT_ACTIVITY_TYPES.values() if name not in ids]
    created = w.stamp(w.previous_term_start)
    for position, name in enumerate(missing, start=len(ids)):
        w.sink.add(ListEntry, {
            "organisation_id": w.top_id, "kind": ListKind.ACTIVITY_TYPE, "name": name,
            "text": None, "position": position, "is_active": True,
            "created_at": created, "updated_at": created,
        })
    if missing:
        ids = stored()
    return {key: ids[name] for key, name in DEFAULT_ACTIVITY_TYPES.items()}


def build_activities(w: World) -> None:
    """What the workstations did, month by month, and the problems raised there."""
    rng, t_ord = w.rng, w.t_ord
    type_ids = _activity_type_ids(w)
    plans: list[tuple[int, int]] = []  # (day, station index)
    for si, station in enumerate(w.stations):
        start = max(w.h_ord, station.established)
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
            for _ in range(w.poisson(mean * fraction * MONTH_WEIGHT[month.month])):
                plans.append((w.pick_day(a, b), si))
            month = following
    plans.sort()
    sink = w.sink
    total = len(plans)
    for index, (day, si) in enumerate(plans):
        activity_id = index + 1
        station = w.stations[si]
        key = vocab.SECTORS[station.sector].employers if station.sector is not None else ""
        weights = list(_ACTIVITY_BASE_WEIGHTS)
        if key in _ACTIVITY_BOOST:
            weights[_ACTIVITY_TYPES.index(_ACTIVITY_BOOST[key])] += 40
        if station.place.endswith(("镇", "乡")):
            weights[_ACTIVITY_TYPES.index("agri_science_help")] += 15
        kind = rng.choices(_ACTIVITY_TYPES, weights)[0]
        issue = w.issue_for(station.sector)
        title = rng.choice(vocab.ACTIVITY_TITLES[kind]).format(
            policy=rng.choice(vocab.POLICIES), place=station.place,
            crop=rng.choice(vocab.CROPS), topic=vocab.ISSUES[issue].topic,
            month=vocab.cn_number(date.fromordinal(day).month),
        )
        low, high = _PEOPLE_SERVED[kind]
        notes = (rng.choice(vocab.ACTIVITY_NOTES).format(n=rng.randint(5, 120))
                 if rng.random() < 0.5 else None)
        created = w.random_stamp(min(day + rng.choice((0, 1, 3)), t_ord))
        people = rng.randint(low, high)
        in_office = [m for m in station.members if w.members[m].in_office(day)]
        present = (rng.sample(in_office, rng.randint(1, min(4, len(in_office))))
                   if in_office else [])
        sink.add(WorkstationActivity, {
            "id": activity_id, "workstation_id": station.id,
            "activity_date": date.fromordinal(day), "activity_type_id": type_ids[kind],
            "title": title[:200], "people_served": people, "summary": notes,
            "members_present": len(present), **editable(created),
        })
        for member_index in present:
            sink.add(WorkstationActivityMember, {
                "activity_id": activity_id, "member_id": w.members[member_index].id,
                "activity_date": date.fromordinal(day),
            })
        if rng.random() < 0.25:
            for _ in range(rng.choice((1, 1, 2))):
                add_problem(
                    w, org=w.orgs[station.org], day=day, issue=w.issue_for(station.sector),
                    place=station.place, visit_id=None, activity_id=activity_id,
                    committee_id=station.committee_id, created=created,
                )
        if index % 5000 == 4999:
            w.advance(index / total)
