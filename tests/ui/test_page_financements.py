"""The Financements page through app.py: its figures and sentences are the leverage reads', for the
whole metropolis, a territory and a past reference date."""

from datetime import date

from essdash.domain import fmt
from essdash.domain import leverage as lv
from essdash.read import leverage
from essdash.read.filters import Filters
from essdash.ui import leverage_views

PAGE = "pages/financements.py"
METRO = "1 € de Lille Métropole → euros d'autres financeurs"
CITIZEN = "1 € d'épargne citoyenne → euros d'autres financeurs"


def _metrics(at):
    return {m.label: m.value for m in at.metric}


def _clean(at):
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_headline_figures_and_sentences(app, demo_engine):
    at = app(PAGE)
    _clean(at)
    result = leverage.summary(demo_engine, Filters())
    metrics = _metrics(at)
    assert metrics[METRO] == lv.figure(result.results["metropolis"]["leverage"])
    assert metrics[CITIZEN] == lv.figure(result.results["citizen"]["leverage"])
    # the demo has citizen savings: both figures are numbers
    assert metrics[METRO] != "–" and metrics[CITIZEN] != "–"
    texts = [md.value for md in at.markdown]
    assert fmt.md_escape(result.sentence("metropolis")) in texts
    tables = [len(df.value) for df in at.dataframe]
    assert tables == [8]  # the territories' tab is open; the other tabs are not drawn
    assert at.get("vega_lite_chart")
    assert not any("Indice de Gini" in t for t in texts)
    at.session_state["f_tab"] = "Équité du levier"
    _clean(at.run())
    assert any(t.startswith("- ") and "Indice de Gini" in t for t in (md.value for md in at.markdown))


def test_territory_and_reference_date(app, demo_engine):
    at = app(PAGE, territoire="roubaisien", au="2013-06-30", state={"f_tab": "Équité du levier"})
    _clean(at)
    expected = leverage.summary(demo_engine, Filters(territory="roubaisien", as_of=date(2013, 6, 30)))
    assert _metrics(at)[METRO] == lv.figure(expected.results["metropolis"]["leverage"])
    whole = leverage.summary(demo_engine, Filters())
    assert expected.results["metropolis"]["lever"] < whole.results["metropolis"]["lever"]
    assert any("Territoire Roubaisien" in s.value for s in at.subheader)
    # the equity of leverage compares the territory's communes: no split between territories
    assert "Indice de Gini" in _metrics(at)
    assert "Theil : part entre territoires" not in _metrics(at)


def test_an_empty_leverage_is_explained_in_french_beneath_its_table(app, demo_engine):
    """An empty cell shows « – »: a commune with lever money of one kind only has no leverage of the
    other, and the page says what that « – » means; the funder types have none."""
    by_commune = leverage.place_table(demo_engine, Filters(), "commune")
    with_lever = by_commune[(by_commune["metropolis"] > 0) | (by_commune["citizen"] > 0)]
    assert ((with_lever["metropolis"] == 0) | (with_lever["citizen"] == 0)).any()
    at = app(PAGE, state={"f_tab": "Communes"})
    _clean(at)
    assert leverage_views.DASH_MEANS in [c.value for c in at.caption]
    at.session_state["f_tab"] = "Natures de financeurs"
    _clean(at.run())
    assert at.dataframe and leverage_views.DASH_MEANS not in [c.value for c in at.caption]
