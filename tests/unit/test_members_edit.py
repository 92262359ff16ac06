"""Correcting a member's contact details: only the fields given change, against the
version the editor read."""

import pytest
from sqlmodel import select

from core.db import read_session, write_session
from models import AuditEntry, Member
from services import members
from services.actors import SYSTEM
from services.errors import StaleRecord, ValidationFailed
from tests.helpers import factories


@pytest.fixture
def member_id(engine) -> int:
    with write_session(engine) as session:
        member = factories.member(session, factories.organisation(session), name="陈静")
        member.phone, member.employer, member.base_unit = "0750-1234567", "某中学", "东城社区"
        return member.id


def _update(engine, member_id: int, version: int, **contact) -> Member:
    with write_session(engine) as session:
        return members.update_member_contact(session=session, actor=SYSTEM,
                                             member_id=member_id, expected_version=version,
                                             **contact)


def _contact(engine, member_id: int) -> tuple:
    with read_session(engine) as session:
        member = session.get(Member, member_id)
        return member.phone, member.employer, member.base_unit, member.version


def test_a_partial_change_leaves_the_other_fields_alone(engine, member_id):
    _update(engine, member_id, 1, phone="13800138000")
    assert _contact(engine, member_id) == ("13800138000", "某中学", "东城社区", 2)


def test_an_empty_text_clears_a_field(engine, member_id):
    _update(engine, member_id, 1, employer="  ")
    assert _contact(engine, member_id) == ("0750-1234567", None, "东城社区", 2)


def test_a_stale_version_is_refused_and_the_newer_edit_survives(engine, member_id):
    _update(engine, member_id, 1, employer="另一所中学")
    with pytest.raises(StaleRecord):
        _update(engine, member_id, 1, phone="13800138000")
    assert _contact(engine, member_id) == ("0750-1234567", "另一所中学", "东城社区", 2)


def test_only_the_fields_given_are_validated(engine, member_id):
    with write_session(engine) as session:
        session.get(Member, member_id).phone = "call me"  # imported long ago, never checked
    _update(engine, member_id, 1, employer="另一所中学")
    assert _contact(engine, member_id)[:2] == ("call me", "另一所中学")
    with pytest.raises(ValidationFailed) as caught:
        _update(engine, member_id, 2, phone="call me", base_unit="x" * 121)
    assert caught.value.field_errors == {"phone": "members.error.phone_format",
                                         "base_unit": "members.error.too_long"}


def test_saving_nothing_writes_nothing_but_still_names_the_version(engine, member_id):
    _update(engine, member_id, 1)
    assert _contact(engine, member_id)[3] == 1
    with read_session(engine) as session:
        assert session.exec(select(AuditEntry)).all() == []
    _update(engine, member_id, 1, employer="另一所中学")
    with pytest.raises(StaleRecord):
        _update(engine, member_id, 1)
