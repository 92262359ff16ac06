"""Settings from the environment; the one place that reads them."""

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "liaison.db"
MIN_BCRYPT_ROUNDS = 12


@dataclass(frozen=True)
class Settings:
    database_url: str
    default_language: str
    sqlite_busy_timeout_ms: int
    today_override: date | None
    clock_file: Path | None
    idle_timeout_minutes: int
    bcrypt_rounds: int
    cookie_key: str | None
    timezone: str


def default_database_url() -> str:
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def _optional_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def load_settings() -> Settings:
    return Settings(
        database_url=os.environ.get("DATABASE_URL") or default_database_url(),
        default_language=os.environ.get("LIAISON_LANGUAGE", "zh_CN"),
        sqlite_busy_timeout_ms=int(os.environ.get("LIAISON_SQLITE_BUSY_TIMEOUT_MS", "15000")),
        today_override=_optional_date(os.environ.get("LIAISON_TODAY")),
        clock_file=Path(os.environ["LIAISON_CLOCK_FILE"])
        if os.environ.get("LIAISON_CLOCK_FILE") else None,
        idle_timeout_minutes=int(os.environ.get("LIAISON_IDLE_TIMEOUT_MINUTES", "30")),
        bcrypt_rounds=max(MIN_BCRYPT_ROUNDS, int(os.environ.get("LIAISON_BCRYPT_ROUNDS", "12"))),
        cookie_key=os.environ.get("LIAISON_COOKIE_KEY") or None,
        timezone=os.environ.get("LIAISON_TIMEZONE", "Asia/Shanghai"),
    )
