"""The contact persons and leaves of a member's profile, each drawn by a small script under
AppTest against a real (temporary) store, as the signed-in user of each role sees them."""

from datetime import date

import pytest
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from core.db import get_engine, read_session, write_session
from models import ContactPerson, LeaveStatus, MemberLeave, Role
from services import contacts, leaves
from services.actors import SYSTEM
from services.contacts import ContactInput
from tests.helpers.app_test import TODAY, button, text_input, widget

ACTOR = "liaison_actor"  # where app.py keeps the signed-in actor for the page (ui.context)


def profile_parts(member_id):
    """What the member page draws in its tabs, with the flash the profile shows."""
    import streamlit as st

    from services import members
    from ui.flash import show_flash
    from ui.member_contacts import contacts_section
    from ui.member_leaves import leaves_section
    from ui.page import open_page

    page = open_page()
    member = page.read(members.member_profile, member_id=member_id).member
    show_flash()
    contacts_tab, leaves_tab = st.tabs(["联系人", "请假"])
    with contacts_tab:
        contacts_section(page, member)
    with leaves_tab:
        leaves_section(page, member)


@pytest.fixture
def open_as(app_env, role_actor, org_ids):
    """The profile parts of the member 刘洋, as a signed-in user of ``role``."""

    def run(role: Role):
        app = AppTest.from_function(profile_parts, args=(org_ids[1],), default_timeout=30)
        app.session_state[ACTOR] = role_actor(role)
        app.run()
        assert not app.exception
        return app

    return run


@pytest.fixture
def member_id(org_ids) -> int:
    return org_ids[1]


def add_contact(app_env, member_id: int, name: str, **fields) -> int:
    with write_session(get_engine(app_env)) as session:
        return contacts.add_contact(session=session, actor=SYSTEM, member_id=member_id,
                                    data=ContactInput(name=name, **fields)).id


def request_leave(app_env, member_id: int, **fields) -> int:
    with write_session(get_engine(app_env)) as session:
        return leaves.request_leave(
            session=session, actor=SYSTEM, member_id=member_id,
            **({"starts_on": date(2026, 12, 1), "ends_on": date(2026, 12, 31),
                "reason": "出国访问"} | fields),
            today=date.fromisoformat(TODAY)).id


def stored_contacts(app_env) -> list[ContactPerson]:
    with read_session(get_engine(app_env)) as session:
        return session.exec(select(ContactPerson).order_by(ContactPerson.id)).all()


def progress_text(app) -> str:
    return app.get("progress")[0].proto.text


# --- contact persons --------------------------------------------------------------------


def test_staff_add_a_contact_and_the_count_moves_towards_ten(open_as, app_env, member_id):
    app = open_as(Role.STAFF)
    assert progress_text(app) == "界别群众联系人 0 / 10"
    assert "可在下方添加" in app.info[0].value
    form = f"contact_add_{member_id}"
    text_input(app, "姓名", form=form).input("张老师")
    text_input(app, "联系电话", form=form).input("１３８００１３８０００")
    text_input(app, "工作单位", form=form).input("东城中学")
    button(app, "添加", form=form).click().run()
    assert [s.value for s in app.success] == ["已添加联系人。"]
    assert progress_text(app) == "界别群众联系人 1 / 10"
    assert app.dataframe[0].value["name"].tolist() == ["张老师"]
    assert text_input(app, "姓名", form=form).value == ""  # cleared for the next one
    (contact,) = stored_contacts(app_env)
    assert (contact.name, contact.phone, contact.organisation) == (
        "张老师", "13800138000", "东城中学")


def test_a_refused_contact_shows_the_error_under_its_field_and_keeps_the_typing(
        open_as, app_env, member_id):
    app = open_as(Role.MEMBER)  # the member keeps their own contacts
    form = f"contact_add_{member_id}"
    text_input(app, "姓名", form=form).input("张老师")
    text_input(app, "联系电话", form=form).input("call me")
    button(app, "添加", form=form).click().run()
    assert [e.value for e in app.error] == [
        "电话号码只能包含数字、空格、短横线和开头的 +，5 至 30 位。"]
    assert text_input(app, "姓名", form=form).value == "张老师"
    assert text_input(app, "联系电话", form=form).value == "call me"
    assert stored_contacts(app_env) == []

    text_input(app, "联系电话", form=form).input("13800138000")
    button(app, "添加", form=form).click().run()
    assert app.error == []
    text_input(app, "姓名", form=form).input("张老师")
    button(app, "添加", form=form).click().run()  # the same again
    assert [e.value for e in app.error] == ["该委员已有同名的联系人，请勿重复添加。"]
    assert len(stored_contacts(app_env)) == 1


def test_staff_correct_a_contact_and_retire_it_after_confirming(open_as, app_env, member_id):
    contact_id = add_contact(app_env, member_id, "张老师", organisation="东城中学")
    app = open_as(Role.STAFF)
    form = f"contact_edit_{contact_id}"
    assert text_input(app, "工作单位", form=form).value == "东城中学"
    text_input(app, "工作单位", form=form).input("西城中学")
    button(app, "保存", form=form).click().run()
    assert [s.value for s in app.success] == ["已保存。"]
    assert stored_contacts(app_env)[0].organisation == "西城中学"

    retire = button(app, "退出联系")
    assert retire.disabled  # not before the confirmation
    widget(app, "checkbox", "确认该联系人不再联系（记录保留在历史中）").check().run()
    button(app, "退出联系").click().run()
    assert [s.value for s in app.success] == ["该联系人已退出联系。"]
    (contact,) = stored_contacts(app_env)
    assert (contact.is_active, contact.ends_on) == (False, date.fromisoformat(TODAY))
    assert progress_text(app) == "界别群众联系人 0 / 10"
    widget(app, "toggle", "显示已退出联系的联系人").set_value(True).run()
    assert app.dataframe[0].value["state"].tolist() == ["已退出"]


def test_a_leader_reads_the_contacts_but_cannot_change_them(open_as, app_env, member_id):
    add_contact(app_env, member_id, "张老师")
    app = open_as(Role.LEADER)
    assert app.dataframe[0].value["name"].tolist() == ["张老师"]
    assert "添加和修改由委员本人" in app.caption[0].value
    assert [t for t in app.text_input if t.form_id] == []
    assert [b.label for b in app.button if b.label in {"添加", "退出联系", "删除误录"}] == []


# --- leaves -----------------------------------------------------------------------------


def test_staff_approve_a_pending_leave_after_confirming(open_as, app_env, member_id):
    leave_id = request_leave(app_env, member_id)
    app = open_as(Role.STAFF)
    assert app.dataframe[-1].value["status"].tolist() == ["待审批"]
    assert button(app, "批准").disabled
    text_input(app, "审批意见（可不填）").input("同意")
    widget(app, "checkbox", "确认操作").check().run()
    button(app, "批准").click().run()
    assert [s.value for s in app.success] == ["已批准该请假。"]
    assert app.dataframe[-1].value["status"].tolist() == ["已批准"]
    assert [b for b in app.button if b.label == "批准"] == []  # nothing left to decide
    with read_session(get_engine(app_env)) as session:
        leave = session.get(MemberLeave, leave_id)
    assert (leave.status, leave.decision_note) == (LeaveStatus.APPROVED, "同意")


def test_a_member_requests_leave_but_cannot_decide_it(open_as, app_env, member_id):
    app = open_as(Role.MEMBER)
    form = f"leave_request_{member_id}"
    widget(app, "date_input", "开始日期", form=form).set_value(date(2026, 12, 1))
    widget(app, "date_input", "结束日期", form=form).set_value(date(2026, 11, 30))
    widget(app, "text_area", "请假事由", form=form).input("出国访问")
    button(app, "提交申请", form=form).click().run()
    assert [e.value for e in app.error] == ["结束日期不能早于开始日期。"]
    assert widget(app, "text_area", "请假事由", form=form).value == "出国访问"

    widget(app, "date_input", "结束日期", form=form).set_value(date(2026, 12, 31))
    button(app, "提交申请", form=form).click().run()
    assert [s.value for s in app.success] == ["请假申请已提交，等待所属专委会审批。"]
    assert app.dataframe[-1].value["status"].tolist() == ["待审批"]
    assert [b.label for b in app.button if b.label in {"批准", "不批准"}] == []
    assert [b.label for b in app.button if b.label == "撤回申请"] == ["撤回申请"]


def test_a_leader_reads_leaves_without_acting_on_them(open_as, app_env, member_id):
    request_leave(app_env, member_id)
    app = open_as(Role.LEADER)
    assert app.dataframe[-1].value["reason"].tolist() == ["出国访问"]
    assert [b.label for b in app.button
            if b.label in {"批准", "不批准", "撤回申请", "提交申请"}] == []
