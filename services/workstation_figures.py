"""Figures of the studios and stations, for the station page and the dashboards:
activities and people served per station, committee, organisation and month, and how
many stations are active or idle. Aggregated in SQL: at province size (2,000 stations,
five years of activities) nothing here loads rows into pandas to group them.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import pandas as pd
from sqlalchemy import Integer, case, cast, extract, func
from sqlmodel import Session, col, select

from models import (
    Committee,
    Organisation,
    Role,
    Workstation,
    WorkstationActivity,
)
from services.actors import Actor
from services.errors import PermissionDenied
from services.organisations import in_scope
from services.records import load_live
from services.workstations import closed_clause, established_by, idle_days, idle_now


def _months(first: date, last: date) -> list[date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def _read_scope(actor: Actor) -> None:
    if actor.role is Role.MEMBER:
        raise PermissionDenied()


def station_months(*, session: Session, actor: Actor, station_id: int, first: date,
                   last: date) -> pd.DataFrame:
    """The station's activities and people served in each month from ``first`` to
    ``last`` (every month, zeros included): columns month (its first day), activities,
    people_served."""
    _read_scope(actor)
    station = load_live(session, Workstation, station_id)
    actor.require_organisation(station.organisation_id)
    year = cast(extract("year", WorkstationActivity.activity_date), Integer)
    month = cast(extract("month", WorkstationActivity.activity_date), Integer)
    rows = session.exec(
        select(year, month, func.count(), func.coalesce(func.sum(
            WorkstationActivity.people_served), 0))
        .where(WorkstationActivity.workstation_id == station_id,
               col(WorkstationActivity.deleted_at).is_(None),
               WorkstationActivity.activity_date >= first,
               WorkstationActivity.activity_date <= last)
        .group_by(year, month)).all()
    found = {date(int(y), int(m), 1): (int(n), int(p)) for y, m, n, p in rows}
    return pd.DataFrame(
        [(month, *found.get(month, (0, 0))) for month in _months(first, last)],
        columns=["month", "activities", "people_served"])


class ActivityGroup(StrEnum):
    STATION = "station"
    COMMITTEE = "committee"
    ORGANISATION = "organisation"
    MONTH = "month"


@dataclass(frozen=True)
class ActivityScope:
    """Which activities a figure counts: the stations of these organisations (None: all
    the actor sees), of this guiding committee, held between the days (inclusive)."""

    first: date
    last: date
    organisation_ids: frozenset[int] | None = None
    committee_id: int | None = None


FIGURE_COLUMNS = ["key", "name", "activities", "people_served", "attendances"]


def activity_figures(*, session: Session, actor: Actor, scope: ActivityScope,
                     group: ActivityGroup) -> pd.DataFrame:
    """Activities, people served and members' attendances per station, guiding committee,
    organisation or month (``FIGURE_COLUMNS``; months as ``YYYY-MM`` with every month of
    the scope, the others only where something happened), largest first but months in
    order."""
    _read_scope(actor)
    if group is ActivityGroup.MONTH:
        keys = [cast(extract("year", WorkstationActivity.activity_date), Integer),
                cast(extract("month", WorkstationActivity.activity_date), Integer)]
    else:
        key = {ActivityGroup.STATION: Workstation.id,
               ActivityGroup.COMMITTEE: Workstation.committee_id,
               ActivityGroup.ORGANISATION: Workstation.organisation_id}[group]
        keys = [key]
    query = (select(*keys, func.count(WorkstationActivity.id),
                    func.coalesce(func.sum(WorkstationActivity.people_served), 0),
                    func.coalesce(func.sum(WorkstationActivity.members_present), 0))
             .join(Workstation, col(Workstation.id) == WorkstationActivity.workstation_id)
             .where(*_scope_clauses(actor, scope))
             .group_by(*keys))
    rows = session.exec(query).all()
    if group is ActivityGroup.MONTH:
        found = {f"{int(y):04d}-{int(m):02d}": (n, p, a) for y, m, n, p, a in rows}
        frame = pd.DataFrame(
            [(k, k, *found.get(k, (0, 0, 0))) for k in
             (f"{m.year:04d}-{m.month:02d}" for m in _months(scope.first, scope.last))],
            columns=FIGURE_COLUMNS)
        return frame.astype({"activities": int, "people_served": int, "attendances": int})
    names = _names(session, group, [row[0] for row in rows])
    frame = pd.DataFrame([(k, names.get(k, ""), n, p, a) for k, n, p, a in rows],
                         columns=FIGURE_COLUMNS)
    frame = frame.astype({"activities": int, "people_served": int, "attendances": int})
    return frame.sort_values(["activities", "people_served", "key"],
                             ascending=[False, False, True], ignore_index=True)


def _scope_clauses(actor: Actor, scope: ActivityScope) -> list:
    clauses = [col(WorkstationActivity.deleted_at).is_(None),
               col(Workstation.deleted_at).is_(None),
               in_scope(Workstation.organisation_id, actor),
               WorkstationActivity.activity_date >= scope.first,
               WorkstationActivity.activity_date <= scope.last]
    if scope.organisation_ids is not None:
        clauses.append(col(Workstation.organisation_id).in_(sorted(scope.organisation_ids)))
    if scope.committee_id is not None:
        clauses.append(Workstation.committee_id == scope.committee_id)
    return clauses


def _names(session: Session, group: ActivityGroup, keys: list[int]) -> dict[int, str]:
    model = {ActivityGroup.STATION: Workstation, ActivityGroup.COMMITTEE: Committee,
             ActivityGroup.ORGANISATION: Organisation}[group]
    names: dict[int, str] = {}
    for start in range(0, len(keys), 900):
        names.update(session.exec(select(model.id, model.name).where(
            col(model.id).in_(keys[start:start + 900]))).all())
    return names


STATUS_COLUMNS = ["key", "name", "stations", "active", "idle", "closed"]


def station_status(*, session: Session, actor: Actor, today: date,
                   group: ActivityGroup | None = None,
                   organisation_ids: frozenset[int] | None = None,
                   committee_id: int | None = None) -> pd.DataFrame:
    """Live stations, how many are active and how many idle by their real activity
    (``services.workstations``), and how many have closed (their closing day has come;
    neither active nor idle): one row for all
    (``group`` None, key 0) or per organisation or guiding committee."""
    _read_scope(actor)
    idle = case((idle_now(today, idle_days(session=session)), 1), else_=0)
    if group is None:
        keys: list = []
    elif group is ActivityGroup.ORGANISATION:
        keys = [Workstation.organisation_id]
    elif group is ActivityGroup.COMMITTEE:
        keys = [Workstation.committee_id]
    else:
        raise ValueError(f"stations are not counted by {group}")
    closed = func.sum(case((closed_clause(today), 1), else_=0))
    query = (select(*keys, func.count(Workstation.id), func.sum(idle), closed)
             .where(col(Workstation.deleted_at).is_(None), established_by(today),
                    in_scope(Workstation.organisation_id, actor)))
    if organisation_ids is not None:
        query = query.where(col(Workstation.organisation_id).in_(sorted(organisation_ids)))
    if committee_id is not None:
        query = query.where(Workstation.committee_id == committee_id)
    if keys:
        query = query.group_by(*keys)
    rows = session.exec(query).all()
    if not keys:
        rows = [(0, *row) for row in rows]
    names = _names(session, group, [row[0] for row in rows]) if group else {0: ""}
    frame = pd.DataFrame(
        [(k, names.get(k, ""), int(n or 0), int(n or 0) - int(i or 0) - int(c or 0),
          int(i or 0), int(c or 0)) for k, n, i, c in rows if n],
        columns=STATUS_COLUMNS)
    if frame.empty and group is None:
        frame = pd.DataFrame([(0, "", 0, 0, 0, 0)], columns=STATUS_COLUMNS)
    return frame.sort_values(["idle", "stations", "key"], ascending=[False, False, True],
                             ignore_index=True)
