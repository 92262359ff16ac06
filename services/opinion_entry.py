"""What the report submission form offers: the members the user may submit for (the
lead), the members who may co-sign, the organisation's report categories, and the
visits and open problems of the chosen members a report may grow out of."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_
from sqlmodel import Session, col, select

from models import (
    CollectedProblem,
    ListKind,
    Member,
    MemberAssignment,
    Role,
    Sector,
    Visit,
    VisitMember,
)
from services.actors import Actor
from services.errors import PermissionDenied
from services.lists import entry_names
from services.problems import OPEN as OPEN_PROBLEM
from services.visit_entry import pinyin_code

SOURCE_DAYS = 365  # visits a report may come from: the signers' last year
SOURCE_LIMIT = 200


@dataclass(frozen=True)
class SubmissionChoices:
    leads: dict[int, str]  # id → "刘洋 · 教育界 · liuyang ly" (the picker's search matches)
    co_signers: dict[int, str]
    categories: dict[int, str]


def submission_choices(*, session: Session, actor: Actor, organisation_id: int,
                       on: date) -> SubmissionChoices:
    """The organisation's members in office on ``on``, in pinyin order: as leads those
    the actor may submit for (a member: themself; staff: their committees' members), as
    co-signers all of them."""
    if actor.role is Role.MEMBER:
        if organisation_id != actor.organisation_id:
            raise PermissionDenied()  # a member submits in their own organisation
    else:
        actor.require_organisation(organisation_id)
    rows = session.exec(
        select(Member.id, Member.name, Sector.name, MemberAssignment.committee_id)
        .join(MemberAssignment, col(MemberAssignment.member_id) == Member.id)
        .join(Sector, col(Sector.id) == MemberAssignment.sector_id)
        .where(col(Member.deleted_at).is_(None),
               MemberAssignment.organisation_id == organisation_id,
               MemberAssignment.starts_on <= on,
               or_(col(MemberAssignment.ends_on).is_(None), col(MemberAssignment.ends_on) >= on))
        .order_by(col(Member.name_key), col(Member.id))
    ).all()
    everyone = {member_id: f"{name} · {sector} · {pinyin_code(name)}"
                for member_id, name, sector, _ in rows}
    match actor.role:
        case Role.MEMBER:
            leads = {i: label for i, label in everyone.items() if i == actor.member_id}
        case Role.STAFF:
            leads = {member_id: everyone[member_id] for member_id, _, _, committee_id in rows
                     if committee_id in actor.committee_ids}
        case Role.ADMIN:
            leads = everyone
        case _:
            leads = {}
    categories = entry_names(session=session, organisation_id=organisation_id,
                             kind=ListKind.OPINION_CATEGORY)
    return SubmissionChoices(leads=leads, co_signers=everyone, categories=categories)


@dataclass(frozen=True)
class Sources:
    visits: dict[int, str]  # id → "2026-11-02 · 社区居民 · 走访了解…"
    problems: dict[int, str]  # open problems of those visits: id → "#12 课后服务…"


def report_sources(*, session: Session, actor: Actor, member_ids: Sequence[int],
                   on: date) -> Sources:
    """The live visits of the chosen members in the year before ``on`` (newest first)
    and the problems still open from them: what a report may be made from. A member is
    offered only the visits they took part in themself."""
    if not member_ids or actor.role is Role.LEADER:
        return Sources({}, {})
    if actor.role is Role.MEMBER:
        member_ids = [actor.member_id] if actor.member_id is not None else []
    visits = session.exec(
        select(Visit.id, Visit.visit_date, Visit.contact_targets, Visit.summary)
        .where(col(Visit.id).in_(select(VisitMember.visit_id).where(
                   col(VisitMember.member_id).in_(list(member_ids)))),
               col(Visit.deleted_at).is_(None),
               Visit.visit_date >= on - timedelta(days=SOURCE_DAYS))
        .order_by(col(Visit.visit_date).desc(), col(Visit.id).desc()).limit(SOURCE_LIMIT)
    ).all()
    if actor.organisation_ids is not None:
        allowed = set(session.exec(select(Visit.id).where(
            col(Visit.id).in_([v[0] for v in visits]),
            col(Visit.organisation_id).in_(sorted(actor.organisation_ids)))).all())
        visits = [v for v in visits if v[0] in allowed]
    problems = session.exec(
        select(CollectedProblem.id, CollectedProblem.content)
        .where(col(CollectedProblem.visit_id).in_([v[0] for v in visits]),
               col(CollectedProblem.status).in_(OPEN_PROBLEM),
               col(CollectedProblem.deleted_at).is_(None))
        .order_by(col(CollectedProblem.id).desc())
    ).all()
    return Sources(
        visits={visit_id: f"{day.isoformat()} · {_short(targets, 16)} · {_short(summary, 24)}"
                for visit_id, day, targets, summary in visits},
        problems={problem_id: f"#{problem_id} {_short(content, 40)}"
                  for problem_id, content in problems},
    )


def _short(text: str | None, length: int) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= length else text[:length - 1] + "…"
