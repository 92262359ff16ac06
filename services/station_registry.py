"""The registry of studios and stations (委员工作室/站): each station's record, who is
stationed there and when, the list with its filters, and the idle list.

- A station belongs to one organisation for good (a station registered under the wrong
  one, with no activities yet, is deleted and registered again); its name is unique among
  the organisation's live stations; its guiding committee and its optional sector are the
  organisation's.
- Established no later than today; closed no earlier than established and no later than
  today. Giving a closing day closes the station (the open flag goes off); switching the
  flag back on reopens it and clears the closing day.
- A stint (``WorkstationMember``) is a member of the station's organisation, in office on
  its first day, from a day no later than today, to a day (inclusive) or open. A member's
  stints at one station never overlap.
- Whether a station is *idle* is its last activity's business, not the flag's
  (``services.workstations``): the lists compute it in SQL for every station at once.

Everyone with the screen (administrators, leaders, staff) reads the stations of their
organisations; administrators of the station's organisation and staff of its guiding
committee keep them (``can_manage_station``). Every change is audited.
"""

from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from models import (
    AuditAction,
    Committee,
    Member,
    Organisation,
    Role,
    Sector,
    Workstation,
    WorkstationActivity,
    WorkstationMember,
)
from models.enums import WorkstationKind
from services.actors import Actor
from services.audit import record_audit, snapshot
from services.errors import PermissionDenied, ServiceError, StaleRecord, ValidationFailed
from services.organisations import in_scope
from services.records import load_live, soft_delete, update_record
from services.roster import PHONE_PATTERN
from services.search import contains
from services.text import clean_phone, clean_text
from services.visits import not_in_office
from services.workstations import (
    can_manage_station,
    idle_case,
    idle_days,
    is_idle,
    last_activity_query,
    stationed_clause,
)

MAX_NAME_LENGTH = 120
TEXT_LIMITS = {"district": 60, "address": 200, "head_name": 60}
MAX_PHONE_LENGTH = 30
MAX_DUTY_DAYS_LENGTH = 60
READERS = (Role.ADMIN, Role.LEADER, Role.STAFF)
NAMES_JOINED_BY = "、"


class HasActivities(ServiceError):
    """A station with activities is not a mistake to delete: close it instead."""

    message_key = "workstations.error.has_activities"


@dataclass(frozen=True)
class StationInput:
    """Every field of a station, as the form gives them."""

    organisation_id: int
    name: str
    kind: WorkstationKind | None
    committee_id: int | None
    sector_id: int | None = None
    district: str | None = None
    address: str | None = None
    head_name: str | None = None
    head_phone: str | None = None
    established_on: date | None = None
    closed_on: date | None = None
    is_active: bool = True

    @classmethod
    def of(cls, station: Workstation) -> "StationInput":
        return cls(**{field.name: getattr(station, field.name) for field in fields(cls)})


EDITABLE_FIELDS = tuple(field.name for field in fields(StationInput)
                        if field.name != "organisation_id")


@dataclass(frozen=True)
class StationFilter:
    """The list's filters; None (or empty text) means all."""

    organisation_ids: frozenset[int] | None = None
    committee_id: int | None = None
    sector_id: int | None = None
    kind: WorkstationKind | None = None
    is_open: bool | None = None  # the office's open/closed flag
    idle: bool | None = None  # by the idle rule, whatever the flag says
    search: str = ""  # name, district, address or head


@dataclass(frozen=True)
class IdleList:
    stations: pd.DataFrame  # the idle ones, by organisation, committee, last activity
    by_organisation: pd.DataFrame  # organisation, stations, idle
    by_committee: pd.DataFrame  # organisation, committee, stations, idle
    idle_days: int


@dataclass(frozen=True)
class StationDetail:
    station: Workstation
    organisation: str
    committee: str
    sector: str | None
    last_on: date | None
    days_since: int | None
    idle: bool
    idle_days: int
    stints: pd.DataFrame  # id, member_id, member, from_on, to_on, duty_days, current
    can_manage: bool


# --- who may ----------------------------------------------------------------------------


def may_register(actor: Actor) -> bool:
    """Administrators, and staff with a committee to guide the station, add stations."""
    return actor.role is Role.ADMIN or (actor.role is Role.STAFF and bool(actor.committee_ids))


def _require_reader(actor: Actor) -> None:
    actor.require_role(*READERS)


def _require_manage(actor: Actor, station: Workstation) -> None:
    if not can_manage_station(actor, station):
        raise PermissionDenied()


def _live_station(session: Session, actor: Actor, station_id: int, *,
                  lock: bool = False) -> Workstation:
    """The station as stored now, locked for a change to its stints when ``lock``."""
    station = session.get(Workstation, station_id, with_for_update=lock, populate_existing=True)
    if station is None or station.deleted_at is not None:
        raise StaleRecord()
    actor.require_organisation(station.organisation_id)
    return station


# --- a station's record ------------------------------------------------------------------


def _clean(data: StationInput) -> StationInput:
    texts = {name: clean_text(getattr(data, name)) or None for name in TEXT_LIMITS}
    return replace(data, name=clean_text(data.name), head_phone=clean_phone(data.head_phone)
                   or None, **texts)


def _with_open_flag(data: StationInput, reopening: bool) -> StationInput:
    """A closing day closes the station; reopening it clears the closing day."""
    if reopening:
        return replace(data, closed_on=None, is_active=True)
    if data.closed_on is not None:
        return replace(data, is_active=False)
    return data


def _errors(session: Session, data: StationInput, today: date,
            station_id: int | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.name:
        errors["name"] = "workstations.error.name_required"
    elif len(data.name) > MAX_NAME_LENGTH:
        errors["name"] = "workstations.error.too_long"
    elif _name_taken(session, data.organisation_id, data.name, station_id):
        errors["name"] = "workstations.error.name_taken"
    if data.kind is None:
        errors["kind"] = "workstations.error.kind_required"
    if data.committee_id is None:
        errors["committee_id"] = "workstations.error.committee_required"
    elif _owner(session, Committee, data.committee_id) != data.organisation_id:
        errors["committee_id"] = "workstations.error.committee_unknown"
    if data.sector_id is not None and \
            _owner(session, Sector, data.sector_id) != data.organisation_id:
        errors["sector_id"] = "workstations.error.sector_unknown"
    for name, limit in TEXT_LIMITS.items():
        if len(getattr(data, name) or "") > limit:
            errors[name] = "workstations.error.too_long"
    if data.head_phone and (len(data.head_phone) > MAX_PHONE_LENGTH
                            or not PHONE_PATTERN.match(data.head_phone)):
        errors["head_phone"] = "workstations.error.phone_invalid"
    if data.established_on is not None and data.established_on > today:
        errors["established_on"] = "workstations.error.established_future"
    if data.closed_on is not None:
        if data.closed_on > today:
            errors["closed_on"] = "workstations.error.closed_future"
        elif data.established_on is not None and data.closed_on < data.established_on:
            errors["closed_on"] = "workstations.error.closed_before_established"
    return errors


def _owner(session: Session, model: type[Committee] | type[Sector], row_id: int) -> int | None:
    row = session.get(model, row_id)
    return None if row is None else row.organisation_id


def _name_taken(session: Session, organisation_id: int, name: str,
                station_id: int | None) -> bool:
    query = select(Workstation.id).where(
        Workstation.organisation_id == organisation_id, Workstation.name == name,
        col(Workstation.deleted_at).is_(None))
    if station_id is not None:
        query = query.where(Workstation.id != station_id)
    return session.exec(query.limit(1)).first() is not None


def _lock_organisation(session: Session, organisation_id: int) -> None:
    """Two people registering the same name at once: the second waits, then sees it."""
    if session.get(Organisation, organisation_id, with_for_update=True) is None:
        raise ValidationFailed({"organisation_id": "workstations.error.organisation_unknown"})


def create_station(*, session: Session, actor: Actor, data: StationInput,
                   today: date) -> Workstation:
    """Register a station; the registrar must be able to keep it."""
    actor.require_organisation(data.organisation_id)
    data = _with_open_flag(_clean(data), reopening=False)
    _lock_organisation(session, data.organisation_id)
    errors = _errors(session, data, today, None)
    if errors:
        raise ValidationFailed(errors)
    station = Workstation(**vars(data))
    _require_manage(actor, station)
    session.add(station)
    session.flush()
    record_audit(session=session, actor=actor, action=AuditAction.CREATE, entity="Workstation",
                 entity_id=station.id, after=snapshot(station))
    return station


def update_station(*, session: Session, actor: Actor, station_id: int, expected_version: int,
                   changes: dict[str, Any], today: date) -> Workstation:
    """Change the fields in ``changes`` (those the editor touched), if nobody saved the
    station since ``expected_version``. Staff moving a station to another committee must
    guide both."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)} of a station")
    current = _live_station(session, actor, station_id)
    _require_manage(actor, current)
    _lock_organisation(session, current.organisation_id)
    stored = StationInput.of(current)
    reopening = changes.get("is_active") is True and not current.is_active
    if reopening and changes.get("closed_on") is not None:
        raise ValidationFailed({"closed_on": "workstations.error.open_with_closing_day"})
    data = _with_open_flag(_clean(replace(stored, **changes)), reopening)
    errors = _errors(session, data, today, station_id)
    if errors:
        raise ValidationFailed(errors)
    _require_manage(actor, Workstation(**vars(data)))
    new_values = {name: getattr(data, name) for name in EDITABLE_FIELDS
                  if getattr(data, name) != getattr(stored, name)}
    updated = update_record(session=session, actor=actor, model=Workstation,
                            record_id=station_id, expected_version=expected_version,
                            changes=new_values)
    if new_values.get("closed_on") is not None:
        _end_stints_on_closing(session, actor, station_id, new_values["closed_on"])
    return updated


def _end_stints_on_closing(session: Session, actor: Actor, station_id: int,
                           closed_on: date) -> None:
    """A station closing ends the stints still running after its closing day (those that
    began by then; one that would begin later is left for the office to delete)."""
    running = session.exec(select(WorkstationMember).where(
        WorkstationMember.workstation_id == station_id,
        WorkstationMember.from_on <= closed_on,
        or_(col(WorkstationMember.to_on).is_(None),
            col(WorkstationMember.to_on) > closed_on))).all()
    for stint in running:
        before = snapshot(stint)
        stint.to_on = closed_on
        session.add(stint)
        session.flush()
        record_audit(session=session, actor=actor, action=AuditAction.UPDATE,
                     entity="WorkstationMember", entity_id=stint.id, before=before,
                     after=snapshot(stint))


def delete_station(*, session: Session, actor: Actor, station_id: int,
                   expected_version: int) -> None:
    """Delete a station registered by mistake: one with no activity (else close it)."""
    station = _live_station(session, actor, station_id)
    _require_manage(actor, station)
    held = session.exec(select(WorkstationActivity.id).where(
        WorkstationActivity.workstation_id == station_id,
        col(WorkstationActivity.deleted_at).is_(None)).limit(1)).first()
    if held is not None:
        raise HasActivities()
    soft_delete(session=session, actor=actor, model=Workstation, record_id=station_id,
                expected_version=expected_version)


# --- stationed members --------------------------------------------------------------------


def _stint_errors(session: Session, station: Workstation, member_id: int | None,
                  from_on: date | None, to_on: date | None, duty_days: str | None,
                  today: date, stint_id: int | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    member = session.get(Member, member_id) if member_id is not None else None
    if member_id is None:
        errors["member_id"] = "workstations.error.member_required"
    elif member is None or member.deleted_at is not None \
            or member.organisation_id != station.organisation_id:
        errors["member_id"] = "workstations.error.member_unknown"
    if from_on is None:
        errors["from_on"] = "workstations.error.from_required"
    elif from_on > today:
        errors["from_on"] = "workstations.error.from_future"
    elif member is not None and "member_id" not in errors \
            and not_in_office(session, [member.id], from_on):
        errors["from_on"] = "workstations.error.not_in_office"
    if to_on is not None and from_on is not None and to_on < from_on:
        errors["to_on"] = "workstations.error.to_before_from"
    if duty_days and len(duty_days) > MAX_DUTY_DAYS_LENGTH:
        errors["duty_days"] = "workstations.error.too_long"
    if not errors and _overlapping(session, station.id, member_id, from_on, to_on, stint_id):
        errors["from_on"] = "workstations.error.stint_overlaps"
    return errors


def _overlapping(session: Session, station_id: int, member_id: int | None, from_on: date | None,
                 to_on: date | None, stint_id: int | None) -> bool:
    query = select(WorkstationMember.id).where(
        WorkstationMember.workstation_id == station_id,
        WorkstationMember.member_id == member_id,
        or_(col(WorkstationMember.to_on).is_(None), col(WorkstationMember.to_on) >= from_on))
    if to_on is not None:
        query = query.where(WorkstationMember.from_on <= to_on)
    if stint_id is not None:
        query = query.where(WorkstationMember.id != stint_id)
    return session.exec(query.limit(1)).first() is not None


def _stint(session: Session, actor: Actor, stint_id: int) -> tuple[WorkstationMember, Workstation]:
    """The stint and its station (locked: changes to one station's stints go one at a
    time, so two never overlap)."""
    stint = session.get(WorkstationMember, stint_id, populate_existing=True)
    if stint is None:
        raise StaleRecord()
    station = _live_station(session, actor, stint.workstation_id, lock=True)
    _require_manage(actor, station)
    stint = session.get(WorkstationMember, stint_id, populate_existing=True)
    if stint is None:  # deleted while we waited for the lock
        raise StaleRecord()
    return stint, station


def _audit_stint(session: Session, actor: Actor, action: AuditAction, stint_id: int | None,
                 before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
    record_audit(session=session, actor=actor, action=action, entity="WorkstationMember",
                 entity_id=stint_id, before=before, after=after)


def add_stint(*, session: Session, actor: Actor, station_id: int, member_id: int | None,
              from_on: date | None, to_on: date | None = None, duty_days: str | None = None,
              today: date) -> WorkstationMember:
    """Station a member from ``from_on`` (to ``to_on``, inclusive, or open)."""
    station = _live_station(session, actor, station_id, lock=True)
    _require_manage(actor, station)
    duty_days = clean_text(duty_days) or None
    errors = _stint_errors(session, station, member_id, from_on, to_on, duty_days, today, None)
    if errors:
        raise ValidationFailed(errors)
    stint = WorkstationMember(workstation_id=station_id, member_id=member_id, from_on=from_on,
                              to_on=to_on, duty_days=duty_days)
    session.add(stint)
    session.flush()
    _audit_stint(session, actor, AuditAction.CREATE, stint.id, None, snapshot(stint))
    return stint


def end_stint(*, session: Session, actor: Actor, stint_id: int,
              on: date | None) -> WorkstationMember:
    """The member leaves the station after ``on`` (the stint's last day; a day ahead, the
    end of a term, may be given now)."""
    stint, _ = _stint(session, actor, stint_id)
    if stint.to_on is not None:
        raise ValidationFailed({"to_on": "workstations.error.already_ended"})
    if on is None:
        raise ValidationFailed({"to_on": "workstations.error.end_required"})
    if on < stint.from_on:
        raise ValidationFailed({"to_on": "workstations.error.to_before_from"})
    before = snapshot(stint)
    stint.to_on = on
    session.add(stint)
    session.flush()
    _audit_stint(session, actor, AuditAction.UPDATE, stint.id, {"to_on": before["to_on"]},
                 {"to_on": on.isoformat()})
    return stint


def correct_stint(*, session: Session, actor: Actor, stint_id: int, from_on: date | None,
                  to_on: date | None, duty_days: str | None, today: date) -> WorkstationMember:
    """Correct a stint's days and duty days (the member stays: a stint of the wrong
    member is deleted)."""
    stint, station = _stint(session, actor, stint_id)
    duty_days = clean_text(duty_days) or None
    errors = _stint_errors(session, station, stint.member_id, from_on, to_on, duty_days, today,
                           stint.id)
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(stint)
    stint.from_on, stint.to_on, stint.duty_days = from_on, to_on, duty_days
    session.add(stint)
    session.flush()
    after = snapshot(stint)
    changed = [key for key in ("from_on", "to_on", "duty_days") if before[key] != after[key]]
    if changed:
        _audit_stint(session, actor, AuditAction.UPDATE, stint.id,
                     {key: before[key] for key in changed}, {key: after[key] for key in changed})
    return stint


def delete_stint(*, session: Session, actor: Actor, stint_id: int) -> None:
    """Remove a stint entered by mistake (one that ended is ended, not deleted)."""
    stint, _ = _stint(session, actor, stint_id)
    before = snapshot(stint)
    session.delete(stint)
    session.flush()
    _audit_stint(session, actor, AuditAction.DELETE, stint_id, before, None)


# --- lists ------------------------------------------------------------------------------

LIST_COLUMNS = ["id", "organisation_id", "organisation", "name", "kind", "committee_id",
                "committee", "sector", "district", "address", "head_name", "head_phone",
                "established_on", "closed_on", "is_active", "stationed", "last_on",
                "days_since", "idle", "activities", "people_served", "can_manage"]


def station_list(*, session: Session, actor: Actor, filters: StationFilter,
                 today: date) -> pd.DataFrame:
    """One row per live station of the actor's organisations (``LIST_COLUMNS``), by
    organisation and name: what the list, the idle list and the exports show. ``idle``
    follows the rule, whatever ``is_active`` says; ``activities`` and ``people_served``
    are this calendar year's, up to today."""
    _require_reader(actor)
    last = last_activity_query()
    idle = idle_case(last.c.last_on, today, idle_days(session=session))
    query = (
        select(Workstation.id, Workstation.organisation_id,
               Organisation.name.label("organisation"), Workstation.name, Workstation.kind,
               Workstation.committee_id, Committee.name.label("committee"),
               Sector.name.label("sector"), Workstation.district, Workstation.address,
               Workstation.head_name, Workstation.head_phone, Workstation.established_on,
               Workstation.closed_on, Workstation.is_active, last.c.last_on, idle.label("idle"))
        .join(Organisation, Organisation.id == Workstation.organisation_id)
        .join(Committee, Committee.id == Workstation.committee_id)
        .outerjoin(Sector, Sector.id == Workstation.sector_id)
        .outerjoin(last, last.c.station_id == Workstation.id)
        .where(col(Workstation.deleted_at).is_(None), in_scope(Workstation.organisation_id, actor))
        .order_by(Organisation.sort_order, Organisation.id, Workstation.name, Workstation.id)
    )
    rows = session.execute(_filtered(query, filters, idle)).all()
    table = pd.DataFrame([row._asdict() for row in rows], columns=[
        "id", "organisation_id", "organisation", "name", "kind", "committee_id", "committee",
        "sector", "district", "address", "head_name", "head_phone", "established_on",
        "closed_on", "is_active", "last_on", "idle"])
    # The counts are read apart and joined here: each is one grouped scan, and no join
    # of aggregates is left to a planner that may misjudge them.
    stationed, year = _stationed_counts(session, today), _year_figures(session, today)
    ids = table["id"].tolist()
    table["kind"] = [str(kind) for kind in table["kind"]]
    table["idle"] = table["idle"].astype(bool)
    table["is_active"] = table["is_active"].astype(bool)
    table["stationed"] = [stationed.get(i, 0) for i in ids]
    table["last_on"] = [_day(value) for value in table["last_on"]]
    table["days_since"] = pd.array(
        [None if day is None else (today - day).days for day in table["last_on"]],
        dtype="Int64")
    table["activities"] = [year.get(i, (0, 0))[0] for i in ids]
    table["people_served"] = [year.get(i, (0, 0))[1] for i in ids]
    table["can_manage"] = [_manages(actor, organisation_id, committee_id) for organisation_id,
                           committee_id in zip(table["organisation_id"], table["committee_id"],
                                               strict=True)]
    return table[LIST_COLUMNS]


def _stationed_counts(session: Session, today: date) -> dict[int, int]:
    """Per station, the members stationed there on ``today``."""
    return dict(session.exec(
        select(WorkstationMember.workstation_id, func.count(WorkstationMember.member_id))
        .where(stationed_clause(today))
        .group_by(WorkstationMember.workstation_id)).all())


def _year_figures(session: Session, today: date) -> dict[int, tuple[int, int]]:
    """Per station, this calendar year's live activities up to today and the people
    they served."""
    rows = session.exec(
        select(WorkstationActivity.workstation_id, func.count(),
               func.coalesce(func.sum(WorkstationActivity.people_served), 0))
        .where(col(WorkstationActivity.deleted_at).is_(None),
               WorkstationActivity.activity_date >= date(today.year, 1, 1),
               WorkstationActivity.activity_date <= today)
        .group_by(WorkstationActivity.workstation_id)).all()
    return {station_id: (int(count), int(people)) for station_id, count, people in rows}


def _day(value: object) -> date | None:
    """A day from the store (SQLite gives the ``max`` of dates as text)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _manages(actor: Actor, organisation_id: int, committee_id: int) -> bool:
    return actor.sees_organisation(organisation_id) and (
        actor.role is Role.ADMIN or (actor.role is Role.STAFF
                                     and committee_id in actor.committee_ids))


def _filtered(query: Any, filters: StationFilter, idle: Any) -> Any:
    if filters.organisation_ids is not None:
        query = query.where(col(Workstation.organisation_id).in_(sorted(filters.organisation_ids)))
    if filters.committee_id is not None:
        query = query.where(Workstation.committee_id == filters.committee_id)
    if filters.sector_id is not None:
        query = query.where(Workstation.sector_id == filters.sector_id)
    if filters.kind is not None:
        query = query.where(Workstation.kind == filters.kind)
    if filters.is_open is not None:
        query = query.where(Workstation.is_active == filters.is_open)
    if filters.idle is not None:
        # the CASE is true or false, never unknown: a station without activity is in one
        query = query.where(idle.is_(filters.idle))
    if filters.search.strip():
        query = query.where(or_(*(contains(column, filters.search) for column in (
            Workstation.name, Workstation.district, Workstation.address,
            Workstation.head_name))))
    return query


def stationed_names(session: Session, station_ids: list[int], today: date) -> dict[int, str]:
    """Per station, the names of the members stationed there on ``today``, joined by 、
    in pinyin order (a member's stints at one station never overlap: each name once)."""
    if not station_ids:
        return {}
    rows = session.exec(
        select(WorkstationMember.workstation_id, Member.name)
        .join(Member, Member.id == WorkstationMember.member_id)
        .where(col(WorkstationMember.workstation_id).in_(station_ids),
               stationed_clause(today))
        .order_by(Member.name_key, Member.name)
    ).all()
    names: dict[int, list[str]] = {}
    for station_id, name in rows:
        names.setdefault(station_id, []).append(name)
    return {station_id: NAMES_JOINED_BY.join(found) for station_id, found in names.items()}


def idle_stations(*, session: Session, actor: Actor, today: date) -> IdleList:
    """The idle stations by organisation, committee and last activity (the longest idle
    first), each with its stationed members now; and per organisation and committee, how
    many stations there are and how many are idle."""
    every = station_list(session=session, actor=actor, filters=StationFilter(), today=today)
    place = {organisation: rank for rank, organisation
             in enumerate(dict.fromkeys(every["organisation_id"]))}
    idle = every[every["idle"]]
    idle = idle.assign(_place=idle["organisation_id"].map(place),
                       _never=idle["last_on"].isna(),
                       _last=[day.toordinal() if day else 0 for day in idle["last_on"]])
    idle = idle.sort_values(["_place", "committee", "_never", "_last", "name"],
                            ascending=[True, True, False, True, True], kind="stable")
    idle = idle.drop(columns=["_place", "_never", "_last"])
    names = stationed_names(session, [int(i) for i in idle["id"]], today)
    idle["members"] = [names.get(int(i), "") for i in idle["id"]]
    return IdleList(
        stations=idle.reset_index(drop=True),
        by_organisation=_counts(every, ["organisation_id", "organisation"]),
        by_committee=_counts(every, ["organisation_id", "organisation", "committee_id",
                                     "committee"]),
        idle_days=idle_days(session=session),
    )


def _counts(every: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Stations and idle ones per group, in the list's order (the groups with none idle
    too: a committee whose stations are all alive says so)."""
    columns = [*keys, "stations", "idle"]
    if every.empty:
        return pd.DataFrame(columns=columns)
    grouped = every.groupby(keys, sort=False).agg(stations=("id", "size"), idle=("idle", "sum"))
    table = grouped.reset_index()
    table["idle"] = table["idle"].astype(int)
    return table[columns]


def station_detail(*, session: Session, actor: Actor, station_id: int,
                   today: date) -> StationDetail:
    """One station: its record, whether it is idle, and every stint (current ones first,
    then by first day, latest first)."""
    _require_reader(actor)
    station = load_live(session, Workstation, station_id)
    actor.require_organisation(station.organisation_id)
    last_on = _day(session.exec(select(func.max(WorkstationActivity.activity_date)).where(
        WorkstationActivity.workstation_id == station_id,
        col(WorkstationActivity.deleted_at).is_(None))).one())
    days = idle_days(session=session)
    idle = is_idle(station, last_on, today, days)
    sector = session.get(Sector, station.sector_id) if station.sector_id else None
    return StationDetail(
        station=station,
        organisation=session.get(Organisation, station.organisation_id).name,
        committee=session.get(Committee, station.committee_id).name,
        sector=sector.name if sector is not None else None,
        last_on=last_on, days_since=None if last_on is None else (today - last_on).days,
        idle=idle, idle_days=days, stints=_stints(session, station_id, today),
        can_manage=can_manage_station(actor, station),
    )


STINT_COLUMNS = ["id", "member_id", "member", "from_on", "to_on", "duty_days", "current"]


def _stints(session: Session, station_id: int, today: date) -> pd.DataFrame:
    rows = session.exec(
        select(WorkstationMember, Member.name)
        .join(Member, Member.id == WorkstationMember.member_id)
        .where(WorkstationMember.workstation_id == station_id)
    ).all()
    table = pd.DataFrame([
        {"id": stint.id, "member_id": stint.member_id, "member": name,
         "from_on": stint.from_on, "to_on": stint.to_on, "duty_days": stint.duty_days,
         "current": stint.from_on <= today and (stint.to_on is None or stint.to_on >= today)}
        for stint, name in rows
    ], columns=STINT_COLUMNS)
    if table.empty:
        return table
    table["_from"] = table["from_on"].map(date.toordinal)
    return (table.sort_values(["current", "_from", "member"], ascending=[False, False, True])
            .drop(columns="_from").reset_index(drop=True))


def stint_candidates(*, session: Session, actor: Actor, organisation_id: int,
                     today: date) -> pd.DataFrame:
    """The members who may be stationed at a station of the organisation: its live
    members (id, name, in_office today), those in office today first, in pinyin order."""
    _require_reader(actor)
    actor.require_organisation(organisation_id)
    rows = session.exec(
        select(Member.id, Member.name, Member.in_office_to, Member.in_office_from)
        .where(Member.organisation_id == organisation_id, col(Member.deleted_at).is_(None))
        .order_by(Member.name_key, Member.name, Member.id)
    ).all()

    def in_office(row: Any) -> bool:
        return row.in_office_from <= today and (row.in_office_to is None
                                                or row.in_office_to >= today)

    table = pd.DataFrame([{"id": row.id, "name": row.name, "in_office": in_office(row)}
                          for row in rows], columns=["id", "name", "in_office"])
    return table.sort_values("in_office", ascending=False, kind="stable").reset_index(drop=True)

