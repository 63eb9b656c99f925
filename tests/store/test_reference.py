"""The reference geography: counts, populations, one territory per commune, aliases, checks."""

import csv
import json
import shutil

import pytest

from essdash.domain.errors import ReferenceDataError
from essdash.store.config import DATA_DIR
from essdash.store.reference import boundaries, load_reference


@pytest.fixture(scope="module")
def ref():
    return load_reference()


def test_counts_and_population_total(ref):
    assert len(ref.communes) == 95
    assert len(ref.territories) == 8
    assert sum(c.population for c in ref.communes) == 1_195_234
    assert sum(t.population for t in ref.territories) == 1_195_234


def test_every_commune_in_exactly_one_territory(ref):
    with (DATA_DIR / "communes.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len({r["insee_code"] for r in rows}) == 95
    territory_codes = {t.code for t in ref.territories}
    assert all(c.territory_code in territory_codes for c in ref.communes)
    # The commune polygons say the same: one feature per commune, with the CSV's territory.
    features = boundaries("commune")["features"]
    by_code = {f["properties"]["insee_code"]: f["properties"]["territory_code"] for f in features}
    assert len(features) == 95 == len(by_code)
    assert by_code == {c.insee_code: c.territory_code for c in ref.communes}
    assert {t.code: t.n_communes for t in ref.territories} == {
        "lillois": 1,
        "roubaisien": 9,
        "tourquennois": 6,
        "est": 13,
        "couronne-nord": 11,
        "couronne-sud": 18,
        "lys": 12,
        "weppes": 25,
    }


def test_aliases_map_associated_and_merged_communes(ref):
    assert ref.resolve_insee("59355") == "59350"  # Lomme
    assert ref.resolve_insee("59298") == "59350"  # Hellemmes-Lille
    assert ref.resolve_insee("59020") == "59009"  # Ascq → Villeneuve-d'Ascq
    assert ref.resolve_insee("59512") == "59512"
    assert ref.resolve_insee("75056") is None


def test_membership_years(ref):
    late = {c.name for c in ref.communes if c.member_since > 2014}
    assert len(late) == 10
    assert {"Fromelles", "Annœullin"} <= late


def _broken_copy(tmp_path, name, edit):
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    path = target / name
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return target


@pytest.mark.parametrize(
    "name, edit, message",
    [
        ("communes.csv", lambda t: "\n".join(t.splitlines()[:-1]) + "\n", "95 communes distinctes"),
        ("communes.csv", lambda t: t.replace(",roubaisien,", ",atlantis,", 1), "territoire inconnu"),
        ("communes.csv", lambda t: t.replace("Roubaix,98", "Roubaix,-98"), "population"),
        ("territories.geojson", lambda t: json.dumps({"features": json.loads(t)["features"][:7]}), "8 territoires"),
        ("insee_aliases.csv", lambda t: t.replace(",59350,", ",99999,", 1), "alias"),
        ("communes.csv", lambda t: "\x00\x01 pas un csv", "invalides"),
    ],
)
def test_broken_reference_files_are_refused_in_french(tmp_path, name, edit, message):
    data_dir = _broken_copy(tmp_path, name, edit)
    with pytest.raises(ReferenceDataError, match=message):
        load_reference(data_dir)


def test_data_readme_keeps_sources_and_attribution():
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert "Licence Ouverte" in readme
    assert "Attribution line for the app" in readme
