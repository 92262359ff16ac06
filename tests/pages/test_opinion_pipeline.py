"""The opinion pipeline dashboard (社情民意流转) against a real (temporary) store: the
tiles, the stages, adoption and instructions, the days to feedback and the overdue list;
the period and committee filters; staff starting on their own committee; a click on an
overdue report opening it on the reports board; the empty states; members kept out."""

import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from core.db import get_engine, write_session
from models import (
    AdoptionLevel,
    Committee,
    InstructionLevel,
    ListEntry,
    ListKind,
    OpinionReport,
    Role,
    Sector,
    Term,
)
from models import OpinionAction as A
from services import opinion
from services.actors import SYSTEM
from services.opinion import ReportDraft, Step
from services.records import soft_delete
from tests.helpers import factories
from tests.helpers.app_test import TODAY, open_tab, registered_pages, sign_in_as

DAY = date.fromisoformat(TODAY)  # 2026-11-21, in the fourth quarter
PAGE = "pages/opinion_pipeline.py"
TABS = "opinion_pipeline_tab"  # the lazy tabs
STAGES, TURNAROUND, OVERDUE = "办理环节、采用与批示", "办理用时", "逾期信息"
HOSTILE = '=HYPERLINK("http://x","y")<img src=x onerror=alert(1)>𠮷'


def submit(app_env, member_id: int, title: str, on: date, *steps: Step) -> int:
    with write_session(get_engine(app_env)) as session:
        category = ListEntry(organisation_id=factories.TOP, kind=ListKind.OPINION_CATEGORY,
                             name=f"民生（{title[:20]}）")
        session.add(category)
        session.flush()
        report = opinion.submit_report(
            session=session, actor=SYSTEM, idempotency_key=f"pipeline-{title}", today=DAY,
            draft=ReportDraft(title=title, body="正文", category_id=category.id,
                              lead_member_id=member_id, submitted_on=on))
        for step in steps:
            report = opinion.take_step(session=session, actor=SYSTEM, report_id=report.id,
                                       expected_version=report.version, step=step, today=DAY)
        return report.id


@pytest.fixture
def reports(app_env, org_ids) -> dict[str, int]:
    """In 教科卫体委员会 (刘洋), this quarter: 迟迟未审 (submitted 10-22, never reviewed: 23
    days overdue), 已采用的 (adopted by the city, a city leader's instruction) and 未采用的
    (not adopted, the members told 9 days after). In 经济委员会: 经济的 (just submitted)."""
    member_id = org_ids[1]
    with write_session(get_engine(app_env)) as session:
        sector = Sector(organisation_id=factories.TOP, name="经济界")
        economy = Committee(organisation_id=factories.TOP, name="经济委员会")
        session.add_all([sector, economy])
        session.flush()
        term = session.exec(select(Term).where(Term.organisation_id == factories.TOP)).one()
        economist = factories.member(session, (sector, economy, term), name="赵强").id
        economy_id = economy.id
    return {
        "late": submit(app_env, member_id, "迟迟未审", DAY - timedelta(days=30)),
        "adopted": submit(app_env, member_id, "已采用的", DAY - timedelta(days=5),
                          Step(A.START_REVIEW, on=DAY - timedelta(days=4)),
                          Step(A.ADOPT, level=AdoptionLevel.CITY, on=DAY - timedelta(days=3)),
                          Step(A.INSTRUCT, on=DAY - timedelta(days=2), leader="李书记",
                               instruction_level=InstructionLevel.CITY, note="请研究")),
        "rejected": submit(app_env, member_id, "未采用的", DAY - timedelta(days=20),
                           Step(A.START_REVIEW, on=DAY - timedelta(days=19)),
                           Step(A.REJECT, on=DAY - timedelta(days=18), note="不宜采用"),
                           Step(A.GIVE_FEEDBACK, on=DAY - timedelta(days=11), note="已告知")),
        "economy": submit(app_env, economist, "经济的", DAY - timedelta(days=1)),
        "economy_committee": economy_id,
    }


def open_dashboard(app, app_env, who):
    sign_in_as(app, app_env, who).run()
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    return app


def metrics(app) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def overdue_table(app):
    found = [frame.value for frame in app.dataframe if "days_overdue" in frame.value.columns]
    assert len(found) == 1
    return found[0]


def test_a_leader_sees_the_quarter_stages_adoption_instructions_days_and_overdue(
        app, app_env, role_actor, reports):
    app = open_dashboard(app, app_env, role_actor(Role.LEADER))
    tiles = metrics(app)
    assert (tiles["报送"], tiles["采用"], tiles["采用率"]) == ("4", "1", "25%")
    assert (tiles["获领导批示"], tiles["逾期"]) == ("1", "1")
    assert [tab.label for tab in app.tabs] == [STAGES, TURNAROUND, OVERDUE]
    assert len(app.get("vega_lite_chart")) == 3  # stages, adoption, instructions
    open_tab(app, TABS, TURNAROUND)
    assert metrics(app)["报送至反馈委员（1 条）"] == "9 / 9"
    assert len(app.get("vega_lite_chart")) == 1  # the days to feedback
    open_tab(app, TABS, OVERDUE)
    late = overdue_table(app)
    assert (late["id"].tolist(), late["days_overdue"].tolist()) == ([reports["late"]], [23])
    assert late["status"].tolist() == ["已报送"]


def test_the_committee_filter_narrows_every_figure(app, app_env, role_actor, reports):
    app = open_dashboard(app, app_env, role_actor(Role.LEADER))
    app.selectbox(key="opinion_pipeline_filter.committee").select(
        reports["economy_committee"]).run()
    assert not app.exception, app.exception
    assert (metrics(app)["报送"], metrics(app)["采用"], metrics(app)["逾期"]) == ("1", "0", "0")
    infos = [i.value for i in app.info]
    assert "所选期间报送的信息还没有被采用的。" in infos
    assert "所选期间报送的信息还没有获得领导批示的。" in infos
    open_tab(app, TABS, TURNAROUND)
    assert any(i.value.startswith("所选期间报送的信息还没有反馈委员的。") for i in app.info)
    open_tab(app, TABS, OVERDUE)
    assert any("没有逾期的信息" in c.value for c in app.caption)


def test_a_period_without_reports_asks_for_another(app, app_env, role_actor, reports):
    app = open_dashboard(app, app_env, role_actor(Role.LEADER))
    app.selectbox(key="opinion_pipeline_period.quarter").select_index(2).run()  # 2026 Q2
    assert not app.exception, app.exception
    assert [i.value for i in app.info] == [
        "所选期间没有报送的社情民意信息。请换一个期间或放宽筛选条件。"]
    assert app.metric == [] and app.get("vega_lite_chart") == []


def test_staff_start_on_their_own_committee(app, app_env, role_actor, reports, org_ids):
    app = open_dashboard(app, app_env, role_actor(Role.STAFF))
    assert app.selectbox(key="opinion_pipeline_filter.committee").value == org_ids[0]
    assert metrics(app)["报送"] == "3"  # not 经济的


def test_the_numbers_of_the_stages_open_under_their_chart(app, app_env, role_actor, reports):
    app = open_dashboard(app, app_env, role_actor(Role.STAFF))
    app.session_state["charts_opinion_pipeline_stages_numbers"] = True
    app.run()
    assert not app.exception, app.exception
    (stages,) = [f.value for f in app.dataframe if "reports" in f.value.columns
                 and "已报送" in f.value["name"].tolist()]
    counts = dict(zip(stages["name"], stages["reports"], strict=True))
    assert [counts[stage] for stage in ("已报送", "已采用", "已反馈委员", "已办结")] == [1, 1, 1, 0]


def test_a_click_on_an_overdue_report_opens_it_on_the_board(app, app_env, role_actor, reports):
    app = open_tab(open_dashboard(app, app_env, role_actor(Role.STAFF)), TABS, OVERDUE)
    app.session_state["table.opinion_overdue.pick"] = {
        "selection": {"rows": [0], "columns": [], "cells": []}}
    app.run()
    assert not app.exception, app.exception
    headings = [re.sub(r"<[^>]+>", "", e.value) for e in app.html if "<h3" in e.value]
    assert len(headings) == 1 and "迟迟未审" in headings[0]
    assert app.selectbox(key="report_board.pick").value == reports["late"]


def test_without_any_report_it_says_how_reports_come_in(app, app_env, role_actor, org_ids):
    app = open_dashboard(app, app_env, role_actor(Role.LEADER))
    assert [i.value for i in app.info] == [
        "还没有社情民意信息。委员或工作人员可在“社情民意报送”中报送，历史信息可在“名册导入”中批量导入。"]


def test_a_hostile_title_is_shown_as_typed(app, app_env, role_actor, org_ids):
    report_id = submit(app_env, org_ids[1], HOSTILE, DAY - timedelta(days=40))
    app = open_tab(open_dashboard(app, app_env, role_actor(Role.LEADER)), TABS, OVERDUE)
    late = overdue_table(app)
    assert (late["id"].tolist(), late["title"].tolist()) == ([report_id], [HOSTILE])
    assert all(HOSTILE not in element.value for element in app.markdown)


def test_members_cannot_open_it(app, app_env, role_actor, org_ids):
    sign_in_as(app, app_env, role_actor(Role.MEMBER)).run()
    assert "opinion_pipeline" not in registered_pages(app)


def test_deleted_reports_count_nowhere(app, app_env, role_actor, reports):
    with write_session(get_engine(app_env)) as session:
        late = session.get(OpinionReport, reports["late"])
        soft_delete(session=session, actor=SYSTEM, model=OpinionReport, record_id=late.id,
                    expected_version=late.version)
    app = open_dashboard(app, app_env, role_actor(Role.LEADER))
    assert (metrics(app)["报送"], metrics(app)["逾期"]) == ("3", "0")
