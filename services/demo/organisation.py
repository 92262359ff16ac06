"""The organisations (政协组织) and what each has of its own: terms, the real sector and
committee names, and fictional places; and the calendar of the history.

The store's one organisation becomes the top (a city, or a province); those below it are
new rows. Every organisation shares the calendar (terms begin at the same plenary, as
they do in China, give or take weeks) but counts its own terms. A district or county has
fewer sectors and committees than a city."""

import math
from datetime import date

from models import Committee, Organisation, OrgLevel, Sector, Term
from services.demo import vocabulary as vocab
from services.demo.world import MONTH_WEIGHT, OrgPlan, World


def build_organisations(w: World) -> None:
    """The organisation tree, its places, terms, sectors and committees; the calendar."""
    _build_calendar(w)
    _plan_tree(w)
    sink, org_stamp = w.sink, w.stamp(w.term_start - 20)
    term_id = sector_id = committee_id = 0
    for org in w.orgs:
        row = {"name": org.name, "level": org.level, "parent_id": org.parent_id,
               "sort_order": _sort_order(w, org), "created_at": org_stamp,
               "updated_at": org_stamp}
        if org.id == w.top_id and w.top_exists:  # the store's own, renamed
            sink.update_row(Organisation, org.id, row)
        else:
            sink.add(Organisation, {"id": org.id, **row})
        # the previous term and the current one
        org.previous_term_id, org.term_id = term_id + 1, term_id + 2
        term_id += 2
        for number, term, starts, ends in (
            (org.term_number - 1, org.previous_term_id, w.previous_term_start,
             w.term_start - 1),
            (org.term_number, org.term_id, w.term_start, None),
        ):
            sink.add(Term, {"id": term, "organisation_id": org.id, "number": number,
                            "name": vocab.term_name(number),
                            "starts_on": date.fromordinal(starts),
                            "ends_on": date.fromordinal(ends) if ends else None,
                            "is_current": ends is None})
        for position, index in enumerate(org.sectors):
            sector_id += 1
            org.sector_ids[index] = sector_id
            spec = vocab.SECTORS[index]
            holiday = spec.holiday
            sink.add(Sector, {
                "id": sector_id, "organisation_id": org.id, "name": spec.name,
                "sort_order": position + 1,
                "holiday_name": holiday[0] if holiday else None,
                "holiday_month": holiday[1] if holiday else None,
                "holiday_day": holiday[2] if holiday else None,
                "created_at": org_stamp, "updated_at": org_stamp,
            })
        for position, name in enumerate([*org.committee_ids, vocab.LIAISON]):
            committee_id += 1
            if name == vocab.LIAISON:
                org.liaison_id = committee_id
            else:
                org.committee_ids[name] = committee_id
            sink.add(Committee, {
                "id": committee_id, "organisation_id": org.id, "name": name,
                "sort_order": position + 1, "is_liaison": name == vocab.LIAISON,
                "created_at": org_stamp, "updated_at": org_stamp,
            })
    w.sector_count = sector_id


def _sort_order(w: World, org: OrgPlan) -> int:
    siblings = [o.id for o in w.orgs if o.parent_id == org.parent_id]
    return siblings.index(org.id) + 1


def _build_calendar(w: World) -> None:
    rng, today = w.rng, w.today
    w.plenaries = {
        year: date(year, 1, rng.randint(8, 16)).toordinal()
        for year in range(today.year - 10, today.year + 2)
    }
    w.term_start = w.plenaries[today.year - 4]
    w.previous_term_start = w.plenaries[today.year - 9]
    try:
        history = today.replace(year=today.year - w.size.years)
    except ValueError:  # 29 February
        history = today.replace(year=today.year - w.size.years, day=28)
    w.h_ord = max(history.toordinal(), w.term_start)
    weights = [_day_weight(date.fromordinal(o)) for o in range(w.h_ord, w.t_ord + 1)]
    w.cum = [0.0]
    for weight in weights:
        w.cum.append(w.cum[-1] + weight)


def _day_weight(day: date) -> float:
    weight = MONTH_WEIGHT[day.month]
    month, dom = vocab.SPRING_FESTIVAL.get(day.year, (2, 5))
    if -7 <= (day - date(day.year, month, dom)).days <= 10:
        weight *= 0.25
    if day.month == 10 and day.day <= 7:  # National Day week
        weight *= 0.4
    if day.weekday() >= 5:
        weight *= 0.55
    return weight


def _split(w: World, total: int, count: int) -> list[int]:
    """``total`` shared by ``count``, each between 70% and 130% of the mean."""
    if not count:
        return []
    mean = total / count
    low, high = math.ceil(0.7 * mean), math.floor(1.3 * mean)
    sizes = [total // count + (i < total % count) for i in range(count)]
    for _ in range(3 * count):
        a, b = w.rng.randrange(count), w.rng.randrange(count)
        room = min(high - sizes[a], sizes[b] - low)
        if a != b and room > 0:
            moved = w.rng.randint(0, room)
            sizes[a] += moved
            sizes[b] -= moved
    return sizes


def _spread(w: World, total: int, count: int, low: int, high: int) -> list[int]:
    """``total`` organisations below ``count`` parents, each between ``low`` and ``high``."""
    counts = [total // count + (i < total % count) for i in range(count)]
    for _ in range(count):
        a, b = w.rng.randrange(count), w.rng.randrange(count)
        if a != b and counts[a] < high and counts[b] > low:
            counts[a] += 1
            counts[b] -= 1
    return counts


def _plan_tree(w: World) -> None:
    """Who is below whom, how big each is, its places, sectors and committees."""
    rng, size = w.rng, w.size
    used: set[str] = set()
    w.streets = {}
    w.orgs = []
    ratio = size.workstations / size.members
    w.villages = [w.two_chars() for _ in range(max(60, size.total_members // 4))]

    def places(count: int) -> list[str]:
        names = w.unique_names(count, vocab.DISTRICT_SUFFIXES, used)
        for name in names:
            w.streets[name] = w.unique_names(rng.randint(6, 10), vocab.STREET_SUFFIXES, used)
        return names

    def add(place: str, level: OrgLevel, parent: OrgPlan | None, members: int,
            stations: int, where: list[str]) -> OrgPlan:
        if level is OrgLevel.PROVINCE:
            short, prefix = "省政协", "省"
        elif level is OrgLevel.CITY:
            short, prefix = "市政协", "市"
        else:
            short = place[-1] + "政协"
            prefix = place[-1]
        top = parent is None
        org = OrgPlan(
            id=w.top_id + len(w.orgs), index=len(w.orgs), name=f"{place}政协", level=level,
            parent_id=parent.id if parent else None, place=place, short=short,
            dept_prefix=prefix, member_count=members, station_count=stations,
            places=where,
            term_number=(vocab.TOP_TERMS[level] if top else rng.randint(8, 16)),
        )
        org.sectors = _sectors(w, level, top)
        org.committee_ids = dict.fromkeys(_committees(w, level, top), 0)
        w.orgs.append(org)
        return org

    def lower_level(place: str) -> OrgLevel:
        return OrgLevel.DISTRICT if place.endswith("区") else OrgLevel.COUNTY

    if size.level is OrgLevel.CITY:
        city = w.unique_names(1, ("市",), used)[0]
        where = places(max(6, size.children + 2, min(200, round(size.workstations / 12))))
        top = add(city, OrgLevel.CITY, None, size.members, size.workstations, where)
        for place, members in zip(rng.sample(where, size.children),
                                  _split(w, size.children * size.child_members,
                                         size.children), strict=True):
            add(place, lower_level(place), top, members, round(members * ratio), [place])
        return
    province = w.unique_names(1, ("省",), used)[0]
    top = add(province, OrgLevel.PROVINCE, None, size.members, size.workstations, [])
    counties = _spread(w, size.children * size.grandchildren, size.children,
                       max(1, size.grandchildren - 1), size.grandchildren + 1)
    county_members = _split(w, sum(counties) * size.grandchild_members, sum(counties))
    cities = w.unique_names(size.children, ("市",), used)
    for name, members, below in zip(
            cities, _split(w, size.children * size.child_members, size.children), counties,
            strict=True):
        where = places(rng.randint(below + 2, below + 6))
        top.places.extend(where)
        city = add(name, OrgLevel.CITY, top, members, round(members * ratio), where)
        for place in rng.sample(where, below):
            members = county_members.pop()
            add(place, lower_level(place), city, members, round(members * ratio), [place])


def _sectors(w: World, level: OrgLevel, top: bool) -> list[int]:
    """The sectors an organisation has: all at the top and in cities, fewer below."""
    everything = list(range(len(vocab.SECTORS)))
    if top or level in (OrgLevel.CITY, OrgLevel.PROVINCE):
        return everything
    optional = [i for i in everything if vocab.SECTORS[i].name in vocab.LOCAL_OPTIONAL_SECTORS]
    dropped = set(w.rng.sample(optional, w.rng.randint(4, min(8, len(optional)))))
    return [i for i in everything if i not in dropped]


def _committees(w: World, level: OrgLevel, top: bool) -> list[str]:
    """The special committees: all nine at the top and in cities, four to six below."""
    if top or level in (OrgLevel.CITY, OrgLevel.PROVINCE):
        return list(vocab.COMMITTEES)
    others = vocab.COMMITTEES[1:]
    chosen = set(w.rng.sample(others, w.rng.randint(3, 5)))
    return [vocab.PROPOSALS, *(name for name in others if name in chosen)]
