"""The screen kit's widgets, each drawn alone by a small script under AppTest against a real
(temporary) store: what they draw, what they return, and what survives a rerun."""

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from core.db import get_engine, write_session
from models import Committee, Organisation, OrgLevel, Role
from services.periods import PeriodKind
from services.users import actor_for
from tests.helpers import factories
from tests.helpers.app_test import text_input, widget

ACTOR = "liaison_actor"  # where app.py keeps the signed-in actor for the page (ui.context)


def _run(script, *args, actor=None) -> AppTest:
    app = AppTest.from_function(script, args=args, default_timeout=30)
    if actor is not None:
        app.session_state[ACTOR] = actor
    return app.run()


# --- the page context -------------------------------------------------------------------


def page_reads():
    import streamlit as st

    from services import members
    from ui.page import open_page

    page = open_page()
    st.session_state["committees"] = page.read(members.lookups).committees
    st.session_state["names"] = page.read(members.list_members, today=page.today)["name"].tolist()
    st.session_state["today"] = page.today


def test_a_page_reads_services_with_and_without_an_actor(app_env, role_actor):
    app = _run(page_reads, actor=role_actor(Role.STAFF))
    assert not app.exception
    assert list(app.session_state["committees"].values()) == ["教科卫体委员会"]
    assert app.session_state["names"] == ["刘洋"]
    assert app.session_state["today"] == date(2026, 11, 21)  # LIAISON_TODAY


# --- flash ------------------------------------------------------------------------------


def saves_and_reruns(until_cleared):
    import streamlit as st

    from ui.flash import clear_flash, flash, show_flash

    show_flash(until_cleared=until_cleared)
    if st.button("保存"):
        flash("members.saved")
        st.rerun()
    if st.button("清除"):
        clear_flash()


def test_a_flash_survives_the_rerun_and_is_shown_once(app_env):
    app = _run(saves_and_reruns, False)
    app.button[0].click().run()
    assert [s.value for s in app.success] == ["已保存。"]
    app.run()
    assert app.success == []


def test_a_flash_until_cleared_stays_until_cleared(app_env):
    app = _run(saves_and_reruns, True)
    app.button[0].click().run()
    app.run()
    assert [s.value for s in app.success] == ["已保存。"]
    app.button[1].click().run()
    app.run()
    assert app.success == []


def keeps_the_first_notice():
    import streamlit as st

    from ui.flash import flash, show_flash

    if st.button("改密码"):
        flash("account.changed_sign_in_again", level="info")
        flash("signin.notice.ended", level="info", replace=False)
    show_flash()


def test_a_flash_that_does_not_replace_keeps_the_waiting_one(app_env):
    app = _run(keeps_the_first_notice)
    app.button[0].click().run()
    (notice,) = app.info
    assert notice.value.startswith("密码已修改")


# --- the labelled table -----------------------------------------------------------------


def shows_a_table():
    from datetime import UTC, datetime

    import pandas as pd

    from ui.table import labelled_table

    rows = pd.DataFrame({
        "id": [1, 2], "name": ["刘洋", "王芳"], "is_cpc": [True, False],
        "at": [datetime(2026, 11, 21, 1, 30, tzinfo=UTC), None], "editable": [True, False],
    })
    labelled_table(rows, {"name": "姓名", "at": "时间", "editable": "可修改"},
                   file_name="people", entity="Member", screen_only=["editable"])


@pytest.fixture
def exported(monkeypatch) -> list[dict]:
    """The labels each export button pair was given."""
    import ui.table

    calls: list[dict] = []
    monkeypatch.setattr(ui.table, "export_buttons",
                        lambda table, name, labels, *, entity: calls.append(
                            {"name": name, "labels": labels, "entity": entity,
                             "rows": len(table)}))
    return calls


def test_a_labelled_table_shows_its_columns_and_exports_all_but_screen_only_ones(
    app_env, role_actor, exported,
):
    app = _run(shows_a_table, actor=role_actor(Role.ADMIN))
    shown = app.dataframe[0].value
    assert list(shown.columns) == ["name", "at", "editable"]  # only the labelled ones
    assert shown["at"].tolist() == ["2026-11-21 09:30", ""]  # office time, to the minute
    assert exported == [{"name": "people", "labels": {"name": "姓名", "at": "时间"},
                         "entity": "Member", "rows": 2}]


def test_a_labelled_table_offers_excel_and_csv_built_on_click(app_env, role_actor):
    app = _run(shows_a_table, actor=role_actor(Role.ADMIN))
    buttons = app.get("download_button")
    assert [b.proto.label for b in buttons] == ["导出 Excel", "导出 CSV"]
    assert all(b.proto.deferred_file_id and not b.proto.url for b in buttons)


# --- form fields ------------------------------------------------------------------------


def a_form_with_fields():
    import streamlit as st

    from services.errors import ValidationFailed
    from ui.fields import choice_field, password_field, text_field
    from ui.forms import run_form

    def refuse():
        raise ValidationFailed({"name": "users.error.display_name_required",
                                "password": "password.too_short"})

    with st.form("person"):
        name = text_field("person", "name", "姓名", max_chars=60)
        password = password_field("person", "password", "密码")
        role = choice_field("person", "role", "角色", ["a", "b"])
        sent = st.form_submit_button("保存")
    st.session_state["typed"] = (name, password, role)
    if sent:
        run_form("person", refuse)


def test_fields_show_their_own_error_under_themselves_and_keep_the_typing(app_env):
    app = _run(a_form_with_fields)
    text_input(app, "姓名").input("某某")
    text_input(app, "密码").input("short")
    widget(app, "selectbox", "角色").select("b")
    widget(app, "button", "保存").click().run()
    assert not app.exception
    assert [e.value for e in app.error] == ["请填写姓名。", "密码至少需要 12 个字符。"]
    assert app.session_state["typed"] == ("某某", "short", "b")
    form = next(iter(app.main.children.values()))
    kinds = [type(node).__name__ for node in form.children.values()]
    assert kinds[:4] == ["TextInput", "Error", "TextInput", "Error"]  # each under its field


def an_edit_form():
    import streamlit as st

    from ui.fields import text_field
    from ui.forms import changed_fields, edit_form

    edit_form("contact", 3, {"phone": "0750-1111111", "employer": "市一中"})
    with st.form("contact"):
        text_field("contact", "phone", "联系电话")
        text_field("contact", "employer", "工作单位")
        st.form_submit_button("保存")
    st.session_state["changed"] = changed_fields("contact")


def test_a_field_in_an_edit_form_shows_the_stored_value_and_reports_its_change(app_env):
    app = _run(an_edit_form)
    assert text_input(app, "联系电话").value == "0750-1111111"
    text_input(app, "工作单位").input("市二中")
    widget(app, "button", "保存").click().run()
    assert app.session_state["changed"] == {"employer": "市二中"}


# --- the member picker ------------------------------------------------------------------


def picks_a_member():
    import pandas as pd
    import streamlit as st

    from ui.member_picker import member_picker

    roster = pd.DataFrame({
        "id": [1, 2, 3, 4],
        "name": ["张三", "曾志伟", "李四", "单田芳"],
        "label": ["张三（教育界）", "曾志伟（经济界）", "李四（教育界）", "单田芳（文艺界）"],
        "employer": ["市第一中学", "工商银行", "张家口公司", None],
    })
    pick = member_picker(roster, label="查看委员", search_hint="姓名或拼音",
                         also_search=["employer"])
    st.session_state["found"] = pick.found["name"].tolist()
    st.session_state["chosen"] = pick.member_id


@pytest.mark.parametrize(("typed", "found"), [
    ("", ["张三", "曾志伟", "李四", "单田芳"]),
    ("zhang", ["张三"]),
    ("zs", ["张三"]),
    ("ZhangS", ["张三"]),
    ("ｚｓ", ["张三"]),  # full-width letters from a Chinese keyboard
    ("张", ["张三", "李四"]),  # 李四 works at 张家口公司
    ("zeng", ["曾志伟"]),
    ("shan", ["单田芳"]),
    ("银行", ["曾志伟"]),  # the employer
    ("张家口", ["李四"]),
    ("wangwu", []),
])
def test_the_member_picker_finds_by_name_pinyin_initials_and_employer(app_env, typed, found):
    app = _run(picks_a_member)
    text_input(app, "搜索").input(typed).run()
    assert app.session_state["found"] == found
    options = widget(app, "selectbox", "查看委员").options
    assert options[1:] == [label for label in ["张三（教育界）", "曾志伟（经济界）",
                                               "李四（教育界）", "单田芳（文艺界）"]
                           if label.split("（")[0] in found]


def test_the_member_picker_returns_the_chosen_member(app_env):
    app = _run(picks_a_member)
    assert app.session_state["chosen"] is None
    text_input(app, "搜索").input("zs").run()
    widget(app, "selectbox", "查看委员").select(1).run()
    assert app.session_state["chosen"] == 1


# --- the period picker ------------------------------------------------------------------


def picks_a_period(kinds):
    from datetime import date

    import streamlit as st

    from ui.periods import period_name, period_picker

    period = period_picker(today=date(2026, 11, 21), kinds=kinds)
    st.session_state["period"] = (period.kind, period.starts_on, period.ends_on)
    st.session_state["name"] = period_name(period)


def test_the_period_picker_starts_on_the_current_quarter(app_env):
    app = _run(picks_a_period, tuple(PeriodKind))
    assert app.session_state["period"] == (PeriodKind.QUARTER, date(2026, 10, 1),
                                           date(2026, 12, 31))
    assert widget(app, "selectbox", "统计周期").options[:2] == ["2026年第4季度", "2026年第3季度"]


def test_the_period_picker_offers_half_years_and_years(app_env):
    app = _run(picks_a_period, tuple(PeriodKind))
    app.button_group[0].set_value(PeriodKind.HALF_YEAR).run()
    assert app.session_state["name"] == "2026年下半年"
    app.button_group[0].set_value(PeriodKind.YEAR).run()
    widget(app, "selectbox", "统计周期").select_index(1).run()
    assert app.session_state["period"] == (PeriodKind.YEAR, date(2025, 1, 1), date(2025, 12, 31))
    assert app.session_state["name"] == "2025年"


def test_a_period_picker_of_one_kind_draws_no_kind_choice(app_env):
    app = _run(picks_a_period, (PeriodKind.HALF_YEAR,))
    assert app.button_group == []
    assert app.session_state["name"] == "2026年下半年"


# --- the filter bar ---------------------------------------------------------------------


def filters():
    import streamlit as st

    from ui.filter_bar import filter_bar
    from ui.page import open_page

    st.session_state["scope"] = filter_bar(open_page())


def _district(app_env) -> int:
    """A district below the first organisation, with a committee of its own."""
    with write_session(get_engine(app_env)) as session:
        district = Organisation(name="东城区政协", level=OrgLevel.DISTRICT, parent_id=1)
        session.add(district)
        session.flush()
        committee = Committee(organisation_id=district.id, name="经济委员会")
        session.add(committee)
        return district.id


def test_the_filter_bar_hides_the_organisation_when_there_is_only_one(app_env, role_actor):
    app = _run(filters, actor=role_actor(Role.LEADER))
    assert [s.label for s in app.selectbox] == ["专委会", "界别"]
    scope = app.session_state["scope"]
    assert (scope.organisation_ids, scope.committee_id, scope.sector_id) == (None, None, None)


def test_the_filter_bar_offers_organisations_when_there_are_several(app_env, role_actor):
    district = _district(app_env)
    app = _run(filters, actor=role_actor(Role.LEADER))
    assert [s.label for s in app.selectbox] == ["所属政协", "专委会", "界别"]
    assert len(widget(app, "selectbox", "专委会").options) == 3  # all, and one of each
    widget(app, "selectbox", "所属政协").select(district).run()
    assert app.session_state["scope"].organisation_ids == {district}
    assert widget(app, "selectbox", "专委会").options[1] == "经济委员会（东城区政协）"


def test_a_district_user_sees_no_organisation_picker(app_env, make_user):
    district = _district(app_env)
    with write_session(get_engine(app_env)) as session:
        user = factories.user(session, "district_leader", Role.LEADER, organisation_id=district)
        actor = actor_for(session, user)
    app = _run(filters, actor=actor)
    assert [s.label for s in app.selectbox] == ["专委会", "界别"]
    assert widget(app, "selectbox", "专委会").options == ["全部", "经济委员会"]


def test_the_filter_bar_starts_staff_on_their_committee(app_env, role_actor, org_ids):
    committee_id, _ = org_ids
    app = _run(filters, actor=role_actor(Role.STAFF))
    assert app.session_state["scope"].committee_id == committee_id
    widget(app, "selectbox", "界别").select_index(1).run()
    assert app.session_state["scope"].sector_id is not None
