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

Our ``pages/`` folder holds the pages that ``st.navigation`` in app.py lists for the
signed-in role. Streamlit also knows an older meaning of a ``pages/`` folder: a request
for ``/members`` in a new session would run ``pages/members.py`` by itself, skipping
app.py and its sign-in check (the page then refuses, but with an English error and a list
of files). Streamlit settles which meaning applies once per process, before app.py first
runs, so it is settled here, before the server starts.
"""

import sys

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

from core.config import configured_cookie_key
from core.db import StoreError
from core.i18n import t
from manage import fresh_setup_token
from services import accounts


def _say(line: str) -> None:
    print(f"liaison: {line}", file=sys.stderr, flush=True)


def _check_cookie_key() -> bool:
    try:
        key = configured_cookie_key()
        if key is None:
            _say(t("config.warning.no_cookie_key", "en"))
        else:
            accounts.check_configured_key(key)
    except ValueError as exc:
        _say(f"error: cannot read the secrets file {exc}")
        return False
    except StoreError as exc:
        _say("error: " + t(exc.message_key, "en", **exc.params))
        return False
    return True


def _print_setup_token() -> None:
    """A fresh store gets a new one-time token at every start, printed here only."""
    try:
        token = fresh_setup_token()
    except StoreError as exc:  # the app shows what is wrong; the detail belongs here
        _say("error: " + t(exc.message_key, "en", **exc.params))
        return
    if token:
        banner = "*" * 64
        print(f"\n{banner}\n  Liaison has no administrator yet. First-run setup token:\n\n"
              f"      {token}\n\n  Enter it on the setup page (首次使用), or run\n"
              f"  python manage.py create-admin instead.\n{banner}\n", flush=True)


def main() -> int:
    if not _check_cookie_key():
        return 2
    _print_setup_token()
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", "app.py", *sys.argv[1:]]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
