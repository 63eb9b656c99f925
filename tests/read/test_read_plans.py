"""Several plans in the reads: which plan is in force, and the fiche tree, a fiche, the project
filter by fiche, the new-project link, the targets and the pack following the chosen plan. The
fictional plan (tests/fixtures/plan_fictif.yaml) reuses the codes « I.1 » … of the real one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from essdash.domain import models as m
from essdash.domain.errors import ValidationError
from essdash.read import followup, indicators, pack, plans, queries
from essdash.read.filters import Filters
from essdash.read.selection import resolve
from essdash.store.db import make_engine, write_meta
from essdash.write import plans as write_plans
from essdash.write import projects
from essdash.write.actor import Actor

LOCAL = Actor("Claire Martin", "mission ESS")
REAL, FICTIONAL = "PMDE-ESS-2011-2014", "FICTIF-2015-2020"
FILE = Path(__file__).parents[1] / "fixtures" / "plan_fictif.yaml"
FICTIONAL_SHEETS = {"I.1", "I.2", "II.1", "II.11"}  # read off the fixture file


@pytest.fixture
def two_plans(empty_engine):
    write_plans.import_plan(empty_engine, LOCAL, FILE.read_bytes(), FILE.name)
    return empty_engine


@pytest.fixture
def demo_two_plans(demo_copy):
    engine = make_engine(demo_copy)
    write_plans.import_plan(engine, LOCAL, FILE.read_bytes(), FILE.name)
    yield engine
    engine.dispose()


def test_the_plan_in_force_is_the_latest_started_by_the_day(two_plans):
    known = plans.plans(two_plans)
    assert [p.code for p in known] == [REAL, FICTIONAL]
    on = {day: plans.in_force(known, day).code for day in (date(2010, 5, 1), date(2014, 12, 31), date(2015, 1, 1))}
    assert on == {date(2010, 5, 1): REAL, date(2014, 12, 31): REAL, date(2015, 1, 1): FICTIONAL}
    assert resolve(two_plans, as_of=date(2013, 1, 1)).plan == REAL
    assert resolve(two_plans, as_of=date(2013, 1, 1), plan=FICTIONAL).plan == FICTIONAL


def test_the_fiche_tree_and_a_fiche_follow_the_chosen_plan(two_plans):
    write_meta(two_plans, as_of="2014-12-15")
    assert set(followup.sheet_tree(two_plans, resolve(two_plans, plan=FICTIONAL))["code"]) == FICTIONAL_SHEETS
    real = followup.sheet_tree(two_plans, resolve(two_plans))
    assert len(real) == 25 and "III.56" in set(real["code"])
    write_meta(two_plans, as_of="2016-06-30")  # the fictional plan is now in force
    assert set(followup.sheet_tree(two_plans, resolve(two_plans))["code"]) == FICTIONAL_SHEETS
    assert len(followup.sheet_tree(two_plans, resolve(two_plans, plan=REAL))) == 25
    fictive = followup.sheet_detail(two_plans, "I.1", resolve(two_plans, plan=FICTIONAL))
    original = followup.sheet_detail(two_plans, "I.1", resolve(two_plans, plan=REAL))
    assert fictive["title"] == "Fiche fictive : animer le réseau des communes"
    assert original["title"] == "Lille Métropole, animateur du territoire et de la politique communautaire de l'ESS"
    assert list(fictive["actions"]["title"]) == [
        "Action fictive : réunir les communes chaque semestre",
        "Action fictive : partager les données",
    ]
    assert set(queries.sheet_options(two_plans, FICTIONAL)["code"]) == FICTIONAL_SHEETS
    assert len(queries.sheet_options(two_plans, REAL)) == 25


def test_the_project_filter_by_fiche_stays_within_the_plan(demo_two_plans, demo_engine):
    alone = queries.project_register(demo_engine, Filters(sheet="I.1"))["id"].tolist()
    assert alone
    assert queries.project_register(demo_two_plans, Filters(sheet="I.1", plan=REAL))["id"].tolist() == alone
    assert queries.project_register(demo_two_plans, Filters(sheet="I.1", plan=FICTIONAL)).empty


def test_a_new_project_is_linked_to_the_fiche_of_the_named_plan(two_plans):
    data = {
        "title": "Garage solidaire",
        "commune_code": "59512",
        "intervention_mode": "convention_objectifs",
        "sector": "mobilite",
    }
    common = {"carrier_name": "SCOP Roule", "legal_form": "scop", "sheets": ["I.1"], "proposed_on": date(2015, 5, 2)}
    with pytest.raises(ValidationError, match="existe dans plusieurs plans"):
        projects.create_project(two_plans, LOCAL, data, **common)
    pid = projects.create_project(two_plans, LOCAL, data, **common, plan=FICTIONAL)
    with two_plans.connect() as conn:
        linked = conn.execute(
            select(m.Plan.code, m.ActionSheet.code)
            .join(m.Axis, m.Axis.plan_id == m.Plan.id)
            .join(m.ActionSheet, m.ActionSheet.axis_id == m.Axis.id)
            .join(m.ProjectSheet, m.ProjectSheet.sheet_id == m.ActionSheet.id)
            .where(m.ProjectSheet.project_id == pid)
        ).all()
    assert [tuple(r) for r in linked] == [(FICTIONAL, "I.1")]


def test_targets_and_the_pack_follow_the_plan(demo_two_plans):
    real = indicators.series(demo_two_plans, "emplois_crees", resolve(demo_two_plans, plan=REAL))
    fictive = indicators.series(demo_two_plans, "emplois_crees", resolve(demo_two_plans, plan=FICTIONAL))
    assert not real.targets.empty and set(real.targets["period"]) <= {
        f"{y}-S{s}" for y in range(2011, 2015) for s in (1, 2)
    }
    assert fictive.targets.empty  # the demo's targets are those of 2011–2014
    assert fictive.values.equals(real.values)  # the register is shared by every plan
    built = pack.build(demo_two_plans, "2014-S2", plan_code=FICTIONAL)
    assert "plan d'actions 2015-2020 (plan fictif de démonstration)" in built.subtitle
    sources = next(s for s in built.sections if s.title == "Sources").sentences
    assert any("ce plan n'existe pas" in s for s in sources)
    default = pack.build(demo_two_plans, "2014-S2")
    assert "plan d'actions 2011-2014 —" in default.subtitle
    assert any(
        "(adopté le 28 janvier 2011)" in s for s in next(s for s in default.sections if s.title == "Sources").sentences
    )
    with pytest.raises(ValueError, match="Plan « ATLANTIDE » inconnu"):
        pack.build(demo_two_plans, "2014-S2", plan_code="ATLANTIDE")


def test_fiches_by_status_and_the_fiche_export_follow_the_plan_and_carriers_stay_shared(demo_two_plans, demo_engine):
    from essdash.read import exports

    counted = queries.sheets_by_status(demo_two_plans, resolve(demo_two_plans, plan=FICTIONAL))
    assert counted["sheets"].sum() == 4 and counted.set_index("status").loc["a_venir", "sheets"] == 4
    assert queries.sheets_by_status(demo_two_plans, resolve(demo_two_plans, plan=REAL)).equals(
        queries.sheets_by_status(demo_engine, resolve(demo_engine))
    )
    fictive = exports.frame(demo_two_plans, "sheets", resolve(demo_two_plans, plan=FICTIONAL))
    assert sorted(fictive["Code"]) == sorted(FICTIONAL_SHEETS)
    assert set(fictive["Plan"]) == {"FICTIF-2015-2020 (plan fictif de démonstration)"}
    assert set(exports.frame(demo_two_plans, "sheets", Filters(plan=REAL))["Plan"]) == {REAL}
    carriers = exports.frame(demo_two_plans, "organisations", Filters(plan=FICTIONAL))
    assert carriers.equals(exports.frame(demo_engine, "organisations", Filters()))
