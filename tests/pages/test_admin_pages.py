"""User administration and the audit trail, through app.py as an administrator."""

import json
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from core.db import get_engine, read_session, write_session
from models import AuditAction, Committee, OrgLevel, Role, User
from services import members, reference, sign_in, users
from services.actors import SYSTEM
from services.audit import list_audit
from services.errors import PermissionDenied
from services.reference import OrganisationInput
from services.users import UserInput
from tests.helpers import factories
from tests.helpers.app_test import PASSWORD, button, sign_in_as, text_input, widget
from tests.helpers.users import user_with_own_password

CREATE = "create_user_0"


def _users(app_env) -> dict[str, User]:
    with read_session(get_engine(app_env)) as session:
        return {u.username: u for u in session.exec(select(User)).all()}


def test_admin_creates_a_staff_user_scoped_to_a_committee(admin_app, app_env, org_ids):
    committee_id, _ = org_ids
    app = admin_app
    app.switch_page("pages/users.py").run()
    assert not app.exception
    text_input(app, "用户名", form=CREATE).input("zhangli")
    text_input(app, "姓名", form=CREATE).input("张丽")
    widget(app, "selectbox", "角色", form=CREATE).select(Role.STAFF)
    widget(app, "multiselect", "负责的专委会", form=CREATE).select(committee_id)
    text_input(app, "初始密码", form=CREATE).input(PASSWORD)
    button(app, "保存", form=CREATE).click().run()
    assert not app.exception
    assert "用户已创建" in app.success[0].value
    created = _users(app_env)["zhangli"]
    assert created.role is Role.STAFF and created.must_change_password
    with read_session(get_engine(app_env)) as session:
        assert users.actor_for(session, created).committee_ids == {committee_id}


def _district_with_a_committee(app_env) -> tuple[int, int]:
    """A district below the first organisation, with its own committee: (district,
    committee)."""
    with write_session(get_engine(app_env)) as session:
        district = reference.add_organisation(
            session=session, actor=SYSTEM,
            data=OrganisationInput("东城区", OrgLevel.DISTRICT, factories.TOP)).id
        committee = Committee(organisation_id=district, name="区提案委员会")
        session.add(committee)
        session.flush()
        return district, committee.id


def test_one_organisation_asks_for_none(admin_app):
    app = admin_app
    app.switch_page("pages/users.py").run()
    assert [s for s in app.selectbox if s.label == "所属政协组织"] == []
    assert "organisation" not in app.dataframe[0].value.columns


def test_admin_creates_a_district_user_with_a_committee_of_the_district(
        admin_app, app_env, org_ids):
    district, committee = _district_with_a_committee(app_env)
    app = admin_app
    app.switch_page("pages/users.py").run()
    assert list(app.dataframe[0].value["organisation"]) == ["本级政协"]
    picker = next(s for s in app.selectbox if s.key == f"{CREATE}_organisation")
    assert picker.label == "所属政协组织" and picker.options == ["本级政协", "\u3000东城区"]
    assert widget(app, "multiselect", "负责的专委会", form=CREATE).options == ["教科卫体委员会"]
    picker.select(district).run()
    text_input(app, "用户名", form=CREATE).input("dongcheng")
    text_input(app, "姓名", form=CREATE).input("东城区办事员")
    widget(app, "selectbox", "角色", form=CREATE).select(Role.STAFF)
    staff_committees = widget(app, "multiselect", "负责的专委会", form=CREATE)
    assert staff_committees.options == ["区提案委员会"]  # the district's own
    staff_committees.select(committee)
    text_input(app, "初始密码", form=CREATE).input(PASSWORD)
    button(app, "保存", form=CREATE).click().run()
    assert not app.exception
    created = _users(app_env)["dongcheng"]
    assert created.organisation_id == district
    with read_session(get_engine(app_env)) as session:
        assert users.actor_for(session, created).committee_ids == {committee}


def test_a_district_admin_sees_only_their_districts_users(app, app_env, make_user):
    district, _ = _district_with_a_committee(app_env)
    make_user(Role.LEADER, "city_leader")
    with write_session(get_engine(app_env)) as session:
        district_admin = users.actor_for(session, user_with_own_password(
            session, UserInput("district_admin", "区管理员", Role.ADMIN,
                               organisation_id=district), PASSWORD))
    sign_in_as(app, app_env, district_admin)
    app.switch_page("pages/users.py").run()
    assert not app.exception
    assert list(app.dataframe[0].value["username"]) == ["district_admin"]
    assert [s for s in app.selectbox if s.label == "所属政协组织"] == []


def test_bad_user_input_is_shown_under_the_field_and_nothing_saved(admin_app, app_env):
    app = admin_app
    app.switch_page("pages/users.py").run()
    text_input(app, "用户名", form=CREATE).input("x")
    text_input(app, "姓名", form=CREATE).input("某某")
    text_input(app, "初始密码", form=CREATE).input("short")
    button(app, "保存", form=CREATE).click().run()
    errors = [e.value for e in app.error]
    assert "用户名为 3 至 60 位字母、数字、下划线或点。" in errors
    assert "密码至少需要 12 个字符。" in errors
    assert text_input(app, "姓名", form=CREATE).value == "某某"  # the typing is kept
    assert set(_users(app_env)) == {"admin"}


def test_user_table_never_shows_password_hashes(admin_app):
    app = admin_app
    app.switch_page("pages/users.py").run()
    shown = app.dataframe[0].value
    assert "password_hash" not in shown.columns
    assert not shown.astype(str).apply(lambda c: c.str.contains(r"\$2b\$")).any().any()


def test_deactivating_needs_a_confirmation(admin_app, app_env, role_actor):
    role_actor(Role.LEADER)
    app = admin_app
    app.switch_page("pages/users.py").run()
    widget(app, "selectbox", "选择用户").select(_users(app_env)["leader"].id).run()
    assert button(app, "停用账户").disabled
    widget(app, "checkbox", "我确认要更改此账户的状态").check().run()
    button(app, "停用账户").click().run()
    assert not _users(app_env)["leader"].is_active


def test_admin_resets_a_password(admin_app, app_env, role_actor):
    role_actor(Role.LEADER)
    app = admin_app
    app.switch_page("pages/users.py").run()
    leader_id = _users(app_env)["leader"].id
    widget(app, "selectbox", "选择用户").select(leader_id).run()
    form = f"reset_password_{leader_id}"
    text_input(app, "临时密码", form=form).input("temporary passphrase")
    button(app, "重置密码", form=form).click().run()
    assert "密码已重置" in app.success[0].value
    assert _users(app_env)["leader"].must_change_password


def _scripted_day(engine, staff, leader, member_id):
    now = datetime.now(UTC)
    for password in ("wrong passphrase", PASSWORD):
        sign_in.authenticate(engine=engine, username="clerk", password=password, now=now,
                             server_key="a server key for the scripted day")
    with write_session(engine) as session:
        members.update_member_contact(session=session, actor=staff, member_id=member_id,
                                      expected_version=1, phone="0750-3333333",
                                      employer="市第一中学 校长", base_unit="")
    with write_session(engine) as session:
        members.add_member_comment(session=session, actor=leader, member_id=member_id,
                                   body="请联系该委员了解学校情况")
    with write_session(engine) as session:
        sign_in.sign_out(session=session, actor=staff, now=now)


def test_audit_page_shows_a_scripted_day_of_work(admin_app, app_env, role_actor, org_ids):
    """Sign-ins, a failure, a staff edit, a leader's comment and a sign-out, in the trail."""
    _, member_id = org_ids
    staff, leader = role_actor(Role.STAFF, "clerk"), role_actor(Role.LEADER, "chief")
    _scripted_day(get_engine(app_env), staff, leader, member_id)

    app = admin_app
    app.switch_page("pages/audit.py").run()
    assert not app.exception
    trail = app.dataframe[0].value
    assert {"登录失败", "登录", "修改", "新增", "退出登录"} <= set(trail["action"])
    edit = trail[trail["entity"] == "委员"].iloc[0]
    assert edit["actor"] == "clerk"
    assert json.loads(edit["before"]) == {"employer": None, "phone": None}
    assert json.loads(edit["after"]) == {"employer": "市第一中学 校长", "phone": "0750-3333333"}
    comment = trail[trail["entity"] == "批注"].iloc[0]
    assert comment["actor"] == "chief"

    widget(app, "multiselect", "操作类型").select(AuditAction.SIGN_IN_FAILED).run()
    assert set(app.dataframe[0].value["action"]) == {"登录失败"}


def test_audit_rows_cannot_be_edited_from_the_page(admin_app):
    app = admin_app
    app.switch_page("pages/audit.py").run()
    assert app.get("data_editor") == []
    assert {b.label for b in app.button} == {"退出登录"}


def test_audit_needs_an_admin_even_when_called_directly(app_env, role_actor):
    leader = role_actor(Role.LEADER)
    with pytest.raises(PermissionDenied), read_session(get_engine(app_env)) as session:
        list_audit(session=session, actor=leader)


def test_audit_can_be_filtered_by_the_persons_name(admin_app, app_env, role_actor, org_ids):
    _, member_id = org_ids
    staff, leader = role_actor(Role.STAFF, "clerk"), role_actor(Role.LEADER, "chief")
    _scripted_day(get_engine(app_env), staff, leader, member_id)
    app = admin_app
    app.switch_page("pages/audit.py").run()
    text_input(app, "操作人").input("staff 用户").run()  # the clerk's display name
    assert set(app.dataframe[0].value["actor"]) == {"clerk"}
