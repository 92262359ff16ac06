"""The roster of every organisation: members with the history of their assignments, their
leave requests and their sector contact persons.

Most members sit in one committee and sector for the whole current term (one
assignment). About 10% were re-appointed from the previous term (one identity, an
assignment in each term); about 5% moved to another committee (or, fewer, sector)
during the history, so that figures for a past period read the committee of the day.
The ``Member`` row repeats the latest assignment."""

from dataclasses import dataclass
from datetime import date

from models import (
    ContactPerson,
    Gender,
    LeaveStatus,
    Member,
    MemberAssignment,
    MemberLeave,
)
from services.demo import vocabulary as vocab
from services.demo.world import MemberPlan, OrgPlan, World, editable
from services.name_search import sort_key

REAPPOINTED_SHARE = 0.10
MOVED_SHARE = 0.05
LEAVE_SHARE = 0.04
INACTIVE_CONTACT_SHARE = 0.06
# (term id, first day, last day or None while it lasts, sector id, committee id)
_Assignment = tuple[int, int, int | None, int, int]


@dataclass
class _Ids:
    """The next ids, and what is shared across organisations while the roster is built."""

    contact: int = 1
    leave: int = 1
    assignment: int = 1
    used_names: set[str] | None = None
    on_leave: set[int] | None = None
    # every status occurs: the first leaves take the ones not seen yet
    leave_statuses_needed: list[LeaveStatus] | None = None


def build_members(w: World) -> None:
    """Members of every organisation, their assignments, leaves and contact persons."""
    total = sum(org.member_count for org in w.orgs)
    ids = _Ids(
        used_names=set(),
        on_leave=set(w.rng.sample(range(total), max(3, round(total * LEAVE_SHARE)))),
        leave_statuses_needed=[LeaveStatus.APPROVED, LeaveStatus.PENDING, LeaveStatus.REFUSED],
    )
    for org in w.orgs:
        _build_org_members(w, org, ids, total)
    w.by_sector = [[] for _ in range(w.sector_count + 1)]
    w.by_committee = {}
    for index, member in enumerate(w.members):
        w.by_sector[member.sector_id].append(index)
        w.by_committee.setdefault(member.committee_id, []).append(index)
        org = w.orgs[member.org]
        org.members.append(index)
        if member.to_ord >= w.t_ord:
            org.current.append(index)
    w.current_members = [i for i, m in enumerate(w.members) if m.to_ord >= w.t_ord]


def _employer(w: World, org: OrgPlan, key: str, district: str, street: str) -> tuple[str, str]:
    """A unit and the member's post there; a unit of the city is the organisation's own
    place's (市第一中学 -> 青龙区第一中学)."""
    template, titles = w.rng.choice(vocab.EMPLOYERS[key])
    if template.startswith("市"):
        template = org.place + template[1:]
    company = w.fake.company() if "{co}" in template else ""
    employer = template.format(d=district, s=street, v=w.rng.choice(w.villages),
                               n=w.rng.randint(1, 12), co=company)
    title = w.rng.choice(titles).format(r=district[-1])
    return employer[:120], title[:60]


def _build_org_members(w: World, org: OrgPlan, ids: _Ids, total: int) -> None:
    rng, fake, sink = w.rng, w.fake, w.sink
    assert ids.used_names is not None and ids.on_leave is not None
    weights = [vocab.SECTORS[i].weight for i in org.sectors]
    count = org.member_count
    if count >= 2 * len(org.sectors):
        sectors = list(org.sectors)
        sectors += rng.choices(org.sectors, weights, k=count - len(org.sectors))
    else:
        sectors = rng.choices(org.sectors, weights, k=count)
    rng.shuffle(sectors)
    committees = list(org.committee_ids.values())
    for sector in sectors:
        index = len(w.members)
        spec = vocab.SECTORS[sector]
        female = rng.random() < 0.32
        name = ""
        for _ in range(6):  # Faker's zh_CN name_male/name_female are not gendered
            given = fake.first_name_female() if female else fake.first_name_male()
            name = fake.last_name() + given
            if name not in ids.used_names:
                break
        ids.used_names.add(name)
        w.names.append(name)
        district = rng.choice(org.places)
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
        committee = (org.committee_ids[spec.committee]
                     if spec.committee in org.committee_ids and rng.random() < 0.7
                     else rng.choice(committees))
        from_ord = w.term_start
        if rng.random() < 0.05 and w.t_ord - 45 > w.term_start + 120:
            from_ord = rng.randint(w.term_start + 120, w.t_ord - 45)
        to_ord: int | None = None
        if rng.random() < 0.03:
            lo = max(from_ord + 120, w.t_ord - 540)
            if lo <= w.t_ord - 20:
                to_ord = rng.randint(lo, w.t_ord - 20)
        member = MemberPlan(
            id=index + 1, org=org.index, sector=sector, sector_id=org.sector_ids[sector],
            committee_id=committee, from_ord=from_ord,
            to_ord=to_ord if to_ord is not None else w.t_ord, area=area,
            district=district, rate=rng.choices((4.0, 8.0, 12.0), (15, 60, 25))[0],
        )
        assignments = _assignments(w, org, member, committees, to_ord)
        first_day = assignments[0][1]
        created = w.stamp(min(first_day, w.t_ord))
        updated = created
        if to_ord is not None:
            updated = w.stamp(to_ord)
        elif member.moved_on:
            updated = w.stamp(member.moved_on)
        employer, post = _employer(w, org, spec.employers, district, street)
        sink.add(Member, {
            "id": member.id, "organisation_id": org.id, "name": name,
            "name_key": sort_key(name),
            "gender": Gender.FEMALE if female else Gender.MALE,
            "birth_year": w.today.year - int(rng.triangular(33, 70, 54)),
            "phone": w.phone(), "employer": employer, "post": post,
            "sector_id": member.sector_id, "committee_id": committee,
            "term_id": org.term_id, "is_standing_committee": rng.random() < 0.15,
            "is_cpc": rng.random() < spec.cpc_share, "base_unit": base_unit[:120],
            "in_office_from": date.fromordinal(first_day),
            "in_office_to": date.fromordinal(to_ord) if to_ord is not None else None,
            **editable(created, updated),
        })
        for term_id, starts, ends, sector_id, committee_id in assignments:
            sink.add(MemberAssignment, {
                "id": ids.assignment, "member_id": member.id, "organisation_id": org.id,
                "term_id": term_id, "sector_id": sector_id, "committee_id": committee_id,
                "starts_on": date.fromordinal(starts),
                "ends_on": date.fromordinal(ends) if ends is not None else None,
                "created_at": w.stamp(min(starts, w.t_ord)),
            })
            ids.assignment += 1
        if index in ids.on_leave:
            _add_leave(w, member, ids)
        _add_contacts(w, member, first_day, ids)
        w.members.append(member)
        if index % 1000 == 999:
            w.advance(index / total)


def _assignments(w: World, org: OrgPlan, member: MemberPlan, committees: list[int],
                 to_ord: int | None) -> list[_Assignment]:
    """Where the member sat, oldest first: the previous term for a re-appointed member,
    and the current term, in two parts when they moved during the history."""
    rng = w.rng
    history: list[_Assignment] = []
    if member.from_ord == w.term_start and rng.random() < REAPPOINTED_SHARE:
        earlier = (member.committee_id if rng.random() < 0.7 or len(committees) < 2
                   else rng.choice(committees))
        history.append((org.previous_term_id, w.previous_term_start, w.term_start - 1,
                        member.sector_id, earlier))
    starts = member.from_ord
    if rng.random() < MOVED_SHARE:
        lo = max(member.from_ord + 90, w.h_ord + 30)
        hi = min(member.to_ord, w.t_ord) - 30
        if lo <= hi:
            moved_on = rng.randint(lo, hi)
            sector_id, committee_id = member.sector_id, member.committee_id
            if rng.random() < 0.75 or len(org.sectors) < 2:  # another committee
                committee_id = rng.choice([c for c in committees if c != committee_id])
            else:  # another sector
                sector_id = org.sector_ids[rng.choice(
                    [s for s in org.sectors if s != member.sector])]
            history.append((org.term_id, starts, moved_on - 1, sector_id, committee_id))
            member.moved_on, member.former_committee_id = moved_on, committee_id
            starts = moved_on
    history.append((org.term_id, starts, to_ord, member.sector_id, member.committee_id))
    return history


def _add_leave(w: World, member: MemberPlan, ids: _Ids) -> None:
    """A leave request: approved ones suspend the quotas (and the member's work), pending
    ones are recent, refused ones change nothing."""
    rng, t_ord = w.rng, w.t_ord
    assert ids.leave_statuses_needed is not None
    can_wait = member.to_ord >= t_ord and member.from_ord <= t_ord - 10
    status = next((s for s in ids.leave_statuses_needed
                   if can_wait or s is not LeaveStatus.PENDING), None)
    if status is None:
        roll = rng.random()
        status = (LeaveStatus.APPROVED if roll < 0.7 else
                  LeaveStatus.PENDING if roll < 0.85 and can_wait else
                  LeaveStatus.REFUSED if roll >= 0.85 else LeaveStatus.APPROVED)
    decided_at = note = None
    if status is LeaveStatus.PENDING:  # asked for in the last days, from about now
        start = rng.randint(t_ord - 5, t_ord + 30)
        end = start + rng.randint(14, 90)
        asked = min(start - rng.randint(3, 10), t_ord)
        asked = max(asked, t_ord - 10)
        updated = w.stamp(asked, 2)
    else:
        lo, hi = max(w.h_ord, member.from_ord), min(member.to_ord, t_ord) - 20
        if lo >= hi:
            return
        start = rng.randint(lo, hi)
        end = start + rng.randint(30, 180)
        asked = start - rng.randint(3, 10)
        decided_at = w.stamp(min(asked + rng.randint(1, 3), start, t_ord), 5)
        updated = decided_at
        if status is LeaveStatus.APPROVED:
            member.leaves.append((start, end))
            note = rng.choice(vocab.LEAVE_APPROVALS)
        else:
            note = rng.choice(vocab.LEAVE_REFUSALS)
    if status in ids.leave_statuses_needed:
        ids.leave_statuses_needed.remove(status)
    w.sink.add(MemberLeave, {
        "id": ids.leave, "member_id": member.id, "starts_on": date.fromordinal(start),
        "ends_on": date.fromordinal(end), "reason": rng.choice(vocab.LEAVE_REASONS),
        "status": status, "requested_by_user_id": None, "decided_by_user_id": None,
        "decided_at": decided_at, "decision_note": note,
        **editable(w.stamp(asked, 2), updated),
    })
    ids.leave += 1


def _add_contacts(w: World, member: MemberPlan, first_day: int, ids: _Ids) -> None:
    """About ten sector contact persons, known since the member took office (or soon
    after, before the history begins); a few no longer kept up, whom no visit reaches."""
    rng, fake, t_ord = w.rng, w.fake, w.t_ord
    room = max(0, min(180, w.h_ord - first_day))
    for _ in range(rng.randint(8, 12)):
        contact_name = fake.name()
        template = rng.choice(vocab.CONTACT_ORGS)
        organisation = template.format(
            d=member.district, s=member.area[len(member.district):],
            v=rng.choice(w.villages), n=rng.randint(1, 12),
            co=fake.company() if "{co}" in template else "",
        )
        starts = first_day + (rng.randint(0, room) if room else 0)
        ends: int | None = None
        if rng.random() < INACTIVE_CONTACT_SHARE and starts + 90 <= t_ord - 7:
            ends = rng.randint(starts + 90, t_ord - 7)
        created = w.stamp(min(starts, t_ord))
        w.sink.add(ContactPerson, {
            "id": ids.contact, "member_id": member.id, "name": contact_name,
            "phone": w.phone(), "organisation": organisation[:120],
            "sector_relation": rng.choice(vocab.CONTACT_RELATIONS),
            "starts_on": date.fromordinal(starts),
            "ends_on": date.fromordinal(ends) if ends is not None else None,
            "is_active": ends is None, "note": rng.choice(vocab.CONTACT_ROLES),
            **editable(created, w.stamp(ends) if ends is not None else created),
        })
        if ends is None:
            member.contact_ids.append(ids.contact)
            member.contact_names.append(contact_name)
        ids.contact += 1
