"""Settings from the environment; the one place that reads them."""

import os
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
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


_VARIABLES = (
    "DATABASE_URL", "LIAISON_LANGUAGE", "LIAISON_SQLITE_BUSY_TIMEOUT_MS", "LIAISON_TODAY",
    "LIAISON_CLOCK_FILE", "LIAISON_IDLE_TIMEOUT_MINUTES", "LIAISON_BCRYPT_ROUNDS",
    "LIAISON_TIMEZONE",
)


# os.environ decodes every value it hands out (10 µs for these eight); on POSIX it keeps
# the encoded values in a plain dict, which can be read 15 times faster.
_RAW_ENVIRONMENT = getattr(os.environ, "_data", None)
_RAW_NAMES = tuple(name.encode() for name in _VARIABLES)


def _environment() -> tuple[object, ...]:
    if isinstance(_RAW_ENVIRONMENT, dict) and os.name == "posix":
        return tuple(map(_RAW_ENVIRONMENT.get, _RAW_NAMES))
    return tuple(map(os.environ.get, _VARIABLES))


def load_settings() -> Settings:
    """The settings, parsed once per distinct environment: a call (every ``tr()`` makes
    one) costs a look-up of the variables (about 1 µs), not a parse, and a changed
    variable (a test, an operator's shell) is still seen."""
    return _parse(_environment())


@lru_cache(maxsize=32)
def _parse(values: tuple[object, ...]) -> Settings:
    env = {name: os.fsdecode(value) if isinstance(value, bytes) else value
           for name, value in zip(_VARIABLES, values, strict=True) if value}
    return Settings(
        database_url=env.get("DATABASE_URL") or default_database_url(),
        default_language=env.get("LIAISON_LANGUAGE", "zh_CN"),
        sqlite_busy_timeout_ms=int(env.get("LIAISON_SQLITE_BUSY_TIMEOUT_MS", "15000")),
        today_override=_optional_date(env.get("LIAISON_TODAY")),
        clock_file=Path(env["LIAISON_CLOCK_FILE"]) if "LIAISON_CLOCK_FILE" in env else None,
        idle_timeout_minutes=int(env.get("LIAISON_IDLE_TIMEOUT_MINUTES", "30")),
        bcrypt_rounds=max(MIN_BCRYPT_ROUNDS, int(env.get("LIAISON_BCRYPT_ROUNDS", "12"))),
        timezone=env.get("LIAISON_TIMEZONE", "Asia/Shanghai"),
    )
