"""The script each visit runs (served by ``app.py``): page configuration, who may come in (in shared
mode, the login), and navigation over ``pages/``."""

import streamlit as st

from essdash.ui import session
from essdash.ui.cache import settle_memory
from essdash.ui.navigation import APP_TITLE, FAVICON, navigation

st.set_page_config(page_title=APP_TITLE, page_icon=FAVICON, layout="wide")
settle_memory()
session.admit()
navigation().run()
