"""GeoJSON export of the selection's projects: points placed as on the map, properties in French.

Text properties are neutralised like CSV and XLSX cells (:func:`essdash.spreadsheet.cells.neutralise`):
a GeoJSON file is often opened in a GIS or converted into a spreadsheet, where ``=cmd|…`` would run.
"""

from __future__ import annotations

import json

from sqlalchemy.engine import Engine

from essdash.domain import fields
from essdash.read import places
from essdash.read.filters import Filters
from essdash.spreadsheet.cells import neutralise

_P = fields.PROJECTS  # the properties are named by the fields' labels, as in the other exports
PLACED = {
    "exact": "coordonnées du projet",
    "commune": "point de la commune",
    "outside": "point de la commune (coordonnées hors métropole)",
}


def _text(value: object) -> object:
    return neutralise(value) if isinstance(value, str) else value


def geojson(engine: Engine, filters: Filters) -> bytes:
    """The selection's projects as GeoJSON points, placed as on the map."""
    points = places.project_points(engine, filters)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(p.lon, 6), round(p.lat, 6)]},
            "properties": {
                _P.label("id"): int(p.id),
                _P.label("title"): _text(p.title),
                _P.label("carrier"): _text(p.carrier),
                _P.label("commune"): _text(p.commune),
                _P.label("status"): _text(p.status),
                _P.label("amount"): float(p.amount),
                _P.label("jobs_created"): int(p.jobs_created),
                "Position": PLACED[p.placed],
            },
        }
        for p in points.itertuples()
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode("utf-8")
