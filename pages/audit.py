"""Audit trail (admins): who changed what, when, with before and after values. Read-only:
nothing in the app edits or deletes audit rows."""

from datetime import datetime, timedelta

import streamlit as st

from core import clock
from models import AuditAction
from services.audit import audit_entities, list_audit, parse_audit_detail
from ui.i18n import enum_column, enum_text, fmt_datetime, tr
from ui.page import open_page
from ui.table import labelled_table


def describe(detail: object) -> object:
    """Details written with ``audit_detail`` are message keys: show them translated."""
    if not isinstance(detail, str) or not detail.startswith("audit.detail."):
        return detail
    message_key, params = parse_audit_detail(detail)
    return tr(message_key, **{name: _readable(value) for name, value in params.items()})


def _readable(value: object) -> object:
    """ISO date-times in details are shown in the office's time, to the minute."""
    if isinstance(value, str) and len(value) > 18 and value[10:11] == "T":
        try:
            return fmt_datetime(datetime.fromisoformat(value))
        except ValueError:
            return value
    return value


def entity_name(entity: object) -> object:
    return tr(f"entity.{entity}") if isinstance(entity, str) else entity


page = open_page()
# Audit rows carry the real time: with "today" pinned for a demo, the default window must
# still reach the work done now.
today = max(page.today, clock.wall_today())

st.title(tr("nav.audit"))
left, middle, right = st.columns([2, 2, 1])
period = left.date_input(tr("audit.period"), value=(today - timedelta(days=30), today),
                         max_value=today)
actions = middle.multiselect(tr("audit.actions"), list(AuditAction), format_func=enum_text,
                             placeholder=tr("audit.all"))
entity = right.selectbox(tr("audit.entity"), [None, *page.cached(audit_entities)],
                         format_func=lambda e: tr("audit.all") if e is None else entity_name(e))
actor_name = st.text_input(tr("audit.actor"), placeholder=tr("audit.actor_placeholder"))

start, end = (period[0], period[-1]) if period else (None, None)
trail = page.cached(list_audit, start=start, end=end, actions=actions, entity=entity,
                    actor_name=actor_name)
if trail.empty:
    st.info(tr("audit.empty"))
    st.stop()

st.caption(tr("audit.count", count=len(trail)))
trail["action"] = enum_column(trail["action"], AuditAction)
trail["entity"] = trail["entity"].map(entity_name)
trail["detail"] = trail["detail"].map(describe)
labels = {
    "occurred_at": tr("audit.when"), "actor": tr("audit.actor"),
    "action": tr("audit.action"), "entity": tr("audit.entity"),
    "entity_id": tr("audit.entity_id"), "detail": tr("audit.detail_label"),
    "before": tr("audit.before"), "after": tr("audit.after"),
}
labelled_table(trail, labels, file_name="audit", entity="AuditEntry")
