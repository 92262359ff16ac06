"""Cleaning what people type or paste before it is checked and stored.

Text is kept as typed, with three exceptions that no one means to store: surrounding
white space, invisible format characters (zero-width spaces and joiners, byte-order marks,
bidirectional overrides) that a copy from a web page or a chat brings along, and control
characters. Right-to-left letters (a Uyghur name) and characters outside the Basic
Multilingual Plane (𠮷) are letters and stay.
"""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def _visible(character: str) -> bool:
    category = unicodedata.category(character)
    return category not in {"Cf", "Cc", "Cs", "Co", "Cn"} or character in "\n\t"


def clean_text(text: str | None, *, single_line: bool = True) -> str:
    """``text`` in NFC, without invisible characters, trimmed; on one line, runs of white
    space become one space."""
    if text is None:
        return ""
    text = "".join(filter(_visible, unicodedata.normalize("NFC", str(text))))
    if single_line:
        text = _SPACES.sub(" ", text)
    return text.strip()


def clean_phone(text: str | None) -> str:
    """A phone number as digits (full-width digits typed with a Chinese input method
    count), keeping a leading ``+``, spaces and dashes."""
    return clean_text(unicodedata.normalize("NFKC", text or ""))
