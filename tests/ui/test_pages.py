"""Every page through the real entry point (``app.py``) with Streamlit's AppTest."""

import json
from pathlib import Path

import pyarrow as pa
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from essdash.domain import fmt
from essdash.domain.vocabulary import ProjectStatus, Sector
from essdash.read import places, queries
from essdash.read.filters import Filters
from essdash.store.db import init_db
from essdash.tools import bench
from essdash.ui import map_views
from essdash.ui.navigation import PAGES, PUBLIC_PAGES
from tests.conftest import APP, _app_factory
from tests.ui.conftest import TAB_KEYS, UNFOLDED

PROJETS = "pages/projets.py"


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _specs(at) -> list[dict]:
    return [json.loads(e.proto.spec) for e in at.get("vega_lite_chart")]


def _no_errors(at):
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_navigation_sidebar_bench_and_page_files_are_the_same_pages(app):
    root = Path(APP).parent
    files = {f"pages/{p.name}" for p in (root / "pages").glob("*.py")}
    at = app()
    registered = at._registered_pages.values()  # what app.py's st.navigation registered
    home = [info for info in registered if not info["script_path"]]  # the root URL: switches to Synthèse
    scripts = [info for info in registered if info["script_path"]]
    navigation = {str(Path(info["script_path"]).relative_to(root)) for info in scripts}
    assert [info["url_pathname"] for info in home] == [""]
    assert {info["url_pathname"] for info in scripts} == {Path(f).stem for f in files}
    benched = {script for _, script, _ in bench.visits()}
    links = [link.proto.label for link in at.sidebar.get("page_link")]
    assert len(files) == 15 and navigation == benched == files
    # the sidebar links the members' pages; the public pages are reached by their own URLs
    assert len(links) == len(PAGES) == 13 and "Données" in links and links[0] == "Synthèse"


def test_synthese_shows_the_whole_metropolis(app, demo_engine):
    at = app()
    _no_errors(at)
    figures = queries.key_figures(demo_engine, Filters())
    metrics = _metrics(at)
    assert metrics["Projets"] == fmt.number(figures["projects"])
    assert metrics["Montant engagé"] == fmt.money_short(figures["money"])
    assert metrics["Emplois prévus"] == fmt.number(figures["jobs_created"])
    assert metrics["Emplois maintenus"] == fmt.number(figures["jobs_maintained"])
    assert at.subheader[0].value == "Toute la métropole"
    assert "Données de démonstration fictives" in at.info[0].value
    assert len(_specs(at)) == 4


def test_synthese_charts_use_french_number_locale_and_the_selection(app, demo_engine):
    at = app(territoire="lys")
    specs = _specs(at)
    for spec in specs:
        assert spec["config"]["locale"]["number"]["decimal"] == ","
        assert spec["config"]["locale"]["number"]["thousands"] == "\u202f"
        assert spec["config"]["locale"]["time"]["months"][0] == "janvier"
    status_spec = next(s for s in specs if "Projets" in json.dumps(s["layer"][0]["encoding"]["x"]))
    chart = next(
        e
        for e in at.get("vega_lite_chart")
        if json.loads(e.proto.spec) is not None and json.loads(e.proto.spec) == status_spec
    )
    data = pa.ipc.open_stream(chart.proto.datasets[0].data.data).read_all().to_pandas()
    expected = queries.projects_by_status(demo_engine, Filters(territory="lys"))
    assert dict(zip(data["status"], data["projects"])) == dict(zip(expected["status"], expected["projects"]))
    assert data["projects"].sum() == queries.key_figures(demo_engine, Filters(territory="lys"))["projects"]


def test_filtered_url_filters_the_synthese(app, demo_engine):
    at = app(territoire="roubaisien")
    _no_errors(at)
    expected = queries.key_figures(demo_engine, Filters(territory="roubaisien"))
    assert _metrics(at)["Projets"] == fmt.number(expected["projects"])
    assert at.subheader[0].value == "Territoire Roubaisien"
    assert at.selectbox(key="flt_territoire").value == "roubaisien"


def test_commune_filter_in_url(app, demo_engine):
    at = app(territoire="roubaisien", commune="59512")
    expected = queries.key_figures(demo_engine, Filters(territory="roubaisien", commune="59512"))
    assert _metrics(at)["Projets"] == fmt.number(expected["projects"])
    assert at.subheader[0].value == "Roubaix"


def test_unknown_codes_in_url_are_ignored_with_a_french_warning(app, demo_engine):
    at = app(territoire="atlantide", commune="12345")
    _no_errors(at)
    warnings = " ".join(w.value for w in at.warning)
    assert "Territoire « atlantide » inconnu" in warnings
    assert "Commune « 12345 » inconnue" in warnings
    assert _metrics(at)["Projets"] == fmt.number(queries.key_figures(demo_engine, Filters())["projects"])
    assert "territoire" not in at.query_params


def test_projets_register_deep_link(app, demo_engine):
    at = app(PROJETS, territoire="roubaisien")
    _no_errors(at)
    register = at.dataframe[0].value
    expected = queries.project_register(demo_engine, Filters(territory="roubaisien"))
    assert register["id"].tolist() == expected["id"].tolist()
    assert at.caption[0].value.startswith(fmt.plural(len(expected), "projet") + " · Territoire Roubaisien")


def test_filters_carry_over_between_pages(app):
    at = app(territoire="est")
    at.switch_page(PROJETS).run()
    assert at.query_params["territoire"] == ["est"] or at.query_params["territoire"] == "est"
    assert set(at.dataframe[0].value["territory"]) <= {"Territoire Est"}
    at.switch_page("pages/synthese.py").run()
    assert at.subheader[0].value == "Territoire Est"


def test_changing_the_territory_widget_updates_the_url_and_resets_the_commune(app):
    at = app(territoire="roubaisien", commune="59512")
    at.selectbox(key="flt_territoire").select("weppes").run()
    assert at.query_params["territoire"] in ("weppes", ["weppes"])
    assert "commune" not in at.query_params
    assert at.subheader[0].value == "Territoire des Weppes"
    at.selectbox(key="flt_territoire").select(None).run()
    assert "territoire" not in at.query_params
    assert at.subheader[0].value == "Toute la métropole"


def test_projets_page_filters(app, demo_engine):
    at = app(PROJETS)
    total = len(at.dataframe[0].value)
    at.multiselect(key="f_status").select(ProjectStatus.IN_PROGRESS).run()
    at.selectbox(key="f_sector").select(Sector.WORK_INTEGRATION).run()
    register = at.dataframe[0].value
    expected = queries.project_register(demo_engine, Filters(statuses=("en_cours",), sector="insertion"))
    assert 0 < len(register) < total
    assert register["id"].tolist() == expected["id"].tolist()
    at.text_input(key="f_search").input("zzz-introuvable").run()
    assert at.dataframe[0].value.empty
    assert at.caption[0].value.startswith("0 projet ")


def test_project_record_from_url(app, demo_engine):
    project_id = int(queries.project_register(demo_engine, Filters(statuses=("realise",)))["id"].iloc[0])
    at = app(PROJETS, projet=str(project_id))
    _no_errors(at)
    detail = queries.project_detail(demo_engine, project_id)
    assert at.subheader[0].value == f"Projet n° {project_id} — {fmt.md_escape(detail['title'])}"
    page_text = " ".join(md.value for md in at.markdown)
    assert fmt.md_escape(detail["carrier"]) in page_text
    assert "**Réalisé**" in page_text
    assert fmt.money(detail["fundings"]["amount"].sum()) in page_text


def test_unknown_project_gives_a_french_error(app):
    at = app(PROJETS, projet="999999")
    assert not at.exception
    assert at.error[0].value == "Projet n° 999999 introuvable."


@pytest.mark.parametrize("given", ["99999999999999999999999", "-1", "0", "abc", "1e3"])
def test_project_id_no_base_can_hold_is_not_found_in_french(app, given):
    """23 digits overflowed the store's 64-bit integer (an uncaught OverflowError); none of these is a project."""
    at = app(PROJETS, projet=given)
    assert not at.exception, [e.message for e in at.exception]
    assert [e.value for e in at.error] == [f"Projet n° {fmt.md_escape(given)} introuvable."]


def test_unusable_database_shows_a_french_error_not_a_traceback(tmp_path, monkeypatch):
    bad = tmp_path / "corrompue.db"
    bad.write_bytes(b"\x00garbage" * 512)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{bad}")
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "Impossible d'ouvrir les données" in at.error[0].value
    assert "illisible" in at.error[0].value
    assert bad.read_bytes() == b"\x00garbage" * 512


@pytest.mark.parametrize("url", ["postgresql://moi@serveur/ess", "sqlite:////proc/interdit/essdash.db"])
def test_database_url_that_cannot_be_opened(url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", url)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "Impossible d'ouvrir les données" in at.error[0].value


CARTE = "pages/carte.py"


def _map_args(at) -> dict:
    components = [e for e in at.get("component_instance") if e.proto.component_name.endswith("st_folium")]
    assert len(components) == 1
    return json.loads(components[0].proto.json_args)


def test_carte_sends_the_choropleth_and_markers(app, demo_engine):
    at = app(CARTE)
    _no_errors(at)
    args = _map_args(at)
    assert args["returned_objects"] == ["last_active_drawing"]
    script, markers = args["script"], args["feature_group"]
    assert script.count('"level": "commune"') == 95
    assert "markerClusterGroup" not in script  # the markers come in their group, added in place
    assert "FastMarkerCluster" not in markers and "markerClusterGroup" in markers
    assert any(link.endswith("/leaflet.markercluster.js") for link in args["js_links"])
    assert "Projets pour 10 000 habitants" in args["html"]
    points = places.project_points(demo_engine, Filters(period_from="2011-S1", period_to="2014-S2"))
    assert markers.count('"id":[') == 1 and f'"id":[{",".join(map(str, points["id"]))}]' in markers
    outside = points[points["placed"] == "outside"]
    assert len(outside) > 0
    warning = " ".join(w.value for w in at.warning)
    assert fmt.plural(len(outside), "projet") + " avec des coordonnées hors de la métropole" in warning
    assert "Sources : INSEE" in " ".join(c.value for c in at.caption)


def test_carte_switches_level_measure_and_markers(app):
    at = app(CARTE)
    at.radio(key="m_level").set_value("territory").run()
    at.selectbox(key="m_measure").set_value("money_per_inhabitant").run()
    at.toggle(key="m_markers").set_value(False).run()
    args = _map_args(at)
    assert args["script"].count('"level": "territory"') == 8
    assert "Montant engagé par habitant" in args["html"]
    assert "markerClusterGroup" not in args["script"] and args["feature_group"] is None


def _marker_ids(args: dict) -> list[int]:
    """The project ids of the markers the map's group carries."""
    payload = args["feature_group"].split('"id":[', 1)[1].split("]", 1)[0]
    return [int(n) for n in payload.split(",")]


def test_carte_changes_territory_in_place(app, demo_engine):
    """A territory change keeps the map's own script, so its element and frame (same id, same key),
    and changes only its group of markers (the territory's projects) and its view."""
    at = app(CARTE)
    before = _map_args(at)
    element = next(e for e in at.get("component_instance") if e.proto.component_name.endswith("st_folium"))
    at.selectbox(key="flt_territoire").set_value("lys").run()
    _no_errors(at)
    after = _map_args(at)
    moved = next(e for e in at.get("component_instance") if e.proto.component_name.endswith("st_folium"))
    assert moved.proto.id == element.proto.id and after["key"] == before["key"]
    assert after["script"] == before["script"]
    period = Filters(period_from="2011-S1", period_to="2014-S2")
    everywhere = places.project_points(demo_engine, period)["id"].tolist()
    in_lys = places.project_points(demo_engine, period.with_(territory="lys"))["id"].tolist()
    assert 0 < len(in_lys) < len(everywhere)
    assert _marker_ids(before) == everywhere and _marker_ids(after) == in_lys
    assert before["center"] == [50.63, 3.06] and before["zoom"] == 10
    (south, west), (north, east) = map_views.focus(Filters(territory="lys"))
    assert south < after["center"][0] < north and west < after["center"][1] < east
    assert after["zoom"] > 10


def test_carte_renders_its_map_once_a_run(app, monkeypatch):
    """st_folium renders the map it is given; rendering its whole page first as well is work twice over."""
    import folium

    renders = []
    render = folium.Map.render
    monkeypatch.setattr(folium.Map, "render", lambda self, **kwargs: renders.append(1) or render(self, **kwargs))
    _no_errors(app(CARTE))
    assert len(renders) == 1


def test_carte_filtered_by_territory_zooms_and_summarises(app, demo_engine):
    at = app(CARTE, territoire="roubaisien")
    _no_errors(at)
    assert _map_args(at)["zoom"] > 10 and "fitBounds" not in _map_args(at)["script"]
    assert any(s.value == "Territoire Roubaisien" for s in at.subheader)
    expected = places.place_figures(demo_engine, Filters(period_from="2011-S1", period_to="2014-S2"), "territory")
    row = expected.set_index("code").loc["roubaisien"]
    assert {m.label: m.value for m in at.metric}["Projets"] == fmt.number(row["projects"])


def test_carte_static_choropleth_on_demand(app, demo_engine):
    at = app(CARTE)
    assert not at.get("vega_lite_chart")
    at.toggle(key="m_static").set_value(True).run()
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert spec["mark"]["type"] == "geoshape"
    assert spec["encoding"]["color"]["title"] == "Projets pour 10 000 habitants"


def test_reference_data_failing_its_checks_stops_the_app_in_french(tmp_path, monkeypatch):
    from essdash.domain.errors import ReferenceDataError
    from essdash.store import db

    def broken():
        raise ReferenceDataError(
            "Données de référence invalides (communes.csv) : 95 communes distinctes attendues, 94 trouvées."
        )

    monkeypatch.setattr(db, "load_reference", broken)
    target = tmp_path / "neuve.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{target}")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "communes.csv" in at.error[0].value and "94 trouvées" in at.error[0].value
    assert list(tmp_path.iterdir()) == []


def test_url_parameters_cannot_inject_markdown(app):
    at = app(territoire="[clic](javascript:alert(1))")
    warning = at.warning[0].value
    assert "&#91;clic&#93;&#40;javascript" in warning  # [ ] ( as character references: shown, never a link
    assert "[clic]" not in warning and "](" not in warning


def test_projets_register_is_paged_beyond_200_rows(fresh_url, monkeypatch):
    url = fresh_url("double")
    engine = init_db(url, dataset="demo", scale=2)
    expected = queries.project_register(engine, Filters())["id"].tolist()
    engine.dispose()
    assert len(expected) == 360  # the demo's 180 projects, twice
    make = _app_factory(url, monkeypatch)
    at = make(PROJETS)
    _no_errors(at)
    assert at.dataframe[0].value["id"].tolist() == expected[:200]
    assert "360 projets, page 1 sur 2." in [c.value for c in at.caption]
    at.selectbox(key="register_page").select(2).run()
    _no_errors(at)
    assert at.dataframe[0].value["id"].tolist() == expected[200:]
    assert "360 projets, page 2 sur 2." in [c.value for c in at.caption]


def _every_view(app, demo_engine):
    """(page title, run) for every page, each of its tabs and its unfolded forms (Projets with a
    proposal's record open)."""
    project = str(queries.project_register(demo_engine, Filters(statuses=("propose",)))["id"].iloc[0])
    for page in (*PAGES, *PUBLIC_PAGES):
        params = {"projet": project} if page.script == "pages/projets.py" else {}
        at = app(page.script, state=UNFOLDED.get(page.script), **params)
        labels = [tab.label for tab in at.tabs][1:] if page.script in TAB_KEYS else []
        assert not at.exception, (page.title, at.exception)
        yield page.title, at
        for label in labels:
            at.session_state[TAB_KEYS[page.script]] = label
            at.run()
            assert not at.exception, (page.title, label, at.exception)
            yield page.title, at


def test_every_choice_box_has_a_french_placeholder(app, demo_engine):
    """Streamlit's own placeholder, shown when a box's text is erased, is English (« Choose an
    option »): every selectbox and multiselect of every page, tab and unfolded form has a French one."""
    boxes = {}
    for title, run in _every_view(app, demo_engine):
        for box in [*run.selectbox, *run.multiselect]:
            boxes[(title, box.key or box.label)] = box.proto.placeholder
    assert len(boxes) >= 40
    assert not [where for where, placeholder in boxes.items() if not placeholder or "choose" in placeholder.lower()]


def test_every_table_shows_a_dash_for_a_missing_value(app, demo_engine):
    """Streamlit draws an empty cell as an English « None » (on a canvas, out of the browser test's
    reach): every table and editable table of every page, tab and unfolded form says « – » instead."""
    tables = {}
    for n, (title, run) in enumerate(_every_view(app, demo_engine)):
        for k, table in enumerate(run.dataframe):  # the editable ones too
            tables[(title, n, k)] = table.proto.placeholder
    assert len(tables) >= 20
    assert not [where for where, placeholder in tables.items() if placeholder != fmt.MISSING]
