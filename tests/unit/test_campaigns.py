"""Must-visit campaigns (八必访): declaring, changing, closing and deleting one, who is
expected to visit (the seat in force on their last day in office inside the window),
what counts as a visit for it, the completion per committee and in the list, and who
may do what."""

import json
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlmodel import select

from core.db import read_session, write_session
from models import (
    AuditAction,
    AuditEntry,
    CampaignSector,
    Committee,
    Member,
    MemberAssignment,
    MustVisitCampaign,
    Organisation,
    OrgLevel,
    Role,
    Sector,
    VisitOccasion,
    utcnow,
)
from services import campaigns
from services.actors import Actor
from services.campaigns import (
    CampaignFilter,
    CampaignInput,
    CampaignState,
    HasVisits,
    NotOpen,
)
from services.errors import PermissionDenied, StaleRecord, ValidationFailed
from tests.helpers import factories

TODAY = date(2026, 11, 21)
TOP = factories.TOP
# Teachers' Day, a week either side: over by TODAY.
FIRST, LAST = date(2026, 9, 3), date(2026, 9, 17)
HOLIDAY = VisitOccasion.SECTOR_HOLIDAY


@dataclass(frozen=True)
class World:
    education_id: int  # the campaign's sector
    economy_id: int  # another sector
    farming_id: int
    teaching_committee_id: int
    economy_committee_id: int
    district_id: int
    district_sector_id: int
    teacher_id: int  # 教育界, in office throughout
    colleague_id: int  # 教育界, in office throughout
    economist_id: int  # 经济界
    admin: Actor
    staff: Actor
    leader: Actor
    member: Actor
    district_admin: Actor  # administrator of the district only
    district_staff: Actor


@pytest.fixture
def world(engine) -> World:
    with write_session(engine) as session:
        education, teaching, term = factories.organisation(session)
        economy = Sector(organisation_id=TOP, name="经济界", sort_order=1)
        farming = Sector(organisation_id=TOP, name="农业界", sort_order=2)
        economy_committee = Committee(organisation_id=TOP, name="经济委员会", sort_order=1)
        district = Organisation(name="东城区政协", level=OrgLevel.DISTRICT, parent_id=TOP)
        session.add_all([economy, farming, economy_committee, district])
        session.flush()
        district_org = factories.organisation(session, district.id)
        teacher = factories.member(session, (education, teaching, term), name="王芳")
        colleague = factories.member(session, (education, teaching, term), name="李强")
        economist = factories.member(session, (economy, economy_committee, term), name="赵敏")
        factories.member(session, (farming, economy_committee, term), name="孙农")
        factories.member(session, district_org, name="周杰")
        everyone = frozenset({TOP, district.id})
        actor = factories.actor
        return World(
            education_id=education.id, economy_id=economy.id, farming_id=farming.id,
            teaching_committee_id=teaching.id, economy_committee_id=economy_committee.id,
            district_id=district.id, district_sector_id=district_org[0].id,
            teacher_id=teacher.id, colleague_id=colleague.id, economist_id=economist.id,
            admin=actor(session, "admin1", Role.ADMIN, organisations=everyone),
            staff=actor(session, "staff1", Role.STAFF, committees=[teaching.id],
                        organisations=everyone),
            leader=actor(session, "leader1", Role.LEADER, organisations=everyone),
            member=actor(session, "member1", Role.MEMBER, member_id=teacher.id),
            district_admin=actor(session, "admin2", Role.ADMIN,
                                 organisations=frozenset({district.id})),
            district_staff=actor(session, "staff2", Role.STAFF,
                                 organisations=frozenset({district.id})),
        )


def teachers_day(world: World, **fields) -> CampaignInput:
    values = {"title": "2026年教师节走访慰问", "occasion": HOLIDAY, "starts_on": FIRST,
              "ends_on": LAST, "sector_ids": (world.education_id,),
              "description": "教师节前后走访慰问教育界群众。"}
    return CampaignInput(**(values | fields))


def declare(engine, actor: Actor, data: CampaignInput, organisation_id: int = TOP) -> int:
    with write_session(engine) as session:
        return campaigns.create_campaign(session=session, actor=actor,
                                         organisation_id=organisation_id, data=data).id


def refused(engine, call, **arguments) -> dict[str, str]:
    """The field errors a write is refused with (nothing of it is kept)."""
    with pytest.raises(ValidationFailed) as caught, write_session(engine) as session:
        call(session=session, **arguments)
    return caught.value.field_errors


def detail(engine, actor: Actor, campaign_id: int, today: date = TODAY):
    with read_session(engine) as session:
        return campaigns.campaign_detail(session=session, actor=actor, campaign_id=campaign_id,
                                         today=today)


def progress(engine, actor: Actor, campaign_id: int):
    with read_session(engine) as session:
        return campaigns.campaign_progress(session=session, actor=actor,
                                           campaign_id=campaign_id)


def visited(engine, actor: Actor, campaign_id: int) -> dict[str, bool]:
    """Member name → visited, for every member expected."""
    roster = progress(engine, actor, campaign_id).roster
    return dict(zip(roster["member"], roster["visited"], strict=True))


def listed(engine, actor: Actor, filters: CampaignFilter | None = None,
           today: date = TODAY):
    filters = filters or CampaignFilter()
    with read_session(engine) as session:
        return campaigns.list_campaigns(session=session, actor=actor, filters=filters,
                                        today=today)


def visit(engine, member_ids: list[int], on: date, *, campaign_id: int | None = None,
          occasion: VisitOccasion = VisitOccasion.ROUTINE, deleted: bool = False) -> int:
    with write_session(engine) as session:
        people = [session.get(Member, i) for i in member_ids]
        row = factories.visit(session, people, on=on)
        row.campaign_id, row.occasion = campaign_id, occasion
        row.deleted_at = utcnow() if deleted else None
        session.add(row)
        session.flush()
        return row.id


def member(engine, name: str, seats: list[tuple[int, int, date, date | None]]) -> int:
    """A member with these seats (sector, committee, from, to) in the top organisation."""
    with write_session(engine) as session:
        term_id = session.exec(select(Member.term_id)).first()
        last_sector, last_committee, _, last_to = seats[-1]
        row = Member(organisation_id=TOP, name=name, name_key=name, sector_id=last_sector,
                     committee_id=last_committee, term_id=term_id,
                     in_office_from=seats[0][2], in_office_to=last_to)
        session.add(row)
        session.flush()
        session.add_all(MemberAssignment(
            member_id=row.id, organisation_id=TOP, term_id=term_id, sector_id=sector_id,
            committee_id=committee_id, starts_on=seat_from, ends_on=seat_to)
            for sector_id, committee_id, seat_from, seat_to in seats)
        return row.id


def audit_rows(engine, campaign_id: int) -> list[AuditEntry]:
    with read_session(engine) as session:
        return list(session.exec(select(AuditEntry).where(
            AuditEntry.entity == "MustVisitCampaign", AuditEntry.entity_id == campaign_id)
            .order_by(AuditEntry.id)).all())


# --- declaring -------------------------------------------------------------------------------


def test_declaring_a_campaign_keeps_its_fields_sectors_and_an_audit_row(engine, world):
    campaign_id = declare(engine, world.staff, teachers_day(world))
    found = detail(engine, world.leader, campaign_id)
    assert (found.campaign.title, found.campaign.occasion, found.campaign.starts_on,
            found.campaign.ends_on) == ("2026年教师节走访慰问", HOLIDAY, FIRST, LAST)
    assert found.sectors == {world.education_id: "教育界"}
    assert found.state is CampaignState.OVER and found.days_left == 0
    [created] = audit_rows(engine, campaign_id)
    assert created.action is AuditAction.CREATE and created.actor_name == "staff1"
    assert json.loads(created.after)["sector_ids"] == [world.education_id]


def test_all_sectors_takes_every_sector_of_the_organisation(engine, world):
    campaign_id = declare(engine, world.admin, teachers_day(
        world, title="十四届五次会议召开前走访", occasion=VisitOccasion.BEFORE_PLENARY,
        sector_ids=(), all_sectors=True))
    assert set(detail(engine, world.admin, campaign_id).sectors) == {
        world.education_id, world.economy_id, world.farming_id}


def test_bad_input_is_refused_field_by_field_and_nothing_is_saved(engine, world):
    errors = refused(engine, campaigns.create_campaign, actor=world.staff,
                     organisation_id=TOP, data=CampaignInput(title="   ", sector_ids=()))
    assert errors == {"title": "campaigns.error.title_required",
                      "occasion": "campaigns.error.occasion_required",
                      "starts_on": "campaigns.error.starts_required",
                      "ends_on": "campaigns.error.ends_required",
                      "sector_ids": "campaigns.error.sectors_required"}
    errors = refused(engine, campaigns.create_campaign, actor=world.staff, organisation_id=TOP,
                     data=teachers_day(world, title="长" * 201, occasion=VisitOccasion.ROUTINE,
                                       ends_on=FIRST - timedelta(days=1),
                                       sector_ids=(world.district_sector_id,),
                                       description="长" * 2001))
    assert errors == {"title": "campaigns.error.title_too_long",
                      "occasion": "campaigns.error.occasion_routine",
                      "ends_on": "campaigns.error.ends_before_starts",
                      "sector_ids": "campaigns.error.sector_unknown",
                      "description": "campaigns.error.description_too_long"}
    errors = refused(engine, campaigns.create_campaign, actor=world.staff, organisation_id=TOP,
                     data=teachers_day(world, ends_on=FIRST + timedelta(days=366)))
    assert errors == {"ends_on": "campaigns.error.window_too_long"}
    with read_session(engine) as session:
        assert session.exec(select(MustVisitCampaign)).all() == []


def test_a_window_of_one_day_and_of_a_whole_year_are_allowed(engine, world):
    declare(engine, world.staff, teachers_day(world, title="一天", ends_on=FIRST))
    declare(engine, world.staff, teachers_day(world, title="一年",
                                              ends_on=FIRST + timedelta(days=365)))
    assert len(listed(engine, world.staff)) == 2


def test_declaring_the_same_campaign_twice_saves_it_once(engine, world):
    first = declare(engine, world.staff, teachers_day(world))
    assert declare(engine, world.staff, teachers_day(world, title=" 2026年教师节走访慰问 ")) \
        == first
    assert len(listed(engine, world.staff)) == 1
    assert len(audit_rows(engine, first)) == 1


def test_the_same_title_with_an_overlapping_window_is_refused_but_next_year_is_not(engine,
                                                                                  world):
    declare(engine, world.staff, teachers_day(world))
    errors = refused(engine, campaigns.create_campaign, actor=world.staff, organisation_id=TOP,
                     data=teachers_day(world, starts_on=LAST, ends_on=LAST + timedelta(7)))
    assert errors == {"title": "campaigns.error.title_taken"}
    declare(engine, world.staff, teachers_day(world, starts_on=date(2027, 9, 3),
                                              ends_on=date(2027, 9, 17)))
    declare(engine, world.district_admin, teachers_day(
        world, sector_ids=(world.district_sector_id,)), organisation_id=world.district_id)
    assert len(listed(engine, world.admin)) == 3


HOSTILE_TITLE = "=HYPERLINK(\"http://x\",\"点\")<img src=x onerror=alert(1)>𠮷 مرحبا"
HOSTILE_DESCRIPTION = "+SUM(A1:A9)\n<script>alert('x')</script>\n𠮷\u202eRTL"


def test_hostile_text_is_stored_as_typed(engine, world):
    campaign_id = declare(engine, world.staff, teachers_day(
        world, title=HOSTILE_TITLE, description=HOSTILE_DESCRIPTION))
    stored = detail(engine, world.staff, campaign_id).campaign
    assert stored.title == HOSTILE_TITLE
    # the bidirectional override, invisible, is dropped like everywhere (services.text)
    assert stored.description == HOSTILE_DESCRIPTION.replace("\u202e", "")
    rows = listed(engine, world.staff, CampaignFilter(search="HYPERLINK(\"http"))
    assert list(rows["title"]) == [HOSTILE_TITLE]
    assert listed(engine, world.staff, CampaignFilter(search="%")).empty


# --- who may ---------------------------------------------------------------------------------


def test_leaders_read_but_cannot_declare_change_close_or_delete(engine, world):
    campaign_id = declare(engine, world.staff, teachers_day(world))
    found = detail(engine, world.leader, campaign_id)
    assert not found.can_manage and detail(engine, world.staff, campaign_id).can_manage
    assert campaigns.may_manage(world.staff) and not campaigns.may_manage(world.leader)
    assert progress(engine, world.leader, campaign_id).members == 2
    for call, arguments in (
            (campaigns.create_campaign, {"organisation_id": TOP, "data": teachers_day(
                world, title="另一项")}),
            (campaigns.update_campaign, {"campaign_id": campaign_id,
                                         "expected_version": found.version,
                                         "changes": {"title": "改"}}),
            (campaigns.close_campaign, {"campaign_id": campaign_id,
                                        "expected_version": found.version, "today": FIRST}),
            (campaigns.delete_campaign, {"campaign_id": campaign_id,
                                         "expected_version": found.version})):
        with pytest.raises(PermissionDenied), write_session(engine) as session:
            call(session=session, actor=world.leader, **arguments)
    assert detail(engine, world.admin, campaign_id).campaign.title == "2026年教师节走访慰问"


def test_members_cannot_read_campaigns(engine, world):
    campaign_id = declare(engine, world.staff, teachers_day(world))
    for call, arguments in ((campaigns.list_campaigns, {"today": TODAY}),
                            (campaigns.campaign_names, {}),
                            (campaigns.campaign_detail, {"campaign_id": campaign_id,
                                                         "today": TODAY}),
                            (campaigns.campaign_progress, {"campaign_id": campaign_id})):
        with pytest.raises(PermissionDenied), read_session(engine) as session:
            call(session=session, actor=world.member, **arguments)
    with pytest.raises(PermissionDenied), write_session(engine) as session:
        campaigns.create_campaign(session=session, actor=world.member, organisation_id=TOP,
                                  data=teachers_day(world, title="委员自己宣布"))


def test_a_district_sees_and_keeps_only_its_own_campaigns(engine, world):
    city = declare(engine, world.staff, teachers_day(world))
    district = declare(engine, world.district_staff, teachers_day(
        world, sector_ids=(world.district_sector_id,)), organisation_id=world.district_id)
    assert list(listed(engine, world.district_admin)["id"]) == [district]
    assert set(listed(engine, world.admin)["id"]) == {city, district}  # the city sees below
    with pytest.raises(PermissionDenied), read_session(engine) as session:
        campaigns.campaign_detail(session=session, actor=world.district_admin,
                                  campaign_id=city, today=TODAY)
    with pytest.raises(PermissionDenied), write_session(engine) as session:
        campaigns.create_campaign(session=session, actor=world.district_admin,
                                  organisation_id=TOP, data=teachers_day(world, title="越权"))
    version = detail(engine, world.admin, city).version
    with pytest.raises(PermissionDenied), write_session(engine) as session:
        campaigns.delete_campaign(session=session, actor=world.district_staff,
                                  campaign_id=city, expected_version=version)
    assert detail(engine, world.admin, district).can_manage  # the city keeps them too


# --- who is expected and what counts --------------------------------------------------------


def test_window_boundaries_are_inclusive(engine, world):
    campaign_id = declare(engine, world.staff, teachers_day(world))
    visit(engine, [world.teacher_id], FIRST, campaign_id=campaign_id, occasion=HOLIDAY)
    visit(engine, [world.colleague_id], LAST, campaign_id=campaign_id, occasion=HOLIDAY)
    assert visited(engine, world.staff, campaign_id) == {"王芳": True, "李强": True}


def test_a_visit_the_day_before_or_after_the_window_does_not_count(engine, world):
    campaign_id = declare(engine, world.staff, teachers_day(world))
    visit(engine, [world.teacher_id], FIRST - timedelta(days=1), occasion=HOLIDAY)
    visit(engine, [world.colleague_id], LAST + timedelta(days=1), occasion=HOLIDAY)
    assert visited(engine, world.staff, campaign_id) == {"王芳": False, "李强": False}


def test_a_soft_deleted_visit_does_not_count(engine, world):
    campaign_id = declare(engine, world.staff, teachers_day(world))
    visit(engine, [world.teacher_id], FIRST, campaign_id=campaign_id, occasion=HOLIDAY,
          deleted=True)
    assert visited(engine, world.staff, campaign_id) == {"王芳": False, "李强": False}


def test_a_joint_visit_counts_for_each_member_on_it(engine, world):
    campaign_id = declare(engine, world.staff, teachers_day(world))
    visit(engine, [world.teacher_id, world.colleague_id], FIRST + timedelta(days=5),
          campaign_id=campaign_id, occasion=HOLIDAY)
    found = progress(engine, world.staff, campaign_id)
    assert (found.members, found.visited, found.to_visit, found.rate) == (2, 2, 0, 1.0)
    assert list(found.roster["visits"]) == [1, 1]


def test_an_unlinked_visit_with_the_occasion_counts_but_not_one_of_another_campaign(engine,
                                                                                  world):
    campaign_id = declare(engine, world.staff, teachers_day(world))
    other = declare(engine, world.staff, teachers_day(
        world, title="教育新政策宣讲", occasion=VisitOccasion.NEW_POLICY))
    visit(engine, [world.teacher_id], FIRST, occasion=HOLIDAY)  # the campaign not picked
    visit(engine, [world.colleague_id], FIRST, campaign_id=other,
          occasion=VisitOccasion.NEW_POLICY)
    visit(engine, [world.colleague_id], FIRST, occasion=VisitOccasion.ROUTINE)
    assert visited(engine, world.staff, campaign_id) == {"王芳": True, "李强": False}
    assert visited(engine, world.staff, other) == {"王芳": False, "李强": True}


def test_a_member_who_moved_sector_during_the_window_counts_where_they_ended_it(engine,
                                                                               world):
    middle = FIRST + timedelta(days=6)
    moved_in = member(engine, "钱进", [
        (world.economy_id, world.economy_committee_id, date(2023, 1, 1), middle),
        (world.education_id, world.teaching_committee_id, middle + timedelta(1), None)])
    member(engine, "钱出", [
        (world.education_id, world.teaching_committee_id, date(2023, 1, 1), middle),
        (world.farming_id, world.economy_committee_id, middle + timedelta(1), None)])
    campaign_id = declare(engine, world.staff, teachers_day(world))
    visit(engine, [moved_in], FIRST, occasion=HOLIDAY)  # before the move: still counts
    roster = progress(engine, world.staff, campaign_id).roster.set_index("member")
    assert set(roster.index) == {"王芳", "李强", "钱进"}
    assert roster.loc["钱进", "committee_id"] == world.teaching_committee_id
    assert roster.loc["钱进", "visited"]


def test_a_member_who_left_office_before_the_window_is_not_expected(engine, world):
    member(engine, "前任", [(world.education_id, world.teaching_committee_id,
                            date(2023, 1, 1), FIRST - timedelta(days=1))])
    member(engine, "期中离任", [(world.education_id, world.teaching_committee_id,
                              date(2023, 1, 1), FIRST)])
    member(engine, "新任", [(world.education_id, world.teaching_committee_id,
                            LAST + timedelta(days=1), None)])
    with write_session(engine) as session:
        colleague = session.get(Member, world.colleague_id)
        colleague.deleted_at = utcnow()
        session.add(colleague)
    campaign_id = declare(engine, world.staff, teachers_day(world))
    roster = progress(engine, world.staff, campaign_id).roster.set_index("member")
    assert set(roster.index) == {"王芳", "期中离任"}
    assert roster.loc["期中离任", "left_office_on"] == FIRST
    assert roster.loc["王芳", "left_office_on"] is None


def test_completion_per_committee_and_in_the_list(engine, world):
    campaign_id = declare(engine, world.staff, teachers_day(
        world, sector_ids=(world.education_id, world.economy_id)))
    visit(engine, [world.teacher_id], FIRST, campaign_id=campaign_id, occasion=HOLIDAY)
    visit(engine, [world.teacher_id], LAST, campaign_id=campaign_id, occasion=HOLIDAY)
    found = progress(engine, world.staff, campaign_id)
    by_committee = found.by_committee.set_index("committee")
    assert by_committee.loc["教科卫体委员会", ["members", "visited", "to_visit"]].tolist() \
        == [2, 1, 1]
    assert by_committee.loc["经济委员会", ["members", "visited", "to_visit"]].tolist() == [1, 0, 1]
    assert by_committee.loc["教科卫体委员会", "rate"] == 0.5
    still = found.roster[~found.roster["visited"]]
    assert list(still["member"]) == ["李强", "赵敏"]
    assert found.roster.set_index("member").loc["王芳", "visits"] == 2
    assert found.roster.set_index("member").loc["王芳", "last_visit_on"] == LAST
    [row] = listed(engine, world.leader).to_dict("records")
    assert (row["members"], row["visited"], row["to_visit"]) == (3, 1, 2)
    assert row["rate"] == pytest.approx(1 / 3)
    assert row["sectors"] == "教育界、经济界"


def test_the_list_filters_by_state_organisation_and_search(engine, world):
    over = declare(engine, world.staff, teachers_day(world))
    open_now = declare(engine, world.staff, teachers_day(
        world, title="学习贯彻重要讲话精神走访", occasion=VisitOccasion.MAJOR_SPEECH,
        starts_on=TODAY - timedelta(days=3), ends_on=TODAY))
    upcoming = declare(engine, world.staff, teachers_day(
        world, title="十四届五次会议召开前走访", occasion=VisitOccasion.BEFORE_PLENARY,
        starts_on=TODAY + timedelta(days=1), ends_on=TODAY + timedelta(days=40)))
    district = declare(engine, world.district_staff, teachers_day(
        world, sector_ids=(world.district_sector_id,)), organisation_id=world.district_id)
    states = {state: list(listed(engine, world.admin, CampaignFilter(state=state))["id"])
              for state in CampaignState}
    assert states == {CampaignState.UPCOMING: [upcoming], CampaignState.OPEN: [open_now],
                      CampaignState.OVER: [over, district] if over > district
                      else [district, over]}
    everything = listed(engine, world.admin)
    assert list(everything["id"])[:2] == [upcoming, open_now]  # the latest window first
    assert everything.set_index("id").loc[open_now, "days_left"] == 1
    assert list(listed(engine, world.admin, CampaignFilter(
        organisation_ids=frozenset({world.district_id})))["id"]) == [district]
    assert list(listed(engine, world.admin, CampaignFilter(search="讲话"))["id"]) == [open_now]


# --- changing, closing, deleting --------------------------------------------------------------


def test_an_edit_changes_what_was_sent_against_the_version_seen_and_is_audited(engine, world):
    campaign_id = declare(engine, world.staff, teachers_day(world))
    seen = detail(engine, world.staff, campaign_id).version
    with write_session(engine) as session:
        campaigns.update_campaign(session=session, actor=world.staff, campaign_id=campaign_id,
                                  expected_version=seen,
                                  changes={"title": "教师节走访", "sector_ids": [
                                      world.education_id, world.economy_id]})
    found = detail(engine, world.staff, campaign_id)
    assert (found.campaign.title, set(found.sectors)) == (
        "教师节走访", {world.education_id, world.economy_id})
    assert found.campaign.description == "教师节前后走访慰问教育界群众。"
    assert found.version != seen
    changed = audit_rows(engine, campaign_id)[-1]
    assert changed.action is AuditAction.UPDATE
    assert json.loads(changed.before) == {"title": "2026年教师节走访慰问",
                                          "sector_ids": [world.education_id]}
    with pytest.raises(StaleRecord), write_session(engine) as session:  # the old version
        campaigns.update_campaign(session=session, actor=world.admin, campaign_id=campaign_id,
                                  expected_version=seen, changes={"title": "又改"})
    assert refused(engine, campaigns.update_campaign, actor=world.staff,
                   campaign_id=campaign_id, expected_version=found.version,
                   changes={"sector_ids": []}) == {
        "sector_ids": "campaigns.error.sectors_required"}


def test_an_edit_that_changes_nothing_writes_nothing(engine, world):
    campaign_id = declare(engine, world.staff, teachers_day(world))
    seen = detail(engine, world.staff, campaign_id).version
    with write_session(engine) as session:
        campaigns.update_campaign(session=session, actor=world.staff, campaign_id=campaign_id,
                                  expected_version=seen,
                                  changes={"title": " 2026年教师节走访慰问", "all_sectors": False})
    assert detail(engine, world.staff, campaign_id).version == seen
    assert len(audit_rows(engine, campaign_id)) == 1


def test_linked_visits_fix_the_occasion_and_the_window_must_keep_them(engine, world):
    campaign_id = declare(engine, world.staff, teachers_day(world))
    visit(engine, [world.teacher_id], FIRST + timedelta(days=2), campaign_id=campaign_id,
          occasion=HOLIDAY)
    version = detail(engine, world.staff, campaign_id).version
    errors = refused(engine, campaigns.update_campaign, actor=world.staff,
                     campaign_id=campaign_id, expected_version=version,
                     changes={"occasion": VisitOccasion.NEW_POLICY,
                              "starts_on": FIRST + timedelta(days=3),
                              "ends_on": LAST})
    assert errors == {"occasion": "campaigns.error.occasion_has_visits",
                      "starts_on": "campaigns.error.window_leaves_visits"}
    with write_session(engine) as session:  # shrinking while keeping the visit is fine
        campaigns.update_campaign(session=session, actor=world.staff, campaign_id=campaign_id,
                                  expected_version=version,
                                  changes={"ends_on": FIRST + timedelta(days=2)})
    assert detail(engine, world.staff, campaign_id).campaign.ends_on == FIRST + timedelta(2)


def test_closing_early_ends_an_open_window_today(engine, world):
    campaign_id = declare(engine, world.staff, teachers_day(world))
    middle = FIRST + timedelta(days=4)
    version = detail(engine, world.staff, campaign_id, today=middle).version
    with write_session(engine) as session:
        campaigns.close_campaign(session=session, actor=world.staff, campaign_id=campaign_id,
                                 expected_version=version, today=middle)
    found = detail(engine, world.staff, campaign_id, today=middle)
    assert (found.campaign.ends_on, found.state, found.days_left) == (
        middle, CampaignState.OPEN, 1)
    closed = audit_rows(engine, campaign_id)[-1]
    assert closed.detail == "campaigns.audit.closed_early"
    assert json.loads(closed.after) == {"ends_on": middle.isoformat()}
    for day in (middle, FIRST - timedelta(days=1), TODAY):  # ends today, upcoming, over
        with pytest.raises(NotOpen), write_session(engine) as session:
            campaigns.close_campaign(session=session, actor=world.staff,
                                     campaign_id=campaign_id, expected_version=found.version,
                                     today=day)


def test_a_campaign_with_linked_visits_is_not_deleted_even_deleted_ones(engine, world):
    campaign_id = declare(engine, world.staff, teachers_day(world))
    visit(engine, [world.teacher_id], FIRST, campaign_id=campaign_id, occasion=HOLIDAY,
          deleted=True)
    found = detail(engine, world.staff, campaign_id)
    assert found.linked_visits == 1
    with pytest.raises(HasVisits) as caught, write_session(engine) as session:
        campaigns.delete_campaign(session=session, actor=world.staff, campaign_id=campaign_id,
                                  expected_version=found.version)
    assert caught.value.params == {"count": 1}


def test_deleting_a_mistaken_campaign_removes_it_with_its_sectors(engine, world):
    campaign_id = declare(engine, world.staff, teachers_day(world))
    version = detail(engine, world.staff, campaign_id).version
    with write_session(engine) as session:
        campaigns.delete_campaign(session=session, actor=world.staff, campaign_id=campaign_id,
                                  expected_version=version)
    with read_session(engine) as session:
        assert session.exec(select(MustVisitCampaign)).all() == []
        assert session.exec(select(CampaignSector)).all() == []
    assert audit_rows(engine, campaign_id)[-1].action is AuditAction.DELETE
    with pytest.raises(StaleRecord), read_session(engine) as session:
        campaigns.campaign_detail(session=session, actor=world.staff,
                                  campaign_id=campaign_id, today=TODAY)
