"""The spread of the days from submission to the feedback to the members, counted by hand
over a small world made through the public services (``services.opinion``):

======  ==========  =========  ======  =========================================
report  submitted   committee  sector  feedback to the members
======  ==========  =========  ======  =========================================
R1      2026-09-01  教科卫体     教育     2026-09-08: 7 days (the last of 0–7)
R2      2026-09-01  教科卫体     教育     2026-09-09: 8 days (the first of 8–15)
R3      2026-07-01  教科卫体     教育     2026-09-29: 90 days (the last of 61–90)
R4      2026-06-01  教科卫体     教育     2026-09-01: 92 days (91 and more)
R5      2026-09-01  教科卫体     教育     none yet
R6      2026-09-02  教科卫体     教育     2026-09-05, then the report is DELETED
R7      2026-09-03  经济        经济     2026-09-20: 17 days (16–30)
R8      2025-12-20  教科卫体     教育     2026-01-10: 21 days (submitted last year)
======  ==========  =========  ======  =========================================
"""

from dataclasses import dataclass
from datetime import date

import pandas as pd
import pytest
from sqlmodel import Session

from core.db import read_session, write_session
from models import Committee, ListKind, Member, OpinionReport, Role, Sector
from models import OpinionAction as A
from services import opinion, opinion_dashboard, opinion_figures
from services.actors import Actor
from services.errors import PermissionDenied
from services.lists import entry_names
from services.opinion import ReportDraft, Step
from services.opinion_figures import FigureFilters
from services.records import soft_delete
from tests.helpers import factories

TODAY = date(2026, 11, 21)
THIS_YEAR = FigureFilters(first=date(2026, 1, 1), last=date(2026, 12, 31))


@dataclass(frozen=True)
class World:
    economy_id: int
    education_id: int
    education_sector_id: int
    admin: Actor
    leader: Actor
    member: Actor


def d(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


def report(session: Session, admin: Actor, key: str, lead: Member, submitted: date,
           feedback: date | None) -> OpinionReport:
    """Submitted, reviewed and not adopted the next days, and the members told on
    ``feedback``."""
    category = next(iter(entry_names(session=session, organisation_id=lead.organisation_id,
                                     kind=ListKind.OPINION_CATEGORY)), None)
    row = opinion.submit_report(
        session=session, actor=admin, idempotency_key=f"dashboard-{key}", today=TODAY,
        draft=ReportDraft(title=f"报告 {key}", body="情况和建议", lead_member_id=lead.id,
                          category_id=category, submitted_on=submitted))
    if feedback is None:
        return row
    for step in (Step(A.START_REVIEW, on=submitted), Step(A.REJECT, on=submitted, note="不宜采用"),
                 Step(A.GIVE_FEEDBACK, on=feedback, note="已告知")):
        row = opinion.take_step(session=session, actor=admin, report_id=row.id,
                                expected_version=row.version, step=step, today=TODAY)
    return row


@pytest.fixture
def world(engine) -> World:
    with write_session(engine) as session:
        education_sector, education, term = factories.organisation(session)
        economy_sector = Sector(organisation_id=factories.TOP, name="经济界")
        economy = Committee(organisation_id=factories.TOP, name="经济委员会")
        session.add_all([economy_sector, economy])
        session.flush()
        liu = factories.member(session, (education_sector, education, term), name="刘洋")
        zhao = factories.member(session, (economy_sector, economy, term), name="赵强")
        admin = factories.actor(session, "admin", Role.ADMIN)
        report(session, admin, "R1", liu, d(9, 1), d(9, 8))
        report(session, admin, "R2", liu, d(9, 1), d(9, 9))
        report(session, admin, "R3", liu, d(7, 1), d(9, 29))
        report(session, admin, "R4", liu, d(6, 1), d(9, 1))
        report(session, admin, "R5", liu, d(9, 1), None)
        gone = report(session, admin, "R6", liu, d(9, 2), d(9, 5))
        soft_delete(session=session, actor=admin, model=OpinionReport, record_id=gone.id,
                    expected_version=gone.version)
        report(session, admin, "R7", zhao, d(9, 3), d(9, 20))
        report(session, admin, "R8", liu, d(12, 20, 2025), d(1, 10))
        return World(economy_id=economy.id, education_id=education.id,
                     education_sector_id=education_sector.id, admin=admin,
                     leader=factories.actor(session, "chair", Role.LEADER),
                     member=factories.actor(session, "liuyang", Role.MEMBER, member_id=liu.id))


def spread(engine, who: Actor, filters: FigureFilters = THIS_YEAR) -> list[tuple]:
    with read_session(engine) as session:
        frame = opinion_dashboard.days_to_feedback(session=session, actor=who, filters=filters)
    return [(int(low), None if pd.isna(high) else int(high), int(reports))
            for low, high, reports in frame.itertuples(index=False)]


def test_each_report_with_feedback_falls_in_the_span_of_its_days(engine, world):
    assert spread(engine, world.leader) == [
        (0, 7, 1),  # R1: 7 days is still the first week
        (8, 15, 1),  # R2: 8 days
        (16, 30, 1),  # R7
        (31, 60, 0),
        (61, 90, 1),  # R3: 90 days
        (91, None, 1),  # R4: 92 days
    ]


def test_the_spread_counts_the_reports_the_turnaround_counts(engine, world):
    with read_session(engine) as session:
        days = opinion_figures.turnaround(session=session, actor=world.leader, filters=THIS_YEAR)
    assert sum(reports for _, _, reports in spread(engine, world.leader)) == days.to_feedback.n


def test_the_filters_narrow_the_reports_as_for_every_other_figure(engine, world):
    economy = spread(engine, world.leader,
                     FigureFilters(first=THIS_YEAR.first, last=THIS_YEAR.last,
                                   committee_id=world.economy_id))
    assert [reports for _, _, reports in economy] == [0, 0, 1, 0, 0, 0]  # R7
    education = spread(engine, world.leader,
                       FigureFilters(sector_id=world.education_sector_id))
    # every year: R8 (21 days) joins R7's span, R7 itself is of the other sector
    assert [reports for _, _, reports in education] == [1, 1, 1, 0, 1, 1]
    last_year = spread(engine, world.leader,
                       FigureFilters(first=d(1, 1, 2025), last=d(12, 31, 2025)))
    assert [reports for _, _, reports in last_year] == [0, 0, 1, 0, 0, 0]  # R8


def test_no_report_with_feedback_gives_every_span_with_zero(engine, world):
    empty = spread(engine, world.leader, FigureFilters(first=d(1, 1, 2024), last=d(12, 31, 2024)))
    assert [(low, reports) for low, _, reports in empty] == [
        (0, 0), (8, 0), (16, 0), (31, 0), (61, 0), (91, 0)]


def test_members_are_refused(engine, world):
    with read_session(engine) as session, pytest.raises(PermissionDenied):
        opinion_dashboard.days_to_feedback(session=session, actor=world.member)
