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

The required number, the grace days and whether co-signers count are the defaults of
``RuleSettings`` for now; issue 12 makes them dated settings (a change applies to periods
starting on or after its day).
"""

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

import pandas as pd
from sqlalchemy import and_, case, func, or_
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
    Visit,
    VisitMember,
    WorkstationActivity,
    WorkstationActivityMember,
)
from services.actors import Actor
from services.errors import PermissionDenied
from services.leaves import DateRange, approved_leaves_between
from services.organisations import in_scope
from services.periods import Period, PeriodKind, half_year_of, quarter_of, year_of
from services.workstations import contact_setting_history


class ComplianceRule(StrEnum):
    CONTACT = "contact"  # at least one contact per quarter
    REPORT = "report"  # at least one opinion report per half-year


class ComplianceStatus(StrEnum):
    MET = "met"
    PENDING = "pending"
    MISSED = "missed"
    EXEMPT = "exempt"


class ExemptReason(StrEnum):
    JOINED_LATE = "joined_late"
    LEFT_EARLY = "left_early"
    ON_LEAVE = "on_leave"


@dataclass(frozen=True)
class RuleSettings:
    required: int = 1
    grace_days: int = 30
    cosigners_count: bool = True  # the report rule: co-signed reports count


RULE_PERIOD = {ComplianceRule.CONTACT: PeriodKind.QUARTER,
               ComplianceRule.REPORT: PeriodKind.HALF_YEAR}


def rule_settings(rule: ComplianceRule, period: Period) -> RuleSettings:
    """The settings of ``rule`` for ``period``: the defaults until issue 12 stores them."""
    return RuleSettings()


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


def span_name(period: Period) -> str:
    """The period as the command line writes it: 2027Q1, 2027H1, 2027."""
    return {PeriodKind.QUARTER: f"{period.year}Q{period.index}",
            PeriodKind.HALF_YEAR: f"{period.year}H{period.index}",
            PeriodKind.YEAR: f"{period.year}"}[period.kind]


def rule_periods(rule: ComplianceRule, span: Period) -> list[Period]:
    """The rule's periods overlapping ``span``, in order."""
    kind = RULE_PERIOD[rule]
    of = quarter_of if kind is PeriodKind.QUARTER else half_year_of
    periods, day = [], of(span.starts_on).starts_on
    while day <= span.ends_on:
        periods.append(of(day))
        day = periods[-1].ends_on + timedelta(days=1)
    return periods


# --- the engine -------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class _Seat:
    organisation_id: int
    committee_id: int
    sector_id: int
    starts_on: date
    ends_on: date | None


def compliance(*, session: Session, actor: Actor, span: Period, today: date,
               organisation_ids: Collection[int] | None = None,
               committee_id: int | None = None,
               member_ids: Collection[int] | None = None) -> list[ComplianceRow]:
    """One row per member in office during a rule period of ``span``, rule and period,
    of the organisations the actor sees (and ``organisation_ids``), the committee of then
    ``committee_id`` or the members ``member_ids`` if given; by member name, rule and
    period. Members see only themselves."""
    if actor.role is Role.MEMBER:
        if actor.member_id is None:
            raise PermissionDenied()
        member_ids = [actor.member_id]
    seats = _seats(session, actor, span, organisation_ids, member_ids)
    if not seats:
        return []
    leaves = approved_leaves_between(session=session, first=span.starts_on,
                                     last=span.ends_on, member_ids=None)
    contacts = _contact_counts(session, span)
    reports = {cosigners: _report_counts(session, span, cosigners) for cosigners in (True,
                                                                                      False)}
    people = _people(session, seats)
    names = _names(session, seats)
    rows = []
    for rule in ComplianceRule:
        for period in rule_periods(rule, span):
            settings = rule_settings(rule, period)
            done_in = (contacts if rule is ComplianceRule.CONTACT
                       else reports[settings.cosigners_count])
            for member_id, member_seats in seats.items():
                row = _row(member_id, member_seats, rule, period, settings, today,
                           leaves.get(member_id, []), done_in.get((member_id, period.starts_on),
                                                                  0), people, names)
                if row is not None and (committee_id is None
                                        or row.committee_id == committee_id):
                    rows.append(row)
    rows.sort(key=lambda r: (people[r.member_id][2], r.member_id, r.rule.value,
                             r.period.starts_on))
    return rows


def _row(member_id: int, seats: list[_Seat], rule: ComplianceRule, period: Period,
         settings: RuleSettings, today: date, leaves: list[DateRange], done: int,
         people: dict[int, tuple[str, str | None, str]],
         names: dict[tuple[str, int], str]) -> ComplianceRow | None:
    only = seats[0] if len(seats) == 1 else None
    if only is not None and only.starts_on <= period.starts_on and (
            only.ends_on is None or only.ends_on >= period.ends_on):
        # the common case: one seat for the whole period
        office = [DateRange(period.starts_on, period.ends_on)]
        office_days, seat = period.length_days, only
    else:
        office = _merged([DateRange(max(s.starts_on, period.starts_on),
                                    min(s.ends_on or period.ends_on, period.ends_on))
                          for s in seats if s.starts_on <= period.ends_on
                          and (s.ends_on is None or s.ends_on >= period.starts_on)])
        if not office:
            return None  # not a member during this period
        office_days = sum(span.days for span in office)
        last_day = office[-1].ends_on
        seat = next(s for s in reversed(seats) if s.starts_on <= last_day
                    and (s.ends_on is None or s.ends_on >= last_day))
    leave_days = (sum(_overlap(leave, span) for leave in leaves for span in office)
                  if leaves else 0)
    required = settings.required if office_days - leave_days >= settings.grace_days else 0
    reason = None
    if not required:
        if leave_days and office_days >= settings.grace_days:  # the leave decided it
            reason = ExemptReason.ON_LEAVE
        elif office[0].starts_on > period.starts_on:
            reason = ExemptReason.JOINED_LATE
        else:
            reason = ExemptReason.LEFT_EARLY
        status = ComplianceStatus.EXEMPT
    elif done >= required:
        status = ComplianceStatus.MET
    elif today <= period.ends_on:
        status = ComplianceStatus.PENDING
    else:
        status = ComplianceStatus.MISSED
    name, phone, _ = people[member_id]
    return ComplianceRow(
        member_id=member_id, member=name, phone=phone,
        organisation_id=seat.organisation_id,
        organisation=names[("organisation", seat.organisation_id)],
        committee_id=seat.committee_id, committee=names[("committee", seat.committee_id)],
        sector_id=seat.sector_id, sector=names[("sector", seat.sector_id)], rule=rule,
        period=period, required=required, done=done, status=status, reason=reason,
        days_left=period.days_left(today) if status is ComplianceStatus.PENDING else 0)


def _merged(spans: list[DateRange]) -> list[DateRange]:
    merged: list[DateRange] = []
    for span in sorted(spans, key=lambda s: s.starts_on):
        if merged and span.starts_on <= merged[-1].ends_on + timedelta(days=1):
            merged[-1] = DateRange(merged[-1].starts_on, max(merged[-1].ends_on, span.ends_on))
        else:
            merged.append(span)
    return merged


def _overlap(a: DateRange, b: DateRange) -> int:
    return max(0, (min(a.ends_on, b.ends_on) - max(a.starts_on, b.starts_on)).days + 1)


def _seats(session: Session, actor: Actor, span: Period,
           organisation_ids: Collection[int] | None,
           member_ids: Collection[int] | None) -> dict[int, list[_Seat]]:
    """Every assignment overlapping the span of the live members in scope, by member."""
    query = (select(MemberAssignment.member_id, MemberAssignment.organisation_id,
                    MemberAssignment.committee_id, MemberAssignment.sector_id,
                    MemberAssignment.starts_on, MemberAssignment.ends_on)
             .join(Member, col(Member.id) == MemberAssignment.member_id)
             .where(col(Member.deleted_at).is_(None),
                    MemberAssignment.starts_on <= span.ends_on,
                    or_(col(MemberAssignment.ends_on).is_(None),
                        col(MemberAssignment.ends_on) >= span.starts_on),
                    in_scope(MemberAssignment.organisation_id, actor))
             .order_by(MemberAssignment.member_id, MemberAssignment.starts_on))
    if organisation_ids is not None:
        query = query.where(col(MemberAssignment.organisation_id).in_(sorted(organisation_ids)))
    if member_ids is not None:
        query = query.where(col(MemberAssignment.member_id).in_(sorted(member_ids)))
    seats: dict[int, list[_Seat]] = {}
    for member_id, *rest in session.exec(query).all():
        seats.setdefault(member_id, []).append(_Seat(*rest))
    return seats


def _period_start(day_column: object, periods: list[Period]) -> object:
    """A SQL expression: the first day of the period holding the row's day."""
    return case(*[(and_(day_column >= p.starts_on, day_column <= p.ends_on), p.starts_on)
                  for p in periods], else_=None)


def _contact_counts(session: Session, span: Period) -> dict[tuple[int, date], int]:
    """Per (member, quarter start): live visits taken part in, plus live activities
    attended on days activities count."""
    quarters = rule_periods(ComplianceRule.CONTACT, span)
    first, last = quarters[0].starts_on, quarters[-1].ends_on
    counts: dict[tuple[int, date], int] = {}
    visit_quarter = _period_start(VisitMember.visit_date, quarters)
    for member_id, starts, count in session.exec(
            select(VisitMember.member_id, visit_quarter, func.count())
            .join(Visit, col(Visit.id) == VisitMember.visit_id)
            .where(col(Visit.deleted_at).is_(None), VisitMember.visit_date >= first,
                   VisitMember.visit_date <= last)
            .group_by(VisitMember.member_id, visit_quarter)).all():
        key = (member_id, _as_date(starts))
        counts[key] = counts.get(key, 0) + count
    counting = _counting_spans(session, first, last)
    if counting:
        day = WorkstationActivityMember.activity_date
        activity_quarter = _period_start(day, quarters)
        for member_id, starts, count in session.exec(
                select(WorkstationActivityMember.member_id, activity_quarter, func.count())
                .join(WorkstationActivity,
                      col(WorkstationActivity.id) == WorkstationActivityMember.activity_id)
                .where(col(WorkstationActivity.deleted_at).is_(None),
                       or_(*[and_(day >= a, day <= b) for a, b in counting]))
                .group_by(WorkstationActivityMember.member_id, activity_quarter)).all():
            key = (member_id, _as_date(starts))
            counts[key] = counts.get(key, 0) + count
    return counts


def _counting_spans(session: Session, first: date, last: date) -> list[tuple[date, date]]:
    """The days of ``first``..``last`` on which activities count as contacts."""
    spans, start, counting = [], first, True
    for row in contact_setting_history(session=session):
        if row.effective_from > last:
            break
        if row.effective_from <= first:
            counting = row.value
            continue
        if counting:
            spans.append((start, row.effective_from - timedelta(days=1)))
        start, counting = row.effective_from, row.value
    if counting:
        spans.append((start, last))
    return spans


def _report_counts(session: Session, span: Period,
                   cosigners: bool) -> dict[tuple[int, date], int]:
    """Per (member, half-year start): live reports signed (or led, without co-signers),
    by submission date."""
    halves = rule_periods(ComplianceRule.REPORT, span)
    day = OpinionReportMember.submitted_on
    half = _period_start(day, halves)
    query = (select(OpinionReportMember.member_id, half, func.count())
             .join(OpinionReport, col(OpinionReport.id) == OpinionReportMember.report_id)
             .where(col(OpinionReport.deleted_at).is_(None), day >= halves[0].starts_on,
                    day <= halves[-1].ends_on)
             .group_by(OpinionReportMember.member_id, half))
    if not cosigners:
        query = query.where(col(OpinionReportMember.is_lead).is_(True))
    return {(member_id, _as_date(starts)): count
            for member_id, starts, count in session.exec(query).all()}


def _as_date(value: object) -> date:
    """A date column as read back (SQLite hands back text)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _people(session: Session, seats: dict[int, list[_Seat]]) -> dict[int, tuple]:
    """member id → (name, phone, pinyin key)."""
    people: dict[int, tuple] = {}
    ids = sorted(seats)
    for start in range(0, len(ids), 900):
        for member_id, name, phone, key in session.exec(
                select(Member.id, Member.name, Member.phone, Member.name_key)
                .where(col(Member.id).in_(ids[start:start + 900]))).all():
            people[member_id] = (name, phone, key or name)
    return people


def _names(session: Session, seats: dict[int, list[_Seat]]) -> dict[tuple[str, int], str]:
    names: dict[tuple[str, int], str] = {}
    wanted = {"organisation": set(), "committee": set(), "sector": set()}
    for member_seats in seats.values():
        for seat in member_seats:
            wanted["organisation"].add(seat.organisation_id)
            wanted["committee"].add(seat.committee_id)
            wanted["sector"].add(seat.sector_id)
    for kind, model in (("organisation", Organisation), ("committee", Committee),
                        ("sector", Sector)):
        for row_id, name in session.exec(select(model.id, model.name).where(
                col(model.id).in_(sorted(wanted[kind])))).all():
            names[(kind, row_id)] = name
    return names


# --- the table and its file (the command line; the pages of issue 12) ------------------------

TABLE_COLUMNS = ["member", "phone", "organisation", "committee", "sector", "rule", "period",
                 "required", "done", "status", "reason", "days_left"]


def period_label(period: Period) -> str:
    """2027Q1 / 2027H1: how the table and the command line name a rule period."""
    return span_name(period)


def compliance_table(rows: list[ComplianceRow]) -> pd.DataFrame:
    """The rows as a table of plain values (``TABLE_COLUMNS``)."""
    return pd.DataFrame([
        {"member": r.member, "phone": r.phone, "organisation": r.organisation,
         "committee": r.committee, "sector": r.sector, "rule": r.rule.value,
         "period": period_label(r.period), "required": r.required, "done": r.done,
         "status": r.status.value, "reason": r.reason.value if r.reason else None,
         "days_left": r.days_left} for r in rows], columns=TABLE_COLUMNS)
