"""A deterministic, realistic demo store: a fictional city (or province) CPPCC.

``load_demo_data`` writes one current term and its predecessor, the real sector and
committee names, members with their contact persons, studios and stations, and
``size.years`` years of history up to ``today``: visits (seasonal, clustered on the
must-visit occasions, with joint visits and realistic gaps against the quarterly quota),
the problems they collected, opinion reports through their whole workflow, workstation
activities, consultation topics and proposals.

Same ``seed`` and same ``today`` give identical data. Everything is written in ONE
transaction with bulk inserts (lists of dicts, ``executemany`` in chunks), primary keys
assigned here, so the province size (10,000 members, millions of rows) is generatable;
a load killed midway leaves nothing behind.

History never starts before the current term: members of the previous term are not
modelled, so with ``years`` larger than the term's age the history is that much shorter.

The modules: ``loading`` (the transaction, the order of the steps, the audit row),
``world`` (the random sources, the calendar and what the steps share), one module per
thing built (``organisation``, ``workstations``, ``visits`` and ``problems``,
``reports``, ``topics``), ``sink`` (the bulk inserts), ``sizes`` and ``vocabulary``.
"""

from services.demo.loading import DemoSummary, load_demo_data
from services.demo.sizes import PRESETS, DemoSize
from services.demo.world import ProgressCallback

__all__ = ["PRESETS", "DemoSize", "DemoSummary", "ProgressCallback", "load_demo_data"]
