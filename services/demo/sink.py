"""Bulk inserts: rows buffered per table and written in chunks, parents before children."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Executable, Row, Table, insert, update
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

CHUNK_ROWS = 5_000


def table(model: type[SQLModel]) -> Table:
    return model.__table__  # type: ignore[attr-defined,no-any-return]


class Sink:
    """Buffers rows per table and inserts them in chunks, parents before children."""

    def __init__(self, connection: Connection, chunk: int = CHUNK_ROWS) -> None:
        self._connection = connection
        self._chunk = chunk
        self._tables = list(SQLModel.metadata.sorted_tables)
        self._buffers: dict[str, list[dict[str, Any]]] = {t.name: [] for t in self._tables}
        self.counts: dict[str, int] = {}

    def add(self, model: type[SQLModel], row: dict[str, Any]) -> None:
        buffer = self._buffers[table(model).name]
        buffer.append(row)
        if len(buffer) >= self._chunk:
            self.flush()

    def flush(self) -> None:
        for each in self._tables:
            rows = self._buffers[each.name]
            if rows:
                self._connection.execute(insert(each), rows)
                self.counts[each.name] = self.counts.get(each.name, 0) + len(rows)
                self._buffers[each.name] = []

    def read(self, statement: Executable) -> Sequence[Row[Any]]:
        """The rows of a query in the same transaction, once the buffered rows are in."""
        self.flush()
        return self._connection.execute(statement).all()

    def update_row(self, model: type[SQLModel], row_id: int, values: dict[str, Any]) -> None:
        """Change one existing row."""
        target = table(model)
        self._connection.execute(update(target).where(target.c.id == row_id).values(values))
