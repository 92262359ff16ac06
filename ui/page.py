"""What a page works with, in one call: ``page = open_page()``.

``page.engine``, ``page.actor`` and ``page.today`` replace the three lines every page
began with, and ``page.read(service, **arguments)`` replaces ``with read_session(...)``:
it calls ``service(session=..., actor=page.actor, **arguments)`` in one read
transaction. A service that needs no actor (a list of committees) is called without one.
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import TypeVar

from sqlalchemy.engine import Engine

from core.db import read_session
from services.actors import Actor
from ui import context

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


@cache
def _takes_actor(service: Callable[..., object]) -> bool:
    return "actor" in inspect.signature(service).parameters


def open_page() -> PageContext:
    """The store, the signed-in actor and today, for the page being drawn."""
    return PageContext(engine=context.store(), actor=context.actor(), today=context.today())
