"""A member's sector contact persons ("1158": about ten each): who may keep them, what is
accepted, and how a contact is corrected, retired and deleted."""

import threading
from dataclasses import dataclass
from datetime import date

import pytest
from sqlmodel import select

from core.db import read_session, write_session
from models import AuditAction, AuditEntry, Committee, ContactPerson, Role
from services import contacts
from services.actors import Actor
from services.contacts import ContactAlreadyRetired, ContactInput
from services.errors import PermissionDenied, StaleRecord, ValidationFailed
from tests.helpers import factories


@dataclass(frozen=True)
class World:
    member_id: int
    other_member_id: int  # same committee
    member: Actor  # the member themself
    staff: Actor  # staff of the member's committee
    other_staff: Actor  # staff of another committee
    leader: Actor
    admin: Actor
    outside_admin: Actor  # an administrator of another organisation


actor = factories.actor


@pytest.fixture
def world(engine) -> World:
    with write_session(engine) as session:
        org = factories.organisation(session)
        member = factories.member(session, org, name="刘洋")
        other = factories.member(session, org, name="王芳")
        economy = Committee(organisation_id=factories.TOP, name="经济委员会")
        session.add(economy)
        session.flush()
        return World(
            member_id=member.id, other_member_id=other.id,
            member=actor(session, "liuyang", Role.MEMBER, member_id=member.id),
            staff=actor(session, "clerk", Role.STAFF, committees=[org[1].id]),
            other_staff=actor(session, "economist", Role.STAFF, committees=[economy.id]),
            leader=actor(session, "chair", Role.LEADER),
            admin=actor(session, "admin", Role.ADMIN),
            outside_admin=actor(session, "county", Role.ADMIN, organisations={99}),
        )


def add(engine, who: Actor, member_id: int, **fields) -> int:
    with write_session(engine) as session:
        data = ContactInput(**{"name": "张老师", **fields})
        return contacts.add_contact(session=session, actor=who, member_id=member_id,
                                    data=data).id


def update(engine, who: Actor, contact_id: int, version: int, **changes) -> ContactPerson:
    with write_session(engine) as session:
        return contacts.update_contact(session=session, actor=who, contact_id=contact_id,
                                       expected_version=version, changes=changes)


def retire(engine, who: Actor, contact_id: int, version: int, ends_on: date) -> None:
    with write_session(engine) as session:
        contacts.retire_contact(session=session, actor=who, contact_id=contact_id,
                                expected_version=version, ends_on=ends_on)


def stored(engine, contact_id: int) -> ContactPerson:
    with read_session(engine) as session:
        return session.get(ContactPerson, contact_id)


def count(engine, member_id: int) -> int:
    with read_session(engine) as session:
        return contacts.contact_count(session=session, member_id=member_id)


def listed(engine, who: Actor, member_id: int, **options) -> list[str]:
    with read_session(engine) as session:
        rows = contacts.list_contacts(session=session, actor=who, member_id=member_id,
                                      **options)
    return rows["name"].tolist()


def refusal(engine, who: Actor, member_id: int, **fields) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        add(engine, who, member_id, **fields)
    return caught.value.field_errors


def audit_actions(engine) -> list[AuditAction]:
    with read_session(engine) as session:
        rows = session.exec(select(AuditEntry).where(AuditEntry.entity == "ContactPerson")
                            .order_by(AuditEntry.id))
        return [row.action for row in rows]


# --- adding -----------------------------------------------------------------------------


def test_a_contact_is_stored_cleaned_and_audited(engine, world):
    contact_id = add(engine, world.staff, world.member_id, name=" 张\u200b老师 ",
                     phone="１３８ ００１３ ８０００", organisation="东城中学",
                     sector_relation="本校教师", starts_on=date(2026, 3, 1), note="每月\n走访")
    contact = stored(engine, contact_id)
    assert (contact.name, contact.phone, contact.organisation, contact.sector_relation) == (
        "张老师", "138 0013 8000", "东城中学", "本校教师")
    assert (contact.starts_on, contact.ends_on, contact.is_active, contact.note) == (
        date(2026, 3, 1), None, True, "每月\n走访")
    assert audit_actions(engine) == [AuditAction.CREATE]


def test_blank_optional_fields_are_stored_as_unknown(engine, world):
    contact = stored(engine, add(engine, world.staff, world.member_id, phone="  "))
    assert (contact.phone, contact.organisation, contact.note) == (None, None, None)


def test_rare_characters_and_right_to_left_names_stay_invisible_controls_go(engine, world):
    kept = add(engine, world.staff, world.member_id, name="𠮷野家")
    uyghur = add(engine, world.staff, world.member_id, name="\u202eئەخمەت\u202c")
    assert stored(engine, kept).name == "𠮷野家"
    assert stored(engine, uyghur).name == "ئەخمەت"


def test_a_formula_is_kept_as_plain_text(engine, world):
    formula = '=HYPERLINK("http://evil.example","点我")'
    contact = stored(engine, add(engine, world.staff, world.member_id, name="李四",
                                 organisation=formula))
    assert contact.organisation == formula


@pytest.mark.parametrize(("fields", "errors"), [
    ({"name": " \u200b "}, {"name": "contacts.error.name_required"}),
    ({"name": "张" * 10_000}, {"name": "members.error.too_long"}),
    ({"note": "很长" * 5_000}, {"note": "members.error.too_long"}),
    ({"organisation": "单" * 121}, {"organisation": "members.error.too_long"}),
    ({"sector_relation": "关" * 61}, {"sector_relation": "members.error.too_long"}),
    ({"phone": "call me"}, {"phone": "members.error.phone_format"}),
    ({"starts_on": date(2026, 5, 1), "ends_on": date(2026, 4, 30)},
     {"ends_on": "contacts.error.ends_before_start"}),
])
def test_bad_input_is_refused_field_by_field(engine, world, fields, errors):
    assert refusal(engine, world.staff, world.member_id, **fields) == errors
    assert count(engine, world.member_id) == 0


def test_the_same_add_twice_in_a_row_adds_once(engine, world):
    add(engine, world.staff, world.member_id, phone="13800138000")
    assert refusal(engine, world.staff, world.member_id, phone="13800138000") == {
        "name": "contacts.error.duplicate"}
    assert count(engine, world.member_id) == 1


def test_the_same_add_from_two_browsers_at_once_adds_once(engine, world):
    outcome: list[dict[str, str]] = []

    def second_add() -> None:
        outcome.append(refusal(engine, world.member, world.member_id))

    with write_session(engine) as session:
        contacts.add_contact(session=session, actor=world.staff, member_id=world.member_id,
                             data=ContactInput(name="张老师"))
        thread = threading.Thread(target=second_add)
        thread.start()
        thread.join(timeout=0.5)
    thread.join(timeout=10)
    assert outcome == [{"name": "contacts.error.duplicate"}]
    assert count(engine, world.member_id) == 1


def test_a_duplicate_name_is_found_in_any_case_and_despite_invisible_characters(engine, world):
    add(engine, world.staff, world.member_id, name="Anna Li")
    assert refusal(engine, world.staff, world.member_id, name="anna\u200b li") == {
        "name": "contacts.error.duplicate"}


def test_the_same_name_is_free_for_another_member_and_after_retirement(engine, world):
    first = add(engine, world.staff, world.member_id)
    add(engine, world.staff, world.other_member_id)
    retire(engine, world.staff, first, 1, date(2026, 6, 30))
    add(engine, world.staff, world.member_id)
    assert count(engine, world.member_id) == 1


# --- who may keep and read them ---------------------------------------------------------


@pytest.mark.parametrize("who", ["member", "staff", "admin"])
def test_the_member_their_committee_staff_and_admins_add(engine, world, who):
    add(engine, getattr(world, who), world.member_id)
    assert count(engine, world.member_id) == 1


@pytest.mark.parametrize("who", ["other_staff", "leader", "outside_admin"])
def test_others_may_not_add(engine, world, who):
    with pytest.raises(PermissionDenied):
        add(engine, getattr(world, who), world.member_id)


def test_a_member_may_not_keep_another_members_contacts(engine, world):
    with pytest.raises(PermissionDenied):
        add(engine, world.member, world.other_member_id)
    contact_id = add(engine, world.staff, world.other_member_id)
    with pytest.raises(PermissionDenied):
        update(engine, world.member, contact_id, 1, phone="13800138000")
    with pytest.raises(PermissionDenied):
        retire(engine, world.member, contact_id, 1, date(2026, 6, 30))


def test_whoever_reads_the_member_reads_the_contacts(engine, world):
    add(engine, world.staff, world.member_id)
    for who in (world.member, world.leader, world.other_staff, world.admin):
        assert listed(engine, who, world.member_id) == ["张老师"]
    with pytest.raises(PermissionDenied):
        listed(engine, world.member, world.other_member_id)
    with pytest.raises(PermissionDenied):
        listed(engine, world.outside_admin, world.member_id)


# --- count and list ---------------------------------------------------------------------


def test_the_count_is_of_active_live_contacts(engine, world):
    for name in ("甲", "乙", "丙"):
        add(engine, world.staff, world.member_id, name=name)
    ids = {row: add(engine, world.staff, world.member_id, name=row) for row in ("丁", "戊")}
    retire(engine, world.staff, ids["丁"], 1, date(2026, 6, 30))
    with write_session(engine) as session:
        contacts.delete_contact(session=session, actor=world.staff, contact_id=ids["戊"],
                                expected_version=1)
    assert count(engine, world.member_id) == 3
    assert contacts.CONTACT_TARGET == 10


def test_the_list_shows_active_contacts_by_pinyin_and_retired_ones_on_request(engine, world):
    for name in ("赵六", "王五", "陈七"):
        add(engine, world.staff, world.member_id, name=name)
    retire(engine, world.staff, add(engine, world.staff, world.member_id, name="艾八"), 1,
           date(2026, 6, 30))
    assert listed(engine, world.leader, world.member_id) == ["陈七", "王五", "赵六"]
    assert listed(engine, world.leader, world.member_id, include_retired=True) == [
        "陈七", "王五", "赵六", "艾八"]


# --- correcting -------------------------------------------------------------------------


def test_an_edit_changes_only_the_fields_given(engine, world):
    contact_id = add(engine, world.staff, world.member_id, phone="13800138000",
                     organisation="东城中学")
    update(engine, world.member, contact_id, 1, organisation=" 西城中学 ", starts_on=None)
    contact = stored(engine, contact_id)
    assert (contact.phone, contact.organisation, contact.version) == (
        "13800138000", "西城中学", 2)


def test_a_blank_text_clears_a_field(engine, world):
    contact_id = add(engine, world.staff, world.member_id, phone="13800138000")
    update(engine, world.staff, contact_id, 1, phone="")
    assert stored(engine, contact_id).phone is None


def test_an_edit_against_an_old_version_is_refused(engine, world):
    contact_id = add(engine, world.staff, world.member_id)
    update(engine, world.staff, contact_id, 1, organisation="东城中学")
    with pytest.raises(StaleRecord):
        update(engine, world.member, contact_id, 1, phone="13800138000")
    assert (stored(engine, contact_id).organisation, stored(engine, contact_id).phone) == (
        "东城中学", None)


def test_only_the_fields_given_are_checked(engine, world):
    contact_id = add(engine, world.staff, world.member_id)
    with write_session(engine) as session:
        session.get(ContactPerson, contact_id).phone = "ask the school"  # imported
    update(engine, world.staff, contact_id, 1, note="好")
    with pytest.raises(ValidationFailed) as caught:
        update(engine, world.staff, contact_id, 2, phone="ask the school", name="")
    assert caught.value.field_errors == {"phone": "members.error.phone_format",
                                         "name": "contacts.error.name_required"}


def test_a_start_after_the_stored_end_is_refused(engine, world):
    contact_id = add(engine, world.staff, world.member_id, ends_on=date(2026, 6, 30))
    with pytest.raises(ValidationFailed) as caught:
        update(engine, world.staff, contact_id, 1, starts_on=date(2026, 7, 1))
    assert caught.value.field_errors == {"ends_on": "contacts.error.ends_before_start"}


def test_renaming_onto_another_active_contact_is_refused(engine, world):
    add(engine, world.staff, world.member_id, name="王五")
    contact_id = add(engine, world.staff, world.member_id, name="赵六")
    with pytest.raises(ValidationFailed) as caught:
        update(engine, world.staff, contact_id, 1, name="王五")
    assert caught.value.field_errors == {"name": "contacts.error.duplicate"}
    update(engine, world.staff, contact_id, 1, name="赵六", note="同名不算重复")


def test_fields_outside_the_form_cannot_be_changed(engine, world):
    contact_id = add(engine, world.staff, world.member_id)
    with pytest.raises(ValueError, match="member_id"):
        update(engine, world.staff, contact_id, 1, member_id=world.other_member_id)


# --- retiring and deleting --------------------------------------------------------------


def test_retiring_keeps_the_contact_inactive_from_a_date_and_is_audited(engine, world):
    contact_id = add(engine, world.staff, world.member_id, starts_on=date(2025, 1, 1))
    retire(engine, world.member, contact_id, 1, date(2026, 6, 30))
    contact = stored(engine, contact_id)
    assert (contact.is_active, contact.ends_on, contact.deleted_at) == (
        False, date(2026, 6, 30), None)
    assert audit_actions(engine) == [AuditAction.CREATE, AuditAction.UPDATE]


def test_retiring_twice_or_before_the_start_is_refused(engine, world):
    contact_id = add(engine, world.staff, world.member_id, starts_on=date(2026, 1, 1))
    with pytest.raises(ValidationFailed) as caught:
        retire(engine, world.staff, contact_id, 1, date(2025, 12, 31))
    assert caught.value.field_errors == {"ends_on": "contacts.error.ends_before_start"}
    retire(engine, world.staff, contact_id, 1, date(2026, 6, 30))
    with pytest.raises(ContactAlreadyRetired):
        retire(engine, world.staff, contact_id, 2, date(2026, 7, 31))


def test_a_mistaken_contact_is_deleted_softly_and_audited(engine, world):
    contact_id = add(engine, world.staff, world.member_id)
    with write_session(engine) as session, pytest.raises(PermissionDenied):
        contacts.delete_contact(session=session, actor=world.leader, contact_id=contact_id,
                                expected_version=1)
    with write_session(engine) as session:
        contacts.delete_contact(session=session, actor=world.member, contact_id=contact_id,
                                expected_version=1)
    assert stored(engine, contact_id).deleted_at is not None
    assert listed(engine, world.staff, world.member_id, include_retired=True) == []
    assert audit_actions(engine) == [AuditAction.CREATE, AuditAction.DELETE]
    with pytest.raises(StaleRecord):
        update(engine, world.staff, contact_id, 2, note="已删除")
