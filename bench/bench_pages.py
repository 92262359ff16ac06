"""Measure what a page run asks of the store: the home overview, the member directory,
the visit list, the audit trail, saving a visit with two problems (the quick entry
form's save), the opinion reports' board, one report, the year's report figures and a
report submitted and taken up, the stations' figures, one station's page and saving an
activity, plus one sign-in (a bcrypt check of cost 12).

    python bench/bench_pages.py [--size small|city|province] [--repeat N]

Loads demo data of the given size into a fresh SQLite file in a temporary directory (or
uses --database-url, loading it only when it holds no members), then prints the median,
95th percentile and worst time of each.
"""

import argparse
import itertools
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import func, select

from core.db import get_engine, read_session, write_session
from core.migrate import upgrade_to_head
from models import (
    Channel,
    ListKind,
    OpinionAction,
    User,
    WorkstationActivity,
    WorkstationMember,
)
from services import (
    activities,
    members,
    opinion,
    opinion_board,
    opinion_figures,
    users,
    workstation_figures,
)
from services.activities import ActivityInput
from services.actors import SYSTEM
from services.audit import list_audit
from services.demo import PRESETS, load_demo_data
from services.lists import entry_names
from services.opinion import ReportDraft, Step
from services.opinion_board import BoardFilters
from services.opinion_figures import FigureFilters
from services.organisations import top_organisation_id as top
from services.overview import overview
from services.problems import ProblemItem
from services.sign_in import authenticate
from services.visits import VisitInput, list_visits, record_visit
from services.workstation_figures import ActivityGroup, ActivityScope

TODAY = date(2026, 11, 21)
PASSWORD = "benchmark passphrase"


def _timed(label: str, repeat: int, action) -> None:
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    p95 = statistics.quantiles(seconds, n=20)[-1] if len(seconds) > 1 else seconds[0]
    print(f"  {label:<34} median {statistics.median(seconds) * 1000:8.1f} ms"
          f"   p95 {p95 * 1000:8.1f} ms   worst {max(seconds) * 1000:8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(PRESETS), default="city")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = get_engine(args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade_to_head(engine)
        with read_session(engine) as session:
            loaded = members.store_has_members(session=session)
        if not loaded:  # a --database-url already holding the demo is measured as it is
            summary = load_demo_data(engine=engine, actor=SYSTEM, size=PRESETS[args.size],
                                     today=TODAY)
            print(f"{args.size}: {sum(summary.rows.values()):,} rows on "
                  f"{engine.dialect.name}, loaded in {summary.seconds:.1f} s")
        with write_session(engine) as session:
            bench = session.exec(select(User).where(User.username == "bench")).first()
            admin = users.actor_for(session, bench or users.create_admin(
                session=session, username="bench", display_name="bench", password=PASSWORD))

        def home() -> None:
            with read_session(engine) as session:
                overview(session=session, actor=admin, today=TODAY)

        def directory() -> None:
            with read_session(engine) as session:
                members.list_members(session=session, actor=admin, today=TODAY)

        def directory_search() -> None:
            with read_session(engine) as session:
                members.list_members(session=session, actor=admin, today=TODAY, search="王")

        with read_session(engine) as session:
            roster = members.list_members(session=session, actor=admin, today=TODAY)
            category = next(iter(entry_names(session=session, organisation_id=top(session=session),
                                             kind=ListKind.PROBLEM_CATEGORY)))
            report_category = next(iter(entry_names(
                session=session, organisation_id=top(session=session),
                kind=ListKind.OPINION_CATEGORY)))
        member_ids = iter(roster["id"].sample(frac=1, random_state=7).tolist() * 10)
        keys = itertools.count()
        run = secrets.token_hex(4)  # a new key per save, whichever run of the benchmark

        def save_visit() -> None:
            member_id = next(member_ids)
            with write_session(engine) as session:
                record_visit(session=session, actor=admin, today=TODAY,
                             idempotency_key=f"bench-{run}-{next(keys)}", data=VisitInput(
                                 member_ids=(member_id,), visit_date=TODAY,
                                 channel=Channel.FACE_TO_FACE, contact_targets="社区居民",
                                 head_count=12, summary="走访社区，听取居民意见。" * 5,
                                 problems=(ProblemItem("课后服务收费不透明", category),
                                           ProblemItem("校车线路太少", category))))

        def visit_list() -> None:
            with read_session(engine) as session:
                list_visits(session=session, actor=admin)

        def audit() -> None:
            with read_session(engine) as session:
                list_audit(session=session, actor=admin)

        def report_board() -> None:
            with read_session(engine) as session:
                opinion_board.report_board(session=session, actor=admin, today=TODAY,
                                           filters=BoardFilters(statuses=opinion.OPEN))
                opinion_board.board_summary(session=session, actor=admin, today=TODAY)

        with read_session(engine) as session:
            oldest_open = opinion_board.report_board(
                session=session, actor=admin, today=TODAY,
                filters=BoardFilters(statuses=opinion.OPEN), limit=1)["id"].iloc[0]

        def report_detail() -> None:
            with read_session(engine) as session:
                opinion_board.report_detail(session=session, actor=admin,
                                            report_id=int(oldest_open), today=TODAY)

        year = FigureFilters(first=date(TODAY.year, 1, 1), last=date(TODAY.year, 12, 31))

        def report_figures() -> None:
            with read_session(engine) as session:
                opinion_figures.stage_counts(session=session, actor=admin, today=TODAY,
                                             filters=year)
                opinion_figures.adoption_by_level(session=session, actor=admin, filters=year)
                opinion_figures.instruction_counts(session=session, actor=admin, filters=year)
                opinion_figures.turnaround(session=session, actor=admin, filters=year)
                opinion_figures.problems_to_reports_share(session=session, actor=admin,
                                                          filters=year)
                opinion_figures.figures_by(session=session, actor=admin, group="committee",
                                           today=TODAY, filters=year)
                opinion_figures.overdue_list(session=session, actor=admin, today=TODAY,
                                             filters=year)

        def submit_and_review() -> None:
            member_id = int(next(member_ids))
            with write_session(engine) as session:
                report = opinion.submit_report(
                    session=session, actor=admin, today=TODAY,
                    idempotency_key=f"bench-report-{run}-{next(keys)}",
                    draft=ReportDraft(title="关于课后服务收费的建议", body="正文。" * 100,
                                      category_id=report_category, lead_member_id=member_id))
                opinion.take_step(session=session, actor=admin, report_id=report.id,
                                  expected_version=report.version,
                                  step=Step(OpinionAction.START_REVIEW), today=TODAY)

        station_year = ActivityScope(first=date(TODAY.year, 1, 1), last=TODAY)

        def station_figures() -> None:
            with read_session(engine) as session:
                workstation_figures.station_status(session=session, actor=admin, today=TODAY)
                workstation_figures.station_status(session=session, actor=admin, today=TODAY,
                                                   group=ActivityGroup.COMMITTEE)
                for group in (ActivityGroup.MONTH, ActivityGroup.STATION,
                              ActivityGroup.ORGANISATION):
                    workstation_figures.activity_figures(session=session, actor=admin,
                                                         scope=station_year, group=group)

        with read_session(engine) as session:
            busiest = session.exec(
                select(WorkstationActivity.workstation_id)
                .group_by(WorkstationActivity.workstation_id)
                .order_by(func.count().desc()).limit(1)).one()
            present = session.exec(
                select(WorkstationMember.member_id)
                .where(WorkstationMember.workstation_id == busiest).limit(2)).all()
            activity_type = next(iter(activities.type_names(
                session=session, organisation_id=top(session=session))))

        def station_page() -> None:
            with read_session(engine) as session:
                activities.station_activities(session=session, actor=admin,
                                              station_id=busiest)
                activities.station_problems(session=session, actor=admin, station_id=busiest)
                workstation_figures.station_months(session=session, actor=admin,
                                                   station_id=busiest,
                                                   first=date(TODAY.year - 1, TODAY.month, 1),
                                                   last=TODAY)

        def save_activity() -> None:
            with write_session(engine) as session:
                activities.record_activity(
                    session=session, actor=admin, today=TODAY,
                    idempotency_key=f"bench-activity-{run}-{next(keys)}",
                    data=ActivityInput(workstation_id=busiest, activity_date=TODAY,
                                       activity_type_id=activity_type,
                                       member_ids=tuple(present), people_served=30,
                                       summary="宣讲惠民政策。"))

        def sign_in() -> None:
            authenticate(engine=engine, username="bench", password=PASSWORD,
                         now=datetime.now(UTC), server_key="a benchmark server key")

        _timed("home overview (4 counts)", args.repeat, home)
        _timed("member directory, all in office", args.repeat, directory)
        _timed("member directory, search 王", args.repeat, directory_search)
        _timed("visit list, first page of 500", args.repeat, visit_list)
        _timed("save a visit with two problems", max(args.repeat, 100), save_visit)
        _timed("report board: open reports (first 2,000) and stage counts", args.repeat,
               report_board)
        _timed("one report with its timeline", args.repeat, report_detail)
        _timed("report figures for a year (7 queries)", args.repeat, report_figures)
        _timed("submit a report and start its review", max(args.repeat, 50), submit_and_review)
        _timed("station figures (status, a year by month/station/org)", args.repeat,
               station_figures)
        _timed("one station: timeline, problems, 12 months", args.repeat, station_page)
        _timed("save an activity with two members", max(args.repeat, 50), save_activity)
        _timed("audit trail, last 5,000", args.repeat, audit)
        _timed("sign-in (bcrypt cost 12)", min(args.repeat, 5), sign_in)
        engine.dispose()


if __name__ == "__main__":
    main()
