"""The one place that settles which meaning our ``pages/`` folder has.

Our ``pages/`` folder holds the screens that ``st.navigation`` in app.py lists for the
signed-in role (``services.screens``). Streamlit also knows an older meaning of a
``pages/`` folder: a request for ``/members`` in a new session would run
``pages/members.py`` by itself, skipping app.py and its sign-in check (the page then
refuses, but with an English error and a list of files). Streamlit settles which meaning
applies once per process, before app.py first runs: ``serve.py`` calls this before the
server starts, and app.py calls it on every run so that a bare ``streamlit run app.py``
is right from its first run on.
"""

from streamlit.runtime.pages_manager import PagesManager


def navigation_only() -> None:
    PagesManager.uses_pages_directory = False
