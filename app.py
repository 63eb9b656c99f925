"""Entry point: ``streamlit run app.py``. Page configuration and navigation over ``pages/``."""

import streamlit as st

st.set_page_config(page_title="ESS · Lille Métropole", page_icon="🤝", layout="wide")

navigation = st.navigation([
    st.Page("pages/synthese.py", title="Synthèse", icon=":material/dashboard:", url_path="synthese", default=True),
    st.Page("pages/projets.py", title="Projets", icon=":material/folder_open:", url_path="projets"),
])
navigation.run()
