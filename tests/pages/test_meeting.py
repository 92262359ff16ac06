"""The meeting screen (例会投屏) against a real (temporary) store: the setup lists the
six slides; presenting shows one slide at a time with the chrome hidden, the buttons
move between them and keep the slide across a live rerun, ending brings the setup back
with its filters kept; the PDF and PNG files are built with a progress bar and audited;
a server without a CJK font says so; hostile names are shown as text; members are kept
out."""

from datetime import date
from types import SimpleNamespace

import pytest
from sqlmodel import select

from core.db import get_engine, read_session, write_session
from models import AuditAction, AuditEntry, Committee, Member, Role
from tests.helpers import factories
from tests.helpers.app_test import TODAY, sign_in_as
from ui import meeting_export

meeting = SimpleNamespace(SHOWN_AT="meeting_shown_at", SLIDE="meeting_slide")

DAY = date.fromisoformat(TODAY)
PAGE = "pages/meeting.py"
HOSTILE = '<img src=x onerror=alert(1)>=HYPERLINK("http://x","y")𠮷'
TITLES = ["本周与上周相比", "履职达标情况", "专委会排名", "社情民意流转", "工作站动态",
          "本周需提醒的委员"]


@pytest.fixture
def world(app_env, org_ids) -> dict[str, int]:
    """刘洋 visited this week; a hostile-named member of 经济委员会 has done nothing."""
    _, liu_id = org_ids
    with write_session(get_engine(app_env)) as session:
        liu = session.get(Member, liu_id)
        economy = Committee(organisation_id=factories.TOP, name="经济委员会")
        session.add(economy)
        session.flush()
        sector = session.get(factories.Sector, liu.sector_id)
        term = session.get(factories.Term, liu.term_id)
        factories.member(session, (sector, economy, term), name=HOSTILE)
        factories.visit(session, [liu], on=DAY - date.resolution * 2)
        return {"economy": economy.id}


def open_meeting(app, app_env, who):
    sign_in_as(app, app_env, who).run()
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    return app


def slide(app) -> str:
    """The HTML of the slide on show (the one st.html element holding one)."""
    shown = [element.proto.body for element in app.get("html") if 'class="lm-slide' in
             element.proto.body]
    assert len(shown) <= 1
    return shown[0] if shown else ""


def button(app, key: str):
    return next(b for b in app.button if b.key == key)


def test_the_setup_lists_the_six_slides(app, app_env, role_actor, world):
    app = open_meeting(app, app_env, role_actor(Role.LEADER))
    listed = "\n".join(f"{n}. {title}" for n, title in enumerate(TITLES, 1))
    assert listed in [markdown.value for markdown in app.markdown]  # in the slides' order
    assert slide(app) == ""  # not presenting yet


def test_presenting_moves_by_the_buttons_and_keeps_the_slide(app, app_env, role_actor, world):
    app = open_meeting(app, app_env, role_actor(Role.LEADER))
    app.selectbox(key="meeting.committee").set_value(world["economy"]).run()
    button(app, "meeting_start").click().run()
    assert not app.exception, app.exception
    assert 'data-number="1"' in slide(app) and TITLES[0] in slide(app)
    assert button(app, "meeting_previous").disabled
    css = "".join(element.proto.body for element in app.get("html"))
    assert '[data-testid="stSidebar"]' in css  # the chrome is hidden while presenting
    for number in range(2, 7):
        button(app, "meeting_next").click().run()
        assert f'data-number="{number}"' in slide(app) and TITLES[number - 1] in slide(app)
    assert button(app, "meeting_next").disabled
    app.run()  # what a live refresh does: the slide stays
    assert 'data-number="6"' in slide(app)
    # 经济委员会's meeting: only the hostile-named member is to be reminded, as text
    assert "<bdi>&lt;img src=x o…</bdi>" in slide(app)  # cut to fit the column
    assert "<img" not in slide(app) and "刘洋" not in slide(app)
    button(app, "meeting_previous").click().run()
    assert 'data-number="5"' in slide(app)
    button(app, "meeting_stop").click().run()
    assert slide(app) == ""
    assert app.selectbox(key="meeting.committee").value == world["economy"]  # kept


def test_the_files_are_built_with_a_progress_bar_and_offered(app, app_env, role_actor, world):
    app = open_meeting(app, app_env, role_actor(Role.STAFF))
    button(app, "meeting_build").click().run(timeout=60)
    button(app, "meeting_build").click().run(timeout=60)  # pressed twice: built again, once
    assert not app.exception, app.exception
    assert any("已生成 6 张幻灯片" in element.proto.text for element in app.get("progress"))
    labels = {b.proto.label for b in app.get("download_button")}
    assert labels == {"下载 PDF", "下载图片（ZIP）"}
    with read_session(get_engine(app_env)) as session:
        audited = session.exec(select(AuditEntry).where(
            AuditEntry.action == AuditAction.EXPORT)).all()
    assert audited == []  # built, not handed out yet: a download writes its row (browser test)


def test_a_server_without_a_chinese_font_says_so(app, app_env, role_actor, world, tmp_path,
                                                 monkeypatch):
    monkeypatch.setattr(meeting_export, "FONT_DIRS", ())
    monkeypatch.setenv(meeting_export.FONT_DIR_ENV, str(tmp_path))
    meeting_export.register_fonts.cache_clear()
    try:
        app = open_meeting(app, app_env, role_actor(Role.ADMIN))
        button(app, "meeting_build").click().run(timeout=60)
    finally:
        meeting_export.register_fonts.cache_clear()
    assert not app.exception, app.exception
    assert "没有中文字体" in app.error[0].value
    assert not app.get("download_button")


def test_an_empty_store_says_what_is_missing(app, app_env, make_user):
    app = open_meeting(app, app_env, make_user(Role.LEADER))
    button(app, "meeting_start").click().run()
    button(app, "meeting_next").click().run()
    assert "当前范围内还没有需要考核的在任委员" in slide(app)


def test_a_member_cannot_open_the_meeting_screen(app, app_env, role_actor, world):
    sign_in_as(app, app_env, role_actor(Role.MEMBER)).run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page(PAGE)


def test_the_timer_advances_goes_round_and_pauses(app, app_env, role_actor, world):
    """The fragment's timer, run as its rerun runs it: a slide shown longer than the
    timer gives way to the next, the last to the first; paused, it stays."""
    app = open_meeting(app, app_env, role_actor(Role.LEADER))
    app.selectbox(key="meeting_timer").set_value(10).run()
    button(app, "meeting_start").click().run()
    assert 'data-number="1"' in slide(app) and "每 10 秒自动翻页" in slide(app)
    app.run()  # a rerun within the ten seconds
    assert 'data-number="1"' in slide(app)
    app.session_state[meeting.SHOWN_AT] -= 11
    app.run()
    assert 'data-number="2"' in slide(app)
    app.session_state[meeting.SLIDE] = 5
    app.session_state[meeting.SHOWN_AT] -= 11
    app.run()
    assert 'data-number="1"' in slide(app)  # round again
    button(app, "meeting_pause").click().run()
    assert "自动翻页已暂停" in slide(app)
    app.session_state[meeting.SHOWN_AT] -= 60
    app.run()
    assert 'data-number="1"' in slide(app)


def test_files_built_for_other_filters_are_not_offered(app, app_env, role_actor, world):
    app = open_meeting(app, app_env, role_actor(Role.ADMIN))
    button(app, "meeting_build").click().run(timeout=60)
    assert len(app.get("download_button")) == 2
    app.selectbox(key="meeting.committee").set_value(world["economy"]).run()
    assert not app.get("download_button")  # the files showed everyone, not 经济委员会


def test_back_on_the_page_after_leaving_it_mid_presentation_starts_at_the_setup(
        app, app_env, role_actor, world):
    app = open_meeting(app, app_env, role_actor(Role.LEADER))
    app.selectbox(key="meeting.committee").set_value(world["economy"]).run()
    button(app, "meeting_start").click().run()
    assert slide(app)
    app.switch_page("pages/home.py").run()  # the browser's back button
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    assert slide(app) == ""  # not presenting another scope without a word
    assert app.selectbox(key="meeting.committee").value is None
