"""Members' leave (请假): a request with its dates and reason, approved or refused by staff
of the member's committee or an administrator (who and when is kept, and audited). Only
an approved leave exempts the member from quotas (``approved_leaves_between``).

A member, staff of the member's committee and administrators may request a leave for
the member, and withdraw it while it is pending. Nobody decides on their own leave, not
even a staff user linked to the member.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import ColumnElement, func
from sqlalchemy.orm import aliased
from sqlalchemy.orm.util import AliasedClass
from sqlmodel import Session, col, select

from models import AuditAction, LeaveStatus, Member, MemberLeave, Role, User, utcnow
from services.actors import Actor
from services.audit import record_audit, snapshot
from services.errors import PermissionDenied, ServiceError, StaleRecord, ValidationFailed
from services.permissions import MemberInScope, can_edit_member, require_read_member
from services.records import load_live, soft_delete, versioned_update
from services.text import clean_text

MAX_LEAVE_DAYS = 731  # two years, both ends counted: longer is a typing mistake
MAX_DAYS_FROM_TODAY = 366  # a leave starts within a year of the request, either way
MAX_REASON_LENGTH = 200
MAX_NOTE_LENGTH = 200
LEAVE_COLUMNS = ["id", "version", "starts_on", "ends_on", "days", "reason", "status",
                 "requested_by", "requested_at", "decided_by", "decided_at", "decision_note"]
PENDING_COLUMNS = ["id", "version", "member_id", "member", "starts_on", "ends_on", "days",
                   "reason", "requested_by", "requested_at"]
_HOLDING = (LeaveStatus.PENDING, LeaveStatus.APPROVED)  # what a new leave may not overlap


class LeaveAlreadyDecided(ServiceError):
    """Someone decided the leave first (or it was decided long ago)."""

    message_key = "leaves.error.already_decided"


@dataclass(frozen=True)
class DateRange:
    """Days from ``starts_on`` to ``ends_on``, both included."""

    starts_on: date
    ends_on: date

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


def can_request_leave(actor: Actor, member: MemberInScope) -> bool:
    """The member themself, staff of the member's committee, administrators in scope."""
    return can_edit_member(actor, member)


def can_decide_leave(actor: Actor, member: MemberInScope) -> bool:
    """Staff of the member's committee and administrators within their organisations,
    but never on their own leave."""
    if actor.member_id is not None and actor.member_id == member.id:
        return False
    if not actor.sees_organisation(member.organisation_id):
        return False
    return actor.role is Role.ADMIN or (
        actor.role is Role.STAFF and member.committee_id in actor.committee_ids
    )


def request_leave(*, session: Session, actor: Actor, member_id: int, starts_on: date | None,
                  ends_on: date | None, reason: str, today: date) -> MemberLeave:
    """A pending leave request. The member's row is locked until the transaction ends,
    so two requests at once cannot both pass the overlap check."""
    member = _member(session, member_id, lock=True)
    if not can_request_leave(actor, member):
        raise PermissionDenied()
    reason = clean_text(reason, single_line=False)
    errors = _request_errors(starts_on, ends_on, reason, today)
    if not errors and _overlapping(session, member_id, DateRange(starts_on, ends_on)):
        errors["starts_on"] = "leaves.error.overlaps"
    if errors:
        raise ValidationFailed(errors)
    leave = MemberLeave(member_id=member_id, starts_on=starts_on, ends_on=ends_on,
                        reason=reason, status=LeaveStatus.PENDING,
                        requested_by_user_id=actor.user_id)
    session.add(leave)
    session.flush()
    record_audit(session=session, actor=actor, action=AuditAction.CREATE, entity="MemberLeave",
                 entity_id=leave.id, after=snapshot(leave))
    return leave


def decide_leave(*, session: Session, actor: Actor, leave_id: int, expected_version: int,
                 approve: bool, note: str = "", now: datetime | None = None) -> MemberLeave:
    """Approve or refuse a pending leave, against the version the decider saw. A leave
    decided meanwhile (by a colleague in another browser) is refused with
    ``LeaveAlreadyDecided``."""
    leave = _leave_for_update(session, leave_id)
    if not can_decide_leave(actor, _member(session, leave.member_id)):
        raise PermissionDenied()
    if leave.status is not LeaveStatus.PENDING:
        raise LeaveAlreadyDecided()
    note = clean_text(note, single_line=False)
    if len(note) > MAX_NOTE_LENGTH:
        raise ValidationFailed({"note": "leaves.error.too_long"})
    status = LeaveStatus.APPROVED if approve else LeaveStatus.REFUSED
    versioned_update(session, MemberLeave, leave_id, expected_version, {
        "status": status, "decided_by_user_id": actor.user_id,
        "decided_at": now or utcnow(), "decision_note": note or None,
    })
    record_audit(session=session, actor=actor, action=AuditAction.STATUS_CHANGE,
                 entity="MemberLeave", entity_id=leave_id,
                 before={"status": LeaveStatus.PENDING.value},
                 after={"status": status.value, "decision_note": note or None})
    return load_live(session, MemberLeave, leave_id)


def withdraw_leave(*, session: Session, actor: Actor, leave_id: int,
                   expected_version: int) -> None:
    """Take back a pending request (soft delete): whoever may request one for the member."""
    leave = _leave_for_update(session, leave_id)
    if not can_request_leave(actor, _member(session, leave.member_id)):
        raise PermissionDenied()
    if leave.status is not LeaveStatus.PENDING:
        raise LeaveAlreadyDecided()
    soft_delete(session=session, actor=actor, model=MemberLeave, record_id=leave_id,
                expected_version=expected_version)


def list_leaves(*, session: Session, actor: Actor, member_id: int) -> pd.DataFrame:
    """The member's leaves (``LEAVE_COLUMNS``; ``status`` as stored), latest first."""
    require_read_member(actor, _member(session, member_id))
    requester, decider = aliased(User), aliased(User)
    rows = session.exec(
        select(MemberLeave, _user_name(requester), _user_name(decider))
        .outerjoin(requester, col(MemberLeave.requested_by_user_id) == requester.id)
        .outerjoin(decider, col(MemberLeave.decided_by_user_id) == decider.id)
        .where(MemberLeave.member_id == member_id, col(MemberLeave.deleted_at).is_(None))
        .order_by(col(MemberLeave.starts_on).desc(), col(MemberLeave.id).desc())
    ).all()
    return pd.DataFrame([
        {**_leave_row(leave, requested_by), "status": leave.status.value,
         "decided_by": decided_by, "decided_at": leave.decided_at,
         "decision_note": leave.decision_note}
        for leave, requested_by, decided_by in rows
    ], columns=LEAVE_COLUMNS)


def pending_leaves(*, session: Session, actor: Actor) -> pd.DataFrame:
    """Pending requests the actor may decide (``PENDING_COLUMNS``), oldest request first."""
    if actor.role not in {Role.ADMIN, Role.STAFF}:
        return pd.DataFrame(columns=PENDING_COLUMNS)
    requester = aliased(User)
    query = (
        select(MemberLeave, Member, _user_name(requester))
        .join(Member, col(MemberLeave.member_id) == Member.id)
        .outerjoin(requester, col(MemberLeave.requested_by_user_id) == requester.id)
        .where(MemberLeave.status == LeaveStatus.PENDING, col(MemberLeave.deleted_at).is_(None),
               col(Member.deleted_at).is_(None))
        .order_by(MemberLeave.created_at, MemberLeave.id)
    )
    if actor.role is Role.STAFF:
        query = query.where(col(Member.committee_id).in_(sorted(actor.committee_ids)))
    if actor.organisation_ids is not None:
        query = query.where(col(Member.organisation_id).in_(sorted(actor.organisation_ids)))
    return pd.DataFrame([
        {**_leave_row(leave, requested_by), "member_id": member.id, "member": member.name}
        for leave, member, requested_by in session.exec(query).all()
        if can_decide_leave(actor, member)
    ], columns=PENDING_COLUMNS)


def approved_leaves_between(*, session: Session, first: date, last: date,
                            member_ids: Collection[int] | None = None,
                            ) -> dict[int, list[DateRange]]:
    """For the quota rules: per member (all, or ``member_ids``), the days of approved leave
    inside ``first``..``last`` (inclusive), as ranges cut to that period, merged and in
    order. Pending, refused and withdrawn leaves exempt nobody."""
    query = select(MemberLeave.member_id, MemberLeave.starts_on, MemberLeave.ends_on).where(
        MemberLeave.status == LeaveStatus.APPROVED, col(MemberLeave.deleted_at).is_(None),
        MemberLeave.starts_on <= last, MemberLeave.ends_on >= first,
    ).order_by(MemberLeave.member_id, MemberLeave.starts_on)
    if member_ids is not None:
        query = query.where(col(MemberLeave.member_id).in_(sorted(member_ids)))
    ranges: dict[int, list[DateRange]] = {}
    for member_id, starts_on, ends_on in session.exec(query).all():
        cut = DateRange(max(starts_on, first), min(ends_on, last))
        merged = ranges.setdefault(member_id, [])
        if merged and cut.starts_on <= merged[-1].ends_on + timedelta(days=1):
            merged[-1] = DateRange(merged[-1].starts_on, max(merged[-1].ends_on, cut.ends_on))
        else:
            merged.append(cut)
    return ranges


def approved_leave_days(*, session: Session, member_id: int, first: date, last: date) -> int:
    """Days of approved leave of the member inside ``first``..``last`` (inclusive)."""
    ranges = approved_leaves_between(session=session, first=first, last=last,
                                     member_ids=[member_id])
    return sum(span.days for span in ranges.get(member_id, []))


def _request_errors(starts_on: date | None, ends_on: date | None, reason: str,
                    today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if starts_on is None:
        errors["starts_on"] = "leaves.error.date_required"
    elif abs((starts_on - today).days) > MAX_DAYS_FROM_TODAY:
        errors["starts_on"] = "leaves.error.start_out_of_range"
    if ends_on is None:
        errors["ends_on"] = "leaves.error.date_required"
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = "leaves.error.ends_before_start"
    elif starts_on is not None and DateRange(starts_on, ends_on).days > MAX_LEAVE_DAYS:
        errors["ends_on"] = "leaves.error.too_many_days"
    if not reason:
        errors["reason"] = "leaves.error.reason_required"
    elif len(reason) > MAX_REASON_LENGTH:
        errors["reason"] = "leaves.error.too_long"
    return errors


def _overlapping(session: Session, member_id: int, period: DateRange) -> bool:
    """Whether a pending or approved leave of the member shares a day with ``period``."""
    return session.exec(
        select(func.count()).select_from(MemberLeave).where(
            MemberLeave.member_id == member_id, col(MemberLeave.deleted_at).is_(None),
            col(MemberLeave.status).in_(_HOLDING),
            MemberLeave.starts_on <= period.ends_on, MemberLeave.ends_on >= period.starts_on,
        )
    ).one() > 0


def _member(session: Session, member_id: int, *, lock: bool = False) -> Member:
    member = session.get(Member, member_id, with_for_update=lock, populate_existing=True)
    if member is None or member.deleted_at is not None:
        raise StaleRecord()
    return member


def _leave_for_update(session: Session, leave_id: int) -> MemberLeave:
    """The leave as stored now, locked until the transaction ends (PostgreSQL), so a
    second decider waits and then finds it decided."""
    leave = session.get(MemberLeave, leave_id, with_for_update=True, populate_existing=True)
    if leave is None or leave.deleted_at is not None:
        raise StaleRecord()
    return leave


def _user_name(user: AliasedClass[User]) -> ColumnElement[str]:
    """A user's name as people see it: the person's name, else the username."""
    return func.coalesce(func.nullif(user.display_name, ""), user.username)


def _leave_row(leave: MemberLeave, requested_by: str | None) -> dict[str, object]:
    return {"id": leave.id, "version": leave.version, "starts_on": leave.starts_on,
            "ends_on": leave.ends_on,
            "days": DateRange(leave.starts_on, leave.ends_on).days, "reason": leave.reason or "",
            "requested_by": requested_by, "requested_at": leave.created_at}
