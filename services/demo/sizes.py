"""How much demo data to make."""

from dataclasses import dataclass
from typing import Self


@dataclass(frozen=True)
class DemoSize:
    members: int = 500
    workstations: int = 150
    years: int = 2

    def __post_init__(self) -> None:
        if self.members < 5 or self.workstations < 0 or not 1 <= self.years <= 10:
            raise ValueError(f"unsupported demo size {self}")

    @classmethod
    def city(cls) -> Self:
        return cls()

    @classmethod
    def province(cls) -> Self:
        return cls(members=10_000, workstations=2_000, years=5)

    @classmethod
    def small(cls) -> Self:
        """A quick look: loads in well under a second."""
        return cls(members=60, workstations=12, years=2)


PRESETS: dict[str, DemoSize] = {
    "small": DemoSize.small(),
    "city": DemoSize.city(),
    "province": DemoSize.province(),
}
"""Named sizes for the command line, the benchmarks and the welcome screen."""
