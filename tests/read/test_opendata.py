"""Open data: the SCDL « Subventions » 2.1.1 file of a funder's year, validated by ``frictionless``
against the schema kept in the repository; the open data package, validated too, free of personal data,
and read back into an empty base with the same figures."""

import json
import shutil

import pytest
from frictionless import Package, Resource, Schema
from sqlalchemy import func, select, text, update

from essdash.__main__ import main
from essdash.domain import models as m
from essdash.domain.errors import EssdashError
from essdash.read.opendata import package as opendata_package
from essdash.read.opendata import scdl
from essdash.store.db import make_engine
from essdash.write.actor import Actor
from essdash.write.opendata import reimport
from tests.fixtures.samples import dump

ACTOR = Actor("Test", "ligne de commande")


def _subsidies_in_base(engine, funder: str, year: int) -> list[int]:
    """The ids of the subsidies of ``funder`` in ``year``, read straight from the tables."""
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT funding.id FROM funding JOIN funder ON funder.id = funding.funder_id "
                    "WHERE funder.name = :name AND funding.year = :year AND funding.type = 'subvention' "
                    "ORDER BY funding.id"
                ),
                {"name": funder, "year": year},
            ).scalars()
        )


def _validate_scdl(tmp_path, data: bytes):
    (tmp_path / "subventions.csv").write_bytes(data)
    schema = Schema.from_descriptor(json.loads(scdl.SCHEMA_PATH.read_text(encoding="utf-8")))
    return Resource(path="subventions.csv", basepath=str(tmp_path), schema=schema).validate()


def test_the_demo_subsidies_of_lille_metropole_in_2013_pass_the_national_schema(demo_engine, tmp_path):
    expected = _subsidies_in_base(demo_engine, "Lille Métropole", 2013)
    result = scdl.subsidies(demo_engine, funder="lille metropole", year=2013)
    assert len(expected) > 3 and len(result.rows) == len(expected) and not result.refused
    data = scdl.csv_bytes(result)
    assert data.decode("utf-8").splitlines()[0].split(",") == [f["name"] for f in scdl.schema()["fields"]]
    report = _validate_scdl(tmp_path, data)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.tasks[0].stats["rows"] == len(expected)


def test_the_schema_in_the_repository_is_the_documented_2_1_1():
    schema = scdl.schema()
    assert schema["version"] == "2.1.1"
    fields = {f["name"]: f for f in schema["fields"]}
    assert tuple(fields) == scdl.COLUMNS
    assert fields["idAttribuant"]["constraints"] == {"required": True, "pattern": r"^\d{14}$"}
    assert fields["rnaBeneficiaire"]["constraints"]["pattern"] == r"^W\d{9}$"
    assert fields["pourcentageSubvention"]["constraints"] == {"required": True, "minimum": 0.01, "maximum": 1}
    assert fields["notificationUE"]["trueValues"] == ["oui"]
    assert "required" not in fields["idBeneficiaire"].get("constraints", {})


def test_frictionless_catches_a_broken_row(demo_engine, tmp_path):
    """The validation is not vacuous: a SIRET with a letter breaks the schema's pattern."""
    data = scdl.csv_bytes(scdl.subsidies(demo_engine, funder="Lille Métropole", year=2013))
    lines = data.decode("utf-8").splitlines()
    first = lines[1].split(",")
    first[1] = first[1][:-1] + "X"
    report = _validate_scdl(tmp_path, "\n".join([lines[0], ",".join(first), *lines[2:]]).encode("utf-8"))
    assert not report.valid


def test_a_subsidy_missing_a_required_field_is_listed_not_written(demo_copy):
    engine = make_engine(demo_copy)
    ids = _subsidies_in_base(engine, "Lille Métropole", 2013)
    with engine.begin() as conn:
        conn.execute(update(m.Funding).where(m.Funding.id == ids[0]).values(convention_date=None))
        carrier = conn.execute(
            select(m.Project.carrier_id)
            .join(m.Funding, m.Funding.project_id == m.Project.id)
            .where(m.Funding.id == ids[1])
        ).scalar_one()
        conn.execute(update(m.Organisation).where(m.Organisation.id == carrier).values(siret=None, rna=None))
    result = scdl.subsidies(engine, funder="Lille Métropole", year=2013)
    engine.dispose()
    assert any(f"Financement n° {ids[0]} " in line and "date de la convention" in line for line in result.refused)
    assert any(
        f"Financement n° {ids[1]} " in line and "SIRET ou numéro RNA du porteur" in line for line in result.refused
    )
    refs = {row["referenceDecision"] for row in result.rows}
    assert len(result.rows) == len(ids) - len(result.refused) and len(result.refused) >= 2
    assert all(row["dateConvention"] and (row["idBeneficiaire"] or row["rnaBeneficiaire"]) for row in result.rows)
    assert len(refs) == len(result.rows)


def test_an_unknown_funder_is_a_french_error(demo_engine):
    with pytest.raises(EssdashError, match="Financeur « Nulle part » inconnu"):
        scdl.subsidies(demo_engine, funder="Nulle part", year=2013)


def _write_package(engine, folder):
    built = opendata_package.build(engine)
    folder.mkdir()
    for name, data in built.files.items():
        (folder / name).write_bytes(data)
    return built


def test_the_package_is_valid_fictional_and_free_of_personal_data(demo_engine, tmp_path):
    built = _write_package(demo_engine, tmp_path / "paquet")
    report = Package(str(tmp_path / "paquet" / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    descriptor = json.loads(built.files["datapackage.json"])
    assert descriptor["licenses"][0]["name"] == "etalab-2.0" and descriptor["sources"]
    assert descriptor["fictional"] is True and "FICTIVES" in descriptor["warning"]
    names = {r["name"] for r in descriptor["resources"]}
    assert {"territoires", "communes", "projets", "financements", "fiches", "historique_fiches"} <= names
    assert {"valeurs_indicateurs", "equite"} <= names
    with demo_engine.connect() as conn:
        people = [
            *conn.execute(select(m.ProjectEvent.author)).scalars(),
            *conn.execute(select(m.Comment.text)).scalars(),
        ]
        projects = conn.execute(select(func.count()).select_from(m.Project)).scalar_one()
    published = b"".join(data for name, data in built.files.items() if name.endswith(".csv")).decode("utf-8")
    assert "@" not in published
    assert people and not any(p in published for p in set(people) if len(p) > 6)
    assert built.counts["projets"] == projects
    assert {row.split(",")[0] for row in built.files["equite.csv"].decode().splitlines()[1:]} >= {"2012-S2", "2014-S2"}


def _figures(engine) -> tuple:
    with engine.connect() as conn:
        projects = conn.execute(select(func.count()).select_from(m.Project)).scalar_one()
        by_funder = dict(
            conn.execute(
                select(m.Funder.name, func.sum(m.Funding.amount))
                .join(m.Funding, m.Funding.funder_id == m.Funder.id)
                .group_by(m.Funder.name)
            ).all()
        )
        values = sorted(
            conn.execute(
                select(
                    m.Measurement.indicator_code,
                    m.Measurement.period,
                    m.Measurement.territory_code,
                    m.Measurement.commune_code,
                    m.Measurement.value,
                    m.Measurement.provenance,
                ).where(m.Measurement.superseded_at.is_(None))
            ).all(),
            key=repr,
        )
        sheets = sorted(conn.execute(select(m.ActionSheet.code, m.ActionSheet.status, m.ActionSheet.progress)).all())
        served = sorted(
            conn.execute(
                select(m.ActionSheet.code, func.count())
                .join(m.ProjectSheet, m.ProjectSheet.sheet_id == m.ActionSheet.id)
                .group_by(m.ActionSheet.code)
            ).all()
        )
        further = conn.execute(select(func.count()).select_from(m.ProjectCommune)).scalar_one()
    return projects, by_funder, values, sheets, served, further


def test_the_package_read_back_into_an_empty_base_gives_the_same_figures(demo_engine, empty_engine, tmp_path):
    _write_package(demo_engine, tmp_path / "paquet")
    done = reimport.import_package(empty_engine, ACTOR, tmp_path / "paquet")
    projects, by_funder, values, sheets, served, further = _figures(empty_engine)
    expected = _figures(demo_engine)
    assert done.projects == projects == expected[0] > 0
    assert by_funder == pytest.approx(expected[1]) and len(by_funder) > 3
    assert values == expected[2] and len(values) > 100
    assert sheets == expected[3]
    assert served == expected[4] and sum(n for _, n in served) >= projects
    assert further == expected[5] > 0
    assert scdl.subsidies(empty_engine, funder="Lille Métropole", year=2013).rows == (
        scdl.subsidies(demo_engine, funder="Lille Métropole", year=2013).rows
    )
    with empty_engine.connect() as conn:
        assert conn.execute(select(m.MetaEntry.value).where(m.MetaEntry.key == "dataset")).scalar_one() == "demo"


def test_a_package_with_a_bad_cell_or_into_a_full_base_writes_nothing(demo_engine, empty_engine, tmp_path):
    _write_package(demo_engine, tmp_path / "paquet")
    carriers = tmp_path / "paquet" / "porteurs.csv"
    lines = carriers.read_text(encoding="utf-8").splitlines()
    siret = lines[1].split(",")[5]
    lines[1] = lines[1].replace(siret, siret[:-1] + str((int(siret[-1]) + 1) % 10))
    shutil.copytree(tmp_path / "paquet", tmp_path / "abime")
    (tmp_path / "abime" / "porteurs.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = dump(empty_engine)
    with pytest.raises(EssdashError, match=r"porteurs, ligne 2, « siret » : SIRET .* invalide"):
        reimport.import_package(empty_engine, ACTOR, tmp_path / "abime")
    assert dump(empty_engine) == before
    reimport.import_package(empty_engine, ACTOR, tmp_path / "paquet")
    full = dump(empty_engine)
    with pytest.raises(EssdashError, match="ne se réimporte que dans une base vide"):
        reimport.import_package(empty_engine, ACTOR, tmp_path / "paquet")
    assert dump(empty_engine) == full


def test_the_command_line_writes_the_subsidies_and_the_package(demo_engine, demo_url, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("DATABASE_URL", demo_url)
    out = tmp_path / "mel-2013.csv"
    assert (
        main(["opendata", "subventions", "--financeur", "Lille Métropole", "--annee", "2013", "--out", str(out)]) == 0
    )
    assert out.read_bytes() == scdl.csv_bytes(scdl.subsidies(demo_engine, funder="Lille Métropole", year=2013))
    assert "Données FICTIVES" in capsys.readouterr().out
    assert main(["opendata", "paquet", "--out", str(tmp_path / "paquet")]) == 0
    assert "FICTIVES" in capsys.readouterr().out
    assert Package(str(tmp_path / "paquet" / "datapackage.json")).validate().valid
