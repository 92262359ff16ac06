"""One station: its record (and the edit form for those who keep it), its stationed
members, its activities newest first, the people served per month and the problems its
activities collected."""

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from models import ProblemStatus
from services import activities, members, station_registry, workstation_figures
from services.errors import ServiceError
from services.station_registry import StationDetail
from ui.components import plain, show_problem
from ui.forms import changed_fields, edit_form, field_key, save_form, stale_notice
from ui.i18n import enum_text, fmt_date, fmt_number, tr
from ui.page import PageContext
from ui.station_form import labels, saved, station_fields, stored_values
from ui.station_members import members_section
from ui.table import labelled_table

MONTHS_SHOWN = 12


def station_section(page: PageContext, station_id: int) -> None:
    try:
        detail = page.cached(station_registry.station_detail, station_id=station_id,
                             today=page.today)
    except ServiceError as exc:  # deleted meanwhile, or out of the reader's scope
        show_problem(exc)
        return
    station = detail.station
    st.subheader(plain(station.name), anchor=False)
    _facts(detail)
    if detail.can_manage:
        _edit(page, detail)
    else:
        st.caption(tr("workstations.read_only"))
    st.markdown(f"#### {tr('workstations.section.members')}")
    members_section(page, detail)
    st.markdown(f"#### {tr('workstations.section.activities')}")
    _timeline(page, station_id)
    st.markdown(f"#### {tr('workstations.section.months')}")
    _months(page, station_id)
    st.markdown(f"#### {tr('workstations.section.problems')}")
    _problems(page, station_id)


def _facts(detail: StationDetail) -> None:
    station = detail.station
    where = [detail.organisation, enum_text(station.kind), detail.committee]
    where += [detail.sector] if detail.sector else []
    flag = tr("workstations.open") if station.is_active else tr("workstations.closed")
    st.caption(" · ".join([plain(part) for part in where] + [flag]))
    if detail.idle:
        st.warning(tr("workstations.idle_notice", days=fmt_number(detail.idle_days)),
                   icon=":material/hourglass_empty:")
    facts = st.columns(4)
    facts[0].markdown(f"**{tr('workstations.field.district')}**  \n{plain(station.district)}"
                      f"  \n{plain(station.address)}")
    facts[1].markdown(f"**{tr('workstations.field.head_name')}**  \n{plain(station.head_name)}"
                      f"  \n{plain(station.head_phone)}")
    opened = fmt_date(station.established_on) if station.established_on else "—"
    closed = f"  \n{tr('workstations.closed_on', date=fmt_date(station.closed_on))}" \
        if station.closed_on else ""
    facts[2].markdown(f"**{tr('workstations.field.established_on')}**  \n{opened}{closed}")
    last = tr("workstations.never") if detail.last_on is None else tr(
        "workstations.last_on", date=fmt_date(detail.last_on),
        days=fmt_number(detail.days_since))
    facts[3].markdown(f"**{tr('workstations.column.last_on')}**  \n{last}")


def _edit(page: PageContext, detail: StationDetail) -> None:
    """Every field, saved against the version shown; and deleting a mistaken station."""
    station = detail.station
    form = f"station_edit_{station.id}"
    version = edit_form(form, station.version, stored_values(station))
    lookup = page.cached(members.lookups)
    with st.expander(tr("workstations.edit"), icon=":material/edit:"):
        stale_notice(form, labels())
        with st.form(form):
            station_fields(form, lookup, station.organisation_id, actor=page.actor)
            sent = st.form_submit_button(tr("workstations.save"), type="primary")
        _delete(page, station.id, station.name, version)
    if sent and save_form(form, page.engine, lambda session: station_registry.update_station(
            session=session, actor=page.actor, station_id=station.id, expected_version=version,
            changes=changed_fields(form), today=page.today)):
        saved("workstations.saved", form)


def _delete(page: PageContext, station_id: int, name: str, version: int) -> None:
    key = f"station_delete_{station_id}"
    sure = st.checkbox(tr("workstations.confirm_delete", name=plain(name)),
                       key=field_key(key, "#sure"), help=tr("workstations.delete_help"))
    if st.button(tr("workstations.delete"), key=key, disabled=not sure,
                 icon=":material/delete:") and save_form(
            key, page.engine, lambda session: station_registry.delete_station(
                session=session, actor=page.actor, station_id=station_id,
                expected_version=version)):
        saved("workstations.deleted", key)


def _timeline(page: PageContext, station_id: int) -> None:
    rows = page.cached(activities.station_activities, station_id=station_id)
    if rows.empty:
        st.info(tr("workstations.no_activities"))
        return
    labelled_table(rows, {column: tr(f"workstations.activity.{column}") for column in (
        "activity_date", "activity_type", "title", "people_served", "members", "problems",
        "summary")}, file_name=f"station_{station_id}_activities", entity="WorkstationActivity")


def _month_range(today: date) -> tuple[date, date]:
    """The last ``MONTHS_SHOWN`` months, this one included."""
    months = today.year * 12 + today.month - 1 - (MONTHS_SHOWN - 1)
    return date(months // 12, months % 12 + 1, 1), today


def _months(page: PageContext, station_id: int) -> None:
    first, last = _month_range(page.today)
    rows = page.cached(workstation_figures.station_months, station_id=station_id,
                       first=first, last=last)
    if rows.empty or not rows["activities"].sum():
        st.caption(tr("workstations.months_empty"))
        return
    month_word, people_word = tr("workstations.chart.month"), tr("workstations.chart.people")
    activity_word = tr("workstations.chart.activities")
    data = pd.DataFrame({
        month_word: [tr("workstations.chart.month_label", year=day.year, month=day.month)
                     for day in rows["month"]],
        people_word: rows["people_served"].astype(int),
        activity_word: rows["activities"].astype(int),
    })
    chart = alt.Chart(data).mark_bar().encode(
        x=alt.X(f"{month_word}:N", sort=None, title=month_word, axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{people_word}:Q", title=people_word),
        tooltip=[alt.Tooltip(f"{month_word}:N", title=month_word),
                 alt.Tooltip(f"{people_word}:Q", title=people_word),
                 alt.Tooltip(f"{activity_word}:Q", title=activity_word)],
    )
    st.altair_chart(chart, width="stretch")


def _problems(page: PageContext, station_id: int) -> None:
    rows = page.cached(activities.station_problems, station_id=station_id)
    if rows.empty:
        st.caption(tr("workstations.no_problems"))
        return
    statuses = {status.value: enum_text(status) for status in ProblemStatus}
    labelled_table(rows.assign(status=rows["status"].map(lambda s: statuses.get(str(s), s))),
                   {"collected_on": tr("workstations.problem.collected_on"),
                    "content": tr("workstations.problem.content"),
                    "status": tr("workstations.problem.status")},
                   file_name=f"station_{station_id}_problems", entity="CollectedProblem")
