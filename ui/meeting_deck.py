"""The meeting's slides as plain data (issue 13): each slide answers one question, in
words of the chosen language, ready for the two ways they are drawn: HTML on the
projector (``ui.meeting_html``) and SVG turned into PDF and PNG for circulation
(``ui.meeting_export``). No streamlit here, so the slides are built and tested alike for
both.

Text typed by users (names, report titles) is cleaned of control characters and cut to
what fits a slide (``fit``); each drawing escapes it for its own markup.
"""

import unicodedata
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlmodel import Session

from core.i18n import enum_label, format_date, format_number, t
from models import OpinionStatus
from services.actors import Actor
from services.dashboard import DashboardFilters, QuotaTally, Tally
from services.meeting import MeetingFigures, meeting_figures
from services.periods import Period, PeriodKind

ROWS = 8  # table rows on a slide (more are counted in a line under it)
BARS = 10


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    note: str = ""
    delta: str = ""
    tone: str = "flat"  # "good", "bad" or "flat": the delta's colour


@dataclass(frozen=True)
class Bar:
    label: str
    share: float  # 0..1, the bar's length
    text: str


@dataclass(frozen=True)
class Panel:
    """A heading over either bars or a table; ``empty`` when it has neither."""

    heading: str
    bars: tuple[Bar, ...] = ()
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    numeric: tuple[bool, ...] = ()  # right-aligned columns
    more: str = ""  # "and 12 more"
    empty: str = ""


@dataclass(frozen=True)
class Slide:
    key: str
    title: str
    subtitle: str
    tiles: tuple[Tile, ...] = ()
    panels: tuple[Panel, ...] = ()
    empty: str = ""  # the slide has nothing to show at all
    footer: str = ""


# --- text that fits -------------------------------------------------------------------------


def width_of(text: str) -> float:
    """The text's width in ems, roughly: a CJK character one em (and the ambiguous ones,
    …, —, ▲, which the CJK font draws full width), others about half."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WFA" else 0.55 for c in text)


def fit(text: object, ems: float) -> str:
    """``text`` as one clean line (control and format characters that could break the
    markup or reorder the line made spaces) cut with "…" to about ``ems`` wide."""
    clean = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c
                    for c in str(text if text is not None and not pd.isna(text) else "—"))
    clean = " ".join(clean.split()) or "—"
    if width_of(clean) <= ems:
        return clean
    cut, used = [], 1.0
    for c in clean:
        used += width_of(c)
        if used > ems:
            break
        cut.append(c)
    return "".join(cut).rstrip() + "…"


# --- the slides -----------------------------------------------------------------------------


def meeting_slides(*, session: Session, actor: Actor, filters: DashboardFilters,
                   today: date, language: str, scope: str) -> list[Slide]:
    """The slides of the meeting's figures, as ``page.cached`` keeps them: a slide's
    rerun then costs the cache's read, not the slides' building."""
    return build_deck(meeting_figures(session=session, actor=actor, filters=filters,
                                      today=today), language, scope)


def build_deck(figures: MeetingFigures, language: str, scope: str) -> list[Slide]:
    """The meeting's six slides for the figures, in ``language``; ``scope`` names whose
    meeting it is (an organisation, a committee) for every slide's footer."""
    words = _Words(language)
    footer = words("meeting.footer", scope=fit(scope, 60),
                   day=format_date(figures.day, language))
    slides = [_week(figures, words), _quota(figures, words), _committees(figures, words),
              _opinions(figures, words), _stations(figures, words), _remind(figures, words)]
    return [Slide(**{**slide.__dict__, "footer": footer}) for slide in slides]


class _Words:
    def __init__(self, language: str) -> None:
        self.language = language

    def __call__(self, key: str, **params: object) -> str:
        return t(key, self.language, **params)

    def number(self, value: float) -> str:
        return format_number(value, self.language)

    def percent(self, share: float | None) -> str:
        if share is None or pd.isna(share):
            return "—"
        return self("filter.percent", value=self.number(round(share * 100, 1)))

    def day(self, value: date) -> str:
        return format_date(value, self.language)

    def period(self, period: Period) -> str:
        """2026年第四季度, 2026年下半年 (the compliance screen's names)."""
        letter = "Q" if period.kind is PeriodKind.QUARTER else "H"
        return self(f"compliance_page.span_{letter}{period.index}", year=period.year)


def _change(words: _Words, change: float, unit_key: str = "meeting.delta") -> tuple[str, str]:
    if not change:
        return words("meeting.no_change"), "flat"
    arrow = "▲" if change > 0 else "▼"
    return (words(unit_key, arrow=arrow, change=words.number(abs(change))),
            "good" if change > 0 else "bad")


def _week(figures: MeetingFigures, words: _Words) -> Slide:
    week = figures.week

    def tile(key: str, tally: Tally) -> Tile:
        delta, tone = _change(words, tally.change)
        return Tile(words(f"meeting.week.{key}"), words.number(tally.now),
                    note=words("meeting.week.last", count=words.number(tally.week_ago)),
                    delta=delta, tone=tone)

    return Slide("week", words("meeting.week.title"), words(
        "meeting.week.subtitle", first=words.day(week.first), last=words.day(week.last)),
        tiles=(tile("visits", week.visits), tile("reports", week.reports),
               tile("problems", week.problems_handled),
               tile("activities", week.activities)))


def _quota(figures: MeetingFigures, words: _Words) -> Slide:
    day = figures.day

    def tile(key: str, quota: QuotaTally) -> Tile:
        delta, tone = "", "flat"
        if quota.share is not None and quota.share_week_ago is not None:
            delta, tone = _change(words, round((quota.share - quota.share_week_ago) * 100, 1),
                                  "meeting.delta_points")
        return Tile(words(f"meeting.quota.{key}", period=words.period(quota.period)),
                    words.percent(quota.share),
                    note=words("meeting.quota.note", met=words.number(quota.met),
                               required=words.number(quota.required),
                               exempt=words.number(quota.exempt),
                               days=words.number(quota.period.days_left(day))),
                    delta=delta, tone=tone)

    overview = figures.overview
    slide = Slide("quota", words("meeting.quota.title"), words(
        "meeting.quota.subtitle", day=words.day(day)),
        tiles=(tile("contact", overview.contact), tile("report", overview.report)))
    if not overview.contact.required + overview.contact.exempt:
        return Slide(**{**slide.__dict__, "tiles": (), "empty": words("meeting.no_members")})
    return slide


def _committees(figures: MeetingFigures, words: _Words) -> Slide:
    """The committees best first; more than ``BARS`` of them: the first and the last
    ``BARS`` side by side (the meeting asks who leads and who lags)."""
    frame = figures.overview.committees
    several = frame["organisation"].nunique() > 1

    def bars(rows: pd.DataFrame, ems: float) -> tuple[Bar, ...]:
        return tuple(
            Bar(fit(f"{name}（{organisation}）" if several else name, ems),
                0.0 if pd.isna(contact) else float(contact),
                words("meeting.committees.bar", contact=words.percent(contact),
                      report=words.percent(report)))
            for name, organisation, contact, report in rows[
                ["name", "organisation", "contact_share", "report_share"]].itertuples(
                index=False))

    empty = words("meeting.no_members")
    if len(frame) <= BARS:
        panels = (Panel(words("meeting.committees.heading"), bars=bars(frame, 20),
                        empty=empty),)
    else:  # the first half (at most BARS), and the last of the rest with a share
        top = frame.head(min(BARS, (len(frame) + 1) // 2))
        rest = frame.iloc[len(top):]
        bottom = rest[rest["contact_share"].notna()].tail(BARS)
        hidden = len(frame) - len(top) - len(bottom)
        panels = (Panel(words("meeting.committees.first", count=len(top)),
                        bars=bars(top, 14), empty=empty),
                  Panel(words("meeting.committees.last", count=len(bottom)),
                        bars=bars(bottom, 14), empty=empty,
                        more=words("meeting.committees.between", count=hidden)
                        if hidden > 0 else ""))
    return Slide("committees", words("meeting.committees.title"),
                 words("meeting.committees.subtitle",
                       period=words.period(figures.overview.quarter)),
                 panels=panels)


def _opinions(figures: MeetingFigures, words: _Words) -> Slide:
    stages = figures.stages
    largest = max(stages.by_status.values(), default=0) or 1
    shown = [status for status in OpinionStatus if stages.by_status.get(status)]
    bars = tuple(Bar(enum_label(status, words.language), stages.by_status[status] / largest,
                     words.number(stages.by_status[status])) for status in shown)
    overdue = figures.overdue
    rows = tuple(
        (fit(title, 22), fit(committee, 9), fit(lead, 5), words.number(days))
        for title, committee, lead, days in overdue[
            ["title", "committee", "lead_member", "days_overdue"]].head(ROWS - 2).itertuples(
            index=False))
    delta_tone = "bad" if len(overdue) else "good"
    return Slide(
        "opinions", words("meeting.opinions.title"),
        words("meeting.opinions.subtitle", year=figures.day.year),
        tiles=(Tile(words("meeting.opinions.submitted"), words.number(stages.total)),
               Tile(words("meeting.opinions.overdue"), words.number(len(overdue)),
                    delta=words("meeting.opinions.overdue_note") if len(overdue) else "",
                    tone=delta_tone)),
        panels=(Panel(words("meeting.opinions.stages"), bars=bars,
                      empty=words("meeting.opinions.no_reports")),
                _table(words, "meeting.opinions.overdue_list",
                       (("meeting.opinions.report", False), ("meeting.column.committee", False),
                        ("meeting.opinions.lead", False),
                        ("meeting.opinions.days_overdue", True)),
                       rows, total=len(overdue), empty="meeting.opinions.none_overdue")))


def _stations(figures: MeetingFigures, words: _Words) -> Slide:
    stations = figures.stations
    station = (("meeting.stations.station", False), ("meeting.column.committee", False))
    busy = tuple((fit(name, 13), fit(committee, 8), words.number(activities))
                 for name, committee, activities in stations.most_active[
                     ["name", "committee", "activities"]].itertuples(index=False))
    idle = tuple(
        (fit(name, 13), fit(committee, 8),
         words("meeting.stations.never") if pd.isna(days) else
         words("meeting.stations.days", days=words.number(int(days))))
        for name, committee, days in stations.idle_list[
            ["name", "committee", "days_since"]].itertuples(index=False))
    return Slide(
        "stations", words("meeting.stations.title"),
        words("meeting.stations.subtitle", period=words.period(figures.overview.quarter)),
        tiles=(Tile(words("meeting.stations.active"), words.number(stations.active)),
               Tile(words("meeting.stations.idle"), words.number(stations.idle),
                    tone="bad" if stations.idle else "good",
                    delta=words("meeting.stations.idle_note") if stations.idle else "")),
        panels=(_table(words, "meeting.stations.busiest", (*station, (
                    "meeting.stations.activities", True)), busy,
                       empty="meeting.stations.no_activity"),
                _table(words, "meeting.stations.idle_list", (*station, (
                    "meeting.stations.since", True)), idle, total=stations.idle,
                       empty="meeting.stations.none_idle")))


def _remind(figures: MeetingFigures, words: _Words) -> Slide:
    """A row per member: what is still to do in the current periods and the fewest days
    left, the most urgent first (then the most still to do, then as the list was)."""
    remind = figures.remind
    people: dict[int, list] = {}
    for member_id, member, committee, rule, done, required, days in remind[
            ["member_id", "member", "committee", "rule", "done", "required",
             "days_left"]].itertuples(index=False):
        person = people.setdefault(member_id, [member, committee, [], days])
        person[2].append((rule, done, required))
        person[3] = min(person[3], days)
    ordered = sorted(people.values(), key=lambda person: (person[3], -len(person[2])))

    def todo(rule: str, done: int, required: int) -> str:
        return words("meeting.remind.todo", rule=words(f"meeting.remind.{rule}"),
                     done=words.number(done), required=words.number(required))

    rows = tuple((fit(member, 8), fit(committee, 10),
                  fit("；".join(todo(*one) for one in rules), 24), words.number(days))
                 for member, committee, rules, days in ordered[:ROWS])
    return Slide(
        "remind", words("meeting.remind.title"),
        words("meeting.remind.subtitle", count=words.number(len(people))),
        panels=(_table(words, "meeting.remind.heading",
                       (("meeting.remind.member", False), ("meeting.column.committee", False),
                        ("meeting.remind.rule", False), ("meeting.remind.days_left", True)),
                       rows, total=len(people), empty="meeting.remind.nobody"),))


def _table(words: _Words, heading: str, columns: tuple[tuple[str, bool], ...],
           rows: tuple[tuple[str, ...], ...], *, empty: str,
           total: int | None = None) -> Panel:
    """A table panel: ``columns`` as (message key, right-aligned); of ``total`` rows (when
    given) those not shown are counted under it."""
    more = ""
    if total is not None and total > len(rows):
        more = words("meeting.more", count=words.number(total - len(rows)))
    return Panel(words(heading), columns=tuple(words(key) for key, _ in columns),
                 numeric=tuple(right for _, right in columns), rows=rows, more=more,
                 empty=words(empty))
