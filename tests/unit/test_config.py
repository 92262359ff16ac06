"""Settings: parsed once, yet a changed environment is seen."""

from datetime import date

from core.config import load_settings


def test_settings_are_parsed_once_per_environment(monkeypatch):
    monkeypatch.setenv("LIAISON_TODAY", "2026-01-02")
    first = load_settings()
    assert load_settings() is first  # every tr() asks; nothing is parsed again
    assert first.today_override == date(2026, 1, 2)


def test_a_changed_variable_is_seen_at_once(monkeypatch):
    monkeypatch.setenv("LIAISON_IDLE_TIMEOUT_MINUTES", "30")
    assert load_settings().idle_timeout_minutes == 30
    monkeypatch.setenv("LIAISON_IDLE_TIMEOUT_MINUTES", "5")
    assert load_settings().idle_timeout_minutes == 5
    monkeypatch.delenv("LIAISON_IDLE_TIMEOUT_MINUTES")
    assert load_settings().idle_timeout_minutes == 30


def test_bcrypt_cost_never_drops_below_twelve(monkeypatch):
    monkeypatch.setenv("LIAISON_BCRYPT_ROUNDS", "4")
    assert load_settings().bcrypt_rounds == 12
