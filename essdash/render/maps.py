"""Map builders: the interactive folium map (choropleth and project markers), with the classes,
colours and legend that the static map (:mod:`essdash.render.static_map`) shares.

Everything user-written that reaches the map (titles, carriers) is HTML-escaped here, on the
server, before it enters the map's HTML or its marker data. Colours are ColorBrewer's YlGnBu,
readable by colour-blind users; places with nothing get white, and communes that were not yet
members in the period are drawn grey with a dashed outline and left out of the figures.

The map's scripts and styles (Leaflet, the marker-cluster plugin) come from the app's own
``static/`` folder (Streamlit's static serving, at :data:`STATIC_URL`), never from a CDN, so the map
draws without network; only the base tiles need it. folium's other defaults (jQuery, Bootstrap,
awesome-markers and their fonts) are not loaded: nothing on this map uses them.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass

import folium
import numpy as np
import pandas as pd
from branca.element import Figure
from folium.elements import CssLink, Element, JavascriptLink, JSCSSMixin
from jinja2 import Template

from essdash.domain import fields, fmt
from essdash.store.reference import boundaries


@dataclass(frozen=True)
class Measure:
    label: str
    unit: str
    decimals: int


_JOBS = fields.PROJECTS.label("jobs_created")
MEASURES = {
    "projects_per_10k": Measure("Projets pour 10 000 habitants", "projets pour 10 000 hab.", 1),
    "money_per_inhabitant": Measure("Montant engagé par habitant", "€ par habitant", 2),
    "jobs_per_10k": Measure(f"{_JOBS} pour 10 000 habitants", f"{_JOBS.lower()} pour 10 000 hab.", 1),
    "projects": Measure("Nombre de projets", "projets", 0),
    "money": Measure("Montant engagé", "€", 0),
    "jobs_created": Measure(_JOBS, _JOBS.lower(), 0),
}
CLASS_COLOURS = ["#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"]
ZERO_COLOUR = "#ffffff"
NON_MEMBER_COLOUR = "#9e9e9e"
NON_MEMBER_LABEL = "Pas encore membre sur la période"
CENTER = (50.63, 3.06)
TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
STATIC_URL = "/app/static"  # static/ beside app.py, served by Streamlit (server.enableStaticServing)
LEAFLET_JS = [("leaflet", f"{STATIC_URL}/leaflet/leaflet.js")]
LEAFLET_CSS = [("leaflet_css", f"{STATIC_URL}/leaflet/leaflet.css")]
TILES_ATTRIBUTION = '© les contributeurs d\'<a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'


def _nice(value: float) -> float:
    """Round a class break to two significant digits."""
    if value <= 0:
        return 0.0
    digits = 1 - math.floor(math.log10(value))
    return round(value, digits)


def class_breaks(values, k: int = len(CLASS_COLOURS)) -> list[float]:
    """Upper bounds of up to ``k`` quantile classes of the positive values, ascending.

    Zero is a class of its own (« aucun »), so that the places the plan does not reach stand out.
    """
    array = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), dtype=float)
    positive = array[np.isfinite(array) & (array > 0)]
    if positive.size == 0:
        return []
    quantiles = np.quantile(positive, [i / k for i in range(1, k + 1)])
    breaks = sorted({_nice(q) for q in quantiles[:-1]} | {float(positive.max())})
    return [b for b in breaks if b > 0]


def classify(value, breaks: list[float]) -> int:
    """Class index of ``value``: -1 for zero or missing, else the first break it does not exceed."""
    if value is None or not np.isfinite(value) or value <= 0 or not breaks:
        return -1
    return next((i for i, upper in enumerate(breaks) if value <= upper), len(breaks) - 1)


def class_colours(breaks: list[float]) -> list[str]:
    """One colour per class, spread over the palette when there are fewer classes than colours."""
    n = len(breaks)
    if n == 0:
        return []
    picks = np.linspace(0, len(CLASS_COLOURS) - 1, n).round().astype(int) if n > 1 else [len(CLASS_COLOURS) - 1]
    return [CLASS_COLOURS[i] for i in picks]


def legend_items(breaks: list[float], measure: str, *, with_non_members: bool = False) -> list[tuple[str, str]]:
    """``(colour, French label)`` for each class, from « aucun » to the highest."""
    decimals = MEASURES[measure].decimals
    items = [(ZERO_COLOUR, "0 (aucun)")]
    lower = 0.0
    for colour, upper in zip(class_colours(breaks), breaks):
        items.append(
            (
                colour,
                f"{'plus de ' + fmt.number(lower, decimals) if lower else 'plus de 0'} à {fmt.number(upper, decimals)}",
            )
        )
        lower = upper
    if with_non_members:
        items.append((NON_MEMBER_COLOUR, NON_MEMBER_LABEL))
    return items


def value_label(value, measure: str) -> str:
    spec = MEASURES[measure]
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    return f"{fmt.number(value, spec.decimals)} {spec.unit}"


def fill_colours(figures: pd.DataFrame, measure: str, breaks: list[float]) -> dict[str, str]:
    """Place code → fill colour; non-members get the grey of the hatching."""
    colours = class_colours(breaks)
    out = {}
    for row in figures.itertuples():
        if not row.member:
            out[row.code] = NON_MEMBER_COLOUR
        else:
            index = classify(getattr(row, measure), breaks)
            out[row.code] = ZERO_COLOUR if index < 0 else colours[index]
    return out


def place_features(figures: pd.DataFrame, level: str, measure: str, *, escape: bool) -> list[dict]:
    """The boundaries with names (HTML-escaped when ``escape``), the measure's value and its label."""
    key = "insee_code" if level == "commune" else "code"
    by_code = {row["code"]: row for row in figures[["code", "name", "member", measure]].to_dict("records")}
    features = []
    for feature in boundaries(level)["features"]:
        code = feature["properties"][key]
        row = by_code[code]
        value = row[measure] if row["member"] else None
        features.append(
            {
                "type": "Feature",
                "geometry": feature["geometry"],
                "properties": {
                    "code": code,
                    "level": level,
                    "name": html.escape(str(row["name"])) if escape else str(row["name"]),
                    "value": None if value is None or not np.isfinite(value) else float(value),
                    "label": value_label(value, measure) if row["member"] else NON_MEMBER_LABEL,
                    "member": bool(row["member"]),
                },
            }
        )
    return features


_LEGEND = Template("""
{% macro html(this, kwargs) %}
<div style="position:absolute; bottom:18px; left:10px; z-index:9999; background:rgba(255,255,255,.92);
            padding:6px 9px; border-radius:4px; font:12px/1.5 sans-serif; box-shadow:0 0 4px rgba(0,0,0,.3)">
  <div style="font-weight:600; margin-bottom:2px">{{ this.title }}</div>
  {% for colour, label in this.items %}
  <div><span style="display:inline-block; width:14px; height:11px; margin-right:5px; vertical-align:middle;
        border:1px solid #777; background:{{ colour }}"></span>{{ label }}</div>
  {% endfor %}
</div>
{% endmacro %}
""")


class Legend(folium.MacroElement):
    """The choropleth's legend, drawn over the map (labels escaped by Jinja's autoescape)."""

    _template = _LEGEND

    def __init__(self, title: str, items: list[tuple[str, str]]):
        super().__init__()
        self._name = "Legend"
        self.title = html.escape(title)
        self.items = [(colour, html.escape(label)) for colour, label in items]


_SCALE = Template("""
{% macro script(this, kwargs) %}
L.control.scale({metric: true, imperial: false, position: "bottomright"}).addTo({{ this._parent.get_name() }});
{% endmacro %}
""")


class MetricScale(folium.MacroElement):
    """A scale in kilometres only, in the bottom-right corner (above the attribution), clear of the
    legend in the bottom-left one (folium's ``control_scale`` shows miles too, bottom-left)."""

    _template = _SCALE

    def __init__(self):
        super().__init__()
        self._name = "MetricScale"


class _RawScript(Element):
    """Script text added to the page as is: branca would otherwise compile it as a template."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


class _RawMacro(folium.MacroElement):
    """A MacroElement whose rendered header, html and script join the page as is. Branca's own
    render compiles each rendered part as a Jinja template again: for the choropleth, whose script
    holds every outline, that was most of the map's rendering time."""

    def render(self, **kwargs) -> None:  # type: ignore[override]  # branca's MacroElement.render returns None; only Element's is typed (str)
        figure = self.get_root()
        module = self._template.module.__dict__
        for part in ("header", "html", "script"):
            if (text := module.get(part)) is not None:
                getattr(figure, part).add_child(_RawScript(text(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


class _GeoJson(folium.GeoJson, _RawMacro):
    """folium's GeoJson, its rendered parts added as is (see :class:`_RawMacro`)."""


PLACED_CODES = {"exact": 0, "commune": 1, "outside": 2}
ORIGIN = (50.0, 2.5)  # marker positions travel as ten-thousandths of a degree from here (about 10 m)
_MARKERS = Template("""
{% macro script(this, kwargs) %}
(function () {
    var d = {{ this.payload }};
    var money = new Intl.NumberFormat("fr-FR", {style: "currency", currency: "EUR", maximumFractionDigits: 0});
    var colours = ["#0072B2", "#0072B2", "#D55E00"];
    var notes = ["", "<br><em>Sans coordonnées : placé au centre de sa commune.</em>",
                 "<br><em>Coordonnées hors de la métropole : placé au centre de sa commune, à corriger.</em>"];
    var cluster = L.markerClusterGroup({maxClusterRadius: 45, chunkedLoading: true});
    var markers = [];
    function popup(i) {
        var jobs = d.jobs[i] + (d.jobs[i] < 2 ? " emploi prévu" : " emplois prévus");
        return "<strong>" + d.titles[d.title[i]] + "</strong><br>" + d.carriers[d.carrier[i]] + "<br>" +
            d.communes[d.commune[i]] + " · " + d.statuses[+d.status[i]] + "<br>" + money.format(d.amount[i]) +
            " · " + jobs + notes[+d.placed[i]] + '<br><a href="/projets?projet=' + d.id[i] +
            '" target="_top">Ouvrir la fiche du projet n° ' + d.id[i] + "</a>";
    }
    for (var i = 0; i < d.id.length; i++) {
        var marker = L.circleMarker(
            [{{ this.origin[0] }} + d.lat[i] / 1e4, {{ this.origin[1] }} + d.lon[i] / 1e4],
            {radius: 6, weight: 1, color: "#ffffff",
            fillColor: colours[+d.placed[i]], fillOpacity: 0.9});
        marker.bindPopup(popup.bind(null, i), {maxWidth: 320});
        markers.push(marker);
    }
    cluster.addLayers(markers);
    cluster.addTo({{ this._parent.get_name() }});
})();
{% endmacro %}
""")


class ProjectMarkers(JSCSSMixin):
    """Clustered project markers with popups, from compact column-wise data.

    Strings are HTML-escaped on the server and sent once each (dictionary-encoded); amounts and
    jobs go as numbers and are formatted in French by the browser. The data skips branca's
    template compilation, which would otherwise cost seconds at 20 000 projects.
    """

    _template = _MARKERS
    default_js = [  # noqa: RUF012 (folium reads these class lists)
        ("markercluster", f"{STATIC_URL}/leaflet.markercluster/leaflet.markercluster.js")
    ]
    default_css = [  # noqa: RUF012
        ("markerclustercss", f"{STATIC_URL}/leaflet.markercluster/MarkerCluster.css"),
        ("markerclusterdefault", f"{STATIC_URL}/leaflet.markercluster/MarkerCluster.Default.css"),
    ]

    def __init__(self, points: pd.DataFrame):
        super().__init__()
        self._name = "ProjectMarkers"
        self.origin = ORIGIN
        self.data = project_payload(points)
        self.payload = (
            json.dumps(self.data, ensure_ascii=False, separators=(",", ":"))
            .replace("<", "\\u003c")
            .replace(">", "\\u003e")
            .replace("&", "\\u0026")
        )

    def render(self, **kwargs) -> None:  # type: ignore[override]  # branca's MacroElement.render returns None; only Element's is typed (str)
        figure = self.get_root()
        assert isinstance(figure, Figure)  # the map's root, where its links and scripts go
        for name, url in self.default_js:
            figure.header.add_child(JavascriptLink(url), name=name)
        for name, url in self.default_css:
            figure.header.add_child(CssLink(url), name=name)
        figure.script.add_child(_RawScript(self._template.module.script(self)), name=self.get_name())


def _codes(series: pd.Series) -> tuple[list[str], list[int]]:
    """Dictionary-encode a column of strings, escaping each distinct value once."""
    categories = pd.Categorical(series.astype(str))
    return [html.escape(v) for v in categories.categories], categories.codes.astype(int).tolist()


def project_payload(points: pd.DataFrame) -> dict:
    """The compact, escaped, column-wise marker data of :class:`ProjectMarkers`."""
    data: dict = {
        "lat": ((points["lat"] - ORIGIN[0]) * 1e4).round().astype(int).tolist(),
        "lon": ((points["lon"] - ORIGIN[1]) * 1e4).round().astype(int).tolist(),
        "id": points["id"].astype(int).tolist(),
    }
    for column, plural in (("title", "titles"), ("carrier", "carriers"), ("commune", "communes")):
        data[plural], data[column] = _codes(points[column])
    data["statuses"], statuses = _codes(points["status"])
    data["status"] = "".join(map(str, statuses))
    data["amount"] = points["amount"].round().astype(int).tolist()
    data["jobs"] = points["jobs_created"].astype(int).tolist()
    data["placed"] = "".join(str(PLACED_CODES[p]) for p in points["placed"])
    return data


def build_map(
    figures: pd.DataFrame,
    level: str,
    measure: str,
    points: pd.DataFrame | None = None,
    *,
    tiles: bool = True,
    focus: tuple | None = None,
    height: int = 620,
) -> folium.Map:
    """The interactive map: a choropleth of ``measure`` by ``level`` and, optionally, markers.

    ``focus`` is ``((south, west), (north, east))`` to zoom to (a territory or commune).
    """
    fmap = folium.Map(
        location=CENTER,
        zoom_start=10,
        tiles=None,
        zoom_snap=0.25,
        maxZoom=18,
        minZoom=8,
        height=height,
    )
    # the cluster plugin too, loaded with Leaflet: markers may come later, in a group added in place
    fmap.default_js = [*LEAFLET_JS, *ProjectMarkers.default_js]
    fmap.default_css = [*LEAFLET_CSS, *ProjectMarkers.default_css]
    MetricScale().add_to(fmap)
    if tiles:
        folium.TileLayer(TILES, name="Fond de carte", attr=TILES_ATTRIBUTION, max_zoom=18).add_to(fmap)
    breaks = class_breaks(figures.loc[figures["member"], measure])
    colours = fill_colours(figures, measure, breaks)
    features = place_features(figures, level, measure, escape=True)

    def style(feature):
        props = feature["properties"]
        if not props["member"]:
            return {
                "fillColor": NON_MEMBER_COLOUR,
                "color": "#424242",
                "weight": 0.8,
                "dashArray": "4 3",
                "fillOpacity": 0.6,
            }
        return {
            "fillColor": colours[props["code"]],
            "color": "#555555",
            "weight": 0.7 if level == "commune" else 1.5,
            "fillOpacity": 0.75,
        }

    _GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="Communes" if level == "commune" else "Territoires",
        style_function=style,
        highlight_function=lambda _: {"weight": 3, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=["name", "label"], aliases=["", ""], labels=False),
    ).add_to(fmap)
    Legend(MEASURES[measure].label, legend_items(breaks, measure, with_non_members=not figures["member"].all())).add_to(
        fmap
    )
    if points is not None and not points.empty:
        ProjectMarkers(points).add_to(fmap)
    if focus:
        fmap.fit_bounds([list(focus[0]), list(focus[1])])
    return fmap
