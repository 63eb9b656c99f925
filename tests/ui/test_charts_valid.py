"""Every chart the pages draw is valid Vega-Lite: the app converts charts without validating them
(``render.charts.vega_lite``), so this test validates each one against Altair's schema."""

from essdash.render import charts
from essdash.ui.navigation import PAGES, PUBLIC_PAGES
from tests.ui.conftest import TAB_KEYS


def _button(at, prefix):
    return next(b for b in at.button if b.label.startswith(prefix))


def test_every_chart_drawn_by_the_pages_is_valid_vega_lite(app, monkeypatch):
    drawn, opened = [], []
    convert = charts.vega_lite

    def recording(chart):
        drawn.append(chart)
        return convert(chart)

    monkeypatch.setattr(charts, "vega_lite", recording)
    for page in (*PAGES, *PUBLIC_PAGES):
        at = app(page.script)
        assert not at.exception, (page.title, at.exception)
        if page.script in TAB_KEYS:  # lazy tabs: each tab's charts are drawn when it is open
            labels = [tab.label for tab in at.tabs]
            for label in labels[1:]:
                at.session_state[TAB_KEYS[page.script]] = label
                assert not at.run().exception, (page.title, label, at.exception)
            opened.append(len(labels))
    at = app("pages/carte.py")
    at.toggle(key="m_static").set_value(True).run()
    at = app("pages/presentation.py")
    _button(at, "Lancer la présentation").click().run()
    while not _button(at, "Suivant").disabled:
        _button(at, "Suivant").click().run()
        assert not at.exception, at.exception
    marks = set()
    for chart in drawn:
        spec = chart.to_dict(validate=True)  # raises on a spec that breaks the Vega-Lite schema
        marks.update(str(layer.get("mark")) for layer in [spec, *spec.get("layer", [])] if layer.get("mark"))
    # Synthèse 4, Comité 1, Indicateurs 1, Équité 3, Financements 2, the static map, the pack's charts
    assert len(drawn) >= 12
    # Comité, Indicateurs, Évaluation, Équité, Financements, Données, the public view: every tab opened
    assert opened == [4, 4, 3, 6, 6, 4, 5]
    assert any("geoshape" in mark for mark in marks)
