"""Entry point: ``streamlit run app.py`` serves ``main.py``, the script each visit runs, once the
modules its pages need are loaded (:func:`essdash.ui.warm.ready`): the first visitor after a start
does not wait for pandas, SQLAlchemy and Altair to load."""

import streamlit as st

from essdash.ui.warm import ready

app = st.App("main.py", lifespan=ready)
