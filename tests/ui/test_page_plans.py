"""Several plans in the pages: every page runs clean with ``?plan=`` for each plan, the selector and
the URL agree, the fiche tree follows the chosen plan, a fictional plan says so, and the Plan
d'actions page carries projects over from the earlier plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from essdash.ui.navigation import PAGES
from essdash.write import plans
from essdash.write.actor import Actor

REAL, FICTIONAL = "PMDE-ESS-2011-2014", "FICTIF-2015-2020"
FILE = Path(__file__).parents[1] / "fixtures" / "plan_fictif.yaml"


@pytest.fixture
def two_plans(writable_app):
    """The demo, with the fictional 2015–2020 plan imported beside the real one."""
    make, engine = writable_app
    plans.import_plan(engine, Actor("Claire Martin", "mission ESS"), FILE.read_bytes(), FILE.name)
    make.engine = engine
    return make


def _no_errors(at):
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _selector(at):
    return next(box for box in at.sidebar.selectbox if box.label == "Plan d'actions")


@pytest.mark.parametrize("code", [REAL, FICTIONAL])
def test_every_page_runs_clean_for_each_plan(two_plans, code):
    for page in PAGES:
        at = two_plans(page.script, plan=code)
        _no_errors(at)
        if page.url_path != "presentation":
            assert _selector(at).value == code, page.script
        notices = " ".join(w.value for w in at.warning)
        assert ("Plan fictif de démonstration" in notices) == (code == FICTIONAL), page.script


def test_the_fiche_tree_and_a_deep_linked_fiche_follow_the_plan(two_plans):
    real = two_plans("pages/plan.py")
    assert _selector(real).value == REAL  # the demo's reference date falls in 2011–2014
    assert len(real.dataframe[0].value) == 25
    fictional = two_plans("pages/plan.py", plan=FICTIONAL, fiche="I.1")
    _no_errors(fictional)
    assert len(fictional.dataframe[0].value) == 4
    heading = " ".join(h.value for h in fictional.subheader)
    assert "I.1 — Fiche fictive" in heading and "animer le réseau des communes" in heading
    assert "partager les données" in " ".join(md.value for md in fictional.markdown)
    assert fictional.query_params["plan"] in (FICTIONAL, [FICTIONAL])


def test_an_unknown_plan_in_the_url_is_dropped_with_a_french_warning(two_plans):
    at = two_plans("pages/plan.py", plan="ATLANTIDE")
    _no_errors(at)
    assert "Plan « ATLANTIDE » inconnu" in " ".join(w.value for w in at.warning)
    assert "plan" not in at.query_params
    assert _selector(at).value == REAL


def test_the_plan_page_records_a_carry_over_and_lists_it(two_plans):
    at = two_plans("pages/plan.py", plan=FICTIONAL, state={"co_open": True})
    at.selectbox(key="co_old").select("III.4")
    at.selectbox(key="co_new").select("I.2")
    at.text_input(key="sig-carry").input("Claire Martin")
    at.selectbox(key="sig-carry-role").select("mission ESS")
    next(b for b in at.button if b.label == "Enregistrer la correspondance").click().run()
    _no_errors(at)
    with two_plans.engine.connect() as conn:
        linked = conn.execute(
            text(
                "SELECT count(*) FROM projectsheet ps JOIN actionsheet s ON s.id = ps.sheet_id "
                "JOIN axis a ON a.id = s.axis_id JOIN plan p ON p.id = a.plan_id "
                "WHERE p.code = 'FICTIF-2015-2020' AND s.code = 'I.2'"
            )
        ).scalar_one()
        still_open = conn.execute(
            text(
                "SELECT count(DISTINCT pr.id) FROM project pr JOIN projectsheet ps ON ps.project_id = pr.id "
                "JOIN actionsheet s ON s.id = ps.sheet_id JOIN axis a ON a.id = s.axis_id "
                "JOIN plan p ON p.id = a.plan_id WHERE p.code = 'PMDE-ESS-2011-2014' AND s.code = 'III.4' "
                "AND pr.status NOT IN ('realise', 'abandonne')"
            )
        ).scalar_one()
    assert linked == still_open > 0
    assert "Correspondance III&#46;4 → I&#46;2" in at.success[0].value  # codes escaped: « . » is &#46;
    shown = at.dataframe[-1].value
    assert list(zip(shown["old_code"], shown["new_code"])) == [("III.4", "I.2")]


def test_the_indicators_page_draws_the_targets_of_the_chosen_plan_only(two_plans):
    def layers(code):
        at = two_plans("pages/indicateurs.py", plan=code)
        at.selectbox(key="i_code").select("emplois_crees").run()
        _no_errors(at)
        spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
        return len(spec.get("layer", []))

    real, fictive = layers(REAL), layers(FICTIONAL)
    assert real == fictive + 2  # target ticks and their dashed line; the demo has targets for 2011–2014 only
