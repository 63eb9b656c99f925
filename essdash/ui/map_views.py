"""The Carte page's views: its controls, the map with the chosen place's summary beside it (clicked
or filtered), where the map zooms, the notes on projects placed by their commune's centre, and the
static map.

The map's own script holds only the choropleth, which compares every place whatever the place
filters: a change of territory or commune keeps the map's frame and only moves its view and swaps
its group of markers (:mod:`essdash.render.map_layers`)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from essdash.domain import fmt
from essdash.read import places
from essdash.read.filters import Filters
from essdash.render import map_layers, maps, static_map
from essdash.store.reference import ATTRIBUTION, bounds
from essdash.ui import records
from essdash.ui.frame import chart, period_range, project_filters, read, scope_caption


def level_and_measure(left, right, levels: tuple[str, str], *, prefix: str) -> tuple[str, str]:
    """The choropleth's level (``levels``, the first by default) in ``left`` and its measure in
    ``right``, under the widget keys ``{prefix}_level`` and ``{prefix}_measure``."""
    level = left.radio(
        "Niveau",
        list(levels),
        key=f"{prefix}_level",
        horizontal=True,
        format_func={"commune": "Communes", "territory": "Territoires"}.get,
    )
    measure = right.selectbox(
        "Mesure",
        list(maps.MEASURES),
        key=f"{prefix}_measure",
        format_func=lambda k: maps.MEASURES[k].label,
        placeholder=fmt.CHOOSE,
    )
    return level, measure


def place_map(base: Filters) -> None:
    """The Carte page under its frame: level, measure, background and markers, the period and the
    projects' filters; the map with the chosen place's summary; the placement notes; the static map."""
    c1, c2, c3, c4 = st.columns([1.2, 2, 1, 1])
    level, measure = level_and_measure(c1, c2, ("commune", "territory"), prefix="m")
    tiles = c3.toggle(
        "Fond de carte", value=True, key="m_tiles", help="Sans fond de carte : contours seuls, sans réseau."
    )
    markers = c4.toggle("Projets", value=True, key="m_markers")
    period_from, period_to = period_range()
    with st.expander("Filtres des projets"):
        filters = project_filters(base.with_(period_from=period_from, period_to=period_to), search=False)

    figures = read(places.place_figures, everywhere(filters), level)
    points = read(places.project_points, filters) if markers else None
    _map_and_summary(figures, points, filters, level, measure, tiles)
    if points is not None:
        placement_notes(points)
    if st.toggle("Carte statique (sans réseau, pour les exports)", key="m_static"):
        chart(static_map.static_choropleth, figures, level, measure, width="content")


def _map_and_summary(
    figures: pd.DataFrame, points: pd.DataFrame | None, filters: Filters, level: str, measure: str, tiles: bool
) -> None:
    """The map, and beside it the summary of the place clicked on it (else the filtered place)."""
    # Imported within the page's run, never at the server's start: a custom component is registered
    # (then served) only when it is declared during a script run (see essdash.ui.warm.COMPONENTS).
    from streamlit_folium import st_folium

    center, zoom = map_layers.view(focus(filters))
    map_col, side_col = st.columns([3, 1])
    with map_col:
        event = st_folium(
            maps.build_map(figures, level, measure, tiles=tiles),
            key="carte",
            height=620,
            use_container_width=True,
            returned_objects=["last_active_drawing"],
            feature_group_to_add=map_layers.marker_group(points),
            center=center,
            zoom=zoom,
            # a map built afresh: st_folium renders it once in any case; render=True renders it twice
            render=False,
        )
        st.caption(
            f"Couleurs : toutes les {'communes' if level == 'commune' else 'territoires'} de la métropole, "
            f"pour comparer ; points : les projets de la sélection ({scope_caption(filters)}). "
            f"{ATTRIBUTION}"
        )
    place = chosen_place(fresh_click(event, filters, st.session_state.setdefault("m_click", {})), filters)
    with side_col:
        records.place_summary(
            places.place_summary(read(places.place_figures, everywhere(filters), place[0]), place[1]) if place else None
        )


def everywhere(filters: Filters) -> Filters:
    """The filters of the places' figures: the same without place, which they ignore (the map compares
    every place), so that one cached read serves every territory and commune."""
    return filters.with_(territory=None, commune=None)


def focus(filters: Filters):
    """The bounds the map zooms to: the filtered commune, else the filtered territory, else None (the metropolis)."""
    if filters.commune:
        return bounds("commune", filters.commune)
    if filters.territory:
        return bounds("territory", filters.territory)
    return None


STALE = ("périmé",)  # the place filters of a click that a later change of them made stale


def fresh_click(event: dict | None, filters: Filters, memory: dict) -> dict | None:
    """``event`` while its click was made under the current place filters, else None.

    The map keeps its frame when the territory or commune changes, so it keeps returning the shape
    last clicked: once the place filters change, the filtered place's summary is shown instead, until
    another shape is clicked. ``memory`` (the session's) keeps the last click and its place filters.
    """
    clicked = ((event or {}).get("last_active_drawing") or {}).get("properties") or {}
    click, place = (clicked.get("level"), clicked.get("code")), (filters.territory, filters.commune)
    if click != memory.get("click"):
        memory.update(click=click, place=place)
    elif memory.get("place") != place:
        memory["place"] = STALE
    return event if memory["place"] == place else None


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
