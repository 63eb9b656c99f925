"""What the Carte changes on its map in place, without making the map's frame again: the group of
the selection's project markers, and the view (centre and zoom) that shows the chosen place.

streamlit-folium keeps a map's frame while the map's own script is unchanged, and adds a feature
group, a centre and a zoom to it in place: the map itself (:func:`essdash.render.maps.build_map`)
holds only what does not depend on the place filters (the choropleth compares every place).
"""

from __future__ import annotations

import math

import folium
import pandas as pd

from essdash.render.maps import CENTER, ProjectMarkers

ZOOM = 10  # the metropolis, as the map opens
ZOOM_SNAP = 0.25  # the map's zoomSnap
ZOOM_RANGE = (8.0, 18.0)  # the map's minZoom, maxZoom
# The map's size assumed for the zoom: its height, and a width on the narrow side of the page's map
# column (a wider column shows a little more around the place, never less).
VIEW_SIZE = (700, 620)
TILE = 256  # pixels of the world at zoom 0


def marker_group(points: pd.DataFrame | None) -> folium.FeatureGroup | None:
    """The projects' clustered markers in a feature group, or None when there are none to show."""
    if points is None or points.empty:
        return None
    group = folium.FeatureGroup(name="Projets", control=False)
    ProjectMarkers(points).add_to(group)
    return group


def _mercator_y(lat: float) -> float:
    """Web Mercator's y of ``lat`` on a world of side 1 (0 at the top)."""
    sine = math.sin(math.radians(lat))
    return 0.5 - math.log((1 + sine) / (1 - sine)) / (4 * math.pi)


def view(focus: tuple | None, size: tuple[int, int] = VIEW_SIZE) -> tuple[list[float], float]:
    """``[lat, lon]`` centre and zoom that show ``focus`` (``((south, west), (north, east))``) whole
    in a map of ``size`` pixels, as Leaflet's fitBounds would (zoom snapped down to the map's
    steps); without focus, the metropolis as the map opens."""
    if not focus:
        return list(CENTER), float(ZOOM)
    (south, west), (north, east) = focus
    width = (east - west) / 360
    height = _mercator_y(south) - _mercator_y(north)
    scale = min(size[0] / (TILE * max(width, 1e-9)), size[1] / (TILE * max(height, 1e-9)))
    zoom = math.floor(math.log2(scale) / ZOOM_SNAP) * ZOOM_SNAP
    return [(south + north) / 2, (west + east) / 2], min(max(zoom, ZOOM_RANGE[0]), ZOOM_RANGE[1])
