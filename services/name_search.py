"""Finding people by what is typed: the name's characters, its pinyin or its initials.

``zhang``, ``zs``, ``zhangs``, ``zhsan`` and ``张s`` all find 张三: each character of the
name may be typed as itself, as one of its pinyin readings, or as the start of one (an
initial such as ``z`` or ``zh``, or the unfinished last syllable). The typing may begin at
any character, so the given name alone (``san``) finds the person too.

A polyphonic character is matched by every reading it has, except the surname: 曾 is read
``zeng`` as a surname, never ``ceng``. pypinyin has no surname mode (its issue #297 is
open), so the readings of the surnames that differ are listed here.

Reading a name costs far more than matching it, so each name's readings are kept
(``name_keys`` is cached by the name): a keystroke over the roster only matches. To match
many names, ``name_matcher(query)`` reads the query once and tries a name only from the
characters whose typing starts with the query's first letter (10,000 names in about 5 ms).
"""

import unicodedata
from collections.abc import Callable
from functools import cache, lru_cache

from pypinyin import Style, pinyin

# A surname whose reading differs from the character's common one, or that has several
# readings of which only one is a surname's (丁 is never zheng, 万 never mo). A character
# read two ways as a surname (乐: le and yue, 盖: ge and gai) is left out, so every
# reading finds it.
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "曾": ("zeng",), "单": ("shan",), "解": ("xie",), "仇": ("qiu",), "区": ("ou",),
    "朴": ("piao",), "查": ("zha",), "翟": ("zhai",), "丁": ("ding",), "万": ("wan",),
    "石": ("shi",), "陆": ("lu",), "车": ("che",),
    "缪": ("miao",), "覃": ("qin",), "瞿": ("qu",), "召": ("shao",), "繁": ("po",),
    "种": ("chong",), "重": ("chong",), "秘": ("bi",), "华": ("hua",), "过": ("guo",),
    "纪": ("ji",), "折": ("she",), "那": ("na",), "难": ("nan",), "粘": ("nian",),
    "藏": ("zang",), "都": ("du",), "六": ("lu",), "薄": ("bo",), "贾": ("jia",),
    "柏": ("bai",), "牟": ("mou",), "叶": ("ye",), "宿": ("su",), "卜": ("bu",),
    "沈": ("shen",), "燕": ("yan",), "隗": ("wei",), "尉": ("wei",), "长": ("chang",),
    "员": ("yun",), "句": ("gou",), "莘": ("shen",), "褚": ("chu",), "能": ("nai",),
    "尉迟": ("yu", "chi"), "万俟": ("mo", "qi"), "单于": ("chan", "yu"),
    "长孙": ("zhang", "sun"), "澹台": ("tan", "tai"), "乐正": ("yue", "zheng"),
}
_SEPARATORS = frozenset(" \t'’·•・-.")


def normalise(text: str) -> str:
    """What is compared: full-width letters (a Chinese keyboard's) as plain ones, any
    case, without spaces, apostrophes or the dot in transliterated names; ü as v."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("ü", "v")
    return "".join(character for character in folded if character not in _SEPARATORS)


@cache
def _readings(character: str) -> tuple[str, ...]:
    found = pinyin(character, style=Style.NORMAL, heteronym=True, errors=lambda _: None)
    readings = tuple(found[0]) if found else ()
    # 吕 is typed lv or lu
    return readings + tuple(r.replace("v", "u") for r in readings if "v" in r)


def _surname_length(name: str) -> int:
    return 2 if name[:2] in SURNAME_READINGS else 1


@lru_cache(maxsize=16_384)
def name_keys(name: str) -> tuple[tuple[str, ...], ...]:
    """Per character of ``name`` (separators left out), the ways it may be typed: the
    character itself and, for a Chinese character, its pinyin readings."""
    characters = normalise(name)
    surname = SURNAME_READINGS.get(characters[:_surname_length(characters)], ())
    keys = []
    for position, character in enumerate(characters):
        readings = (surname[position],) if position < len(surname) else _readings(character)
        keys.append((character, *readings))
    return tuple(keys)


@lru_cache(maxsize=16_384)
def _starts(name: str) -> dict[str, tuple[int, ...]]:
    """Per letter, the positions in ``name`` whose typing may begin with it."""
    starts: dict[str, list[int]] = {}
    for position, keys in enumerate(name_keys(name)):
        for letter in {key[0] for key in keys}:
            starts.setdefault(letter, []).append(position)
    return {letter: tuple(positions) for letter, positions in starts.items()}


def name_matcher(query: str) -> Callable[[str], bool]:
    """``name_matches`` with ``query`` fixed, for matching many names."""
    needle = normalise(query)
    if not needle:
        return lambda name: True

    first = needle[0]

    def matches(name: str) -> bool:
        starts = _starts(name).get(first)
        if starts is None:  # most names, for most searches
            return False
        keys = name_keys(name)
        return any(_typed_from(needle, keys, start) for start in starts)
    return matches


def name_matches(query: str, name: str) -> bool:
    """Whether ``query`` finds ``name`` (an empty query finds everyone)."""
    return name_matcher(query)(name)


def _typed_from(needle: str, keys: tuple[tuple[str, ...], ...], position: int) -> bool:
    """Whether ``needle`` is typed by the characters from ``position`` on, each as one of
    its keys or the start of one."""
    if not needle:
        return True
    if position == len(keys):
        return False
    for key in keys[position]:
        for length in range(min(len(key), len(needle)), 0, -1):
            if needle[:length] == key[:length] and _typed_from(needle[length:], keys,
                                                                position + 1):
                return True
    return False


_normalised_text = lru_cache(maxsize=32_768)(normalise)  # employers repeat across members


def text_matcher(query: str) -> Callable[[str | None], bool]:
    """``text_matches`` with ``query`` fixed, for matching many texts."""
    needle = normalise(query)
    return lambda text: not needle or needle in _normalised_text(text or "")


def text_matches(query: str, text: str | None) -> bool:
    """Whether ``text`` contains ``query``, compared as ``normalise`` does."""
    return text_matcher(query)(text)


SORT_KEY_LENGTH = 200


@lru_cache(maxsize=16_384)
def sort_key(name: str) -> str:
    """The name in pinyin, for sorting (张三 → ``zhang san``): each character by its common
    reading, a surname by its surname reading (曾 → ``zeng``), other characters as
    themselves in lower case. Kept in ``Member.name_key`` so the store sorts by it."""
    characters = normalise(name)
    surname = SURNAME_READINGS.get(characters[:_surname_length(characters)], ())
    words: list[str] = []
    run = ""  # letters and characters without a reading stay one word
    for position, character in enumerate(characters):
        reading = surname[position] if position < len(surname) else None
        if reading is None:
            found = pinyin(character, style=Style.NORMAL, errors=lambda _: [""])
            reading = found[0][0] if found and found[0] else ""
        if reading:
            words += [run, reading] if run else [reading]
            run = ""
        else:
            run += character
    return " ".join([*words, run] if run else words)[:SORT_KEY_LENGTH]
