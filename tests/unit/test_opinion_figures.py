"""The opinion reports' figures for the dashboards, each asserted against a count made by
hand over a small world built through the public services (``services.opinion``).

The world (today is 2026-11-21; default deadlines: review 7 days, 3 when urgent;
forward 7; reply 30; feedback 15):

========  ==========  ==============  ==========  ===========================================
report    submitted   lead (sector     committee   what happened                  stage, due
                      then)
========  ==========  ==============  ==========  ===========================================
R1        2026-09-01  刘洋 (教育)       教科卫体     adopted city 09-05, forwarded to two 09-08,
                                                  provincial 09-20, replies 10-01 and 10-08,
                                                  feedback 10-15, closed 10-20; instructions:
                                                  city 09-25 and 09-26, provincial 10-02
                                                                                 closed
R2        2026-06-15  王芳 (经济)       教科卫体     co-signed by 刘洋; adopted city 06-20,
                                                  forwarded to 教育局 and 卫健委 06-25 (due
                                                  07-25), 教育局 replied 07-10; instruction:
                                                  national 07-01            forwarded, 119 late
R3        2026-10-10  赵强 (经济)       经济         not adopted 10-15 (feedback due 10-30)
                                                                            not adopted, 22 late
R4        2026-11-18  刘洋 (教育)       教科卫体     from problem P1; just submitted (due 11-25)
R5        2026-11-01  赵强 (经济)       经济         urgent, just submitted (due 11-04)
                                                                              submitted, 17 late
R6        2026-10-05  刘洋 (教育)       教科卫体     adopted city, instructed city, then DELETED
R7        2026-10-20  陈静 (district)  district    under review since 10-21 (due 10-28)
                                                                           under review, 24 late
R8        2026-10-01  刘洋 (教育)       教科卫体     not adopted 10-03, feedback 10-10
R9        2026-11-02  王芳 (教育)       教科卫体     returned to the member 11-04
========  ==========  ==============  ==========  ===========================================

王芳 sat in the 经济 sector until 2026-06-30 and in 教育 since 2026-07-01.

Problems: P1, P2, P3 at 刘洋's visit (10-05, 教科卫体; P1 became R4), P4 at 赵强's visit
(10-08, 经济), P5 at a deleted visit (10-06), P7 at 陈静's visit (10-20, district).
"""

from dataclasses import dataclass
from datetime import date

import pandas as pd
import pytest
from sqlmodel import Session, select

from core.db import read_session, write_session
from models import (
    AdoptionLevel,
    Committee,
    InstructionLevel,
    ListKind,
    Member,
    OpinionForwarding,
    OpinionReport,
    OpinionStatus,
    Organisation,
    OrgLevel,
    Role,
    Sector,
    Visit,
)
from models import OpinionAction as A
from services import opinion, opinion_figures, problems, roster, visits
from services.actors import Actor
from services.errors import PermissionDenied
from services.lists import entry_names
from services.opinion import ReportDraft, Step
from services.opinion_figures import FigureFilters, FigureGroup, Spread
from services.problems import ProblemItem
from services.records import soft_delete
from tests.helpers import factories

TODAY = date(2026, 11, 21)
S = OpinionStatus
actor = factories.actor


@dataclass(frozen=True)
class World:
    district_id: int
    education_id: int  # 教科卫体委员会
    economy_id: int  # 经济委员会
    district_committee_id: int
    education_sector_id: int
    economy_sector_id: int
    district_sector_id: int
    reports: dict[str, int]  # R1.. → id
    admin: Actor  # the city's administrator: the city and the district
    leader: Actor
    staff: Actor  # staff of 教科卫体, city and district
    district_staff: Actor  # the district's staff: the district only
    outside_staff: Actor  # staff of an organisation elsewhere
    member: Actor  # 刘洋 signed in


def d(month: int, day: int) -> date:
    return date(2026, month, day)


def submit(session: Session, who: Actor, key: str, lead: Member, on: date, *,
           co_signers: tuple[Member, ...] = (), urgent: bool = False,
           problem_id: int | None = None) -> OpinionReport:
    categories = entry_names(session=session, organisation_id=lead.organisation_id,
                             kind=ListKind.OPINION_CATEGORY)
    draft = ReportDraft(title=f"报告 {key}", body="情况和建议", lead_member_id=lead.id,
                        category_id=next(iter(categories), None),
                        co_signer_ids=tuple(m.id for m in co_signers), is_urgent=urgent,
                        submitted_on=on, source_problem_id=problem_id)
    return opinion.submit_report(session=session, actor=who, draft=draft,
                                 idempotency_key=f"figures-{key}", today=TODAY)


def steps(session: Session, who: Actor, report: OpinionReport, *moves: Step) -> OpinionReport:
    for move in moves:
        report = opinion.take_step(session=session, actor=who, report_id=report.id,
                                   expected_version=report.version, step=move, today=TODAY)
    return report


def reply(session: Session, who: Actor, report: OpinionReport, department: str,
          on: date) -> OpinionReport:
    forwarding_id = session.exec(select(OpinionForwarding.id).where(
        OpinionForwarding.report_id == report.id,
        OpinionForwarding.department == department)).one()
    return steps(session, who, report, Step(A.REPLY, on=on, forwarding_id=forwarding_id,
                                            reply="已办理"))


def review(on: date) -> Step:
    return Step(A.START_REVIEW, on=on)


def adopt(level: AdoptionLevel, on: date) -> Step:
    return Step(A.ADOPT, on=on, level=level, publication="《社情民意》")


def instruct(level: InstructionLevel, on: date) -> Step:
    return Step(A.INSTRUCT, on=on, leader="李书记", instruction_level=level, note="请研究")


def collect(session: Session, who: Actor, member: Member, committee_id: int, on: date,
            count: int) -> tuple[Visit, list[int]]:
    visit = factories.visit(session, [member], on=on)
    found = problems.add_problems(
        session, who, organisation_id=member.organisation_id, committee_id=committee_id,
        collected_on=on, items=[ProblemItem(f"问题 {n}") for n in range(count)],
        visit_id=visit.id)
    return visit, [problem.id for problem in found]


@pytest.fixture
def world(engine) -> World:
    city = factories.TOP
    with write_session(engine) as session:
        district = Organisation(name="江海区政协", level=OrgLevel.DISTRICT, parent_id=city)
        session.add(district)
        session.flush()
        education_sector, education, term = factories.organisation(session)
        economy_sector = Sector(organisation_id=city, name="经济界")
        economy = Committee(organisation_id=city, name="经济委员会")
        session.add_all([economy_sector, economy])
        session.flush()
        district_org = factories.organisation(session, district.id)
        admin = actor(session, "admin", Role.ADMIN, organisations={city, district.id})
        liu = factories.member(session, (education_sector, education, term), name="刘洋")
        wang = factories.member(session, (economy_sector, education, term), name="王芳")
        zhao = factories.member(session, (economy_sector, economy, term), name="赵强")
        chen = factories.member(session, district_org, name="陈静")
        wang = roster.update_member(session=session, actor=admin, member_id=wang.id,
                                    expected_version=wang.version,
                                    changes={"sector_id": education_sector.id},
                                    effective_on=d(7, 1), today=TODAY)
        assert wang.sector_id == education_sector.id  # now; 经济 before July
        world = World(
            district_id=district.id, education_id=education.id, economy_id=economy.id,
            district_committee_id=district_org[1].id, education_sector_id=education_sector.id,
            economy_sector_id=economy_sector.id, district_sector_id=district_org[0].id,
            reports={}, admin=admin,
            leader=actor(session, "chair", Role.LEADER, organisations={city, district.id}),
            staff=actor(session, "clerk", Role.STAFF, committees=[education.id],
                        organisations={city, district.id}),
            district_staff=actor(session, "district", Role.STAFF,
                                 committees=[district_org[1].id],
                                 organisations={district.id}),
            outside_staff=actor(session, "elsewhere", Role.STAFF, organisations={99}),
            member=actor(session, "liuyang", Role.MEMBER, member_id=liu.id),
        )

        # Problems first: R4 grows out of P1.
        _, (p1, _p2, _p3) = collect(session, admin, liu, education.id, d(10, 5), 3)
        collect(session, admin, zhao, economy.id, d(10, 8), 1)
        gone, _ = collect(session, admin, liu, education.id, d(10, 6), 1)
        visits.delete_visit(session=session, actor=admin, visit_id=gone.id,
                            expected_version=gone.version)
        collect(session, admin, chen, district_org[1].id, d(10, 20), 1)

        ids = world.reports
        report = submit(session, admin, "R1", liu, d(9, 1))
        report = steps(session, admin, report, review(d(9, 2)),
                       adopt(AdoptionLevel.CITY, d(9, 5)),
                       Step(A.FORWARD, on=d(9, 8), departments=("交通局", "住建局")),
                       adopt(AdoptionLevel.PROVINCIAL, d(9, 20)),
                       instruct(InstructionLevel.CITY, d(9, 25)),
                       instruct(InstructionLevel.CITY, d(9, 26)))
        report = reply(session, admin, report, "交通局", d(10, 1))
        report = steps(session, admin, report, instruct(InstructionLevel.PROVINCIAL, d(10, 2)))
        report = reply(session, admin, report, "住建局", d(10, 8))
        assert report.status is S.REPLIED and report.replied_on == d(10, 8)
        report = steps(session, admin, report, Step(A.GIVE_FEEDBACK, on=d(10, 15), note="已反馈"),
                       Step(A.CLOSE, on=d(10, 20)))
        assert report.status is S.CLOSED
        ids["R1"] = report.id

        report = submit(session, admin, "R2", wang, d(6, 15), co_signers=(liu,))
        report = steps(session, admin, report, review(d(6, 16)),
                       adopt(AdoptionLevel.CITY, d(6, 20)),
                       Step(A.FORWARD, on=d(6, 25), departments=("教育局", "卫健委")),
                       instruct(InstructionLevel.NATIONAL, d(7, 1)))
        report = reply(session, admin, report, "教育局", d(7, 10))
        assert report.status is S.FORWARDED and report.due_on == d(7, 25)
        ids["R2"] = report.id

        report = submit(session, admin, "R3", zhao, d(10, 10))
        report = steps(session, admin, report, review(d(10, 12)),
                       Step(A.REJECT, on=d(10, 15), note="已有同类信息"))
        assert report.due_on == d(10, 30)
        ids["R3"] = report.id

        ids["R4"] = submit(session, admin, "R4", liu, d(11, 18), problem_id=p1).id

        report = submit(session, admin, "R5", zhao, d(11, 1), urgent=True)
        assert report.due_on == d(11, 4)
        ids["R5"] = report.id

        report = submit(session, admin, "R6", liu, d(10, 5))
        report = steps(session, admin, report, review(d(10, 6)),
                       adopt(AdoptionLevel.CITY, d(10, 7)),
                       instruct(InstructionLevel.CITY, d(10, 8)))
        soft_delete(session=session, actor=admin, model=OpinionReport, record_id=report.id,
                    expected_version=report.version)
        ids["R6"] = report.id

        report = submit(session, admin, "R7", chen, d(10, 20))
        report = steps(session, admin, report, review(d(10, 21)))
        assert report.due_on == d(10, 28)
        ids["R7"] = report.id

        report = submit(session, admin, "R8", liu, d(10, 1))
        report = steps(session, admin, report, review(d(10, 2)),
                       Step(A.REJECT, on=d(10, 3), note="不宜采用"),
                       Step(A.GIVE_FEEDBACK, on=d(10, 10), note="已告知"))
        assert report.status is S.FEEDBACK_GIVEN and report.due_on is None
        ids["R8"] = report.id

        report = submit(session, admin, "R9", wang, d(11, 2))
        report = steps(session, admin, report, review(d(11, 3)),
                       Step(A.RETURN, on=d(11, 4), note="请补充数据"))
        ids["R9"] = report.id
        return world


def read(engine, function, who: Actor, **arguments):
    with read_session(engine) as session:
        return function(session=session, actor=who, **arguments)


def zero_statuses() -> dict[OpinionStatus, int]:
    return dict.fromkeys(OpinionStatus, 0)


# --- 1. stages ----------------------------------------------------------------------------


def test_stage_counts_count_every_live_report_by_stage_and_the_overdue(engine, world):
    counts = read(engine, opinion_figures.stage_counts, world.admin, today=TODAY)
    assert counts.by_status == zero_statuses() | {
        S.SUBMITTED: 2,  # R4, R5
        S.UNDER_REVIEW: 1,  # R7
        S.RETURNED: 1,  # R9
        S.NOT_ADOPTED: 1,  # R3
        S.FORWARDED: 1,  # R2
        S.FEEDBACK_GIVEN: 1,  # R8
        S.CLOSED: 1,  # R1
    }
    assert list(counts.by_status) == list(OpinionStatus)
    assert counts.total == 8  # R6 is deleted
    assert counts.overdue == 4  # R2, R3, R5, R7; R4 is due on 11-25


def test_overdue_means_past_the_due_date_not_on_it(engine, world):
    """R4 is due on 11-25: not overdue that day, overdue the day after."""
    on_the_day = read(engine, opinion_figures.stage_counts, world.admin, today=d(11, 25))
    after = read(engine, opinion_figures.stage_counts, world.admin, today=d(11, 26))
    assert after.overdue == on_the_day.overdue + 1


def test_stage_counts_follow_the_filters(engine, world):
    economy = read(engine, opinion_figures.stage_counts, world.admin, today=TODAY,
                   filters=FigureFilters(committee_id=world.economy_id))
    assert economy.by_status == zero_statuses() | {S.SUBMITTED: 1, S.NOT_ADOPTED: 1}
    assert (economy.total, economy.overdue) == (2, 2)  # R3, R5

    october = read(engine, opinion_figures.stage_counts, world.admin, today=TODAY,
                   filters=FigureFilters(first=d(10, 1), last=d(10, 31)))
    # R8 (10-01, the first day), R3 (10-10), R7 (10-20); R6 deleted
    assert october.by_status == zero_statuses() | {
        S.FEEDBACK_GIVEN: 1, S.NOT_ADOPTED: 1, S.UNDER_REVIEW: 1}
    assert october.overdue == 2  # R3, R7

    district = read(engine, opinion_figures.stage_counts, world.admin, today=TODAY,
                    filters=FigureFilters(organisation_ids=frozenset({world.district_id})))
    assert (district.total, district.by_status[S.UNDER_REVIEW]) == (1, 1)  # R7

    urgent = read(engine, opinion_figures.stage_counts, world.admin, today=TODAY,
                  filters=FigureFilters(urgent=True))
    assert (urgent.total, urgent.overdue) == (1, 1)  # R5


def test_the_sector_is_a_signers_sector_when_the_report_was_submitted(engine, world):
    """王芳 was of 经济 when she led R2 (June) and of 教育 when she led R9 (November);
    刘洋 (教育) co-signed R2."""
    economy = read(engine, opinion_figures.stage_counts, world.admin, today=TODAY,
                   filters=FigureFilters(sector_id=world.economy_sector_id))
    assert economy.total == 3  # R2, R3, R5
    assert economy.by_status[S.FORWARDED] == 1  # R2
    education = read(engine, opinion_figures.stage_counts, world.admin, today=TODAY,
                     filters=FigureFilters(sector_id=world.education_sector_id))
    assert education.total == 5  # R1, R2 (co-signer), R4, R8, R9
    assert education.by_status[S.RETURNED] == 1  # R9


# --- 2. adoption --------------------------------------------------------------------------


def test_adoption_by_level_counts_a_report_once_at_each_level(engine, world):
    figures = read(engine, opinion_figures.adoption_by_level, world.admin)
    assert figures.by_level == {AdoptionLevel.CITY: 2,  # R1, R2 (R6 deleted)
                                AdoptionLevel.PROVINCIAL: 1,  # R1
                                AdoptionLevel.NATIONAL: 0}
    assert (figures.adopted, figures.submitted) == (2, 8)
    assert figures.rate == pytest.approx(2 / 8)


def test_adoption_by_level_follows_the_filters(engine, world):
    september = read(engine, opinion_figures.adoption_by_level, world.admin,
                     filters=FigureFilters(first=d(9, 1), last=d(9, 30)))
    assert september.by_level[AdoptionLevel.PROVINCIAL] == 1  # R1
    assert (september.adopted, september.submitted, september.rate) == (1, 1, 1.0)
    economy = read(engine, opinion_figures.adoption_by_level, world.admin,
                   filters=FigureFilters(committee_id=world.economy_id))
    assert (economy.adopted, economy.submitted, economy.rate) == (0, 2, 0.0)


# --- 3. instructions ----------------------------------------------------------------------


def test_instruction_counts(engine, world):
    figures = read(engine, opinion_figures.instruction_counts, world.admin)
    assert figures.by_level == {InstructionLevel.CITY: 2,  # R1 twice (R6 deleted)
                                InstructionLevel.PROVINCIAL: 1,  # R1
                                InstructionLevel.NATIONAL: 1}  # R2
    assert (figures.instructions, figures.reports) == (4, 2)  # R1, R2
    june = read(engine, opinion_figures.instruction_counts, world.admin,
                filters=FigureFilters(first=d(6, 1), last=d(6, 30)))
    assert (june.instructions, june.reports) == (1, 1)  # R2


# --- 4. turnaround ------------------------------------------------------------------------


def test_turnaround_median_and_90th_percentile_over_the_reports_that_got_there(engine, world):
    times = read(engine, opinion_figures.turnaround, world.admin)
    # forwarded: R1 after 7 days (09-01 → 09-08), R2 after 10 (06-15 → 06-25)
    assert times.to_forwarding == Spread(n=2, median=8.5, p90=pytest.approx(7 + 0.9 * 3))
    # every department replied: R1 only, 37 days (09-01 → 10-08)
    assert times.to_reply == Spread(n=1, median=37.0, p90=37.0)
    # feedback: R1 after 44 days (09-01 → 10-15), R8 after 9 (10-01 → 10-10)
    assert times.to_feedback == Spread(n=2, median=26.5, p90=pytest.approx(9 + 0.9 * 35))


def test_percentile_interpolates_linearly_between_ranks():
    days = list(range(1, 11))  # 1..10
    assert opinion_figures.percentile(days, 0.5) == 5.5
    assert opinion_figures.percentile(days, 0.9) == pytest.approx(9.1)
    assert opinion_figures.percentile([4], 0.9) == 4.0
    assert opinion_figures.percentile([], 0.5) is None


# --- 5. problems --------------------------------------------------------------------------


def test_problems_to_reports_share(engine, world):
    share = read(engine, opinion_figures.problems_to_reports_share, world.admin)
    # P1, P2, P3, P4, P7 (P5's visit is deleted); P1 became R4
    assert (share.collected, share.to_report) == (5, 1)
    assert share.share == pytest.approx(1 / 5)
    education = read(engine, opinion_figures.problems_to_reports_share, world.admin,
                     filters=FigureFilters(committee_id=world.education_id))
    assert (education.collected, education.to_report) == (3, 1)
    economy_sector = read(engine, opinion_figures.problems_to_reports_share, world.admin,
                          filters=FigureFilters(sector_id=world.economy_sector_id))
    assert (economy_sector.collected, economy_sector.to_report) == (1, 0)  # P4 (赵强)
    october_8 = read(engine, opinion_figures.problems_to_reports_share, world.admin,
                     filters=FigureFilters(first=d(10, 6), last=d(10, 8)))
    assert (october_8.collected, october_8.to_report) == (1, 0)  # P4


# --- 6. by group --------------------------------------------------------------------------


def rows(frame: pd.DataFrame) -> list[tuple]:
    assert list(frame.columns) == opinion_figures.FIGURE_COLUMNS
    return [tuple(row) for row in frame.itertuples(index=False)]


def test_figures_by_committee(engine, world):
    frame = read(engine, opinion_figures.figures_by, world.admin, group="committee",
                 today=TODAY)
    #        key, name, submitted, adopted, instructed, forwarded, replied, feedback, overdue
    assert rows(frame) == [
        # R1, R2, R4, R8, R9
        (world.education_id, "教科卫体委员会", 5, 2, 2, 2, 1, 2, 1),
        (world.economy_id, "经济委员会", 2, 0, 0, 0, 0, 0, 2),  # R3, R5
        (world.district_committee_id, "教科卫体委员会", 1, 0, 0, 0, 0, 0, 1),  # R7
    ]


def test_figures_by_sector_put_a_report_under_its_leads_sector_then(engine, world):
    frame = read(engine, opinion_figures.figures_by, world.admin, group=FigureGroup.SECTOR,
                 today=TODAY)
    assert rows(frame) == [
        (world.education_sector_id, "教育界", 4, 1, 1, 1, 1, 2, 0),  # R1, R4, R8, R9
        (world.economy_sector_id, "经济界", 3, 1, 1, 1, 0, 0, 3),  # R2, R3, R5
        (world.district_sector_id, "教育界", 1, 0, 0, 0, 0, 0, 1),  # R7
    ]


def test_figures_by_organisation(engine, world):
    frame = read(engine, opinion_figures.figures_by, world.admin, group="organisation",
                 today=TODAY)
    assert [row[:3] for row in rows(frame)] == [(factories.TOP, "本级政协", 7),
                                                (world.district_id, "江海区政协", 1)]


def test_figures_by_month_and_quarter_list_every_period_in_order(engine, world):
    months = read(engine, opinion_figures.figures_by, world.admin, group="month", today=TODAY)
    assert [(key, name, submitted) for key, name, submitted, *_ in rows(months)] == [
        ("2026-06", "2026-06", 1),  # R2
        ("2026-07", "2026-07", 0),
        ("2026-08", "2026-08", 0),
        ("2026-09", "2026-09", 1),  # R1
        ("2026-10", "2026-10", 3),  # R3, R7, R8 (R6 deleted)
        ("2026-11", "2026-11", 3),  # R4, R5, R9
    ]
    october = rows(months)[4]
    assert october[2:] == (3, 0, 0, 0, 0, 1, 2)  # R8 fed back; R3 and R7 overdue
    quarters = read(engine, opinion_figures.figures_by, world.admin, group="quarter",
                    today=TODAY, filters=FigureFilters(first=d(1, 1), last=d(12, 31)))
    assert [(key, submitted, adopted, overdue)
            for key, _, submitted, adopted, *_, overdue in rows(quarters)] == [
        ("2026-Q1", 0, 0, 0), ("2026-Q2", 1, 1, 1), ("2026-Q3", 1, 1, 0), ("2026-Q4", 6, 0, 3)]


def test_figures_by_an_unknown_group_is_refused(engine, world):
    with pytest.raises(ValueError):
        read(engine, opinion_figures.figures_by, world.admin, group="week", today=TODAY)


# --- 7. the overdue list ------------------------------------------------------------------


def test_overdue_list_most_overdue_first(engine, world):
    frame = read(engine, opinion_figures.overdue_list, world.admin, today=TODAY)
    assert list(frame.columns) == opinion_figures.OVERDUE_COLUMNS
    ids = world.reports
    assert [tuple(row) for row in frame.itertuples(index=False)] == [
        (ids["R2"], "报告 R2", "forwarded", "教科卫体委员会", "王芳", d(6, 15), d(7, 25), 119),
        (ids["R7"], "报告 R7", "under_review", "教科卫体委员会", "陈静", d(10, 20), d(10, 28),
         24),
        (ids["R3"], "报告 R3", "not_adopted", "经济委员会", "赵强", d(10, 10), d(10, 30), 22),
        (ids["R5"], "报告 R5", "submitted", "经济委员会", "赵强", d(11, 1), d(11, 4), 17),
    ]
    economy = read(engine, opinion_figures.overdue_list, world.admin, today=TODAY,
                   filters=FigureFilters(committee_id=world.economy_id), limit=1)
    assert list(economy["id"]) == [ids["R3"]]


# --- edges: nothing found, who may read ---------------------------------------------------


def test_an_empty_period_gives_zeros_and_no_medians(engine, world):
    empty = FigureFilters(first=date(2025, 1, 1), last=date(2025, 1, 31))
    counts = read(engine, opinion_figures.stage_counts, world.admin, today=TODAY,
                  filters=empty)
    assert (counts.by_status, counts.total, counts.overdue) == (zero_statuses(), 0, 0)
    adoption = read(engine, opinion_figures.adoption_by_level, world.admin, filters=empty)
    assert adoption.by_level == dict.fromkeys(AdoptionLevel, 0)
    assert (adoption.adopted, adoption.submitted, adoption.rate) == (0, 0, None)
    instructions = read(engine, opinion_figures.instruction_counts, world.admin,
                        filters=empty)
    assert instructions.by_level == dict.fromkeys(InstructionLevel, 0)
    assert (instructions.instructions, instructions.reports) == (0, 0)
    nothing = Spread(n=0, median=None, p90=None)
    times = read(engine, opinion_figures.turnaround, world.admin, filters=empty)
    assert (times.to_forwarding, times.to_reply, times.to_feedback) == (nothing,) * 3
    share = read(engine, opinion_figures.problems_to_reports_share, world.admin,
                 filters=empty)
    assert (share.collected, share.to_report, share.share) == (0, 0, None)
    committees = read(engine, opinion_figures.figures_by, world.admin, group="committee",
                      today=TODAY, filters=empty)
    assert len(committees) == 3 and committees[opinion_figures.FIGURE_COLUMNS[2:]].sum().sum() == 0
    months = read(engine, opinion_figures.figures_by, world.admin, group="month",
                  today=TODAY, filters=empty)
    assert rows(months) == [("2025-01", "2025-01", 0, 0, 0, 0, 0, 0, 0)]
    late = read(engine, opinion_figures.overdue_list, world.admin, today=TODAY, filters=empty)
    assert late.empty and list(late.columns) == opinion_figures.OVERDUE_COLUMNS


def test_an_empty_store_gives_zeros(engine):
    with write_session(engine) as session:
        chair = actor(session, "chair", Role.LEADER)
    counts = read(engine, opinion_figures.stage_counts, chair, today=TODAY)
    assert (counts.total, counts.overdue) == (0, 0)
    assert read(engine, opinion_figures.turnaround, chair).to_reply.median is None
    assert read(engine, opinion_figures.figures_by, chair, group="month", today=TODAY).empty


FUNCTIONS = [
    (opinion_figures.stage_counts, {"today": TODAY}),
    (opinion_figures.adoption_by_level, {}),
    (opinion_figures.instruction_counts, {}),
    (opinion_figures.turnaround, {}),
    (opinion_figures.problems_to_reports_share, {}),
    (opinion_figures.figures_by, {"group": "committee", "today": TODAY}),
    (opinion_figures.overdue_list, {"today": TODAY}),
]


@pytest.mark.parametrize(("function", "arguments"), FUNCTIONS,
                         ids=[function.__name__ for function, _ in FUNCTIONS])
def test_a_member_is_refused(engine, world, function, arguments):
    with pytest.raises(PermissionDenied):
        read(engine, function, world.member, **arguments)


def test_leaders_and_staff_read_the_figures_of_their_organisations(engine, world):
    for who in (world.leader, world.staff):
        counts = read(engine, opinion_figures.stage_counts, who, today=TODAY)
        assert (counts.total, counts.overdue) == (8, 4)
    district = read(engine, opinion_figures.stage_counts, world.district_staff, today=TODAY)
    assert (district.total, district.overdue) == (1, 1)  # R7 only: not the city above
    share = read(engine, opinion_figures.problems_to_reports_share, world.district_staff)
    assert (share.collected, share.to_report) == (1, 0)  # P7
    committees = read(engine, opinion_figures.figures_by, world.district_staff,
                      group="committee", today=TODAY)
    assert rows(committees) == [(world.district_committee_id, "教科卫体委员会",
                                 1, 0, 0, 0, 0, 0, 1)]
    # Asking for the city's reports does not widen the scope.
    asked = read(engine, opinion_figures.stage_counts, world.district_staff, today=TODAY,
                 filters=FigureFilters(organisation_ids=frozenset({factories.TOP})))
    assert asked.total == 0


def test_staff_of_another_organisation_see_nothing_of_this_one(engine, world):
    who = world.outside_staff
    counts = read(engine, opinion_figures.stage_counts, who, today=TODAY)
    assert (counts.by_status, counts.total, counts.overdue) == (zero_statuses(), 0, 0)
    adoption = read(engine, opinion_figures.adoption_by_level, who)
    assert (adoption.adopted, adoption.submitted, sum(adoption.by_level.values())) == (0, 0, 0)
    instructions = read(engine, opinion_figures.instruction_counts, who)
    assert (instructions.instructions, instructions.reports) == (0, 0)
    assert read(engine, opinion_figures.turnaround, who).to_forwarding.n == 0
    assert read(engine, opinion_figures.problems_to_reports_share, who).collected == 0
    for group in FigureGroup:
        assert read(engine, opinion_figures.figures_by, who, group=group, today=TODAY).empty
    assert read(engine, opinion_figures.overdue_list, who, today=TODAY).empty
