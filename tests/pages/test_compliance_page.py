"""The compliance screen (履职达标) against a real (temporary) store: the member × period
grid with its status filter and span, the members to remind with their phones, and the
rules as dated settings (administrators change them, bad input beside the field with the
typing kept; others only read them)."""

from datetime import date

import pytest
from sqlmodel import select

from core.db import get_engine, read_session, write_session
from models import Committee, Member, QuotaRuleChange, Role
from tests.helpers import factories
from tests.helpers.app_test import TODAY, button, open_tab, sign_in_as

DAY = date.fromisoformat(TODAY)  # 2026-11-21
PAGE = "pages/compliance.py"
HOSTILE = '=HYPERLINK("http://x","y")<img src=x onerror=alert(1)>𠮷'


@pytest.fixture
def world(app_env, org_ids) -> dict[str, int]:
    _, liu_id = org_ids
    with write_session(get_engine(app_env)) as session:
        liu = session.get(Member, liu_id)
        liu.phone = "13800000001"
        economy = Committee(organisation_id=factories.TOP, name="经济委员会")
        session.add(economy)
        session.flush()
        sector = session.get(factories.Sector, liu.sector_id)
        term = session.get(factories.Term, liu.term_id)
        other = factories.member(session, (sector, economy, term), name=HOSTILE)
        other.phone = "13800000002"
        factories.visit(session, [liu], on=date(2026, 10, 20))
        return {"liu": liu_id, "other": other.id, "economy": economy.id}


def open_screen(app, app_env, who):
    sign_in_as(app, app_env, who).run()
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    return app


def grid(app):
    found = [f.value for f in app.dataframe if "contact 2026Q4" in f.value.columns]
    assert len(found) == 1
    return found[0].set_index("member")


def test_the_grid_of_the_quarter_shows_each_members_status(app, app_env, role_actor, world):
    app = open_screen(app, app_env, role_actor(Role.LEADER))
    table = grid(app)
    assert table.loc["刘洋", "contact 2026Q4"] == "已完成 1/1"
    assert table.loc[HOSTILE, "contact 2026Q4"] == "进行中 0/1（剩 41 天）"
    assert table.loc[HOSTILE, "report 2026H2"] == "进行中 0/1（剩 41 天）"
    assert {m.label: m.value for m in app.metric}["2026Q4 季度联系界别群众"] == "1 / 2"


def test_a_whole_past_year_and_the_status_filter(app, app_env, role_actor, world):
    app = open_screen(app, app_env, role_actor(Role.LEADER))
    app.selectbox(key="compliance_year").set_value(2025).run()
    spans = app.selectbox(key="compliance_span_2025_None")
    spans.set_value(next(o for o in spans.options if "全年" in o)).run()
    assert not app.exception
    table = next(f.value for f in app.dataframe if "contact 2025Q1" in f.value.columns)
    assert len([c for c in table.columns if c.startswith(("contact", "report"))]) == 6
    assert set(table["contact 2025Q1"]) == {"未完成 0/1"}


def test_the_members_to_remind_with_their_phones(app, app_env, role_actor, world):
    app = open_screen(app, app_env, role_actor(Role.STAFF))
    app.selectbox(key="compliance.committee").select_index(0).run()  # 全部
    open_tab(app, "compliance_tab", "需提醒")
    rows = next(f.value for f in app.dataframe if "phone" in f.value.columns)
    assert sorted(zip(rows["member"], rows["phone"], strict=True)) == sorted([
        (HOSTILE, "13800000002"), (HOSTILE, "13800000002"), ("刘洋", "13800000001")])
    assert len(app.get("download_button")) == 2  # Excel and CSV for the reminder calls


def test_an_administrator_changes_a_rule_bad_input_kept_beside_the_field(app, app_env,
                                                                         make_user, world):
    app = open_screen(app, app_env, make_user(Role.ADMIN))
    open_tab(app, "compliance_tab", "考核规则")
    app.number_input(key="quota_rule.required").set_value(0)
    button(app, "保存规则").click().run()
    assert [e.value for e in app.error if "1 至 20" in e.value]  # beside the field
    assert app.number_input(key="quota_rule.required").value == 0  # the typing kept
    with read_session(get_engine(app_env)) as session:
        assert session.exec(select(QuotaRuleChange)).all() == []
    app.number_input(key="quota_rule.required").set_value(2)
    button(app, "保存规则").click().run()
    assert not app.exception
    with read_session(get_engine(app_env)) as session:
        saved = session.exec(select(QuotaRuleChange)).one()
    assert (saved.rule, saved.required, saved.effective_from) == ("contact", 2, DAY)


def test_a_leader_reads_the_rules_but_has_no_form(app, app_env, role_actor, world):
    app = open_screen(app, app_env, role_actor(Role.LEADER))
    open_tab(app, "compliance_tab", "考核规则")
    assert not [b for b in app.button if b.label == "保存规则"]
    assert app.dataframe  # the rules in force


def test_with_a_term_chosen_the_whole_term_is_a_period(app, app_env, role_actor, world):
    app = open_screen(app, app_env, role_actor(Role.LEADER))
    app.selectbox(key="compliance_term").select_index(1).run()  # 十四届
    spans = next(box for box in app.selectbox if box.label == "考核周期")
    spans.set_value(next(o for o in spans.options if "整届" in o)).run()
    assert not app.exception
    table = next(f.value for f in app.dataframe if "contact 2023Q1" in f.value.columns)
    assert "contact 2026Q4" in table.columns and "report 2023H1" in table.columns


def test_the_same_rule_submitted_twice_is_saved_once(app, app_env, make_user, world):
    """A double click sends the form twice: the second finds the change of that day and
    replaces it with the same, so one change stands."""
    app = open_screen(app, app_env, make_user(Role.ADMIN))
    open_tab(app, "compliance_tab", "考核规则")
    for _ in range(2):
        app.number_input(key="quota_rule.required").set_value(3)
        app.number_input(key="quota_rule.grace_days").set_value(45)
        button(app, "保存规则").click().run()
        assert not app.exception
        open_tab(app, "compliance_tab", "考核规则")
    with read_session(get_engine(app_env)) as session:
        saved = session.exec(select(QuotaRuleChange)).all()
    assert [(c.required, c.grace_days) for c in saved] == [(3, 45)]
