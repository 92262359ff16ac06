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
- Production settings for server time (``.streamlit/config.toml``): no source watching,
  no full garbage collection after each page run. Instead the app's modules are loaded
  once and frozen out of the collector's sight, and the collector runs less often
  (``tune_garbage_collector``). ``--dev`` brings back reloading on save for development.

Streamlit's older meaning of our ``pages/`` folder is switched off before the server
starts (``ui.navigation.navigation_only`` says why).
"""

import gc
import importlib
import pkgutil
import sys

from streamlit.web import cli

from core.config import configured_cookie_key
from core.db import StoreError
from core.i18n import LANGUAGES, catalog, describe, t
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


DEV_OPTIONS = ["--server.fileWatcherType", "auto", "--server.runOnSave", "true"]
# Not ui/: its modules call streamlit when imported, which wants the running server.
APP_PACKAGES = ("core", "models", "services")
# The youngest generation is collected after this many net allocations (Python's default
# is 700: with a page run allocating tens of thousands of objects, that is dozens of
# collections per run). Older generations keep their default ratios, so garbage with
# cycles is still collected and memory stays bounded (docs/performance.md).
GC_THRESHOLD_YOUNGEST = 20_000


def tune_garbage_collector() -> None:
    """Load the app's modules (and so pandas, SQLAlchemy, Faker, Babel …) now, collect
    once, then freeze what is alive: the modules, classes and catalogs of a long-running
    server are never garbage, and a frozen object is not traversed again by any later
    collection."""
    for package_name in APP_PACKAGES:
        package = importlib.import_module(package_name)
        for module in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            importlib.import_module(module.name)
    for language in LANGUAGES:
        catalog(language)  # read once, kept for the life of the process
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD_YOUNGEST, middle, oldest)


def streamlit_arguments(options: list[str]) -> list[str]:
    """``streamlit run app.py`` with the given options; ``--dev`` means reload on save."""
    if "--dev" in options:
        options = [*DEV_OPTIONS, *(option for option in options if option != "--dev")]
    return ["streamlit", "run", "app.py", *options]


def main() -> int:
    if not check_cookie_key():
        return 2
    print_setup_token()
    navigation_only()
    tune_garbage_collector()
    sys.argv = streamlit_arguments(sys.argv[1:])
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
