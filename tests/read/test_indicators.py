"""Indicators against a hand-built database: computed values, entered values, targets, entry."""

from datetime import date, datetime

import pytest
from sqlalchemy import insert, select

from essdash.domain import models as m
from essdash.domain.errors import ValidationError
from essdash.domain.rules import indicator_value as parse_value
from essdash.read import indicators
from essdash.read.selection import resolve
from essdash.write.actor import Actor
from essdash.write.measurements import save_measurements
from tests.fixtures.samples import dump

POP = {"lillois": 238_246, "roubaisien": 228_347}


def _events(project_id, *steps):
    return [
        {"project_id": project_id, "date": date.fromisoformat(day), "to_status": status, "author": "test"}
        for day, status in steps
    ]


@pytest.fixture
def built(empty_engine):
    """P1 Roubaix engaged from April 2011; P2 Tourcoing sent back; P3 Lille validated then refused."""
    base = {
        "intervention_mode": "convention_objectifs",
        "sector": "insertion",
        "description": "",
        "updated_at": datetime(2012, 1, 1),
        "jobs_maintained": 0,
        "beneficiaries": 0,
    }
    with empty_engine.begin() as conn:
        conn.execute(
            insert(m.Organisation),
            [
                {"id": 1, "name": "SCOP A", "legal_form": "scop"},
                {"id": 2, "name": "Asso B", "legal_form": "association"},
            ],
        )
        conn.execute(
            insert(m.Project),
            [
                {
                    **base,
                    "id": 1,
                    "title": "P1",
                    "carrier_id": 1,
                    "commune_code": "59512",
                    "status": "en_cours",
                    "proposed_on": date(2011, 3, 1),
                    "jobs_created": 4,
                    "priority_district": True,
                },
                {
                    **base,
                    "id": 2,
                    "title": "P2",
                    "carrier_id": 2,
                    "commune_code": "59599",
                    "status": "renvoye",
                    "proposed_on": date(2012, 2, 1),
                    "jobs_created": 2,
                    "priority_district": False,
                },
                {
                    **base,
                    "id": 3,
                    "title": "P3",
                    "carrier_id": 2,
                    "commune_code": "59350",
                    "status": "refuse",
                    "proposed_on": date(2011, 5, 1),
                    "jobs_created": 1,
                    "priority_district": False,
                },
            ],
        )
        conn.execute(
            insert(m.ProjectEvent),
            _events(
                1,
                ("2011-03-01", "propose"),
                ("2011-04-12", "valide"),
                ("2011-06-18", "retenu"),
                ("2011-09-01", "en_cours"),
            )
            + _events(2, ("2012-02-01", "propose"), ("2012-03-12", "renvoye"))
            + _events(3, ("2011-05-01", "propose"), ("2011-05-12", "valide"), ("2011-12-16", "refuse")),
        )
        conn.execute(insert(m.Funder).values(id=1, name="Lille Métropole", kind="EPCI"))
        conn.execute(insert(m.Funding).values(project_id=1, funder_id=1, type="subvention", amount=10_000.0, year=2011))
        first_sheet = conn.execute(select(m.ActionSheet.id).order_by(m.ActionSheet.id)).scalars().first()
        conn.execute(
            insert(m.ActionSheetHistory).values(
                sheet_id=first_sheet,
                changed_at=datetime(2011, 3, 1, 9),
                author="t",
                role="t",
                field="status",
                old_value="a_venir",
                new_value="en_cours",
                comment="lancement",
            )
        )
        members_2011 = sum(
            p for (p,) in conn.execute(select(m.Commune.population).where(m.Commune.member_since <= 2011))
        )
    empty_engine.members_2011 = members_2011
    return empty_engine


def _values(engine, code, periods=("2011-S1", "2011-S2", "2012-S1")):
    frame = indicators.computed_values(engine, code, list(periods))
    return {(r.period, r.place): r.value for r in frame.itertuples()}


def test_projects_per_10k_follow_each_projects_history(built):
    v = _values(built, "projets_pour_10000_hab")
    metro = built.members_2011
    assert v["2011-S1", "roubaisien"] == pytest.approx(1 / POP["roubaisien"] * 1e4)
    assert v["2011-S1", "lillois"] == pytest.approx(1 / POP["lillois"] * 1e4)  # P3 validated
    assert v["2011-S1", "metropole"] == pytest.approx(2 / metro * 1e4)
    assert v["2011-S2", "lillois"] == 0  # P3 refused
    assert v["2012-S1", "metropole"] == pytest.approx(1 / metro * 1e4)  # P2 sent back
    assert v["2011-S1", "weppes"] == 0


def test_shares_coverage_money_and_fiches(built):
    assert _values(built, "part_projets_quartiers_prioritaires")["2011-S1", "metropole"] == pytest.approx(50)
    assert _values(built, "part_projets_quartiers_prioritaires")["2011-S2", "metropole"] == pytest.approx(100)
    assert _values(built, "part_porteurs_cooperatifs")["2011-S1", "metropole"] == pytest.approx(50)
    assert _values(built, "taux_couverture_communes")["2011-S1", "roubaisien"] == pytest.approx(100 / 9)
    coverage = _values(built, "taux_couverture_population")["2011-S2", "roubaisien"]
    assert coverage == pytest.approx(98_828 / POP["roubaisien"] * 100, rel=0.01)
    money = _values(built, "montant_engage_par_hab")
    assert money["2011-S1", "metropole"] == pytest.approx(10_000 / built.members_2011)
    assert money["2011-S1", "lillois"] == 0
    fiches = _values(built, "part_fiches_engagees")
    assert fiches["2011-S1", "metropole"] == pytest.approx(100 / 25)
    assert ("2011-S1", "lillois") not in fiches


def test_entered_values_metro_is_sum_or_weighted_mean(built):
    actor = Actor("Claire Martin", "mission ESS")
    save_measurements(
        built,
        actor,
        "part_cdi",
        "2012-S1",
        [
            {"code": "lillois", "value": "40", "provenance": "verifie", "source": "enquête"},
            {"code": "roubaisien", "value": "60", "provenance": "Déclaré", "source": "enquête"},
        ],
    )
    save_measurements(
        built,
        actor,
        "emplois_crees",
        "2012-S1",
        [{"code": "lillois", "value": "10", "source": "porteurs"}, {"code": "roubaisien", "value": 20, "source": "p"}],
    )
    cdi = indicators.series(built, "part_cdi", resolve(built), "2012-S1", "2012-S1").values.set_index("place")["value"]
    expected = (40 * POP["lillois"] + 60 * POP["roubaisien"]) / (POP["lillois"] + POP["roubaisien"])
    assert cdi["metropole"] == pytest.approx(expected)
    jobs = indicators.series(built, "emplois_crees", resolve(built), "2012-S1", "2012-S1").values.set_index("place")[
        "value"
    ]
    assert jobs["metropole"] == 30


def test_targets_and_gaps(built):
    with built.begin() as conn:
        conn.execute(insert(m.Target).values(indicator_code="projets_pour_10000_hab", period="2011-S2", value=0.1))
    data = indicators.series(built, "projets_pour_10000_hab", resolve(built), "2011-S1", "2011-S2")
    gaps = indicators.gaps(data.values, data.targets, "up")
    assert gaps["period"].tolist() == ["2011-S2"]
    assert gaps["gap"].iloc[0] == pytest.approx(1 / built.members_2011 * 1e4 - 0.1)
    assert not gaps["met"].iloc[0]


@pytest.mark.parametrize(
    "raw, unit, expected",
    [
        ("12,5", "%", 12.5),
        ("1 234,5", "€", 1234.5),
        ("1\u202f234", "emplois", 1234),
        ("45 %", "%", 45),
        ("1 200 €", "€", 1200),
        ("-3,5", "%", -3.5),
        (7, "personnes", 7.0),
    ],
)
def test_parse_value(raw, unit, expected):
    assert parse_value(raw, unit) == expected


@pytest.mark.parametrize(
    "raw, unit, message",
    [
        ("45 €", "%", "unité « € » incompatible"),
        ("12 %", "€", "unité « % »"),
        ("douze", "%", "n'est pas un nombre"),
        ("1,2,3", "%", "n'est pas un nombre"),
    ],
)
def test_parse_value_refusals(raw, unit, message):
    with pytest.raises(ValueError, match=message):
        parse_value(raw, unit)


def _dump(engine):
    return dump(engine)


@pytest.mark.parametrize(
    "code, period, rows, author, where, message",
    [
        (
            "part_cdi",
            "2012-S1",
            [{"code": "lillois", "value": "120", "source": "x"}],
            "A",
            "Valeur",
            "hors de l'intervalle",
        ),
        ("part_cdi", "2012-S1", [{"code": "lillois", "value": "45 €", "source": "x"}], "A", "Valeur", "unité"),
        ("part_cdi", "2012-S1", [{"code": "atlantide", "value": "4", "source": "x"}], "A", "Territoire", "inconnu"),
        ("part_cdi", "2012-S1", [{"code": "lillois", "value": "4", "source": ""}], "A", "Source", "source"),
        (
            "part_cdi",
            "2012-S1",
            [{"code": "lillois", "value": "4", "source": "x", "provenance": "rumeur"}],
            "A",
            "Provenance",
            "inconnue",
        ),
        (
            "part_cdi",
            "2012-S3",
            [{"code": "lillois", "value": "4", "source": "x"}],
            "A",
            "Semestre",
            "n'est pas un semestre",
        ),
        (
            "part_cdi",
            "2031-S1",
            [{"code": "lillois", "value": "4", "source": "x"}],
            "A",
            "Semestre",
            "hors de la période",
        ),
        (
            "projets_pour_10000_hab",
            "2012-S1",
            [{"code": "lillois", "value": "4", "source": "x"}],
            "A",
            "Indicateur",
            "calculé",
        ),
        ("inconnu", "2012-S1", [{"code": "lillois", "value": "4", "source": "x"}], "A", "Indicateur", "inconnu"),
        ("part_cdi", "2012-S1", [{"code": "lillois", "value": "4", "source": "x"}], "  ", "Saisi par", "votre nom"),
    ],
)
def test_refused_entries_write_nothing(built, code, period, rows, author, where, message):
    before = _dump(built)
    good = {"code": "roubaisien", "value": "50", "source": "enquête"}
    with pytest.raises(ValidationError) as refused:
        save_measurements(built, Actor(author, "mission ESS"), code, period, [good, *rows])
    assert any(column == where and message in text for _, column, text in refused.value.issues), refused.value.issues
    assert _dump(built) == before


def test_replaced_values_are_kept_in_history(built):
    actor = Actor("Karim Benali", "groupe des techniciens")
    row = {"code": "est", "value": "30", "provenance": "declare", "source": "porteurs"}
    assert save_measurements(built, actor, "part_cdi", "2013-S2", [row]) == 1
    assert save_measurements(built, actor, "part_cdi", "2013-S2", [row]) == 0  # unchanged: nothing new
    assert save_measurements(built, actor, "part_cdi", "2013-S2", [{**row, "value": "32,5"}]) == 1
    history = indicators.history(built, "part_cdi", "2013-S2")
    assert history["value"].tolist() == [32.5, 30.0]
    assert history["superseded_at"].isna().tolist() == [True, False]
    assert history["recorded_by"].iloc[0] == "Karim Benali (groupe des techniciens)"
    grid = indicators.entry_grid(built, "part_cdi", "2013-S2").set_index("code")
    assert grid.loc["est", "value"] == "32,5" and grid.loc["lillois", "value"] == ""


def test_demo_series_cover_every_territory_and_semester(demo_engine):
    for code in ("projets_pour_10000_hab", "part_cdi"):
        values = indicators.series(demo_engine, code, resolve(demo_engine)).values
        assert set(values["period"]) == set(indicators.reference_periods(demo_engine))
        assert values.groupby("period")["place"].nunique().eq(9).all()
