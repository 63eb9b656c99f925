"""Entry point: ``streamlit run app.py``.

Imported by the server at its start (no visit yet), this file is the ASGI app (``st.App``) that
serves itself, once the modules of the pages are loaded (:func:`essdash.ui.warm.ready`): the first
visitor after a start does not wait for pandas, SQLAlchemy and Altair; after login, its middleware
(:mod:`essdash.ui.landing`) sends the person to the page they opened. Run for a visit, it is the
page configuration, who may come in (in shared mode, the login; an anonymous visitor gets the public
pages only) and the navigation over ``pages/``.
"""

import streamlit as st

from essdash.ui.landing import middleware
from essdash.ui.warm import ready, serving

if serving():
    app = st.App(__file__, lifespan=ready, middleware=middleware())
else:
    from essdash.ui import session
    from essdash.ui.cache import settle_memory
    from essdash.ui.navigation import APP_TITLE, FAVICON, navigation, public_navigation

    st.set_page_config(page_title=APP_TITLE, page_icon=FAVICON, layout="wide")
    settle_memory()
    (navigation() if session.admit(public=True) else public_navigation()).run()
