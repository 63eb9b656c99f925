"""The Indicateurs page through app.py: charts, catalogue, and the entry form writing to the database."""

import json

from essdash.domain import fmt
from essdash.read import indicators
from essdash.read.selection import resolve

PAGE = "pages/indicateurs.py"


def _specs(at):
    return [json.loads(e.proto.spec) for e in at.get("vega_lite_chart")]


def test_series_chart_table_and_catalogue(app, demo_engine):
    at = app(PAGE)
    assert not at.exception and not at.error
    code = at.selectbox(key="i_code").value
    spec = _specs(at)[0]
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert any(
        "Métropole" in json.dumps(layer) or layer.get("mark", {}).get("strokeWidth") == 3.5 for layer in spec["layer"]
    )
    table = at.dataframe[0].value
    assert "Métropole" in table.index and fmt.period_label("2014-S2") in table.columns
    expected = indicators.series(demo_engine, code, resolve(demo_engine), "2011-S1", "2014-S2").values
    metro = expected[(expected["place"] == "metropole") & (expected["period"] == "2014-S2")]["value"].iloc[0]
    assert table.loc["Métropole", fmt.period_label("2014-S2")] == metro
    at.session_state["i_tab"] = "Catalogue"
    catalogue = at.run().dataframe
    expected = indicators.catalogue(demo_engine)
    assert len(catalogue) == 1 and len(catalogue[0].value) == len(expected)
    formulas = dict(zip(catalogue[0].value["code"], catalogue[0].value["formula"]))
    assert all(formulas[r.code] == (r.formula if isinstance(r.formula, str) else "–") for r in expected.itertuples())
    assert "–" in formulas.values()  # the entered indicators: no formula, a dash rather than « None »
    assert not at.get("vega_lite_chart")  # the series' tab is not drawn while the catalogue's is open


def test_target_line_and_gap_for_an_entered_indicator(app, demo_engine):
    at = app(PAGE)
    at.selectbox(key="i_code").set_value("part_cdi").run()
    layers = _specs(at)[0]["layer"]
    assert any(layer["mark"].get("strokeDash") == [6, 4] for layer in layers)  # target line
    data = indicators.series(demo_engine, "part_cdi", resolve(demo_engine), "2011-S1", "2014-S2")
    gap = indicators.gaps(data.values, data.targets, "up").iloc[-1]
    metric = at.metric[0]
    assert metric.label == "Métropole, 2e semestre 2014 (provisoire)"  # the demo's 2014-S2 is not all validated
    note = next(c.value for c in at.caption if "Provisoire" in c.value)
    assert "Territoire des Weppes" in note and "Territoire Est" not in note  # Est is validated
    assert fmt.number(gap["gap"], 1) in metric.delta


def test_territory_filter_keeps_that_territory_and_the_metropolis(app):
    at = app(PAGE, territoire="lys")
    assert set(at.dataframe[0].value.index) == {"Territoire de la Lys", "Métropole"}


def test_entry_form_saves_values_and_keeps_history(writable_app):
    make, engine = writable_app
    at = make(PAGE, state={"i_tab": "Saisie"})
    at.selectbox(key="i_entry_code").set_value("part_cdi").run()
    at.selectbox(key="i_entry_period").set_value("2014-S2").run()
    scope = "part_cdi-2014-S2"
    previous = indicators.entry_grid(engine, "part_cdi", "2014-S2").set_index("code").loc["weppes", "value"]
    at.text_input(key=f"v-{scope}-weppes").input("61,5")
    at.text_input(key=f"s-{scope}-weppes").input("Enquête emploi 2014")
    at.text_input(key="i_author").input("Claire Martin")
    at.selectbox(key="i_author-role").select("technicien")
    at.button[0].click().run()
    assert not at.error, [e.value for e in at.error]
    assert "1 valeur enregistrée" in at.success[0].value
    grid = indicators.entry_grid(engine, "part_cdi", "2014-S2").set_index("code")
    assert grid.loc["weppes", "value"] == "61,5" and grid.loc["weppes", "source"] == "Enquête emploi 2014"
    history = indicators.history(engine, "part_cdi", "2014-S2")
    weppes = history[history["territory_code"] == "weppes"]
    assert len(weppes) == 2 and f"{weppes['value'].iloc[1]:.10g}".replace(".", ",") == previous


def test_entry_form_refuses_bad_values_in_french_and_writes_nothing(writable_app):
    make, engine = writable_app
    before = indicators.history(engine, "part_cdi", "2014-S2")
    at = make(PAGE, state={"i_tab": "Saisie"})
    at.selectbox(key="i_entry_code").set_value("part_cdi").run()
    at.selectbox(key="i_entry_period").set_value("2014-S2").run()
    scope = "part_cdi-2014-S2"
    at.text_input(key=f"v-{scope}-lys").input("150")
    at.text_input(key=f"v-{scope}-est").input("40 €")
    at.text_input(key=f"v-{scope}-weppes").input("44")
    at.text_input(key="i_author").input("Claire Martin")
    at.selectbox(key="i_author-role").select("technicien")
    at.button[0].click().run()
    message = at.error[0].value
    assert "Rien n'a été enregistré" in message
    assert "Territoire de la Lys, Valeur" in message and "hors de l'intervalle" in message
    assert "Territoire Est, Valeur" in message and "unité" in message
    assert indicators.history(engine, "part_cdi", "2014-S2").equals(before)
