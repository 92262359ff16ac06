"""The one cache of page reads: a service's answer, kept until the store's data changes.

An answer is kept under the store, the store's data version, the service and its
arguments (the actor among them). Every write transaction replaces the data version
(``core.db.write_session``), and each page run reads the version before it reads any
data (``ui.page.PageContext.cached``), so an answer is never older than the data the
run would read itself. Several app processes share one store: each keeps its own cache,
and a write by any of them changes the version all of them read on their next run.

Each caller gets a copy of its own (answers are kept pickled), since pages change the
tables they are given. Answers of an older version are never asked for again, but by a
run that began before the write, so a store's answers go as soon as a run sees another
version; at most ``max_entries`` answers of ``max_bytes`` in all are kept.
"""

import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import TypeVar

Result = TypeVar("Result")
_Key = tuple[str, int, str, object]  # store, data version, service, arguments


class ReadCache:
    def __init__(self, *, max_entries: int, max_bytes: int) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._lock = threading.Lock()
        self._answers: OrderedDict[_Key, bytes] = OrderedDict()  # least recently used first
        self._versions: dict[str, int] = {}  # the version each store's answers are of
        self._bytes = 0

    def answer(self, *, store: str, data_version: int, service: Callable[..., Result],
               arguments: Mapping[str, object], compute: Callable[[], Result]) -> Result:
        """``compute()``'s result for ``service`` called with ``arguments``, kept for
        ``store`` (its URL) at ``data_version``. ``compute`` reads the store after the
        version was read."""
        key = (store, data_version, f"{service.__module__}.{service.__qualname__}",
               _frozen(arguments))
        with self._lock:
            if self._versions.get(store) != data_version:
                self._forget(store)
                self._versions[store] = data_version
            kept = self._answers.get(key)
            if kept is not None:
                self._answers.move_to_end(key)
        if kept is not None:
            return pickle.loads(kept)
        result = compute()
        self._keep(key, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        return result

    def _keep(self, key: _Key, answer: bytes) -> None:
        store, data_version, _, _ = key
        with self._lock:
            if self._versions.get(store) != data_version or len(answer) > self.max_bytes:
                return  # a run that began before a write: out of date already
            self._bytes += len(answer) - len(self._answers.pop(key, b""))
            self._answers[key] = answer
            while len(self._answers) > self.max_entries or self._bytes > self.max_bytes:
                self._bytes -= len(self._answers.popitem(last=False)[1])

    def _forget(self, store: str) -> None:
        for key in [key for key in self._answers if key[0] == store]:
            self._bytes -= len(self._answers.pop(key))


def _frozen(value: object) -> object:
    """Arguments as a key: lists and sets (a multiselect's choice) by their items."""
    if isinstance(value, Mapping):
        return tuple(sorted(((name, _frozen(item)) for name, item in value.items()),
                            key=lambda pair: pair[0]))
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, set | frozenset):
        return frozenset(_frozen(item) for item in value)
    return value  # anything else is hashable itself (dates, enums, the frozen Actor)


# A province-size member list is about 1.5 MB pickled; most answers are a few kB.
READS = ReadCache(max_entries=256, max_bytes=64 * 1024 * 1024)
