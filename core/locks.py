"""PostgreSQL advisory-lock keys, one per job that must not run twice at once across the
processes sharing a store (SQLite serialises writers with BEGIN IMMEDIATE instead)."""

from enum import IntEnum


class AdvisoryLock(IntEnum):
    MIGRATION = 741_852_961
    FIRST_ADMIN = 741_852_962
    DEMO_LOAD = 741_852_963
