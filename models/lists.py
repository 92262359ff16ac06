"""The editable lists an office keeps: problem categories, the departments problems are
referred to, reply templates (and, as later screens need them, more kinds).

An organisation's list is its own entries and those of the organisations above it, so a
district office uses the city's categories and adds its own departments.
"""

import sqlalchemy as sa
from sqlmodel import Field

from models.base import Timestamped, enum_field, organisation_field
from models.enums import ListKind


class ListEntry(Timestamped, table=True):
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "kind", "name", name="uq_listentry_name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = organisation_field()
    kind: ListKind = enum_field(ListKind, index=True)
    name: str = Field(max_length=60)
    text: str | None = Field(default=None, max_length=1000)  # a reply template's wording
    position: int = 0
    is_active: bool = True
