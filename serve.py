"""Start Liaison's server: ``python serve.py [streamlit options]`` (scripts/start uses it).

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


def main() -> int:
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", "app.py", *sys.argv[1:]]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
