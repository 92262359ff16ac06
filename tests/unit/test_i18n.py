"""The message catalog: both languages complete, every key used exists, formatting."""

import re
from datetime import date
from pathlib import Path

import pytest

import models.enums
from core.i18n import LANGUAGES, catalog, enum_label, format_date, format_number, t

ROOT = Path(__file__).resolve().parents[2]
ENUMS = [
    value
    for value in vars(models.enums).values()
    if isinstance(value, type) and issubclass(value, models.enums.StrEnum)
    and value is not models.enums.StrEnum
]


def test_both_languages_have_exactly_the_same_keys():
    zh, en = set(catalog("zh_CN")), set(catalog("en"))
    assert zh - en == set(), "keys missing in English"
    assert en - zh == set(), "keys missing in Chinese"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_enum_value_has_a_label(language):
    missing = [
        f"enum.{cls.__name__}.{value.value}"
        for cls in ENUMS
        for value in cls
        if f"enum.{cls.__name__}.{value.value}" not in catalog(language)
    ]
    assert missing == []


PREFIXES = "|".join(
    sorted({key.split(".")[0] for key in catalog("zh_CN")} - {"enum", "app", "nav"})
)
# tr("key") anywhere, and message keys that services hand to pages ("users.error.x")
KEY_PATTERNS = [
    re.compile(r"""\btr\(\s*["']([a-z_][\w.]+)["']"""),
    re.compile(rf"""["']((?:{PREFIXES})\.[a-z_]+(?:\.[a-z_]+)*)["']"""),
]


def _keys_used_in_code() -> set[str]:
    keys: set[str] = set()
    for folder in ("app.py", "pages", "ui", "services", "manage.py"):
        for path in [ROOT / folder] if folder.endswith(".py") else (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for pattern in KEY_PATTERNS:
                keys |= set(pattern.findall(text))
    return {key for key in keys if not key.endswith((".py", ".csv"))}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_key_the_code_asks_for_exists(language):
    assert _keys_used_in_code() - set(catalog(language)) == set()


def test_placeholders_match_between_languages():
    field = re.compile(r"{(\w+)}")
    zh, en = catalog("zh_CN"), catalog("en")
    mismatched = [k for k in zh if set(field.findall(zh[k])) != set(field.findall(en[k]))]
    assert mismatched == []


def test_chinese_is_the_default_language():
    assert t("nav.home") == "首页"
    assert enum_label(models.enums.Channel.FACE_TO_FACE) == "走访谈心"


def test_parameters_are_filled_in():
    assert t("period.days", "en", days=41) == "41 days"


def test_unknown_key_shows_itself():
    assert t("no.such.key") == "no.such.key"


def test_dates_and_numbers_follow_the_language():
    assert format_date(date(2026, 11, 21), "zh_CN") == "2026年11月21日"
    assert format_date(date(2026, 11, 21), "en") == "21 Nov 2026"
    assert format_number(12345, "zh_CN") == "12,345"
    assert format_number(3.25, "en") == "3.2"


def test_unknown_language_is_an_error():
    with pytest.raises(ValueError):
        catalog("fr")
