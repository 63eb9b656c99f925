"""The Carte page's choice of the place to summarise and of the zoom, and its map's scale, without
Streamlit running."""

import re

from essdash.read import places
from essdash.read.filters import Filters
from essdash.render import maps
from essdash.ui import map_views

ROUBAIX = "59512"


def _clicked(level: str, code: str) -> dict:
    """What st_folium returns after a click on a shape of the map."""
    return {"last_active_drawing": {"type": "Feature", "properties": {"level": level, "code": code, "name": "x"}}}


def test_a_click_wins_over_the_filters():
    assert map_views.chosen_place(_clicked("commune", ROUBAIX), Filters(territory="lys")) == ("commune", ROUBAIX)
    assert map_views.chosen_place(_clicked("territory", "est"), Filters()) == ("territory", "est")


def test_without_a_click_the_commune_then_the_territory_of_the_filters():
    for nothing in (None, {}, {"last_active_drawing": None}, {"last_active_drawing": {"properties": None}}):
        assert map_views.chosen_place(nothing, Filters()) is None
        assert map_views.chosen_place(nothing, Filters(territory="roubaisien")) == ("territory", "roubaisien")
        both = Filters(territory="roubaisien", commune=ROUBAIX)
        assert map_views.chosen_place(nothing, both) == ("commune", ROUBAIX)


def test_a_clicked_shape_without_a_code_is_no_click():
    event = {"last_active_drawing": {"properties": {"level": "commune", "code": ""}}}
    assert map_views.chosen_place(event, Filters(territory="lys")) == ("territory", "lys")


def test_focus_zooms_on_the_commune_inside_its_territory():
    assert map_views.focus(Filters()) is None
    (south, west), (north, east) = map_views.focus(Filters(territory="roubaisien", commune=ROUBAIX))
    assert south < 50.69 < north and west < 3.18 < east  # Roubaix town hall: 50.690 N, 3.181 E
    (t_south, t_west), (t_north, t_east) = map_views.focus(Filters(territory="roubaisien"))
    assert t_south <= south and t_west <= west and t_north >= north and t_east >= east
    assert (t_north - t_south) * (t_east - t_west) > (north - south) * (east - west)


def test_the_map_scale_is_in_kilometres_only_and_away_from_the_legend(demo_engine):
    figures = places.place_figures(demo_engine, Filters(), "commune")
    page = maps.build_map(figures, "commune", next(iter(maps.MEASURES)), None).get_root().render()
    scales = re.findall(r"L\.control\.scale\(([^)]*)\)", page)
    assert scales == ['{metric: true, imperial: false, position: "bottomright"}']
    assert "bottom:18px; left:10px" in page  # the legend stays in the bottom-left corner


def test_a_click_goes_stale_when_the_place_filters_change():
    """The map keeps its frame, and so its last click, across a territory change: the click then
    gives way to the filtered place until another shape is clicked, even back on its first filters."""
    memory: dict = {}
    roubaix, lys, est = _clicked("commune", ROUBAIX), Filters(territory="lys"), Filters(territory="est")
    assert map_views.fresh_click(roubaix, lys, memory) == roubaix
    assert map_views.fresh_click(roubaix, lys, memory) == roubaix  # a rerun under the same filters
    assert map_views.fresh_click(roubaix, est, memory) is None
    assert map_views.chosen_place(map_views.fresh_click(roubaix, est, memory), est) == ("territory", "est")
    assert map_views.fresh_click(roubaix, lys, memory) is None
    lille = _clicked("commune", "59350")
    assert map_views.fresh_click(lille, lys, memory) == lille
