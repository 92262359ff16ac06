"""Time issue 12's dashboards and issue 13's meeting screen on a store of demo data, and
print the figures:

- the compliance engine for every member, for a quarter and for a year (four quarters,
  two half-years), cold (each run a fresh session; the engine keeps nothing);
- the overview's figures (``services.dashboard.overview_figures``): cold, as right after
  a write, and warm, as a rerun reads them (the read cache keyed by the data version:
  reading the version and unpickling the answer);
- the plainest correct SQL for the overview's figures (the same statements' counts,
  hand-written, read through the driver without any object, frame or cache), and the
  common Streamlit approach: the year's rows loaded into pandas and grouped there;
- the meeting screen: its figures cold and warm, a slide's page run, the PDF and PNGs.

    .venv/bin/python bench/bench_dashboard.py [--size small|city|province] [--runs N]
                                              [--database-url URL]

Loads demo data of the given size into a fresh SQLite file in a temporary directory (or
uses --database-url, loading it only when it holds no members). Issue 12's targets and
the figures measured are in docs/performance.md.
"""

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd
from sqlalchemy import text

from core.db import get_engine, read_session
from core.migrate import upgrade_to_head
from services import compliance, members
from services.actors import SYSTEM
from services.dashboard import DashboardFilters, overview_figures
from services.demo import PRESETS, load_demo_data
from services.meeting import meeting_figures
from ui.meeting_deck import build_deck, meeting_slides
from ui.meeting_export import deck_pdf, deck_pngs
from ui.meeting_html import slide_html
from ui.page import PageContext

TODAY = date(2026, 11, 21)
QUARTER = ("2026-10-01", "2026-11-21")
HALF = ("2026-07-01", "2026-11-21")


def timed(runs: int, work: Callable[[], object]) -> tuple[float, object]:
    """The median milliseconds of ``runs`` calls, and the last answer."""
    seconds, answer = [], None
    for _ in range(runs):
        started = time.perf_counter()
        answer = work()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds) * 1000, answer


def plain_sql(engine) -> dict[str, object]:
    """The overview's figures by the plainest correct SQL: one statement per figure,
    joined the obvious way, read through the driver."""
    statements = {
        "seats": "SELECT a.member_id, a.committee_id, a.sector_id, a.starts_on, a.ends_on "
                 "FROM memberassignment a JOIN member m ON m.id = a.member_id "
                 "WHERE m.deleted_at IS NULL AND a.starts_on <= :last "
                 "AND (a.ends_on IS NULL OR a.ends_on >= :half_first)",
        "contacts": "SELECT vm.member_id, count(*) FROM visitmember vm JOIN visit v "
                    "ON v.id = vm.visit_id WHERE v.deleted_at IS NULL AND vm.visit_date "
                    "BETWEEN :first AND :last GROUP BY vm.member_id",
        "activity_contacts": "SELECT am.member_id, count(*) FROM workstationactivitymember am "
                             "JOIN workstationactivity a ON a.id = am.activity_id WHERE "
                             "a.deleted_at IS NULL AND am.activity_date BETWEEN :first AND "
                             ":last GROUP BY am.member_id",
        "reports_signed": "SELECT rm.member_id, count(*) FROM opinionreportmember rm JOIN "
                          "opinionreport r ON r.id = rm.report_id WHERE r.deleted_at IS NULL "
                          "AND rm.submitted_on BETWEEN :half_first AND :last "
                          "GROUP BY rm.member_id",
        "leaves": "SELECT member_id, starts_on, ends_on FROM memberleave WHERE status = "
                  "'approved' AND deleted_at IS NULL AND starts_on <= :last AND ends_on >= "
                  ":half_first",
        "visits": "SELECT count(*) FROM visit WHERE deleted_at IS NULL AND visit_date "
                  "BETWEEN :first AND :last",
        "reports": "SELECT count(*) FROM opinionreport WHERE deleted_at IS NULL AND "
                   "submitted_on BETWEEN :first AND :last",
        "problems": "SELECT count(*), sum(CASE WHEN status IN ('handled', 'closed') THEN 1 "
                    "ELSE 0 END) FROM collectedproblem WHERE deleted_at IS NULL AND "
                    "collected_on BETWEEN :first AND :last",
        "stations": "SELECT w.id, max(a.activity_date) FROM workstation w LEFT JOIN "
                    "workstationactivity a ON a.workstation_id = w.id AND a.deleted_at IS NULL "
                    "WHERE w.deleted_at IS NULL GROUP BY w.id",
        "trends": "SELECT substr(CAST(visit_date AS TEXT), 1, 7), count(*) FROM visit WHERE "
                  "deleted_at IS NULL AND visit_date BETWEEN '2026-01-01' AND :last GROUP BY 1",
    }
    values = {"first": date.fromisoformat(QUARTER[0]), "last": date.fromisoformat(QUARTER[1]),
              "half_first": date.fromisoformat(HALF[0])}
    with engine.connect() as connection:
        return {name: connection.execute(text(sql), values).fetchall()
                for name, sql in statements.items()}


def pandas_baseline(engine) -> int:
    """The common approach: read the year's rows into frames, group them in pandas, and
    count the members with a live contact this quarter."""
    with engine.connect() as connection:
        visit_rows = pd.read_sql(text(
            "SELECT vm.member_id, vm.visit_date, v.deleted_at FROM visitmember vm JOIN visit v "
            "ON v.id = vm.visit_id WHERE vm.visit_date >= '2026-01-01'"), connection)
        activity_rows = pd.read_sql(text(
            "SELECT am.member_id, am.activity_date, a.deleted_at FROM workstationactivitymember "
            "am JOIN workstationactivity a ON a.id = am.activity_id "
            "WHERE am.activity_date >= '2026-01-01'"), connection)
        report_rows = pd.read_sql(text(
            "SELECT rm.member_id, rm.submitted_on, r.deleted_at FROM opinionreportmember rm "
            "JOIN opinionreport r ON r.id = rm.report_id WHERE rm.submitted_on >= '2026-01-01'"),
            connection)
        seats = pd.read_sql(text("SELECT * FROM memberassignment"), connection)
    live = visit_rows[visit_rows["deleted_at"].isna()]
    live = live.assign(quarter=pd.to_datetime(live["visit_date"]).dt.to_period("Q"))
    done = live.groupby(["member_id", "quarter"]).size()
    activities = activity_rows[activity_rows["deleted_at"].isna()]
    activities = activities.assign(
        quarter=pd.to_datetime(activities["activity_date"]).dt.to_period("Q"))
    done = done.add(activities.groupby(["member_id", "quarter"]).size(), fill_value=0)
    reports = report_rows[report_rows["deleted_at"].isna()]
    reports.groupby([reports["member_id"],
                     pd.to_datetime(reports["submitted_on"]).dt.month > 6]).size()
    in_office = seats[seats["ends_on"].isna()]["member_id"].unique()
    quarter = pd.Period("2026Q4")
    met = {m for (m, q), n in done.items() if q == quarter and n >= 1}
    return len(met.intersection(in_office))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(PRESETS), default="city")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = get_engine(args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade_to_head(engine)
        with read_session(engine) as session:
            loaded = members.store_has_members(session=session)
        if not loaded:
            summary = load_demo_data(engine=engine, actor=SYSTEM, size=PRESETS[args.size],
                                     today=TODAY)
            print(f"{args.size}: {sum(summary.rows.values()):,} rows, loaded in "
                  f"{summary.seconds:.1f} s")
        runs, filters = args.runs, DashboardFilters()
        print(f"dashboards on {engine.dialect.name}, medians of {runs} runs (ms)")

        def engine_run(span: str) -> Callable[[], object]:
            def run() -> object:
                with read_session(engine) as session:
                    return compliance.compliance_frame(
                        session=session, actor=SYSTEM, span=compliance.parse_span(span),
                        today=TODAY)
            return run

        for span in ("2026Q4", "2026"):
            ms, frame = timed(runs, engine_run(span))
            print(f"  compliance {span:<7} cold {ms:>8.0f}   ({len(frame):,} rows)")

        def cold() -> object:
            with read_session(engine) as session:
                return overview_figures(session=session, actor=SYSTEM, filters=filters,
                                        today=TODAY)

        cold_ms, figures = timed(runs, cold)
        page = PageContext(engine=engine, actor=SYSTEM, today=TODAY)
        page.cached(overview_figures, filters=filters, today=TODAY)

        def warm() -> object:  # a rerun: a new page context reads the version again
            return PageContext(engine=engine, actor=SYSTEM, today=TODAY).cached(
                overview_figures, filters=filters, today=TODAY)

        warm_ms, _ = timed(runs, warm)
        plain_ms, _ = timed(runs, lambda: plain_sql(engine))
        pandas_ms, _ = timed(max(1, runs // 2), lambda: pandas_baseline(engine))
        print(f"  overview cold           {cold_ms:>8.0f}   "
              f"({figures.contact.met:,} of {figures.contact.required:,} met the contact quota)")
        print(f"  overview warm           {warm_ms:>8.1f}")
        print(f"  plainest SQL            {plain_ms:>8.0f}   "
              f"(cold / plain {cold_ms / plain_ms:.1f}×)")
        print(f"  pandas baseline         {pandas_ms:>8.0f}   "
              f"(baseline / cold {pandas_ms / cold_ms:.1f}×, / warm {pandas_ms / warm_ms:.0f}×)")
        meeting(engine, runs, filters)
        engine.dispose()


def meeting(engine, runs: int, filters: DashboardFilters) -> None:
    """Issue 13's meeting screen: its figures cold and warm, a slide's page run from
    warm figures (the six slides built, one drawn as HTML), and the files for circulation
    (the PDF and the PNG images of the six slides)."""
    def cold() -> object:
        with read_session(engine) as session:
            return meeting_figures(session=session, actor=SYSTEM, filters=filters,
                                   today=TODAY)

    cold_ms, _ = timed(runs, cold)
    PageContext(engine=engine, actor=SYSTEM, today=TODAY).cached(
        meeting_figures, filters=filters, today=TODAY)

    def warm() -> object:
        return PageContext(engine=engine, actor=SYSTEM, today=TODAY).cached(
            meeting_figures, filters=filters, today=TODAY)

    warm_ms, figures = timed(runs, warm)

    def slide_run() -> str:  # what the page does on a live rerun
        deck = PageContext(engine=engine, actor=SYSTEM, today=TODAY).cached(
            meeting_slides, filters=filters, today=TODAY, language="zh_CN", scope="bench")
        return slide_html(deck[5], number=6, total=len(deck), status="")

    started = time.perf_counter()
    build_deck(figures, "zh_CN", "bench")
    build_ms = (time.perf_counter() - started) * 1000

    slide_ms, _ = timed(runs, slide_run)
    deck = build_deck(figures, "zh_CN", "bench")
    pdf_ms, pdf = timed(max(1, runs // 2), lambda: deck_pdf(deck))
    png_ms, pngs = timed(max(1, runs // 2), lambda: deck_pngs(deck))
    print(f"  meeting cold            {cold_ms:>8.0f}")
    print(f"  meeting warm            {warm_ms:>8.1f}")
    print(f"  meeting slides built    {build_ms:>8.1f}   (once per data version)")
    print(f"  meeting slide run       {slide_ms:>8.1f}   (the slides from the cache, one "
          "drawn)")
    print(f"  meeting PDF             {pdf_ms:>8.0f}   ({len(deck)} pages, "
          f"{len(pdf) / 1024:,.0f} KiB)")
    print(f"  meeting PNG             {png_ms:>8.0f}   ({len(pngs)} images, "
          f"{sum(map(len, pngs)) / 1024:,.0f} KiB)")


if __name__ == "__main__":
    main()
