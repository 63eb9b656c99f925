"""The meeting pack as JSON: the same sections, sentences, figures and tables as the Pack object,
every chart with its rows under French column labels, and the command line's ``--format json``."""

from __future__ import annotations

import json

import pytest

from essdash.__main__ import main
from essdash.read import pack
from essdash.render import pack_charts, report


@pytest.fixture(scope="module")
def built(demo_engine):
    return pack.build(demo_engine, "2013-S2", territory="roubaisien")


def test_json_round_trips_the_pack(built):
    data = json.loads(report.render(built, "json"))
    assert data["period"] == "2013-S2" and data["territory"] == "roubaisien"
    assert data["place"] == "Territoire Roubaisien" and data["demo"] is True
    assert data["situation_au"] == "2013-12-31" and data["situation_au_texte"] == "31/12/2013"
    assert [s["title"] for s in data["sections"]] == [s.title for s in built.sections]
    for section, loaded in zip(built.sections, data["sections"]):
        assert loaded["sentences"] == section.sentences
        assert [(f["label"], f["text"], f["change"]) for f in loaded["figures"]] == [tuple(f) for f in section.figures]
        assert [t["title"] for t in loaded["tables"]] == [title for title, _ in section.tables]
        for (_, frame), table in zip(section.tables, loaded["tables"]):
            assert table["columns"] == list(frame.columns)
            assert len(table["rows"]) == len(table["values"]) == len(frame)
        assert [(c["title"], c["kind"]) for c in loaded["charts"]] == [(t, c.kind) for t, c in section.charts]
        for (_, chart), shown in zip(section.charts, loaded["charts"]):
            assert len(shown["rows"]) == len(chart.rows) > 0
            assert set(shown["columns"]) <= set(pack_charts.COLUMNS[chart.kind].values()) | {
                f"Valeur ({chart.indicator.unit})" if chart.indicator else ""
            }


def test_figures_carry_raw_numbers_beside_their_text(built):
    data = json.loads(report.render(built, "json"))
    key = next(s for s in data["sections"] if s["title"] == "Chiffres clés")
    projects = next(f for f in key["figures"] if f["label"] == "Projets proposés depuis 2011")
    assert isinstance(projects["value"], int) and projects["text"] == str(projects["value"])
    chart = key["charts"][0]
    assert chart["kind"] == "projects_by_status" and chart["columns"] == ["Code de l'étape", "Étape", "Projets"]
    assert sum(row[2] for row in chart["values"]) == projects["value"]


def test_cli_writes_the_json_pack(demo_engine, demo_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", demo_url)
    out = tmp_path / "pack.json"
    args = ["report", "--period", "2013-S2", "--format", "json", "--territoire", "roubaisien", "--out", str(out)]
    assert main(args) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["territory"] == "roubaisien" and data["sections"][0]["title"] == "Chiffres clés"
    assert "Territoire Roubaisien" in capsys.readouterr().out
    assert report.filename(pack.build(demo_engine, "2013-S2"), "json") == "pack-comite-2013-S2.json"
