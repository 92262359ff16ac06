"""The filter bar over lists of members and their work: organisation, committee, sector.

Each filter offers "all" or one choice. The organisation filter is drawn only when the
actor sees more than one organisation; choosing one keeps it and those below it (a city
with its districts), and the committee and sector lists narrow to theirs. Staff start on
their own committee, everyone else on all.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import streamlit as st

from services import members, organisations
from services.permissions import home_committee
from ui.i18n import tr
from ui.page import PageContext


@dataclass(frozen=True)
class Scope:
    """What the bar chose; None means all (that the actor sees)."""

    organisation_ids: frozenset[int] | None = None
    committee_id: int | None = None
    sector_id: int | None = None


def filter_bar(page: PageContext, *, key: str = "filter", with_sector: bool = True) -> Scope:
    """Draw the bar (the sector filter only ``with_sector``: lists of topics or proposals
    have none) and return what it chose."""
    lookup = page.cached(members.lookups)
    several = len(lookup.organisations) > 1
    columns = iter(st.columns(int(several) + 1 + int(with_sector)))
    organisation_ids, chosen = None, None
    if several:
        with next(columns):
            chosen = _one_or_all(tr("filter.organisation"), lookup.organisations,
                                 key=f"{key}.organisation")
        if chosen is not None:
            organisation_ids = page.cached(organisations.scope_of, organisation_id=chosen)
    # The lists depend on the organisation: their widgets start again when it changes.
    suffix = "" if chosen is None else f".{chosen}"
    committees = lookup.of("committees", organisation_ids)
    with next(columns):
        committee_id = _one_or_all(
            tr("filter.committee"), committees, key=f"{key}.committee{suffix}",
            start=home_committee(page.actor, list(committees)),
        )
    sector_id = None
    if with_sector:
        with next(columns):
            sector_id = _one_or_all(tr("filter.sector"),
                                    lookup.of("sectors", organisation_ids),
                                    key=f"{key}.sector{suffix}")
    return Scope(organisation_ids, committee_id, sector_id)


def _one_or_all(label: str, names: Mapping[int, str], *, key: str,
                start: int | None = None) -> int | None:
    options = [None, *names]
    return st.selectbox(label, options, index=options.index(start), key=key,
                        format_func=lambda i: tr("filter.all") if i is None else names[i])
