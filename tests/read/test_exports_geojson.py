"""GeoJSON export: text properties neutralised as in CSV and XLSX, figures and positions kept."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from essdash.read import exports, geo_export
from essdash.read.filters import Filters

HOSTILE = ["=cmd|' /C calc'!A0", "+SUM(1)", "-2+3", "@A1", "\t=1", "'=déjà protégé", "Épicerie solidaire"]


@pytest.fixture
def points(monkeypatch):
    frame = pd.DataFrame(
        {
            "id": range(1, len(HOSTILE) + 1),
            "lat": [50.63] * len(HOSTILE),
            "lon": [3.06] * len(HOSTILE),
            "title": HOSTILE,
            "carrier": list(reversed(HOSTILE)),
            "commune": ['=HYPERLINK("http://x")', *["Lille"] * (len(HOSTILE) - 1)],
            "status": ["en cours"] * len(HOSTILE),
            "amount": [1500.0] * len(HOSTILE),
            "jobs_created": [2] * len(HOSTILE),
            "placed": ["exact"] * len(HOSTILE),
        }
    )
    monkeypatch.setattr(geo_export.places, "project_points", lambda engine, filters: frame)


def test_geojson_text_that_looks_like_a_formula_is_neutralised(points):
    data = exports.export(None, "projects", Filters(), "geojson").data
    features = json.loads(data)["features"]
    titles = [f["properties"]["Titre"] for f in features]
    # a leading apostrophe, as in the CSV and XLSX exports, for text a spreadsheet would run
    assert titles == [
        "'=cmd|' /C calc'!A0",
        "'+SUM(1)",
        "'-2+3",
        "'@A1",
        "'\t=1",
        "''=déjà protégé",
        "Épicerie solidaire",
    ]
    assert features[-1]["properties"]["Porteur"] == "'=cmd|' /C calc'!A0"
    assert features[0]["properties"]["Commune"] == '\'=HYPERLINK("http://x")'
    assert features[0]["properties"]["Montant engagé (€)"] == 1500.0
    assert features[0]["geometry"]["coordinates"] == [3.06, 50.63]
