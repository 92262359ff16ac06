"""The demo generator's output for a seed is pinned: a refactoring must not change a byte.

A change that means to alter the generated data updates the ``*_ROWS`` and ``*_DIGEST`` on
purpose, and says so. Two stores are pinned: one organisation alone, and a city with two
districts or counties (the organisation tree). The rows are read back from SQLite, so the
digest also pins how each value is stored.
"""

import hashlib
import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from core.db import get_engine, read_session
from services.actors import SYSTEM
from services.demo import DemoSize, load_demo_data

SEED = 2026
TODAY = date(2026, 5, 20)
# One organisation (the small sizes), and a city with two districts or counties.
SINGLE = DemoSize(members=40, workstations=8, years=2)
TREE = DemoSize(members=40, workstations=8, years=2, children=2, child_members=15)
SINGLE_ROWS = {
    "auditentry": 1, "campaignsector": 173, "collectedproblem": 476, "committee": 10,
    "consultationtopic": 8, "contactperson": 393, "leaderinstruction": 12, "member": 40,
    "memberassignment": 48, "memberleave": 3, "mustvisitcampaign": 33, "opinionreport": 110,
    "opinionreportmember": 216, "opinionstatuschange": 617, "proposal": 48,
    "proposalmember": 103, "sector": 31, "term": 2, "visit": 689, "visitcontact": 1100,
    "visitmember": 838, "workstation": 8, "workstationactivity": 299,
    "workstationactivitymember": 629, "workstationmember": 34,
}
SINGLE_DIGEST = "7c9c1798aac55c816d2ee634d974cd0fb200d98f67a268515f076b85e2842334"
TREE_ROWS = {
    "auditentry": 1, "campaignsector": 455, "collectedproblem": 895, "committee": 24,
    "consultationtopic": 24, "contactperson": 691, "leaderinstruction": 19, "member": 70,
    "memberassignment": 77, "memberleave": 3, "mustvisitcampaign": 88, "opinionreport": 221,
    "opinionreportmember": 393, "opinionstatuschange": 1237, "organisation": 2,
    "proposal": 84, "proposalmember": 182, "sector": 80, "term": 6, "visit": 1228,
    "visitcontact": 1905, "visitmember": 1438, "workstation": 14, "workstationactivity": 508,
    "workstationactivitymember": 1149, "workstationmember": 68,
}
TREE_DIGEST = "e33ab2708636c1521883a9da02644aa9276b84bfc3c3d597cd5739852dfae5d1"
# What differs between two loads: the audit row records when the load ran, and each
# write leaves a fresh random data version.
UNPINNED_TABLES = {"auditentry", "data_version"}


def store_digest(engine: Engine) -> str:
    """SHA-256 over every row of every table but the audit trail, in key order."""
    digest = hashlib.sha256()
    with read_session(engine) as session:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in UNPINNED_TABLES:
                continue
            digest.update(table.name.encode())
            for row in session.execute(select(table).order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def load_seeded(template: Path, path: Path, size: DemoSize) -> tuple[dict[str, int], str]:
    shutil.copyfile(template, path)
    engine = get_engine(f"sqlite:///{path}")
    summary = load_demo_data(engine=engine, actor=SYSTEM, size=size, seed=SEED, today=TODAY)
    digest = store_digest(engine)
    engine.dispose()
    return summary.rows, digest


@pytest.mark.parametrize(("size", "expected_rows", "expected_digest"), [
    (SINGLE, SINGLE_ROWS, SINGLE_DIGEST), (TREE, TREE_ROWS, TREE_DIGEST),
], ids=["single", "tree"])
def test_a_seeded_load_writes_the_same_rows_as_ever(sqlite_template, tmp_path, size,
                                                    expected_rows, expected_digest):
    rows, digest = load_seeded(sqlite_template, tmp_path / "demo.db", size)
    assert rows == expected_rows
    assert digest == expected_digest
