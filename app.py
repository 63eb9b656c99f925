"""Entry point: ``streamlit run app.py``. Page configuration and navigation over ``pages/``."""

import streamlit as st

from essdash.ui.navigation import APP_ICON, APP_TITLE, navigation

st.set_page_config(page_title=APP_TITLE, page_icon=APP_ICON, layout="wide")
navigation().run()
