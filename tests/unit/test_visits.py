"""Visits: the registration form's rules, saving exactly once, acknowledgement by the
committee, editing against a version, soft delete and restore, and who may do what."""

import threading
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from core.db import read_session, write_session
from models import (
    AuditAction,
    AuditEntry,
    Channel,
    CollectedProblem,
    Committee,
    ContactPerson,
    ListEntry,
    ListKind,
    MustVisitCampaign,
    Organisation,
    OrgLevel,
    ProblemStatus,
    ProblemStatusChange,
    Role,
    Visit,
    VisitMember,
    VisitOccasion,
)
from services import visits
from services.actors import Actor
from services.errors import PermissionDenied, StaleRecord, ValidationFailed
from services.problems import ProblemItem
from services.visits import VisitFilter, VisitInput
from tests.helpers import factories

TODAY = date(2026, 11, 21)
actor = factories.actor


@dataclass(frozen=True)
class World:
    member_id: int
    colleague_id: int  # same committee
    economist_id: int  # another committee
    late_id: int  # in office from 2026-10-01
    contact_id: int  # a contact person of the member
    category_id: int
    member: Actor
    staff: Actor
    other_staff: Actor
    leader: Actor
    admin: Actor
    committee_id: int
    economy_id: int


@pytest.fixture
def world(engine) -> World:
    with write_session(engine) as session:
        org = factories.organisation(session)
        member = factories.member(session, org, name="刘洋")
        colleague = factories.member(session, org, name="王芳")
        economy = Committee(organisation_id=factories.TOP, name="经济委员会")
        session.add(economy)
        session.flush()
        economist = factories.member(session, (org[0], economy, org[2]), name="赵强")
        late = factories.member(session, org, name="孙丽", in_office_from=date(2026, 10, 1))
        contact = ContactPerson(member_id=member.id, name="张老师", is_active=True)
        category = ListEntry(organisation_id=factories.TOP, kind=ListKind.PROBLEM_CATEGORY,
                             name="测试类别")
        session.add_all([contact, category])
        session.flush()
        return World(
            member_id=member.id, colleague_id=colleague.id, economist_id=economist.id,
            late_id=late.id, contact_id=contact.id, category_id=category.id,
            member=actor(session, "liuyang", Role.MEMBER, member_id=member.id),
            staff=actor(session, "staff", Role.STAFF, committees={org[1].id}),
            other_staff=actor(session, "econ", Role.STAFF, committees={economy.id}),
            leader=actor(session, "leader", Role.LEADER),
            admin=actor(session, "admin", Role.ADMIN),
            committee_id=org[1].id, economy_id=economy.id,
        )


def form(w: World, **changes) -> VisitInput:
    base = VisitInput(
        member_ids=(w.member_id,), visit_date=TODAY - timedelta(days=1),
        channel=Channel.FACE_TO_FACE, contact_targets="社区居民", head_count=12,
        summary="走访社区，听取居民对课后服务的意见。",
        problems=(ProblemItem("课后服务收费不透明", w.category_id),
                  ProblemItem("校车线路太少", w.category_id)),
    )
    return replace(base, **changes)


def record(engine, who: Actor, data: VisitInput, key: str = "k1") -> int:
    with write_session(engine) as session:
        return visits.record_visit(session=session, actor=who, data=data,
                                   idempotency_key=key, today=TODAY).id


def errors_of(engine, who: Actor, data: VisitInput) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as failure:
        record(engine, who, data)
    return failure.value.field_errors


def count(engine, model) -> int:
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


# --- saving ----------------------------------------------------------------------------


def test_staff_records_a_joint_visit_with_problems_acknowledged_on_save(engine, world):
    data = form(world, member_ids=(world.member_id, world.economist_id),
                contact_person_ids=(world.contact_id,), at_base_unit=True)
    visit_id = record(engine, world.staff, data)
    with read_session(engine) as session:
        visit = session.get(Visit, visit_id)
        assert visit.acknowledged_by_user_id == world.staff.user_id
        assert visit.acknowledged_at is not None and visit.at_base_unit
        assert visit.recorded_by_user_id == world.staff.user_id
        detail = visits.visit_detail(session=session, actor=world.leader, visit_id=visit_id)
        assert [name for _, name in detail.members] == ["刘洋", "赵强"]  # the lead first
        assert detail.contacts == [(world.contact_id, "张老师")]
        problems = session.exec(select(CollectedProblem)).all()
        assert {p.content for p in problems} == {"课后服务收费不透明", "校车线路太少"}
        # followed up by the lead member's committee, as pending, each with its history
        assert {p.committee_id for p in problems} == {world.committee_id}
        assert {p.status for p in problems} == {ProblemStatus.PENDING}
        history = session.exec(select(ProblemStatusChange)).all()
        assert sorted((h.from_status, h.to_status) for h in history) == [
            (None, ProblemStatus.PENDING)] * 2
        audit = session.exec(select(AuditEntry).where(AuditEntry.entity == "Visit")).one()
        assert audit.action is AuditAction.CREATE and "课后服务收费不透明" in audit.after


def test_a_members_own_visit_waits_for_staff_to_acknowledge_it(engine, world):
    visit_id = record(engine, world.member, form(world))
    with write_session(engine) as session:
        visit = session.get(Visit, visit_id)
        assert visit.acknowledged_at is None
        awaiting, total = visits.list_visits(
            session=session, actor=world.staff,
            filters=VisitFilter(awaiting_acknowledgement=True))
        assert total == 1 and awaiting["id"].tolist() == [visit_id]
        with pytest.raises(PermissionDenied):  # another committee's staff
            visits.acknowledge_visit(session=session, actor=world.other_staff,
                                     visit_id=visit_id, expected_version=1)
        with pytest.raises(PermissionDenied):  # the member themself
            visits.acknowledge_visit(session=session, actor=world.member,
                                     visit_id=visit_id, expected_version=1)
        done = visits.acknowledge_visit(session=session, actor=world.staff,
                                        visit_id=visit_id, expected_version=1)
        assert done.acknowledged_by_user_id == world.staff.user_id and done.version == 2
    with write_session(engine) as session, pytest.raises(StaleRecord):  # not twice
        visits.acknowledge_visit(session=session, actor=world.admin, visit_id=visit_id,
                                 expected_version=2)


def test_the_same_form_submitted_twice_saves_one_visit(engine, world):
    first = record(engine, world.staff, form(world), key="form-1")
    again = record(engine, world.staff, form(world), key="form-1")
    assert first == again
    assert count(engine, Visit) == 1 and count(engine, CollectedProblem) == 2
    other = record(engine, world.staff, form(world), key="form-2")  # a new form: a new visit
    assert other != first and count(engine, Visit) == 2


def test_concurrent_submits_of_one_form_save_one_visit(engine, world):
    results: list[int] = []
    failures: list[BaseException] = []

    def submit() -> None:
        try:
            results.append(record(engine, world.staff, form(world), key="same"))
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert len(set(results)) == 1 and len(results) == 4
    assert count(engine, Visit) == 1 and count(engine, CollectedProblem) == 2


# --- validation ------------------------------------------------------------------------


def test_required_fields_are_named_each_beside_its_field(engine, world):
    data = VisitInput(member_ids=(), visit_date=None, channel=None, head_count=None,
                      contact_targets="  \u200b ", summary="")
    assert errors_of(engine, world.admin, data) == {
        "members": "visits.error.members_required",
        "visit_date": "visits.error.date_required",
        "channel": "visits.error.channel_required",
        "head_count": "visits.error.head_count",
        "contact_targets": "visits.error.targets_required",
        "summary": "visits.error.summary_required",
    }
    assert count(engine, Visit) == 0


@pytest.mark.parametrize(("changes", "field", "key"), [
    ({"visit_date": TODAY + timedelta(days=1)}, "visit_date", "visits.error.date_in_future"),
    ({"head_count": 0}, "head_count", "visits.error.head_count"),
    ({"head_count": visits.MAX_HEAD_COUNT + 1}, "head_count", "visits.error.head_count"),
    ({"summary": "长" * 4001}, "summary", "visits.error.too_long"),
    ({"contact_targets": "x" * 501}, "contact_targets", "visits.error.too_long"),
    ({"problems": (ProblemItem("没有类别"),)}, "problems", "problems.error.category_required"),
    ({"problems": (ProblemItem("长" * 501, 1),)}, "problems", "problems.error.too_long"),
])
def test_bad_values_are_refused_with_a_message_for_their_field(engine, world, changes, field,
                                                               key):
    assert errors_of(engine, world.admin, form(world, **changes)) == {field: key}


def test_boundaries_are_accepted(engine, world):
    record(engine, world.admin, form(world, visit_date=TODAY, head_count=1), key="a")
    record(engine, world.admin, form(world, head_count=visits.MAX_HEAD_COUNT,
                                     summary="长" * 4000, problems=()), key="b")
    assert count(engine, Visit) == 2


def test_the_date_must_fall_in_every_chosen_members_time_in_office(engine, world):
    data = form(world, member_ids=(world.member_id, world.late_id),
                visit_date=date(2026, 9, 30))
    assert errors_of(engine, world.admin, data) == {"visit_date": "visits.error.not_in_office"}
    record(engine, world.admin, replace(data, visit_date=date(2026, 10, 1)))


def test_contact_persons_must_be_the_visiting_members(engine, world):
    data = form(world, member_ids=(world.colleague_id,), contact_person_ids=(world.contact_id,))
    assert errors_of(engine, world.admin, data) == {
        "contact_targets": "visits.error.contact_unknown"}


def test_hostile_text_is_stored_as_typed_and_invisible_characters_dropped(engine, world):
    hostile = '=HYPERLINK("http://x","y") <img src=x onerror=alert(1)> 𠮷田 مرحبا'
    visit_id = record(engine, world.admin, form(
        world, contact_targets=hostile + "\u200b", summary=hostile,
        problems=(ProblemItem(hostile, world.category_id),)))
    with read_session(engine) as session:
        visit = session.get(Visit, visit_id)
        assert visit.contact_targets == hostile and visit.summary == hostile
        assert session.exec(select(CollectedProblem.content)).one() == hostile


def test_a_campaign_sets_the_occasion_and_must_be_open_on_the_day(engine, world):
    with write_session(engine) as session:
        campaign = MustVisitCampaign(organisation_id=factories.TOP, title="教师节走访",
                                     occasion=VisitOccasion.SECTOR_HOLIDAY,
                                     starts_on=date(2026, 9, 1), ends_on=date(2026, 9, 15))
        session.add(campaign)
        session.flush()
        campaign_id = campaign.id
        assert visits.open_campaigns(session=session, actor=world.staff,
                                     on=date(2026, 9, 10)) == {campaign_id: "教师节走访"}
        assert visits.open_campaigns(session=session, actor=world.staff, on=TODAY) == {}
    data = form(world, occasion=VisitOccasion.SECTOR_HOLIDAY, campaign_id=campaign_id)
    assert errors_of(engine, world.admin, data) == {"occasion": "visits.error.campaign_window"}
    record(engine, world.admin, replace(data, visit_date=date(2026, 9, 10)))


# --- permissions -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["leader", "other_staff"])
def test_who_may_not_record_a_visit_of_the_member(engine, world, who):
    with pytest.raises(PermissionDenied):
        record(engine, getattr(world, who), form(world))


def test_a_member_records_only_visits_they_are_on(engine, world):
    with pytest.raises(PermissionDenied):
        record(engine, world.member, form(world, member_ids=(world.colleague_id,)))
    record(engine, world.member, form(world, member_ids=(world.colleague_id, world.member_id)))


def test_staff_may_take_a_member_of_another_committee_along(engine, world):
    record(engine, world.staff, form(world, member_ids=(world.economist_id, world.member_id)))
    with pytest.raises(PermissionDenied):
        record(engine, world.staff, form(world, member_ids=(world.economist_id,)), key="x")


def test_an_administrator_of_another_organisation_may_not_record_or_read(engine, world):
    with write_session(engine) as session:
        district = Organisation(name="东区政协", level=OrgLevel.DISTRICT,
                                parent_id=factories.TOP)
        session.add(district)
        session.flush()
        outsider = Actor(user_id=world.admin.user_id, name="d", role=Role.ADMIN,
                         organisation_id=district.id,
                         organisation_ids=frozenset({district.id}))
    with pytest.raises(PermissionDenied):
        record(engine, outsider, form(world))
    visit_id = record(engine, world.admin, form(world), key="mine")
    with read_session(engine) as session:
        with pytest.raises(PermissionDenied):
            visits.visit_detail(session=session, actor=outsider, visit_id=visit_id)
        assert visits.list_visits(session=session, actor=outsider)[1] == 0


# --- editing, deleting -----------------------------------------------------------------


def test_an_edit_against_an_old_version_is_a_conflict(engine, world):
    visit_id = record(engine, world.staff, form(world))
    with write_session(engine) as session:
        data, version = visits.stored_input(session=session, actor=world.staff,
                                            visit_id=visit_id)
        assert data.problems == () and data.member_ids == (world.member_id,)
        visits.update_visit(session=session, actor=world.staff, visit_id=visit_id,
                            expected_version=version,
                            data=replace(data, head_count=30, member_ids=(world.colleague_id,
                                                                          world.member_id)),
                            today=TODAY)
    with write_session(engine) as session, pytest.raises(StaleRecord):
        visits.update_visit(session=session, actor=world.admin, visit_id=visit_id,
                            expected_version=version, data=replace(data, head_count=5),
                            today=TODAY)
    with read_session(engine) as session:
        visit = session.get(Visit, visit_id)
        assert visit.head_count == 30 and visit.version == version + 1
        members = session.exec(select(VisitMember.member_id).where(
            VisitMember.visit_id == visit_id).order_by(VisitMember.position)).all()
        assert members == [world.colleague_id, world.member_id]
        update = session.exec(select(AuditEntry).where(
            AuditEntry.action == AuditAction.UPDATE)).one()
        assert '"head_count": 12' in update.before and '"head_count": 30' in update.after


def test_soft_delete_hides_the_visit_and_restore_brings_it_back(engine, world):
    visit_id = record(engine, world.staff, form(world))
    with write_session(engine) as session:
        with pytest.raises(PermissionDenied):
            visits.delete_visit(session=session, actor=world.leader, visit_id=visit_id,
                                expected_version=1)
        visits.delete_visit(session=session, actor=world.staff, visit_id=visit_id,
                            expected_version=1)
    with read_session(engine) as session:
        assert visits.list_visits(session=session, actor=world.admin)[1] == 0
        deleted, total = visits.list_visits(session=session, actor=world.admin,
                                            filters=VisitFilter(deleted=True))
        assert total == 1 and deleted["deleted"].tolist() == [True]
        assert visits.visits_of_member_between(session, world.member_id, date(2026, 1, 1),
                                               TODAY) == 0
    with write_session(engine) as session:
        visits.restore_visit(session=session, actor=world.staff, visit_id=visit_id,
                             expected_version=2)
    with read_session(engine) as session:
        assert visits.list_visits(session=session, actor=world.admin)[1] == 1
        actions = session.exec(select(AuditEntry.action).where(
            AuditEntry.entity == "Visit").order_by(AuditEntry.id)).all()
        assert actions == [AuditAction.CREATE, AuditAction.DELETE, AuditAction.UPDATE]


# --- reading ---------------------------------------------------------------------------


def test_the_list_filters_by_committee_of_the_day_member_channel_and_open_problems(
        engine, world):
    joint = record(engine, world.staff, form(world, member_ids=(world.member_id,
                                                                world.economist_id)), key="1")
    online = record(engine, world.staff, form(world, channel=Channel.ONLINE, problems=()),
                    key="2")
    with read_session(engine) as session:
        def ids(**filters) -> list[int]:
            table, total = visits.list_visits(session=session, actor=world.leader,
                                              filters=VisitFilter(**filters))
            assert total == len(table)
            return sorted(table["id"].tolist())

        assert ids() == sorted([joint, online])
        assert ids(committee_id=world.economy_id) == [joint]
        assert ids(member_id=world.economist_id) == [joint]
        assert ids(channel=Channel.ONLINE) == [online]
        assert ids(open_problems=True) == [joint]
        assert ids(search="赵强") == [joint]
        assert ids(first=TODAY) == []
        table, _ = visits.list_visits(session=session, actor=world.leader)
        row = table.set_index("id").loc[joint]
        assert row["members"] == "刘洋、赵强" and row["problems"] == 2
        assert row["open_problems"] == 2


def test_a_member_lists_only_their_own_visits(engine, world):
    mine = record(engine, world.staff, form(world), key="1")
    record(engine, world.staff, form(world, member_ids=(world.colleague_id,)), key="2")
    with read_session(engine) as session:
        table, total = visits.list_visits(session=session, actor=world.member)
        assert total == 1 and table["id"].tolist() == [mine]


def test_the_form_defaults_to_the_users_last_choices(engine, world):
    with read_session(engine) as session:
        assert visits.last_choices(session=session, actor=world.staff).channel is None
    record(engine, world.staff, form(world, channel=Channel.PLATFORM,
                                     occasion=VisitOccasion.CONTACT_REQUEST))
    with read_session(engine) as session:
        last = visits.last_choices(session=session, actor=world.staff)
        assert (last.channel, last.occasion) == (Channel.PLATFORM, VisitOccasion.CONTACT_REQUEST)
        assert visits.last_choices(session=session, actor=world.admin).channel is None


# --- the member's page -----------------------------------------------------------------


def test_a_joint_visit_shows_on_each_members_page_with_problems_and_contacts(engine, world):
    from services.member_visits import member_visits

    joint = record(engine, world.staff, form(
        world, member_ids=(world.member_id, world.colleague_id),
        contact_person_ids=(world.contact_id,)), key="1")
    record(engine, world.staff, form(world, visit_date=date(2026, 9, 30), problems=()),
           key="2")  # last quarter
    gone = record(engine, world.staff, form(world, problems=()), key="3")
    with write_session(engine) as session:
        visits.delete_visit(session=session, actor=world.staff, visit_id=gone,
                            expected_version=1)
    with read_session(engine) as session:
        mine = member_visits(session=session, actor=world.member, member_id=world.member_id,
                             today=TODAY)
        assert mine.this_quarter == 1 and len(mine.visits) == 2
        assert mine.visits["id"].tolist()[0] == joint
        assert len(mine.problems) == 2 and set(mine.problems["visit_id"]) == {joint}
        assert mine.contacts_reached[["name", "visits"]].values.tolist() == [["张老师", 1]]
        theirs = member_visits(session=session, actor=world.leader,
                               member_id=world.colleague_id, today=TODAY)
        assert theirs.this_quarter == 1 and theirs.visits["id"].tolist() == [joint]
        with pytest.raises(PermissionDenied):  # a member reads only their own page
            member_visits(session=session, actor=world.member, member_id=world.colleague_id,
                          today=TODAY)


def test_the_list_counts_exactly_up_to_its_limit(engine, world, monkeypatch):
    for key in "abcde":
        record(engine, world.staff, form(world, problems=(), summary=f"走访{key}"), key=key)
    with read_session(engine) as session:
        assert visits.list_visits(session=session, actor=world.leader)[1] == 5
        monkeypatch.setattr(visits, "COUNT_LIMIT", 3)
        page, total = visits.list_visits(session=session, actor=world.leader, limit=2)
    assert total == 4 and len(page) == 2  # "more than 3"


def test_the_keyword_search_takes_hostile_text_as_plain_words(engine, world):
    hostile = '=HYPERLINK("http://x","y") <img src=x onerror=alert(1)> 𠮷田'
    found = record(engine, world.staff, form(world, summary=hostile, problems=()), key="h")
    record(engine, world.staff, form(world, problems=()), key="plain")
    with read_session(engine) as session:
        def ids(text: str) -> list[int]:
            return visits.list_visits(session=session, actor=world.leader,
                                      filters=VisitFilter(search=text))[0]["id"].tolist()

        assert ids('=HYPERLINK("http') == [found] and ids("<img src=x") == [found]
        assert ids("𠮷田") == [found]
        assert ids("%") == [] and ids("_") == []  # wildcards are letters here
        assert ids("长" * 10_000) == []
