"""A deterministic, realistic demo store: a fictional city (or province) CPPCC and the
CPPCCs below it.

The store's one organisation (政协组织) becomes the top: a city CPPCC (市政协) or, at the
province size, a provincial one (省政协). Below it, each with its own terms, sectors (the
real names; a district or county has fewer), committees (a district or county has four to
six), members, studios and stations and records (``sizes`` has the numbers):

- ``small``: the city alone, 60 members: a store with a single organisation.
- ``city``: the city's 500 members and four districts and counties of about 115 each
  (80 to 150), about 960 members and 290 studios and stations in all.
- ``province``: the province's 800 members, six cities of about 450, and 24 districts and
  counties of about 270 below them (three to five a city): about 10,000 members and 2,000
  studios and stations in all, 31 organisations.

``load_demo_data`` writes, for every organisation, one current term and its predecessor,
its sectors and committees, members with the history of their assignments (a few
re-appointed from the previous term, a few moved to another committee or sector), their
leave requests (approved, pending, refused) and contact persons, studios and stations,
and ``size.years`` years of history up to ``today``: visits (seasonal, clustered on the
organisation's must-visit occasions, with joint visits and realistic gaps against the
quarterly quota), the problems they collected, opinion reports through their whole
workflow, workstation activities, consultation topics and proposals. Every record belongs
to the organisation of its member, committee or workstation; members work with members of
their own organisation only. The problems are written last, each with the history of its
follow-up, once the reports and topics have taken up theirs; they are filed under the top
organisation's problem categories (the list migration 0009 seeds, completed if need be),
and every department they and the reports go to is in the department list of the
organisation that uses it (the top's names beside the store's own, each district's below).
A few of the latest visits await the committee's acknowledgement.

Same ``seed`` and same ``today`` give identical data. Everything is written in ONE
transaction with bulk inserts (lists of dicts, ``executemany`` in chunks), primary keys
assigned here, so the province size (10,000 members, millions of rows) is generatable;
a load killed midway leaves nothing behind.

History never starts before the current term: what members did in the previous term is
not modelled (a re-appointed member's earlier assignment is), so with ``years`` larger
than the term's age the history is that much shorter.

The modules: ``loading`` (the transaction, the order of the steps, the audit row),
``world`` (the random sources, the calendar and what the steps share), one module per
thing built (``organisation``, ``members``, ``workstations``, ``visits`` and
``problems``, ``reports``, ``topics``), ``sink`` (the bulk inserts), ``sizes`` and
``vocabulary``.
"""

from services.demo.loading import DemoSummary, load_demo_data
from services.demo.sizes import PRESETS, DemoSize
from services.demo.world import ProgressCallback

__all__ = ["PRESETS", "DemoSize", "DemoSummary", "ProgressCallback", "load_demo_data"]
