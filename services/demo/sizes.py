"""How much demo data to make, and in how many organisations.

``members`` and ``workstations`` are the top organisation's own. The organisations below
it (``children``, and ``grandchildren`` below each child) have their own members,
``child_members`` and ``grandchild_members`` on average (each between 70% and 130% of
it, the level's total exact), and studios and stations in the top's proportion to
members.

- ``small``: one city CPPCC of 60 members, nothing below it (a single-organisation store).
- ``city``: a city CPPCC of 500 members with four districts and counties of about 115
  members each (80 to 150): about 960 members and 290 studios and stations in all.
- ``province``: a provincial CPPCC of 800 members, six cities of about 450 and 24
  counties and districts of about 270 (three to five a city): about 10,000 members and
  2,000 studios and stations in all.
"""

from dataclasses import dataclass
from typing import Self

from models import OrgLevel


@dataclass(frozen=True)
class DemoSize:
    members: int = 500  # the top organisation's
    workstations: int = 150  # the top organisation's; below it in the same proportion
    years: int = 2
    level: OrgLevel = OrgLevel.CITY  # the top organisation's: city or province
    children: int = 0  # organisations directly below the top
    child_members: int = 0  # members of each, on average
    grandchildren: int = 0  # organisations below each child, on average
    grandchild_members: int = 0

    def __post_init__(self) -> None:
        if (self.members < 5 or self.workstations < 0 or not 1 <= self.years <= 10
                or self.level not in (OrgLevel.CITY, OrgLevel.PROVINCE)
                or self.children < 0 or self.grandchildren < 0
                or (self.children and self.child_members < 5)
                or (self.grandchildren and (not self.children or self.grandchild_members < 5))
                or (self.level is OrgLevel.CITY and self.grandchildren)):
            raise ValueError(f"unsupported demo size {self}")

    @property
    def organisations(self) -> int:
        return 1 + self.children + self.children * self.grandchildren

    @property
    def total_members(self) -> int:
        """Members in all the organisations together (up to rounding)."""
        return (self.members + self.children * self.child_members
                + self.children * self.grandchildren * self.grandchild_members)

    @classmethod
    def city(cls) -> Self:
        return cls(children=4, child_members=115)

    @classmethod
    def province(cls) -> Self:
        return cls(members=800, workstations=160, years=5, level=OrgLevel.PROVINCE,
                   children=6, child_members=450, grandchildren=4, grandchild_members=270)

    @classmethod
    def small(cls) -> Self:
        """A quick look: one organisation, loads in well under a second."""
        return cls(members=60, workstations=12, years=2)


PRESETS: dict[str, DemoSize] = {
    "small": DemoSize.small(),
    "city": DemoSize.city(),
    "province": DemoSize.province(),
}
"""Named sizes for the command line, the benchmarks and the welcome screen."""
