"""The office's editable lists: an organisation uses its own entries and those above it;
its administrators keep its own (add, rename, reword, reorder, deactivate), audited."""

import pytest
from sqlmodel import select

from core.db import read_session, write_session
from models import AuditAction, AuditEntry, ListEntry, ListKind, Organisation, OrgLevel, Role
from services import lists
from services.actors import Actor
from services.errors import PermissionDenied, StaleRecord, ValidationFailed
from tests.helpers import factories

CATEGORY, DEPARTMENT, TEMPLATE = (ListKind.PROBLEM_CATEGORY, ListKind.DEPARTMENT,
                                  ListKind.PROBLEM_REPLY_TEMPLATE)


@pytest.fixture
def district(engine) -> int:
    with write_session(engine) as session:
        row = Organisation(name="东城区政协", level=OrgLevel.DISTRICT, parent_id=factories.TOP)
        session.add(row)
        session.flush()
        return row.id


@pytest.fixture
def people(engine, district) -> dict[str, Actor]:
    with write_session(engine) as session:
        return {
            "admin": factories.actor(session, "admin", Role.ADMIN,
                                     organisations={factories.TOP, district}),
            "district_admin": factories.actor(session, "district", Role.ADMIN,
                                              organisations={district}),
            "staff": factories.actor(session, "clerk", Role.STAFF),
        }


def add(engine, who: Actor, name: str, *, organisation_id: int = factories.TOP,
        kind: ListKind = DEPARTMENT, text: str = "") -> int:
    with write_session(engine) as session:
        return lists.add_entry(session=session, actor=who, organisation_id=organisation_id,
                               kind=kind, name=name, text=text).id


def names(engine, organisation_id: int, kind: ListKind = DEPARTMENT) -> list[str]:
    with read_session(engine) as session:
        return [e.name for e in lists.entries(session=session, organisation_id=organisation_id,
                                              kind=kind)
                if e.name.endswith("（测）")]


def refusal(engine, who: Actor, name: str, **options) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        add(engine, who, name, **options)
    return caught.value.field_errors


def test_a_district_uses_the_citys_entries_and_adds_its_own(engine, people, district):
    add(engine, people["admin"], "教育局（测）")
    add(engine, people["district_admin"], "区教育局（测）", organisation_id=district)
    assert names(engine, district) == ["教育局（测）", "区教育局（测）"]
    assert names(engine, factories.TOP) == ["教育局（测）"]


def test_names_are_cleaned_required_short_and_unique_per_organisation_and_kind(
        engine, people, district):
    admin = people["admin"]
    entry_id = add(engine, admin, "  交通\u200b运输局（测） ")
    with read_session(engine) as session:
        assert session.get(ListEntry, entry_id).name == "交通运输局（测）"
    assert refusal(engine, admin, " \u200b ") == {"name": "lists.error.name_required"}
    assert refusal(engine, admin, "局" * 61) == {"name": "lists.error.name_too_long"}
    assert refusal(engine, admin, "交通运输局（测）") == {"name": "lists.error.duplicate"}
    add(engine, admin, "交通运输局（测）", kind=CATEGORY)  # another kind
    add(engine, admin, "交通运输局（测）", organisation_id=district)  # another organisation


def test_letters_in_another_case_are_the_same_name(engine, people):
    add(engine, people["admin"], "Road Office（测）")
    assert refusal(engine, people["admin"], "ROAD OFFICE（测）") == {
        "name": "lists.error.duplicate"}


def test_a_reply_template_needs_its_wording_and_other_kinds_keep_none(engine, people):
    admin = people["admin"]
    assert refusal(engine, admin, "办结（测）", kind=TEMPLATE) == {
        "text": "lists.error.text_required"}
    assert refusal(engine, admin, "办结（测）", kind=TEMPLATE, text="长" * 1001) == {
        "text": "lists.error.text_too_long"}
    template_id = add(engine, admin, "办结（测）", kind=TEMPLATE, text="经{department}办理。\n谢谢")
    department_id = add(engine, admin, "教育局（测）", text="ignored")
    with read_session(engine) as session:
        assert session.get(ListEntry, template_id).text == "经{department}办理。\n谢谢"
        assert session.get(ListEntry, department_id).text is None


def test_rename_reword_deactivate_and_bring_back_are_audited(engine, people):
    admin = people["admin"]
    entry_id = add(engine, admin, "办结（测）", kind=TEMPLATE, text="已办结。")
    with write_session(engine) as session:
        lists.update_entry(session=session, actor=admin, entry_id=entry_id, name="已办结（测）",
                           text="经{department}办理，已办结。")
    with write_session(engine) as session:
        lists.set_entry_active(session=session, actor=admin, entry_id=entry_id, active=False)
    assert names(engine, factories.TOP, TEMPLATE) == []
    with write_session(engine) as session:
        lists.set_entry_active(session=session, actor=admin, entry_id=entry_id, active=True)
    assert names(engine, factories.TOP, TEMPLATE) == ["已办结（测）"]
    with read_session(engine) as session:
        trail = session.exec(select(AuditEntry).where(AuditEntry.entity == "ListEntry")
                             .order_by(AuditEntry.id)).all()
    assert [row.action for row in trail] == [AuditAction.CREATE] + [AuditAction.UPDATE] * 3
    assert '"name": "已办结（测）"' in trail[1].after
    assert trail[2].after == '{"is_active": false}'


def test_a_rename_onto_another_entrys_name_is_refused(engine, people):
    admin = people["admin"]
    add(engine, admin, "教育局（测）")
    other = add(engine, admin, "卫健委（测）")
    with pytest.raises(ValidationFailed) as caught, write_session(engine) as session:
        lists.update_entry(session=session, actor=admin, entry_id=other, name="教育局（测）")
    assert caught.value.field_errors == {"name": "lists.error.duplicate"}
    with write_session(engine) as session:  # keeping its own name is no clash
        lists.update_entry(session=session, actor=admin, entry_id=other, name="卫健委（测）")


def test_reordering_puts_the_whole_list_in_the_order_given(engine, people, district):
    admin = people["admin"]
    first, second, third = (add(engine, admin, name, organisation_id=district)
                            for name in ("一（测）", "二（测）", "三（测）"))
    with write_session(engine) as session:
        lists.reorder_entries(session=session, actor=admin, organisation_id=district,
                              kind=DEPARTMENT, entry_ids=[third, first, second])
    assert names(engine, district) == ["三（测）", "一（测）", "二（测）"]
    with pytest.raises(StaleRecord), write_session(engine) as session:  # one missing
        lists.reorder_entries(session=session, actor=admin, organisation_id=district,
                              kind=DEPARTMENT, entry_ids=[first, second])


@pytest.mark.parametrize("who", ["district_admin", "staff"])
def test_only_administrators_of_the_organisation_keep_its_lists(engine, people, who):
    entry_id = add(engine, people["admin"], "教育局（测）")
    with pytest.raises(PermissionDenied):
        add(engine, people[who], "卫健委（测）")
    with pytest.raises(PermissionDenied), write_session(engine) as session:
        lists.set_entry_active(session=session, actor=people[who], entry_id=entry_id,
                               active=False)
    with pytest.raises(PermissionDenied), read_session(engine) as session:
        lists.own_entries(session=session, actor=people[who], organisation_id=factories.TOP,
                          kind=DEPARTMENT)


def test_a_filter_offers_the_entries_of_the_actors_organisations_and_those_above(
        engine, people, district):
    city = add(engine, people["admin"], "教育局（测）", kind=CATEGORY)
    own = add(engine, people["district_admin"], "区教育（测）", kind=CATEGORY,
              organisation_id=district)
    with write_session(engine) as session:
        lists.set_entry_active(session=session, actor=people["admin"], entry_id=own,
                               active=False)
    with read_session(engine) as session:
        found = lists.names_in_scope(session=session, actor=people["district_admin"],
                                     kind=CATEGORY)
        inside = lists.own_entries(session=session, actor=people["district_admin"],
                                   organisation_id=district, kind=CATEGORY)
    assert {city, own} <= set(found)  # a retired category still filters old problems
    assert [entry.id for entry in inside] == [own]


@pytest.mark.parametrize("typed", ['=HYPERLINK("http://x","y")', "<img src=x onerror=alert(1)>",
                                   "𠮷田局", "مرحبا עולם"])
def test_hostile_names_are_stored_as_typed_and_saved_once(engine, people, typed):
    entry_id = add(engine, people["admin"], typed + "\u200b")  # the zero-width space goes
    with read_session(engine) as session:
        assert session.get(ListEntry, entry_id).name == typed
    # the same name sent again (a double submit) is refused, not stored twice
    assert refusal(engine, people["admin"], typed) == {"name": "lists.error.duplicate"}


def test_ten_thousand_characters_are_refused_beside_the_field(engine, people):
    assert refusal(engine, people["admin"], "长" * 10_000) == {
        "name": "lists.error.name_too_long"}
    assert refusal(engine, people["admin"], "答复模板", kind=ListKind.PROBLEM_REPLY_TEMPLATE,
                   text="长" * 10_000) == {"text": "lists.error.text_too_long"}
