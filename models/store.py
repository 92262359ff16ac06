"""What the store says about itself, beside the domain's tables."""

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class DataVersion(SQLModel, table=True):
    """One row: a token that every write transaction replaces (``core.db.write_session``),
    so a cached read names the data it was computed from. A fresh random token rather
    than a count: a store restored from a backup, or emptied and filled again, can never
    meet a process's cache under a version it held for other data."""

    __tablename__ = "data_version"

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    version: int = Field(sa_type=sa.BigInteger)
