"""The roster import page through app.py: the empty state, a file previewed row by row,
the confirmation, and refusals (a bad row, a renamed file, another committee's member)."""

import pytest
from sqlalchemy import func
from sqlmodel import select

from core.db import get_engine, read_session, write_session
from models import (
    Committee,
    ContactPerson,
    ListEntry,
    ListKind,
    Member,
    OpinionReport,
    Role,
    Sector,
    Term,
    Visit,
)
from tests.helpers import factories
from tests.helpers.app_test import button, sign_in_as, widget

PAGE = "pages/roster_import.py"
HEADER = "姓名,出生年份,界别,专委会,联系电话\r\n"


def csv_file(*rows: str) -> bytes:
    return (HEADER + "".join(f"{row}\r\n" for row in rows)).encode("utf-8-sig")


@pytest.fixture
def lists(app_env) -> None:
    with write_session(get_engine(app_env)) as session:
        factories.organisation(session)
        session.add(Committee(organisation_id=factories.TOP, name="经济委员会"))


def _open(app):
    app.switch_page(PAGE).run()
    assert not app.exception
    return app


def _upload(app, content: bytes, name: str = "名册.csv"):
    app.file_uploader[0].set_value((name, content, "text/csv")).run()
    assert not app.exception
    return app


def _members(app_env) -> list[str]:
    with read_session(get_engine(app_env)) as session:
        return sorted(session.exec(select(Member.name)).all())


def _tiles(app) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


@pytest.mark.usefixtures("lists")
def test_the_empty_page_says_what_to_do_and_offers_both_templates(admin_app):
    app = _open(admin_app)
    assert "先下载模板" in app.info[0].value
    labels = [element.proto.label for element in app.get("download_button")]
    assert labels == ["下载 Excel 模板", "下载 CSV 模板"]
    assert all(element.proto.deferred_file_id for element in app.get("download_button"))


@pytest.mark.usefixtures("lists")
def test_a_file_is_previewed_then_imported_after_confirmation(admin_app, app_env):
    app = _upload(_open(admin_app), csv_file("王芳,1975,教育界,教科卫体委员会,13800138000",
                                             "李明,1980,教育界,经济委员会,"))
    assert _tiles(app) == {"新增": "2", "更新": "0", "无变化": "0", "错误": "0"}
    assert _members(app_env) == []  # the preview wrote nothing
    button(app, "导入 2 行").click().run()
    assert "要么全部写入" in app.warning[0].value
    button(app, "确认导入").click().run()
    assert not app.exception
    assert "已导入：新增 2 行" in app.success[0].value
    assert _members(app_env) == ["李明", "王芳"]
    assert "先下载模板" in app.info[0].value  # a fresh uploader for the next file


@pytest.mark.usefixtures("lists")
def test_cancel_keeps_the_preview_and_writes_nothing(admin_app, app_env):
    app = _upload(_open(admin_app), csv_file("王芳,1975,教育界,教科卫体委员会,"))
    button(app, "导入 1 行").click().run()
    button(app, "取消").click().run()
    assert [b for b in app.button if b.label == "确认导入"] == []
    assert _members(app_env) == []


@pytest.mark.usefixtures("lists")
def test_a_row_with_an_error_is_listed_and_nothing_can_be_imported(admin_app, app_env):
    app = _upload(_open(admin_app), csv_file("王芳,1975,工程界,教科卫体委员会,",
                                             '"=HYPERLINK(""http://x"",""y"")",1980,教育界,'
                                             "教科卫体委员会,"))
    assert _tiles(app)["错误"] == "1"
    assert "有 1 处错误" in app.error[0].value
    errors, rows = app.dataframe[0].value, app.dataframe[1].value
    assert errors.iloc[0].tolist()[:2] == [2, "界别"]
    assert "工程界" in errors.iloc[0].tolist()[2]
    assert rows["member"].tolist() == ["王芳", '=HYPERLINK("http://x","y")']  # text, as typed
    assert [b for b in app.button if b.label.startswith("导入")] == []
    assert _members(app_env) == []


@pytest.mark.usefixtures("lists")
def test_a_text_file_renamed_xlsx_is_refused_in_words(admin_app):
    app = _open(admin_app)
    app.file_uploader[0].set_value(("名册.xlsx", b"just text", "application/octet-stream"))
    app.run()
    assert "内容不是 Excel 工作簿" in app.error[0].value
    assert len(app.metric) == 0


@pytest.mark.usefixtures("lists")
def test_staff_see_the_page_and_cannot_import_another_committees_member(app, app_env,
                                                                        make_user):
    with read_session(get_engine(app_env)) as session:
        committee_id = session.exec(select(Committee.id).where(
            Committee.name == "教科卫体委员会")).one()
    sign_in_as(app, app_env, make_user(Role.STAFF, committee_ids=(committee_id,)))
    app = _upload(_open(app), csv_file("王芳,1975,教育界,教科卫体委员会,",
                                       "李明,1980,教育界,经济委员会,"))
    assert _tiles(app)["错误"] == "1"
    assert "无权管理" in app.dataframe[0].value.iloc[0].tolist()[2]


@pytest.mark.usefixtures("lists")
def test_contacts_are_imported_on_the_same_page(admin_app, app_env):
    app = _upload(_open(admin_app), csv_file("王芳,1975,教育界,教科卫体委员会,"))
    button(app, "导入 1 行").click().run()
    button(app, "确认导入").click().run()
    widget(app, "radio", "导入内容").set_value("界别群众联系人").run()  # by its label
    content = "委员姓名,联系人姓名,联系电话\r\n王芳,陈静,13700137000\r\n".encode()
    app.file_uploader[0].set_value(("联系人.csv", content, "text/csv")).run()
    assert _tiles(app)["新增"] == "1"
    button(app, "导入 1 行").click().run()
    button(app, "确认导入").click().run()
    with read_session(get_engine(app_env)) as session:
        assert session.exec(select(func.count()).select_from(ContactPerson)).one() == 1


@pytest.mark.usefixtures("lists")
def test_a_roster_changed_after_the_preview_is_not_imported_but_previewed_anew(admin_app,
                                                                               app_env):
    app = _upload(_open(admin_app), csv_file("王芳,1975,教育界,教科卫体委员会,13800138000"))
    button(app, "导入 1 行").click().run()
    with write_session(get_engine(app_env)) as session:  # someone adds her meanwhile
        org = (session.exec(select(Sector)).one(), session.exec(
            select(Committee).where(Committee.name == "教科卫体委员会")).one(),
               session.exec(select(Term)).one())
        factories.member(session, org, name="王芳").birth_year = 1975
    button(app, "确认导入").click().run()
    assert "预览之后名册有了变化" in app.info[0].value
    assert _tiles(app) == {"新增": "0", "更新": "1", "无变化": "0", "错误": "0"}
    assert _members(app_env) == ["王芳"]
    with read_session(get_engine(app_env)) as session:
        assert session.exec(select(Member.phone)).one() is None


# --- visits ----------------------------------------------------------------------------

VISIT_HEADER = "委员,走访日期,联系渠道,联系对象,人数,主要做法和基本情况,问题和建议\r\n"


def visits_file(*rows: str) -> bytes:
    return (VISIT_HEADER + "".join(f"{row}\r\n" for row in rows)).encode("utf-8-sig")


@pytest.fixture
def roster(app_env, lists) -> None:
    """王芳 and 李明 in office since 2023."""
    with write_session(get_engine(app_env)) as session:
        org = (session.exec(select(Sector)).one(), session.exec(
            select(Committee).where(Committee.name == "教科卫体委员会")).one(),
               session.exec(select(Term)).one())
        for name in ("王芳", "李明"):
            factories.member(session, org, name=name)


def _visits(app_env) -> int:
    with read_session(get_engine(app_env)) as session:
        return session.exec(select(func.count()).select_from(Visit)).one()


def _to_visits(app):
    widget(app, "radio", "导入内容").set_value("走访记录").run()  # by its label
    assert not app.exception
    return app


@pytest.mark.usefixtures("roster")
def test_visits_are_previewed_then_imported_and_the_same_file_again_is_nothing(admin_app,
                                                                                app_env):
    app = _to_visits(_open(admin_app))
    labels = [element.proto.label for element in app.get("download_button")]
    assert labels == ["下载 Excel 模板", "下载 CSV 模板"]
    content = visits_file('王芳、李明,2026-03-01,走访谈心,社区居民,12,座谈,"交通出行：路灯不亮"',
                          "李明,2026-04-02,服务活动,老人,3,义诊,")
    app = _upload(app, content, "走访.csv")
    assert _tiles(app) == {"新增": "2", "已导入过": "0", "错误": "0"}
    rows = app.dataframe[0].value
    assert rows.columns.tolist() == ["row", "outcome", "member", "contact"]
    assert rows["member"].tolist() == ["王芳、李明", "李明"]
    assert _visits(app_env) == 0  # the preview wrote nothing
    button(app, "导入 2 次走访").click().run()
    assert "要么全部写入" in app.warning[0].value
    button(app, "确认导入").click().run()
    assert not app.exception
    assert "已导入 2 次走访" in app.success[0].value
    assert _visits(app_env) == 2
    app = _upload(app, content, "走访.csv")
    assert _tiles(app) == {"新增": "0", "已导入过": "2", "错误": "0"}
    assert "都已导入过" in app.info[0].value
    assert [b for b in app.button if b.label.startswith("导入")] == []


@pytest.mark.usefixtures("roster")
def test_a_visit_row_with_an_error_names_its_row_and_column(admin_app, app_env):
    app = _to_visits(_open(admin_app))
    app = _upload(app, visits_file("王芳,2026-03-01,走访谈心,社区居民,12,座谈,",
                                   "王小芳,2099-01-01,走访谈心,社区居民,12,座谈,"))
    assert _tiles(app)["错误"] == "1"
    assert "有 2 处错误" in app.error[0].value
    errors = app.dataframe[0].value
    assert errors.iloc[0].tolist() == [3, "委员", "您所在的政协组织中没有委员“王小芳”。"]
    assert errors.iloc[1].tolist() == [3, "走访日期", "走访日期不能晚于今天。"]
    assert [b for b in app.button if b.label.startswith("导入")] == []
    assert _visits(app_env) == 0


# --- opinion reports -------------------------------------------------------------------

REPORT_HEADER = "标题,正文,类别,报送委员,联名委员,报送日期,采用情况,采用日期\r\n"


def reports_file(*rows: str) -> bytes:
    return (REPORT_HEADER + "".join(f"{row}\r\n" for row in rows)).encode("utf-8-sig")


@pytest.fixture
def categories(app_env, roster) -> None:
    """The report category 民生 (a PostgreSQL test store is emptied of the seeded list)."""
    with write_session(get_engine(app_env)) as session:
        if session.exec(select(ListEntry).where(ListEntry.name == "民生")).first() is None:
            session.add(ListEntry(organisation_id=factories.TOP, name="民生",
                                  kind=ListKind.OPINION_CATEGORY))


def _reports(app_env) -> int:
    with read_session(get_engine(app_env)) as session:
        return session.exec(select(func.count()).select_from(OpinionReport)).one()


def _to_reports(app):
    widget(app, "radio", "导入内容").set_value("社情民意信息").run()  # by its label
    assert not app.exception
    return app


@pytest.mark.usefixtures("categories")
def test_reports_are_previewed_then_imported_and_the_same_file_again_is_nothing(admin_app,
                                                                                 app_env):
    app = _to_reports(_open(admin_app))
    labels = [element.proto.label for element in app.get("download_button")]
    assert labels == ["下载 Excel 模板", "下载 CSV 模板"]
    content = reports_file("加装电梯,加装电梯难,民生,王芳,李明,2026-03-01,市政协,2026-03-05",
                           '"=HYPERLINK(""http://x"",""y"")",正文,民生,李明,,2026-04-02,,')
    app = _upload(app, content, "社情民意.csv")
    assert _tiles(app) == {"新增": "2", "已导入过": "0", "错误": "0"}
    rows = app.dataframe[0].value
    assert rows.columns.tolist() == ["row", "outcome", "member", "contact"]
    assert rows["member"].tolist() == ["王芳、李明", "李明"]
    assert rows["contact"].tolist() == ["加装电梯", '=HYPERLINK("http://x","y")']  # as typed
    assert _reports(app_env) == 0  # the preview wrote nothing
    button(app, "导入 2 篇社情民意信息").click().run()
    assert "要么全部写入" in app.warning[0].value
    button(app, "确认导入").click().run()
    assert not app.exception
    assert "已导入 2 篇社情民意信息" in app.success[0].value
    assert _reports(app_env) == 2
    app = _upload(app, content, "社情民意.csv")
    assert _tiles(app) == {"新增": "0", "已导入过": "2", "错误": "0"}
    assert "都已导入过" in app.info[0].value
    assert [b for b in app.button if b.label.startswith("导入")] == []


@pytest.mark.usefixtures("categories")
def test_a_report_row_with_an_error_names_its_row_and_column(admin_app, app_env):
    app = _to_reports(_open(admin_app))
    app = _upload(app, reports_file("加装电梯,正文,民生,王芳,,2026-03-01,,",
                                    "社区食堂,正文,民生,李明,,2026-04-02,市政协,2026-04-01"))
    assert _tiles(app)["错误"] == "1"
    errors = app.dataframe[0].value
    assert errors.iloc[0].tolist() == [3, "采用日期", "不能早于“报送日期”。"]
    assert [b for b in app.button if b.label.startswith("导入")] == []
    assert _reports(app_env) == 0
