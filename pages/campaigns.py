"""八必访: must-visit campaigns. The list with each campaign's state and completion; one
campaign with its figures, the completion per committee, the members still to visit
(exported for reminder calls) and every member expected, and for those who keep it the
change, close-early and delete steps; declaring a new one (administrators and staff).
Leaders read it all; the rules are in ``services/campaigns.py``."""

import html

import altair as alt
import pandas as pd
import streamlit as st

from models import VisitOccasion
from services import campaigns, members, organisations
from services.campaigns import (
    OCCASIONS,
    CampaignDetail,
    CampaignFilter,
    CampaignInput,
    CampaignProgress,
    CampaignState,
)
from services.errors import ServiceError
from services.permissions import home_committee
from ui import goto
from ui.components import plain, show_problem
from ui.entry_form import organisation_choice
from ui.fields import choice_field, choices_field, date_field, text_area_field, text_field
from ui.flash import flash, show_flash
from ui.forms import changed_fields, edit_form, field_key, forget_form, save_form, stale_notice
from ui.goto import open_here
from ui.i18n import enum_column, enum_text, fmt_date, fmt_number, fmt_percent, tr
from ui.page import open_page
from ui.table import labelled_table
from ui.tabs import lazy_tabs

TAB_KEY = "campaign_page.tab"
PICK_KEY = "campaign_page.pick"  # the picker of the campaign tab
OPEN_KEY = "campaign_page.open"  # the campaign open there (kept while the tab is closed)
GOTO_KEY = "campaign_page.#goto"  # a campaign to open on the next run
NEW = "campaign_new"
FIELDS = ("title", "occasion", "starts_on", "ends_on", "all_sectors", "sector_ids",
          "description")

page = open_page()
lookup = page.cached(members.lookups)
several = len(lookup.organisations) > 1


def open_campaign(campaign_id: int) -> None:
    open_here(GOTO_KEY, campaign_id)


def follow_goto() -> None:
    goto.follow_goto(GOTO_KEY, open_key=OPEN_KEY, pick_key=PICK_KEY, tab_key=TAB_KEY,
                     tab=tr("campaigns.tab.campaign"))


# --- the list ---------------------------------------------------------------------------


def percent(rates: pd.Series) -> pd.Series:
    """Shares (0..1) as percentages to one decimal: numbers, so the column sorts and
    exports as numbers (its label says "%")."""
    return (rates.astype(float) * 100).round(1)


def campaign_filter() -> CampaignFilter:
    columns = st.columns([1, 1, 2] if several else [1, 2])
    organisation_ids = None
    if several:
        chosen = columns[0].selectbox(
            tr("filter.organisation"), [None, *lookup.organisations],
            key="campaign_page.organisation",
            format_func=lambda i: tr("filter.all") if i is None else lookup.organisations[i])
        if chosen is not None:
            organisation_ids = page.cached(organisations.scope_of, organisation_id=chosen)
    state = columns[-2].selectbox(tr("campaigns.filter.state"), [None, *CampaignState],
                                  key="campaign_page.state",
                                  format_func=lambda s: tr("filter.all") if s is None
                                  else enum_text(s))
    search = columns[-1].text_input(tr("campaigns.filter.search"), key="campaign_page.search",
                                    placeholder=tr("campaigns.filter.search_hint"))
    return CampaignFilter(organisation_ids=organisation_ids, state=state, search=search)


def list_tab() -> None:
    chosen = campaign_filter()
    rows = page.cached(campaigns.list_campaigns, filters=chosen, today=page.today)
    if rows.empty:
        anything = page.cached(campaigns.campaign_names)
        st.info(tr("campaigns.empty") if anything else tr("campaigns.none_yet"))
        return
    st.caption(tr("campaigns.count", count=fmt_number(len(rows))))
    if len(rows) == campaigns.LIST_LIMIT:
        st.caption(tr("campaigns.first_rows", shown=fmt_number(len(rows))))
    shown = rows.assign(occasion=enum_column(rows["occasion"], VisitOccasion),
                        state=enum_column(rows["state"], CampaignState),
                        rate=percent(rows["rate"]))
    labels = {"title": tr("campaigns.column.title")}
    labels |= {"organisation": tr("filter.organisation")} if several else {}
    labels |= {column: tr(f"campaigns.column.{column}") for column in (
        "occasion", "starts_on", "ends_on", "state", "days_left", "members", "visited",
        "to_visit", "rate", "sectors")}
    st.caption(tr("campaigns.list_hint"))
    clicked = labelled_table(shown, labels, file_name="campaigns", entity="MustVisitCampaign",
                             pick=True)
    last = st.session_state.get("campaign_page.clicked")
    st.session_state["campaign_page.clicked"] = clicked
    if clicked is not None and clicked != last:
        open_campaign(int(clicked))


# --- one campaign -------------------------------------------------------------------------


def campaign_tab() -> None:
    names = page.cached(campaigns.campaign_names)
    if not names:
        st.info(tr("campaigns.none_yet"))
        return
    opened = st.session_state.get(OPEN_KEY)
    if st.session_state.get(PICK_KEY) not in names:
        st.session_state[PICK_KEY] = opened if opened in names else None
    campaign_id = st.selectbox(tr("campaigns.pick"), [None, *names], key=PICK_KEY,
                               format_func=lambda i: tr("campaigns.pick_none") if i is None
                               else names[i])
    st.session_state[OPEN_KEY] = campaign_id
    if campaign_id is None:
        st.caption(tr("campaigns.pick_hint"))
        return
    try:
        detail = page.cached(campaigns.campaign_detail, campaign_id=campaign_id,
                             today=page.today)
        progress = page.cached(campaigns.campaign_progress, campaign_id=campaign_id)
    except ServiceError as exc:  # deleted meanwhile, or out of the reader's scope
        show_problem(exc)
        return
    with st.container(border=True):
        facts(detail)
        figures(progress)
        committees(detail, progress)
        to_visit(detail, progress)
        everyone(detail, progress)
        if detail.can_manage:
            manage(detail)
        else:
            st.caption(tr("campaigns.read_only"))


def facts(detail: CampaignDetail) -> None:
    campaign = detail.campaign
    # As HTML with the title escaped: a heading is Markdown, which would link a typed URL.
    st.html(f"<h3 style='margin:0'>{html.escape(campaign.title)}</h3>")
    when = tr("campaigns.detail.window", starts=fmt_date(campaign.starts_on),
              ends=fmt_date(campaign.ends_on))
    state = enum_text(detail.state)
    if detail.state is CampaignState.OPEN:
        state += " · " + tr("campaigns.detail.days_left", days=fmt_number(detail.days_left))
    elif detail.state is CampaignState.UPCOMING:
        state += " · " + tr("campaigns.detail.starts_in",
                            days=fmt_number((campaign.starts_on - page.today).days))
    parts = [enum_text(campaign.occasion), when, state]
    parts += [plain(detail.organisation)] if several else []
    st.caption(" · ".join(parts))
    st.markdown(f"**{tr('campaigns.detail.sectors')}**  \n"
                + plain("、".join(detail.sectors.values())))
    if campaign.description:
        st.markdown(f"**{tr('campaigns.detail.description')}**")
        st.text(campaign.description)


def figures(progress: CampaignProgress) -> None:
    tiles = st.columns(4)
    for column, key, value in (
            (tiles[0], "campaigns.detail.members", fmt_number(progress.members)),
            (tiles[1], "campaigns.detail.visited", fmt_number(progress.visited)),
            (tiles[2], "campaigns.detail.to_visit", fmt_number(progress.to_visit)),
            (tiles[3], "campaigns.detail.rate", fmt_percent(progress.rate))):
        with column.container(border=True):
            st.metric(tr(key), value)
    st.caption(tr("campaigns.rule"))


def committees(detail: CampaignDetail, progress: CampaignProgress) -> None:
    st.markdown(f"#### {tr('campaigns.detail.by_committee')}")
    rows = progress.by_committee
    if rows.empty:
        st.info(tr("campaigns.detail.nobody"))
        return
    committee_word, rate_word = tr("campaigns.chart.committee"), tr("campaigns.chart.rate")
    visited_word, members_word = tr("campaigns.chart.visited"), tr("campaigns.chart.members")
    data = pd.DataFrame({committee_word: rows["committee"],
                         rate_word: (rows["rate"] * 100).round(1),
                         visited_word: rows["visited"], members_word: rows["members"]})
    # No title on the committee axis: the heading names it, and an axis title stands
    # Chinese on its side. Quarter ticks: one every 5 % crowded the rate axis.
    chart = alt.Chart(data).mark_bar().encode(
        y=alt.Y(f"{committee_word}:N", sort=None, title=None),
        x=alt.X(f"{rate_word}:Q", title=rate_word, scale=alt.Scale(domain=[0, 100]),
                axis=alt.Axis(values=[0, 25, 50, 75, 100])),
        tooltip=[alt.Tooltip(f"{committee_word}:N"), alt.Tooltip(f"{rate_word}:Q"),
                 alt.Tooltip(f"{visited_word}:Q"), alt.Tooltip(f"{members_word}:Q")],
    )
    st.altair_chart(chart, width="stretch")
    labelled_table(rows.assign(rate=percent(rows["rate"])),
                   {column: tr(f"campaigns.column.{column}") for column in (
                       "committee", "members", "visited", "to_visit", "rate")},
                   file_name=f"campaign_{detail.campaign.id}_committees",
                   entity="MustVisitCampaign")


def to_visit(detail: CampaignDetail, progress: CampaignProgress) -> None:
    """The reminder list, narrowed to one committee (staff start on their own)."""
    st.markdown(f"#### {tr('campaigns.detail.to_visit_list')}")
    if progress.members and not progress.to_visit:
        st.success(tr("campaigns.detail.all_done"))
        return
    if not progress.members:
        return
    rows = progress.roster[~progress.roster["visited"]]
    options = dict(zip(progress.by_committee["committee_id"], progress.by_committee["committee"],
                       strict=True))
    start = home_committee(page.actor, list(options))
    chosen = st.selectbox(tr("filter.committee"), [None, *options],
                          index=[None, *options].index(start),
                          key=f"campaign_page.committee_{detail.campaign.id}",
                          format_func=lambda i: tr("filter.all") if i is None else options[i])
    if chosen is not None:
        rows = rows[rows["committee_id"] == chosen]
    if rows.empty:
        st.success(tr("campaigns.detail.none_in_committee"))
        return
    labelled_table(rows, {column: tr(f"campaigns.column.{column}") for column in (
        "member", "committee", "sector", "phone", "left_office_on")},
        file_name=f"campaign_{detail.campaign.id}_to_visit", entity="MustVisitCampaign")


def everyone(detail: CampaignDetail, progress: CampaignProgress) -> None:
    """Every member expected, drawn only when asked for (an expander would draw its
    hundreds of rows on every run)."""
    if not progress.members or not st.toggle(
            tr("campaigns.detail.all_members"),
            key=f"campaign_page.everyone_{detail.campaign.id}"):
        return
    labelled_table(progress.roster, {column: tr(f"campaigns.column.{column}") for column in (
        "member", "committee", "sector", "phone", "visited", "visits", "last_visit_on",
        "left_office_on")}, file_name=f"campaign_{detail.campaign.id}_members",
        entity="MustVisitCampaign")


# --- keeping a campaign ---------------------------------------------------------------------


def campaign_fields(form: str, organisation_id: int) -> CampaignInput:
    """Draw the fields inside ``st.form(form)``; what they hold."""
    sectors = page.cached(campaigns.sector_choices, organisation_id=organisation_id)
    if any(i not in sectors for i in st.session_state.get(field_key(form, "sector_ids"), [])):
        st.session_state[field_key(form, "sector_ids")] = []  # another organisation's
    title = text_field(form, "title", tr("campaigns.field.title"))
    occasion_column, starts_column, ends_column = st.columns([2, 1, 1])
    with occasion_column:
        occasion = choice_field(form, "occasion", tr("campaigns.field.occasion"),
                                list(OCCASIONS), format_func=enum_text, index=None,
                                placeholder=tr("campaigns.field.choose"))
    with starts_column:
        starts_on = date_field(form, "starts_on", tr("campaigns.field.starts_on"),
                               default=page.today)
    with ends_column:
        ends_on = date_field(form, "ends_on", tr("campaigns.field.ends_on"))
    st.session_state.setdefault(field_key(form, "all_sectors"), False)
    all_sectors = st.checkbox(tr("campaigns.field.all_sectors"),
                              key=field_key(form, "all_sectors"),
                              help=tr("campaigns.field.all_sectors_help"))
    sector_ids = choices_field(form, "sector_ids", tr("campaigns.field.sector_ids"),
                               list(sectors), format_func=lambda i: sectors.get(i, f"#{i}"),
                               placeholder=tr("campaigns.field.sectors_hint"))
    description = text_area_field(form, "description", tr("campaigns.field.description"),
                                  height=90)
    return CampaignInput(title=title, occasion=occasion, starts_on=starts_on, ends_on=ends_on,
                         sector_ids=tuple(sector_ids), all_sectors=all_sectors,
                         description=description)


def manage(detail: CampaignDetail) -> None:
    """Change any field against the version shown; close an open campaign today; delete
    one declared by mistake."""
    campaign = detail.campaign
    form = f"campaign_edit_{campaign.id}"
    stored = {"title": campaign.title, "occasion": campaign.occasion,
              "starts_on": campaign.starts_on, "ends_on": campaign.ends_on,
              "all_sectors": False, "sector_ids": list(detail.sectors),
              "description": campaign.description or ""}
    version = edit_form(form, detail.version, stored)
    with st.expander(tr("campaigns.edit.title"), icon=":material/edit:"):
        stale_notice(form, {field: tr(f"campaigns.field.{field}") for field in FIELDS})
        with st.form(form):
            campaign_fields(form, campaign.organisation_id)
            sent = st.form_submit_button(tr("campaigns.edit.save"), type="primary")
        if detail.state is CampaignState.OPEN and campaign.ends_on > page.today:
            close(campaign.id, version)
        delete(detail, version)
    if sent and save_form(form, page.engine, lambda session: campaigns.update_campaign(
            session=session, actor=page.actor, campaign_id=campaign.id,
            expected_version=version, changes=changed_fields(form))):
        saved("campaigns.edit.saved", form)


def close(campaign_id: int, version: str) -> None:
    key = f"campaign_close_{campaign_id}"
    sure = st.checkbox(tr("campaigns.edit.close_confirm"), key=field_key(key, "#sure"))
    if st.button(tr("campaigns.edit.close"), key=key, disabled=not sure,
                 icon=":material/event_busy:") and save_form(
            key, page.engine, lambda session: campaigns.close_campaign(
                session=session, actor=page.actor, campaign_id=campaign_id,
                expected_version=version, today=page.today)):
        saved("campaigns.edit.closed", key, f"campaign_edit_{campaign_id}")


def delete(detail: CampaignDetail, version: str) -> None:
    campaign = detail.campaign
    if detail.linked_visits:
        st.caption(tr("campaigns.edit.cannot_delete", count=fmt_number(detail.linked_visits)))
        return
    key = f"campaign_delete_{campaign.id}"
    sure = st.checkbox(tr("campaigns.edit.delete_confirm", title=plain(campaign.title)),
                       key=field_key(key, "#sure"))
    if st.button(tr("campaigns.edit.delete"), key=key, disabled=not sure,
                 icon=":material/delete:") and save_form(
            key, page.engine, lambda session: campaigns.delete_campaign(
                session=session, actor=page.actor, campaign_id=campaign.id,
                expected_version=version)):
        st.session_state.pop(OPEN_KEY, None)
        st.session_state.pop(PICK_KEY, None)
        saved("campaigns.edit.deleted", key, f"campaign_edit_{campaign.id}")


def saved(message_key: str, *forms: str) -> None:
    """After a save: the forms start again from the store, and the page says so."""
    for form in forms:
        forget_form(form)
    flash(message_key)
    st.rerun()


# --- a new campaign -------------------------------------------------------------------------


def start_anew() -> None:
    """After a declaration, the form's fields back to their starting values before they
    are drawn (forgetting them is not enough: the browser would send them again)."""
    if st.session_state.pop(f"{NEW}.#anew", False):
        starting = {"title": "", "occasion": None, "starts_on": page.today, "ends_on": None,
                    "all_sectors": False, "sector_ids": [], "description": ""}
        for field, value in starting.items():
            st.session_state[field_key(NEW, field)] = value


def new_tab() -> None:
    start_anew()
    st.caption(tr("campaigns.new.caption"))
    organisation_id = organisation_choice(NEW, page)
    with st.form(NEW):
        data = campaign_fields(NEW, organisation_id)
        sent = st.form_submit_button(tr("campaigns.new.submit"), type="primary")
    declared: list[int] = []
    if sent and save_form(NEW, page.engine, lambda session: declared.append(
            campaigns.create_campaign(session=session, actor=page.actor,
                                      organisation_id=organisation_id, data=data).id)):
        st.session_state[f"{NEW}.#anew"] = True
        st.session_state[GOTO_KEY] = declared[0]
        flash("campaigns.new.created")
        st.rerun()


st.title(tr("nav.campaigns"))
show_flash()
follow_goto()
views = [(tr("campaigns.tab.list"), list_tab), (tr("campaigns.tab.campaign"), campaign_tab)]
if campaigns.may_manage(page.actor):
    views.append((tr("campaigns.tab.new"), new_tab))
lazy_tabs(TAB_KEY, views)
