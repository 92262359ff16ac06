"""Role × action × own/other committee, checked on the services themselves (a hidden
page is not security)."""

from datetime import date

import pytest
from sqlmodel import select

from core.db import read_session, write_session
from models import Comment, Committee, Member, Role, UserCommittee
from services import members
from services.actors import Actor
from services.errors import PermissionDenied, ValidationFailed
from services.permissions import Page, pages_for
from services.users import actor_for
from tests.helpers import factories


@pytest.fixture
def world(engine):
    """Two committees with one member each, and one user of each role (the staff user and
    the member user belong to the first committee)."""
    with write_session(engine) as session:
        org = factories.organisation(session)
        other_committee = Committee(organisation_id=1, name="经济委员会")
        session.add(other_committee)
        session.flush()
        own = factories.member(session, org, name="本委委员")
        other = factories.member(session, (org[0], other_committee, org[2]), name="他委委员")
        users = {}
        for role in Role:
            user = factories.user(session, f"user_{role.value}", role)
            if role is Role.STAFF:
                session.add(UserCommittee(user_id=user.id, committee_id=org[1].id))
            if role is Role.MEMBER:
                user.member_id = own.id
            session.flush()
            users[role] = actor_for(session, user)  # scope as read from the store
        return users, own.id, other.id


def _edit(engine, actor, member_id):
    with write_session(engine) as session:
        version = session.get(Member, member_id).version
        members.update_member_contact(session=session, actor=actor, member_id=member_id,
                                      expected_version=version, phone="0750-1234567",
                                      employer="某单位", base_unit="某小区")


def _comment(engine, actor, member_id):
    with write_session(engine) as session:
        members.add_member_comment(session=session, actor=actor, member_id=member_id,
                                   body="请跟进")


def _read(engine, actor, member_id):
    with read_session(engine) as session:
        members.member_profile(session=session, actor=actor, member_id=member_id)


ACTIONS = {"read": _read, "edit": _edit, "comment": _comment}
ALLOWED = {
    # (role, action): (own committee / own record, other committee / someone else)
    (Role.ADMIN, "read"): (True, True),
    (Role.ADMIN, "edit"): (True, True),
    (Role.ADMIN, "comment"): (True, True),
    (Role.LEADER, "read"): (True, True),
    (Role.LEADER, "edit"): (False, False),
    (Role.LEADER, "comment"): (True, True),
    (Role.STAFF, "read"): (True, True),
    (Role.STAFF, "edit"): (True, False),
    (Role.STAFF, "comment"): (True, False),
    (Role.MEMBER, "read"): (True, False),
    (Role.MEMBER, "edit"): (True, False),
    (Role.MEMBER, "comment"): (False, False),
}


@pytest.mark.parametrize(("role", "action"), sorted(ALLOWED))
@pytest.mark.parametrize("target", ["own", "other"])
def test_role_action_scope_matrix(engine, world, role, action, target):
    users, own_id, other_id = world
    allowed = ALLOWED[(role, action)][0 if target == "own" else 1]
    member_id = own_id if target == "own" else other_id
    if allowed:
        ACTIONS[action](engine, users[role], member_id)
    else:
        with pytest.raises(PermissionDenied):
            ACTIONS[action](engine, users[role], member_id)


@pytest.mark.parametrize(("role", "reads_comments"), [
    (Role.ADMIN, True), (Role.LEADER, True), (Role.STAFF, True), (Role.MEMBER, False),
])
def test_comments_are_internal_a_member_never_reads_them(engine, world, role, reads_comments):
    users, own_id, _ = world
    _comment(engine, users[Role.LEADER], own_id)
    with read_session(engine) as session:
        profile = members.member_profile(session=session, actor=users[role], member_id=own_id)
    assert profile.can_read_comments is reads_comments
    assert [c.body for c in profile.comments] == (["请跟进"] if reads_comments else [])


def test_refused_edit_changes_nothing(engine, world):
    users, _, other_id = world
    with pytest.raises(PermissionDenied):
        _edit(engine, users[Role.STAFF], other_id)
    with read_session(engine) as session:
        member = session.get(Member, other_id)
        assert (member.phone, member.version) == (None, 1)


def test_member_directory_shows_a_member_only_themself(engine, world):
    users, own_id, _ = world
    with read_session(engine) as session:
        mine = members.list_members(session=session, actor=users[Role.MEMBER],
                                    today=date(2026, 11, 21))
        everyone = members.list_members(session=session, actor=users[Role.LEADER],
                                        today=date(2026, 11, 21))
    assert mine["id"].tolist() == [own_id]
    assert len(everyone) == 2
    assert not everyone["editable"].any()  # a leader edits nothing


def test_staff_sees_which_rows_they_may_edit(engine, world):
    users, own_id, other_id = world
    with read_session(engine) as session:
        table = members.list_members(session=session, actor=users[Role.STAFF],
                                     today=date(2026, 11, 21))
    editable = dict(zip(table["id"], table["editable"], strict=True))
    assert editable == {own_id: True, other_id: False}


def test_bad_phone_is_refused_with_the_field_named(engine, world):
    users, own_id, _ = world
    with pytest.raises(ValidationFailed) as caught, write_session(engine) as session:
        members.update_member_contact(session=session, actor=users[Role.ADMIN], member_id=own_id,
                                      expected_version=1, phone="call me", employer="",
                                      base_unit="")
    assert caught.value.field_errors == {"phone": "members.error.phone_format"}


def test_empty_comment_is_refused_and_nothing_saved(engine, world):
    users, own_id, _ = world
    with pytest.raises(ValidationFailed), write_session(engine) as session:
        members.add_member_comment(session=session, actor=users[Role.LEADER], member_id=own_id,
                                   body="   ")
    with read_session(engine) as session:
        assert session.exec(select(Comment)).all() == []


def test_search_ignores_case_and_takes_wildcards_literally(engine, world):
    users, own_id, _ = world
    with write_session(engine) as session:
        session.get(Member, own_id).employer = "ABC 100% Company"
    with read_session(engine) as session:
        def found(text):
            return members.list_members(session=session, actor=users[Role.LEADER],
                                        today=date(2026, 11, 21), search=text)["id"].tolist()
        assert found("abc") == [own_id]
        assert found("100%") == [own_id]
        assert found("%") == [own_id]  # only the row that really contains a percent sign
        assert found("1_0") == []


def test_until_a_password_of_their_own_is_set_only_the_account_page_opens():
    for role in Role:
        waiting = Actor(user_id=1, name="x", role=role, must_change_password=True)
        assert pages_for(waiting) == {Page.ACCOUNT}
        assert Page.HOME in pages_for(Actor(user_id=1, name="x", role=role))
