"""提案: proposals, kept light (not a proposal system). The list with its filters and
exports; one proposal with its reply and the lead member's satisfaction; a new proposal,
possibly from a topic or open problems; the handled rate by committee or organisation.
Leaders read it all; staff and administrators write within their scope."""

import html

import pandas as pd
import streamlit as st

from models import ProposalStatus, Role, Satisfaction
from services import members, opinion_figures, problems, proposals, topics
from services.proposals import ProposalDetail, ProposalDraft, ProposalFilters
from services.topics import Grouping
from ui import entry_form
from ui.components import plain
from ui.fields import choice_field, choices_field, date_field, text_area_field, text_field
from ui.filter_bar import filter_bar
from ui.flash import flash, show_flash
from ui.forms import changed_fields, edit_form, field_key, forget_form, save_form, stale_notice
from ui.i18n import enum_column, enum_text, fmt_date, fmt_number, fmt_percent, tr
from ui.page import open_page
from ui.table import labelled_table, last_chosen
from ui.tabs import lazy_tabs

page = open_page()
NEW = "proposal_new"
LISTED = 500




# --- the list ---------------------------------------------------------------------------


def filters() -> ProposalFilters:
    """Organisation, committee, term, status, key proposals only, period and search."""
    scope = filter_bar(page, key="proposal_list", with_sector=False)
    organisation_ids, committee_id = scope.organisation_ids, scope.committee_id
    lookup = page.cached(members.lookups)
    top = st.columns(2)
    terms = lookup.of("terms", organisation_ids)
    term_id = top[0].selectbox(
        tr("proposals.filter.term"), [None, *terms], key="proposal_list.term",
        format_func=lambda i: tr("filter.all") if i is None else terms[i])
    statuses = top[1].multiselect(tr("proposals.filter.status"), list(ProposalStatus),
                                   key="proposal_list.status", format_func=enum_text,
                                   placeholder=tr("filter.all"))
    period, search, key_only = st.columns([1, 2, 1], vertical_alignment="bottom")
    days = period.date_input(tr("proposals.filter.period"), value=(),
                             key="proposal_list.period")
    text = search.text_input(tr("proposals.filter.search"), key="proposal_list.search",
                             placeholder=tr("proposals.filter.search_hint"))
    key_flag = key_only.toggle(tr("proposals.filter.key_only"), key="proposal_list.key")
    first, last = (*days, None, None)[:2]
    return ProposalFilters(organisation_ids=organisation_ids, committee_id=committee_id,
                           term_id=term_id, statuses=frozenset(statuses), key_only=key_flag,
                           first=first, last=last if last is not None else first, search=text)


def proposal_table(rows: pd.DataFrame, *, pick: bool = True,
                   file_name: str = "proposals") -> int | None:
    shown = rows.assign(
        status=enum_column(rows["status"], ProposalStatus),
        is_key=rows["is_key"].map({True: tr("proposals.key_mark"), False: ""}),
        satisfaction=enum_column(rows["satisfaction"], Satisfaction),
    )
    labels = {column: tr(f"proposals.column.{column}") for column in (
        "number", "title", "is_key", "lead", "co_signers", "committee", "term",
        "submitted_on", "status", "handling_unit", "replied_on", "satisfaction")}
    return labelled_table(shown, labels, file_name=file_name, entity="Proposal", pick=pick)


def opened_proposal(rows: pd.DataFrame, clicked: int | None) -> int | None:
    worked_on = st.session_state.get("proposal_list.open")
    listed = rows.head(LISTED).set_index("id")
    names = {i: f"{number} {title[:40]}" for i, number, title in
             zip(listed.index, listed["number"], listed["title"], strict=True)}
    options = [None, *names]
    if worked_on is not None and worked_on not in names:
        options.append(worked_on)
    if len(options) == 1:
        return None
    picked = st.selectbox(tr("proposals.open"), options, key="proposal_list.pick",
                          format_func=lambda i: tr("proposals.open_none") if i is None
                          else names.get(i, f"#{i}"))
    return last_chosen("proposal_list", picked, clicked)


def list_tab() -> None:
    chosen = filters()
    rows = page.cached(proposals.list_proposals, filters=chosen)
    if rows.empty:
        anything = not page.cached(proposals.list_proposals, limit=1).empty
        st.info(tr("proposals.empty") if anything else tr("proposals.none_yet"))
        return
    replied = int((rows["status"] == ProposalStatus.REPLIED.value).sum())
    in_rate = int(rows["status"].isin([s.value for s in proposals.IN_RATE]).sum())
    tiles = [(tr("proposals.kpi.listed"), fmt_number(len(rows))),
             (tr("proposals.kpi.key"), fmt_number(int(rows["is_key"].sum()))),
             (tr("proposals.kpi.replied"), fmt_number(replied)),
             (tr("proposals.kpi.rate"), fmt_percent(opinion_figures.share_of(replied, in_rate)))]
    for column, (label, value) in zip(st.columns(4), tiles, strict=True):
        with column.container(border=True):
            st.metric(label, value)
    if len(rows) == proposals.LIST_LIMIT:
        st.caption(tr("proposals.first_rows", shown=fmt_number(len(rows))))
    detail_slot = st.container()
    opened = opened_proposal(rows, proposal_table(rows))
    if opened is not None:
        with detail_slot, st.container(border=True):
            proposal_section(int(opened))


# --- one proposal ---------------------------------------------------------------------------


def proposal_section(proposal_id: int) -> None:
    detail = page.cached(proposals.proposal_detail, proposal_id=proposal_id)
    proposal = detail.proposal
    st.html(f"<h3 style='margin:0'>{html.escape(proposal.number)} "
            f"{html.escape(proposal.title)}</h3>")
    facts(detail)
    if proposal.reply_summary:
        st.markdown(f"**{tr('proposals.field.reply_summary')}**")
        st.text(proposal.reply_summary)
    if detail.can_edit:
        reply_form(detail)
    else:
        st.caption(tr("proposals.detail.read_only"))


def facts(detail: ProposalDetail) -> None:
    proposal = detail.proposal
    shown = [
        ("proposals.column.status", enum_text(proposal.status)),
        ("proposals.column.is_key", tr("proposals.key_mark") if proposal.is_key else None),
        ("proposals.column.lead", detail.lead[1] if detail.lead else None),
        ("proposals.column.co_signers", "、".join(name for _, name in detail.co_signers)),
        ("proposals.column.committee", detail.committee),
        ("proposals.column.term", detail.term),
        ("proposals.column.submitted_on", fmt_date(proposal.submitted_on)),
        ("proposals.column.handling_unit", proposal.handling_unit),
        ("proposals.column.replied_on",
         fmt_date(proposal.replied_on) if proposal.replied_on else None),
        ("proposals.column.satisfaction",
         enum_text(proposal.satisfaction) if proposal.satisfaction else None),
        ("proposals.detail.topic", f"#{detail.topic[0]} {detail.topic[1]}"
         if detail.topic else None),
        ("proposals.detail.problems", "；".join(f"#{i} {text[:30]}"
                                                for i, text in detail.problems)),
    ]
    shown = [(key, value) for key, value in shown if value]
    for column, (key, value) in zip(st.columns(3) * ((len(shown) + 2) // 3), shown,
                                    strict=False):
        column.markdown(f"**{tr(key)}**  \n{plain(value)}")


REPLY_FIELDS = ("status", "handling_unit", "reply_summary", "replied_on", "satisfaction",
                "is_key")


def reply_form(detail: ProposalDetail) -> None:
    """Status, handling unit, reply and its day, satisfaction, key flag: only what the
    user changed is sent, against the version they saw."""
    proposal = detail.proposal
    form = f"proposal_{proposal.id}_reply"
    stored = {field: getattr(proposal, field) for field in REPLY_FIELDS} | {
        "handling_unit": proposal.handling_unit or "",
        "reply_summary": proposal.reply_summary or ""}
    version = edit_form(form, proposal.version, stored)
    with st.expander(tr("proposals.detail.reply"), icon=":material/reply:", expanded=True):
        stale_notice(form, {field: tr(f"proposals.field.{field}") for field in REPLY_FIELDS})
        with st.form(form):
            left, middle, right = st.columns(3)
            with left:
                choice_field(form, "status", tr("proposals.field.status"),
                             list(ProposalStatus), format_func=enum_text)
            with middle:
                date_field(form, "replied_on", tr("proposals.field.replied_on"),
                           max_value=page.today)
            with right:
                choice_field(form, "satisfaction", tr("proposals.field.satisfaction"),
                             [None, *Satisfaction],
                             format_func=lambda s: tr("proposals.field.none") if s is None
                             else enum_text(s))
            text_field(form, "handling_unit", tr("proposals.field.handling_unit"),
                       max_chars=proposals.UNIT_LENGTH)
            text_area_field(form, "reply_summary", tr("proposals.field.reply_summary"),
                            height=120)
            st.checkbox(tr("proposals.field.is_key"), key=field_key(form, "is_key"))
            sent = st.form_submit_button(tr("proposals.save"), type="primary")
    if sent and save_form(form, page.engine, lambda session: proposals.update_proposal(
            session=session, actor=page.actor, proposal_id=proposal.id,
            expected_version=version, changes=changed_fields(form), today=page.today)):
        forget_form(form)
        flash("proposals.saved")
        st.rerun()


# --- a new proposal -------------------------------------------------------------------------


def new_tab() -> None:
    entry_form.ready_for_the_next(NEW, ("submitted_on", "term_id"))
    organisation_id = entry_form.organisation_choice(NEW, page)
    draft = proposal_fields(organisation_id)
    if st.button(tr("proposals.create"), type="primary", icon=":material/add:",
                 key=f"{NEW}.#save"):
        form_digest = entry_form.digest((organisation_id, draft))
        key = entry_form.idempotency_key(NEW, page, form_digest)
        made: list[int] = []
        if save_form(NEW, page.engine, lambda session: made.append(proposals.create_proposal(
                session=session, actor=page.actor, organisation_id=organisation_id,
                draft=draft, idempotency_key=key, today=page.today).id)):
            entry_form.saved(NEW, form_digest, key)
            st.session_state["proposal_list.open"] = made[0]
            flash("proposals.created", number=draft.number)
            st.rerun()


def proposal_fields(organisation_id: int) -> ProposalDraft:
    left, middle, right = st.columns(3)
    with left:
        number = text_field(NEW, "number", tr("proposals.column.number"),
                            max_chars=proposals.NUMBER_LENGTH)
    terms = page.cached(proposals.term_choices, organisation_id=organisation_id)
    with middle:
        term_id = choice_field(NEW, "term_id", tr("proposals.column.term"), list(terms),
                               format_func=lambda i: terms.get(i, f"#{i}"),
                               index=0 if terms else None)
    with right:
        submitted_on = date_field(NEW, "submitted_on", tr("proposals.column.submitted_on"),
                                  default=page.today, max_value=page.today)
    title = text_field(NEW, "title", tr("proposals.column.title"),
                       max_chars=proposals.TITLE_LENGTH)
    choices = page.cached(topics.member_choices, organisation_id=organisation_id)
    left, right = st.columns(2)
    with left:
        lead = choice_field(NEW, "lead", tr("proposals.column.lead"), list(choices),
                            index=None, format_func=lambda i: choices.get(i, f"#{i}"),
                            placeholder=tr("proposals.field.member_hint"))
    others = {i: label for i, label in choices.items() if i != lead}
    keep_offered("co_signers", others)
    with right:
        co_signers = choices_field(NEW, "co_signers", tr("proposals.column.co_signers"),
                                   list(others), format_func=lambda i: others.get(i, f"#{i}"),
                                   placeholder=tr("proposals.field.member_hint"))
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    with left:
        unit = text_field(NEW, "handling_unit", tr("proposals.column.handling_unit"),
                          max_chars=proposals.UNIT_LENGTH)
    with right:
        is_key = st.checkbox(tr("proposals.field.is_key"), key=field_key(NEW, "is_key"))
    with st.expander(tr("proposals.field.source"), icon=":material/link:"):
        topics_offered = page.cached(topics.topic_choices, organisation_id=organisation_id)
        topic_id = choice_field(NEW, "topic_id", tr("proposals.field.topic"),
                                [None, *topics_offered],
                                format_func=lambda i: tr("proposals.field.none") if i is None
                                else topics_offered.get(i, f"#{i}"))
        offered = page.cached(problems.open_problems, organisation_id=organisation_id)
        keep_offered("problem_ids", offered)
        problem_ids = choices_field(NEW, "problem_ids", tr("proposals.field.problem_ids"),
                                    list(offered), format_func=lambda i: offered.get(i, f"#{i}"),
                                    placeholder=tr("proposals.field.problems_hint"))
    return ProposalDraft(number=number, title=title, term_id=term_id, submitted_on=submitted_on,
                         lead_member_id=lead, co_signer_ids=tuple(co_signers),
                         handling_unit=unit, is_key=is_key, topic_id=topic_id,
                         problem_ids=tuple(problem_ids))


def keep_offered(field: str, offered: dict[int, str]) -> None:
    """Drop chosen ids no longer offered before the widget is drawn: Streamlit refuses a
    value outside its options."""
    key = field_key(NEW, field)
    if isinstance(st.session_state.get(key), list):
        st.session_state[key] = [i for i in st.session_state[key] if i in offered]


# --- the handled rate ---------------------------------------------------------------------


def rate_tab() -> None:
    by = st.segmented_control(tr("proposals.rate.by"), list(Grouping),
                              default=Grouping.COMMITTEE, required=True,
                              key="proposal_rate.by",
                              format_func=lambda g: tr(f"proposals.rate.{g.value}"))
    days = st.date_input(tr("proposals.filter.period"), value=(), key="proposal_rate.period")
    first, last = (*days, None, None)[:2]
    rates = page.cached(proposals.handled_rates, by=by, first=first,
                        last=last if last is not None else first)
    st.caption(tr("proposals.rate.definition"))
    rates["name"] = rates["name"].fillna(tr("proposals.rate.total"))
    rates["handled_rate"] = rates["handled_rate"].map(fmt_percent)
    labels = {"name": tr(f"proposals.rate.{by.value}")} | {
        column: tr(f"proposals.rate.{column}") for column in (
            "submitted", "filed", "not_filed", "handling", "replied", "handled_rate", "key",
            "satisfied")}
    labelled_table(rates, labels, file_name=f"proposal_rates_{by.value}", entity="Proposal")


st.title(tr("nav.proposals"))
show_flash()
views = [(tr("proposals.tab.list"), list_tab)]
if page.actor.role in (Role.ADMIN, Role.STAFF):
    views.append((tr("proposals.tab.new"), new_tab))
views.append((tr("proposals.tab.rate"), rate_tab))
lazy_tabs("proposal_list.tab", views)
