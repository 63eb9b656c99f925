"""The static choropleth: the same classes and colours as the interactive map, drawn as an altair
geoshape where an interactive map cannot go (exports, the meeting pack, the presentation): no tiles,
no network, exportable to SVG and PNG."""

from __future__ import annotations

import itertools

import altair as alt
import pandas as pd

from essdash.render.charts import FRENCH_LOCALE
from essdash.render.maps import MEASURES, NON_MEMBER_LABEL, class_breaks, classify, legend_items, place_features


def _ring_area(ring) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring)) / 2


def _d3_winding(geometry: dict) -> dict:
    """A copy of a (Multi)Polygon wound as d3-geo, hence Vega, expects: exterior rings clockwise.

    The reference files follow RFC 7946 (exterior rings anticlockwise), which d3 reads as "the
    whole globe but this polygon": the static map would draw as a blank box."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    rewound = [
        [ring[::-1] if (_ring_area(ring) > 0) == (i == 0) else ring for i, ring in enumerate(polygon)]
        for polygon in polygons
    ]
    return {"type": geometry["type"], "coordinates": rewound[0] if geometry["type"] == "Polygon" else rewound}


def static_choropleth(
    figures: pd.DataFrame, level: str, measure: str, *, title: str | None = None, width: int = 560, height: int = 520
) -> alt.Chart:
    """The same choropleth as an altair geoshape: no tiles, no network, exportable to SVG/PNG."""
    breaks = class_breaks(figures.loc[figures["member"], measure])
    items = legend_items(breaks, measure, with_non_members=not figures["member"].all())
    labels, colours = [label for _, label in items], [colour for colour, _ in items]
    class_labels = [label for _, label in legend_items(breaks, measure)]
    features = place_features(figures, level, measure, escape=False)
    for feature in features:
        feature["geometry"] = _d3_winding(feature["geometry"])
        props = feature["properties"]
        props["class"] = NON_MEMBER_LABEL if not props["member"] else class_labels[classify(props["value"], breaks) + 1]
    chart = (
        alt.Chart(alt.Data(values=features))
        .mark_geoshape(stroke="#555555", strokeWidth=0.5)
        .encode(
            color=alt.Color(
                "properties.class:N",
                title=MEASURES[measure].label,
                scale=alt.Scale(domain=labels, range=colours),
                legend=alt.Legend(orient="right", labelLimit=0, titleLimit=0),  # 0: labels never cut
            ),
            tooltip=[alt.Tooltip("properties.name:N", title="Lieu"), alt.Tooltip("properties.label:N", title="Valeur")],
        )
        .project("mercator")
        .properties(width=width, height=height, title=title or MEASURES[measure].label)
    )
    return chart.configure(locale=FRENCH_LOCALE).configure_view(stroke=None)
