"""Hostile typing through the roster's forms: a formula, HTML, markdown, a character
outside the Basic Multilingual Plane, right-to-left text and a zero-width space are
stored as typed (the zero-width space dropped, ``services.text``), shown as text, saved
once when the form is sent twice, and exported inert; 10,000 characters are refused with
nothing saved (the widgets cut at their limit; the services refuse, tests/unit)."""

import csv
import io
from datetime import date

import pytest
from sqlmodel import func, select

from core.db import get_engine, read_session
from models import Comment, ContactPerson, Member, MemberLeave, Sector
from services.actors import SYSTEM
from services.exports import ExportWords, FileFormat, table_file
from services.members import list_members
from tests.helpers.app_test import PROFILE_TABS, button, open_tab

HOSTILE = {  # typed → stored
    "formula": ('=HYPERLINK("http://x","y")', '=HYPERLINK("http://x","y")'),
    "html": ("<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),
    "markdown": ("[点我](http://evil/x)", "[点我](http://evil/x)"),
    "astral": ("𠮷田", "𠮷田"),
    "rtl": ("مرحبا עולם", "مرحبا עולם"),
    "zero_width": ("王\u200b芳芳", "王芳芳"),
}
TOO_LONG = "长" * 10_000


def _count(app_env, model, *where) -> int:
    with read_session(get_engine(app_env)) as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


def _members_page(app, member_id: int | None = None, tab: str | None = None):
    """The members page, a member's profile opened, and one of its tabs (they are lazy:
    only the open one is drawn)."""
    app.switch_page("pages/members.py").run()
    if member_id is not None:
        app.selectbox(key="member.pick").select(member_id).run()
    if tab is not None:
        open_tab(app, PROFILE_TABS, tab)
    assert not app.exception
    return app


def _send_twice(app, label: str, form: str) -> None:
    button(app, label, form=form).click().run()
    button(app, label, form=form).click().run()


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_new_member_is_stored_as_typed_shown_as_text_saved_once_and_exported_inert(
        admin_app, app_env, org_ids, case):
    typed, stored = HOSTILE[case]
    app, form = _members_page(admin_app), "member_new"
    app.text_input(key=f"{form}.name").input(typed)
    app.text_input(key=f"{form}.employer").input(typed)
    for field in ("term_id", "sector_id", "committee_id"):
        app.selectbox(key=f"{form}.{field}").select_index(0)
    _send_twice(app, "新增委员", form)
    assert _count(app_env, Member, Member.name == stored) == 1
    assert stored in app.dataframe[0].value["name"].tolist()  # a table cell: text
    with read_session(get_engine(app_env)) as session:
        listed = list_members(session=session, actor=SYSTEM, today=date(2026, 11, 21))
    exported = table_file(listed, {"name": "姓名", "employer": "工作单位"},
                          ExportWords("是", "否", "…"), FileFormat.CSV)
    rows = list(csv.DictReader(io.StringIO(exported.decode("utf-8-sig"))))
    cell = next(row["姓名"] for row in rows if row["姓名"].lstrip("'") == stored)
    assert cell == (f"'{stored}" if stored.startswith("=") else stored)

    new_id = int(listed.set_index("name").loc[stored, "id"])
    app.selectbox(key="member.pick").select(new_id).run()
    heading = app.subheader[0].value
    assert "](" not in heading or "\\]\\(" in heading  # a markdown link stays text


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_contact_person_is_stored_as_typed_and_added_once(admin_app, app_env, org_ids,
                                                             case):
    typed, stored = HOSTILE[case]
    _, member_id = org_ids
    app, form = _members_page(admin_app, member_id, "界别群众联系人"), f"contact_add_{member_id}"
    app.text_input(key=f"{form}.name").input(typed)
    app.text_input(key=f"{form}.organisation").input(typed)
    _send_twice(app, "添加", form)
    assert _count(app_env, ContactPerson, ContactPerson.name == stored,
                  ContactPerson.organisation == stored) == 1


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_leave_reason_is_stored_as_typed_shown_as_text_and_requested_once(
        admin_app, app_env, org_ids, case):
    typed, stored = HOSTILE[case]
    _, member_id = org_ids
    app, form = _members_page(admin_app, member_id, "请假"), f"leave_request_{member_id}"
    app.date_input(key=f"{form}.starts_on").set_value(date(2026, 12, 1))
    app.date_input(key=f"{form}.ends_on").set_value(date(2026, 12, 3))
    app.text_area(key=f"{form}.reason").input(typed)
    _send_twice(app, "提交申请", form)
    assert _count(app_env, MemberLeave, MemberLeave.reason == stored) == 1
    assert stored in [text.value for text in app.text]  # st.text: never markdown


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_comment_is_stored_as_typed_and_shown_as_text(admin_app, app_env, org_ids, case):
    typed = HOSTILE[case][0]  # a comment is kept exactly, invisible characters included
    _, member_id = org_ids
    app, form = _members_page(admin_app, member_id, "批注"), f"member_comment_{member_id}"
    app.text_area(key=f"{form}.body").input(typed)
    button(app, "添加批注", form=form).click().run()
    with read_session(get_engine(app_env)) as session:
        assert session.exec(select(Comment.body)).all() == [typed.strip()]
    assert typed.strip() in [text.value for text in app.text]


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_sector_name_is_stored_as_typed_and_added_once(admin_app, app_env, case):
    typed, stored = HOSTILE[case]
    app = admin_app
    app.switch_page("pages/organisations.py").run()
    form = "add_sectors_1"
    app.text_input(key=f"{form}.name").input(typed)
    _send_twice(app, "添加", form)
    assert _count(app_env, Sector, Sector.name == stored) == 1


def test_ten_thousand_characters_are_refused_and_nothing_is_saved(admin_app, app_env,
                                                                   org_ids):
    _, member_id = org_ids
    app = _members_page(admin_app, member_id)
    form = "member_new"
    app.text_input(key=f"{form}.name").input(TOO_LONG)
    for field in ("term_id", "sector_id", "committee_id"):
        app.selectbox(key=f"{form}.{field}").select_index(0)
    button(app, "新增委员", form=form).click().run()
    # The widget keeps at most its max_chars (the service refuses more: tests/unit);
    # either way the form says what is wrong and saves nothing.
    assert app.error
    open_tab(app, PROFILE_TABS, "界别群众联系人")
    form = f"contact_add_{member_id}"
    app.text_input(key=f"{form}.name").input(TOO_LONG)
    button(app, "添加", form=form).click().run()
    assert app.error
    assert _count(app_env, Member) == 1 and _count(app_env, ContactPerson) == 0
