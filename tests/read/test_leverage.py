"""Leverage (« 1 € → x € ») against a hand-built database whose figures are worked out here by hand.

Five projects, five funders::

    P1 Roubaix (also Lille), II.32, 2012   LM 10 000 · Région prêt 5 000 · CIGALES 2 000
                                           · Nord Actif garantie 8 000 (not counted) · Région 3 000 in 2014
    P2 Tourcoing, III.4, 2013              Région 4 000 · Épargne solidaire 1 000 (kind spelt « epargne solidaire »)
    P3 Lille, II.2, 2011                   LM 2 500 · Nord Actif prêt 2 500
    P4 Roubaix, II.2, proposed June 2014   LM 5 000 · Région 1 000 (2014)
    P5 Armentières (Lys), III.4, 2012      LM 10 000 · Région 1 000
"""

import json
from datetime import date, datetime

import pandas as pd
import pytest
from sqlalchemy import insert, select

from essdash.domain import fmt
from essdash.domain import models as m
from essdash.read import exports, pack
from essdash.read import leverage as L
from essdash.read.filters import Filters
from essdash.render import pack_charts
from essdash.render.report import data as report_json
from essdash.store.db import ids_written
from essdash.write import imports
from essdash.write.actor import Actor
from tests.fixtures.samples import csv_file

LM, REGION, CIGALES, NORD_ACTIF, SOLIDAIRE = 1, 2, 3, 4, 5


@pytest.fixture
def funded(empty_engine):
    with empty_engine.begin() as conn:
        sheet = dict(conn.execute(select(m.ActionSheet.code, m.ActionSheet.id)).all())
        conn.execute(
            insert(m.Organisation),
            [{"id": 1, "name": "SCOP Vélo", "legal_form": "scop", "commune_code": "59512"}],
        )
        base = {
            "intervention_mode": "convention_objectifs",
            "sector": "mobilite",
            "updated_at": datetime(2014, 1, 1),
            "description": "",
            "priority_district": False,
            "carrier_id": 1,
            "status": "en_cours",
            "jobs_created": 0,
            "jobs_maintained": 0,
            "beneficiaries": 0,
        }
        projects = [
            (1, "59512", date(2012, 2, 1), "II.32"),
            (2, "59599", date(2013, 3, 1), "III.4"),
            (3, "59350", date(2011, 5, 1), "II.2"),
            (4, "59512", date(2014, 6, 1), "II.2"),
            (5, "59017", date(2012, 9, 1), "III.4"),
        ]
        conn.execute(
            insert(m.Project),
            [{**base, "id": i, "title": f"Projet {i}", "commune_code": c, "proposed_on": d} for i, c, d, _ in projects],
        )
        conn.execute(insert(m.ProjectSheet), [{"project_id": i, "sheet_id": sheet[s]} for i, _, _, s in projects])
        conn.execute(insert(m.ProjectCommune), [{"project_id": 1, "commune_code": "59350"}])
        conn.execute(
            insert(m.Funder),
            [
                {"id": LM, "name": "Lille Métropole", "kind": "EPCI"},
                {"id": REGION, "name": "Région", "kind": "Région"},
                {"id": CIGALES, "name": "Club CIGALES Test", "kind": "Épargne citoyenne"},
                {"id": NORD_ACTIF, "name": "Nord Actif", "kind": "Finance solidaire"},
                {"id": SOLIDAIRE, "name": "Fonds solidaire", "kind": "epargne  SOLIDAIRE"},
            ],
        )
        lines = [
            (1, LM, "subvention", 10_000, 2012),
            (1, REGION, "pret", 5_000, 2012),
            (1, CIGALES, "prise_participation", 2_000, 2012),
            (1, NORD_ACTIF, "garantie", 8_000, 2012),
            (1, REGION, "subvention", 3_000, 2014),
            (2, REGION, "subvention", 4_000, 2013),
            (2, SOLIDAIRE, "pret", 1_000, 2013),
            (3, LM, "subvention", 2_500, 2011),
            (3, NORD_ACTIF, "pret", 2_500, 2011),
            (4, LM, "subvention", 5_000, 2014),
            (4, REGION, "subvention", 1_000, 2014),
            (5, LM, "subvention", 10_000, 2012),
            (5, REGION, "subvention", 1_000, 2012),
        ]
        conn.execute(
            insert(m.Funding),
            [{"project_id": p, "funder_id": f, "type": t, "amount": float(a), "year": y} for p, f, t, a, y in lines],
        )
        for table in (m.Organisation, m.Project, m.Funder):  # rows written with their ids (PostgreSQL's sequences)
            ids_written(conn, table.__table__)
    return empty_engine


def test_whole_metropolis(funded):
    result = L.summary(funded, Filters())
    metro, citizen = result.results["metropolis"], result.results["citizen"]
    # metropolis on P1, P3, P4, P5; others: P1 5 000 + 2 000 + 3 000 (not the guarantee), P3 2 500, P4 1 000, P5 1 000
    assert metro == {"lever": 27_500.0, "others": 14_500.0, "projects": 4, "leverage": pytest.approx(14_500 / 27_500)}
    # citizen savings on P1 (2 000) and P2 (1 000): others P1 10 000 + 5 000 + 3 000, P2 4 000
    assert citizen == {"lever": 3_000.0, "others": 22_000.0, "projects": 2, "leverage": pytest.approx(22_000 / 3_000)}
    assert result.sentence("metropolis") == (
        f"Chaque euro de Lille Métropole a accompagné 0,5{fmt.NBSP}€ d'autres financeurs (4 projets : "
        f"27{fmt.NNBSP}500{fmt.NBSP}€ de Lille Métropole pour 14{fmt.NNBSP}500{fmt.NBSP}€ des autres ; "
        f"1,5{fmt.NBSP}€ sous l'objectif de 2{fmt.NBSP}€)."
    )
    assert result.sentence("citizen").startswith(
        f"Chaque euro d'épargne citoyenne a accompagné 7,3{fmt.NBSP}€ d'autres financeurs (2 projets"
    )
    assert result.sentence("citizen").endswith(f"objectif de 2{fmt.NBSP}€ atteint).")


def test_by_funder_type_adds_up_to_the_leverage(funded):
    table = L.kind_table(L.summary(funded, Filters())).set_index("kind")
    assert table["metropolis"].to_dict() == {
        "Région": 10_000.0,
        "Finance solidaire": 2_500.0,
        "Épargne citoyenne": 2_000.0,
        "Lille Métropole": 0.0,
    }
    assert table.loc["Région", "metropolis_per_euro"] == pytest.approx(10_000 / 27_500)
    assert table["metropolis_per_euro"].sum() == pytest.approx(14_500 / 27_500)
    # with citizen savings: the metropolis by name, the Région on P1 and P2; the guarantee not counted
    assert table["citizen"][table["citizen"] > 0].to_dict() == {"Lille Métropole": 10_000.0, "Région": 12_000.0}
    assert table["citizen_per_euro"].sum() == pytest.approx(22_000 / 3_000)


def test_reference_date_and_place_filters(funded):
    before = L.summary(funded, Filters(as_of=date(2013, 12, 31))).results
    # P4 not yet proposed, the Région's 2014 line on P1 not yet there
    assert before["metropolis"]["lever"] == 22_500.0 and before["metropolis"]["others"] == 10_500.0
    assert before["citizen"]["others"] == 15_000.0 + 4_000.0
    roubaix = L.summary(funded, Filters(territory="roubaisien")).results["metropolis"]
    assert (roubaix["lever"], roubaix["others"]) == (15_000.0, 11_000.0)
    # Lillois holds P3 and P1, whose further commune is Lille
    lille = L.summary(funded, Filters(territory="lillois"))
    assert lille.results["metropolis"]["leverage"] == pytest.approx(12_500 / 12_500)
    assert L.summary(funded, Filters(commune="59599")).results["metropolis"]["projects"] == 0
    assert "n'a financé aucun projet" in L.summary(funded, Filters(commune="59599")).sentence("metropolis")


def test_places_follow_the_primary_commune(funded):
    table = L.place_table(funded, Filters(territory="lillois"), "territory").set_index("code")
    assert len(table) == 8  # every territory, whatever the place filter
    assert (table.loc["roubaisien", "metropolis"], table.loc["roubaisien", "metropolis_others"]) == (15_000, 11_000)
    assert (table.loc["lillois", "metropolis"], table.loc["lillois", "metropolis_others"]) == (2_500, 2_500)
    assert table.loc["lys", "metropolis_leverage"] == pytest.approx(0.1)
    assert table.loc["roubaisien", "citizen_leverage"] == pytest.approx(18_000 / 2_000)
    assert table.loc["tourquennois", "citizen_leverage"] == pytest.approx(4.0)
    assert table.loc["lillois", "lq"] == pytest.approx(1.0 / (14_500 / 27_500))
    assert table.loc["weppes", "projects"] == 0
    communes = L.place_table(funded, Filters(), "commune").set_index("code")
    assert communes.loc["59512", "projects"] == 2 and communes.loc["59350", "projects"] == 1


def test_fiches_hold_their_sub_fiches(funded):
    table = L.sheet_table(funded, Filters()).set_index("code")
    assert list(table.index) == ["II.2", "II.3", "II.32", "III.4"]
    assert table.loc["II.2", "metropolis_leverage"] == pytest.approx((2_500 + 1_000) / (2_500 + 5_000))
    assert table.loc["II.3", "metropolis_leverage"] == table.loc["II.32", "metropolis_leverage"] == 1.0
    assert table.loc["III.4", "metropolis_leverage"] == pytest.approx(0.1)
    assert table.loc["III.4", "citizen_leverage"] == pytest.approx(4.0)
    assert table.loc["III.4", "projects"] == 2


def test_projects(funded):
    table = L.project_table(funded, Filters()).set_index("id")
    assert table.loc[1, "total"] == 20_000.0  # the guarantee left out
    assert table.loc[1, "metropolis_leverage"] == 1.0
    assert table.loc[1, "citizen_leverage"] == 9.0
    assert table.loc[1, "territory"] == "Territoire Roubaisien"
    assert table.index.tolist()[:2] == [1, 5]  # most metropolis money first, then by number


def test_equity_of_leverage(funded):
    result = L.equity_of_leverage(funded, Filters())
    # communes with metropolis money: Roubaix 15 000 (others 11 000), Lille 2 500 (2 500), Armentières 10 000 (1 000)
    lever, others = [15_000, 2_500, 10_000], [11_000, 2_500, 1_000]
    p = [x / sum(lever) for x in lever]
    s = [x / sum(others) for x in others]
    rates = [o / x for o, x in zip(others, lever)]
    mean = sum(others) / sum(lever)
    gini = sum(p[i] * p[j] * abs(rates[i] - rates[j]) for i in range(3) for j in range(3)) / (2 * mean)
    hoover = sum(abs(a - b) for a, b in zip(s, p)) / 2
    assert result.reference == pytest.approx(mean)
    values = {f.key: f.value for f in result.findings}
    assert values["gini"] == fmt.number(gini, 2)
    assert values["hoover"] == fmt.percent(hoover)
    assert values["coverage"] == fmt.percent(1.0)
    assert "Territoire de la Lys (0,1" in result.finding_sentence("far_below")
    assert "Territoire Roubaisien" not in result.finding_sentence("far_below")
    inside = L.equity_of_leverage(funded, Filters(territory="roubaisien"))
    assert "theil" not in {f.key for f in inside.findings}
    assert inside.communes["code"].tolist() == sorted(inside.communes["code"])
    assert set(inside.communes["territory_code"]) == {"roubaisien"}


def test_exports_carry_the_funder_kind_and_the_leverage_tables(funded):
    fundings = exports.frame(funded, "fundings", Filters())
    assert "Épargne citoyenne" in fundings["Nature du financeur"].tolist()
    territories = exports.frame(funded, "leverage_territories", Filters()).set_index("Code")
    assert territories.loc["lys", "1 € de Lille Métropole → €"] == pytest.approx(0.1)
    assert territories.loc["roubaisien", "Euros de Lille Métropole"] == 15_000
    kinds = exports.frame(funded, "leverage_kinds", Filters()).set_index("Nature du financeur")
    assert kinds.loc["Région", "Avec Lille Métropole (€)"] == 10_000
    for view in ("leverage_projects", "leverage_sheets", "leverage_communes"):
        assert not exports.frame(funded, view, Filters()).empty
    data = exports.export(funded, "leverage_territories", Filters(), "csv").data.decode("cp1252")
    assert "0,1" in data


def test_an_imported_citizen_funder_counts_and_exports_back(funded):
    """A partner's fundings file names a new CIGALES club of kind « Épargne citoyenne »: it becomes a
    citizen-savings funder, and the fundings export carries its kind so that the file imports back."""
    rows = [
        ["N° projet", "Financeur", "Nature du financeur", "Type de financement", "Montant (€)", "Année"],
        ["3", "Club CIGALES du Pile", "Épargne citoyenne", "Prise de participation", "1 500", "2011"],
    ]
    plan = imports.prepare(funded, csv_file(rows), "cigales.csv", "fundings")
    assert plan.ok, plan.report()
    imports.apply(funded, plan, Actor("Claire Martin", "mission ESS"))
    citizen = L.summary(funded, Filters()).results["citizen"]
    # P1 (2 000, others 18 000), P2 (1 000, others 4 000), now P3 (1 500, others 2 500 + 2 500)
    assert (citizen["lever"], citizen["others"], citizen["projects"]) == (4_500.0, 27_000.0, 3)
    exported = exports.export(funded, "fundings", Filters(), "csv").data
    again = imports.prepare(funded, exported, "export.csv", "fundings")
    assert again.ok and again.inserted == 0 and again.updated == 0


def test_the_meeting_pack_shows_the_same_figures(funded):
    built = pack.build(funded, "2014-S2")
    section = next(s for s in built.sections if s.title == "Effet levier des financements")
    figures = {label: (value, change) for label, value, change in section.figures}
    metro = figures["1 € de Lille Métropole → autres financeurs (toute la métropole)"]
    assert metro == (f"0,5{fmt.NBSP}€", f"1,5{fmt.NBSP}€ sous l'objectif de 2{fmt.NBSP}€")
    assert figures["1 € d'épargne citoyenne → autres financeurs (toute la métropole)"][0] == f"7,3{fmt.NBSP}€"
    assert section.values["1 € de Lille Métropole → autres financeurs (toute la métropole)"] == pytest.approx(
        14_500 / 27_500
    )
    assert any("Territoire de la Lys (0,1" in sentence for sentence in section.sentences)
    ((_title, chart),) = section.charts
    assert chart.kind == "leverage" and pack_charts.draw(chart) is not None
    assert pack_charts.chart_table(chart).set_index("Code").loc["lys", "1 € de Lille Métropole → €"] == 0.1
    table = dict(section.tables)["Effet levier par territoire (toute la métropole)"].set_index("Territoire")
    assert table.loc["Territoire Roubaisien", "1 € de Lille Métropole →"] == f"0,7{fmt.NBSP}€"
    data = json.loads(report_json.to_json(built))
    loaded = next(s for s in data["sections"] if s["title"] == section.title)
    assert loaded["charts"][0]["kind"] == "leverage"
    earlier = pack.build(funded, "2013-S2", "roubaisien")
    part = next(s for s in earlier.sections if s.title == "Effet levier des financements")
    # P1 only by then in Roubaix (P4 proposed in 2014): 10 000 € of the metropolis, 5 000 + 2 000 € of others
    assert part.values["1 € de Lille Métropole → autres financeurs (Territoire Roubaisien)"] == pytest.approx(0.7)


def test_an_empty_base_gives_empty_tables_and_plain_sentences(empty_engine):
    result = L.summary(empty_engine, Filters())
    assert result.sentences == [
        "Lille Métropole n'a financé aucun projet : pas d'effet levier à calculer.",
        "Aucun euro d'épargne citoyenne n'a financé de projet : pas d'effet levier à calculer.",
    ]
    sizes = {view: len(exports.frame(empty_engine, view, Filters())) for view in exports.VIEWS if "leverage" in view}
    assert sizes == {
        "leverage_projects": 0,
        "leverage_sheets": 0,
        "leverage_territories": 8,
        "leverage_communes": 95,
        "leverage_kinds": 0,
    }
    sentence = L.equity_of_leverage(empty_engine, Filters()).finding_sentence("far_below")
    assert sentence == "Lille Métropole ne finance aucun projet : pas d'effet levier à comparer."


@pytest.mark.parametrize("place", [{}, {"territory": "roubaisien"}, {"commune": "59512"}])
def test_the_page_overview_is_each_table_read_alone(demo_engine, place):
    filters = Filters(**place)
    view = L.overview(demo_engine, filters)
    assert view.summary.results == L.summary(demo_engine, filters).results
    assert view.summary.results["metropolis"]["projects"] > 0
    pd.testing.assert_frame_equal(view.territories, L.place_table(demo_engine, filters, "territory"))
    pd.testing.assert_frame_equal(view.communes, L.place_table(demo_engine, filters, "commune"))
    pd.testing.assert_frame_equal(view.sheets, L.sheet_table(demo_engine, filters))
    pd.testing.assert_frame_equal(view.projects, L.project_table(demo_engine, filters))
    alone = L.equity_of_leverage(demo_engine, filters)
    assert [f.sentence for f in view.equity.findings] == [f.sentence for f in alone.findings]
