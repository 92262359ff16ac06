"""Quota compliance (履职达标): member × rule period grid (met / pending / missed /
exempt) for a quarter, half-year or year under the dashboards' filters; the members
behind, with committee and phone, exported for reminder calls; and the rules as dated
settings (administrators change them, everyone reads them)."""

from collections.abc import Callable

import pandas as pd
import streamlit as st

from services import compliance, quota_rules, workstations
from services.compliance import ComplianceRule, ComplianceStatus, ExemptReason
from services.periods import quarter_of
from ui.components import kpi_tile
from ui.dashboard_filters import dashboard_filters
from ui.fields import date_field, multi_choice, number_field
from ui.flash import flash, show_flash
from ui.forms import field_key, save_form
from ui.i18n import enum_column, enum_text, fmt_date, fmt_number, tr
from ui.live import LIVE_SECONDS, live_caption, live_page
from ui.page import PageContext, open_page
from ui.table import labelled_table
from ui.tabs import lazy_tabs

RULES_FORM = "quota_rule"

page = open_page()
st.title(tr("nav.compliance"), anchor=False)
show_flash()
filters = dashboard_filters(page, key="compliance")
year = filters.year or page.today.year
spans = [compliance.parse_span(text) for text in (
    f"{year}Q1", f"{year}Q2", f"{year}Q3", f"{year}Q4", f"{year}H1", f"{year}H2", f"{year}")]
if year == page.today.year:  # a period not begun yet has nothing to show
    spans = [span for span in spans if span.starts_on <= page.today]
default = quarter_of(page.today) if year == page.today.year else spans[3]
if filters.term_id is not None:  # the whole term, its periods begun so far
    spans.append(page.cached(compliance.term_span, term_id=filters.term_id))


def span_text(span: object) -> str:
    if isinstance(span, compliance.TermSpan):
        return tr("compliance_page.span_term", name=span.name)
    return tr(f"compliance_page.span_{compliance.span_name(span)[4:] or 'year'}",
              year=span.year)


span_column, status_column = st.columns(2)
span = span_column.selectbox(tr("compliance_page.span"), spans, index=spans.index(default),
                             key=f"compliance_span_{year}_{filters.term_id}",
                             format_func=span_text)
with status_column:
    statuses = multi_choice(tr("compliance_page.statuses"), [s.value for s in ComplianceStatus],
                            key="compliance_statuses",
                            placeholder=tr("compliance_page.all_statuses"),
                            format_func=lambda s: enum_text(ComplianceStatus(s)))


def cell_text(cell: object) -> str:
    if not isinstance(cell, str):
        return ""  # not in office during that period
    status, done, required, days_left, reason = cell.split("|")
    text = enum_text(ComplianceStatus(status))
    if status == ComplianceStatus.EXEMPT.value:
        return f"{text}（{enum_text(ExemptReason(reason))}）"
    text += f" {done}/{required}"
    if status == ComplianceStatus.PENDING.value:
        text += tr("compliance_page.days_left", days=days_left)
    return text


def column_title(column: str) -> str:
    rule, period = column.split(" ")
    return f"{period} {enum_text(ComplianceRule(rule))}"


def grid_tab(found: compliance.ComplianceGrid) -> None:
    summary = found.summary
    places = st.columns(max(1, len(summary)))
    for place, row in zip(places, summary.itertuples(index=False), strict=False):
        with place:
            required = row.met + row.pending + row.missed
            kpi_tile(f"{row.period} {enum_text(ComplianceRule(row.rule))}",
                     f"{fmt_number(row.met)} / {fmt_number(required)}",
                     note=tr("compliance_page.summary", pending=fmt_number(row.pending),
                             missed=fmt_number(row.missed), exempt=fmt_number(row.exempt)))
    if found.grid.empty:
        st.info(tr("compliance_page.empty"))
        return
    cells = {column: found.grid[column].map(cell_text) for column in found.columns}
    table = found.grid.assign(**cells)
    labels = {"member": tr("compliance.column.member")}
    if table["organisation"].nunique() > 1:
        labels["organisation"] = tr("compliance.column.organisation")
    labels |= {"committee": tr("compliance.column.committee"),
               "sector": tr("compliance.column.sector")}
    labels |= {column: column_title(column) for column in found.columns}
    labels |= {"phone": tr("compliance.column.phone")}
    st.caption(tr("compliance_page.count", count=fmt_number(len(table))))
    labelled_table(table, labels, file_name=f"compliance_{compliance.span_name(span)}",
                   entity="Compliance")


def behind_tab(found: compliance.ComplianceGrid) -> None:
    rows = found.behind
    if rows.empty:
        st.success(tr("compliance_page.nobody_behind"))
        return
    st.caption(tr("compliance_page.behind_help", count=fmt_number(rows["member_id"].nunique())))
    shown = rows.assign(rule=enum_column(rows["rule"], ComplianceRule),
                        status=enum_column(rows["status"], ComplianceStatus))
    several = shown["organisation"].nunique() > 1
    labels = {column: tr(f"compliance.column.{column}")
              for column in ("member", "phone", *(("organisation",) if several else ()),
                             "committee", "sector", "rule", "period", "done", "required",
                             "status", "days_left")}
    labelled_table(shown, labels, file_name=f"reminders_{compliance.span_name(span)}",
                   entity="Compliance")


def rules_tab(current: PageContext) -> None:
    st.markdown(tr("compliance_page.rules_intro"))
    now = current.cached(quota_rules.current_settings, today=current.today)
    counts = current.cached(workstations.activities_count_as_contacts, on=current.today)
    st.dataframe(pd.DataFrame({
        tr("compliance_page.rule"): [enum_text(rule) for rule in now],
        tr("compliance_page.required"): [now[rule].required for rule in now],
        tr("compliance_page.grace_days"): [now[rule].grace_days for rule in now],
        tr("compliance_page.counts"): [
            tr("compliance_page.counts_activities" if counts else "compliance_page.no_activities"),
            tr("compliance_page.cosigners" if now[ComplianceRule.REPORT].cosigners_count
               else "compliance_page.leads_only")]}), hide_index=True)
    history = current.cached(quota_rules.rule_history)
    if history:
        st.caption(tr("compliance_page.history"))
        st.dataframe(pd.DataFrame({
            tr("compliance_page.effective_from"): [fmt_date(c.effective_from) for c in history],
            tr("compliance_page.rule"): [enum_text(c.rule) for c in history],
            tr("compliance_page.required"): [c.settings.required for c in history],
            tr("compliance_page.grace_days"): [c.settings.grace_days for c in history],
            tr("compliance_page.cosigners_count"): [
                tr("roster.yes") if c.settings.cosigners_count else tr("roster.no")
                for c in history]}), hide_index=True)
    st.caption(tr("compliance_page.activities_setting"))
    if not current.read(workstations.may_change_settings):
        return
    with st.form(RULES_FORM):
        rule = st.radio(tr("compliance_page.rule"), list(ComplianceRule), horizontal=True,
                        format_func=enum_text, key=field_key(RULES_FORM, "rule"))
        left, middle, right = st.columns(3)
        defaults = quota_rules.RuleSettings()
        st.session_state.setdefault(field_key(RULES_FORM, "required"), defaults.required)
        st.session_state.setdefault(field_key(RULES_FORM, "grace_days"), defaults.grace_days)
        with left:
            required = number_field(RULES_FORM, "required", tr("compliance_page.required"))
        with middle:
            grace = number_field(RULES_FORM, "grace_days", tr("compliance_page.grace_days"))
        with right:
            day = date_field(RULES_FORM, "effective_from", tr("compliance_page.effective_from"),
                             default=current.today)
        cosigners = st.checkbox(tr("compliance_page.cosigners_count"), value=True,
                                key=field_key(RULES_FORM, "cosigners_count"),
                                help=tr("compliance_page.cosigners_help"))
        st.caption(tr("compliance_page.rule_help"))
        sent = st.form_submit_button(tr("compliance_page.save_rule"), type="primary")
    if sent and save_form(RULES_FORM, current.engine, lambda session: quota_rules.set_rule(
            session=session, actor=current.actor, rule=rule, required=required,
            grace_days=grace, cosigners_count=cosigners, effective_from=day,
            today=current.today)):
        flash("compliance_page.rule_saved")
        st.rerun()


def live(draw: Callable[[compliance.ComplianceGrid], None]) -> Callable[[], None]:
    """``draw`` of the grid read afresh every LIVE_SECONDS (``ui.live``)."""

    @st.fragment(run_every=LIVE_SECONDS)
    def redraw() -> None:
        current = live_page()
        found = current.cached(
            compliance.compliance_grid, span=span, today=current.today,
            organisation_ids=filters.organisation_ids, committee_id=filters.committee_id,
            sector_id=filters.sector_id, term_id=filters.term_id,
            statuses=statuses or None)
        live_caption(tr("compliance_page.as_of", first=fmt_date(span.starts_on),
                        last=fmt_date(span.ends_on)))
        draw(found)

    return redraw


lazy_tabs("compliance_tab", [
    (tr("compliance_page.tab.grid"), live(grid_tab)),
    (tr("compliance_page.tab.behind"), live(behind_tab)),
    (tr("compliance_page.tab.rules"), lambda: rules_tab(page)),
])
