"""Liaison's entrypoint: page config, language, the store check and the page list."""

import streamlit as st

from ui.components import store_gate
from ui.i18n import language_picker, tr

st.set_page_config(page_title="Liaison", page_icon=":material/handshake:", layout="wide")
language_picker()
store_gate()

navigation = st.navigation(
    [
        st.Page("pages/home.py", title=tr("nav.home"), icon=":material/home:", default=True),
    ]
)
st.sidebar.caption(tr("app.tagline"))
navigation.run()
