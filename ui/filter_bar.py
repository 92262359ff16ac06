"""The filter bar over lists of members and their work: organisation, committee, sector.

Each filter offers "all" or one choice. The organisation filter is drawn only when there
is more than one organisation to tell apart (the store holds one CPPCC today; a city
store with its districts' committees would pass them in). Staff start on their own
committee, everyone else on all.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import streamlit as st

from services import members
from services.permissions import home_committee
from ui.i18n import tr
from ui.page import PageContext


@dataclass(frozen=True)
class Scope:
    """What the bar chose; None means all."""

    organisation_id: int | None = None
    committee_id: int | None = None
    sector_id: int | None = None


def filter_bar(page: PageContext, *, organisations: Mapping[int, str] | None = None,
               key: str = "filter") -> Scope:
    lookup = page.cached(members.lookups)
    organisations = organisations or {}
    with_organisation = len(organisations) > 1
    columns = iter(st.columns(3 if with_organisation else 2))
    organisation_id = None
    if with_organisation:
        with next(columns):
            organisation_id = _one_or_all(tr("filter.organisation"), organisations,
                                          key=f"{key}.organisation")
    with next(columns):
        committee_id = _one_or_all(
            tr("filter.committee"), lookup.committees, key=f"{key}.committee",
            start=home_committee(page.actor, list(lookup.committees)),
        )
    with next(columns):
        sector_id = _one_or_all(tr("filter.sector"), lookup.sectors, key=f"{key}.sector")
    return Scope(organisation_id, committee_id, sector_id)


def _one_or_all(label: str, names: Mapping[int, str], *, key: str,
                start: int | None = None) -> int | None:
    options = [None, *names]
    return st.selectbox(label, options, index=options.index(start), key=key,
                        format_func=lambda i: tr("filter.all") if i is None else names[i])
