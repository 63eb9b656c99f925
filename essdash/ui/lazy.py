"""Tabs and expanders whose content runs only when shown (Streamlit's lazy tabs and expanders): a
page then costs, on the server and in the browser, the tab it shows and not all of them."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import streamlit as st


def tabs(views: Mapping[str, Callable[[], object]], key: str) -> None:
    """One tab per label; the open tab's view is drawn in it, the others' views do not run. The open
    tab's label is ``st.session_state[key]``; the first tab is open when the page is opened."""
    for view, tab in zip(views.values(), st.tabs(list(views), key=key, on_change="rerun"), strict=True):
        if tab.open:
            with tab:
                view()


def folded(label: str, key: str, view: Callable[[], object]) -> None:
    """An expander, folded when the page is opened, whose view runs only while it is unfolded
    (``st.session_state[key]`` is True)."""
    box = st.expander(label, key=key, on_change="rerun")
    if box.open:
        with box:
            view()
