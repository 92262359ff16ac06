"""Who may do what. Pages ask here what to show; services ask here before they act, so a
hidden page is never the only guard.

Everyone but a member works within their organisation and the ones below it
(``Actor.organisation_ids``); within that:

- admin: users, settings, everything.
- leader: reads everything, edits nothing, may comment.
- staff: creates and edits records of members in the committees assigned to them; reads
  everything else (dashboards, other committees' members) and comments on their own.
- member: their own records and dossier only, without the internal comments on them.
"""

from typing import Protocol

from models import Member, Role
from services.actors import Actor
from services.errors import PermissionDenied
from services.screens import SCREENS, Page, Screen


def screens_for(actor: Actor) -> list[Screen]:
    """The screens the actor may open, in navigation order. After an administrator's
    reset (or a first password), only the account screen, until the user has set a
    password of their own."""
    if actor.must_change_password:
        return [screen for screen in SCREENS if screen.while_password_must_change]
    return [screen for screen in SCREENS if actor.role in screen.roles]


def pages_for(actor: Actor) -> frozenset[Page]:
    return frozenset(Page(screen.key) for screen in screens_for(actor))


class MemberInScope(Protocol):
    """What the rules read of a member: a ``Member``, or a row of a list of members."""

    @property
    def id(self) -> int | None: ...

    @property
    def committee_id(self) -> int: ...

    @property
    def organisation_id(self) -> int: ...


def can_load_demo_data(actor: Actor) -> bool:
    return actor.role is Role.ADMIN


def sees_only_own_member(actor: Actor) -> bool:
    """Members see their own profile, not the directory."""
    return actor.role is Role.MEMBER


def home_committee(actor: Actor, committee_ids: list[int]) -> int | None:
    """Where staff start in lists: the first of their committees; others start on all."""
    mine = [c for c in committee_ids if c in actor.committee_ids]
    return mine[0] if actor.role is Role.STAFF and mine else None


def can_read_member(actor: Actor, member: Member) -> bool:
    if actor.role is Role.MEMBER:
        return actor.member_id == member.id
    return actor.sees_organisation(member.organisation_id)


def can_edit_member(actor: Actor, member: MemberInScope) -> bool:
    """Whether the actor may correct the member's contact details and keep their contact
    persons: the member themself, staff of the member's committee, administrators."""
    if actor.role is not Role.MEMBER and not actor.sees_organisation(member.organisation_id):
        return False
    match actor.role:
        case Role.ADMIN:
            return True
        case Role.STAFF:
            return member.committee_id in actor.committee_ids
        case Role.MEMBER:
            return actor.member_id == member.id
        case _:
            return False


def can_comment_on_member(actor: Actor, member: Member) -> bool:
    if not actor.sees_organisation(member.organisation_id):
        return False
    match actor.role:
        case Role.ADMIN | Role.LEADER:
            return True
        case Role.STAFF:
            return member.committee_id in actor.committee_ids
        case _:
            return False


def can_read_comments(actor: Actor) -> bool:
    """Comments on members are internal: the office reads them, a member never does, not
    even about themself."""
    return actor.role in {Role.ADMIN, Role.LEADER, Role.STAFF}


def require_read_member(actor: Actor, member: Member) -> None:
    if not can_read_member(actor, member):
        raise PermissionDenied()


def require_edit_member(actor: Actor, member: Member) -> None:
    if not can_edit_member(actor, member):
        raise PermissionDenied()


def require_comment_on_member(actor: Actor, member: Member) -> None:
    if not can_comment_on_member(actor, member):
        raise PermissionDenied()
