"""What the Carte changes on its map in place: the markers' group and the view of a place."""

import pytest

from essdash.read import places
from essdash.read.filters import Filters
from essdash.render import map_layers, maps


def test_without_a_place_the_view_is_the_metropolis_as_the_map_opens():
    assert map_layers.view(None) == ([50.63, 3.06], 10.0)


def test_the_zoom_fits_the_wider_side_snapped_down():
    # 0.1° of longitude on a 700 px wide map: 700 / (256 × 0.1 / 360) = 9 843.75 px per world,
    # log2 = 13.27 → 13.25 in steps of 0.25. Its latitude span is tiny: the width decides.
    centre, zoom = map_layers.view(((50.60, 3.00), (50.6001, 3.10)))
    assert zoom == 13.25
    assert centre == pytest.approx([50.60005, 3.05])
    # A tall box: 0.2° of latitude at 50.6° N is 0.2 / cos(50.6°) ≈ 0.3147° of Mercator height, so
    # 620 / (256 × 0.3147 / 360) = 2 770 px per world, log2 = 11.44 → 11.25.
    assert map_layers.view(((50.50, 3.0), (50.70, 3.0001)))[1] == 11.25


def test_the_zoom_stays_within_the_maps_range():
    assert map_layers.view(((50.6, 3.0), (50.600001, 3.000001)))[1] == 18.0
    assert map_layers.view(((40.0, -10.0), (60.0, 20.0)))[1] == 8.0


def test_the_group_holds_the_clustered_markers_or_is_none(demo_engine):
    assert map_layers.marker_group(None) is None
    points = places.project_points(demo_engine, Filters(territory="lys"))
    assert map_layers.marker_group(points.iloc[0:0]) is None
    group = map_layers.marker_group(points)
    (markers,) = group._children.values()
    assert isinstance(markers, maps.ProjectMarkers)
    assert markers.data["id"] == points["id"].tolist()


def test_the_base_map_loads_the_cluster_plugin_without_markers(demo_engine):
    figures = places.place_figures(demo_engine, Filters(), "commune")
    fmap = maps.build_map(figures, "commune", "projects", tiles=False)
    assert [url for _, url in fmap.default_js] == [
        "/app/static/leaflet/leaflet.js",
        "/app/static/leaflet.markercluster/leaflet.markercluster.js",
    ]
    assert not any(isinstance(child, maps.ProjectMarkers) for child in fmap._children.values())
