"""Must-visit campaigns, and the visits recorded on the registration form with the
problems they collected."""

import bisect
from array import array
from datetime import date

from models import (
    CampaignSector,
    Channel,
    MustVisitCampaign,
    Visit,
    VisitContact,
    VisitMember,
    VisitOccasion,
)
from services.demo import vocabulary as vocab
from services.demo.problems import add_problem
from services.demo.world import (
    CampaignPlan,
    MemberPlan,
    OrgPlan,
    StationPlan,
    World,
    editable,
)

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
_HEAD_COUNT = {
    Channel.FACE_TO_FACE: (1, 8), Channel.REGULAR_WORK: (3, 15), Channel.ONLINE: (1, 20),
    Channel.SERVICE_ACTIVITY: (5, 40), Channel.PLATFORM: (8, 60),
}
AT_BASE_UNIT = 0.15  # of the face-to-face visits: held at the member's employer
AWAITING_ACKNOWLEDGEMENT = 0.02  # of the visits of the last 30 days
_CONTACTS_REACHED = {
    Channel.FACE_TO_FACE: (1, 3), Channel.REGULAR_WORK: (0, 2), Channel.ONLINE: (1, 3),
    Channel.SERVICE_ACTIVITY: (1, 2), Channel.PLATFORM: (0, 1),
}


def build_campaigns(w: World) -> None:
    """Must-visit campaigns of every organisation, for its own sectors: before its
    plenaries, after the Two Sessions, on sector holidays, after new policies and major
    speeches."""
    w.sector_campaigns = [[] for _ in range(w.sector_count + 1)]
    w.day_campaign = [{} for _ in range(w.sector_count + 1)]
    for org in w.orgs:
        _build_org_campaigns(w, org)


def _build_org_campaigns(w: World, org: OrgPlan) -> None:
    rng, sink = w.rng, w.sink
    all_sectors = tuple(org.sectors)
    specs: list[tuple[VisitOccasion, str, int, int, tuple[int, ...], float, str]] = []
    sector_index = {vocab.SECTORS[i].name: i for i in org.sectors}
    holidays: dict[tuple[str, int, int], list[int]] = {}
    for index in org.sectors:
        holiday = vocab.SECTORS[index].holiday
        if holiday:
            holidays.setdefault(holiday, []).append(index)
    first_year = date.fromordinal(w.h_ord).year
    start_year = date.fromordinal(w.term_start).year
    for year in range(first_year, w.today.year + 2):
        plenary = w.plenaries.get(year)
        if plenary and year > start_year:
            session = year - start_year + 1
            term, number = org.term_number, session
            if session > 5:
                term, number = term + 1, 1
            title = (f"{org.short}{vocab.term_name(term)}{vocab.cn_number(number)}"
                     "次会议召开前走访")
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
            targets = tuple(sector_index[n] for n in names if n in sector_index)
            if targets:
                specs.append((VisitOccasion.NEW_POLICY, f"{year}年{title}", start, start + 30,
                              targets, 0.5, "新政策出台后，委员向相关界别群众宣传解读。"))
        start = date(year, rng.randint(2, 11), rng.randint(1, 28)).toordinal()
        specs.append((VisitOccasion.MAJOR_SPEECH, f"{year}年学习贯彻重要讲话精神走访",
                      start, start + 21, tuple(sorted(rng.sample(all_sectors, 6))), 0.4,
                      "重要讲话发表后，委员向相关界别群众传达学习。"))
    specs.sort(key=lambda s: (s[2], s[1]))
    for occasion, title, start, end, sectors, probability, description in specs:
        if start > w.t_ord or end < w.h_ord:
            continue
        sector_ids = tuple(org.sector_ids[sector] for sector in sectors)
        campaign = CampaignPlan(id=len(w.campaigns) + 1, org=org.index, occasion=occasion,
                                title=title, start=start, end=end, sectors=sector_ids,
                                probability=probability)
        index = len(w.campaigns)
        w.campaigns.append(campaign)
        created = w.stamp(start - 7)
        sink.add(MustVisitCampaign, {
            "id": campaign.id, "organisation_id": org.id, "occasion": occasion,
            "title": title, "starts_on": date.fromordinal(start),
            "ends_on": date.fromordinal(end), "description": description,
            "created_at": created, "updated_at": created,
        })
        for sector_id in sector_ids:
            sink.add(CampaignSector, {"campaign_id": campaign.id, "sector_id": sector_id})
            w.sector_campaigns[sector_id].append(index)
            days = w.day_campaign[sector_id]
            for day in range(max(start, w.h_ord), min(end, w.t_ord) + 1):
                days.setdefault(day, index)


def build_visits(w: World) -> None:
    """Visits, seasonal and clustered on the campaigns, at least one a quarter for most
    members, with deliberate gaps against the quota."""
    rng = w.rng
    quarters = _quarters(w)
    last = len(quarters) - 1
    # Deliberate gaps: ~12% of the members in office have no visit this quarter yet,
    # ~5% had none last quarter, ~3% missed any earlier quarter.
    quiet = w.members_without_any(0.12, last)
    if last > 0:
        quiet |= w.members_without_any(0.05, last - 1)

    plans: list[tuple[int, int, int, int]] = []  # (day, member, occasion, campaign+1)
    for mi, member in enumerate(w.members):
        lo, hi = max(w.h_ord, member.from_ord), min(w.t_ord, member.to_ord)
        for qi, (q_start, q_end) in enumerate(quarters):
            a, b = max(q_start, lo), min(q_end, hi)
            if a > b or (mi, qi) in quiet:
                continue
            if qi < last - 1 and rng.random() < 0.03:
                quiet.add((mi, qi))
                continue
            before = len(plans)
            for ci in w.sector_campaigns[member.sector_id]:
                campaign = w.campaigns[ci]
                c_start, c_end = max(campaign.start, a), min(campaign.end, b)
                if c_start > c_end:
                    continue
                share = (c_end - c_start + 1) / (campaign.end - campaign.start + 1)
                if rng.random() < campaign.probability * share:
                    day = w.pick_day(c_start, c_end)
                    if member.in_office(day):
                        plans.append((day, mi, _OCC_INDEX[campaign.occasion], ci + 1))
            fraction = (b - a + 1) / (q_end - q_start + 1)
            for _ in range(w.poisson(max(1.5, member.rate - 1.5) / 4 * fraction)):
                day = w.pick_day(a, b)
                if member.in_office(day):
                    plans.append((day, mi, *_routine_occasion(w, member.sector_id, day)))
            if len(plans) == before:  # the quota: at least one visit a quarter
                for _ in range(8):
                    day = w.pick_day(a, b)
                    if member.in_office(day):
                        plans.append((day, mi, *_routine_occasion(w, member.sector_id, day)))
                        break
    plans.sort()
    _write_visits(w, plans, quarters, quiet)


def _quarters(w: World) -> list[tuple[int, int]]:
    quarters = []
    day = date.fromordinal(w.h_ord)
    start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    while start.toordinal() <= w.t_ord:
        month = start.month + 3
        following = date(start.year + (month > 12), (month - 1) % 12 + 1, 1)
        quarters.append((start.toordinal(), following.toordinal() - 1))
        start = following
    return quarters


def _routine_occasion(w: World, sector_id: int, day: int) -> tuple[int, int]:
    campaign = w.day_campaign[sector_id].get(day)
    if campaign is not None and w.rng.random() < 0.3:
        return _OCC_INDEX[w.campaigns[campaign].occasion], campaign + 1
    roll = w.rng.random()
    for threshold, occasion in _SPRINKLED:
        if roll < threshold:
            return _OCC_INDEX[occasion], 0
    return _OCC_INDEX[VisitOccasion.ROUTINE], 0


def _write_visits(
    w: World, plans: list[tuple[int, int, int, int]], quarters: list[tuple[int, int]],
    quiet: set[tuple[int, int]],
) -> None:
    rng, t_ord = w.rng, w.t_ord
    quarter_starts = [start for start, _ in quarters]
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
            usable = [s for s in w.members[lead].stations
                      if w.stations[s].established <= day <= w.stations[s].active_until]
            if usable:
                stations[i] = rng.choice(usable) + 1
        if rng.random() < 0.13:
            period = bisect.bisect_right(quarter_starts, day) - 1
            others = w.colleagues(
                lead, day, rng.choice((1, 1, 2, 3)), draws_per_seat=4,
                welcome=lambda other, _draw, period=period: (other, period) not in quiet,
            )
            if others:
                joint[i] = others
        if rng.random() < 0.4:
            problems[i] = rng.choices((1, 2, 3), (60, 30, 10))[0]
    awaiting = _awaiting_acknowledgement(w, plans)
    # Pass 2: the rows.
    sink = w.sink
    w.member_visits = [[] for _ in w.members]
    w.member_problems = [[] for _ in w.members]
    w.visit_issue = bytearray(total)
    step = max(1, total // 20)
    for i, (day, lead, occasion_index, campaign) in enumerate(plans):
        visit_id = i + 1
        member = w.members[lead]
        channel = _CHANNELS[channels[i]]
        occasion = _OCCASIONS[occasion_index]
        station = w.stations[stations[i] - 1] if stations[i] else None
        place = station.place if station else member.area
        issues = [w.issue_for(member.sector) for _ in range(max(1, problems[i]))]
        w.visit_issue[i] = issues[0]
        topic = vocab.ISSUES[issues[0]].topic
        low, high = _CONTACTS_REACHED[channel]
        contacts = len(member.contact_names)
        reached = (rng.sample(range(contacts), min(contacts, rng.randint(low, high)))
                   if contacts else [])
        low, high = _HEAD_COUNT[channel]
        head_count = max(len(reached), rng.randint(low, high))
        if reached:
            names = "、".join(member.contact_names[c] for c in reached)
            targets = names + (f"等{head_count}人" if head_count > len(reached) else "")
        else:
            group = rng.choice(vocab.TARGET_GROUPS).format(
                place=place, sector=vocab.SECTORS[member.sector].name.removesuffix("界"))
            targets = f"{group}{head_count}人"
        summary = _visit_summary(w, channel, occasion, member, place, targets, topic,
                                      station, problems[i])
        created = w.random_stamp(min(day + rng.choice((0, 0, 1, 2, 5)), t_ord))
        org = w.orgs[member.org]
        sink.add(Visit, {
            "id": visit_id, "organisation_id": org.id, "visit_date": date.fromordinal(day),
            "channel": channel,
            "occasion": occasion, "campaign_id": campaign or None,
            "contact_targets": targets[:500], "head_count": head_count,
            "workstation_id": station.id if station else None, "summary": summary,
            "at_base_unit": channel is Channel.FACE_TO_FACE and rng.random() < AT_BASE_UNIT,
            "recorded_by_user_id": None, "idempotency_key": None,
            "acknowledged_by_user_id": None,
            "acknowledged_at": None if i in awaiting else created, **editable(created),
        })
        visit_date = date.fromordinal(day)
        for position, other in enumerate([lead, *joint.get(i, ())]):
            sink.add(VisitMember, {"visit_id": visit_id, "member_id": w.members[other].id,
                                   "visit_date": visit_date, "position": position})
        for contact in reached:
            sink.add(VisitContact, {"visit_id": visit_id,
                                    "contact_person_id": member.contact_ids[contact]})
        w.member_visits[lead].append((day, visit_id))
        for issue in issues[:problems[i]]:
            problem_id = add_problem(
                w, org=org, day=day, issue=issue, place=place, visit_id=visit_id,
                activity_id=None, committee_id=member.committee_on(day), created=created,
            )
            org.visit_problems.append((problem_id, day))
            w.member_problems[lead].append((day, problem_id, issue, visit_id))
        if i % step == step - 1:
            w.advance(i / total)


def _awaiting_acknowledgement(w: World, plans: list[tuple[int, int, int, int]]) -> set[int]:
    """A few of the visits of the last 30 days (at least one): a member's own entries the
    committee's staff have not acknowledged yet."""
    recent = [i for i, (day, *_rest) in enumerate(plans) if day > w.t_ord - 30]
    count = max(1, round(len(recent) * AWAITING_ACKNOWLEDGEMENT)) if recent else 0
    return set(w.rng.sample(recent, count))


def _visit_summary(w: World, channel: Channel, occasion: VisitOccasion, member: MemberPlan,
                   place: str, targets: str, topic: str, station: StationPlan | None,
                   problem_count: int) -> str:
    rng = w.rng
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
