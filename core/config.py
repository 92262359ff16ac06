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


SECRETS_FILES = (PROJECT_ROOT / ".streamlit" / "secrets.toml",
                 Path.home() / ".streamlit" / "secrets.toml")


def configured_cookie_key() -> str | None:
    """``LIAISON_COOKIE_KEY``, else ``[auth] cookie_key`` in the project's or the user's
    ``.streamlit/secrets.toml`` (the files ``st.secrets`` reads, the project's first; read
    here so the start command and the command line see the same key as the app). Raises
    ValueError naming the file when one cannot be read."""
    if from_environment := os.environ.get("LIAISON_COOKIE_KEY"):
        return from_environment
    for secrets_file in SECRETS_FILES:
        if not secrets_file.is_file():
            continue
        try:
            with secrets_file.open("rb") as handle:
                key = tomllib.load(handle).get("auth", {}).get("cookie_key")
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ValueError(f"{secrets_file}: {exc}") from exc
        if key:
            return str(key)
    return None


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
