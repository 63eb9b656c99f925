"""What the public view publishes: only the semesters of a past committee whose indicator values are
validated or locked at every place (each territory, and the metropolis when it has values of its own),
moved there through the one write of the semesters' steps; their public pack carries no « provisoire »
figure; the public open data package holds the indicator values and equity findings of those
semesters only, and nothing personal."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from frictionless import Package
from sqlalchemy import text

from essdash.read import public
from essdash.read.opendata import package as opendata_package
from essdash.read.pack import build
from essdash.write import committee
from essdash.write.actor import Actor
from essdash.write.approval import take_step
from essdash.write.measurements import save_measurements

AS_OF = date(2014, 12, 15)  # the demo's reference date
LOCAL = Actor("Claire Martin", "mission ESS")
PERIOD = "2013-S1"
INDICATORS = "Indicateurs et cibles"


def _territories(engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT code FROM territory ORDER BY code")).scalars())


def _indicator_sentences(pack) -> list[str]:
    return next(s for s in pack.sections if s.title == INDICATORS).sentences


@pytest.fixture
def held(empty_engine):
    """A committee in June 2013 and a value of « part de CDI » for every territory in its semester."""
    engine = empty_engine
    committee.create_meeting(engine, LOCAL, body="comite_metropolitain", day=date(2013, 6, 20), title="Comité de juin")
    rows = [{"code": code, "value": "50", "source": "Enquête"} for code in _territories(engine)]
    save_measurements(engine, LOCAL, "part_cdi", PERIOD, rows)
    return engine


def test_a_semester_only_submitted_is_not_published_and_is_once_validated_and_locked(held):
    engine = held
    places = _territories(engine)
    assert len(places) == 8
    assert public.published_periods(engine) == [] and public.published_day(engine) is None
    take_step(engine, LOCAL, PERIOD, "soumettre", places)
    assert public.published_periods(engine) == []
    assert any("(provisoire)" in s for s in _indicator_sentences(build(engine, PERIOD)))
    with pytest.raises(ValueError, match="n'est pas publié"):
        public.public_pack(engine, PERIOD)
    take_step(engine, LOCAL, PERIOD, "valider", places[:-1])
    assert public.published_periods(engine) == []  # one territory still only submitted
    take_step(engine, LOCAL, PERIOD, "valider", places[-1:])
    take_step(engine, LOCAL, PERIOD, "verrouiller", places)
    assert public.published_periods(engine) == [PERIOD]
    assert public.published_day(engine) == date(2013, 6, 30)
    sentences = _indicator_sentences(public.public_pack(engine, PERIOD))
    assert any(s.startswith("Part des emplois en CDI — Métropole") for s in sentences), sentences
    assert not any("provisoire" in s for s in sentences)


def test_the_metropolis_row_counts_once_it_has_a_state(held):
    engine = held
    places = _territories(engine)
    for step in ("soumettre", "valider", "verrouiller"):
        take_step(engine, LOCAL, PERIOD, step, places)
    assert public.published_periods(engine) == [PERIOD]
    take_step(engine, LOCAL, PERIOD, "soumettre", [None])  # the metropolis's own values, submitted
    assert public.published_periods(engine) == []
    take_step(engine, LOCAL, PERIOD, "valider", [None])
    assert public.published_periods(engine) == [PERIOD]


def _demo_expected(engine) -> list[str]:
    """Worked out from the tables: a semester of a committee held by the demo's reference date whose
    eight territories are all « valide » or « verrouille » (the demo records no state and no value of
    the metropolis's own)."""
    with engine.connect() as conn:
        days = [
            str(d) for d in conn.execute(text("SELECT date FROM meeting WHERE body = 'comite_metropolitain'")).scalars()
        ]
        held = {f"{d[:4]}-S{1 if int(d[5:7]) <= 6 else 2}" for d in days if d <= AS_OF.isoformat()}
        checked = conn.execute(
            text(
                "SELECT period FROM semesterapproval WHERE state IN ('valide', 'verrouille') "
                "AND territory_code IS NOT NULL GROUP BY period HAVING COUNT(*) = 8"
            )
        ).scalars()
        return sorted(held & set(checked))


def test_the_demo_publishes_its_locked_semesters_up_to_2014_s1(demo_engine):
    published = public.published_periods(demo_engine)
    assert published == _demo_expected(demo_engine)
    assert published[0] == "2011-S1" and published[-1] == "2014-S1"
    sentences = _indicator_sentences(public.public_pack(demo_engine, published[-1]))
    assert sentences and not any("provisoire" in s for s in sentences)


def _csv(package, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(package.files[name].decode("utf-8"))))


def test_the_public_package_holds_the_published_semesters_only_and_nothing_personal(demo_engine, tmp_path):
    published = public.published_periods(demo_engine)
    whole = opendata_package.build(demo_engine)
    shown = public.public_package(demo_engine)
    assert "2014-S2" in {r["semestre"] for r in _csv(whole, "valeurs_indicateurs.csv")}
    assert {r["semestre"] for r in _csv(shown, "valeurs_indicateurs.csv")} == set(published)
    assert {r["semestre"] for r in _csv(shown, "equite.csv")} <= set(published)
    assert len(_csv(shown, "projets.csv")) == len(_csv(whole, "projets.csv"))
    folder = tmp_path / "paquet"
    folder.mkdir()
    for name, data in shown.files.items():
        (folder / name).write_bytes(data)
    report = Package(str(folder / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    descriptor = json.loads(shown.files["datapackage.json"])
    assert descriptor["licenses"][0]["name"] == "etalab-2.0" and descriptor["fictional"] is True
    assert "seuls semestres publiés" in descriptor["description"]
    with demo_engine.connect() as conn:
        people = set()
        for sql in (
            "SELECT name FROM member",
            "SELECT email FROM member",
            "SELECT author FROM projectevent",
            "SELECT author FROM actionsheethistory",
            "SELECT author FROM semesterapprovalstep",
            "SELECT author FROM comment",
            "SELECT text FROM comment",
        ):
            people |= set(conn.execute(text(sql)).scalars())
    published_text = b"".join(d for n, d in shown.files.items() if n.endswith(".csv")).decode("utf-8")
    assert len(people) > 3 and "@" not in published_text
    assert not [p for p in people if p and len(p) > 6 and p in published_text]
