"""Long lists (a province has 10,000 members): the table shows a page at a time and says
how to narrow it or turn the page, and the member picker lists the first of those found.
The page and the list are made small here: five members, two to a page."""

from datetime import date

import pytest

import ui.member_picker
import ui.table
from core.db import get_engine, write_session
from tests.helpers import factories
from tests.helpers.app_test import text_input, widget

IN_TABLE_ORDER = ["李四", "钱二", "孙三", "赵一", "周五"]  # in pinyin order, as the store sorts


@pytest.fixture
def directory(admin_app, app_env, monkeypatch):
    """The member directory of five members in office (and one who has left), with room
    for two per page and list."""
    monkeypatch.setattr(ui.table, "PAGE_ROWS", 2)
    monkeypatch.setattr(ui.member_picker, "LISTED", 2)
    with write_session(get_engine(app_env)) as session:
        org = factories.organisation(session)
        for name in IN_TABLE_ORDER:
            factories.member(session, org, name=name)
        factories.member(session, org, name="吴六", in_office_to=date(2024, 12, 31))
    admin_app.switch_page("pages/members.py").run()
    assert not admin_app.exception
    return admin_app


def shown(app) -> list[str]:
    return app.dataframe[0].value["name"].tolist()


def captions(app) -> str:
    return " ".join(caption.value for caption in app.caption)


def test_a_long_directory_shows_its_first_page_and_how_to_see_more(directory):
    assert shown(directory) == IN_TABLE_ORDER[:2]
    assert "共 5 名委员" in captions(directory)
    assert "第 1–2 条，共 5 条。可用上方的筛选或搜索缩小范围，或翻到下一页" in captions(directory)


def test_turning_to_the_last_page_shows_the_rest(directory):
    widget(directory, "number_input", "页码").set_value(3).run()
    assert shown(directory) == IN_TABLE_ORDER[4:]
    assert "第 5–5 条，共 5 条" in captions(directory)


def test_a_list_that_fits_on_a_page_has_no_page_number(directory):
    text_input(directory, "搜索").input("li").run()  # 李四
    assert shown(directory) == ["李四"]
    assert [box for box in directory.number_input if box.label == "页码"] == []


def test_new_filters_start_again_at_the_first_page(directory):
    widget(directory, "number_input", "页码").set_value(2).run()
    assert shown(directory) == IN_TABLE_ORDER[2:4]
    directory.selectbox(key="directory_office").select("all").run()  # former members too
    assert widget(directory, "number_input", "页码").value == 1
    assert shown(directory) == ["李四", "钱二"]  # 吴六 (wu) is on the next page


def test_the_member_list_offers_the_first_found_and_says_the_search_narrows_it(directory):
    picker = widget(directory, "selectbox", "查看委员")
    assert picker.options == ["（选择一名委员）", "李四（教育界）", "钱二（教育界）"]
    assert "列表中为找到的 5 名委员中的前 2 名" in captions(directory)

    text_input(directory, "搜索").input("zhao").run()
    assert widget(directory, "selectbox", "查看委员").options == [
        "（选择一名委员）", "赵一（教育界）"]
    assert "列表中为找到的" not in captions(directory)
