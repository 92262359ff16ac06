"""The meeting's figures (services/meeting.py, services/dashboard.week_figures) and its
slides as data (ui/meeting_deck.py), hand-counted over a small world on 2026-11-21:

- 教科卫体: 甲 visits 11-15 (this week's first day) and 11-14 (last week's last day),
  乙 nothing; 丙 (经济) visits 11-21 and 11-07 (last week's first day is 11-08: not
  counted); a deleted visit on 11-20;
- 东城工作站 holds an activity on 11-18 (this week); 西城工作站 never did (idle);
- a report led by 甲 submitted 11-20, one by 丙 submitted 11-10.
"""

from datetime import date
from types import SimpleNamespace

import pandas as pd
import pytest

from core.db import read_session, write_session
from models import Committee, Member, OpinionReport, Role, Visit
from services import meeting
from services.dashboard import DashboardFilters, week_figures
from services.errors import PermissionDenied
from services.periods import quarter_of
from services.records import soft_delete
from tests.helpers import factories
from tests.unit.test_opinion_dashboard import report
from ui.meeting_deck import _committees, _Words, build_deck, fit, width_of

TODAY = date(2026, 11, 21)


@pytest.fixture
def world(engine):
    with write_session(engine) as session:
        org = factories.organisation(session)
        economy = Committee(organisation_id=factories.TOP, name="经济委员会")
        session.add(economy)
        session.flush()
        jia = factories.member(session, org, name="甲")
        yi = factories.member(session, org, name="乙")
        bing = factories.member(session, (org[0], economy, org[2]), name="丙")
        factories.visit(session, [jia], on=date(2026, 11, 15))
        factories.visit(session, [jia], on=date(2026, 11, 14))
        factories.visit(session, [bing], on=date(2026, 11, 21))
        factories.visit(session, [bing], on=date(2026, 11, 7))
        gone = factories.visit(session, [jia], on=date(2026, 11, 20))
        admin = factories.actor(session, "admin", Role.ADMIN)
        session.flush()
        soft_delete(session=session, actor=admin, model=Visit, record_id=gone.id,
                    expected_version=gone.version)
        kind = factories.activity_type(session)
        east = factories.workstation(session, org[1], name="东城工作站",
                                     established_on=date(2024, 1, 1))
        factories.activity(session, east, [jia], on=date(2026, 11, 18), type_id=kind.id)
        factories.workstation(session, org[1], name="西城工作站",
                              established_on=date(2024, 1, 1))
        report(session, admin, "this-week", jia, date(2026, 11, 20), None)
        report(session, admin, "last-week", bing, date(2026, 11, 10), None)
        return {"economy": economy.id, "jia": jia.id, "yi": yi.id, "admin": admin,
                "leader": factories.actor(session, "leader", Role.LEADER)}


def week(engine, actor, today=TODAY, **filters):
    with read_session(engine) as session:
        return week_figures(session=session, actor=actor, filters=DashboardFilters(**filters),
                            today=today)


def figures(engine, actor, today=TODAY, **filters):
    with read_session(engine) as session:
        return meeting.meeting_figures(session=session, actor=actor,
                                       filters=DashboardFilters(**filters), today=today)


def test_this_week_is_the_seven_days_to_today_against_the_seven_before(engine, world):
    found = week(engine, world["leader"])
    assert (found.first, found.last) == (date(2026, 11, 15), TODAY)
    # 11-15 and 11-21 this week (the deleted 11-20 is not); 11-14 last week (11-07 not)
    assert (found.visits.now, found.visits.week_ago) == (2, 1)
    assert (found.activities.now, found.activities.week_ago) == (1, 0)
    assert (found.reports.now, found.reports.week_ago) == (1, 1)
    assert (found.problems_handled.now, found.problems_handled.week_ago) == (0, 0)


def test_the_week_honours_the_committee_filter(engine, world):
    found = week(engine, world["leader"], committee_id=world["economy"])
    assert (found.visits.now, found.visits.week_ago) == (1, 0)  # 丙 on 11-21 only
    assert found.activities.now == 0  # 东城 is guided by 教科卫体
    assert (found.reports.now, found.reports.week_ago) == (0, 1)


def test_a_past_year_is_its_last_week(engine, world):
    found = week(engine, world["leader"], year=2025)
    assert (found.first, found.last) == (date(2025, 12, 25), date(2025, 12, 31))
    assert found.visits.now == 0


def test_the_meeting_figures_remind_only_the_pending_and_list_the_stations(engine, world):
    found = figures(engine, world["leader"])
    assert set(found.remind["status"]) == {"pending"}
    contact = found.remind[found.remind["rule"] == "contact"]
    assert contact["member"].tolist() == ["乙"]  # 甲 and 丙 visited this quarter
    assert set(found.remind[found.remind["rule"] == "report"]["member"]) == {"乙"}
    assert (found.stations.active, found.stations.idle) == (1, 1)
    assert found.stations.most_active["name"].tolist() == ["东城工作站"]
    assert found.stations.idle_list["name"].tolist() == ["西城工作站"]
    assert found.stages.total == 2
    # due for review 7 days after submission: 11-17 for 丙's, 11-27 for 甲's
    assert found.overdue[["title", "days_overdue"]].values.tolist() == [["报告 last-week", 4]]


def test_reports_past_their_deadline_are_on_the_meeting_list(engine, world):
    found = figures(engine, world["leader"], today=date(2027, 2, 1))
    assert len(found.overdue) == 2
    assert found.stages.total == 0  # the stages count the year's reports: none in 2027


def test_members_may_not_read_the_meeting_figures(engine, world):
    with write_session(engine) as session:
        member = factories.actor(session, "m", Role.MEMBER, member_id=world["jia"])
    with pytest.raises(PermissionDenied):
        figures(engine, member)
    with pytest.raises(PermissionDenied):
        week(engine, member)


# --- the slides as data -----------------------------------------------------------------


def test_six_slides_each_answering_one_question_in_chinese(engine, world):
    deck = build_deck(figures(engine, world["leader"]), "zh_CN", "测试政协")
    assert [slide.key for slide in deck] == ["week", "quota", "committees", "opinions",
                                             "stations", "remind"]
    assert [slide.title for slide in deck] == [
        "本周与上周相比", "履职达标情况", "专委会排名", "社情民意流转", "工作站动态",
        "本周需提醒的委员"]
    first = deck[0]
    assert [(tile.label, tile.value, tile.delta, tile.tone) for tile in first.tiles] == [
        ("走访", "2", "较上周 ▲ 1", "good"), ("报送社情民意", "1", "与上周持平", "flat"),
        ("办结问题", "0", "与上周持平", "flat"), ("工作站活动", "1", "较上周 ▲ 1", "good")]
    assert first.tiles[0].note == "上周 1"
    assert all(slide.footer == "测试政协 · 办公例会 · 2026年11月21日" for slide in deck)
    quota = deck[1].tiles[0]
    assert quota.label == "2026年第四季度联系界别群众达标率"
    assert quota.value == "66.7%"  # 甲 and 丙 of 3
    assert "剩余 41 天" in quota.note
    remind = deck[5].panels[0]
    assert remind.rows == (("乙", "教科卫体委员会", "联系群众 0/1；社情民意 0/1", "41"),)
    assert deck[5].subtitle.startswith("1 位委员")


def test_the_slides_in_english(engine, world):
    deck = build_deck(figures(engine, world["leader"]), "en", "Test")
    assert deck[0].title == "This week against last week"
    assert deck[1].tiles[0].label == "Contact quota met, 2026 fourth quarter"
    assert deck[0].tiles[0].delta == "▲ 1 on last week"


def test_an_empty_store_says_what_is_missing_rather_than_showing_zeros(engine):
    with write_session(engine) as session:
        factories.organisation(session)
        leader = factories.actor(session, "leader", Role.LEADER)
    deck = build_deck(figures(engine, leader), "zh_CN", "测试政协")
    assert deck[1].empty == "当前范围内还没有需要考核的在任委员。" and not deck[1].tiles
    assert deck[2].panels[0].empty and not deck[2].panels[0].bars
    assert deck[5].panels[0].rows == ()
    assert deck[5].panels[0].empty == "当前范围内的委员都已完成或免于考核。"


def test_hostile_names_are_cleaned_and_cut_to_fit(engine, world):
    hostile = ('=HYPERLINK("http://x","y")<img src=x onerror=alert(1)>\u202e𠮷\x07'
               + "长" * 10_000)
    with write_session(engine) as session:
        session.get(Member, world["yi"]).name = hostile[:40]  # as long as the store takes
        session.get(OpinionReport, 1).title = hostile[:200]
    deck = build_deck(figures(engine, world["leader"], today=date(2027, 2, 1)), "zh_CN", hostile)
    overdue = deck[3].panels[1].rows
    titles = [cells[0] for cells in overdue]
    assert any(row[0].startswith("=HYPERLINK(") for row in deck[5].panels[0].rows)
    assert any(title.startswith("=HYPERLINK") for title in titles)
    for text, ems in [*((title, 22) for title in titles), (deck[0].footer, 80)]:
        assert "\u202e" not in text and "\x07" not in text
        assert width_of(text) <= ems
    assert all(title.endswith("…") for title in titles if title.startswith("="))


@pytest.mark.parametrize(("text", "ems", "expected"), [
    ("经济委员会", 5, "经济委员会"),
    ("经济委员会委员", 5, "经济委员…"),
    ("a\nb\tc", 10, "a b c"),
    ("\u200b\u202e", 10, "—"),
    (None, 3, "—"),
    ("𠮷野家", 3, "𠮷野家"),
])
def test_fit(text, ems, expected):
    assert fit(text, ems) == expected


# --- the committees slide: who leads and who lags ------------------------------------------


def committees_slide(shares: list[float | None]):
    """The committees slide for committees 委员会01… ranked as the overview ranks them."""
    frame = pd.DataFrame({
        "name": [f"委员会{n:02d}" for n in range(1, len(shares) + 1)],
        "organisation": "本级政协", "contact_share": shares, "report_share": 0.5})
    overview = SimpleNamespace(committees=frame, quarter=quarter_of(TODAY))
    deck = _committees(SimpleNamespace(overview=overview), _Words("zh_CN"))
    return [[bar.label for bar in panel.bars] for panel in deck.panels], deck.panels


def test_up_to_ten_committees_are_one_list():
    names, panels = committees_slide([0.9] * 10)
    assert len(names) == 1 and len(names[0]) == 10
    assert panels[0].heading == "全部专委会"


def test_twelve_committees_are_split_in_halves_without_repeating_one():
    names, panels = committees_slide([1 - n / 20 for n in range(12)])
    assert [len(half) for half in names] == [6, 6]
    assert not set(names[0]) & set(names[1])
    assert [panel.heading for panel in panels] == ["前 6 名", "后 6 名"]
    assert panels[1].more == ""


def test_many_committees_show_the_first_and_last_ten_and_count_the_rest():
    names, panels = committees_slide([1 - n / 40 for n in range(25)])
    assert names[0][0] == "委员会01" and names[1][-1] == "委员会25"
    assert panels[1].more == "中间另有 5 个专委会"


def test_committees_nobody_is_required_in_are_not_among_the_last():
    names, panels = committees_slide([1 - n / 40 for n in range(20)] + [None, None])
    assert "委员会22" not in names[1] and names[1][-1] == "委员会20"
    assert panels[1].more == "中间另有 2 个专委会"
