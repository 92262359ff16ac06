"""Studios and stations (委员工作室/站): whether a station is alive, the settings that
decide it, and who may work on a station.

A station is *idle* when it has had no activity for the idle days (a setting, default
90), whatever its open/closed flag says (``../shared/domain.md``, Decisions): on
``today`` it is idle when its last live activity is ``idle_days`` or more days back. A
station that never held one counts from the day it was established (or, without that
day, from the day it was recorded), so a station opened last week is not yet an empty
shell, while one opened a year ago with nothing since is.

Whether the activities members attend count as contacts for the quarterly quota is a
dated setting (``activities_count_as_contacts``, default: they count): a change applies
from its effective day and never rewrites earlier periods.
"""

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, case, func, or_, update
from sqlalchemy.sql import Subquery
from sqlmodel import Session, col, select

from models import (
    AppSetting,
    AuditAction,
    Member,
    MemberAssignment,
    Organisation,
    Role,
    Workstation,
    WorkstationActivity,
    WorkstationMember,
)
from services.actors import Actor
from services.audit import record_audit
from services.errors import PermissionDenied, ValidationFailed
from services.records import insert_if_absent

# The activity types an office starts with (migration 0011 seeds them; each office
# edits its list): key → name.
DEFAULT_ACTIVITY_TYPES = {
    "policy_briefing": "政策宣讲", "legal_consultation": "法律咨询",
    "free_clinic": "义诊/送医下乡", "agri_science_help": "科技助农", "training": "培训",
    "reception_day": "接待日", "micro_consultation": "微协商/议事", "visiting": "走访慰问",
    "other": "其他",
}

IDLE_SETTING = "workstation.idle_days"
DEFAULT_IDLE_DAYS = 90
IDLE_DAYS_RANGE = range(7, 731)
CONTACT_SETTING = "quota.contact.counts_activities"


# --- settings ------------------------------------------------------------------------


def idle_days(*, session: Session) -> int:
    """Days without an activity after which a station is idle (a setting, default 90)."""
    stored = session.get(AppSetting, IDLE_SETTING)
    try:
        days = int(stored.value) if stored is not None else DEFAULT_IDLE_DAYS
    except ValueError:
        return DEFAULT_IDLE_DAYS
    return days if days in IDLE_DAYS_RANGE else DEFAULT_IDLE_DAYS


def may_change_settings(*, session: Session, actor: Actor) -> bool:
    """Administrators of a top organisation: the settings hold for every organisation."""
    if actor.role is not Role.ADMIN:
        return False
    own = session.get(Organisation, actor.organisation_id) if actor.organisation_id else None
    return actor.organisation_id is None or (own is not None and own.parent_id is None)


def set_idle_days(*, session: Session, actor: Actor, days: int | None) -> None:
    """Change the idle days (7..730 days)."""
    if not may_change_settings(session=session, actor=actor):
        raise PermissionDenied()
    if days is None or days not in IDLE_DAYS_RANGE:
        raise ValidationFailed({"idle_days": "workstations.error.idle_days_range"})
    before = idle_days(session=session)
    _store(session, IDLE_SETTING, str(days))
    if before != days:
        record_audit(session=session, actor=actor, action=AuditAction.UPDATE,
                     entity="AppSetting", before={IDLE_SETTING: before},
                     after={IDLE_SETTING: days})


def _store(session: Session, key: str, value: str) -> None:
    insert_if_absent(session, AppSetting, {"key": key, "value": value}, key="key")
    session.execute(update(AppSetting).where(col(AppSetting.key) == key).values(value=value))


@dataclass(frozen=True)
class DatedValue:
    effective_from: date
    value: bool


def contact_setting_history(*, session: Session) -> list[DatedValue]:
    """Every value the "activities count as contacts" setting has had, oldest first (an
    empty history means the default, counts, since ever)."""
    stored = session.get(AppSetting, CONTACT_SETTING)
    if stored is None:
        return []
    try:
        rows = json.loads(stored.value)
        history = [DatedValue(date.fromisoformat(day), bool(value)) for day, value in rows]
    except (ValueError, TypeError):
        return []
    return sorted(history, key=lambda row: row.effective_from)


def counting_spans(*, session: Session, first: date, last: date) -> list[tuple[date, date]]:
    """The days of ``first``..``last`` on which activities count as contacts, as
    inclusive ranges in order."""
    spans, start, counting = [], first, True
    for row in contact_setting_history(session=session):
        if row.effective_from > last:
            break
        if row.effective_from <= first:
            counting = row.value
            continue
        if counting:
            spans.append((start, row.effective_from - timedelta(days=1)))
        start, counting = row.effective_from, row.value
    if counting:
        spans.append((start, last))
    return spans


def activities_count_as_contacts(*, session: Session, on: date) -> bool:
    """Whether the activities a member attended on ``on`` count as contacts."""
    value = True
    for row in contact_setting_history(session=session):
        if row.effective_from <= on:
            value = row.value
    return value


def set_activities_count_as_contacts(*, session: Session, actor: Actor, value: bool,
                                     effective_from: date | None, today: date) -> None:
    """From ``effective_from`` on, activities count as contacts (``value``) or not. The
    day may not lie in a quarter already over: earlier periods keep their figures."""
    if not may_change_settings(session=session, actor=actor):
        raise PermissionDenied()
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    if effective_from is None:
        raise ValidationFailed({"effective_from": "workstations.error.effective_required"})
    if effective_from < quarter_start:
        raise ValidationFailed({"effective_from": "workstations.error.effective_past"})
    history = [row for row in contact_setting_history(session=session)
               if row.effective_from < effective_from]
    before = activities_count_as_contacts(session=session, on=effective_from)
    history.append(DatedValue(effective_from, value))
    _store(session, CONTACT_SETTING,
           json.dumps([[row.effective_from.isoformat(), row.value] for row in history]))
    record_audit(session=session, actor=actor, action=AuditAction.UPDATE, entity="AppSetting",
                 before={CONTACT_SETTING: before},
                 after={CONTACT_SETTING: value, "effective_from": effective_from.isoformat()})


# --- idle or alive ---------------------------------------------------------------------


def last_activity_query() -> Subquery:
    """station id → the day of its last live activity (None if none), as a subquery
    (``station_id``, ``last_on``): a seek per station on the index (station, deleted,
    date), not a grouping of every activity."""
    last_on = (select(func.max(WorkstationActivity.activity_date))
               .where(WorkstationActivity.workstation_id == Workstation.id,
                      col(WorkstationActivity.deleted_at).is_(None))
               .correlate(Workstation).scalar_subquery())
    return (select(Workstation.id.label("station_id"), last_on.label("last_on"))
            .where(col(Workstation.deleted_at).is_(None))
            .subquery("last_activity"))


def closed_clause(today: date) -> ColumnElement[bool]:
    """Closed by ``today``: its closing day has come. A closed station is neither active
    nor idle (it is listed as closed); the open *flag* alone decides nothing."""
    return and_(col(Workstation.closed_on).is_not(None), col(Workstation.closed_on) <= today)


def established_by(day: date) -> ColumnElement[bool]:
    """The station existed on ``day``: established by then (one without its day is taken
    to have always existed: when it was recorded says nothing of a past day)."""
    return or_(col(Workstation.established_on).is_(None),
               col(Workstation.established_on) <= day)


def _old_enough(cutoff: date) -> ColumnElement[bool]:
    """Established (or, without that day, recorded) on or before the cutoff."""
    recorded_by = datetime.combine(cutoff + timedelta(days=1), time(), tzinfo=UTC)
    return or_(and_(col(Workstation.established_on).is_not(None),
                    col(Workstation.established_on) <= cutoff),
               and_(col(Workstation.established_on).is_(None),
                    col(Workstation.created_at) < recorded_by))


def idle_clause(last_on: ColumnElement, today: date, days: int) -> ColumnElement[bool]:
    """The idle rule in SQL, for a station joined to ``last_activity_query`` as
    ``last_on``: never NULL, so it can be negated."""
    cutoff = today - timedelta(days=days)
    return and_(~closed_clause(today),
                or_(and_(last_on.is_not(None), last_on <= cutoff),
                    and_(last_on.is_(None), _old_enough(cutoff))))


def idle_now(today: date, days: int) -> ColumnElement[bool]:
    """The same rule for a ``Workstation`` row without its last activity's day: no live
    activity after the cutoff up to ``today`` (an index seek per station; ``today`` may
    be a past day, as the overview's "a week ago" asks)."""
    cutoff = today - timedelta(days=days)
    recent = (select(WorkstationActivity.id)
              .where(WorkstationActivity.workstation_id == Workstation.id,
                     col(WorkstationActivity.deleted_at).is_(None),
                     WorkstationActivity.activity_date > cutoff,
                     WorkstationActivity.activity_date <= today)
              .correlate(Workstation).exists())
    return and_(~closed_clause(today), ~recent, _old_enough(cutoff))


def is_idle(station: Workstation, last_on: date | None, today: date, days: int) -> bool:
    """The same rule for one station in Python (its page)."""
    if station.closed_on is not None and station.closed_on <= today:
        return False
    cutoff = today - timedelta(days=days)
    if last_on is not None:
        return last_on <= cutoff
    since = station.established_on or station.created_at.date()
    return since <= cutoff


def idle_case(last_on: ColumnElement, today: date, days: int) -> ColumnElement[bool]:
    return case((idle_clause(last_on, today, days), True), else_=False)


# --- who works on a station -------------------------------------------------------------


def can_manage_station(actor: Actor, station: Workstation) -> bool:
    """Administrators of the station's organisation, and staff of its guiding committee,
    keep its record and its stationed members."""
    if station.deleted_at is not None or not actor.sees_organisation(station.organisation_id):
        return False
    return actor.role is Role.ADMIN or (
        actor.role is Role.STAFF and station.committee_id in actor.committee_ids)


def stationed_clause(day: date) -> ColumnElement[bool]:
    """A ``WorkstationMember`` row stationed on ``day``: its stint covers the day, and its
    member (not deleted) held a seat that day (a member who left office is stationed no
    more, whatever their stint says)."""
    seated = (select(MemberAssignment.member_id)
              .where(MemberAssignment.member_id == WorkstationMember.member_id,
                     MemberAssignment.starts_on <= day,
                     or_(col(MemberAssignment.ends_on).is_(None),
                         col(MemberAssignment.ends_on) >= day))
              .correlate(WorkstationMember).exists())
    live = (select(Member.id).where(Member.id == WorkstationMember.member_id,
                                    col(Member.deleted_at).is_(None))
            .correlate(WorkstationMember).exists())
    return and_(WorkstationMember.from_on <= day,
                or_(col(WorkstationMember.to_on).is_(None), col(WorkstationMember.to_on) >= day),
                seated, live)


def stationed_on(session: Session, station_id: int, day: date) -> set[int]:
    """The members stationed at the station on ``day``."""
    return set(session.exec(select(WorkstationMember.member_id).where(
        WorkstationMember.workstation_id == station_id, stationed_clause(day))).all())
