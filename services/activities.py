"""Activities at studios and stations (工作站活动): one activity's date, type (the
office's editable list), the members present, the people served, a summary and the
problems collected there, which join the same follow-up queue as a visit's.

- **Exactly once.** Each filled-in form carries an idempotency key (``ON CONFLICT DO
  NOTHING``), as a visit does: a double click finds the activity the first saved.
- **Who may record.** Administrators for stations of their organisations; staff of the
  station's guiding committee, or of the committee of a member present; a member for an
  activity of a station they are stationed at on the day, when they were present.
  Leaders read.
- **Counting.** Each member present has the activity on their record (their profile,
  their dossier) and, per the dated setting (``services.workstations``), as a contact
  for the quarterly quota.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import delete, func, or_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from models import (
    AuditAction,
    CollectedProblem,
    Committee,
    ListEntry,
    ListKind,
    Member,
    MemberAssignment,
    Role,
    Workstation,
    WorkstationActivity,
    WorkstationActivityMember,
    WorkstationMember,
    utcnow,
)
from services.actors import Actor
from services.audit import record_audit, snapshot
from services.errors import PermissionDenied, StaleRecord, ValidationFailed
from services.lists import entry_names
from services.organisations import in_scope
from services.permissions import require_read_member
from services.problems import ProblemItem, add_problems, cleaned_items, item_errors
from services.records import load_live, soft_delete, versioned_update
from services.search import contains
from services.text import clean_text
from services.visit_entry import pinyin_code
from services.visits import not_in_office
from services.workstations import can_manage_station, stationed_on

MAX_MEMBERS = 50  # present at one activity
MAX_PEOPLE_SERVED = 100_000
MAX_LENGTHS = {"title": 200, "summary": 4000}
SEPARATOR = "、"


@dataclass(frozen=True)
class ActivityInput:
    workstation_id: int | None
    activity_date: date | None
    activity_type_id: int | None
    member_ids: tuple[int, ...] = ()
    people_served: int | None = 0
    title: str = ""
    summary: str = ""
    problems: tuple[ProblemItem, ...] = ()


# --- who may ------------------------------------------------------------------------------


def _members(session: Session, member_ids: Sequence[int]) -> list[Member]:
    found = {m.id: m for m in session.exec(
        select(Member).where(col(Member.id).in_(list(member_ids)),
                             col(Member.deleted_at).is_(None))).all()}
    return [found[i] for i in member_ids if i in found]


def can_record_activity(session: Session, actor: Actor, station: Workstation,
                        members: Sequence[Member], day: date | None) -> bool:
    """Whether the actor may record (or change) this station's activity with these
    members present."""
    if station.deleted_at is not None:
        return False
    if actor.role is Role.MEMBER:
        # present themself, and every member named stationed there that day (a member
        # cannot credit someone else with a contact elsewhere)
        return (any(m.id == actor.member_id for m in members) and day is not None
                and {m.id for m in members} <= stationed_on(session, station.id, day))
    if not actor.sees_organisation(station.organisation_id):
        return False
    if can_manage_station(actor, station):
        return True
    return actor.role is Role.STAFF and any(m.committee_id in actor.committee_ids
                                            for m in members)


def can_change_activity(session: Session, actor: Actor, activity: WorkstationActivity,
                        station: Workstation, members: Sequence[Member]) -> bool:
    """Whether the actor may correct or delete a recorded activity: administrators of the
    station's organisation and staff of its guiding committee any of its activities;
    others (staff of a present member's committee, a stationed member) only those they
    recorded themselves, so nobody removes or rewrites another committee's record."""
    if not can_record_activity(session, actor, station, members, activity.activity_date):
        return False
    if actor.role is not Role.MEMBER and can_manage_station(actor, station):
        return True
    return activity.recorded_by_user_id is not None and (
        activity.recorded_by_user_id == actor.user_id)


def _require_read(session: Session, actor: Actor, station: Workstation) -> None:
    if actor.role is Role.MEMBER:
        if actor.member_id not in _ever_stationed(session, station.id):
            raise PermissionDenied()
    else:
        actor.require_organisation(station.organisation_id)


def _ever_stationed(session: Session, station_id: int) -> set[int]:
    return set(session.exec(select(WorkstationMember.member_id).where(
        WorkstationMember.workstation_id == station_id)).all())


# --- what the form offers ----------------------------------------------------------------


@dataclass(frozen=True)
class ActivityChoices:
    stations: dict[int, str]  # id → name, the stations the actor may record for
    types: dict[int, str]  # the station's organisation's activity types
    members: dict[int, str]  # members in office on the day: id → "name · pinyin"
    stationed: list[int]  # of those, stationed at the station on the day (offered first)
    categories: dict[int, str]  # problem categories


def station_choices(*, session: Session, actor: Actor, on: date) -> dict[int, str]:
    """The live stations the actor may record an activity for, by name: a member's are
    those they are stationed at on ``on``; staff see every station of their
    organisations (a member of their committee may be present anywhere)."""
    query = select(Workstation.id, Workstation.name).where(
        col(Workstation.deleted_at).is_(None))
    if actor.role is Role.MEMBER:
        query = query.join(WorkstationMember,
                           col(WorkstationMember.workstation_id) == Workstation.id).where(
            WorkstationMember.member_id == actor.member_id, WorkstationMember.from_on <= on,
            or_(col(WorkstationMember.to_on).is_(None), col(WorkstationMember.to_on) >= on))
    elif actor.role in (Role.ADMIN, Role.STAFF):
        query = query.where(in_scope(Workstation.organisation_id, actor))
    else:
        return {}
    # not a station closed before the day
    query = query.where(or_(col(Workstation.closed_on).is_(None), Workstation.closed_on >= on))
    return dict(session.exec(query.order_by(col(Workstation.name), col(Workstation.id))
                             .distinct()).all())


def activity_choices(*, session: Session, actor: Actor, station_id: int,
                     on: date) -> ActivityChoices:
    """What the entry form offers for one station on one day."""
    stations = station_choices(session=session, actor=actor, on=on)
    station = session.get(Workstation, station_id)
    if station is None or station_id not in stations:
        raise PermissionDenied()
    organisation_id = station.organisation_id
    query = (select(Member.id, Member.name)
             .join(MemberAssignment, col(MemberAssignment.member_id) == Member.id)
             .where(col(Member.deleted_at).is_(None),
                    MemberAssignment.organisation_id == organisation_id,
                    MemberAssignment.starts_on <= on,
                    or_(col(MemberAssignment.ends_on).is_(None),
                        col(MemberAssignment.ends_on) >= on))
             .order_by(col(Member.name_key), col(Member.id)))
    if actor.role is Role.MEMBER:
        query = query.where(Member.id == actor.member_id)
    # a label the picker's search matches by name, pinyin or initials: 刘洋 · liuyang ly
    members = {member_id: f"{name} · {pinyin_code(name)}"
               for member_id, name in session.exec(query).all()}
    here = stationed_on(session, station_id, on)
    stationed = [member_id for member_id in members if member_id in here]
    return ActivityChoices(
        stations=stations,
        types=entry_names(session=session, organisation_id=organisation_id,
                          kind=ListKind.ACTIVITY_TYPE),
        members=members, stationed=stationed,
        categories=entry_names(session=session, organisation_id=organisation_id,
                               kind=ListKind.PROBLEM_CATEGORY))


# --- validation ----------------------------------------------------------------------------


def clean_input(data: ActivityInput) -> ActivityInput:
    return replace(data, member_ids=tuple(dict.fromkeys(data.member_ids)),
                   title=clean_text(data.title),
                   summary=clean_text(data.summary, single_line=False),
                   problems=tuple(cleaned_items(data.problems)))


def activity_errors(session: Session, data: ActivityInput, station: Workstation | None,
                    members: list[Member], *, today: date) -> dict[str, str]:
    """Every field's problem at once (field → message key); ``data`` is cleaned."""
    errors: dict[str, str] = {}
    if station is None:
        errors["workstation_id"] = "activities.error.station_required"
    day = data.activity_date
    if day is None:
        errors["activity_date"] = "activities.error.date_required"
    elif day > today:
        errors["activity_date"] = "activities.error.date_in_future"
    elif station is not None and station.established_on and day < station.established_on:
        errors["activity_date"] = "activities.error.before_established"
    elif station is not None and station.closed_on and day > station.closed_on:
        errors["activity_date"] = "activities.error.after_closed"
    if not data.member_ids:
        errors["members"] = "activities.error.members_required"
    elif len(data.member_ids) > MAX_MEMBERS:
        errors["members"] = "activities.error.too_many_members"
    elif len(members) != len(data.member_ids):
        errors["members"] = "activities.error.member_unknown"
    elif day is not None and "activity_date" not in errors and not_in_office(
            session, [m.id for m in members], day):
        errors["members"] = "activities.error.not_in_office"
    elif station is not None and day is not None and "activity_date" not in errors and (
            _seated_elsewhere(session, [m.id for m in members], station.organisation_id, day)):
        # the organisation they sat in that day, as the form offers them
        errors["members"] = "activities.error.member_unknown"
    if data.people_served is None:
        errors["people_served"] = "activities.error.people_served_required"
    elif not 0 <= data.people_served <= MAX_PEOPLE_SERVED:
        errors["people_served"] = "activities.error.people_served"
    for name, longest in MAX_LENGTHS.items():
        if len(getattr(data, name)) > longest:
            errors[name] = "activities.error.too_long"
    if station is not None:
        types = entry_names(session=session, organisation_id=station.organisation_id,
                            kind=ListKind.ACTIVITY_TYPE)
        if data.activity_type_id is None:
            errors["activity_type_id"] = "activities.error.type_required"
        elif data.activity_type_id not in types:
            errors["activity_type_id"] = "activities.error.type_unknown"
        problem = item_errors(session, station.organisation_id, data.problems)
        if problem:
            errors["problems"] = problem
    return errors


def _seated_elsewhere(session: Session, member_ids: list[int], organisation_id: int,
                      day: date) -> bool:
    """Whether any of the members held no seat in the organisation on ``day``."""
    seated = set(session.exec(select(MemberAssignment.member_id).where(
        col(MemberAssignment.member_id).in_(member_ids),
        MemberAssignment.organisation_id == organisation_id,
        MemberAssignment.starts_on <= day,
        or_(col(MemberAssignment.ends_on).is_(None), col(MemberAssignment.ends_on) >= day),
    )).all())
    return bool(set(member_ids) - seated)


def _checked(session: Session, actor: Actor, data: ActivityInput, *,
             today: date) -> tuple[ActivityInput, Workstation | None]:
    data = clean_input(data)
    station = (session.get(Workstation, data.workstation_id)
               if data.workstation_id is not None else None)
    if station is not None and station.deleted_at is not None:
        station = None
    members = _members(session, data.member_ids)
    if station is not None and not can_record_activity(session, actor, station, members,
                                                       data.activity_date):
        raise PermissionDenied()
    errors = activity_errors(session, data, station, members, today=today)
    if errors:
        raise ValidationFailed(errors)
    return data, station


# --- writing -------------------------------------------------------------------------------


def record_activity(*, session: Session, actor: Actor, data: ActivityInput,
                    idempotency_key: str, today: date) -> WorkstationActivity:
    """Save a new activity with its members present and problems, once: a second call
    with the same ``idempotency_key`` returns the activity the first one saved."""
    if not idempotency_key or len(idempotency_key) > 64:
        raise ValueError("an idempotency key of 1 to 64 characters is required")
    earlier = _by_key(session, idempotency_key)
    if earlier is not None:
        if earlier.recorded_by_user_id != actor.user_id:
            raise PermissionDenied()  # a key is the user's own: never another's record
        return earlier
    if actor.role not in (Role.ADMIN, Role.STAFF, Role.MEMBER):
        raise PermissionDenied()
    data, station = _checked(session, actor, data, today=today)
    assert station is not None and data.activity_date is not None
    values = _values(data) | {
        "idempotency_key": idempotency_key, "recorded_by_user_id": actor.user_id,
        "version": 1, "created_at": utcnow(), "updated_at": utcnow(),
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    activity_id = session.execute(
        insert(WorkstationActivity).values(**values)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(WorkstationActivity.__table__.c.id)).scalar()
    if activity_id is None:  # a concurrent submit of the same form saved it first
        return _by_key(session, idempotency_key)
    _write_members(session, activity_id, data)
    add_problems(session, actor, organisation_id=station.organisation_id,
                 committee_id=station.committee_id, collected_on=data.activity_date,
                 items=data.problems, activity_id=activity_id)
    activity = load_live(session, WorkstationActivity, activity_id)
    record_audit(session=session, actor=actor, action=AuditAction.CREATE,
                 entity="WorkstationActivity", entity_id=activity_id,
                 after=_audited(activity, data))
    return activity


def _by_key(session: Session, idempotency_key: str) -> WorkstationActivity | None:
    return session.exec(select(WorkstationActivity).where(
        WorkstationActivity.idempotency_key == idempotency_key)).first()


def _values(data: ActivityInput) -> dict[str, Any]:
    return {"workstation_id": data.workstation_id, "activity_date": data.activity_date,
            "activity_type_id": data.activity_type_id, "people_served": data.people_served,
            "members_present": len(data.member_ids),
            "title": data.title or None, "summary": data.summary or None}


def _write_members(session: Session, activity_id: int, data: ActivityInput) -> None:
    session.add_all(WorkstationActivityMember(activity_id=activity_id, member_id=member_id,
                                              activity_date=data.activity_date)
                    for member_id in data.member_ids)
    session.flush()


def _audited(activity: WorkstationActivity, data: ActivityInput) -> dict[str, Any]:
    return snapshot(activity) | {"member_ids": list(data.member_ids),
                                 "problems": [item.content for item in data.problems]}


def may_change(*, session: Session, actor: Actor, activity_id: int) -> bool:
    """Whether the actor may correct or delete the activity (for the screens)."""
    activity = load_live(session, WorkstationActivity, activity_id)
    station = load_live(session, Workstation, activity.workstation_id)
    member_ids = session.exec(select(WorkstationActivityMember.member_id).where(
        WorkstationActivityMember.activity_id == activity_id)).all()
    return can_change_activity(session, actor, activity, station,
                               _members(session, member_ids))


def stored_input(*, session: Session, actor: Actor,
                 activity_id: int) -> tuple[ActivityInput, int]:
    """A stored activity as the form edits it (its problems are followed up on their
    own), and its version."""
    activity = load_live(session, WorkstationActivity, activity_id)
    station = load_live(session, Workstation, activity.workstation_id)
    _require_read(session, actor, station)
    member_ids = tuple(session.exec(
        select(WorkstationActivityMember.member_id)
        .where(WorkstationActivityMember.activity_id == activity_id)
        .order_by(col(WorkstationActivityMember.member_id))).all())
    return ActivityInput(
        workstation_id=activity.workstation_id, activity_date=activity.activity_date,
        activity_type_id=activity.activity_type_id, member_ids=member_ids,
        people_served=activity.people_served, title=activity.title or "",
        summary=activity.summary or ""), activity.version


def update_activity(*, session: Session, actor: Actor, activity_id: int,
                    expected_version: int, data: ActivityInput,
                    today: date) -> WorkstationActivity:
    """Change an activity (not its problems) against the version the user saw."""
    activity = load_live(session, WorkstationActivity, activity_id)
    before_input, _ = stored_input(session=session, actor=actor, activity_id=activity_id)
    station = load_live(session, Workstation, activity.workstation_id)
    if not can_change_activity(session, actor, activity, station,
                               _members(session, before_input.member_ids)):
        raise PermissionDenied()
    data = replace(data, problems=())
    data, _station = _checked(session, actor, data, today=today)
    before = _audited(activity, before_input)
    versioned_update(session, WorkstationActivity, activity_id, expected_version,
                     _values(data))
    session.execute(delete(WorkstationActivityMember).where(
        col(WorkstationActivityMember.activity_id) == activity_id))
    _write_members(session, activity_id, data)
    session.expire_all()
    activity = load_live(session, WorkstationActivity, activity_id)
    record_audit(session=session, actor=actor, action=AuditAction.UPDATE,
                 entity="WorkstationActivity", entity_id=activity_id, before=before,
                 after=_audited(activity, data))
    return activity


def delete_activity(*, session: Session, actor: Actor, activity_id: int,
                    expected_version: int) -> None:
    """Soft-delete a mistaken activity: it no longer counts anywhere, its history stays."""
    data, version = stored_input(session=session, actor=actor, activity_id=activity_id)
    activity = load_live(session, WorkstationActivity, activity_id)
    station = load_live(session, Workstation, activity.workstation_id)
    if not can_change_activity(session, actor, activity, station,
                               _members(session, data.member_ids)):
        raise PermissionDenied()
    if version != expected_version:
        raise StaleRecord()
    soft_delete(session=session, actor=actor, model=WorkstationActivity,
                record_id=activity_id, expected_version=expected_version)


# --- reading -------------------------------------------------------------------------------

ACTIVITY_COLUMNS = ["id", "activity_date", "activity_type", "title", "people_served",
                    "members", "problems", "summary", "version"]


def _names_present(session: Session, activity_ids: list[int]) -> dict[int, str]:
    present: dict[int, list[str]] = {}
    for start in range(0, len(activity_ids), 900):
        chunk = activity_ids[start:start + 900]
        for activity_id, name in session.exec(
                select(WorkstationActivityMember.activity_id, Member.name)
                .join(Member, col(Member.id) == WorkstationActivityMember.member_id)
                .where(col(WorkstationActivityMember.activity_id).in_(chunk))
                .order_by(col(WorkstationActivityMember.activity_id), col(Member.name_key))):
            present.setdefault(activity_id, []).append(name)
    return {activity_id: SEPARATOR.join(names) for activity_id, names in present.items()}


def _activity_frame(session: Session, query: Any, extra: Sequence[str] = ()) -> pd.DataFrame:
    problems = (select(func.count()).select_from(CollectedProblem)
                .where(CollectedProblem.activity_id == WorkstationActivity.id,
                       col(CollectedProblem.deleted_at).is_(None))
                .correlate(WorkstationActivity).scalar_subquery())
    rows = session.exec(query.add_columns(problems)).all()
    columns = [*extra, "id", "activity_date", "activity_type", "title", "people_served",
               "summary", "version", "problems"]
    frame = pd.DataFrame(rows, columns=columns)
    names = _names_present(session, frame["id"].tolist())
    frame["members"] = pd.Series([names.get(i, "") for i in frame["id"]], index=frame.index,
                                 dtype=object)
    return frame[[*extra, *ACTIVITY_COLUMNS]]


def _base_query(*extra: Any) -> Any:
    return (select(*extra, WorkstationActivity.id, WorkstationActivity.activity_date,
                   ListEntry.name, WorkstationActivity.title,
                   WorkstationActivity.people_served, WorkstationActivity.summary,
                   WorkstationActivity.version)
            .join(ListEntry, col(ListEntry.id) == WorkstationActivity.activity_type_id)
            .where(col(WorkstationActivity.deleted_at).is_(None))
            .order_by(col(WorkstationActivity.activity_date).desc(),
                      col(WorkstationActivity.id).desc()))


def station_activities(*, session: Session, actor: Actor, station_id: int) -> pd.DataFrame:
    """The station's live activities, newest first (``ACTIVITY_COLUMNS``)."""
    _require_read(session, actor, load_live(session, Workstation, station_id))
    return _activity_frame(session, _base_query().where(
        WorkstationActivity.workstation_id == station_id))


PROBLEM_COLUMNS = ["id", "collected_on", "content", "status", "activity_id"]


def station_problems(*, session: Session, actor: Actor, station_id: int) -> pd.DataFrame:
    """Problems collected at the station's live activities, newest first."""
    _require_read(session, actor, load_live(session, Workstation, station_id))
    rows = session.exec(
        select(CollectedProblem.id, CollectedProblem.collected_on, CollectedProblem.content,
               CollectedProblem.status, CollectedProblem.activity_id)
        .join(WorkstationActivity,
              col(WorkstationActivity.id) == CollectedProblem.activity_id)
        .where(WorkstationActivity.workstation_id == station_id,
               col(WorkstationActivity.deleted_at).is_(None),
               col(CollectedProblem.deleted_at).is_(None))
        .order_by(col(CollectedProblem.collected_on).desc(), col(CollectedProblem.id).desc())
    ).all()
    frame = pd.DataFrame(rows, columns=PROBLEM_COLUMNS)
    frame["status"] = frame["status"].map(lambda s: getattr(s, "value", s))
    return frame


def member_activities(*, session: Session, actor: Actor, member_id: int) -> pd.DataFrame:
    """The live activities the member attended, newest first, with their station."""
    require_read_member(actor, load_live(session, Member, member_id))
    attended = (select(WorkstationActivityMember.activity_id)
                .where(WorkstationActivityMember.member_id == member_id))
    query = (_base_query(Workstation.name)
             .join(Workstation, col(Workstation.id) == WorkstationActivity.workstation_id)
             .where(col(WorkstationActivity.id).in_(attended)))
    return _activity_frame(session, query, extra=("station",))


STINT_COLUMNS = ["station", "from_on", "to_on", "duty_days"]


def member_stints(*, session: Session, actor: Actor, member_id: int) -> pd.DataFrame:
    """The stations the member is or was stationed at, the current stints first."""
    require_read_member(actor, load_live(session, Member, member_id))
    rows = session.exec(
        select(Workstation.name, WorkstationMember.from_on, WorkstationMember.to_on,
               WorkstationMember.duty_days)
        .join(Workstation, col(Workstation.id) == WorkstationMember.workstation_id)
        .where(WorkstationMember.member_id == member_id,
               col(Workstation.deleted_at).is_(None))
        .order_by(col(WorkstationMember.to_on).is_not(None),
                  col(WorkstationMember.from_on).desc())).all()
    return pd.DataFrame([tuple(row) for row in rows], columns=STINT_COLUMNS)


@dataclass(frozen=True)
class ActivityFilter:
    organisation_ids: frozenset[int] | None = None
    committee_id: int | None = None
    station_id: int | None = None
    activity_type_id: int | None = None
    first: date | None = None
    last: date | None = None
    search: str = ""


LIST_LIMIT = 2000


EXPORT_LIMIT = 200_000


def _filtered(query: Any, actor: Actor, filters: ActivityFilter) -> Any:
    query = query.where(in_scope(Workstation.organisation_id, actor),
                        col(Workstation.deleted_at).is_(None),
                        col(WorkstationActivity.deleted_at).is_(None))
    if filters.organisation_ids is not None:
        query = query.where(col(Workstation.organisation_id).in_(filters.organisation_ids))
    if filters.committee_id is not None:
        query = query.where(Workstation.committee_id == filters.committee_id)
    if filters.station_id is not None:
        query = query.where(WorkstationActivity.workstation_id == filters.station_id)
    if filters.activity_type_id is not None:
        query = query.where(WorkstationActivity.activity_type_id == filters.activity_type_id)
    if filters.first is not None:
        query = query.where(WorkstationActivity.activity_date >= filters.first)
    if filters.last is not None:
        query = query.where(WorkstationActivity.activity_date <= filters.last)
    text = clean_text(filters.search)
    if text:
        query = query.where(or_(contains(WorkstationActivity.title, text),
                                contains(WorkstationActivity.summary, text),
                                contains(Workstation.name, text)))
    return query


def list_activities(*, session: Session, actor: Actor,
                    filters: ActivityFilter = ActivityFilter(),
                    limit: int = LIST_LIMIT) -> pd.DataFrame:
    """Live activities of the stations the actor sees, newest first, with the station
    and its guiding committee (at most ``limit`` rows: the list shows the newest, the
    export asks for all)."""
    if actor.role is Role.MEMBER:
        raise PermissionDenied()
    query = (_base_query(Workstation.name, Committee.name)
             .join(Workstation, col(Workstation.id) == WorkstationActivity.workstation_id)
             .join(Committee, col(Committee.id) == Workstation.committee_id))
    return _activity_frame(session, _filtered(query, actor, filters).limit(limit),
                           extra=("station", "committee"))


def activity_totals(*, session: Session, actor: Actor,
                    filters: ActivityFilter = ActivityFilter()) -> tuple[int, int]:
    """How many activities the filters find, and the people they served (all of them,
    however many the list shows)."""
    if actor.role is Role.MEMBER:
        raise PermissionDenied()
    query = (select(func.count(WorkstationActivity.id),
                    func.coalesce(func.sum(WorkstationActivity.people_served), 0))
             .join(Workstation, col(Workstation.id) == WorkstationActivity.workstation_id))
    count, people = session.exec(_filtered(query, actor, filters)).one()
    return int(count), int(people)


def recent_by_me(*, session: Session, actor: Actor, limit: int = 10) -> pd.DataFrame:
    """The activities the actor recorded last, newest first (the entry page's list)."""
    query = (_base_query(Workstation.name)
             .join(Workstation, col(Workstation.id) == WorkstationActivity.workstation_id)
             .where(WorkstationActivity.recorded_by_user_id == actor.user_id)
             .order_by(None)
             .order_by(col(WorkstationActivity.created_at).desc(),
                       col(WorkstationActivity.id).desc())
             .limit(limit))
    return _activity_frame(session, query, extra=("station",))


def last_choices(*, session: Session, actor: Actor) -> tuple[int | None, int | None]:
    """The station and type of the activity the actor recorded last (the form starts on
    them)."""
    row = session.exec(
        select(WorkstationActivity.workstation_id, WorkstationActivity.activity_type_id)
        .where(WorkstationActivity.recorded_by_user_id == actor.user_id,
               col(WorkstationActivity.deleted_at).is_(None))
        .order_by(col(WorkstationActivity.created_at).desc()).limit(1)).first()
    return (row[0], row[1]) if row else (None, None)


def activities_of_member_between(session: Session, member_id: int, first: date,
                                 last: date) -> int:
    """Live activities the member attended between the days (inclusive)."""
    return session.exec(
        select(func.count()).select_from(WorkstationActivityMember)
        .join(WorkstationActivity,
              col(WorkstationActivity.id) == WorkstationActivityMember.activity_id)
        .where(WorkstationActivityMember.member_id == member_id,
               WorkstationActivityMember.activity_date >= first,
               WorkstationActivityMember.activity_date <= last,
               col(WorkstationActivity.deleted_at).is_(None))).one()


def type_names(*, session: Session, organisation_id: int) -> Mapping[int, str]:
    return entry_names(session=session, organisation_id=organisation_id,
                       kind=ListKind.ACTIVITY_TYPE)
