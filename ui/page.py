"""What a page works with, in one call: ``page = open_page()``.

``page.engine``, ``page.actor`` and ``page.today`` replace the three lines every page
began with, and ``page.read(service, **arguments)`` replaces ``with read_session(...)``:
it calls ``service(session=..., actor=page.actor, **arguments)`` in one read
transaction. A service that needs no actor (a list of committees) is called without one.

``page.cached(service, **arguments)`` gives the same answer from the cache of reads
(``ui/cache.py``) while the store's data is unchanged: lists, counts and lookups that
every run of a page would otherwise read again. The run reads the store's data version
once, before its first cached read.
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property
from typing import TypeVar

from sqlalchemy.engine import Engine

from core.db import data_version, read_session
from services.actors import Actor
from ui import context
from ui.cache import READS

Result = TypeVar("Result")


@dataclass(frozen=True)
class PageContext:
    engine: Engine
    actor: Actor
    today: date

    def read(self, service: Callable[..., Result], **arguments: object) -> Result:
        """``service``'s answer, read in one transaction as the page's actor."""
        if _takes_actor(service):
            arguments["actor"] = self.actor
        with read_session(self.engine) as session:
            return service(session=session, **arguments)

    def cached(self, service: Callable[..., Result], **arguments: object) -> Result:
        """``read``'s answer, computed once per data version of the store (a copy)."""
        if self._data_version is None:  # a store emptied by hand: nothing names its data
            return self.read(service, **arguments)
        if _takes_actor(service):
            arguments["actor"] = self.actor
        return READS.answer(
            store=str(self.engine.url),  # the password masked: the store is the same
            data_version=self._data_version, service=service, arguments=arguments,
            compute=lambda: self.read(service, **arguments),
        )

    @cached_property
    def _data_version(self) -> int | None:
        with read_session(self.engine) as session:
            return data_version(session)


@cache
def _takes_actor(service: Callable[..., object]) -> bool:
    return "actor" in inspect.signature(service).parameters


def open_page() -> PageContext:
    """The store, the signed-in actor and today, for the page being drawn."""
    return PageContext(engine=context.store(), actor=context.actor(), today=context.today())
