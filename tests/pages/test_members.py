"""The member directory per role: who sees whom, who may edit, who may comment; keeping
the roster."""

from datetime import date

from sqlmodel import select

from core.db import get_engine, read_session, write_session
from models import Comment, Committee, Member, Role, Sector, Term, User, UserCommittee
from services import members
from services.users import actor_for
from tests.helpers import factories
from tests.helpers.app_test import PROFILE_TABS, button, open_tab, sign_in_as, text_input, widget


def _other_member(app_env) -> int:
    """A member of a second committee, outside the staff user's scope."""
    with write_session(get_engine(app_env)) as session:
        existing = session.exec(select(Member)).first()
        other = Committee(organisation_id=1, name="经济委员会")
        session.add(other)
        session.flush()
        sector, term = session.get(Sector, existing.sector_id), session.get(Term, existing.term_id)
        return factories.member(session, (sector, other, term), name="赵强").id


def _open(app, member_id: int):
    app.switch_page("pages/members.py").run()
    app.selectbox(key="filter.committee").select_index(0).run()  # staff start on their own
    widget(app, "selectbox", "查看委员").select(member_id).run()
    assert not app.exception
    return app


def test_staff_edits_a_member_of_their_committee(app, app_env, role_actor, org_ids):
    _, member_id = org_ids
    sign_in_as(app, app_env, role_actor(Role.STAFF)).run()
    _open(app, member_id)
    form = f"member_roster_{member_id}"
    text_input(app, "联系电话", form=form).input("13800138000")
    button(app, "保存", form=form).click().run()
    assert "已保存" in app.success[0].value
    with read_session(get_engine(app_env)) as session:
        assert session.get(Member, member_id).phone == "13800138000"


def test_staff_cannot_edit_a_member_of_another_committee(app, app_env, role_actor, org_ids):
    other_id = _other_member(app_env)
    sign_in_as(app, app_env, role_actor(Role.STAFF)).run()
    _open(app, other_id)
    assert [t for t in app.text_input if t.form_id == f"member_roster_{other_id}"] == []
    assert [b for b in app.button if b.label == "添加批注"] == []


def test_bad_phone_is_shown_under_the_field_and_kept(app, app_env, role_actor, org_ids):
    _, member_id = org_ids
    sign_in_as(app, app_env, role_actor(Role.STAFF)).run()
    _open(app, member_id)
    form = f"member_roster_{member_id}"
    text_input(app, "联系电话", form=form).input("call me maybe")
    button(app, "保存", form=form).click().run()
    assert any("电话号码只能包含数字" in e.value for e in app.error)
    assert text_input(app, "联系电话", form=form).value == "call me maybe"
    with read_session(get_engine(app_env)) as session:
        assert session.get(Member, member_id).phone is None


def test_leader_reads_and_comments_but_cannot_edit(app, app_env, role_actor, org_ids):
    _, member_id = org_ids
    sign_in_as(app, app_env, role_actor(Role.LEADER)).run()
    _open(app, member_id)
    assert [t for t in app.text_input if t.form_id == f"member_roster_{member_id}"] == []
    open_tab(app, PROFILE_TABS, "批注")
    form = f"member_comment_{member_id}"
    widget(app, "text_area", "批注内容", form=form).input("请重点关注")
    button(app, "添加批注", form=form).click().run()
    with read_session(get_engine(app_env)) as session:
        assert [c.body for c in session.exec(select(Comment)).all()] == ["请重点关注"]
    assert any("请重点关注" in t.value for t in app.text)


def test_member_sees_only_their_own_profile(app, app_env, role_actor, org_ids):
    _other_member(app_env)
    sign_in_as(app, app_env, role_actor(Role.MEMBER)).run()
    app.switch_page("pages/members.py").run()
    assert app.title[0].value == "我的信息"
    assert app.subheader[0].value == "刘洋"
    # Their own history and contacts, but no directory of others.
    assert not any("赵强" in df.value.to_string() for df in app.dataframe)
    assert app.selectbox == [] or all(s.key != "member.pick" for s in app.selectbox)


def test_filters_and_empty_state(admin_app, org_ids):
    app = admin_app
    app.switch_page("pages/members.py").run()
    assert app.dataframe[0].value["name"].tolist() == ["刘洋"]
    text_input(app, "搜索").input("不存在的人").run()
    assert "没有符合条件的委员" in app.info[0].value


def test_an_edit_saved_meanwhile_by_someone_else_is_not_overwritten(app, app_env, role_actor,
                                                                    org_ids, make_user):
    _, member_id = org_ids
    sign_in_as(app, app_env, role_actor(Role.STAFF)).run()
    _open(app, member_id)
    form = f"member_roster_{member_id}"
    text_input(app, "工作单位", form=form).input("我填写的单位")

    colleague = make_user(Role.ADMIN, "colleague")
    with write_session(get_engine(app_env)) as session:
        members.update_member_contact(session=session, actor=colleague, member_id=member_id,
                                      expected_version=1, phone="0750-1111111",
                                      employer="同事填写的单位", base_unit="")

    button(app, "保存", form=form).click().run()
    assert any("该记录已被其他人修改" in e.value for e in app.error)
    assert text_input(app, "工作单位", form=form).value == "我填写的单位"  # kept
    with read_session(get_engine(app_env)) as session:
        assert session.get(Member, member_id).employer == "同事填写的单位"

    button(app, "保存", form=form).click().run()  # a second, informed save goes through
    assert "已保存" in app.success[0].value
    with read_session(get_engine(app_env)) as session:
        member = session.get(Member, member_id)
        assert member.employer == "我填写的单位"
        assert member.phone == "0750-1111111"  # the colleague's phone, untouched here, stays


def test_markdown_in_a_members_details_is_shown_as_text(app, app_env, role_actor, org_ids):
    _, member_id = org_ids
    with write_session(get_engine(app_env)) as session:
        session.get(Member, member_id).employer = "![x](http://evil/x.png)"
    sign_in_as(app, app_env, role_actor(Role.LEADER)).run()
    _open(app, member_id)
    employer = next(m.value for m in app.markdown if "工作单位" in m.value)
    assert "\\!\\[x\\]" in employer


def test_staff_start_on_their_own_committee(app, app_env, role_actor, org_ids):
    _other_member(app_env)
    sign_in_as(app, app_env, role_actor(Role.STAFF)).run()
    app.switch_page("pages/members.py").run()
    assert app.dataframe[0].value["name"].tolist() == ["刘洋"]
    app.selectbox(key="filter.committee").select_index(0).run()
    assert sorted(app.dataframe[0].value["name"]) == ["刘洋", "赵强"]


def test_staff_are_told_why_another_committees_member_is_read_only(app, app_env, role_actor,
                                                                   org_ids):
    other_id = _other_member(app_env)
    sign_in_as(app, app_env, role_actor(Role.STAFF)).run()
    _open(app, other_id)
    assert any("修改需由其所属专委会的工作人员" in c.value for c in app.caption)


def test_full_width_digits_from_a_chinese_keyboard_are_accepted(app, app_env, role_actor,
                                                               org_ids):
    _, member_id = org_ids
    sign_in_as(app, app_env, role_actor(Role.STAFF)).run()
    _open(app, member_id)
    form = f"member_roster_{member_id}"
    text_input(app, "联系电话", form=form).input("１３８００１３８０００")
    button(app, "保存", form=form).click().run()
    with read_session(get_engine(app_env)) as session:
        assert session.get(Member, member_id).phone == "13800138000"


def test_the_directory_offers_excel_and_csv(admin_app, org_ids):
    app = admin_app
    app.switch_page("pages/members.py").run()
    assert [b.proto.label for b in app.get("download_button")] == ["导出 Excel", "导出 CSV"]


def _colleague_saves(app_env, make_user, member_id: int, **contact) -> None:
    """Another person saves the member's contact details through the service."""
    colleague = make_user(Role.ADMIN, "colleague")
    with write_session(get_engine(app_env)) as session:
        version = session.get(Member, member_id).version
        members.update_member_contact(session=session, actor=colleague, member_id=member_id,
                                      expected_version=version,
                                      **{"phone": "", "employer": "", "base_unit": "", **contact})


def test_saving_again_after_a_stale_refusal_keeps_the_other_edit(app, app_env, role_actor,
                                                                 org_ids, make_user):
    _, member_id = org_ids
    sign_in_as(app, app_env, role_actor(Role.STAFF)).run()
    _open(app, member_id)
    form = f"member_roster_{member_id}"
    text_input(app, "联系电话", form=form).input("13800138000")
    _colleague_saves(app_env, make_user, member_id, employer="同事填写的单位")

    button(app, "保存", form=form).click().run()
    assert any("该记录已被其他人修改" in e.value for e in app.error)
    notice = [m.value for m in app.markdown if "其他人已改为" in m.value]
    assert len(notice) == 1 and "工作单位" in notice[0] and "同事填写的单位" in notice[0]
    assert text_input(app, "工作单位", form=form).value == "同事填写的单位"  # now stored
    assert text_input(app, "联系电话", form=form).value == "13800138000"  # typing kept

    button(app, "保存", form=form).click().run()
    assert "已保存" in app.success[0].value
    with read_session(get_engine(app_env)) as session:
        member = session.get(Member, member_id)
        assert (member.phone, member.employer) == ("13800138000", "同事填写的单位")
    assert not any("其他人已改为" in m.value for m in app.markdown)  # the notice is done


def test_a_field_both_changed_keeps_the_typing_and_shows_the_stored_value(
    app, app_env, role_actor, org_ids, make_user,
):
    _, member_id = org_ids
    sign_in_as(app, app_env, role_actor(Role.STAFF)).run()
    _open(app, member_id)
    form = f"member_roster_{member_id}"
    text_input(app, "工作单位", form=form).input("我填写的单位")
    _colleague_saves(app_env, make_user, member_id, employer="同事填写的单位")

    button(app, "保存", form=form).click().run()
    notice = next(m.value for m in app.markdown if "其他人已改为" in m.value)
    assert "同事填写的单位" in notice and "我填写的单位" in notice
    assert text_input(app, "工作单位", form=form).value == "我填写的单位"


def test_reopening_a_profile_starts_from_what_is_stored_now(app, app_env, role_actor, org_ids,
                                                          make_user):
    _, member_id = org_ids
    sign_in_as(app, app_env, role_actor(Role.STAFF)).run()
    _open(app, member_id)
    widget(app, "selectbox", "查看委员").select(None).run()
    _colleague_saves(app_env, make_user, member_id, employer="同事填写的单位")
    widget(app, "selectbox", "查看委员").select(member_id).run()
    form = f"member_roster_{member_id}"
    assert text_input(app, "工作单位", form=form).value == "同事填写的单位"
    text_input(app, "联系电话", form=form).input("13800138000")
    button(app, "保存", form=form).click().run()
    assert "已保存" in app.success[0].value  # the version seen is the one stored, not refused


def _leader_comments(app_env, make_user, member_id: int, body: str) -> None:
    leader = make_user(Role.LEADER, "leader")
    with write_session(get_engine(app_env)) as session:
        members.add_member_comment(session=session, actor=leader, member_id=member_id, body=body)


def test_a_member_never_sees_comments_about_themself(app, app_env, role_actor, org_ids,
                                                      make_user):
    _, member_id = org_ids
    _leader_comments(app_env, make_user, member_id, "内部意见：需加强联系")
    sign_in_as(app, app_env, role_actor(Role.MEMBER)).run()
    app.switch_page("pages/members.py").run()
    assert app.subheader[0].value == "刘洋"
    shown = [e.value for kind in ("text", "markdown", "caption") for e in getattr(app, kind)]
    assert not any("内部意见" in value for value in shown)
    assert not any(value in ("**批注**", "暂无批注。") for value in shown)  # no section at all


def test_staff_see_a_leaders_comment(app, app_env, role_actor, org_ids, make_user):
    _, member_id = org_ids
    _leader_comments(app_env, make_user, member_id, "内部意见：需加强联系")
    sign_in_as(app, app_env, role_actor(Role.STAFF)).run()
    _open(app, member_id)
    open_tab(app, PROFILE_TABS, "批注")
    assert any("内部意见：需加强联系" in t.value for t in app.text)


# --- keeping the roster ------------------------------------------------------------------


def _fill_new_member(app, name: str) -> None:
    form = "member_new"
    text_input(app, "姓名", form=form).input(name)
    for key in ("term_id", "sector_id", "committee_id"):
        app.selectbox(key=f"{form}.{key}").select_index(0)
    app.number_input(key=f"{form}.birth_year").set_value(1972)


def test_staff_add_a_member_and_errors_stay_under_their_fields(app, app_env, role_actor,
                                                                org_ids):
    sign_in_as(app, app_env, role_actor(Role.STAFF)).run()
    app.switch_page("pages/members.py").run()
    form = "member_new"
    text_input(app, "联系电话", form=form).input("call me")
    button(app, "新增委员", form=form).click().run()
    assert any("请填写姓名" in e.value for e in app.error)
    assert any("电话号码只能包含数字" in e.value for e in app.error)
    assert text_input(app, "联系电话", form=form).value == "call me"  # typing kept

    _fill_new_member(app, "𠮷田 明")
    text_input(app, "联系电话", form=form).input("13800138000")
    button(app, "新增委员", form=form).click().run()
    assert [e.value for e in app.error] == []
    assert "已新增委员" in app.success[0].value
    assert "𠮷田 明" in app.dataframe[0].value["name"].tolist()
    assert text_input(app, "姓名", form=form).value == ""  # a fresh form for the next

    _fill_new_member(app, "𠮷田 明")  # the same person again: refused, saved once
    button(app, "新增委员", form=form).click().run()
    assert any("已有同名且出生年份相同的委员" in e.value for e in app.error)
    with read_session(get_engine(app_env)) as session:
        assert len(session.exec(select(Member).where(Member.name == "𠮷田 明")).all()) == 1


def test_a_leader_cannot_add_members(app, app_env, role_actor, org_ids):
    sign_in_as(app, app_env, role_actor(Role.LEADER)).run()
    app.switch_page("pages/members.py").run()
    assert [b for b in app.button if b.label == "新增委员"] == []


def test_a_committee_move_shows_in_the_history_tab(app, app_env, role_actor, org_ids):
    _, member_id = org_ids
    with write_session(get_engine(app_env)) as session:
        other = Committee(organisation_id=1, name="经济委员会")
        session.add(other)
    staff = role_actor(Role.STAFF)
    with write_session(get_engine(app_env)) as session:
        user = session.exec(select(User).where(User.username == "staff")).one()
        session.add(UserCommittee(user_id=user.id, committee_id=other.id))
        session.flush()
        staff = actor_for(session, user)
    sign_in_as(app, app_env, staff).run()
    _open(app, member_id)
    form = f"member_roster_{member_id}"
    app.selectbox(key=f"{form}.committee_id").select(other.id)
    app.date_input(key=f"{form}.effective_on").set_value(date(2026, 10, 1))
    button(app, "保存", form=form).click().run()
    assert "已保存" in app.success[0].value
    open_tab(app, PROFILE_TABS, "履职经历")
    history = next(df.value for df in app.dataframe if "committee" in df.value.columns
                   and "starts_on" in df.value.columns)
    assert history["committee"].tolist() == ["经济委员会", "教科卫体委员会"]
    assert str(history["ends_on"].tolist()[1]) == "2026-09-30"


def test_a_refused_retirement_says_why_under_its_date(app, app_env, role_actor, org_ids):
    _, member_id = org_ids
    sign_in_as(app, app_env, role_actor(Role.STAFF)).run()
    _open(app, member_id)
    form = f"member_retire_{member_id}"
    app.date_input(key=f"{form}.in_office_to").set_value(date(2022, 12, 1))
    app.checkbox(key=f"{form}.sure").check()
    button(app, "办理离任", form=form).click().run()
    assert any("任职终止日不能早于" in e.value for e in app.error), [e.value for e in app.error]
    with read_session(get_engine(app_env)) as session:
        assert session.get(Member, member_id).in_office_to is None


def test_a_phone_number_finds_its_member(admin_app, app_env, org_ids):
    _, member_id = org_ids
    with write_session(get_engine(app_env)) as session:
        session.get(Member, member_id).phone = "13800138000"
    app = admin_app
    app.switch_page("pages/members.py").run()
    text_input(app, "搜索").input("138001").run()
    assert app.dataframe[0].value["name"].tolist() == ["刘洋"]
