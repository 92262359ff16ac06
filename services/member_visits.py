"""A member's liaison work as their profile shows it: the visits they took part in, the
problems those visits collected, the contact persons the visits reached, and the count
of visits in the current quarter (the contact quota's period), and the contacts that
count for it: the visits and, per the dated setting, the workstation activities the member
attended."""

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, col, select

from models import CollectedProblem, ContactPerson, Member, Visit, VisitContact, VisitMember
from services.activities import activities_of_member_between
from services.actors import Actor
from services.periods import quarter_of
from services.permissions import require_read_member
from services.records import load_live
from services.visits import visits_of_member_between
from services.workstations import counting_spans


def counted_activities(session: Session, member_id: int, first: date, last: date) -> int:
    """The member's activities between the days that count as contacts: those on days
    the dated setting (``services.workstations``) says activities count."""
    return sum(activities_of_member_between(session, member_id, a, b)
               for a, b in counting_spans(session=session, first=first, last=last))

VISIT_COLUMNS = ["id", "visit_date", "channel", "occasion", "head_count", "contact_targets",
                 "summary", "acknowledged"]
PROBLEM_COLUMNS = ["id", "visit_id", "collected_on", "content", "status"]
CONTACT_COLUMNS = ["id", "name", "visits", "last_visit"]


@dataclass(frozen=True)
class MemberVisits:
    this_quarter: int  # visits in the current quarter
    activities: int  # workstation activities attended in the current quarter
    contacts: int  # what counts for the contact quota: visits, and activities per setting
    visits: pd.DataFrame  # VISIT_COLUMNS, newest first
    problems: pd.DataFrame  # PROBLEM_COLUMNS, newest first
    contacts_reached: pd.DataFrame  # CONTACT_COLUMNS, most visited first


def member_visits(*, session: Session, actor: Actor, member_id: int,
                  today: date) -> MemberVisits:
    require_read_member(actor, load_live(session, Member, member_id))
    quarter = quarter_of(today)
    on_visit = (select(VisitMember.visit_id).where(VisitMember.member_id == member_id)
                .scalar_subquery())
    live = (col(Visit.id).in_(on_visit), col(Visit.deleted_at).is_(None))
    visits = session.exec(
        select(Visit.id, Visit.visit_date, Visit.channel, Visit.occasion, Visit.head_count,
               Visit.contact_targets, Visit.summary, Visit.acknowledged_at)
        .where(*live).order_by(col(Visit.visit_date).desc(), col(Visit.id).desc())
    ).all()
    problems = session.exec(
        select(CollectedProblem.id, CollectedProblem.visit_id, CollectedProblem.collected_on,
               CollectedProblem.content, CollectedProblem.status)
        .join(Visit, col(Visit.id) == CollectedProblem.visit_id)
        .where(*live, col(CollectedProblem.deleted_at).is_(None))
        .order_by(col(CollectedProblem.collected_on).desc(), col(CollectedProblem.id).desc())
    ).all()
    contacts = session.exec(
        select(ContactPerson.id, ContactPerson.name, func.count(), func.max(Visit.visit_date))
        .join(VisitContact, col(VisitContact.contact_person_id) == ContactPerson.id)
        .join(Visit, col(Visit.id) == VisitContact.visit_id)
        .where(*live, ContactPerson.member_id == member_id)
        .group_by(col(ContactPerson.id), col(ContactPerson.name))
        .order_by(func.count().desc(), col(ContactPerson.name))
    ).all()
    table = [(*row[:-1], row[-1] is not None) for row in visits]
    visit_count = visits_of_member_between(session, member_id, quarter.starts_on,
                                           quarter.ends_on)
    return MemberVisits(
        this_quarter=visit_count,
        activities=activities_of_member_between(session, member_id, quarter.starts_on,
                                                quarter.ends_on),
        contacts=visit_count + counted_activities(session, member_id, quarter.starts_on,
                                                  quarter.ends_on),
        visits=pd.DataFrame(table, columns=VISIT_COLUMNS),
        problems=pd.DataFrame([tuple(row) for row in problems], columns=PROBLEM_COLUMNS),
        contacts_reached=pd.DataFrame([tuple(row) for row in contacts],
                                      columns=CONTACT_COLUMNS),
    )
