"""What a page needs, behind one import (``from essdash.ui import frame as ui``): the page frame,
and the cached reads (:mod:`essdash.ui.cache`) and filters (:mod:`essdash.ui.filters`) it uses.

Every page calls :func:`page_frame` first, so that a page works on its own (also when a deep
link is the first request to a fresh server).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from essdash.domain import fmt
from essdash.read import queries
from essdash.read.filters import Filters
from essdash.read.plans import FICTIONAL
from essdash.store.reference import ATTRIBUTION
from essdash.ui import session
from essdash.ui.cache import chart, clear_reads, compute, engine, read
from essdash.ui.filters import (
    chosen,
    period_range,
    place_caption,
    project_filters,
    scope_caption,
    selection,
    url_params,
)
from essdash.ui.lazy import folded, tabs
from essdash.ui.navigation import APP_TITLE, FAVICON, sidebar_links

__all__ = [
    "PageContext",
    "chart",
    "chosen",
    "clear_reads",
    "compute",
    "engine",
    "folded",
    "page_frame",
    "period_range",
    "place_caption",
    "project_filters",
    "read",
    "scope_caption",
    "tabs",
]


@dataclass(frozen=True)
class PageContext:
    """What page_frame hands to a page: the engine, the URL's selection resolved once (place, reference
    day, plan: :func:`essdash.ui.filters.selection`), the dataset's description."""

    engine: Engine
    filters: Filters
    info: dict


# Streamlit's captions are its text colour at 60 % opacity (3,9:1 on white): opaque grey instead, for a
# 7:1 contrast (WCAG 2 AA asks 4,5:1), on every page.
READABLE_CSS = """
<style>
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * {color: #595959; opacity: 1;}
</style>
"""
PRESENTATION_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"] {display: none;}
[data-testid="stMainBlockContainer"] {max-width: 100%; padding: 1.5rem 3rem;}
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li {font-size: 1.55rem; line-height: 1.45;}
[data-testid="stMetricValue"] {font-size: 3.4rem;}
[data-testid="stMetricLabel"] p {font-size: 1.3rem;}
h1 {font-size: 3.2rem !important;} h2 {font-size: 2.4rem !important;}
</style>
"""


def page_frame(title: str, icon: str, *, presenting: bool = False) -> PageContext:
    """Page config, database check, navigation, sidebar filters (place, reference date, plan), the
    notice of a past reference date and the fictional-data and fictional-plan notices.

    ``presenting`` hides the sidebar, header and page title (full-width views, large type); the
    fictional-data notice then shrinks to one line. ``icon`` is the page's Material icon, the one its
    sidebar link shows (:data:`~essdash.ui.navigation.PAGES`); the browser tab shows the app's local
    favicon instead, since Streamlit would fetch a Material favicon from Google's CDN.
    """
    st.set_page_config(
        page_title=f"{title} · {APP_TITLE}",
        page_icon=FAVICON,
        layout="wide",
        initial_sidebar_state="collapsed" if presenting else "auto",
    )
    session.admit()  # again here: a deep link may run a page without app.py (Streamlit's legacy pages/ mode)
    st.markdown(READABLE_CSS, unsafe_allow_html=True)
    eng = engine()
    info = read(queries.dataset_info)
    if presenting:
        filters, shown, _ = selection(widgets=False)
        st.markdown(PRESENTATION_CSS, unsafe_allow_html=True)
        if info.get("dataset") == "demo":
            st.caption("Données de démonstration fictives.")
        if shown is not None and shown.fictional:
            st.caption(f"{fmt.md_escape(shown.code)} : {FICTIONAL}.")
        return PageContext(eng, filters, info)
    nav = st.sidebar.container()
    filters, shown, known = selection()
    sidebar_links(nav, url_params(filters))
    session.sidebar()
    with st.sidebar:
        st.caption(f"Données au {fmt.day(pd.Timestamp(info.get('as_of')).date())}" if info.get("as_of") else "")
        st.caption(ATTRIBUTION)
    st.title(title)
    if filters.history_day:
        st.warning(
            f"**Situation au {fmt.short_day(filters.history_day)}** — ce n'est pas la dernière date des données "
            f"({fmt.short_day(known.latest)}) : projets, étapes, montants et fiches tels qu'ils "
            "étaient ce jour-là.",
            icon=":material/history:",
        )
    if shown is not None and shown.fictional:
        st.warning(
            f"**Plan fictif de démonstration : {fmt.md_escape(shown.code)}.** Ce plan n'existe pas ; ses axes, "
            "fiches et actions sont inventés pour la démonstration. Le seul plan réel est celui de 2011-2014.",
            icon=":material/science:",
        )
    if info.get("dataset") == "demo":
        st.info(
            "**Données de démonstration fictives.** Porteurs, projets, montants et indicateurs sont "
            "inventés ; seuls la géographie (95 communes, 8 territoires) et le plan d'actions 2011-2014 "
            "sont réels.",
            icon=":material/science:",
        )
    return PageContext(eng, filters, info)
