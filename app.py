"""Entry point: ``streamlit run app.py``. Page configuration and navigation over ``pages/``."""

import streamlit as st

from essdash.ui.frame import APP_TITLE, PAGES

st.set_page_config(page_title=APP_TITLE, page_icon=":material/diversity_3:", layout="wide")

navigation = st.navigation(
    [
        st.Page(script, title=title, icon=icon, url_path=path, default=i == 0)
        for i, (script, title, icon, path) in enumerate(PAGES)
    ],
    position="hidden",
)
navigation.run()
