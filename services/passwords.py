"""Password policy and hashing (OWASP ASVS level 2, chapter 2.1 and 2.4), and what the
store keeps of other secrets.

- 12 to 128 characters, any characters, no composition rules.
- Not easy to guess: zxcvbn (Dropbox's estimator, with its own frequency lists of common
  passwords, names, words and keyboard patterns) must rate it at least 3 of 4, with the
  username and the person's name counted as known words.
- Leading and trailing spaces are dropped when setting a password, because the
  sign-in widget drops them when signing in.
- bcrypt with cost >= 12. bcrypt reads only 72 bytes and a Chinese character takes
  three, so the password is first reduced with SHA-256 (base64, 44 bytes): every
  character counts and nothing is truncated.
- Random tokens (sign-in sessions, the first-run setup token) are kept as their SHA-256:
  they are long and random, so a slow hash would add nothing.
"""

import base64
import hashlib
import threading
from functools import cache

import bcrypt
from zxcvbn import zxcvbn

from core.config import load_settings

MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_STRENGTH = 3  # zxcvbn's score: 3 is "safely unguessable" (about 10^8 guesses and up)
# zxcvbn keeps the known words of the call in a module-level dictionary: two checks at
# once (Streamlit runs sessions on threads) would see each other's words.
_ZXCVBN_LOCK = threading.Lock()


def normalise(password: str) -> str:
    return password.strip()


def password_problem(password: str, *, username: str = "", known_words: tuple[str, ...] = (),
                     ) -> str | None:
    """The message key of what is wrong with a new password, or None. ``known_words``
    (the person's name, say) make a password that contains them weaker."""
    password = normalise(password)
    if len(password) < MIN_LENGTH:
        return "password.too_short"
    if len(password) > MAX_LENGTH:
        return "password.too_long"
    if username and password.lower() == username.strip().lower():
        return "password.same_as_username"
    if len(set(password)) == 1:
        return "password.too_simple"
    words = [word for word in (username, *known_words, "liaison", "zhengxie") if word]
    with _ZXCVBN_LOCK:
        score = zxcvbn(password, user_inputs=words, max_length=MAX_LENGTH)["score"]
    if score < MIN_STRENGTH:
        return "password.too_guessable"
    return None


def new_password_errors(
    password: str, confirm: str | None, *, username: str, display_name: str = "",
) -> dict[str, str]:
    """A form's errors for a new password, by field; ``confirm`` None when the form does
    not ask for it twice."""
    if problem := password_problem(password, username=username, known_words=(display_name,)):
        return {"password": problem}
    if confirm is not None and confirm.strip() != password.strip():
        return {"confirm": "password.mismatch"}
    return {}


def _prehash(password: str) -> bytes:
    return base64.b64encode(hashlib.sha256(normalise(password).encode("utf-8")).digest())


def hash_password(password: str) -> str:
    rounds = load_settings().bcrypt_rounds
    return bcrypt.hashpw(_prehash(password), bcrypt.gensalt(rounds)).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(_prehash(password), password_hash.encode("ascii"))
    except ValueError:
        return False


@cache
def _decoy_hash() -> str:
    return hash_password("decoy password that matches nothing")


def spend_equal_time(password: str) -> None:
    """Check against a decoy hash of the same cost, so an unknown or locked username
    answers in the same time as a known one (no enumeration by timing)."""
    verify_password(password, _decoy_hash())


def token_digest(token: str) -> str:
    """What the store keeps of a secret token (session, setup): its SHA-256."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
