"""The quick entry page (走访登记) under AppTest: a visit saved from the form, the form
ready for the next one, errors beside their fields with the typing kept, saved once
however often the same form is submitted, and who may use it."""

from datetime import date

from sqlmodel import select

from core.db import get_engine, read_session, write_session
from models import (
    Channel,
    CollectedProblem,
    ContactPerson,
    ListEntry,
    ListKind,
    Role,
    Visit,
    VisitContact,
    VisitMember,
)
from services import visits
from services.problems import ProblemItem
from tests.helpers.app_test import PROFILE_TABS, button, open_tab, sign_in_as, widget

PAGE = "pages/visit_entry.py"
SAVE = "保存登记"


def _open(app, app_env, actor):
    sign_in_as(app, app_env, actor)
    app.run()
    app.switch_page(PAGE).run()
    assert not app.exception
    return app


def _category(app_env, name: str = "测试类别") -> int:
    """The category of that name (the migration seeds the usual ones), made if absent."""
    with write_session(get_engine(app_env)) as session:
        entry = session.exec(select(ListEntry).where(
            ListEntry.kind == ListKind.PROBLEM_CATEGORY, ListEntry.name == name)).first()
        if entry is None:
            entry = ListEntry(organisation_id=1, kind=ListKind.PROBLEM_CATEGORY, name=name)
            session.add(entry)
            session.flush()
        return entry.id


def _fill(app, member_id: int, *, summary="走访社区，听取意见。", problems="",
          targets="社区居民", head_count=8):
    widget(app, "multiselect", "参加委员").set_value([member_id]).run()
    widget(app, "selectbox", "联系渠道").set_value(Channel.FACE_TO_FACE).run()
    widget(app, "text_input", "联系对象（其他）").set_value(targets)
    widget(app, "number_input", "人数").set_value(head_count)
    widget(app, "text_area", "主要做法和基本情况").set_value(summary)
    widget(app, "text_area", "收集的问题和建议（每行一条）").set_value(problems)
    return app


def _visits(app_env) -> list[Visit]:
    with read_session(get_engine(app_env)) as session:
        return session.exec(select(Visit)).all()


def test_staff_save_a_visit_and_the_form_is_ready_for_the_next(app, app_env, role_actor,
                                                                org_ids):
    category = _category(app_env, "教育")
    other = _category(app_env, "其他")
    staff = role_actor(Role.STAFF)
    _open(app, app_env, staff)
    _fill(app, org_ids[1], problems="教育：课后服务收费不透明\n校车线路太少")
    button(app, SAVE).click().run()
    assert not app.exception
    [visit] = _visits(app_env)
    assert visit.head_count == 8 and visit.acknowledged_by_user_id == staff.user_id
    with read_session(get_engine(app_env)) as session:
        problems = session.exec(select(CollectedProblem).order_by(CollectedProblem.id)).all()
        # a line's own category, else the default (the list's last: 其他)
        assert [(p.content, p.category_id) for p in problems] == [
            ("课后服务收费不透明", category), ("校车线路太少", other)]
    assert any("已保存走访记录" in s.value for s in app.success)
    # ready for the next: members, targets, summary and problems empty; date and channel kept
    assert widget(app, "multiselect", "参加委员").value == []
    assert widget(app, "text_area", "主要做法和基本情况").value == ""
    assert widget(app, "text_input", "联系对象（其他）").value == ""
    assert widget(app, "selectbox", "联系渠道").value == Channel.FACE_TO_FACE
    assert widget(app, "date_input", "走访日期").value == date(2026, 11, 21)


def test_the_channel_starts_on_the_users_last_choice(app, app_env, role_actor, org_ids):
    staff = role_actor(Role.STAFF)
    with write_session(get_engine(app_env)) as session:
        visits.record_visit(session=session, actor=staff, idempotency_key="k", today=date(
            2026, 11, 21), data=visits.VisitInput(
            member_ids=(org_ids[1],), visit_date=date(2026, 11, 20), channel=Channel.ONLINE,
            contact_targets="群众", head_count=3, summary="线上联系"))
    _open(app, app_env, staff)
    assert widget(app, "selectbox", "联系渠道").value == Channel.ONLINE


def test_errors_stand_beside_their_fields_and_the_typing_stays(app, app_env, role_actor,
                                                               org_ids):
    _open(app, app_env, role_actor(Role.STAFF))
    _fill(app, org_ids[1], summary="", head_count=0, targets="x" * 20)
    button(app, SAVE).click().run()
    errors = [e.value for e in app.error]
    assert "请填写主要做法和基本情况。" in errors
    assert "联系人数应为 1 至 10000 之间的整数。" in errors
    assert widget(app, "text_input", "联系对象（其他）").value == "x" * 20
    assert widget(app, "multiselect", "参加委员").value == [org_ids[1]]
    assert _visits(app_env) == []


def test_the_same_form_submitted_twice_saves_one_visit(app, app_env, role_actor, org_ids):
    _open(app, app_env, role_actor(Role.STAFF))
    _fill(app, org_ids[1])
    button(app, SAVE).click().run()
    # a double click: the second run still carries what the first one saved
    _fill(app, org_ids[1])
    button(app, SAVE).click().run()
    assert len(_visits(app_env)) == 1
    # something new typed after the save is a new visit
    _fill(app, org_ids[1], summary="第二次走访")
    button(app, SAVE).click().run()
    assert len(_visits(app_env)) == 2


def test_contact_persons_of_the_chosen_member_are_offered(app, app_env, role_actor, org_ids):
    with write_session(get_engine(app_env)) as session:
        contact = ContactPerson(member_id=org_ids[1], name="张老师", is_active=True)
        session.add(contact)
        session.flush()
        contact_id = contact.id
    _open(app, app_env, role_actor(Role.STAFF))
    _fill(app, org_ids[1], targets="")
    picker = widget(app, "multiselect", "联系对象（委员的界别群众联系人）")
    assert picker.options == ["张老师（刘洋）"]
    picker.set_value([contact_id]).run()
    button(app, SAVE).click().run()
    with read_session(get_engine(app_env)) as session:
        assert session.exec(select(VisitContact.contact_person_id)).all() == [contact_id]


def test_a_members_own_visit_waits_for_acknowledgement(app, app_env, role_actor, org_ids):
    member = role_actor(Role.MEMBER)
    _open(app, app_env, member)
    assert widget(app, "multiselect", "参加委员").options[0].startswith("刘洋")
    _fill(app, org_ids[1])
    button(app, SAVE).click().run()
    [visit] = _visits(app_env)
    assert visit.acknowledged_at is None
    with read_session(get_engine(app_env)) as session:
        assert session.exec(select(VisitMember.member_id)).all() == [org_ids[1]]


def test_leaders_are_not_offered_the_entry_page(app, app_env, role_actor):
    sign_in_as(app, app_env, role_actor(Role.LEADER))
    app.run()
    from tests.helpers.app_test import registered_pages

    assert "visit_entry" not in registered_pages(app)


def test_hostile_text_is_saved_as_typed_and_shown_as_text(app, app_env, role_actor, org_ids):
    hostile = '=HYPERLINK("http://x","y") <img src=x onerror=alert(1)> 𠮷田 مرحبا'
    _category(app_env)
    _open(app, app_env, role_actor(Role.STAFF))
    _fill(app, org_ids[1], summary=hostile + "\u200b", targets=hostile, problems=hostile)
    button(app, SAVE).click().run()
    [visit] = _visits(app_env)
    assert visit.summary == hostile and visit.contact_targets == hostile
    assert not app.exception


def test_ten_thousand_characters_are_refused_beside_the_field(app, app_env, role_actor, org_ids):
    _category(app_env)
    _open(app, app_env, role_actor(Role.STAFF))
    _fill(app, org_ids[1], problems="长" * 10_000)
    button(app, SAVE).click().run()
    assert "每条问题建议最多 500 字。" in [e.value for e in app.error]
    assert widget(app, "text_area", "收集的问题和建议（每行一条）").value == "长" * 10_000
    assert _visits(app_env) == []


def test_the_members_page_shows_the_visit_its_problems_and_the_quarters_count(
        app, app_env, role_actor, org_ids):
    category = _category(app_env, "教育")
    staff = role_actor(Role.STAFF)
    with write_session(get_engine(app_env)) as session:
        visits.record_visit(session=session, actor=staff, idempotency_key="k", today=date(
            2026, 11, 21), data=visits.VisitInput(
            member_ids=(org_ids[1],), visit_date=date(2026, 11, 20), channel=Channel.ONLINE,
            contact_targets="群众", head_count=3, summary="线上联系",
            problems=(ProblemItem("路灯不亮", category),)))
    sign_in_as(app, app_env, staff)
    app.run()
    app.switch_page("pages/members.py").run()
    app.selectbox(key="member.pick").select(org_ids[1]).run()
    open_tab(app, PROFILE_TABS, "走访记录")
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["2026年第4季度走访次数"] == "1" and metrics["收集的问题建议"] == "1"
    tables = [d.value for d in app.dataframe]  # columns named by field, labels shown
    visit_table = next(t for t in tables if "channel" in t.columns)
    assert visit_table["channel"].tolist() == ["网络/移动联系"]
    problem_table = next(t for t in tables if "status" in t.columns)
    assert problem_table[["content", "status"]].values.tolist() == [["路灯不亮", "待处理"]]
