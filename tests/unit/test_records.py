"""Optimistic locking, soft delete and the audit rows they write."""

import json

import pytest
from sqlmodel import select

from core.db import read_session, write_session
from models import AuditAction, AuditEntry, Member, Role
from services.actors import Actor
from services.errors import StaleRecord
from services.records import soft_delete, update_record
from tests.helpers import factories

CLERK = Actor(user_id=None, name="clerk", role=Role.STAFF)


@pytest.fixture
def member_id(engine) -> int:
    with write_session(engine) as session:
        return factories.member(session, factories.organisation(session), name="陈静").id


def _rename(engine, member_id: int, version: int, name: str) -> Member:
    with write_session(engine) as session:
        return update_record(
            session=session, actor=CLERK, model=Member, record_id=member_id,
            expected_version=version, changes={"name": name},
        )


def test_update_bumps_the_version_and_audits_before_and_after(engine, member_id):
    updated = _rename(engine, member_id, 1, "陈晶")
    assert (updated.name, updated.version) == ("陈晶", 2)
    with read_session(engine) as session:
        entry = session.exec(select(AuditEntry)).one()
    assert (entry.action, entry.entity, entry.entity_id, entry.actor_name) == (
        AuditAction.UPDATE, "Member", member_id, "clerk",
    )
    assert json.loads(entry.before) == {"name": "陈静"}
    assert json.loads(entry.after) == {"name": "陈晶"}


def test_second_editor_with_the_old_version_is_refused_and_nothing_is_saved(engine, member_id):
    _rename(engine, member_id, 1, "陈晶")
    with pytest.raises(StaleRecord):
        _rename(engine, member_id, 1, "陈菁")
    with read_session(engine) as session:
        assert session.get(Member, member_id).name == "陈晶"
        assert len(session.exec(select(AuditEntry)).all()) == 1


def test_soft_deleted_record_cannot_be_edited(engine, member_id):
    with write_session(engine) as session:
        soft_delete(session=session, actor=CLERK, model=Member, record_id=member_id,
                    expected_version=1)
    with pytest.raises(StaleRecord):
        _rename(engine, member_id, 2, "陈晶")
    with read_session(engine) as session:
        member = session.get(Member, member_id)
        assert member.deleted_at is not None
        actions = session.exec(select(AuditEntry.action)).all()
    assert actions == [AuditAction.DELETE]


def test_protected_and_unknown_fields_cannot_be_changed(engine, member_id):
    with pytest.raises(ValueError), write_session(engine) as session:
        update_record(session=session, actor=CLERK, model=Member, record_id=member_id,
                      expected_version=1, changes={"version": 9})
    with pytest.raises(ValueError), write_session(engine) as session:
        update_record(session=session, actor=CLERK, model=Member, record_id=member_id,
                      expected_version=1, changes={"no_such_field": 1})


def test_an_export_is_audited_with_its_size_and_format(engine):
    from services.audit import parse_audit_detail, record_export
    with write_session(engine) as session:
        record_export(session=session, actor=CLERK, what="Member", rows=485, file_format="xlsx")
    with read_session(engine) as session:
        entry = session.exec(select(AuditEntry)).one()
    assert (entry.action, entry.entity, entry.actor_name) == (AuditAction.EXPORT, "Member",
                                                              "clerk")
    assert parse_audit_detail(entry.detail) == ("audit.detail.export",
                                                {"format": "xlsx", "rows": 485})
