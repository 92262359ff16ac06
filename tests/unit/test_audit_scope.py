"""The audit trail is scoped like everything else: an administrator of a district reads
what the district's users did, not the city's."""

from core.db import read_session, write_session
from models import AuditAction, Organisation, OrgLevel, Role
from services.actors import SYSTEM
from services.audit import list_audit, record_audit
from services.users import actor_for
from tests.helpers import factories


def test_a_district_administrator_reads_only_their_organisations_trail(engine):
    with write_session(engine) as session:
        district = Organisation(name="东城区政协", level=OrgLevel.DISTRICT, parent_id=1)
        session.add(district)
        session.flush()
        city_admin = actor_for(session, factories.user(session, "city", Role.ADMIN))
        district_admin = actor_for(session, factories.user(
            session, "district", Role.ADMIN, organisation_id=district.id))
        for actor in (city_admin, district_admin, SYSTEM):
            record_audit(session=session, actor=actor, action=AuditAction.UPDATE,
                         entity="Member", entity_id=1, detail=actor.name)
    with read_session(engine) as session:
        seen_by_district = list_audit(session=session, actor=district_admin)["actor"].tolist()
        seen_by_city = list_audit(session=session, actor=city_admin)["actor"].tolist()
    assert seen_by_district == ["district"]
    assert sorted(seen_by_city) == ["city", "district", "system"]
