"""The overview's figures (services/dashboard.py), hand-counted: the quota tiles now and
a week ago (inside one quarter, and across a quarter's start), the week's change of the
counts, every filter, the ranking, who is behind, the trends, and who may read them."""

from datetime import date

import pytest

from core.db import read_session, write_session
from models import Committee, Member, Role
from services import dashboard
from services.dashboard import DashboardFilters
from services.errors import PermissionDenied
from tests.helpers import factories

TODAY = date(2026, 11, 21)


@pytest.fixture
def world(engine):
    """教科卫体: 甲 (visits 10-20 and 11-19), 乙 (nothing); 经济: 丙 (visit 11-10)."""
    with write_session(engine) as session:
        org = factories.organisation(session)
        economy = Committee(organisation_id=factories.TOP, name="经济委员会")
        session.add(economy)
        session.flush()
        jia = factories.member(session, org, name="甲")
        yi = factories.member(session, org, name="乙")
        bing = factories.member(session, (org[0], economy, org[2]), name="丙")
        factories.visit(session, [jia], on=date(2026, 10, 20))
        factories.visit(session, [jia], on=date(2026, 11, 19))
        factories.visit(session, [bing], on=date(2026, 11, 10))
        leader = factories.actor(session, "leader", Role.LEADER)
        return {"jia": jia.id, "yi": yi.id, "bing": bing.id, "economy": economy.id,
                "education": org[1].id, "leader": leader}


def figures(engine, actor, today=TODAY, **filters):
    with read_session(engine) as session:
        return dashboard.overview_figures(session=session, actor=actor,
                                          filters=DashboardFilters(**filters), today=today)


def test_the_quota_tiles_now_and_a_week_ago(engine, world):
    found = figures(engine, world["leader"])
    assert (found.contact.met, found.contact.required, found.contact.exempt) == (2, 3, 0)
    assert (found.contact.met_week_ago, found.contact.required_week_ago) == (2, 3)
    assert found.report.met == 0 and found.report.share == 0
    assert (found.visits.now, found.visits.week_ago, found.visits.change) == (3, 2, 1)
    assert found.contact.period.starts_on == date(2026, 10, 1)


def test_a_week_ago_in_the_first_days_of_a_quarter_is_the_previous_quarter(engine, world):
    with write_session(engine) as session:
        factories.visit(session, [session.get(Member, world["yi"])], on=date(2027, 1, 2))
    found = figures(engine, world["leader"], today=date(2027, 1, 4))
    assert (found.contact.met, found.contact.required) == (1, 3)  # 乙 on 2 January
    # a week ago was 28 December: Q4 2026, when 甲 and 丙 had met it
    assert (found.contact.met_week_ago, found.contact.required_week_ago) == (2, 3)
    assert found.visits.now == 1  # this quarter so far
    assert found.visits.week_ago == 3  # Q4 2026 up to 28 December


def test_a_week_ago_counts_only_what_was_done_by_then(engine, world):
    found = figures(engine, world["leader"], today=date(2026, 10, 25))
    assert found.contact.met == 1  # 甲 on 10-20
    assert found.contact.met_week_ago == 0  # on 10-18 nobody had


def test_the_committee_filter_narrows_quotas_visits_ranking_and_behind(engine, world):
    found = figures(engine, world["leader"], committee_id=world["economy"])
    assert (found.contact.met, found.contact.required) == (1, 1)
    assert found.visits.now == 1
    assert found.committees["name"].tolist() == ["经济委员会"]
    assert set(found.behind["member"]) == {"丙"}  # the report quota


def test_the_ranking_and_who_is_behind(engine, world):
    found = figures(engine, world["leader"])
    ranking = found.committees.set_index("name")
    assert ranking.loc["经济委员会", "contact_share"] == 1.0
    assert ranking.loc["教科卫体委员会", "contact_share"] == 0.5
    assert found.committees["name"].tolist()[0] == "经济委员会"  # best first
    behind = found.behind[found.behind["rule"] == "contact"]
    assert behind[["member", "days_left"]].values.tolist() == [["乙", 41]]


def test_a_past_year_is_seen_on_its_last_day(engine, world):
    found = figures(engine, world["leader"], year=2025)
    assert found.day == date(2025, 12, 31)
    assert found.visits.now == 0
    assert len(found.trends) == 12


def test_the_trends_count_each_month_of_the_year(engine, world):
    trends = figures(engine, world["leader"]).trends.set_index("month")
    assert trends.loc[date(2026, 10, 1), "visits"] == 1
    assert trends.loc[date(2026, 11, 1), "visits"] == 2
    assert len(trends) == 11  # January to November


def test_members_may_not_read_the_overview(engine, world):
    with write_session(engine) as session:
        member = factories.actor(session, "m", Role.MEMBER, member_id=world["jia"])
    with pytest.raises(PermissionDenied):
        figures(engine, member)


def test_stations_a_week_ago_do_not_count_this_weeks_activity_or_new_stations(engine, world):
    with write_session(engine) as session:
        kind = factories.activity_type(session)
        education = session.get(Committee, world["education"])
        woke = factories.workstation(session, education, name="东城工作站",
                                     established_on=date(2024, 1, 1))
        factories.activity(session, woke, [], on=date(2026, 11, 18), type_id=kind.id)
        factories.workstation(session, education, name="新站", established_on=date(2026, 11, 17))
    found = figures(engine, world["leader"])
    # now: 东城 active (this week), 新站 not yet idle (established 4 days ago): both active
    assert (found.active_stations.now, found.idle_stations.now) == (2, 0)
    # a week ago (11-14): 东城 had been idle for years, 新站 did not exist
    assert (found.active_stations.week_ago, found.idle_stations.week_ago) == (0, 1)
