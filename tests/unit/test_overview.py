"""Home overview: what counts as a member in office, and deleted records never count."""

from datetime import date, timedelta

from core.db import read_session, write_session
from models import utcnow
from services.actors import SYSTEM
from services.overview import overview
from tests.helpers import factories

TODAY = date(2026, 11, 21)


def _overview(engine):
    with read_session(engine) as session:
        return overview(session=session, actor=SYSTEM, today=TODAY)


def test_empty_store_has_no_members_and_zero_counts(engine):
    home = _overview(engine)
    assert not home.has_members
    assert home.counts.members_in_office == home.counts.visits == 0


def test_members_in_office_exclude_those_not_yet_joined_left_or_deleted(engine):
    with write_session(engine) as session:
        org = factories.organisation(session)
        factories.member(session, org, name="在任")
        factories.member(session, org, name="今天离任", in_office_to=TODAY)
        factories.member(session, org, name="今天到任", in_office_from=TODAY)
        factories.member(session, org, name="已离任", in_office_to=date(2026, 6, 30))
        factories.member(session, org, name="尚未到任", in_office_from=date(2026, 12, 1))
        factories.member(session, org, name="已删除").deleted_at = utcnow()
    home = _overview(engine)
    assert home.has_members
    assert home.counts.members_in_office == 3


def test_joint_visit_counts_once_and_deleted_visits_not_at_all(engine):
    with write_session(engine) as session:
        org = factories.organisation(session)
        a, b = factories.member(session, org, name="甲"), factories.member(session, org, name="乙")
        factories.visit(session, [a, b], on=date(2026, 11, 2))
        factories.visit(session, [a], on=date(2026, 10, 9)).deleted_at = utcnow()
    assert _overview(engine).counts.visits == 1


def test_workstations_are_active_or_idle_by_their_activity_not_their_flag(engine):
    """Before: a station flagged open with no activity for 120 days counted as running."""
    with write_session(engine) as session:
        org = factories.organisation(session)
        member = factories.member(session, org)
        kind = factories.activity_type(session)
        shell = factories.workstation(session, org[1], name="空壳站",
                                      established_on=TODAY - timedelta(days=200))
        factories.activity(session, shell, [member], on=TODAY - timedelta(days=120),
                           type_id=kind.id)
        busy = factories.workstation(session, org[1], active=False, name="活跃站",
                                     established_on=TODAY - timedelta(days=200))
        factories.activity(session, busy, [member], on=TODAY - timedelta(days=3),
                           type_id=kind.id)
    counts = _overview(engine).counts
    assert (counts.workstations, counts.active_workstations, counts.idle_workstations) == (
        2, 1, 1)


def test_periods_are_those_of_today(engine):
    home = _overview(engine)
    assert (home.quarter.index, home.half_year.index) == (4, 2)
    assert home.quarter.days_left(TODAY) == 41
