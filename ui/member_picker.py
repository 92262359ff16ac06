"""The member picker: a search box that finds members by name, pinyin or initials
(``zhang``, ``zs`` → 张三; ``services.name_search``) and a list of those it found.

It filters rows the page has already read, so it costs no query; each name's pinyin is
read once per process (``name_search.name_keys`` is cached by the name), so a keystroke
only matches. The list offers at most ``LISTED`` members (a province has 10,000; a list
that long is drawn on every run and read by nobody): the search narrows it. Outside a
form only: a form sends its typing on submit, too late to search.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from services.name_search import name_matcher, text_matcher
from ui.i18n import fmt_number, tr

LISTED = 500


@dataclass(frozen=True)
class MemberPick:
    found: pd.DataFrame  # the rows of the roster the search finds (all, without a search)
    member_id: int | None  # the member chosen in the list, if any


def member_picker(roster: pd.DataFrame, *, label: str, search_hint: str,
                  also_search: Sequence[str] = (), key: str = "member") -> MemberPick:
    """``roster`` has an ``id``, a ``name`` and a ``label`` (how the list names the
    member, e.g. ``services.members.member_label``); ``also_search`` names other text
    columns the search looks in (the employer)."""
    search_column, pick_column = st.columns(2)
    query = search_column.text_input(tr("picker.search"), placeholder=search_hint,
                                     key=f"{key}.search", live=True)
    found = roster[_matching(roster, query, also_search)] if query.strip() else roster
    listed = found.head(LISTED)
    names = dict(zip(listed["id"], listed["label"], strict=True))
    member_id = pick_column.selectbox(
        label, [None, *names], key=f"{key}.pick",
        format_func=lambda i: tr("picker.choose") if i is None else names[i],
    )
    if len(found) > LISTED:
        pick_column.caption(tr("picker.listed_first", listed=fmt_number(LISTED),
                               found=fmt_number(len(found))))
    return MemberPick(found=found, member_id=member_id)


def _matching(roster: pd.DataFrame, query: str, also_search: Sequence[str]) -> list[bool]:
    """Per row, whether the search finds it. Over plain lists: pandas' ``map`` of a text
    column costs more than the matching itself."""
    name_matches, text_matches = name_matcher(query), text_matcher(query)
    found = [name_matches(name) for name in roster["name"].tolist()]
    for column in also_search:
        found = [hit or (isinstance(text, str) and text_matches(text))
                 for hit, text in zip(found, roster[column].tolist(), strict=True)]
    return found
