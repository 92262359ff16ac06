"""Placeholder until this screen is built (issue 12)."""

import streamlit as st

from ui.i18n import tr

st.title(tr("nav.compliance"), anchor=False)
