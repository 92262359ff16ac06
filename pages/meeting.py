"""例会投屏 (meeting screen, issue 13): the weekly office meeting runs from a projector.

Set up (the filters of the dashboards, an optional timer), then present: the sidebar and
Streamlit's chrome go, one slide fills the screen, and the slides advance by the arrow
keys, space or page keys (a presenter's clicker), by the buttons under the slide, or by
the timer. The slide is drawn in a fragment that reruns by itself, so the figures stay
live (``ui.live``) without leaving the current slide. The same slides are built as one
PDF and as PNG images for circulation, named with the day.

The setup widgets stay drawn (hidden) while presenting, so their choices are kept when
the presentation ends."""

import time

import streamlit as st

from services import members
from services.dashboard import DashboardFilters
from services.exports import FileFormat, audited_file
from ui.components import show_problem
from ui.dashboard_filters import dashboard_filters
from ui.i18n import fmt_number, language, tr
from ui.live import LIVE_SECONDS, live_page, refreshed_at
from ui.meeting_deck import Slide, meeting_slides
from ui.meeting_export import ExportProblem, deck_pdf, deck_pngs, file_stem, png_names, png_zip
from ui.meeting_html import PRESENTING_CSS, slide_html
from ui.page import PageContext, open_page
from ui.table import file_buttons

PRESENTING = "meeting_presenting"
SLIDE = "meeting_slide"
SHOWN_AT = "meeting_shown_at"  # when the current slide came up (the timer counts from it)
PAUSED = "meeting_paused"
STARTED_AT = "meeting_started_at"
FILES = "meeting_files"  # the last files built: (what they show, stem, {format: bytes})
# A presentation keeps its sign-in alive (a projector nobody touches during the meeting
# must not fall back to the sign-in page at the idle time-out), for this long at most.
PRESENTING_KEEPS_SIGNED_IN = 4 * 60 * 60  # seconds
SLIDE_KEYS = ("week", "quota", "committees", "opinions", "stations", "remind")
TIMER_CHOICES = (0, 10, 20, 30, 60, 120)  # seconds a slide shows; 0: no timer
FILTER_KEY = "meeting"

# Keys while presenting (Streamlit's own button shortcuts): the left and right arrows press
# the buttons under the slide, Escape ends the presentation; space and the page keys (what
# a presenter's clicker sends) press hidden twins of the buttons.
KEY_TWINS = (("Space", 1), ("PageDown", 1), ("Down", 1), ("PageUp", -1), ("Up", -1))

HIDE_CSS = ("<style>.st-key-meeting_setup { display: none !important; }"
            ".st-key-meeting_keys { position: absolute !important; width: 0; height: 0;"
            " overflow: hidden; }</style>")

page = open_page()
state = st.session_state


def scope_name(current: PageContext, filters: DashboardFilters) -> str:
    """Whose meeting: the committee, else the organisation chosen, else the top one."""
    lookup = current.cached(members.lookups)
    chosen = state.get(f"{FILTER_KEY}.organisation")
    parts = [lookup.organisations[chosen].strip() if chosen in lookup.organisations
             else next(iter(lookup.organisations.values()), "").strip()]
    for kind, value in (("committees", filters.committee_id),
                        ("sectors", filters.sector_id)):
        if value is not None:
            parts.append(lookup.plain.get((kind, value), ""))
    return " · ".join(part for part in parts if part)


def deck_for(current: PageContext, filters: DashboardFilters) -> list[Slide]:
    return current.cached(meeting_slides, filters=filters, today=current.today,
                          language=language(), scope=scope_name(current, filters))


def start() -> None:
    state[PRESENTING], state[SLIDE], state[PAUSED] = True, 0, False
    state[SHOWN_AT] = state[STARTED_AT] = time.monotonic()


def move(step: int) -> None:
    state[SLIDE] = state.get(SLIDE, 0) + step
    state[SHOWN_AT] = time.monotonic()


def build_files(filters: DashboardFilters) -> None:
    """The slides as one PDF and a ZIP of PNGs, with a progress bar; each file audited."""
    bar = st.progress(0.0, text=tr("meeting.export.building"))
    try:
        deck = deck_for(page, filters)
        count = len(deck)

        def report(share: float, step: str) -> None:
            bar.progress(min(share, 1.0), text=tr(step, count=fmt_number(count)))

        pdf = deck_pdf(deck, progress=lambda done: report(done / 2, "meeting.export.pdf"))
        pngs = deck_pngs(deck, progress=lambda done: report(0.5 + done / 2,
                                                            "meeting.export.png"))
    except ExportProblem as problem:
        bar.empty()
        show_problem(problem)
        return
    day = page.today
    files = {FileFormat.PDF: pdf, FileFormat.ZIP: png_zip(pngs, png_names(deck, day))}
    bar.progress(1.0, text=tr("meeting.export.done", count=fmt_number(count)))
    state[FILES] = ((filters, language(), day), file_stem(day), count, files)


def download_buttons() -> None:
    """The files last built, handed out as every file is (``ui.table.file_buttons``): the
    audit row is written when one is downloaded."""
    _, stem, count, files = state[FILES]
    engine, actor = page.engine, page.actor
    file_buttons(stem, lambda file_format: audited_file(
        engine=engine, actor=actor, what="Meeting", rows=count, file_format=file_format,
        content=files[file_format]),
        labels={FileFormat.PDF: tr("meeting.export.pdf_file"),
                FileFormat.ZIP: tr("meeting.export.png_file")},
        formats=(FileFormat.PDF, FileFormat.ZIP))


def setup() -> DashboardFilters:
    st.title(tr("nav.meeting"), anchor=False)
    st.caption(tr("meeting.caption"))
    filters = dashboard_filters(page, key=FILTER_KEY)
    timer_column, start_column = st.columns([2, 3], vertical_alignment="bottom")
    timer_column.selectbox(
        tr("meeting.timer"), TIMER_CHOICES, key="meeting_timer",
        format_func=lambda s: tr("meeting.timer_off") if not s else tr(
            "meeting.timer_seconds", seconds=s))
    start_column.button(tr("meeting.start"), type="primary", icon=":material/slideshow:",
                        on_click=start, key="meeting_start")
    st.caption(tr("meeting.keys_help"))
    st.markdown(f"**{tr('meeting.slides')}**")  # named only: nothing is read until shown
    st.markdown("\n".join(f"{number}. {tr(f'meeting.{key}.title')}"
                          for number, key in enumerate(SLIDE_KEYS, 1)))
    st.subheader(tr("meeting.export.heading"), anchor=False)
    st.caption(tr("meeting.export.caption"))
    if st.button(tr("meeting.export.build"), icon=":material/picture_as_pdf:",
                 key="meeting_build"):
        build_files(filters)
    if FILES in state and state[FILES][0] != (filters, language(), page.today):
        del state[FILES]  # built for other filters, language or day: not offered
    if FILES in state:
        download_buttons()
    return filters


# Back on the page after leaving it mid-presentation (the browser's back button): the
# setup's widgets were forgotten with the page, so start from the setup again rather
# than present another scope without a word.
if state.get(PRESENTING) and "meeting_timer" not in state:
    state[PRESENTING] = False

with st.container(key="meeting_setup"):
    filters = setup()

timer = int(state.get("meeting_timer") or 0)


@st.fragment(run_every=min(LIVE_SECONDS, max(1, timer // 5)) if timer else LIVE_SECONDS)
def presentation() -> None:
    """The current slide and its buttons; rerun by itself for the live figures and the
    timer, the slide number kept in the session."""
    current = live_page(activity=time.monotonic() - state.get(STARTED_AT, 0)
                        < PRESENTING_KEEPS_SIGNED_IN)
    deck = deck_for(current, filters)
    total = len(deck)
    if timer and not state.get(PAUSED) and time.monotonic() - state.get(SHOWN_AT, 0) >= timer:
        state[SLIDE] = (state.get(SLIDE, 0) + 1) % total  # the timer goes round
        state[SHOWN_AT] = time.monotonic()
    index = min(max(state.get(SLIDE, 0), 0), total - 1)
    state[SLIDE] = index
    status = [tr("meeting.updated", time=refreshed_at(), seconds=LIVE_SECONDS)]
    if timer:
        status.append(tr("meeting.paused") if state.get(PAUSED)
                      else tr("meeting.timer_on", seconds=timer))
    status.append(f"{index + 1} / {total}")
    st.html(slide_html(deck[index], number=index + 1, total=total, status=" · ".join(status)))
    columns = st.columns([1, 1, 1, 1, 4] if timer else [1, 1, 1, 5])
    columns[0].button(tr("meeting.previous"), icon=":material/chevron_left:",
                      key="meeting_previous", disabled=index == 0, on_click=move, args=(-1,),
                      shortcut="Left", width="stretch")
    columns[1].button(tr("meeting.next"), icon=":material/chevron_right:",
                      key="meeting_next", disabled=index == total - 1, on_click=move,
                      args=(1,), shortcut="Right", width="stretch")
    if timer:
        columns[2].button(tr("meeting.resume") if state.get(PAUSED) else tr("meeting.pause"),
                          key="meeting_pause", width="stretch",
                          on_click=lambda: state.update({PAUSED: not state.get(PAUSED),
                                                         SHOWN_AT: time.monotonic()}))
    with st.container(key="meeting_keys"):
        for key, step in KEY_TWINS:
            if 0 <= index + step < total:
                st.button(key, key=f"meeting_key_{key}", on_click=move, args=(step,),
                          shortcut=key)
    if columns[-2].button(tr("meeting.stop"), icon=":material/close:", key="meeting_stop",
                          shortcut="Esc", width="stretch"):
        state[PRESENTING] = False
        st.rerun(scope="app")


if state.get(PRESENTING):
    st.html(PRESENTING_CSS + HIDE_CSS)
    presentation()
