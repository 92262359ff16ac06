"""Settings from the environment; the one place that reads them."""

import os
import tomllib
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
    timezone: str


def default_database_url() -> str:
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def _optional_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def configured_cookie_key() -> str | None:
    """``LIAISON_COOKIE_KEY``, else ``[auth] cookie_key`` in .streamlit/secrets.toml
    (read here rather than through ``st.secrets`` so the start command and the command
    line see the same key as the app)."""
    if from_environment := os.environ.get("LIAISON_COOKIE_KEY"):
        return from_environment
    secrets_file = PROJECT_ROOT / ".streamlit" / "secrets.toml"
    if not secrets_file.is_file():
        return None
    with secrets_file.open("rb") as handle:
        return tomllib.load(handle).get("auth", {}).get("cookie_key") or None


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
        timezone=os.environ.get("LIAISON_TIMEZONE", "Asia/Shanghai"),
    )
