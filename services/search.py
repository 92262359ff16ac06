"""Text search that behaves the same on SQLite and PostgreSQL."""

from sqlalchemy import ColumnElement
from sqlmodel import col

_ESCAPE = "\\"


def contains(column: object, needle: str) -> ColumnElement[bool]:
    """Case-insensitive "contains", with the user's % and _ taken literally."""
    text = needle.strip()
    for special in (_ESCAPE, "%", "_"):
        text = text.replace(special, _ESCAPE + special)
    return col(column).ilike(f"%{text}%", escape=_ESCAPE)
