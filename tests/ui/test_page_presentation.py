"""The presentation mode through app.py: every view from first to last, then back to the setup."""

from essdash.domain import fmt
from essdash.read import pack, places, queries
from essdash.read.filters import Filters

PAGE = "pages/presentation.py"


def _button(at, prefix):
    return next(b for b in at.button if b.label.startswith(prefix))


def test_walk_the_presentation_from_first_to_last_view(app, demo_engine):
    at = app(PAGE)
    assert not at.exception, at.exception
    assert at.selectbox(key="p_period").value == "2014-S2"
    downloads = at.get("download_button")
    assert [d.proto.label for d in downloads] == ["Dossier de séance (PDF)", "Diaporama (PowerPoint)"]
    assert all(d.proto.deferred_file_id for d in downloads)  # rendered only when asked for
    at.selectbox(key="p_period").set_value("2013-S2").run()
    _button(at, "Lancer la présentation").click().run()
    expected = pack.build(demo_engine, "2013-S2")
    assert at.title[0].value == expected.title
    assert _button(at, "◀ Précédent").disabled
    seen = []
    while not _button(at, "Suivant").disabled:
        _button(at, "Suivant").click().run()
        assert not at.exception, at.exception
        seen.append(at.header[0].value)
        if at.header[0].value == "Chiffres clés":
            metrics = {m.label: m.value for m in at.metric}
            projects = queries.key_figures(demo_engine, Filters(period_from="2011-S1", period_to="2013-S2"))["projects"]
            assert metrics["Projets proposés depuis 2011"] == fmt.number(projects)
    assert seen == [fmt.md_escape(s.title) for s in expected.sections]
    assert not at.sidebar.selectbox  # nothing else on screen while presenting
    _button(at, "◀ Précédent").click().run()
    assert at.header[0].value == fmt.md_escape(expected.sections[-2].title)
    _button(at, "Quitter").click().run()
    assert _button(at, "Lancer la présentation")


def test_technician_presentation_compares_with_the_metropolis(app, demo_engine):
    at = app(PAGE, territoire="roubaisien")
    _button(at, "Lancer la présentation").click().run()
    assert "Territoire Roubaisien" in at.header[0].value
    _button(at, "Suivant").click().run()
    _button(at, "Suivant").click().run()
    assert at.header[0].value == "Territoire Roubaisien et la métropole"
    summary = places.place_summary(
        places.place_figures(demo_engine, Filters(period_from="2011-S1", period_to="2014-S2"), "territory"),
        "roubaisien",
    )
    deltas = [m.delta for m in at.metric]
    assert f"métropole : {fmt.number(summary['metro']['projects_per_10k'], 1)}" in deltas
