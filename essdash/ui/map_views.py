"""The Carte page's pieces: which place the map shows (clicked or filtered), where it zooms, and the
notes on projects placed by their commune's centre."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from essdash.domain import fmt
from essdash.read.filters import Filters
from essdash.store.reference import bounds


def focus(filters: Filters):
    """The bounds the map zooms to: the filtered commune, else the filtered territory, else None (the metropolis)."""
    if filters.commune:
        return bounds("commune", filters.commune)
    if filters.territory:
        return bounds("territory", filters.territory)
    return None


def chosen_place(event: dict | None, filters: Filters) -> tuple[str, str] | None:
    """The place whose summary the page shows, as (level, code): the shape last clicked on the map
    (``event`` is what ``st_folium`` returns, its ``last_active_drawing`` a GeoJSON feature whose
    properties carry ``level`` and ``code``), else the filtered commune, else the filtered territory, else None."""
    clicked = ((event or {}).get("last_active_drawing") or {}).get("properties") or {}
    if clicked.get("code"):
        return clicked["level"], clicked["code"]
    if filters.commune:
        return "commune", filters.commune
    if filters.territory:
        return "territory", filters.territory
    return None


def placement_notes(points: pd.DataFrame) -> None:
    """How many projects sit at their commune's centre: without coordinates, or (a warning, with links
    to fix them) with coordinates outside the metropolis."""
    outside = points[points["placed"] == "outside"]
    fallback = int((points["placed"] == "commune").sum())
    if fallback:
        st.caption(f"{fmt.plural(fallback, 'projet')} sans coordonnées, placé(s) au centre de leur commune.")
    if not outside.empty:
        st.warning(
            f"{fmt.plural(len(outside), 'projet')} avec des coordonnées hors de la métropole, à corriger "
            "(placés au centre de leur commune) : "
            + " · ".join(f"[n° {r.id} {fmt.md_escape(r.title)}](/projets?projet={r.id})" for r in outside.itertuples())
        )
