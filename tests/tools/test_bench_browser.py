"""The browser bench's split of a wait (kinds of script, main thread's work) and, in Chromium, its report
(no timing is asserted)."""

import json

import pytest

from essdash.tools import bench_browser
from essdash.ui.navigation import PAGES

STATIC = "http://127.0.0.1:8501/static/js"


@pytest.mark.parametrize(
    ("url", "function", "kind"),
    [
        (f"{STATIC}/embed.CX5AQgxi.js", "render", "graphiques"),
        (f"{STATIC}/ArrowVegaLiteChart.C1pLU68S.js", "", "graphiques"),
        (f"{STATIC}/vega-interpreter.C4ySyTor.js", "x", "graphiques"),
        (f"{STATIC}/DataFrame.-f9-1zS0.js", "draw", "tableaux"),
        (f"{STATIC}/data-grid-overlay-editor.OpzXKhbO.js", "", "tableaux"),
        ("http://127.0.0.1:8501/app/static/leaflet/leaflet.js", "_update", "carte"),
        ("http://127.0.0.1:8501/component/streamlit_folium.st_folium/index.html", "", "carte"),
        (f"{STATIC}/react-dom.Dzbslgj4.js", "Ho", "Streamlit"),
        (f"{STATIC}/StreamlitMarkdown.oOG-xoxw.js", "", "Streamlit"),
        ("", "(garbage collector)", "Streamlit"),
        ("", "(program)", None),
        ("", "(idle)", None),
        ("", "(root)", None),
    ],
)
def test_a_profiler_sample_is_counted_by_the_bundle_it_falls_in(url, function, kind):
    assert bench_browser.script_kind(url, function) == kind


def test_script_shares_weigh_each_sample_by_its_time():
    def node(number, url, function="f"):
        return {"id": number, "callFrame": {"url": url, "functionName": function}}

    profile = {
        "nodes": [
            node(1, "", "(root)"),
            node(2, f"{STATIC}/embed.CX5AQgxi.js"),
            node(3, f"{STATIC}/react-dom.Dzbslgj4.js"),
            node(4, "", "(program)"),
            node(5, "", "(idle)"),
        ],
        # 300 µs of Vega, 100 µs of React (twice 50), none counted for the browser's own work or idle
        "samples": [2, 3, 4, 3, 5, 2],
        "timeDeltas": [100, 50, 700, 50, 900, 200],
    }
    assert bench_browser.script_shares(profile) == {
        "graphiques": 0.75,
        "tableaux": 0.0,
        "carte": 0.0,
        "Streamlit": 0.25,
    }
    assert bench_browser.script_shares({"nodes": [node(1, "", "(idle)")], "samples": [1], "timeDeltas": [5]}) == {
        "graphiques": 0.0,
        "tableaux": 0.0,
        "carte": 0.0,
        "Streamlit": 0.0,
    }


def test_the_main_thread_split_is_its_counters_difference():
    before = {"TaskDuration": 10.0, "ScriptDuration": 4.0, "RecalcStyleDuration": 1.0, "LayoutDuration": 0.5}
    after = {"TaskDuration": 10.25, "ScriptDuration": 4.125, "RecalcStyleDuration": 1.015625, "LayoutDuration": 0.5}
    # busy 250 ms: 125 ms of scripts, 15,625 ms of style, no layout, so 109,375 ms of painting and the rest
    assert bench_browser.main_thread_split(before, after) == {
        "tasks": 0.25,
        "scripts": 0.125,
        "styles": 0.015625,
        "other": 0.109375,
    }


@pytest.mark.browser
def test_the_browser_bench_reports_every_gesture_with_its_split(capsys, monkeypatch):
    # two pages (the tour goes round the sidebar's links, here both of theirs), one warm round
    monkeypatch.setattr(bench_browser, "PAGES", PAGES[:2])
    monkeypatch.setattr(bench_browser, "EMPTY_RERUNS", 2)
    bench_browser.run([1], repeat=1, as_json=True)
    report = json.loads(capsys.readouterr().out)
    for load in (report["empty_first_load_s"], report["scales"][0]["first_load_s"]):
        assert load["wait"] > load["scripts"] > 0 and load["server"] > 0
        assert load["wait"] == pytest.approx(load["scripts"] + load["server"] + load["rest"])
    assert report["empty_first_load_s"]["wait"] > report["empty_rerun_s"] > 0
    assert set(report["floor_s"]) == set(report["floor_main_thread_s"]) == {"navigation", "territory"}
    assert all(thread["tasks"] > 0 for thread in report["floor_main_thread_s"].values())
    # the floor of essdash's shape (its sidebar, a banner, a chart, a table), measured the same way
    assert set(report["shaped_floor_s"]) == set(report["shaped_floor_main_thread_s"]) == {"navigation", "territory"}
    assert all(wait > 0 for wait in report["shaped_floor_s"].values())
    (scale,) = report["scales"]
    assert [row["page"] for row in scale["pages"]] == [p.title for p in PAGES[:2]]
    for row in scale["pages"]:
        assert all(wait > 0 for wait in (*row["first_s"], *row["warm_s"], *row["warm_server_s"]))
        # the run, from the message of its start to that of its end, within the server's part
        assert all(0 < run <= server for run, server in zip(row["warm_run_s"], row["warm_server_s"], strict=True))
        assert all(size > 0 for size in row["warm_bytes"])
        for thread in row["warm_main_thread_s"]:
            assert thread["tasks"] >= thread["scripts"] > 0
            assert thread["tasks"] == pytest.approx(thread["scripts"] + thread["styles"] + thread["other"])
        for shares in row["script_shares"]:
            assert sum(shares.values()) == pytest.approx(1.0) and shares["Streamlit"] > 0
    synthese = scale["pages"][0]  # four charts: Vega's bundle ran on the way to it
    assert synthese["page"] == "Synthèse" and synthese["script_shares"][0]["graphiques"] > 0
