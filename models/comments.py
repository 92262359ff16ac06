"""Comments on records: how leadership (who edits nothing) takes part in the work."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import utcnow


class Comment(SQLModel, table=True):
    __table_args__ = (sa.Index("ix_comment_entity", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(max_length=60)
    entity_id: int
    author_user_id: int = Field(foreign_key="app_user.id")
    body: str = Field(max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)
