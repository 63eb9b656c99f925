"""Reads against a hand-built database (exact expected figures) and against the demo data."""

from datetime import date, datetime

import pytest
from sqlalchemy import insert, select

from essdash.domain import models as m
from essdash.read import queries
from essdash.read.filters import Filters
from essdash.read.selection import resolve
from tests.fixtures.stores import connect


@pytest.fixture
def small(empty_engine):
    """Three projects: Roubaix (also serving Lille), Tourcoing, Lille; two funders."""
    with empty_engine.begin() as conn:
        sheet = dict(conn.execute(select(m.ActionSheet.code, m.ActionSheet.id)).all())
        conn.execute(
            insert(m.Organisation),
            [
                {"id": 1, "name": "SCOP Atelier 100% vélo", "legal_form": "scop", "commune_code": "59512"},
                {"id": 2, "name": "Association Jardins", "legal_form": "association", "commune_code": "59599"},
            ],
        )
        base = {
            "intervention_mode": "convention_objectifs",
            "sector": "mobilite",
            "updated_at": datetime(2013, 1, 1),
            "description": "",
            "priority_district": False,
        }
        conn.execute(
            insert(m.Project),
            [
                {
                    **base,
                    "id": 1,
                    "title": "Garage solidaire",
                    "carrier_id": 1,
                    "commune_code": "59512",
                    "status": "en_cours",
                    "proposed_on": date(2012, 2, 1),
                    "jobs_created": 4,
                    "jobs_maintained": 1,
                    "beneficiaries": 100,
                    "priority_district": True,
                },
                {
                    **base,
                    "id": 2,
                    "title": "Jardin partagé",
                    "carrier_id": 2,
                    "commune_code": "59599",
                    "status": "valide",
                    "proposed_on": date(2013, 3, 1),
                    "jobs_created": 2,
                    "jobs_maintained": 0,
                    "beneficiaries": 40,
                    "sector": "alimentation",
                },
                {
                    **base,
                    "id": 3,
                    "title": "Épicerie",
                    "carrier_id": 2,
                    "commune_code": "59350",
                    "status": "realise",
                    "proposed_on": date(2011, 5, 1),
                    "jobs_created": 1,
                    "jobs_maintained": 3,
                    "beneficiaries": 10,
                    "intervention_mode": "intervention_directe",
                },
            ],
        )
        conn.execute(insert(m.ProjectCommune), [{"project_id": 1, "commune_code": "59350"}])
        conn.execute(
            insert(m.ProjectSheet),
            [
                {"project_id": 1, "sheet_id": sheet["II.32"]},
                {"project_id": 2, "sheet_id": sheet["III.4"]},
                {"project_id": 3, "sheet_id": sheet["II.2"]},
            ],
        )
        conn.execute(
            insert(m.Funder),
            [{"id": 1, "name": "Lille Métropole", "kind": "EPCI"}, {"id": 2, "name": "Région", "kind": "Région"}],
        )
        conn.execute(
            insert(m.Funding),
            [
                {"project_id": 1, "funder_id": 1, "type": "subvention", "amount": 10000.0, "year": 2012},
                {"project_id": 1, "funder_id": 2, "type": "pret", "amount": 5000.0, "year": 2012},
                {"project_id": 3, "funder_id": 1, "type": "subvention", "amount": 2500.0, "year": 2011},
            ],
        )
    return empty_engine


def test_key_figures_whole_metropolis(small):
    figures = queries.key_figures(small, Filters())
    assert figures == {
        "projects": 3,
        "carriers": 2,
        "communes": 3,
        "money": 17500.0,
        "jobs_created": 7,
        "jobs_maintained": 4,
        "beneficiaries": 150,
        "priority_district": 1,
    }


@pytest.mark.parametrize(
    "filters, expected_ids",
    [
        (Filters(territory="roubaisien"), [1]),
        (Filters(territory="lillois"), [1, 3]),  # project 1 also serves Lille
        (Filters(commune="59350"), [1, 3]),
        (Filters(territory="tourquennois"), [2]),
        (Filters(territory="weppes"), []),
        (Filters(statuses=("valide", "realise")), [2, 3]),
        (Filters(sheet="II.3"), [1]),  # II.32 is a sub-section of II.3
        (Filters(sheet="II.32"), [1]),
        (Filters(sector="alimentation"), [2]),
        (Filters(mode="intervention_directe"), [3]),
        (Filters(search="jardin"), [2, 3]),  # carrier name matches too
        (Filters(search="100%"), [1]),  # % is literal, not a wildcard
        (Filters(search="%"), [1]),
        (Filters(search="_"), []),
    ],
)
def test_register_filters(small, filters, expected_ids):
    register = queries.project_register(small, filters)
    assert register["id"].tolist() == expected_ids
    assert queries.key_figures(small, filters)["projects"] == len(expected_ids)


def test_register_columns_are_labelled_in_french(small):
    row = queries.project_register(small, Filters()).set_index("id").loc[1]
    assert row["status"] == "En cours"
    assert row["legal_form"] == "SCOP"
    assert row["sector"] == "Mobilité"
    assert row["amount"] == 15000.0
    assert row["sheets"] == "II.32"
    assert row["territory"] == "Territoire Roubaisien"


def test_breakdowns(small):
    by_status = queries.projects_by_status(small, Filters()).set_index("status")["projects"]
    assert by_status["en_cours"] == 1 and by_status["propose"] == 0 and by_status.sum() == 3
    funders = queries.money_by_funder(small, Filters())
    assert funders[["funder", "amount"]].values.tolist() == [["Lille Métropole", 12500.0], ["Région", 5000.0]]
    assert queries.money_by_funder(small, Filters(territory="tourquennois")).empty
    jobs = queries.jobs_by_territory(small, Filters()).set_index("territory")
    assert jobs.loc["Territoire Roubaisien", "jobs_created"] == 4
    sheets_all = queries.sheets_by_status(small, resolve(small))
    assert sheets_all["sheets"].sum() == 25
    assert queries.sheets_by_status(small, resolve(small, territory="roubaisien"))["sheets"].sum() == 1


def test_project_detail(small):
    detail = queries.project_detail(small, 1)
    assert detail["carrier"] == "SCOP Atelier 100% vélo"
    assert detail["further_communes"] == ["Lille"]
    assert [s["code"] for s in detail["sheets"]] == ["II.32"]
    assert detail["fundings"]["amount"].sum() == 15000.0
    assert set(detail["fundings"]["type"]) == {"Subvention", "Prêt"}
    assert queries.project_detail(small, 999) is None


def test_demo_totals_match_an_independent_sql_computation(demo_engine, demo_url):
    with connect(demo_url) as conn:
        (money,) = conn.execute(
            "SELECT SUM(f.amount) FROM funding f JOIN project p ON p.id = f.project_id "
            "JOIN commune c ON c.insee_code = p.commune_code WHERE c.territory_code='roubaisien' "
            "OR EXISTS (SELECT 1 FROM projectcommune pc JOIN commune c2 ON c2.insee_code = "
            "pc.commune_code WHERE pc.project_id = p.id AND c2.territory_code='roubaisien')"
        ).fetchone()
        (jobs,) = conn.execute("SELECT SUM(jobs_created) FROM project").fetchone()
    assert queries.key_figures(demo_engine, Filters(territory="roubaisien"))["money"] == pytest.approx(money)
    assert queries.key_figures(demo_engine, Filters())["jobs_created"] == jobs
    register = queries.project_register(demo_engine, Filters(territory="roubaisien"))
    assert register["amount"].sum() == pytest.approx(money)


def test_options_and_counts(demo_engine):
    territories = queries.territory_options(demo_engine)
    assert territories["population"].sum() == 1_195_234
    assert len(queries.commune_options(demo_engine, "weppes")) == 25
    assert queries.counts(demo_engine)["communes"] == 95
    assert queries.dataset_info(demo_engine)["dataset"] == "demo"
