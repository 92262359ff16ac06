"""Who is acting. Every service takes an ``actor`` so permission checks and the audit
trail have one source; the sign-in issue fills it from the signed-in user."""

from dataclasses import dataclass, field

from models.enums import Role
from services.errors import PermissionDenied


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    name: str
    role: Role
    committee_ids: frozenset[int] = field(default_factory=frozenset)
    member_id: int | None = None
    display_name: str = ""
    must_change_password: bool = False
    # The user's own organisation and the ones it sees (it and those below it); None
    # for the system actor, which sees every organisation.
    organisation_id: int | None = None
    organisation_ids: frozenset[int] | None = None

    @property
    def label(self) -> str:
        """How people see who is acting: the person's name, else the username."""
        return self.display_name or self.name

    def require_role(self, *roles: Role) -> None:
        if self.role not in roles:
            raise PermissionDenied()

    def sees_organisation(self, organisation_id: int) -> bool:
        return self.organisation_ids is None or organisation_id in self.organisation_ids

    def require_organisation(self, organisation_id: int) -> None:
        if not self.sees_organisation(organisation_id):
            raise PermissionDenied()


SYSTEM = Actor(user_id=None, name="system", role=Role.ADMIN)
"""The command line and the first-run setup act as the system administrator."""
