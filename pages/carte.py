"""Carte: choropleths of projects, money and jobs per inhabitant, with the projects' markers."""

import streamlit as st
from streamlit_folium import st_folium

from essdash.domain import fmt
from essdash.read import places
from essdash.render import maps, static_map
from essdash.store.reference import ATTRIBUTION
from essdash.ui import frame as ui
from essdash.ui import map_views
from essdash.ui import records as ui_records

ctx = ui.page_frame("Carte", ":material/map:")

c1, c2, c3, c4 = st.columns([1.2, 2, 1, 1])
level = c1.radio(
    "Niveau",
    ["commune", "territory"],
    key="m_level",
    horizontal=True,
    format_func={"commune": "Communes", "territory": "Territoires"}.get,
)
measure = c2.selectbox(
    "Mesure", list(maps.MEASURES), key="m_measure", format_func=lambda k: maps.MEASURES[k].label, placeholder=fmt.CHOOSE
)
tiles = c3.toggle("Fond de carte", value=True, key="m_tiles", help="Sans fond de carte : contours seuls, sans réseau.")
markers = c4.toggle("Projets", value=True, key="m_markers")
period_from, period_to = ui.period_range()
with st.expander("Filtres des projets"):
    filters = ui.project_filters(ctx.filters.with_(period_from=period_from, period_to=period_to), search=False)

figures = ui.read(places.place_figures, filters, level)
points = ui.read(places.project_points, filters) if markers else None
fmap = maps.build_map(figures, level, measure, points, tiles=tiles, focus=map_views.focus(filters))

map_col, side_col = st.columns([3, 1])
with map_col:
    event = st_folium(fmap, key="carte", height=620, use_container_width=True, returned_objects=["last_active_drawing"])
    st.caption(
        f"Couleurs : toutes les {'communes' if level == 'commune' else 'territoires'} de la métropole, "
        f"pour comparer ; points : les projets de la sélection ({ui.scope_caption(filters)}). "
        f"{ATTRIBUTION}"
    )
place = map_views.chosen_place(event, filters)
with side_col:
    ui_records.place_summary(
        places.place_summary(ui.read(places.place_figures, filters, place[0]), place[1]) if place else None
    )

if points is not None:
    map_views.placement_notes(points)

if st.toggle("Carte statique (sans réseau, pour les exports)", key="m_static"):
    ui.chart(static_map.static_choropleth, figures, level, measure, width="content")
