"""Per-run context for pages: the store (migrated once per process), the acting user and
today's date."""

from datetime import date

import streamlit as st
from sqlalchemy.engine import Engine

from core import clock
from core.config import load_settings
from core.db import get_engine
from core.migrate import upgrade_to_head
from services.actors import Actor
from services.errors import PermissionDenied

_ACTOR = "liaison_actor"


@st.cache_resource(show_spinner=False)
def _prepared_engine(database_url: str) -> Engine:
    """Migrate once per process and URL; the schema itself lives in the store."""
    engine = get_engine(database_url)
    upgrade_to_head(engine)
    return engine


def store() -> Engine:
    """The ready store. Raises ``core.db.StoreError`` (app.py shows it as the only page)."""
    return _prepared_engine(load_settings().database_url)


def set_actor(actor: Actor) -> None:
    """Called by app.py each run, after the sign-in check, before the page runs."""
    st.session_state[_ACTOR] = actor


def actor() -> Actor:
    current = st.session_state.get(_ACTOR)
    if current is None:
        raise PermissionDenied()
    return current


def today() -> date:
    return clock.today()


def clear_actor() -> None:
    st.session_state.pop(_ACTOR, None)
