"""Liaison's entrypoint: page config, language, the page list and the store check."""

import streamlit as st

from ui.components import store_gate
from ui.i18n import language_picker, tr

st.set_page_config(page_title="Liaison", page_icon=":material/handshake:", layout="wide")
language_picker()

# st.navigation comes before the store check: a run that stops without it falls back to
# Streamlit's pages/-folder navigation and would list every file there.
navigation = st.navigation(
    [
        st.Page("pages/home.py", title=tr("nav.home"), icon=":material/home:", default=True),
    ]
)
st.sidebar.caption(tr("app.tagline"))
store_gate()
navigation.run()
