"""Placeholder: being built (issue 11)."""

import streamlit as st

from ui.i18n import tr
from ui.page import open_page

page = open_page()
st.title(tr("nav.activity_entry"))
