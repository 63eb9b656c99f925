"""Map builders and place figures: values per feature, classes, legend, escaping, placement."""

import json
from datetime import date, datetime

import folium
import pytest
from sqlalchemy import insert

from essdash.domain import fmt
from essdash.domain import models as m
from essdash.read import places, queries
from essdash.read.filters import Filters
from essdash.render import maps, static_map

PLAN = Filters(period_from="2011-S1", period_to="2014-S2")


def _geojson(fmap: folium.Map) -> folium.GeoJson:
    return next(child for child in fmap._children.values() if isinstance(child, folium.GeoJson))


def test_class_breaks_and_classes():
    breaks = maps.class_breaks([0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    assert breaks[-1] == 10 and breaks == sorted(breaks) and len(breaks) == 5
    assert maps.classify(0, breaks) == -1
    assert maps.classify(float("nan"), breaks) == -1
    assert maps.classify(10, breaks) == len(breaks) - 1
    assert maps.classify(breaks[0], breaks) == 0
    assert maps.class_breaks([0, 0]) == []
    assert maps.class_breaks([3, 3, 3]) == [3.0]


def test_legend_is_french_with_breaks():
    items = maps.legend_items([1.5, 12.26], "projects_per_10k", with_non_members=True)
    labels = [label for _, label in items]
    assert labels == ["0 (aucun)", "plus de 0 à 1,5", "plus de 1,5 à 12,3", maps.NON_MEMBER_LABEL]
    assert items[0][0] == maps.ZERO_COLOUR and items[-1][0] == maps.NON_MEMBER_COLOUR
    assert maps.legend_items([1000, 25000], "money")[2][1] == f"plus de 1{fmt.NNBSP}000 à 25{fmt.NNBSP}000"


def test_place_figures_match_key_figures_and_membership(demo_engine):
    communes = places.place_figures(demo_engine, PLAN, "commune")
    figures = queries.key_figures(demo_engine, PLAN)
    assert len(communes) == 95
    assert communes["projects"].sum() == figures["projects"]
    assert communes["money"].sum() == pytest.approx(figures["money"])
    non_members = communes[~communes["member"]]
    assert len(non_members) == 10 and (non_members["population"] == 0).all()
    assert communes["projects_per_10k"][~communes["member"]].isna().all()
    roubaix = communes.set_index("code").loc["59512"]
    assert roubaix["projects_per_10k"] == pytest.approx(roubaix["projects"] / roubaix["population"] * 10_000)
    territories = places.place_figures(demo_engine, PLAN, "territory")
    assert len(territories) == 8
    reference = queries.commune_options(demo_engine).set_index("insee_code")["population"]
    expected_population = 1_195_234 - reference.loc[non_members["code"]].sum()
    assert territories["population"].sum() == communes["population"].sum() == expected_population
    assert territories["projects"].sum() == figures["projects"]
    # With the period running to 2020, every commune is a member.
    assert places.place_figures(demo_engine, PLAN.with_(period_to="2020-S2"), "commune")["member"].all()


@pytest.mark.parametrize("level, count", [("commune", 95), ("territory", 8)])
def test_map_features_carry_the_query_values(demo_engine, level, count):
    figures = places.place_figures(demo_engine, PLAN, level)
    fmap = maps.build_map(figures, level, "projects_per_10k", tiles=False)
    features = _geojson(fmap).data["features"]
    assert len(features) == count
    by_code = figures.set_index("code")
    for feature in features:
        props = feature["properties"]
        row = by_code.loc[props["code"]]
        if row["member"]:
            assert props["value"] == pytest.approx(row["projects_per_10k"])
            assert props["label"] == maps.value_label(row["projects_per_10k"], "projects_per_10k")
        else:
            assert props["value"] is None and props["label"] == maps.NON_MEMBER_LABEL
    html = fmap.get_root().render()
    assert "tile.openstreetmap.org" not in html
    assert "Projets pour 10 000 habitants" in html


def test_colours_follow_classes(demo_engine):
    figures = places.place_figures(demo_engine, PLAN, "commune")
    breaks = maps.class_breaks(figures.loc[figures["member"], "projects"])
    colours = maps.fill_colours(figures, "projects", breaks)
    for row in figures.itertuples():
        if not row.member:
            assert colours[row.code] == maps.NON_MEMBER_COLOUR
        elif row.projects == 0:
            assert colours[row.code] == maps.ZERO_COLOUR
        else:
            assert colours[row.code] == maps.class_colours(breaks)[maps.classify(row.projects, breaks)]
    assert sum(c == maps.ZERO_COLOUR for c in colours.values()) >= 10  # white spots exist


def test_tiles_and_focus(demo_engine):
    figures = places.place_figures(demo_engine, PLAN, "territory")
    fmap = maps.build_map(figures, "territory", "money", tiles=True, focus=((50.6, 2.9), (50.7, 3.1)))
    html = fmap.get_root().render()
    assert "tile.openstreetmap.org" in html and "openstreetmap.org/copyright" in html
    assert "fitBounds" in html and "50.6" in html


@pytest.fixture
def hostile(empty_engine):
    """Projects with hostile text, one without coordinates and one outside the metropolis."""
    with empty_engine.begin() as conn:
        conn.execute(
            insert(m.Organisation).values(
                id=1, name="</script><script>alert('porteur')</script>", legal_form="association"
            )
        )
        base = {
            "carrier_id": 1,
            "commune_code": "59512",
            "intervention_mode": "convention_objectifs",
            "sector": "insertion",
            "status": "en_cours",
            "proposed_on": date(2012, 1, 1),
            "updated_at": datetime(2012, 1, 1),
            "description": "",
            "priority_district": False,
        }
        conn.execute(
            insert(m.Project),
            [
                {**base, "id": 1, "title": "<img src=x onerror=alert(1)>", "lat": 50.69, "lon": 3.18},
                {**base, "id": 2, "title": "Sans coordonnées & co", "lat": None, "lon": None},
                {**base, "id": 3, "title": "Inversé", "lat": 3.18, "lon": 50.69},
            ],
        )
    return empty_engine


def test_points_placement(hostile):
    points = places.project_points(hostile, Filters()).set_index("id")
    assert points.loc[1, "placed"] == "exact" and points.loc[1, "lat"] == 50.69
    assert points.loc[2, "placed"] == "commune" and points.loc[2, "lat"] == pytest.approx(50.68, abs=0.02)
    assert points.loc[3, "placed"] == "outside" and points.loc[3, "lat"] == points.loc[2, "lat"]


def test_user_text_is_escaped_before_it_enters_the_map(hostile):
    points = places.project_points(hostile, Filters())
    figures = places.place_figures(hostile, Filters(), "commune")
    fmap = maps.build_map(figures, "commune", "projects", points, tiles=False)
    html = fmap.get_root().render()
    assert "<img src=x" not in html
    assert "<script>alert('porteur')" not in html
    payload = maps.project_payload(points)
    assert "&lt;img src=x onerror=alert(1)&gt;" in payload["titles"]
    assert "&lt;/script&gt;&lt;script&gt;alert(&#x27;porteur&#x27;)&lt;/script&gt;" in payload["carriers"]
    assert "Sans coordonnées &amp; co" in payload["titles"]
    assert payload["placed"] == "012"
    assert payload["lat"][0] == round((50.69 - maps.ORIGIN[0]) * 1e4)
    markers = next(c for c in fmap._children.values() if isinstance(c, maps.ProjectMarkers))
    assert markers.data["id"] == [1, 2, 3]
    assert "&" not in markers.payload and "<" not in markers.payload


def test_static_choropleth_spec(demo_engine):
    figures = places.place_figures(demo_engine, PLAN, "commune")
    spec = static_map.static_choropleth(figures, "commune", "jobs_per_10k").to_dict()
    assert spec["mark"]["type"] == "geoshape"
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    values = spec["data"]["values"] if "values" in spec["data"] else next(iter(spec["datasets"].values()))
    assert len(values) == 95
    scale = spec["encoding"]["color"]["scale"]
    assert scale["domain"][0] == "0 (aucun)" and scale["domain"][-1] == maps.NON_MEMBER_LABEL
    assert {v["properties"]["class"] for v in values} <= set(scale["domain"])
    assert "http" not in json.dumps(spec["data"])


def test_place_summary_against_the_metropolitan_average(demo_engine):
    figures = places.place_figures(demo_engine, PLAN, "territory")
    summary = places.place_summary(figures, "weppes")
    assert summary["name"] == "Territoire des Weppes"
    total_projects, total_population = figures["projects"].sum(), figures["population"].sum()
    assert summary["metro"]["projects_per_10k"] == pytest.approx(total_projects / total_population * 10_000)
    assert summary["metro"]["money_per_inhabitant"] == pytest.approx(figures["money"].sum() / total_population)
    assert summary["projects_per_10k"] == pytest.approx(summary["projects"] / summary["population"] * 10_000)
    assert places.place_summary(figures, "atlantide") is None
