"""The must-visit campaigns screen (八必访): declaring one (bad input beside its field with
the typing kept, then saved once), the list with state and completion, one campaign with
its figures, completion per committee and the members still to visit with their export
(inert text, audited), changing and deleting with a confirmation; leaders read only and
members have no such screen."""

import csv
import io
from datetime import date, timedelta

import pytest
import streamlit.testing.v1.app_test as app_test_module
from sqlmodel import select
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from core.db import get_engine, read_session, write_session
from models import (
    AuditAction,
    AuditEntry,
    Committee,
    Member,
    MustVisitCampaign,
    Role,
    Sector,
    Term,
    VisitOccasion,
)
from services import campaigns
from services.actors import SYSTEM
from services.campaigns import CampaignInput
from tests.helpers import factories
from tests.helpers.app_test import (
    TODAY,
    button,
    open_tab,
    registered_pages,
    sign_in_as,
    text_input,
    widget,
)

DAY = date.fromisoformat(TODAY)
TABS = "campaign_page.tab"
NEW = "campaign_new"
FORMULA_NAME = "=1+2"  # a member's name as a spreadsheet would read it


class RecordingMediaFileManager(MediaFileManager):
    """Keeps the media manager of the latest run: a download is what the server does
    when the browser asks for a deferred file."""

    latest: "RecordingMediaFileManager | None" = None

    def __init__(self, storage) -> None:
        super().__init__(storage)
        self.storage = storage
        RecordingMediaFileManager.latest = self


@pytest.fixture(autouse=True)
def media_files(monkeypatch):
    monkeypatch.setattr(app_test_module, "MediaFileManager", RecordingMediaFileManager)


def csv_files(app: AppTest) -> list[list[dict[str, str]]]:
    """Every CSV the page offers, built as a click would build it."""
    manager = RecordingMediaFileManager.latest
    files = []
    for found in app.get("download_button"):
        if found.proto.label == "导出 CSV":
            url = manager.execute_deferred(found.proto.deferred_file_id)
            content = manager.storage.get_file(url.rsplit("/", 1)[-1]).content
            files.append(list(csv.DictReader(io.StringIO(content.decode("utf-8-sig")))))
    return files


@pytest.fixture
def campaign_id(app_env, org_ids) -> int:
    """An open Teachers' Day campaign for 教育界: 刘洋 visited, ``=1+2`` did not."""
    committee_id, visitor_id = org_ids
    with write_session(get_engine(app_env)) as session:
        committee = session.get(Committee, committee_id)
        sector = session.exec(select(Sector)).one()
        term_id = session.get(Member, visitor_id).term_id
        other = factories.member(session, (sector, committee, session.get(Term, term_id)),
                                 name=FORMULA_NAME)
        other.phone = "+86 138 0013 8000"
        session.add(other)
        campaign = campaigns.create_campaign(
            session=session, actor=SYSTEM, organisation_id=committee.organisation_id,
            data=CampaignInput(title="2026年教师节走访慰问", occasion=VisitOccasion.SECTOR_HOLIDAY,
                               starts_on=DAY - timedelta(days=7), ends_on=DAY + timedelta(days=7),
                               sector_ids=(sector.id,)))
        visit = factories.visit(session, [session.get(Member, visitor_id)], on=DAY)
        visit.occasion, visit.campaign_id = VisitOccasion.SECTOR_HOLIDAY, campaign.id
        session.add(visit)
        return campaign.id


def _open(app, app_env, actor, tab: str = "列表", campaign: int | None = None) -> AppTest:
    sign_in_as(app, app_env, actor).run()
    app.switch_page("pages/campaigns.py").run()
    assert not app.exception, app.exception
    if campaign is not None:
        app.session_state["campaign_page.open"] = campaign
    return open_tab(app, TABS, tab)


def _campaigns(app_env) -> list[MustVisitCampaign]:
    with read_session(get_engine(app_env)) as session:
        return list(session.exec(select(MustVisitCampaign)).all())


def test_staff_declare_a_campaign_bad_input_beside_the_fields_then_saved_once(
        app, app_env, role_actor, org_ids):
    _open(app, app_env, role_actor(Role.STAFF), tab="新建")
    assert [t.label for t in app.tabs] == ["列表", "活动", "新建"]
    widget(app, "text_area", "说明", form=NEW).input("=SUM(A1:A9) <img src=x onerror=alert(1)>")
    widget(app, "date_input", "结束日期（含当天）", form=NEW).set_value(DAY - timedelta(days=1))
    button(app, "宣布活动", form=NEW).click().run()
    assert not app.exception, app.exception
    errors = {e.value for e in app.error}
    assert {"请填写标题。", "请选择必访情形。", "结束日期不能早于开始日期。",
            "请至少选择一个界别。"} <= errors
    assert widget(app, "text_area", "说明", form=NEW).value == \
        "=SUM(A1:A9) <img src=x onerror=alert(1)>"
    assert _campaigns(app_env) == []

    with read_session(get_engine(app_env)) as session:
        sector_id = session.exec(select(Sector.id)).one()
    text_input(app, "标题", form=NEW).input("2026年教师节走访慰问𠮷")
    widget(app, "selectbox", "必访情形", form=NEW).select(VisitOccasion.SECTOR_HOLIDAY)
    widget(app, "date_input", "结束日期（含当天）", form=NEW).set_value(DAY + timedelta(days=7))
    widget(app, "multiselect", "界别", form=NEW).select(sector_id)
    button(app, "宣布活动", form=NEW).click().run()
    assert not app.exception, app.exception
    (saved,) = _campaigns(app_env)
    assert (saved.title, saved.occasion, saved.starts_on, saved.ends_on, saved.description) == (
        "2026年教师节走访慰问𠮷", VisitOccasion.SECTOR_HOLIDAY, DAY, DAY + timedelta(days=7),
        "=SUM(A1:A9) <img src=x onerror=alert(1)>")
    assert any("已宣布活动" in s.value for s in app.success)
    assert app.session_state[TABS] == "活动"  # the new campaign is open
    assert any("2026年教师节走访慰问𠮷" in h.proto.body for h in app.get("html"))
    app.run()
    open_tab(app, TABS, "新建")
    assert text_input(app, "标题", form=NEW).value == ""  # ready for the next one
    # A second submit of the same form (a double click sends what the browser still
    # shows) finds the campaign the first one saved.
    text_input(app, "标题", form=NEW).input("2026年教师节走访慰问𠮷")
    widget(app, "selectbox", "必访情形", form=NEW).select(VisitOccasion.SECTOR_HOLIDAY)
    widget(app, "date_input", "结束日期（含当天）", form=NEW).set_value(DAY + timedelta(days=7))
    widget(app, "multiselect", "界别", form=NEW).select(sector_id)
    widget(app, "text_area", "说明", form=NEW).input("=SUM(A1:A9) <img src=x onerror=alert(1)>")
    button(app, "宣布活动", form=NEW).click().run()
    assert not app.exception, app.exception
    assert [c.id for c in _campaigns(app_env)] == [saved.id]
    assert app.session_state["campaign_page.open"] == saved.id


def test_the_list_shows_state_and_completion_and_a_click_opens_one(app, app_env, role_actor,
                                                                   campaign_id):
    _open(app, app_env, role_actor(Role.LEADER))
    table = app.dataframe[0].value
    assert list(table["title"]) == ["2026年教师节走访慰问"]
    assert list(table["state"]) == ["进行中"] and list(table["rate"]) == [50]
    assert list(table["to_visit"]) == [1]
    app.session_state["campaign_page.#goto"] = campaign_id  # a click on the row
    app.run()
    assert app.session_state[TABS] == "活动"
    assert any("2026年教师节走访慰问" in h.proto.body for h in app.get("html"))


def test_opening_a_campaign_shows_its_figures_and_the_reminder_export(app, app_env,
                                                                       role_actor, campaign_id):
    _open(app, app_env, role_actor(Role.STAFF), "活动", campaign_id)
    assert [m.value for m in app.metric] == ["2", "1", "1", "50%"]
    committees = app.dataframe[0].value
    assert list(committees["committee"]) == ["教科卫体委员会"]
    assert list(committees["rate"]) == [50]
    to_visit = app.dataframe[1].value
    assert list(to_visit["member"]) == [FORMULA_NAME]
    assert list(to_visit["phone"]) == ["+86 138 0013 8000"]
    assert len(app.get("vega_lite_chart")) == 1
    reminder = [rows for rows in csv_files(app) if rows and "离任日期" in rows[0]
                and "走访次数" not in rows[0]]
    assert reminder == [[{"委员": f"'{FORMULA_NAME}", "专委会": "教科卫体委员会", "界别": "教育界",
                          "联系电话": "'+86 138 0013 8000", "离任日期": ""}]]
    with read_session(get_engine(app_env)) as session:
        exported = session.exec(select(AuditEntry).where(
            AuditEntry.action == AuditAction.EXPORT)).all()
    assert {row.entity for row in exported} == {"MustVisitCampaign"}
    assert len(app.dataframe) == 2  # every member expected only when asked for
    widget(app, "toggle", "显示全部应走访委员（含已走访）").set_value(True).run()
    everyone = app.dataframe[2].value
    assert dict(zip(everyone["member"], everyone["visits"], strict=True)) == {
        "刘洋": 1, FORMULA_NAME: 0}


def test_leader_reads_a_campaign_without_forms(app, app_env, role_actor, campaign_id):
    _open(app, app_env, role_actor(Role.LEADER), "活动", campaign_id)
    assert [t.label for t in app.tabs] == ["列表", "活动"]
    assert [t for t in app.text_input if t.form_id == f"campaign_edit_{campaign_id}"] == []
    assert [b for b in app.button if b.label in ("删除活动", "提前结束")] == []
    assert any("您可以查看本活动" in c.value for c in app.caption)


def test_members_cannot_open_the_screen(app, app_env, role_actor):
    sign_in_as(app, app_env, role_actor(Role.MEMBER)).run()
    assert "campaigns" not in registered_pages(app)
    assert "visit_entry" in registered_pages(app)


def test_staff_edit_with_bad_input_keeps_the_typing_and_saves_nothing(app, app_env, role_actor,
                                                                       campaign_id):
    _open(app, app_env, role_actor(Role.STAFF), "活动", campaign_id)
    form = f"campaign_edit_{campaign_id}"
    text_input(app, "标题", form=form).input("")
    widget(app, "text_area", "说明", form=form).input("𠮷 مرحبا")
    button(app, "保存修改", form=form).click().run()
    assert any("请填写标题" in e.value for e in app.error)
    assert widget(app, "text_area", "说明", form=form).value == "𠮷 مرحبا"
    (stored,) = _campaigns(app_env)
    assert (stored.title, stored.description) == ("2026年教师节走访慰问", None)
    text_input(app, "标题", form=form).input("<b>教师节</b>走访")
    button(app, "保存修改", form=form).click().run()
    assert any("已保存修改" in s.value for s in app.success)
    (stored,) = _campaigns(app_env)
    assert (stored.title, stored.description) == ("<b>教师节</b>走访", "𠮷 مرحبا")
    assert any("&lt;b&gt;教师节&lt;/b&gt;走访" in h.proto.body for h in app.get("html"))


def test_a_campaign_with_visits_closes_early_but_is_not_deleted(app, app_env, role_actor,
                                                               campaign_id):
    _open(app, app_env, role_actor(Role.STAFF), "活动", campaign_id)
    assert [b for b in app.button if b.label == "删除活动"] == []
    assert any("不能删除" in c.value for c in app.caption)
    assert button(app, "提前结束").disabled
    widget(app, "checkbox", "确认今天结束本活动（今天及之前的走访仍然计入）").check().run()
    button(app, "提前结束").click().run()
    assert any("活动已于今天结束" in s.value for s in app.success)
    (stored,) = _campaigns(app_env)
    assert stored.ends_on == DAY


def test_a_mistaken_campaign_is_deleted_after_the_confirmation(app, app_env, role_actor,
                                                              org_ids):
    with write_session(get_engine(app_env)) as session:
        sector_id = session.exec(select(Sector.id)).one()
        mistaken = campaigns.create_campaign(
            session=session, actor=SYSTEM, organisation_id=factories.TOP,
            data=CampaignInput(title="误建", occasion=VisitOccasion.NEW_POLICY,
                               starts_on=DAY + timedelta(days=3),
                               ends_on=DAY + timedelta(days=9), sector_ids=(sector_id,))).id
    _open(app, app_env, role_actor(Role.ADMIN), "活动", mistaken)
    assert button(app, "删除活动").disabled
    widget(app, "checkbox", "确认删除误宣布的活动“误建”").check().run()
    button(app, "删除活动").click().run()
    assert not app.exception, app.exception
    assert any("已删除该活动" in s.value for s in app.success)
    assert _campaigns(app_env) == []
    assert any("还没有八必访活动" in i.value for i in app.info)


def test_a_title_of_ten_thousand_characters_is_refused_beside_the_field_typing_kept(
        app, app_env, role_actor, org_ids):
    _open(app, app_env, role_actor(Role.STAFF), tab="新建")
    typed = ("=HYPERLINK(\"http://x\",\"y\")‮𠮷" * 400)[:10_000]
    text_input(app, "标题", form=NEW).input(typed)
    button(app, "宣布活动", form=NEW).click().run()
    assert not app.exception, app.exception
    assert any("标题" in e.value and "200" in e.value for e in app.error), [
        e.value for e in app.error]
    assert text_input(app, "标题", form=NEW).value == typed
    assert _campaigns(app_env) == []
