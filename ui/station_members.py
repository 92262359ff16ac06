"""The members stationed at a station: every stint with its days and duty days, and for
those who keep the station, adding a stint, ending one, correcting one and deleting one
entered by mistake (``services.station_registry``)."""

import pandas as pd
import streamlit as st

from services import station_registry
from services.station_registry import StationDetail
from ui.components import plain
from ui.fields import choice_field, date_field, text_field
from ui.forms import edit_form, field_key, save_form
from ui.i18n import fmt_date, tr
from ui.page import PageContext
from ui.station_form import saved
from ui.table import labelled_table


def members_section(page: PageContext, detail: StationDetail) -> None:
    station = detail.station
    stints = detail.stints
    if stints.empty:
        st.info(tr("workstations.stint.none"))
    else:
        labelled_table(stints, {
            "member": tr("workstations.stint.member"), "from_on": tr("workstations.stint.from_on"),
            "to_on": tr("workstations.stint.to_on"),
            "duty_days": tr("workstations.stint.duty_days"),
            "current": tr("workstations.stint.current"),
        }, file_name=f"station_{station.id}_members", entity="Workstation")
    if not detail.can_manage:
        return
    _add_form(page, station.id, station.organisation_id)
    if not stints.empty:
        _stint_forms(page, stints)


def _add_form(page: PageContext, station_id: int, organisation_id: int) -> None:
    form = f"stint_add_{station_id}"
    candidates = page.cached(station_registry.stint_candidates,
                             organisation_id=organisation_id, today=page.today)
    names = {int(i): name if here else tr("workstations.stint.left", name=name)
             for i, name, here in zip(candidates["id"], candidates["name"],
                                      candidates["in_office"], strict=True)}
    with st.expander(tr("workstations.stint.add"), icon=":material/person_add:"), \
            st.form(form):
        member_column, from_column, to_column, duty_column = st.columns([2, 1, 1, 2])
        with member_column:
            member_id = choice_field(form, "member_id", tr("workstations.stint.member"),
                                     list(names), format_func=names.__getitem__, index=None,
                                     placeholder=tr("workstations.choose"))
        with from_column:
            from_on = date_field(form, "from_on", tr("workstations.stint.from_on"),
                                 default=page.today)
        with to_column:
            to_on = date_field(form, "to_on", tr("workstations.stint.to_on"))
        with duty_column:
            duty_days = text_field(form, "duty_days", tr("workstations.stint.duty_days"),
                                   max_chars=station_registry.MAX_DUTY_DAYS_LENGTH,
                                   placeholder=tr("workstations.stint.duty_hint"))
        added = st.form_submit_button(tr("workstations.stint.add"), type="primary")
    if added and save_form(form, page.engine, lambda session: station_registry.add_stint(
            session=session, actor=page.actor, station_id=station_id, member_id=member_id,
            from_on=from_on, to_on=to_on, duty_days=duty_days, today=page.today)):
        saved("workstations.stint.added", form)


def _stint_forms(page: PageContext, stints: pd.DataFrame) -> None:
    rows = stints.set_index("id").to_dict("index")
    labels = {int(i): _stint_label(row) for i, row in rows.items()}
    stint_id = st.selectbox(tr("workstations.stint.pick"), [None, *labels],
                            key=f"stint_pick_{stints['id'].iloc[0]}",
                            format_func=lambda i: tr("workstations.stint.pick_none")
                            if i is None else labels[i])
    if stint_id is None:
        return
    row = rows[stint_id]
    if row["to_on"] is None or pd.isna(row["to_on"]):
        _end_form(page, stint_id)
    _correct_form(page, stint_id, row)
    _delete_form(page, stint_id, row["member"])


def _stint_label(row: dict) -> str:
    to_on = row["to_on"]
    until = tr("workstations.stint.open") if to_on is None or pd.isna(to_on) else fmt_date(to_on)
    return f"{row['member']} · {fmt_date(row['from_on'])} – {until}"


def _end_form(page: PageContext, stint_id: int) -> None:
    form = f"stint_end_{stint_id}"
    with st.form(form):
        st.markdown(f"**{tr('workstations.stint.end')}**")
        on = date_field(form, "to_on", tr("workstations.stint.last_day"), default=page.today)
        ended = st.form_submit_button(tr("workstations.stint.end"))
    if ended and save_form(form, page.engine, lambda session: station_registry.end_stint(
            session=session, actor=page.actor, stint_id=stint_id, on=on)):
        saved("workstations.stint.ended", form)


def _correct_form(page: PageContext, stint_id: int, row: dict) -> None:
    form = f"stint_correct_{stint_id}"
    to_on = None if row["to_on"] is None or pd.isna(row["to_on"]) else row["to_on"]
    edit_form(form, 0, {"from_on": row["from_on"], "to_on": to_on,
                        "duty_days": row["duty_days"] or ""})
    with st.form(form):
        st.markdown(f"**{tr('workstations.stint.correct')}**")
        from_column, to_column, duty_column = st.columns([1, 1, 2])
        with from_column:
            from_on = date_field(form, "from_on", tr("workstations.stint.from_on"))
        with to_column:
            to_on = date_field(form, "to_on", tr("workstations.stint.to_on"))
        with duty_column:
            duty_days = text_field(form, "duty_days", tr("workstations.stint.duty_days"),
                                   max_chars=station_registry.MAX_DUTY_DAYS_LENGTH)
        corrected = st.form_submit_button(tr("workstations.stint.correct"))
    if corrected and save_form(form, page.engine, lambda session: station_registry.correct_stint(
            session=session, actor=page.actor, stint_id=stint_id, from_on=from_on, to_on=to_on,
            duty_days=duty_days, today=page.today)):
        saved("workstations.stint.corrected", form)


def _delete_form(page: PageContext, stint_id: int, member: str) -> None:
    key = f"stint_delete_{stint_id}"
    sure = st.checkbox(tr("workstations.stint.confirm_delete", name=plain(member)),
                       key=field_key(key, "#sure"))
    if st.button(tr("workstations.stint.delete"), key=key, disabled=not sure,
                 icon=":material/delete:") and save_form(
            key, page.engine, lambda session: station_registry.delete_stint(
                session=session, actor=page.actor, stint_id=stint_id)):
        saved("workstations.stint.deleted", key)
