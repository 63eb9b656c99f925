"""The equity check on the demo data against direct computations, and on a hand-built case."""

from datetime import date, datetime

import numpy as np
import pytest
from sqlalchemy import insert

from essdash.domain import models as m
from essdash.read import equity_report, places, queries
from essdash.read.filters import Filters

PLAN = Filters(period_from="2011-S1", period_to="2014-S2")


@pytest.fixture(scope="module")
def figures(demo_engine):
    return (places.place_figures(demo_engine, PLAN, "commune"), places.place_figures(demo_engine, PLAN, "territory"))


@pytest.mark.parametrize("measure, column", [("projects", "projects"), ("money", "money"), ("jobs", "jobs_created")])
def test_report_matches_direct_computations(figures, measure, column):
    communes, territories = figures
    result = equity_report.report(communes, territories, measure)
    members = communes[communes["member"]]
    s = members[column] / members[column].sum()
    p = members["population"] / members["population"].sum()
    assert result.hoover == pytest.approx(0.5 * np.abs(s - p).sum())
    assert result.coverage.units_share == pytest.approx((members[column] > 0).mean())
    theil = result.theil
    assert theil.between + theil.within == pytest.approx(theil.total)
    assert set(theil.within_by_group) == set(members["territory_code"])
    assert result.metro_rate == pytest.approx(members[column].sum() / members["population"].sum() * result.measure.per)
    assert result.by_size["communes"].sum() == len(members)
    assert result.by_size["total"].sum() == pytest.approx(members[column].sum())
    assert result.by_distance["communes"].sum() == len(members)
    lq = result.territories
    assert (lq["lq"] * lq["population"] / lq["population"].sum()).sum() == pytest.approx(1)
    assert 0 < result.gini < 1
    assert all(isinstance(f.sentence, str) and f.sentence for f in result.findings)
    assert (result.funnel is None) == (measure == "money")
    expected = ["coverage", "gini", "theil", "hoover"] + (["funnel"] if measure != "money" else [])
    assert [f.key for f in result.findings] == expected
    assert result.finding("theil").value == f"{round(100 * theil.between / theil.total)}\u00a0%"


def test_sentences_carry_the_figures_in_french(figures):
    result = equity_report.report(*figures, "projects")
    gini = f"{result.gini:.2f}".replace(".", ",")
    assert gini in result.finding("gini").sentence and result.finding("gini").value == gini
    hoover = f"{round(result.hoover * 100)}\u00a0%"
    assert f"{hoover} des projets devraient changer" in result.finding("hoover").sentence
    assert result.finding("hoover").value == hoover


def test_funnel_flags_a_commune_far_above_chance(empty_engine):
    """Roubaix gets 60 projects, nine other communes one each: Roubaix stands out, small ones do not."""
    base = {
        "intervention_mode": "convention_objectifs",
        "sector": "insertion",
        "status": "en_cours",
        "proposed_on": date(2012, 1, 1),
        "updated_at": datetime(2012, 1, 1),
        "description": "",
        "priority_district": False,
        "carrier_id": 1,
    }
    others = ["59350", "59599", "59009", "59017", "59360", "59368", "59328", "59560", "59410"]
    with empty_engine.begin() as conn:
        conn.execute(insert(m.Organisation).values(id=1, name="A", legal_form="scop"))
        conn.execute(
            insert(m.Project),
            [{**base, "title": f"R{i}", "commune_code": "59512"} for i in range(60)]
            + [{**base, "title": f"O{i}", "commune_code": code} for i, code in enumerate(others)],
        )
    communes = places.place_figures(empty_engine, PLAN, "commune")
    territories = places.place_figures(empty_engine, PLAN, "territory")
    result = equity_report.report(communes, territories, "projects")
    flags = result.communes.set_index("code")["flag"]
    assert flags["59512"] == "au-dessus"
    assert flags["59106"] == "dans la norme"  # Bouvines, no project, too small to say
    assert "Roubaix" in result.finding("funnel").sentence


def test_white_spots(demo_engine):
    spots = places.white_spots(demo_engine, PLAN, 4)
    recent = queries.project_register(demo_engine, Filters(period_from="2013-S1", period_to="2014-S2"))
    assert not set(spots["name"]) & set(recent["commune"])
    members = places.place_figures(demo_engine, PLAN, "commune")
    assert len(spots) + recent["insee_code"].nunique() == int(members["member"].sum())
    assert spots["population"].is_monotonic_decreasing
    sentence = equity_report.white_spots_sentence(spots, 4, int(members["member"].sum()))
    assert sentence.startswith(f"{len(spots)} communes sur 85")
