"""The station activity dashboard (工作站活跃度): the rankings and lists it shows besides
the plain figures of ``services.workstation_figures``.

Everything here is put together from those figures and from the station registry, so a
station counts the same on every screen: activities, people served and attendances are
the live activities held in the scope's days at the live stations of the scope
(``ActivityScope``); active, idle and closed are the stations' state on ``today`` by the
idle rule (``services.workstations``), whatever the period. Administrators, leaders and
staff read them for the organisations they see; a member is refused.
"""

from datetime import date

import pandas as pd
from sqlmodel import Session, col, func, select

from models import Committee, Organisation, Workstation, WorkstationActivity
from services import workstation_figures
from services.actors import Actor
from services.station_registry import StationFilter, station_list
from services.workstation_figures import ActivityGroup, ActivityScope

RANKING_COLUMNS = ["key", "name", "organisation", "stations", "active", "idle", "closed",
                   "activities", "people_served", "attendances"]
_COUNTS = RANKING_COLUMNS[3:]


def group_ranking(*, session: Session, actor: Actor, scope: ActivityScope,
                  group: ActivityGroup, today: date) -> pd.DataFrame:
    """Per organisation or guiding committee (``group``) of the scope
    (``RANKING_COLUMNS``): its live stations and how many of them are active, idle and
    closed on ``today``, and the activities, people served and members' attendances in
    the scope's days; ``organisation`` names the committee's organisation (committees of
    several organisations often share their names), or the organisation itself. Every
    group with a station is listed (zeros for a quiet one), the most active first, then
    by people served, then by name."""
    if group not in (ActivityGroup.ORGANISATION, ActivityGroup.COMMITTEE):
        raise ValueError(f"stations are not ranked by {group}")
    status = workstation_figures.station_status(
        session=session, actor=actor, today=today, group=group,
        organisation_ids=scope.organisation_ids, committee_id=scope.committee_id)
    figures = workstation_figures.activity_figures(session=session, actor=actor, scope=scope,
                                                   group=group)
    table = status.merge(figures, on="key", how="outer", suffixes=("", "_figures"))
    table["name"] = table["name"].fillna(table["name_figures"])
    table[_COUNTS] = table[_COUNTS].fillna(0).astype("int64")
    table["organisation"] = (table["name"] if group is ActivityGroup.ORGANISATION
                             else table["key"].map(_organisation_of(session, table["key"])))
    table = table.sort_values(["activities", "people_served", "name", "key"],
                              ascending=[False, False, True, True], ignore_index=True)
    return table[RANKING_COLUMNS]


STATION_COLUMNS = ["id", "name", "organisation", "committee", "activities", "people_served",
                   "attendances", "last_on", "days_since"]


def most_active_stations(*, session: Session, actor: Actor, scope: ActivityScope,
                         today: date, limit: int = 10) -> pd.DataFrame:
    """The ``limit`` stations of the scope with the most activities in its days
    (``STATION_COLUMNS``; ties by people served, then by id), with their organisation,
    guiding committee, last activity ever (``last_on``) and the days since then on
    ``today``. Stations without an activity in the days are not listed."""
    figures = workstation_figures.activity_figures(
        session=session, actor=actor, scope=scope, group=ActivityGroup.STATION).head(limit)
    ids = [int(key) for key in figures["key"]]
    last_on = func.max(WorkstationActivity.activity_date)
    places = {
        station_id: (organisation, committee, _day(last))
        for station_id, organisation, committee, last in session.exec(
            select(Workstation.id, Organisation.name, Committee.name, last_on)
            .join(Organisation, col(Organisation.id) == Workstation.organisation_id)
            .join(Committee, col(Committee.id) == Workstation.committee_id)
            .join(WorkstationActivity, col(WorkstationActivity.workstation_id) == Workstation.id)
            .where(col(Workstation.id).in_(ids), col(WorkstationActivity.deleted_at).is_(None))
            .group_by(Workstation.id, Organisation.name, Committee.name)).all()
    }
    rows = []
    for key, name, activities, people, attendances in figures[
            ["key", "name", "activities", "people_served", "attendances"]].itertuples(
            index=False):
        organisation, committee, last_on = places[int(key)]
        rows.append((int(key), name, organisation, committee, int(activities), int(people),
                     int(attendances), last_on, (today - last_on).days))
    return pd.DataFrame(rows, columns=STATION_COLUMNS).astype({"days_since": "int64"})


IDLE_COLUMNS = ["id", "name", "organisation", "committee", "district", "is_active",
                "stationed", "last_on", "days_since"]


def idle_station_list(*, session: Session, actor: Actor, today: date,
                      organisation_ids: frozenset[int] | None = None,
                      committee_id: int | None = None) -> pd.DataFrame:
    """The stations of the organisations and committee that are idle on ``today``
    (``IDLE_COLUMNS``; ``last_on`` None and ``days_since`` missing for a station that never
    held an activity), the emptiest shells first: those that never held one, then the
    longest since their last activity, then by name."""
    rows = station_list(session=session, actor=actor, today=today, filters=StationFilter(
        organisation_ids=organisation_ids, committee_id=committee_id, idle=True))
    order = rows.assign(_never=rows["last_on"].isna(),
                        _last=[day.toordinal() if day else 0 for day in rows["last_on"]])
    order = order.sort_values(["_never", "_last", "name", "id"],
                              ascending=[False, True, True, True], kind="stable")
    return order[IDLE_COLUMNS].reset_index(drop=True)


def _organisation_of(session: Session, committee_ids: pd.Series) -> dict[int, str]:
    """Committee id → the name of its organisation."""
    return dict(session.exec(
        select(Committee.id, Organisation.name)
        .join(Organisation, col(Organisation.id) == Committee.organisation_id)
        .where(col(Committee.id).in_([int(key) for key in committee_ids]))).all())


def _day(value: object) -> date | None:
    """A day from the store (SQLite gives the ``max`` of dates as text)."""
    if value is None:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))
