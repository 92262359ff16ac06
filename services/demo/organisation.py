"""The organisation and its roster: terms and plenaries, the real sector and committee
names, fictional places, and the members with their leaves and contact persons."""

from datetime import date

from models import Committee, ContactPerson, Gender, Member, MemberLeave, Sector, Term
from services.demo import vocabulary as vocab
from services.demo.world import MONTH_WEIGHT, MemberPlan, World, editable


def build_organisation(w: World) -> None:
    """Terms, plenaries, sectors, committees and places; and the calendar of the history."""
    rng, today = w.rng, w.today
    w.plenaries = {
        year: date(year, 1, rng.randint(8, 16)).toordinal()
        for year in range(today.year - 10, today.year + 2)
    }
    w.term_start = w.plenaries[today.year - 4]
    previous_start = w.plenaries[today.year - 9]
    try:
        history = today.replace(year=today.year - w.size.years)
    except ValueError:  # 29 February
        history = today.replace(year=today.year - w.size.years, day=28)
    w.h_ord = max(history.toordinal(), w.term_start)
    weights = [_day_weight(date.fromordinal(o)) for o in range(w.h_ord, w.t_ord + 1)]
    w.cum = [0.0]
    for weight in weights:
        w.cum.append(w.cum[-1] + weight)

    sink, org_stamp = w.sink, w.stamp(w.term_start - 20)
    w.current_term_id = 2
    sink.add(Term, {"id": 1, "number": 13, "name": vocab.TERM_NAMES[13],
                    "starts_on": date.fromordinal(previous_start),
                    "ends_on": date.fromordinal(w.term_start - 1), "is_current": False})
    sink.add(Term, {"id": 2, "number": 14, "name": vocab.TERM_NAMES[14],
                    "starts_on": date.fromordinal(w.term_start), "ends_on": None,
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
    w.committee_ids = {name: i + 1 for i, name in enumerate(vocab.COMMITTEES)}
    w.liaison_id = len(vocab.COMMITTEES) + 1
    for name, committee_id in [*w.committee_ids.items(), (vocab.LIAISON, w.liaison_id)]:
        sink.add(Committee, {
            "id": committee_id, "name": name, "sort_order": committee_id,
            "is_liaison": committee_id == w.liaison_id,
            "created_at": org_stamp, "updated_at": org_stamp,
        })
    # Places: districts (区/县/市), each with streets and towns.
    used: set[str] = set()
    district_count = max(6, min(200, round(w.size.workstations / 12) or 6))
    w.districts = w.unique_names(district_count, vocab.DISTRICT_SUFFIXES, used)
    w.streets = {
        district: w.unique_names(rng.randint(6, 10), vocab.STREET_SUFFIXES, used)
        for district in w.districts
    }
    w.villages = [w.two_chars() for _ in range(max(60, w.size.members // 4))]


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


def _employer(w: World, key: str, district: str, street: str) -> str:
    template, titles = w.rng.choice(vocab.EMPLOYERS[key])
    company = w.fake.company() if "{co}" in template else ""
    employer = template.format(d=district, s=street, v=w.rng.choice(w.villages),
                               n=w.rng.randint(1, 12), co=company)
    title = w.rng.choice(titles).format(r=district[-1])
    return f"{employer} {title}"[:120]


def build_members(w: World) -> None:
    """Members, their leaves and their sector contact persons."""
    rng, fake, sink, size = w.rng, w.fake, w.sink, w.size
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
    committees = list(w.committee_ids.values())
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
        w.names.append(name)
        district = rng.choice(w.districts)
        street = rng.choice(w.streets[district])
        area = district + street
        roll = rng.random()
        if roll < 0.6:
            base_unit = (f"{area}{w.two_chars()}{rng.choice(vocab.COMPOUND_SUFFIXES)}"
                         f"{rng.randint(1, 30)}栋")
        elif roll < 0.85:
            base_unit = f"{street}{rng.choice(w.villages)}村"
        else:
            base_unit = f"{area}{rng.choice(w.villages)}社区"
        committee = (w.committee_ids[spec.committee]
                     if spec.committee and rng.random() < 0.7 else rng.choice(committees))
        from_ord = w.term_start
        if rng.random() < 0.05 and w.t_ord - 45 > w.term_start + 120:
            from_ord = rng.randint(w.term_start + 120, w.t_ord - 45)
        to_ord: int | None = None
        if rng.random() < 0.03:
            lo = max(from_ord + 120, w.t_ord - 540)
            if lo <= w.t_ord - 20:
                to_ord = rng.randint(lo, w.t_ord - 20)
        member = MemberPlan(
            id=index + 1, sector=sector, committee_id=committee, from_ord=from_ord,
            to_ord=to_ord if to_ord is not None else w.t_ord, area=area,
            district=district, rate=rng.choices((4.0, 8.0, 12.0), (15, 60, 25))[0],
        )
        created = w.stamp(min(from_ord, w.t_ord))
        sink.add(Member, {
            "id": member.id, "name": name,
            "gender": Gender.FEMALE if female else Gender.MALE,
            "birth_year": w.today.year - int(rng.triangular(33, 70, 54)),
            "phone": w.phone(),
            "employer": _employer(w, spec.employers, district, street),
            "sector_id": sector + 1, "committee_id": committee,
            "term_id": w.current_term_id, "is_standing_committee": rng.random() < 0.15,
            "is_cpc": rng.random() < spec.cpc_share, "base_unit": base_unit[:120],
            "in_office_from": date.fromordinal(from_ord),
            "in_office_to": date.fromordinal(to_ord) if to_ord is not None else None,
            **editable(created, w.stamp(to_ord) if to_ord is not None else created),
        })
        # A few leave periods: approved ones suspend the quotas, the others do not.
        if index in leave_approved:
            lo, hi = max(w.h_ord, from_ord), min(member.to_ord, w.t_ord) - 20
            if lo < hi:
                start = rng.randint(lo, hi)
                end = start + rng.randint(30, 180)
                approved = leave_approved[index]
                member.leaves.append((start, end))
                sink.add(MemberLeave, {
                    "id": leave_id, "member_id": member.id,
                    "starts_on": date.fromordinal(start), "ends_on": date.fromordinal(end),
                    "reason": rng.choice(vocab.LEAVE_REASONS), "approved": approved,
                    "created_at": w.stamp(start - 3),
                    "updated_at": w.stamp(min(start, w.t_ord)),
                })
                leave_id += 1
        # About ten sector contact persons.
        member.contact_first = contact_id
        for _ in range(rng.randint(8, 12)):
            contact_name = fake.name()
            template = rng.choice(vocab.CONTACT_ORGS)
            organisation = template.format(
                d=district, s=street, v=rng.choice(w.villages), n=rng.randint(1, 12),
                co=fake.company() if "{co}" in template else "",
            )
            sink.add(ContactPerson, {
                "id": contact_id, "member_id": member.id, "name": contact_name,
                "phone": w.phone(), "organisation": organisation[:120],
                "note": rng.choice(vocab.CONTACT_ROLES),
                **editable(created),
            })
            member.contact_names.append(contact_name)
            contact_id += 1
        w.members.append(member)
        if index % 1000 == 999:
            w.advance(index / size.members)
    w.by_sector = [[] for _ in vocab.SECTORS]
    w.by_committee = {}
    for index, member in enumerate(w.members):
        w.by_sector[member.sector].append(index)
        w.by_committee.setdefault(member.committee_id, []).append(index)
    w.current_members = [i for i, m in enumerate(w.members) if m.to_ord >= w.t_ord]
