"""Must-visit campaigns (八必访): an office declares one of the eight occasions (a plenary
ahead, a policy for the education sector published, Teachers' Day) for some of its
sectors with a window of days, and follows who of those sectors' members has visited.

- **Who is concerned.** A live member with an assignment overlapping the window (in
  office on at least one of its days), counted where the assignment in force on their
  last day in office inside the window puts them: if that seat's sector is one of the
  campaign's, the member is concerned, under that seat's committee. A member who moved
  out of a campaign sector during the window is not; one who moved into it is. This is
  how the quota engine places a member in a period (``services.compliance``).
- **What counts as visited.** A live visit the member took part in (a joint visit for
  each member on it), dated inside the window (both ends included), that is linked to
  the campaign, or that is linked to no campaign and has the campaign's occasion (a
  visit entered as "before the plenary" without picking the campaign still is one). A
  visit linked to another campaign does not count. Soft-deleted visits never count.
- **Who may.** Administrators, leaders and staff read the campaigns of the
  organisations they see; administrators and staff of those organisations declare,
  edit, close early and delete them; members have no access.
- **Keeping what was recorded true.** The occasion cannot change once visits are linked
  to the campaign, and the window cannot shrink past a linked visit (the visit form
  checks the same two things when a visit is linked). A campaign with linked visits is
  not deleted (close it early instead); an open one closes early on ``today``.
- **Saved once, never over someone else's change.** Declaring the very same campaign
  again (a double submit) finds the first; another campaign of the organisation with
  the same title and an overlapping window is refused. The campaign table has no version
  column: the time of its last change (``updated_at``) is the version an edit names,
  compared under a row lock.

The figures are counted by the store: the concerned members, whether each visited, and
the completion per committee and per campaign are each one statement, whatever the
number of members.
"""

from dataclasses import dataclass, fields, replace
from datetime import date
from enum import StrEnum
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from models import (
    AuditAction,
    CampaignSector,
    Committee,
    Member,
    MemberAssignment,
    MustVisitCampaign,
    Organisation,
    Role,
    Sector,
    Visit,
    VisitMember,
    VisitOccasion,
    utcnow,
)
from services.actors import Actor
from services.audit import audit_detail, changed_values, record_audit, snapshot
from services.errors import PermissionDenied, ServiceError, StaleRecord, ValidationFailed
from services.organisations import in_scope
from services.search import contains
from services.text import clean_text

READERS = (Role.ADMIN, Role.LEADER, Role.STAFF)
MANAGERS = (Role.ADMIN, Role.STAFF)
MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 2000
MAX_WINDOW_DAYS = 366  # a longer window is a typing error, not a campaign
LIST_LIMIT = 200  # campaigns listed at most, the latest first: each costs ~0.3 ms cold
# The eight must-visit occasions: routine contact is not a campaign.
OCCASIONS = tuple(occasion for occasion in VisitOccasion if occasion is not VisitOccasion.ROUTINE)


class CampaignState(StrEnum):
    UPCOMING = "upcoming"  # the window has not begun
    OPEN = "open"  # today is inside the window
    OVER = "over"  # the window has ended


class HasVisits(ServiceError):
    """Visits are recorded for the campaign: it is not a mistake to delete."""

    message_key = "campaigns.error.has_visits"


class NotOpen(ServiceError):
    """Only an open campaign closes early (an upcoming one is deleted, an over one is
    over)."""

    message_key = "campaigns.error.not_open"


@dataclass(frozen=True)
class CampaignInput:
    """A campaign's fields as the form gives them. ``all_sectors`` takes every sector of
    the organisation (a plenary concerns them all) instead of ``sector_ids``."""

    title: str = ""
    occasion: VisitOccasion | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    sector_ids: tuple[int, ...] = ()
    all_sectors: bool = False
    description: str = ""


EDITABLE_FIELDS = tuple(field.name for field in fields(CampaignInput))


@dataclass(frozen=True)
class CampaignFilter:
    """The list's filters; None (or empty text) means all."""

    organisation_ids: frozenset[int] | None = None
    state: CampaignState | None = None
    search: str = ""  # in the title or the description


@dataclass(frozen=True)
class CampaignDetail:
    campaign: MustVisitCampaign
    version: str  # what an edit, closing or deleting names (see the module's doc)
    organisation: str
    sectors: dict[int, str]  # id → name, in the organisation's order
    state: CampaignState
    days_left: int  # of an open campaign, today included; 0 otherwise
    linked_visits: int  # visits linked to it, deleted ones too: none to delete it
    can_manage: bool


@dataclass(frozen=True)
class CampaignProgress:
    members: int  # concerned
    visited: int
    by_committee: pd.DataFrame  # COMMITTEE_COLUMNS, by the committees' order
    roster: pd.DataFrame  # ROSTER_COLUMNS: every concerned member, by committee and name

    @property
    def to_visit(self) -> int:
        return self.members - self.visited

    @property
    def rate(self) -> float | None:
        return self.visited / self.members if self.members else None


LIST_COLUMNS = ["id", "organisation_id", "organisation", "title", "occasion", "starts_on",
                "ends_on", "state", "days_left", "sectors", "members", "visited", "to_visit",
                "rate"]
COMMITTEE_COLUMNS = ["committee_id", "committee", "members", "visited", "to_visit", "rate"]
ROSTER_COLUMNS = ["member_id", "member", "committee_id", "committee", "sector", "phone",
                  "visited", "visits", "last_visit_on", "left_office_on"]


# --- who may ------------------------------------------------------------------------------


def may_manage(actor: Actor) -> bool:
    """Whether the actor declares and keeps campaigns (of the organisations they see)."""
    return actor.role in MANAGERS


def _require_reader(actor: Actor) -> None:
    actor.require_role(*READERS)


def _can_manage(actor: Actor, campaign: MustVisitCampaign) -> bool:
    return may_manage(actor) and actor.sees_organisation(campaign.organisation_id)


def _campaign(session: Session, actor: Actor, campaign_id: int, *,
              lock: bool = False) -> MustVisitCampaign:
    """The campaign as stored now (locked for a change when ``lock``); ``StaleRecord``
    if it is gone, ``PermissionDenied`` outside the actor's organisations."""
    campaign = session.get(MustVisitCampaign, campaign_id, with_for_update=lock,
                           populate_existing=True)
    if campaign is None:
        raise StaleRecord()
    actor.require_organisation(campaign.organisation_id)
    return campaign


def _for_change(session: Session, actor: Actor, campaign_id: int,
                expected_version: str) -> MustVisitCampaign:
    """The campaign locked, after checking the actor keeps it and nobody changed it since
    ``expected_version`` was read."""
    actor.require_role(*MANAGERS)
    campaign = _campaign(session, actor, campaign_id, lock=True)
    if version_of(campaign) != expected_version:
        raise StaleRecord()
    return campaign


def version_of(campaign: MustVisitCampaign) -> str:
    """The campaign's version: the time of its last change, as stored."""
    return campaign.updated_at.isoformat()


def state_of(starts_on: date, ends_on: date, today: date) -> CampaignState:
    if today < starts_on:
        return CampaignState.UPCOMING
    return CampaignState.OPEN if today <= ends_on else CampaignState.OVER


def _days_left(starts_on: date, ends_on: date, today: date) -> int:
    if state_of(starts_on, ends_on, today) is not CampaignState.OPEN:
        return 0
    return (ends_on - today).days + 1


# --- the figures, counted by the store --------------------------------------------------


def _seats() -> Select:
    """Per campaign (``MustVisitCampaign``, to narrow it by), its concerned members:
    (campaign id, member id, committee id, sector id, last day of the seat). One row per
    member: the seat in force on the member's last day in office inside the window."""
    seat, later = MemberAssignment, aliased(MemberAssignment)
    campaign = MustVisitCampaign
    moved_on = exists().where(
        later.member_id == seat.member_id, later.starts_on > seat.starts_on,
        later.starts_on <= campaign.ends_on)
    query = (
        select(campaign.id.label("campaign_id"), seat.member_id.label("member_id"),
               seat.committee_id.label("committee_id"), seat.sector_id.label("sector_id"),
               seat.ends_on.label("seat_ends_on"))
        .select_from(campaign)
        .join(CampaignSector, col(CampaignSector.campaign_id) == campaign.id)
        .join(seat, and_(seat.sector_id == CampaignSector.sector_id,
                         seat.starts_on <= campaign.ends_on,
                         or_(col(seat.ends_on).is_(None), seat.ends_on >= campaign.starts_on)))
        .join(Member, and_(col(Member.id) == seat.member_id, col(Member.deleted_at).is_(None)))
        .where(~moved_on)
    )
    return query


def _counting_visits(member_id: Any) -> list[ColumnElement[bool]]:
    """The conditions of a visit of ``member_id`` that counts for the campaign of the
    enclosing query (``MustVisitCampaign``)."""
    campaign = MustVisitCampaign
    return [
        VisitMember.member_id == member_id,
        VisitMember.visit_date >= campaign.starts_on,
        VisitMember.visit_date <= campaign.ends_on,
        col(Visit.id) == VisitMember.visit_id,
        col(Visit.deleted_at).is_(None),
        or_(col(Visit.campaign_id) == campaign.id,
            and_(col(Visit.campaign_id).is_(None), col(Visit.occasion) == campaign.occasion)),
    ]


def _visited(member_id: Any) -> ColumnElement[int]:
    """1 when the member has a counting visit, else 0."""
    return case((exists().where(*_counting_visits(member_id)), 1), else_=0)


def _completion(session: Session, campaign_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per campaign: (concerned members, those who visited)."""
    if not campaign_ids:
        return {}
    rows = _seats().where(col(MustVisitCampaign.id).in_(campaign_ids)).add_columns(
        _visited(MemberAssignment.member_id).label("visited")).subquery()
    return {campaign_id: (members, int(visited or 0)) for campaign_id, members, visited
            in session.exec(select(rows.c.campaign_id, func.count(), func.sum(rows.c.visited))
                            .group_by(rows.c.campaign_id)).all()}


def campaign_progress(*, session: Session, actor: Actor, campaign_id: int) -> CampaignProgress:
    """The concerned members of one campaign with whether each visited, and the
    completion per committee (the committee of their seat) and in all."""
    _require_reader(actor)
    _campaign(session, actor, campaign_id)
    campaign = MustVisitCampaign
    member_id = MemberAssignment.member_id
    counting = _counting_visits(Member.id)
    visits = (select(func.count()).select_from(VisitMember).where(*counting)
              .correlate(Member, campaign).scalar_subquery())
    last_visit = (select(func.max(VisitMember.visit_date)).where(*counting)
                  .correlate(Member, campaign).scalar_subquery())
    roster = session.exec(
        _seats().where(campaign.id == campaign_id)
        .join(Committee, col(Committee.id) == MemberAssignment.committee_id)
        .join(Sector, col(Sector.id) == MemberAssignment.sector_id)
        .with_only_columns(member_id, Member.name, MemberAssignment.committee_id,
                           Committee.name, Sector.name, Member.phone, visits, last_visit,
                           MemberAssignment.ends_on, campaign.ends_on)
        .order_by(Committee.sort_order, Committee.id, Member.name_key, Member.id)
    ).all()
    table = pd.DataFrame([{
        "member_id": row[0], "member": row[1], "committee_id": row[2], "committee": row[3],
        "sector": row[4], "phone": row[5], "visited": row[6] > 0, "visits": row[6],
        "last_visit_on": _as_date(row[7]),
        "left_office_on": row[8] if row[8] is not None and row[8] <= row[9] else None,
    } for row in roster], columns=ROSTER_COLUMNS)
    return CampaignProgress(members=len(table), visited=int(table["visited"].sum()),
                            by_committee=_by_committee(session, campaign_id), roster=table)


def _by_committee(session: Session, campaign_id: int) -> pd.DataFrame:
    rows = _seats().where(MustVisitCampaign.id == campaign_id).add_columns(
        _visited(MemberAssignment.member_id).label("visited")).subquery()
    counted = session.exec(
        select(rows.c.committee_id, Committee.name, func.count(), func.sum(rows.c.visited))
        .join(Committee, col(Committee.id) == rows.c.committee_id)
        .group_by(rows.c.committee_id, Committee.name, Committee.sort_order)
        .order_by(Committee.sort_order, rows.c.committee_id)
    ).all()
    return pd.DataFrame([{
        "committee_id": committee_id, "committee": name, "members": members,
        "visited": int(visited or 0), "to_visit": members - int(visited or 0),
        "rate": int(visited or 0) / members,
    } for committee_id, name, members, visited in counted], columns=COMMITTEE_COLUMNS)


def _as_date(value: object) -> date | None:
    """A date as read back from an aggregate (SQLite hands back text)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


# --- reading -------------------------------------------------------------------------------


def list_campaigns(*, session: Session, actor: Actor, today: date,
                   filters: CampaignFilter = CampaignFilter()) -> pd.DataFrame:
    """The campaigns of the organisations the actor sees, filtered, the latest window
    first (at most ``LIST_LIMIT``), each with its state and completion (``LIST_COLUMNS``;
    ``rate`` is None for a campaign concerning nobody)."""
    _require_reader(actor)
    campaign = MustVisitCampaign
    conditions: list[Any] = [in_scope(campaign.organisation_id, actor)]
    if filters.organisation_ids is not None:
        conditions.append(col(campaign.organisation_id).in_(sorted(filters.organisation_ids)))
    if filters.state is CampaignState.UPCOMING:
        conditions.append(campaign.starts_on > today)
    elif filters.state is CampaignState.OPEN:
        conditions += [campaign.starts_on <= today, campaign.ends_on >= today]
    elif filters.state is CampaignState.OVER:
        conditions.append(campaign.ends_on < today)
    if filters.search.strip():
        conditions.append(or_(contains(campaign.title, filters.search),
                              contains(campaign.description, filters.search)))
    rows = session.exec(
        select(campaign.id, campaign.organisation_id, Organisation.name, campaign.title,
               campaign.occasion, campaign.starts_on, campaign.ends_on)
        .join(Organisation, col(Organisation.id) == campaign.organisation_id)
        .where(*conditions)
        .order_by(col(campaign.starts_on).desc(), col(campaign.id).desc())
        .limit(LIST_LIMIT)
    ).all()
    ids = [row[0] for row in rows]
    sectors = _sector_names(session, ids)
    completion = _completion(session, ids)
    listed = []
    for campaign_id, organisation_id, organisation, title, occasion, starts, ends in rows:
        members, visited = completion.get(campaign_id, (0, 0))
        listed.append({
            "id": campaign_id, "organisation_id": organisation_id,
            "organisation": organisation, "title": title, "occasion": occasion,
            "starts_on": starts, "ends_on": ends, "state": state_of(starts, ends, today),
            "days_left": _days_left(starts, ends, today),
            "sectors": "、".join(sectors.get(campaign_id, ())), "members": members,
            "visited": visited, "to_visit": members - visited,
            "rate": visited / members if members else None,
        })
    return pd.DataFrame(listed, columns=LIST_COLUMNS)


def campaign_names(*, session: Session, actor: Actor) -> dict[int, str]:
    """The campaigns the actor sees, the latest window first (at most ``LIST_LIMIT``):
    id → "title（first day）", for a picker."""
    _require_reader(actor)
    campaign = MustVisitCampaign
    return {campaign_id: f"{title}（{starts.isoformat()}）" for campaign_id, title, starts
            in session.exec(
                select(campaign.id, campaign.title, campaign.starts_on)
                .where(in_scope(campaign.organisation_id, actor))
                .order_by(col(campaign.starts_on).desc(), col(campaign.id).desc())
                .limit(LIST_LIMIT)).all()}


def _sector_names(session: Session, campaign_ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    if not campaign_ids:
        return names
    for campaign_id, name in session.exec(
            select(CampaignSector.campaign_id, Sector.name)
            .join(Sector, col(Sector.id) == CampaignSector.sector_id)
            .where(col(CampaignSector.campaign_id).in_(campaign_ids))
            .order_by(CampaignSector.campaign_id, Sector.sort_order, Sector.id)).all():
        names.setdefault(campaign_id, []).append(name)
    return names


def campaign_detail(*, session: Session, actor: Actor, campaign_id: int,
                    today: date) -> CampaignDetail:
    """One campaign with its sectors, state and what the actor may do with it."""
    _require_reader(actor)
    campaign = _campaign(session, actor, campaign_id)
    organisation = session.get(Organisation, campaign.organisation_id)
    sectors = dict(session.exec(
        select(Sector.id, Sector.name)
        .join(CampaignSector, col(CampaignSector.sector_id) == Sector.id)
        .where(CampaignSector.campaign_id == campaign_id)
        .order_by(Sector.sort_order, Sector.id)).all())
    return CampaignDetail(
        campaign=campaign, version=version_of(campaign), organisation=organisation.name,
        sectors=sectors, state=state_of(campaign.starts_on, campaign.ends_on, today),
        days_left=_days_left(campaign.starts_on, campaign.ends_on, today),
        linked_visits=_linked_visits(session, campaign_id, live_only=False),
        can_manage=_can_manage(actor, campaign))


def _linked_visits(session: Session, campaign_id: int, *, live_only: bool) -> int:
    query = select(func.count()).select_from(Visit).where(Visit.campaign_id == campaign_id)
    if live_only:
        query = query.where(col(Visit.deleted_at).is_(None))
    return session.exec(query).one()


def sector_choices(*, session: Session, actor: Actor, organisation_id: int) -> dict[int, str]:
    """The sectors a campaign of the organisation may concern, in its order."""
    _require_reader(actor)
    actor.require_organisation(organisation_id)
    return _organisation_sectors(session, organisation_id)


def _organisation_sectors(session: Session, organisation_id: int) -> dict[int, str]:
    return dict(session.exec(
        select(Sector.id, Sector.name).where(Sector.organisation_id == organisation_id)
        .order_by(Sector.sort_order, Sector.id)).all())


# --- writing -------------------------------------------------------------------------------


def _clean(data: CampaignInput) -> CampaignInput:
    return replace(data, title=clean_text(data.title),
                   description=clean_text(data.description, single_line=False),
                   sector_ids=tuple(dict.fromkeys(int(i) for i in data.sector_ids)))


def _with_sectors(session: Session, data: CampaignInput, organisation_id: int) -> CampaignInput:
    """``all_sectors`` resolved to the organisation's sectors."""
    if not data.all_sectors:
        return data
    return replace(data, sector_ids=tuple(_organisation_sectors(session, organisation_id)),
                   all_sectors=False)


def _errors(session: Session, data: CampaignInput, organisation_id: int,
            campaign_id: int | None) -> dict[str, str]:
    """Every field's problem at once (field → message key); ``data`` is cleaned."""
    errors: dict[str, str] = {}
    if not data.title:
        errors["title"] = "campaigns.error.title_required"
    elif len(data.title) > MAX_TITLE_LENGTH:
        errors["title"] = "campaigns.error.title_too_long"
    if data.occasion is None:
        errors["occasion"] = "campaigns.error.occasion_required"
    elif data.occasion not in OCCASIONS:
        errors["occasion"] = "campaigns.error.occasion_routine"
    if data.starts_on is None:
        errors["starts_on"] = "campaigns.error.starts_required"
    if data.ends_on is None:
        errors["ends_on"] = "campaigns.error.ends_required"
    elif data.starts_on is not None:
        if data.ends_on < data.starts_on:
            errors["ends_on"] = "campaigns.error.ends_before_starts"
        elif (data.ends_on - data.starts_on).days + 1 > MAX_WINDOW_DAYS:
            errors["ends_on"] = "campaigns.error.window_too_long"
    if not data.sector_ids:
        errors["sector_ids"] = "campaigns.error.sectors_required"
    elif not set(data.sector_ids) <= set(_organisation_sectors(session, organisation_id)):
        errors["sector_ids"] = "campaigns.error.sector_unknown"
    if len(data.description) > MAX_DESCRIPTION_LENGTH:
        errors["description"] = "campaigns.error.description_too_long"
    if "title" not in errors and data.starts_on and data.ends_on and _title_taken(
            session, organisation_id, data, campaign_id):
        errors["title"] = "campaigns.error.title_taken"
    return errors


def _overlapping_namesakes(session: Session, organisation_id: int,
                           data: CampaignInput) -> list[MustVisitCampaign]:
    campaign = MustVisitCampaign
    return list(session.exec(select(campaign).where(
        campaign.organisation_id == organisation_id, campaign.title == data.title,
        campaign.starts_on <= data.ends_on, campaign.ends_on >= data.starts_on)).all())


def _title_taken(session: Session, organisation_id: int, data: CampaignInput,
                 campaign_id: int | None) -> bool:
    return any(other.id != campaign_id
               for other in _overlapping_namesakes(session, organisation_id, data))


def _sector_ids(session: Session, campaign_id: int) -> tuple[int, ...]:
    return tuple(session.exec(
        select(CampaignSector.sector_id).where(CampaignSector.campaign_id == campaign_id)
        .order_by(CampaignSector.sector_id)).all())


def _same_campaign(session: Session, organisation_id: int,
                   data: CampaignInput) -> MustVisitCampaign | None:
    """The campaign already declared with exactly these fields (a second submit)."""
    for other in _overlapping_namesakes(session, organisation_id, data):
        if (other.occasion, other.starts_on, other.ends_on, other.description or "") == (
                data.occasion, data.starts_on, data.ends_on, data.description) and \
                _sector_ids(session, other.id) == tuple(sorted(data.sector_ids)):
            return other
    return None


def _lock_organisation(session: Session, organisation_id: int) -> None:
    """Two people declaring the same campaign at once: the second waits, then finds it."""
    if session.get(Organisation, organisation_id, with_for_update=True) is None:
        raise PermissionDenied()


def _audited(campaign: MustVisitCampaign, sector_ids: tuple[int, ...]) -> dict[str, Any]:
    return snapshot(campaign) | {"sector_ids": sorted(sector_ids)}


def create_campaign(*, session: Session, actor: Actor, organisation_id: int,
                    data: CampaignInput) -> MustVisitCampaign:
    """Declare a campaign of the organisation; declaring the very same one again returns
    the first. Refusals: ``PermissionDenied``, ``ValidationFailed`` (every field's
    problem at once)."""
    actor.require_role(*MANAGERS)
    actor.require_organisation(organisation_id)
    _lock_organisation(session, organisation_id)
    data = _with_sectors(session, _clean(data), organisation_id)
    if data.title and data.starts_on and data.ends_on:
        earlier = _same_campaign(session, organisation_id, data)
        if earlier is not None:
            return earlier
    errors = _errors(session, data, organisation_id, None)
    if errors:
        raise ValidationFailed(errors)
    campaign = MustVisitCampaign(
        organisation_id=organisation_id, occasion=data.occasion, title=data.title,
        starts_on=data.starts_on, ends_on=data.ends_on, description=data.description or None)
    session.add(campaign)
    session.flush()
    session.add_all(CampaignSector(campaign_id=campaign.id, sector_id=sector_id)
                    for sector_id in data.sector_ids)
    session.flush()
    record_audit(session=session, actor=actor, action=AuditAction.CREATE,
                 entity="MustVisitCampaign", entity_id=campaign.id,
                 after=_audited(campaign, data.sector_ids))
    return campaign


def _stored_input(session: Session, campaign: MustVisitCampaign) -> CampaignInput:
    return CampaignInput(title=campaign.title, occasion=campaign.occasion,
                         starts_on=campaign.starts_on, ends_on=campaign.ends_on,
                         sector_ids=_sector_ids(session, campaign.id),
                         description=campaign.description or "")


def _visit_errors(session: Session, campaign: MustVisitCampaign,
                  data: CampaignInput) -> dict[str, str]:
    """What the linked live visits forbid: another occasion, a window leaving one out."""
    first, last, count = session.exec(
        select(func.min(Visit.visit_date), func.max(Visit.visit_date), func.count())
        .where(Visit.campaign_id == campaign.id, col(Visit.deleted_at).is_(None))).one()
    if not count:
        return {}
    errors: dict[str, str] = {}
    if data.occasion != campaign.occasion:
        errors["occasion"] = "campaigns.error.occasion_has_visits"
    if data.starts_on is not None and data.starts_on > _as_date(first):
        errors["starts_on"] = "campaigns.error.window_leaves_visits"
    if data.ends_on is not None and data.ends_on < _as_date(last):
        errors["ends_on"] = "campaigns.error.window_leaves_visits"
    return errors


def update_campaign(*, session: Session, actor: Actor, campaign_id: int, expected_version: str,
                    changes: dict[str, Any]) -> MustVisitCampaign:
    """Change the fields in ``changes`` (those the editor touched; ``EDITABLE_FIELDS``),
    if nobody saved the campaign since ``expected_version``."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)} of a campaign")
    campaign = _for_change(session, actor, campaign_id, expected_version)
    stored = _stored_input(session, campaign)
    if "sector_ids" in changes:
        changes = changes | {"sector_ids": tuple(changes["sector_ids"] or ())}
    data = _with_sectors(session, _clean(replace(stored, **changes)), campaign.organisation_id)
    errors = _errors(session, data, campaign.organisation_id, campaign_id) | _visit_errors(
        session, campaign, data)
    if errors:
        raise ValidationFailed(errors)
    if replace(data, sector_ids=tuple(sorted(data.sector_ids))) == replace(
            stored, sector_ids=tuple(sorted(stored.sector_ids))):
        return campaign  # nothing changed: nothing written
    before = _audited(campaign, stored.sector_ids)
    campaign.title, campaign.occasion = data.title, data.occasion
    campaign.starts_on, campaign.ends_on = data.starts_on, data.ends_on
    campaign.description = data.description or None
    if set(data.sector_ids) != set(stored.sector_ids):
        _replace_sectors(session, campaign_id, stored.sector_ids, data.sector_ids)
    return _saved(session, actor, campaign, before, data.sector_ids)


def _replace_sectors(session: Session, campaign_id: int, old: tuple[int, ...],
                     new: tuple[int, ...]) -> None:
    for sector_id in set(old) - set(new):
        session.delete(session.get(CampaignSector, (campaign_id, sector_id)))
    session.add_all(CampaignSector(campaign_id=campaign_id, sector_id=sector_id)
                    for sector_id in set(new) - set(old))


def _saved(session: Session, actor: Actor, campaign: MustVisitCampaign, before: dict[str, Any],
           sector_ids: tuple[int, ...], detail: str | None = None) -> MustVisitCampaign:
    """Write the change with its new version and its audit row (the fields that
    changed)."""
    campaign.updated_at = utcnow()
    session.add(campaign)
    session.flush()
    after = _audited(campaign, sector_ids)
    old_values, new_values = changed_values(
        before, after, [key for key in after if key not in ("updated_at", "created_at")])
    record_audit(session=session, actor=actor, action=AuditAction.UPDATE,
                 entity="MustVisitCampaign", entity_id=campaign.id, before=old_values,
                 after=new_values, detail=detail)
    return campaign


def close_campaign(*, session: Session, actor: Actor, campaign_id: int, expected_version: str,
                   today: date) -> MustVisitCampaign:
    """End an open campaign's window today (visits made today still count; a visit of
    an earlier day of the window may still be entered and counts)."""
    campaign = _for_change(session, actor, campaign_id, expected_version)
    if state_of(campaign.starts_on, campaign.ends_on, today) is not CampaignState.OPEN \
            or campaign.ends_on == today:
        raise NotOpen()
    before = _audited(campaign, _sector_ids(session, campaign_id))
    campaign.ends_on = today
    return _saved(session, actor, campaign, before, _sector_ids(session, campaign_id),
                  detail=audit_detail("campaigns.audit.closed_early"))


def delete_campaign(*, session: Session, actor: Actor, campaign_id: int,
                    expected_version: str) -> None:
    """Delete a campaign declared by mistake: one no visit is linked to (a deleted visit
    too, as it may be restored); else close it early."""
    campaign = _for_change(session, actor, campaign_id, expected_version)
    linked = _linked_visits(session, campaign_id, live_only=False)
    if linked:
        raise HasVisits(count=linked)
    sector_ids = _sector_ids(session, campaign_id)
    before = _audited(campaign, sector_ids)
    for sector_id in sector_ids:
        session.delete(session.get(CampaignSector, (campaign_id, sector_id)))
    session.flush()
    session.delete(campaign)
    session.flush()
    record_audit(session=session, actor=actor, action=AuditAction.DELETE,
                 entity="MustVisitCampaign", entity_id=campaign_id, before=before)
