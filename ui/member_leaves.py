"""A member's leaves on their profile: the list with each status, a request form, and for
each pending request the decision (staff of the member's committee, administrators) and
the withdrawal. Every action asks for a confirmation first. Messages after a save are
flashed: the profile shows them."""

import streamlit as st

from models import LeaveStatus, Member
from services import leaves
from services.leaves import MAX_NOTE_LENGTH, MAX_REASON_LENGTH, can_decide_leave, can_request_leave
from ui.fields import date_field, text_area_field, text_field
from ui.flash import flash
from ui.forms import forget_form, save_form
from ui.i18n import enum_column, fmt_date, fmt_number, tr
from ui.page import PageContext
from ui.table import labelled_table


def leaves_section(page: PageContext, member: Member) -> None:
    st.caption(tr("leaves.only_approved"))
    rows = page.cached(leaves.list_leaves, member_id=member.id)
    if rows.empty:
        st.info(tr("leaves.empty"))
    else:
        pending = rows[rows["status"] == LeaveStatus.PENDING.value]
        rows["status"] = enum_column(rows["status"], LeaveStatus)
        labelled_table(rows, {field: tr(f"leaves.{field}") for field in (
            "starts_on", "ends_on", "days", "reason", "status", "requested_by", "requested_at",
            "decided_by", "decided_at", "decision_note")}, file_name="leaves", entity="MemberLeave")
        deciding, requesting = can_decide_leave(page.actor, member), can_request_leave(
            page.actor, member)
        if deciding or requesting:
            for leave in pending.itertuples():
                _pending(page, leave, deciding=deciding, withdrawing=requesting)
    if can_request_leave(page.actor, member):
        _request_form(page, member)


def _pending(page: PageContext, leave: tuple, *, deciding: bool, withdrawing: bool) -> None:
    """One pending request: approve or refuse it with a note, or withdraw it."""
    leave_id, version = int(leave.id), int(leave.version)
    form = f"leave_{leave_id}"
    with st.container(border=True):
        st.markdown(tr("leaves.pending_item", starts=fmt_date(leave.starts_on),
                       ends=fmt_date(leave.ends_on), days=fmt_number(leave.days)))
        st.text(leave.reason)
        note = text_field(form, "note", tr("leaves.note"),
                          max_chars=MAX_NOTE_LENGTH) if deciding else ""
        confirmed = st.checkbox(tr("leaves.confirm"), key=f"{form}_confirm")
        approve, refuse, withdraw, _ = st.columns([1, 1, 1, 2])

        def decide(approved: bool) -> bool:
            return save_form(form, page.engine, lambda session: leaves.decide_leave(
                session=session, actor=page.actor, leave_id=leave_id,
                expected_version=version, approve=approved, note=note,
            ))

        done = None
        if deciding and approve.button(tr("leaves.approve"), key=f"{form}_approve",
                                       disabled=not confirmed, type="primary",
                                       icon=":material/check:") and decide(True):
            done = "leaves.approved"
        if deciding and refuse.button(tr("leaves.refuse"), key=f"{form}_refuse",
                                      disabled=not confirmed,
                                      icon=":material/close:") and decide(False):
            done = "leaves.refused"
        if withdrawing and withdraw.button(
            tr("leaves.withdraw"), key=f"{form}_withdraw", disabled=not confirmed,
            icon=":material/undo:",
        ) and save_form(form, page.engine, lambda session: leaves.withdraw_leave(
            session=session, actor=page.actor, leave_id=leave_id, expected_version=version,
        )):
            done = "leaves.withdrawn"
    if done:
        forget_form(form)
        flash(done)
        st.rerun()


def _request_form(page: PageContext, member: Member) -> None:
    form = f"leave_request_{member.id}"
    with st.expander(tr("leaves.request"), icon=":material/event_busy:"), st.form(form):
        left, right = st.columns(2)
        with left:
            starts_on = date_field(form, "starts_on", tr("leaves.starts_on"))
        with right:
            ends_on = date_field(form, "ends_on", tr("leaves.ends_on"))
        reason = text_area_field(form, "reason", tr("leaves.reason"),
                                 max_chars=MAX_REASON_LENGTH, height=68)
        sent = st.form_submit_button(tr("leaves.submit"), type="primary")
    if sent and save_form(form, page.engine, lambda session: leaves.request_leave(
        session=session, actor=page.actor, member_id=member.id, starts_on=starts_on,
        ends_on=ends_on, reason=reason, today=page.today,
    )):
        forget_form(form)
        flash("leaves.requested")
        st.rerun()
