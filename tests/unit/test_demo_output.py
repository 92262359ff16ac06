"""The demo generator's output for a seed is pinned: a refactoring must not change a byte.

A change that means to alter the generated data updates ``ROWS`` and ``DIGEST`` on purpose,
and says so. The rows are read back from SQLite, so the digest also pins how each value is
stored.
"""

import hashlib
import shutil
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from core.db import get_engine, read_session
from services.actors import SYSTEM
from services.demo import DemoSize, load_demo_data

SIZE = DemoSize(members=40, workstations=8, years=2)
SEED = 2026
TODAY = date(2026, 5, 20)
ROWS = {
    "auditentry": 1, "campaignsector": 173, "collectedproblem": 534, "committee": 10,
    "consultationtopic": 8, "contactperson": 408, "leaderinstruction": 20, "member": 40,
    "memberleave": 2, "mustvisitcampaign": 32, "opinionreport": 112, "opinionreportmember": 218,
    "opinionstatuschange": 657, "proposal": 48, "proposalmember": 114, "sector": 31, "term": 2,
    "visit": 695, "visitcontact": 1077, "visitmember": 850, "workstation": 8,
    "workstationactivity": 282, "workstationactivitymember": 677, "workstationmember": 50,
}
DIGEST = "41ceb739dc574d06b212d9407d59744a5e2ab60c323fc2fd22a097a3725099c9"
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


def load_seeded(template: Path, path: Path) -> tuple[dict[str, int], str]:
    shutil.copyfile(template, path)
    engine = get_engine(f"sqlite:///{path}")
    summary = load_demo_data(engine=engine, actor=SYSTEM, size=SIZE, seed=SEED, today=TODAY)
    digest = store_digest(engine)
    engine.dispose()
    return summary.rows, digest


def test_a_seeded_load_writes_the_same_rows_as_ever(sqlite_template, tmp_path):
    rows, digest = load_seeded(sqlite_template, tmp_path / "demo.db")
    assert rows == ROWS
    assert digest == DIGEST
