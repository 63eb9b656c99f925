"""The Équité page through app.py: figures equal the equity report, measures, territory focus."""

import json

from essdash.domain import fmt
from essdash.read import equity_report, places
from essdash.read.filters import Filters

PAGE = "pages/equite.py"
PLAN = Filters(period_from="2011-S1", period_to="2014-S2")


def _metrics(at):
    return {m.label: m.value for m in at.metric}


def test_figures_and_sentences_match_the_report(app, demo_engine):
    at = app(PAGE)
    assert not at.exception and not at.error
    result = equity_report.report(
        places.place_figures(demo_engine, PLAN, "commune"),
        places.place_figures(demo_engine, PLAN, "territory"),
        "projects",
    )
    metrics = _metrics(at)
    assert metrics["Indice de Gini"] == fmt.number(result.gini, 2)
    assert metrics["Indice de Hoover"] == fmt.percent(result.hoover)
    assert metrics["Communes touchées"] == fmt.percent(result.coverage.units_share)
    assert metrics["Theil : part entre territoires"] == fmt.percent(result.theil.between / result.theil.total)
    sentences = [md.value for md in at.markdown if md.value.startswith("- ")]
    assert sentences == [
        f"- {fmt.md_escape(result.finding(key).sentence)}" for key in ("coverage", "gini", "theil", "hoover", "funnel")
    ]
    kinds = {}
    for tab in ("Territoires", "Lorenz", "Entonnoir"):  # lazy tabs: each drawn when open
        at.session_state["e_tab"] = tab
        at.run()
        kinds[tab] = [json.loads(e.proto.spec)["layer"][1]["mark"]["type"] for e in at.get("vega_lite_chart")]
    # rates with the metropolitan rule, Lorenz, funnel: one chart per tab, the other tabs' not drawn
    assert kinds == {"Territoires": ["rule"], "Lorenz": ["line"], "Entonnoir": ["circle"]}


def test_money_has_no_funnel_and_other_figures(app):
    at = app(PAGE, state={"e_tab": "Entonnoir"})
    at.radio(key="e_measure").set_value("money").run()
    assert not at.exception
    assert any("ne s'applique pas à des montants" in i.value for i in at.info)
    assert "euros engagés" in " ".join(md.value for md in at.markdown)


def test_territory_focus_restricts_the_communes(app, demo_engine):
    at = app(PAGE, territoire="weppes")
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) == 8  # territories stay, for comparison
    at.session_state["e_tab"] = "Communes"
    communes = at.run().dataframe[0].value
    assert set(communes["territory"]) == {"Territoire des Weppes"}
    assert at.caption[0].value.startswith("Territoire des Weppes · situation au 15/12/2014 · projets proposés du ")


def test_white_spots_follow_the_slider(app, demo_engine):
    at = app(PAGE, state={"e_tab": "Zones blanches"})
    at.slider(key="e_last_n").set_value(2).run()
    spots = places.white_spots(demo_engine, PLAN, 2)
    shown = at.dataframe[-1].value
    assert shown["insee_code"].tolist() == spots["insee_code"].tolist()
    # the latest proposal's day, or « jamais » where Streamlit would write an English « None »
    expected = ["jamais" if d is None else d.strftime("%d/%m/%Y") for d in spots["latest"]]
    assert shown["latest"].tolist() == expected and "jamais" in expected and len(set(expected)) > 2
    at.slider(key="e_last_n").set_value(8).run()
    assert len(at.dataframe[-1].value) == len(places.white_spots(demo_engine, PLAN, 8)) <= len(spots)
