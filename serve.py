"""Start Liaison's server: ``python serve.py [streamlit options]`` (scripts/start uses it).

Before the server starts it prepares what a first visitor must not decide:

- The store is migrated, and while it has no user a one-time **setup token** is printed
  here, on the server's console: the first-run page asks for it, so whoever reaches a
  fresh install first over the network cannot make themselves administrator (the way
  Jenkins prints its initial admin password). ``manage.py create-admin`` is the other way.
- A configured cookie key shorter than 32 characters stops the start; a missing one is
  reported (a key kept in the store then signs cookies).
- The server listens on 127.0.0.1 (``.streamlit/config.toml``) unless told otherwise:
  put it behind the HTTPS proxy (docs/security.md), or pass ``--server.address 0.0.0.0``.

Streamlit's older meaning of our ``pages/`` folder is switched off before the server
starts (``ui.navigation.navigation_only`` says why).
"""

import sys

from streamlit.web import cli

from core.config import configured_cookie_key
from core.db import StoreError
from core.i18n import describe, t
from manage import fresh_setup_token
from services.server_key import check_configured_key
from ui.navigation import navigation_only


def _say(line: str) -> None:
    print(f"liaison: {line}", file=sys.stderr, flush=True)


def check_cookie_key() -> bool:
    """False, with the reason on the console, when the configured cookie key is unusable;
    a missing key is only warned about."""
    try:
        key = configured_cookie_key()
        if key is None:
            _say(t("config.warning.no_cookie_key", "en"))
        else:
            check_configured_key(key)
    except ValueError as exc:
        _say(f"error: cannot read the secrets file {exc}")
        return False
    except StoreError as exc:
        _say("error: " + describe(exc, "en"))
        return False
    return True


def print_setup_token() -> None:
    """A fresh store gets a new one-time token at every start, printed here only."""
    try:
        token = fresh_setup_token()
    except StoreError as exc:  # the app shows what is wrong; the detail belongs here
        _say("error: " + describe(exc, "en"))
        return
    if token:
        banner = "*" * 64
        print(f"\n{banner}\n  Liaison has no administrator yet. First-run setup token:\n\n"
              f"      {token}\n\n  Enter it on the setup page (首次使用), or run\n"
              f"  python manage.py create-admin instead.\n{banner}\n", flush=True)


def main() -> int:
    if not check_cookie_key():
        return 2
    print_setup_token()
    navigation_only()
    sys.argv = ["streamlit", "run", "app.py", *sys.argv[1:]]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
