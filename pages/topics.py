"""协商议题: consultation on the front line (协商在一线) and monthly supervision topics
(每月一题). The list with its filters, the topics in each stage and the exports; one
topic with its details, its timeline, the form of its next step (or its conclusion),
its participants and its results; a new topic, typed, from open problems or from an
opinion report. Leaders read it all; staff and administrators write within their scope."""

import html

import pandas as pd
import streamlit as st

from models import Role, TopicKind, TopicStage
from services import problems, topics
from services.topics import TopicDetail, TopicDraft, TopicFilters
from ui import entry_form
from ui.components import plain
from ui.fields import (
    choice_field,
    choices_field,
    date_field,
    number_field,
    text_area_field,
    text_field,
)
from ui.filter_bar import filter_bar
from ui.flash import flash, show_flash
from ui.forms import changed_fields, edit_form, field_key, forget_form, save_form, stale_notice
from ui.i18n import enum_column, enum_text, fmt_date, fmt_datetime, fmt_number, fmt_percent, tr
from ui.page import open_page
from ui.periods import period_picker
from ui.table import labelled_table, last_chosen
from ui.tabs import lazy_tabs

page = open_page()
NEW = "topic_new"
LISTED = 500  # topics offered in the "open a topic" list; the table has them all
SOURCES = ("typed", "problems", "report")
TEXT_HEIGHT = 120


# --- the list ---------------------------------------------------------------------------


def filters() -> TopicFilters:
    """Organisation, committee, kind, stage, supervision month, period and search."""
    scope = filter_bar(page, key="topic_list", with_sector=False)
    organisation_ids, committee_id = scope.organisation_ids, scope.committee_id
    top = st.columns(2)
    kind = top[0].selectbox(tr("topics.filter.kind"), [None, *TopicKind],
                             key="topic_list.kind",
                             format_func=lambda k: tr("filter.all") if k is None
                             else enum_text(k))
    stages = top[1].multiselect(tr("topics.filter.stage"), list(TopicStage),
                                 key="topic_list.stage", format_func=enum_text,
                                 placeholder=tr("filter.all"))
    month, period, search = st.columns([1, 1, 2])
    supervision_month = month.date_input(tr("topics.filter.month"), value=None,
                                         key="topic_list.month",
                                         help=tr("topics.filter.month_help"))
    days = period.date_input(tr("topics.filter.period"), value=(), key="topic_list.period")
    text = search.text_input(tr("topics.filter.search"), key="topic_list.search",
                             placeholder=tr("topics.filter.search_hint"))
    first, last = (*days, None, None)[:2]
    return TopicFilters(organisation_ids=organisation_ids, committee_id=committee_id,
                        kind=kind, stages=frozenset(stages),
                        supervision_month=supervision_month, first=first,
                        last=last if last is not None else first, search=text)


def stage_tiles(chosen: TopicFilters) -> None:
    counts = page.cached(topics.stage_counts, filters=chosen)
    for column, (stage, count) in zip(st.columns(len(counts)), counts.items(), strict=True):
        with column.container(border=True):
            st.metric(enum_text(stage), fmt_number(count))


def topic_table(rows: pd.DataFrame) -> int | None:
    shown = rows.assign(
        kind=enum_column(rows["kind"], TopicKind),
        stage=enum_column(rows["stage"], TopicStage),
        supervision_month=rows["supervision_month"].map(
            lambda d: tr("topics.month", year=d.year, month=d.month) if pd.notna(d) else ""),
        carried_out=rows["carried_out"].map(
            lambda v: "" if v is None or pd.isna(v) else tr("export.yes" if v else "export.no")),
    )
    labels = {column: tr(f"topics.column.{column}") for column in (
        "id", "kind", "title", "committee", "stage", "stage_on", "proposed_on",
        "supervision_month", "supervision_group", "members", "residents_count",
        "experts_count", "problems", "proposals", "carried_out", "done_on")}
    return labelled_table(shown, labels, file_name="topics", entity="ConsultationTopic",
                          pick=True)


def opened_topic(rows: pd.DataFrame, clicked: int | None) -> int | None:
    """The topic open below: the last one chosen, in the list or by a click on a row."""
    worked_on = st.session_state.get("topic_list.open")
    listed = rows.head(LISTED).set_index("id")["title"]
    options = [None, *listed.index]
    if worked_on is not None and worked_on not in listed.index:
        options.append(worked_on)
    if len(options) == 1:
        return None
    picked = st.selectbox(tr("topics.open"), options, key="topic_list.pick",
                          format_func=lambda i: tr("topics.open_none") if i is None
                          else f"#{i} {listed[i][:40]}" if i in listed.index else f"#{i}")
    return last_chosen("topic_list", picked, clicked)


def list_tab() -> None:
    chosen = filters()
    stage_tiles(chosen)
    rows = page.cached(topics.list_topics, filters=chosen)
    if rows.empty:
        anything = sum(page.cached(topics.stage_counts).values())
        st.info(tr("topics.empty") if anything else tr("topics.none_yet"))
        return
    if len(rows) == topics.LIST_LIMIT:
        st.caption(tr("topics.first_rows", shown=fmt_number(len(rows))))
    detail_slot = st.container()
    opened = opened_topic(rows, topic_table(rows))
    if opened is not None:
        with detail_slot, st.container(border=True):
            topic_section(int(opened))


# --- one topic ----------------------------------------------------------------------------


def topic_section(topic_id: int) -> None:
    detail = page.cached(topics.topic_detail, topic_id=topic_id)
    topic = detail.topic
    # As HTML with the title escaped: a heading is Markdown, which would link a typed URL.
    st.html(f"<h3 style='margin:0'>#{topic.id} {html.escape(topic.title)}</h3>")
    facts(detail)
    for label_key, text in (("topics.field.description", topic.description),
                            ("topics.field.department_response", topic.department_response),
                            ("topics.field.outcome", topic.outcome),
                            ("topics.field.implementation", topic.implementation)):
        if text:
            st.markdown(f"**{tr(label_key)}**")
            st.text(text)
    timeline(detail)
    if not detail.can_edit:
        st.caption(tr("topics.detail.read_only"))
        return
    if detail.next_stage is TopicStage.DONE:
        conclude_form(detail)
    elif detail.next_stage is not None:
        next_step_form(detail)
    if topics.may_step_back(page.actor, topic):
        step_back_form(detail)
    participants_form(detail)
    results_form(detail)


def facts(detail: TopicDetail) -> None:
    topic = detail.topic
    kind = enum_text(topic.kind)
    if topic.kind is TopicKind.SUPERVISION and topic.supervision_month:
        kind += " · " + tr("topics.month", year=topic.supervision_month.year,
                           month=topic.supervision_month.month)
    stage = f"{enum_text(topic.stage)} · {fmt_date(topic.stage_on)}"
    if topic.stage is TopicStage.DONE:
        stage += " · " + tr("topics.detail.carried_out" if topic.carried_out
                            else "topics.detail.not_carried_out")
    shown = [
        ("topics.column.kind", kind),
        ("topics.column.stage", stage),
        ("topics.column.committee", f"{detail.committee}（{detail.organisation}）"),
        ("topics.column.proposed_on", fmt_date(topic.proposed_on)),
        ("topics.column.supervision_group", topic.supervision_group),
        ("topics.field.workstation", detail.workstation),
        ("topics.column.members", "、".join(name for _, name in detail.members)),
        ("topics.field.residents", _named(topic.residents, topic.residents_count)),
        ("topics.field.experts", _named(topic.experts, topic.experts_count)),
        ("topics.field.departments", "、".join((topic.departments or "").splitlines())),
        ("topics.detail.report", f"#{detail.report[0]} {detail.report[1]}"
         if detail.report else None),
        ("topics.detail.problems", "；".join(f"#{i} {text[:30]}" for i, text in detail.problems)),
        ("topics.detail.proposals", "；".join(f"{number} {title}"
                                              for _, number, title in detail.proposals)),
    ]
    shown = [(key, value) for key, value in shown if value]
    for column, (key, value) in zip(st.columns(3) * ((len(shown) + 2) // 3), shown,
                                    strict=False):
        column.markdown(f"**{tr(key)}**  \n{plain(value)}")


def _named(names: str | None, count: int) -> str | None:
    if not names and not count:
        return None
    return tr("topics.detail.people", count=fmt_number(count)) + (f"：{names}" if names else "")


def timeline(detail: TopicDetail) -> None:
    with st.expander(tr("topics.detail.timeline"), icon=":material/timeline:", expanded=True):
        for row in detail.timeline:
            step = (enum_text(row.to_stage) if row.from_stage is None
                    else f"{enum_text(row.from_stage)} → {enum_text(row.to_stage)}")
            st.markdown(f"**{fmt_date(row.happened_on)}** · {step} · {plain(row.actor)}"
                        f" · {fmt_datetime(row.recorded_at)}")
            if row.note:
                st.text(row.note)


def next_step_form(detail: TopicDetail) -> None:
    topic, to = detail.topic, detail.next_stage
    form = f"topic_{topic.id}_step"
    version = edit_form(form, topic.version, {})  # the version the user is looking at
    start_anew(form, {"happened_on": page.today, "note": ""})
    stale_notice(form, {})
    label = tr("topics.step.advance", stage=enum_text(to))
    with st.form(form):
        st.markdown(f"**{label}**")
        on = date_field(form, "happened_on", tr("topics.field.happened_on"),
                        default=page.today, max_value=page.today)
        note = text_area_field(form, "note", tr("topics.field.note"), height=90)
        sent = st.form_submit_button(label, type="primary")
    if sent and save_form(form, page.engine, lambda session: topics.advance_stage(
            session=session, actor=page.actor, topic_id=topic.id, expected_version=version,
            to_stage=to, happened_on=on, note=note, today=page.today)):
        saved(form, "topics.saved_step", stage=enum_text(to))


def conclude_form(detail: TopicDetail) -> None:
    topic = detail.topic
    form = f"topic_{topic.id}_conclude"
    version = edit_form(form, topic.version, {})
    start_anew(form, {"carried_out": None, "done_on": page.today, "note": ""})
    stale_notice(form, {})
    with st.form(form):
        st.markdown(f"**{tr('topics.step.conclude')}**")
        verdict = choice_field(form, "carried_out", tr("topics.field.carried_out"),
                               [True, False], index=None, placeholder=tr("topics.field.choose"),
                               format_func=lambda v: tr("topics.detail.carried_out" if v
                                                        else "topics.detail.not_carried_out"))
        on = date_field(form, "done_on", tr("topics.field.done_on"), default=page.today,
                        max_value=page.today)
        note = text_area_field(form, "note", tr("topics.field.note"), height=90)
        sent = st.form_submit_button(tr("topics.step.conclude"), type="primary")
    if sent and save_form(form, page.engine, lambda session: topics.conclude_topic(
            session=session, actor=page.actor, topic_id=topic.id, expected_version=version,
            carried_out=verdict, done_on=on, note=note, today=page.today)):
        saved(form, "topics.saved_conclude")


def step_back_form(detail: TopicDetail) -> None:
    """Administrators undo a step taken by mistake, with the reason; the timeline keeps
    both."""
    topic = detail.topic
    form = f"topic_{topic.id}_back"
    version = edit_form(form, topic.version, {})
    stale_notice(form, {})
    with st.expander(tr("topics.back.title"), icon=":material/undo:"), st.form(form):
        st.caption(tr("topics.back.help"))
        note = text_area_field(form, "note", tr("topics.back.reason"), height=70)
        sent = st.form_submit_button(tr("topics.back.go"))
    if sent and save_form(form, page.engine, lambda session: topics.step_back(
            session=session, actor=page.actor, topic_id=topic.id, expected_version=version,
            note=note, today=page.today)):
        forget_form(form)
        saved(f"topic_{topic.id}_step", "topics.back.saved")


PARTICIPANTS = ("member_ids", "residents", "residents_count", "experts", "experts_count",
                "departments")
RESULTS = ("department_response", "outcome", "implementation")


def participants_form(detail: TopicDetail) -> None:
    topic = detail.topic
    form = f"topic_{topic.id}_participants"
    stored = {"member_ids": [i for i, _ in detail.members]} | {
        field: getattr(topic, field) if field.endswith("_count") else getattr(topic, field) or ""
        for field in PARTICIPANTS[1:]}
    version = edit_form(form, topic.version, stored)
    choices = page.cached(topics.member_choices, organisation_id=topic.organisation_id)
    with st.expander(tr("topics.detail.participants"), icon=":material/groups:"):
        stale_notice(form, {field: tr(f"topics.field.{field}") for field in PARTICIPANTS})
        with st.form(form):
            choices_field(form, "member_ids", tr("topics.field.member_ids"), list(choices),
                          format_func=lambda i: choices.get(i, f"#{i}"),
                          placeholder=tr("topics.field.members_hint"))
            left, right = st.columns([3, 1])
            with left:
                text_area_field(form, "residents", tr("topics.field.residents"), height=68,
                                max_chars=topics.NAMES_LENGTH)
                text_area_field(form, "experts", tr("topics.field.experts"), height=68,
                                max_chars=topics.NAMES_LENGTH)
            with right:
                number_field(form, "residents_count", tr("topics.field.residents_count"),
                             min_value=0)
                number_field(form, "experts_count", tr("topics.field.experts_count"),
                             min_value=0)
            text_area_field(form, "departments", tr("topics.field.departments"), height=90,
                            help=tr("topics.field.departments_help"))
            sent = st.form_submit_button(tr("topics.save"), type="primary")
    if sent and save_form(form, page.engine, lambda session: topics.update_topic(
            session=session, actor=page.actor, topic_id=topic.id, expected_version=version,
            changes=changed_fields(form))):
        saved(form, "topics.saved")


def results_form(detail: TopicDetail) -> None:
    topic = detail.topic
    form = f"topic_{topic.id}_results"
    version = edit_form(form, topic.version,
                        {field: getattr(topic, field) or "" for field in RESULTS})
    with st.expander(tr("topics.detail.results"), icon=":material/task_alt:"):
        stale_notice(form, {field: tr(f"topics.field.{field}") for field in RESULTS})
        with st.form(form):
            for field in RESULTS:
                text_area_field(form, field, tr(f"topics.field.{field}"), height=TEXT_HEIGHT)
            sent = st.form_submit_button(tr("topics.save"), type="primary")
    if sent and save_form(form, page.engine, lambda session: topics.update_topic(
            session=session, actor=page.actor, topic_id=topic.id, expected_version=version,
            changes=changed_fields(form))):
        saved(form, "topics.saved")


def saved(form: str, message_key: str, **params: object) -> None:
    """After a save every form of the topic starts again from what is stored (they all
    name its version)."""
    topic_forms = form.rsplit("_", 1)[0]
    for name in ("step", "conclude", "participants", "results"):
        forget_form(f"{topic_forms}_{name}")
    for name in ("step", "conclude"):  # not seeded by edit_form: see start_anew
        st.session_state[f"{topic_forms}_{name}#anew"] = True
    flash(message_key, **params)
    st.rerun()


def start_anew(form: str, defaults: dict[str, object]) -> None:
    """After a save, set the fields of a step's form to ``defaults`` before its widgets
    are drawn: forgetting them is not enough, the browser would go on showing (and
    sending) the last step's day and note in the next step's form."""
    if st.session_state.pop(f"{form}#anew", False):
        for field, value in defaults.items():
            st.session_state[field_key(form, field)] = value


# --- a new topic --------------------------------------------------------------------------


def new_tab() -> None:
    entry_form.ready_for_the_next(NEW, ("kind", "source", "proposed_on", "committee_id"))
    organisation_id = entry_form.organisation_choice(NEW, page)
    source = st.segmented_control(tr("topics.field.source"), SOURCES, default="typed",
                                  required=True, key=field_key(NEW, "source"),
                                  format_func=lambda s: tr(f"topics.source.{s}"))
    draft = topic_fields(organisation_id, source)
    if st.button(tr("topics.create"), type="primary", icon=":material/add:",
                 key=f"{NEW}.#save"):
        form_digest = entry_form.digest((organisation_id, draft))
        key = entry_form.idempotency_key(NEW, page, form_digest)
        made: list[int] = []
        if save_form(NEW, page.engine, lambda session: made.append(topics.create_topic(
                session=session, actor=page.actor, organisation_id=organisation_id,
                draft=draft, idempotency_key=key, today=page.today).id)):
            entry_form.saved(NEW, form_digest, key)
            st.session_state["topic_list.open"] = made[0]
            flash("topics.created", id=made[0])
            st.rerun()


def topic_fields(organisation_id: int, source: str) -> TopicDraft:
    """The new topic's fields; the source decides which pickers show."""
    problem_ids: list[int] = []
    report_id = None
    if source == "problems":
        offered = page.cached(problems.open_problems, organisation_id=organisation_id)
        keep_offered("problem_ids", offered)
        if not offered:
            st.info(tr("topics.new.no_problems"))
        problem_ids = choices_field(NEW, "problem_ids", tr("topics.field.problem_ids"),
                                    list(offered), format_func=lambda i: offered.get(i, f"#{i}"),
                                    placeholder=tr("topics.field.problems_hint"))
    elif source == "report":
        reports = page.cached(topics.report_choices, organisation_id=organisation_id)
        report_id = choice_field(NEW, "opinion_report_id", tr("topics.field.report"),
                                 list(reports), index=None,
                                 format_func=lambda i: reports.get(i, f"#{i}"),
                                 placeholder=tr("topics.field.choose"))
    left, middle, right = st.columns(3)
    with left:
        kind = choice_field(NEW, "kind", tr("topics.column.kind"), list(TopicKind),
                            format_func=enum_text)
    committees = page.cached(topics.committee_choices, organisation_id=organisation_id)
    with middle:
        committee_id = choice_field(NEW, "committee_id", tr("topics.column.committee"),
                                    list(committees), index=0 if len(committees) == 1 else None,
                                    format_func=lambda i: committees.get(i, f"#{i}"),
                                    placeholder=tr("topics.field.choose"))
    with right:
        proposed_on = date_field(NEW, "proposed_on", tr("topics.column.proposed_on"),
                                 default=page.today, max_value=page.today)
    month, group = None, ""
    if kind is TopicKind.SUPERVISION:
        left, right = st.columns(2)
        with left:
            month = date_field(NEW, "supervision_month", tr("topics.field.supervision_month"),
                               default=page.today.replace(day=1),
                               help=tr("topics.filter.month_help"))
        with right:
            group = text_field(NEW, "supervision_group", tr("topics.column.supervision_group"),
                               max_chars=topics.GROUP_LENGTH)
    title = text_field(NEW, "title", tr("topics.column.title"), max_chars=topics.TITLE_LENGTH)
    description = text_area_field(NEW, "description", tr("topics.field.description"),
                                  height=TEXT_HEIGHT)
    left, right = st.columns([2, 1])
    choices = page.cached(topics.member_choices, organisation_id=organisation_id)
    with left:
        member_ids = choices_field(NEW, "member_ids", tr("topics.field.member_ids"),
                                   list(choices), format_func=lambda i: choices.get(i, f"#{i}"),
                                   placeholder=tr("topics.field.members_hint"))
    stations = page.cached(topics.workstation_choices, organisation_id=organisation_id)
    with right:
        workstation_id = choice_field(NEW, "workstation_id", tr("topics.field.workstation"),
                                      [None, *stations],
                                      format_func=lambda i: tr("topics.field.none")
                                      if i is None else stations.get(i, f"#{i}"))
    return TopicDraft(kind=kind, title=title, description=description,
                      committee_id=committee_id, proposed_on=proposed_on,
                      supervision_month=month, supervision_group=group,
                      workstation_id=workstation_id, opinion_report_id=report_id,
                      problem_ids=tuple(problem_ids), member_ids=tuple(member_ids))


def keep_offered(field: str, offered: dict[int, str]) -> None:
    """Drop chosen ids no longer offered (taken up by a colleague meanwhile) before the
    widget is drawn: Streamlit refuses a value outside its options."""
    key = field_key(NEW, field)
    if isinstance(st.session_state.get(key), list):
        st.session_state[key] = [i for i in st.session_state[key] if i in offered]


# --- the figures --------------------------------------------------------------------------


def figures_tab() -> None:
    by = st.segmented_control(tr("topics.figures.by"), list(topics.Grouping),
                              default=topics.Grouping.COMMITTEE, required=True,
                              key="topic_figures.by",
                              format_func=lambda g: tr(f"topics.figures.{g.value}"))
    table = page.cached(topics.topics_by_stage, by=by)
    table["name"] = table["name"].fillna(tr("topics.figures.total"))
    labels = {"name": tr(f"topics.figures.{by.value}")} | {
        stage.value: enum_text(stage) for stage in TopicStage} | {
        "total": tr("topics.figures.total")}
    labelled_table(table, labels, file_name=f"topics_by_stage_{by.value}",
                   entity="ConsultationTopic")
    st.subheader(tr("topics.figures.taken_up"), anchor=False)
    period = period_picker(today=page.today, key="topic_figures.period")
    taken = page.cached(topics.problems_taken_up, first=period.starts_on, last=period.ends_on,
                        by=by)
    taken["name"] = taken["name"].fillna(tr("topics.figures.total"))
    for share in ("topic_share", "proposal_share", "taken_up_share"):
        taken[share] = taken[share].map(fmt_percent)
    labels = {"name": tr(f"topics.figures.{by.value}")} | {
        column: tr(f"topics.figures.{column}") for column in (
            "collected", "to_topic", "topic_share", "to_proposal", "proposal_share",
            "taken_up_share")}
    labelled_table(taken, labels, file_name=f"problems_taken_up_{period.starts_on:%Y%m%d}",
                   entity="CollectedProblem")




st.title(tr("nav.topics"))
show_flash()
views = [(tr("topics.tab.list"), list_tab)]
if page.actor.role in (Role.ADMIN, Role.STAFF):
    views.append((tr("topics.tab.new"), new_tab))
views.append((tr("topics.tab.figures"), figures_tab))
lazy_tabs("topic_list.tab", views)
