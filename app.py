"""Entry point: ``streamlit run app.py``. Page configuration and navigation over ``pages/``."""

import streamlit as st

from essdash.ui.navigation import APP_TITLE, FAVICON, navigation

st.set_page_config(page_title=APP_TITLE, page_icon=FAVICON, layout="wide")
navigation().run()
