"""The quota compliance engine (issue 12, first part: services, no screens yet).

For a span (a quarter, half-year or year) and a set of members, one row per member, rule
and rule period inside the span: how many contacts (or reports) were required, how many
were done, and the status, by the Decisions in ``../shared/domain.md``:

- **Periods.** The contact quota runs per calendar quarter, the report quota per
  half-year, boundaries inclusive; a span lists every rule period overlapping it (the
  first quarter lists the contact quarter and the report half-year holding it).
- **Who is required.** Days in office inside the period minus days of *approved* leave
  inside it, at least the grace days (default 30): required. Otherwise *exempt*, with the
  reason (joined late, left early, on leave).
- **What counts.** Contacts: every live visit the member took part in (a joint visit for
  each member on it) and every live station activity they attended on a day the dated
  setting says activities count (``services.workstations``). Reports: every live report
  the member signed, lead or co-signer (co-signers count by default), by its submission
  date, adopted or not. Soft-deleted records never count.
- **ComplianceStatus.** met (done ≥ required); pending (not over, not met; with days left); missed
  (over, not met); exempt (with the reason).
- **Where the member stood.** The organisation, committee and sector of the assignment in
  force on the member's last day in office inside the period, so past periods keep the
  committee of then.

The required number, the grace days and whether co-signers count are dated settings
(``services.quota_rules``): a period runs with the settings it started with.
"""

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import ColumnElement, FromClause, and_, case, func, or_
from sqlmodel import Session, col, select

from models import (
    Committee,
    Member,
    MemberAssignment,
    OpinionReport,
    OpinionReportMember,
    Organisation,
    Role,
    Sector,
    Term,
    Visit,
    VisitMember,
    WorkstationActivity,
    WorkstationActivityMember,
)
from services.actors import Actor
from services.errors import PermissionDenied
from services.leaves import approved_leaves_between
from services.organisations import in_scope
from services.periods import Period, PeriodKind, half_year_of, quarter_of, year_of
from services.quota_rules import (
    RULE_PERIOD,
    ComplianceRule,
    RuleSettings,
    rule_history,
    settings_for,
)
from services.workstations import counting_spans


class ComplianceStatus(StrEnum):
    MET = "met"
    PENDING = "pending"
    MISSED = "missed"
    EXEMPT = "exempt"


class ExemptReason(StrEnum):
    JOINED_LATE = "joined_late"
    LEFT_EARLY = "left_early"
    ON_LEAVE = "on_leave"


# --- periods ---------------------------------------------------------------------------------

_SPAN = re.compile(r"^\s*(\d{4})\s*(?:([Qq])([1-4])|([Hh])([12]))?\s*$")


def parse_span(text: str) -> Period:
    """``2027Q1``, ``2027H1`` or ``2027`` as its period; ``ValueError`` otherwise."""
    found = _SPAN.match(text or "")
    if not found:
        raise ValueError(f"not a period: {text!r} (write 2027Q1, 2027H1 or 2027)")
    year = int(found.group(1))
    if found.group(3):
        return quarter_of(date(year, 3 * int(found.group(3)) - 2, 1))
    if found.group(5):
        return half_year_of(date(year, 6 * int(found.group(5)) - 5, 1))
    return year_of(date(year, 1, 1))


@dataclass(frozen=True)
class TermSpan:
    """A term (届) as a span of the engine: from its first day to its last (a term still
    running, with no last day set, to the eve of its fifth anniversary)."""

    term_id: int
    number: int
    name: str
    starts_on: date
    ends_on: date


_TERM = re.compile(r"^\s*term\s*(\d+)\s*$", re.IGNORECASE)


def term_number(text: str) -> int | None:
    """``term14`` (the command line's whole term) as 14; None for anything else."""
    found = _TERM.match(text or "")
    return int(found.group(1)) if found else None


def term_span(*, session: Session, actor: Actor, term_id: int) -> TermSpan:
    """The term as a span; a term of an organisation the actor does not see is refused."""
    term = session.get(Term, term_id)
    if term is None or not session.exec(select(Term.id).where(
            Term.id == term_id, in_scope(Term.organisation_id, actor))).first():
        raise PermissionDenied()
    ends_on = term.ends_on
    if ends_on is None:
        start = term.starts_on
        anniversary = (date(start.year + 5, 3, 1) if (start.month, start.day) == (2, 29)
                       else start.replace(year=start.year + 5))
        ends_on = anniversary - timedelta(days=1)
    return TermSpan(term_id=term.id, number=term.number, name=term.name,
                    starts_on=term.starts_on, ends_on=ends_on)


def span_name(period: Period | TermSpan) -> str:
    """The period as the command line writes it: 2027Q1, 2027H1, 2027, term14."""
    if isinstance(period, TermSpan):
        return f"term{period.number}"
    return {PeriodKind.QUARTER: f"{period.year}Q{period.index}",
            PeriodKind.HALF_YEAR: f"{period.year}H{period.index}",
            PeriodKind.YEAR: f"{period.year}"}[period.kind]


def rule_periods(rule: ComplianceRule, span: Period | TermSpan) -> list[Period]:
    """The rule's periods overlapping ``span``, in order."""
    kind = RULE_PERIOD[rule]
    of = quarter_of if kind is PeriodKind.QUARTER else half_year_of
    periods, day = [], of(span.starts_on).starts_on
    while day <= span.ends_on:
        periods.append(of(day))
        day = periods[-1].ends_on + timedelta(days=1)
    return periods


# --- the engine -------------------------------------------------------------------------------

FRAME_COLUMNS = ["member_id", "member", "phone", "name_key", "organisation_id", "organisation",
                 "committee_id", "committee", "sector_id", "sector", "term_id", "rule",
                 "period_start", "period_end", "period", "required", "done", "status",
                 "reason", "days_left"]
_OPEN_END = date.max.toordinal()


@dataclass(frozen=True)
class ComplianceRow:
    member_id: int
    member: str
    phone: str | None
    organisation_id: int
    organisation: str
    committee_id: int
    committee: str
    sector_id: int
    sector: str
    rule: ComplianceRule
    period: Period
    required: int
    done: int
    status: ComplianceStatus
    reason: ExemptReason | None
    days_left: int  # for a pending row; 0 otherwise


def compliance(*, session: Session, actor: Actor, span: Period | TermSpan, today: date,
               organisation_ids: Collection[int] | None = None,
               committee_id: int | None = None,
               member_ids: Collection[int] | None = None, sector_id: int | None = None,
               term_id: int | None = None) -> list[ComplianceRow]:
    """``compliance_frame``'s rows as objects (tests and small sets of members)."""
    frame = compliance_frame(session=session, actor=actor, span=span, today=today,
                             organisation_ids=organisation_ids, committee_id=committee_id,
                             member_ids=member_ids, sector_id=sector_id, term_id=term_id)
    periods = {(rule, p.starts_on.toordinal()): p for rule in ComplianceRule
               for p in rule_periods(rule, span)}
    return [ComplianceRow(
        member_id=int(r.member_id), member=r.member, phone=r.phone,
        organisation_id=int(r.organisation_id), organisation=r.organisation,
        committee_id=int(r.committee_id), committee=r.committee, sector_id=int(r.sector_id),
        sector=r.sector, rule=ComplianceRule(r.rule),
        period=periods[(ComplianceRule(r.rule), int(r.period_start))],
        required=int(r.required), done=int(r.done), status=ComplianceStatus(r.status),
        reason=ExemptReason(r.reason) if isinstance(r.reason, str) else None,
        days_left=int(r.days_left)) for r in frame.itertuples(index=False)]


def compliance_frame(*, session: Session, actor: Actor, span: Period | TermSpan, today: date,
                     organisation_ids: Collection[int] | None = None,
                     committee_id: int | None = None,
                     member_ids: Collection[int] | None = None,
                     sector_id: int | None = None, term_id: int | None = None,
                     as_of: date | None = None, done_by: date | None = None) -> pd.DataFrame:
    """One row per member in office during a rule period of ``span``, rule and period
    (``FRAME_COLUMNS``; days as ordinals in ``period_start``/``period_end``), of the
    organisations the actor sees (and ``organisation_ids``), the committee of then
    ``committee_id`` (and sector of then ``sector_id``) or the members ``member_ids`` if
    given, seated in the term ``term_id`` if given; by member name, rule and period.
    Rule periods starting after ``today`` have no rows. ``as_of`` counts only the records
    dated up to that day (where the figures stood then;
    ``today`` should be that day too). ``done_by`` adds the column ``done_by``: what was
    done in the period up to that day (the overview's "a week ago"). Members see only
    themselves.

    Built column-wise: one vectorised pass per rule period over every member's seats,
    with the few members holding several seats in a period or on leave worked out one by
    one; the counts come from the store grouped by member and period."""
    if actor.role is Role.MEMBER:
        if actor.member_id is None:
            raise PermissionDenied()
        member_ids = [actor.member_id]
    if isinstance(span, TermSpan):  # a whole term: the members seated in it
        term_id = span.term_id
    seats = _seats(session, actor, span, organisation_ids, member_ids, term_id)
    if seats.empty:
        return pd.DataFrame(columns=FRAME_COLUMNS + (["done_by"] if done_by else []))
    leaves = {member_id: [(r.starts_on.toordinal(), r.ends_on.toordinal()) for r in ranges]
              for member_id, ranges in approved_leaves_between(
                  session=session, first=span.starts_on, last=span.ends_on,
                  member_ids=None if member_ids is None else member_ids).items()}
    history = rule_history(session=session)
    parts = []
    for rule in ComplianceRule:
        # a period not begun yet has no status (nobody is behind on it)
        periods = [p for p in rule_periods(rule, span) if p.starts_on <= today]
        if not periods:
            continue
        settings = [settings_for(rule, period, history) for period in periods]
        counts = (_contact_counts(session, periods, as_of, done_by)
                  if rule is ComplianceRule.CONTACT
                  else _report_counts(session, periods, as_of, done_by,
                                      cosigners={s.cosigners_count for s in settings}))
        for period, rule_settings in zip(periods, settings, strict=True):
            done = counts[(period.starts_on, rule_settings.cosigners_count)]
            rows = _period_rows(seats, leaves, rule, period, rule_settings, today, done)
            if done_by is not None:
                by = counts.get((("by", period.starts_on), rule_settings.cosigners_count))
                rows["done_by"] = (0 if by is None else by.reindex(
                    rows["member_id"], fill_value=0).to_numpy(dtype=np.int64))
            parts.append(rows)
    if not parts:
        return pd.DataFrame(columns=FRAME_COLUMNS + (["done_by"] if done_by else []))
    frame = pd.concat(parts, ignore_index=True)
    # kept by the seat of each period (the committee, sector, organisation and term of then)
    if organisation_ids is not None:
        frame = frame[frame["organisation_id"].isin(list(organisation_ids))]
    if term_id is not None:
        frame = frame[frame["term_id"] == term_id]
    if committee_id is not None:
        frame = frame[frame["committee_id"] == committee_id]
    if sector_id is not None:
        frame = frame[frame["sector_id"] == sector_id]
    return _named(session, frame).sort_values(
        ["name_key", "member_id", "rule", "period_start"], kind="stable",
        ignore_index=True)[FRAME_COLUMNS + (["done_by"] if done_by is not None else [])]


def _seats(session: Session, actor: Actor, span: Period | TermSpan,
           organisation_ids: Collection[int] | None,
           member_ids: Collection[int] | None, term_id: int | None) -> pd.DataFrame:
    """Every assignment overlapping the span of the live members in scope (days as
    ordinals; an open end as the last ordinal). With ``organisation_ids`` or ``term_id``,
    of the members holding such a seat in the span, all their seats: the rows are kept
    by the seat of each period afterwards (``compliance_frame``), so a member who
    changed term or organisation inside a period keeps their days of office."""
    overlapping = and_(MemberAssignment.starts_on <= span.ends_on,
                       or_(col(MemberAssignment.ends_on).is_(None),
                           col(MemberAssignment.ends_on) >= span.starts_on))
    query = (select(MemberAssignment.member_id, MemberAssignment.organisation_id,
                    MemberAssignment.committee_id, MemberAssignment.sector_id,
                    MemberAssignment.term_id, MemberAssignment.starts_on,
                    MemberAssignment.ends_on)
             .join(Member, col(Member.id) == MemberAssignment.member_id)
             .where(col(Member.deleted_at).is_(None), overlapping,
                    in_scope(MemberAssignment.organisation_id, actor)))
    if organisation_ids is not None or term_id is not None:
        holding = sa.select(MemberAssignment.member_id).where(overlapping)
        if organisation_ids is not None:
            holding = holding.where(
                col(MemberAssignment.organisation_id).in_(sorted(organisation_ids)))
        if term_id is not None:
            holding = holding.where(col(MemberAssignment.term_id) == term_id)
        query = query.where(col(MemberAssignment.member_id).in_(holding))
    if member_ids is not None:
        query = query.where(col(MemberAssignment.member_id).in_(sorted(member_ids)))
    rows = session.connection().execute(query).all()
    return pd.DataFrame({
        "member_id": np.fromiter((r[0] for r in rows), np.int64, len(rows)),
        "organisation_id": np.fromiter((r[1] for r in rows), np.int64, len(rows)),
        "committee_id": np.fromiter((r[2] for r in rows), np.int64, len(rows)),
        "sector_id": np.fromiter((r[3] for r in rows), np.int64, len(rows)),
        "term_id": np.fromiter((r[4] for r in rows), np.int64, len(rows)),
        "start": np.fromiter((_ordinal(r[5]) for r in rows), np.int64, len(rows)),
        "end": np.fromiter((_ordinal(r[6]) if r[6] is not None else _OPEN_END for r in rows),
                           np.int64, len(rows))})


def _period_rows(seats: pd.DataFrame, leaves: dict[int, list[tuple[int, int]]],
                 rule: ComplianceRule, period: Period, settings: RuleSettings, today: date,
                 done: pd.Series) -> pd.DataFrame:
    """The rows of one rule period, by the Decisions (module docstring)."""
    first, last = period.starts_on.toordinal(), period.ends_on.toordinal()
    live = seats[(seats["start"] <= last) & (seats["end"] >= first)]
    live = live.assign(cut_start=np.maximum(live["start"].to_numpy(), first),
                       cut_end=np.minimum(live["end"].to_numpy(), last))
    # The seat of the last day in office: the latest-starting seat reaching furthest.
    ordered = live.sort_values(["member_id", "cut_end", "start"], kind="stable")
    members = ordered.drop_duplicates("member_id", keep="last")
    member_ids = members["member_id"].to_numpy()
    first_day = members["cut_start"].to_numpy().copy()
    office_days = members["cut_end"].to_numpy() - first_day + 1
    leave_days = np.zeros(len(members), np.int64)
    # Worked out one by one: members with several seats in the period, or on leave.
    several = ordered["member_id"][ordered["member_id"].duplicated()].unique()
    irregular = np.flatnonzero(np.isin(member_ids, several)
                               | np.isin(member_ids, np.fromiter(leaves, np.int64)))
    spans: dict[int, list[tuple[int, int]]] = {}
    picked = live[live["member_id"].isin(member_ids[irregular])]
    for member_id, start, end in zip(picked["member_id"].tolist(), picked["cut_start"].tolist(),
                                     picked["cut_end"].tolist(), strict=True):
        spans.setdefault(member_id, []).append((start, end))
    for position in irregular:
        member_id = int(member_ids[position])
        office = _merged(spans[member_id])
        first_day[position] = office[0][0]
        office_days[position] = sum(b - a + 1 for a, b in office)
        leave_days[position] = sum(_overlap(leave, span) for leave in leaves.get(member_id, ())
                                   for span in office)
    required_flag = office_days - leave_days >= settings.grace_days
    required = np.where(required_flag, settings.required, 0)
    done_counts = done.reindex(member_ids, fill_value=0).to_numpy(dtype=np.int64)
    status = np.select([~required_flag, done_counts >= required, today <= period.ends_on],
                       [ComplianceStatus.EXEMPT.value, ComplianceStatus.MET.value,
                        ComplianceStatus.PENDING.value], ComplianceStatus.MISSED.value)
    reason = np.select(
        [required_flag, (leave_days > 0) & (office_days >= settings.grace_days),
         first_day > first],
        [None, ExemptReason.ON_LEAVE.value, ExemptReason.JOINED_LATE.value],
        ExemptReason.LEFT_EARLY.value)
    return pd.DataFrame({
        "member_id": member_ids,
        "organisation_id": members["organisation_id"].to_numpy(),
        "committee_id": members["committee_id"].to_numpy(),
        "sector_id": members["sector_id"].to_numpy(),
        "term_id": members["term_id"].to_numpy(), "rule": rule.value,
        "period_start": first, "period_end": last, "period": span_name(period),
        "required": required, "done": done_counts, "status": status, "reason": reason,
        "days_left": np.where(status == ComplianceStatus.PENDING.value,
                              period.days_left(today), 0)})


def _ordinal(day: object) -> int:
    """A date column as read back (SQLite may hand back text) as its ordinal."""
    return (day if isinstance(day, date) else date.fromisoformat(str(day)[:10])).toordinal()


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]) + 1)


# --- counting -----------------------------------------------------------------------------

# Per (window key, co-signers count): how many each member did, indexed by member; a
# window key is a period's first day, or ("by", first day) for the period up to done_by.
Counts = dict[tuple[date, bool], pd.Series]


Window = tuple[object, date, date]  # a key, its first and last day


def _windows(periods: list[Period], done_by: date | None) -> list[Window]:
    """Each period (keyed by its first day) and, with ``done_by``, each period up to that
    day (keyed ``("by", first day)``)."""
    windows: list[Window] = [(p.starts_on, p.starts_on, p.ends_on) for p in periods]
    if done_by is not None:
        windows += [(("by", p.starts_on), p.starts_on, min(p.ends_on, done_by))
                    for p in periods if done_by >= p.starts_on]
    return windows


def _per_period(session: Session, source: FromClause, member: ColumnElement,
                day: ColumnElement, windows: list[Window],
                within: ColumnElement[bool]) -> pd.DataFrame:
    """``source``'s rows counted per member (index) and window (a column per window's
    key): one row per member, each window a conditional sum, read through the core
    connection (the ORM's row objects cost more than the counting)."""
    sums = [func.sum(case((and_(day >= first, day <= last), 1), else_=0))
            for _, first, last in windows]
    rows = session.connection().execute(
        sa.select(member, *sums).select_from(source).where(within).group_by(member)).tuples()
    # plain tuples: pandas probes each of SQLAlchemy's rows for attributes, at a cost
    frame = pd.DataFrame(list(map(tuple, rows)),
                         columns=["member_id", *[key for key, _, _ in windows]])
    return frame.set_index("member_id").astype(np.int64)


def _contact_counts(session: Session, quarters: list[Period], as_of: date | None,
                    done_by: date | None) -> Counts:
    """Per quarter and member: live visits taken part in, plus live activities attended
    on days activities count. Counted from the members' rows alone (the day is copied
    onto them, indexed), less the rows of the few deleted visits and activities."""
    first, last = quarters[0].starts_on, quarters[-1].ends_on
    if as_of is not None:
        last = min(last, as_of)
    windows = _windows(quarters, done_by)
    visit_day = VisitMember.visit_date
    in_span = and_(visit_day >= first, visit_day <= last)
    parts = [
        _per_period(session, VisitMember.__table__, VisitMember.member_id, visit_day,
                    windows, in_span),
        -_per_period(session, VisitMember.__table__, VisitMember.member_id, visit_day,
                     windows, and_(in_span, col(VisitMember.visit_id).in_(_deleted(Visit))))]
    counting = counting_spans(session=session, first=first, last=last)
    if counting:
        day = WorkstationActivityMember.activity_date
        within = or_(*[and_(day >= a, day <= b) for a, b in counting])
        parts += [
            _per_period(session, WorkstationActivityMember.__table__,
                        WorkstationActivityMember.member_id, day, windows, within),
            -_per_period(session, WorkstationActivityMember.__table__,
                         WorkstationActivityMember.member_id, day, windows, and_(
                             within, col(WorkstationActivityMember.activity_id).in_(
                                 _deleted(WorkstationActivity))))]
    total = pd.concat(parts).groupby(level=0).sum()
    return {(key, cosigners): total[key] for key, _, _ in windows
            for cosigners in (True, False)}


def _report_counts(session: Session, halves: list[Period], as_of: date | None,
                   done_by: date | None, cosigners: set[bool]) -> Counts:
    """Per half-year and member: live reports signed (with co-signers) or led (without),
    by submission date; counted like the contacts."""
    day = OpinionReportMember.submitted_on
    counts: Counts = {}
    for with_cosigners in cosigners:
        last = halves[-1].ends_on if as_of is None else min(halves[-1].ends_on, as_of)
        within = and_(day >= halves[0].starts_on, day <= last)
        if not with_cosigners:
            within = and_(within, col(OpinionReportMember.is_lead).is_(True))
        windows = _windows(halves, done_by)
        found = (_per_period(session, OpinionReportMember.__table__,
                             OpinionReportMember.member_id, day, windows, within)
                 .sub(_per_period(session, OpinionReportMember.__table__,
                                  OpinionReportMember.member_id, day, windows, and_(
                                      within, col(OpinionReportMember.report_id).in_(
                                          _deleted(OpinionReport)))), fill_value=0))
        counts.update({(key, with_cosigners): found[key] for key, _, _ in windows})
    return counts


def _deleted(model: type[Visit | WorkstationActivity | OpinionReport]) -> sa.Select:
    """The ids of ``model``'s deleted rows (few: an index on the deleted mark finds them)."""
    return sa.select(model.id).where(col(model.deleted_at).is_not(None))


def _named(session: Session, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with the members' names, phones and sort keys and the names of their
    organisations, committees and sectors."""
    ids = frame["member_id"].unique().tolist()
    # a few members by their ids; many (a parameter list has limits) as every live one
    which = (col(Member.id).in_(ids) if len(ids) <= 900 else col(Member.deleted_at).is_(None))
    people = pd.DataFrame(
        list(map(tuple, session.connection().execute(
            sa.select(Member.id, Member.name, Member.phone, Member.name_key).where(which)))),
        columns=["id", "name", "phone", "key"]).set_index("id")
    name, phone = people["name"], people["phone"]
    key = people["key"].where(people["key"].notna() & (people["key"] != ""), people["name"])
    columns = {"member": frame["member_id"].map(name), "phone": frame["member_id"].map(phone),
               "name_key": frame["member_id"].map(key)}
    for kind, model in (("organisation", Organisation), ("committee", Committee),
                        ("sector", Sector)):
        wanted = sorted(int(i) for i in frame[f"{kind}_id"].unique())
        names = dict(session.exec(select(model.id, model.name)
                                  .where(col(model.id).in_(wanted))).all())
        columns[kind] = frame[f"{kind}_id"].map(names)
    return frame.assign(**columns)


# --- the table and its file (the command line; the pages of issue 12) ------------------------

TABLE_COLUMNS = ["member", "phone", "organisation", "committee", "sector", "rule", "period",
                 "required", "done", "status", "reason", "days_left"]


def compliance_table(frame: pd.DataFrame) -> pd.DataFrame:
    """``compliance_frame``'s rows as a table of plain values (``TABLE_COLUMNS``)."""
    table = frame[TABLE_COLUMNS].reset_index(drop=True)
    return table.astype({"required": int, "done": int, "days_left": int})


# --- the compliance screen ---------------------------------------------------------------------


@dataclass(frozen=True)
class ComplianceGrid:
    """``compliance_frame`` laid out for the screen: ``grid`` has a row per member (id,
    member, phone, organisation, committee, sector of the last period) and a column per
    rule period (``columns``: ``contact 2026Q4``…) whose cell is ``status|done|required|
    days left|reason``; ``summary`` counts each period's statuses; ``behind`` lists the
    pending and missed rows (``TABLE_COLUMNS`` and ``member_id``), fewest days left
    first, for reminder calls."""

    columns: list[str]
    grid: pd.DataFrame
    summary: pd.DataFrame
    behind: pd.DataFrame


def compliance_grid(*, session: Session, actor: Actor, span: Period | TermSpan, today: date,
                    organisation_ids: Collection[int] | None = None,
                    committee_id: int | None = None, sector_id: int | None = None,
                    term_id: int | None = None,
                    statuses: Collection[str] | None = None) -> ComplianceGrid:
    """The grid of ``span`` under the filters; ``statuses`` keeps the members with at
    least one cell of those statuses."""
    frame = compliance_frame(session=session, actor=actor, span=span, today=today,
                             organisation_ids=organisation_ids, committee_id=committee_id,
                             sector_id=sector_id, term_id=term_id)
    frame = frame.assign(column=frame["rule"] + " " + frame["period"])
    columns = list(dict.fromkeys(
        f"{rule.value} {span_name(p)}" for rule in ComplianceRule
        for p in rule_periods(rule, span) if p.starts_on <= today))
    summary = (frame.groupby(["rule", "period"])["status"].value_counts().unstack(fill_value=0)
               .reindex(columns=[s.value for s in ComplianceStatus], fill_value=0)
               .reset_index())  # of everyone: the status filter narrows the lists only
    if statuses:
        keep = frame.loc[frame["status"].isin(list(statuses)), "member_id"].unique()
        frame = frame[frame["member_id"].isin(keep)]
    cells = (frame["status"] + "|" + frame["done"].astype(str) + "|"
             + frame["required"].astype(str) + "|" + frame["days_left"].astype(str) + "|"
             + frame["reason"].fillna(""))
    people = frame.drop_duplicates("member_id", keep="last").set_index("member_id")[
        ["member", "phone", "organisation", "committee", "sector", "name_key"]]
    grid = (frame.assign(cell=cells).pivot(index="member_id", columns="column", values="cell")
            .reindex(columns=columns))
    grid = people.join(grid).sort_values(["name_key"], kind="stable").drop(
        columns="name_key").reset_index()
    behind = frame[frame["status"].isin([ComplianceStatus.PENDING.value,
                                         ComplianceStatus.MISSED.value])]
    behind = behind.sort_values(["days_left", "committee", "name_key"], kind="stable")
    return ComplianceGrid(columns=columns, grid=grid, summary=summary,
                          behind=behind[["member_id", *TABLE_COLUMNS]].reset_index(drop=True))
