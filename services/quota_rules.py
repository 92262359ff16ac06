"""The quota rules as data: per rule, the required number per period, the grace days and
(for the report rule) whether co-signers count, each change effective from a day.

A change applies to the rule periods *starting* on or after its day, so a period keeps
the settings it started with; its day may not lie before the start of the rule's current
period, so a period already over is never rewritten. The changes are rows of
``quota_rule_change``, shared by every app process on the store. (The dated "activities
count as contacts" setting of ``services.workstations`` belongs to the contact rule too.)
No change means the defaults of the Decisions: one per period, 30 grace days, co-signers
count.
"""

from dataclasses import asdict, dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import delete
from sqlmodel import Session, col, select

from models import AuditAction, QuotaRuleChange
from services.actors import Actor
from services.audit import record_audit
from services.errors import PermissionDenied, ValidationFailed
from services.periods import Period, PeriodKind, half_year_of, quarter_of
from services.workstations import may_change_settings

MAX_REQUIRED = 20
MAX_GRACE_DAYS = 90  # a quarter: more would exempt every member of every quarter


class ComplianceRule(StrEnum):
    CONTACT = "contact"  # at least one contact per quarter
    REPORT = "report"  # at least one opinion report per half-year


RULE_PERIOD = {ComplianceRule.CONTACT: PeriodKind.QUARTER,
               ComplianceRule.REPORT: PeriodKind.HALF_YEAR}


@dataclass(frozen=True)
class RuleSettings:
    required: int = 1
    grace_days: int = 30
    cosigners_count: bool = True  # the report rule: co-signed reports count


@dataclass(frozen=True)
class RuleChange:
    rule: ComplianceRule
    effective_from: date
    settings: RuleSettings


def rule_history(*, session: Session) -> list[RuleChange]:
    """Every change of the rules in force, oldest first (empty: the defaults since ever)."""
    return [RuleChange(rule=ComplianceRule(row.rule), effective_from=row.effective_from,
                       settings=RuleSettings(required=row.required, grace_days=row.grace_days,
                                             cosigners_count=row.cosigners_count))
            for row in session.exec(select(QuotaRuleChange).order_by(
                col(QuotaRuleChange.effective_from), col(QuotaRuleChange.id))).all()]


def settings_for(rule: ComplianceRule, period: Period,
                 history: list[RuleChange]) -> RuleSettings:
    """The settings ``period`` of ``rule`` started with."""
    settings = RuleSettings()
    for change in history:
        if change.rule is rule and change.effective_from <= period.starts_on:
            settings = change.settings
    return settings


def current_settings(*, session: Session, today: date) -> dict[ComplianceRule, RuleSettings]:
    """Each rule's settings for its period holding ``today``."""
    history = rule_history(session=session)
    return {rule: settings_for(rule, current_period(rule, today), history)
            for rule in ComplianceRule}


def current_period(rule: ComplianceRule, day: date) -> Period:
    return (quarter_of if RULE_PERIOD[rule] is PeriodKind.QUARTER else half_year_of)(day)


def set_rule(*, session: Session, actor: Actor, rule: ComplianceRule, required: int | None,
             grace_days: int | None, cosigners_count: bool, effective_from: date | None,
             today: date) -> RuleChange:
    """From ``effective_from`` on, ``rule`` runs with these settings (administrators of a
    top organisation). Later changes of the same rule from that day on are replaced."""
    if not may_change_settings(session=session, actor=actor):
        raise PermissionDenied()
    errors = {}
    if required is None or not 1 <= required <= MAX_REQUIRED:
        errors["required"] = "quota_rules.error.required"
    if grace_days is None or not 0 <= grace_days <= MAX_GRACE_DAYS:
        errors["grace_days"] = "quota_rules.error.grace_days"
    if effective_from is None:
        errors["effective_from"] = "quota_rules.error.effective_required"
    elif effective_from < current_period(rule, today).starts_on:
        errors["effective_from"] = "quota_rules.error.effective_past"
    if errors:
        raise ValidationFailed(errors)
    change = RuleChange(rule=rule, effective_from=effective_from, settings=RuleSettings(
        required=required, grace_days=grace_days,
        cosigners_count=cosigners_count if rule is ComplianceRule.REPORT else True))
    before = settings_for(rule, current_period(rule, effective_from),
                          rule_history(session=session))
    # A later change of the same rule from that day on is replaced by this one.
    session.execute(delete(QuotaRuleChange).where(
        col(QuotaRuleChange.rule) == rule.value,
        col(QuotaRuleChange.effective_from) >= effective_from))
    session.add(QuotaRuleChange(rule=rule.value, effective_from=effective_from,
                                changed_by_user_id=actor.user_id, **asdict(change.settings)))
    record_audit(session=session, actor=actor, action=AuditAction.UPDATE, entity="QuotaRuleChange",
                 before={"rule": rule.value, **asdict(before)},
                 after={"rule": rule.value, "effective_from": effective_from.isoformat(),
                        **asdict(change.settings)})
    return change
