"""GeoJSON export of the selection's projects: points placed as on the map, properties in French.

Text properties are neutralised like CSV and XLSX cells (:func:`essdash.spreadsheet.cells.neutralise`):
a GeoJSON file is often opened in a GIS or converted into a spreadsheet, where ``=cmd|…`` would run.
"""

from __future__ import annotations

import json

from sqlalchemy.engine import Engine

from essdash.read import places
from essdash.read.filters import Filters
from essdash.spreadsheet.cells import neutralise

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
                "N°": int(p.id),
                "Titre": _text(p.title),
                "Porteur": _text(p.carrier),
                "Commune": _text(p.commune),
                "Étape": _text(p.status),
                "Montant engagé (€)": float(p.amount),
                "Emplois créés": int(p.jobs_created),
                "Position": PLACED[p.placed],
            },
        }
        for p in points.itertuples()
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode("utf-8")
