"""Reusable widgets. Each draws itself and returns what the user chose, if anything."""

import logging
from collections.abc import Callable

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core.db import ConfigurationProblem, SchemaTooNew, StoreError, StoreUnavailable
from core.errors import LiaisonError
from core.i18n import describe
from ui.i18n import fmt_number, tr

_LOG = logging.getLogger("liaison")
_STORE_PROBLEMS = {StoreUnavailable: "store.problem.unavailable",
                   SchemaTooNew: "store.problem.schema_too_new",
                   ConfigurationProblem: "store.problem.configuration"}


def _problem_key(exc: StoreError) -> str:
    kinds = (key for kind, key in _STORE_PROBLEMS.items() if isinstance(exc, kind))
    return next(kinds, "store.problem.generic")


def show_problem(exc: LiaisonError) -> None:
    """The one way an error of the family is shown. A refused action says why in the
    reader's language. A store (or configuration) problem may be seen by anyone, signed
    in or not, so it says what is wrong in general words and what to do; the detail (the
    database host, user and cause) goes to the server log only, and the operator also
    gets it from ``python manage.py check``."""
    if not isinstance(exc, StoreError):
        st.error(tr(exc.message_key, **exc.params), icon=":material/block:")
        return
    _LOG.error("store problem: %s", describe(exc, "en"))
    st.error(tr(_problem_key(exc)), icon=":material/database_off:")
    st.info(tr("store.problem.what_to_do"))


def kpi_tile(label: str, value: int | str, help_text: str | None = None,
             note: str | None = None, delta: str | None = None,
             delta_color: str = "normal", flat: bool = False) -> None:
    """A figure (a count, or text such as a share) in a bordered tile; ``delta`` is its
    change (say, since last week) under it, green up and red down (``delta_color``
    "inverse" for figures where up is bad, "off" for grey; ``flat``: no change, grey and
    without an arrow); ``note`` is a line of plain text under it."""
    with st.container(border=True):
        st.metric(label, fmt_number(value) if isinstance(value, int) else value,
                  delta=delta, delta_color="off" if flat else delta_color,
                  delta_arrow="off" if flat else "auto", help=help_text)
        if note:
            st.caption(note)


def progress_reporter(bar: DeltaGenerator) -> Callable[[float, str], None]:
    """Adapt a service's ``progress(fraction, message_key)`` to a progress bar."""

    def report(fraction: float, message_key: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=tr(message_key))

    return report


_MARKDOWN_SPECIALS = "\\`*_{}[]()#+-.!|<>~$"


def plain(text: str | None) -> str:
    """User-entered text made inert for st.markdown (no links, images or formatting)."""
    if not text:
        return "—"
    return "".join(f"\\{c}" if c in _MARKDOWN_SPECIALS else c for c in text)
