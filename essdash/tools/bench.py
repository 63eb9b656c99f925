"""Benchmark of the Streamlit pages: ``python -m essdash bench``.

For each scale (1×, 10×, 100× the demo's projects) it builds a temporary database, then opens
every page through the real entry point with Streamlit's AppTest (a new session per visit) and
prints the first visit (empty data caches) and the median of warm visits, each with its ratio to
a visit of an empty page measured the same way on this machine; plus cold start (create and fill
the database) and the process's peak memory. It prints figures and asserts nothing: speed targets
live here, not in the tests. With ``as_json`` it prints the same figures as one JSON document
(seconds and bytes) instead of the French table.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import statistics
import tempfile
import time
import zlib
from pathlib import Path

import streamlit as st
from streamlit.logger import set_log_level
from streamlit.testing.v1 import AppTest

from essdash.domain import fmt
from essdash.store import db, version
from essdash.store.config import PROJECT_DIR
from essdash.ui.navigation import PAGES, PUBLIC_PAGES

APP = str(PROJECT_DIR / "app.py")
QUIET_LOGGERS = ("streamlit.runtime.scriptrunner_utils.script_run_context", "streamlit.runtime.caching.cache_data_api")
EMPTY_PAGE = "import streamlit as st\nst.write('')\n"
# reads of the data version timed at each scale (every page run reads it once)
VERSION_READS = 1000
# pages also measured with a territory in the URL (their reads narrow to it)
BY_TERRITORY = {"synthese", "projets", "carte", "equite"}
TERRITORY = "roubaisien"


def visits() -> list[tuple[str, str, dict]]:
    """(label, script, URL parameters) of every page of the navigation, some also with a territory."""
    found: list[tuple[str, str, dict]] = []
    for page in (*PAGES, *PUBLIC_PAGES):
        found.append((page.title, page.script, {}))
        if page.url_path in BY_TERRITORY:
            found.append((f"{page.title} ?territoire={TERRITORY}", page.script, {"territoire": TERRITORY}))
    return found


def _sent(app: AppTest) -> tuple[int, int]:
    """Bytes of the page's elements as sent to the browser, raw and deflated (websocket compression)."""
    payload = b"".join(node.proto.SerializeToString() for node in _walk(app._tree) if getattr(node, "proto", None))
    return len(payload), len(zlib.compress(payload, 6))


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _visit(make_app, page: str | None = None, params: dict | None = None, sizes: list | None = None) -> float:
    """One visit: a new session opens the page (AppTest built, run once); seconds taken."""
    started = time.perf_counter()
    app = make_app()
    for key, value in (params or {}).items():
        app.query_params[key] = value
    if page:
        app.switch_page(page)
    app.run()
    elapsed = time.perf_counter() - started
    if app.exception:
        raise RuntimeError(f"la page a levé une exception : {app.exception[0].message}")
    if sizes is not None:
        sizes.append(_sent(app))
    return elapsed


def _page_times(page: str | None, params: dict, repeat: int) -> tuple[float, float, tuple[int, int]]:
    """First visit with empty data caches, the median of ``repeat`` warm visits (seconds), bytes sent."""
    st.cache_data.clear()
    make_app = lambda: AppTest.from_file(APP, default_timeout=120)  # noqa: E731
    sizes: list = []
    first = _visit(make_app, page, params, sizes)
    warm = statistics.median(_visit(make_app, page, params) for _ in range(repeat))
    return first, warm, sizes[0]


def _empty_page(repeat: int) -> float:
    make_app = lambda: AppTest.from_string(EMPTY_PAGE, default_timeout=30)  # noqa: E731
    _visit(make_app)
    return statistics.median(_visit(make_app) for _ in range(repeat))


def _ms(seconds: float) -> str:
    return f"{fmt.number(seconds * 1000)} ms"


def _version_ms(figures: dict) -> str:
    return f"{fmt.number(figures['data_version_s'] * 1000, 3)} ms (médiane de {fmt.number(VERSION_READS)} lectures)"


def _kb(size: int) -> str:
    return f"{fmt.number(size / 1024)} Ko"


def _version_read(engine) -> float:
    """The median time of reading the data version (seconds), as a page run does once."""
    times = []
    for _ in range(VERSION_READS):
        started = time.perf_counter()
        version.data_version(engine)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _store(url_of, scales: list[int], repeat: int, say) -> list[dict]:
    """The figures of every scale on one store: ``url_of(scale)`` is the database rebuilt for it."""
    found = []
    for scale in scales:
        url = url_of(scale)
        started = time.perf_counter()
        engine = db.init_db(url, dataset="demo", scale=scale)
        cold = time.perf_counter() - started
        read_version = _version_read(engine)
        engine.dispose()
        os.environ["DATABASE_URL"] = url
        say(f"  échelle ×{scale} : base créée et remplie en {fmt.number(cold, 2)} s, pages…")
        figures: dict = {
            "scale": scale,
            "projects": 180 * scale,
            "cold_start_s": cold,
            "data_version_s": read_version,
            "pages": [],
        }
        for _, page, params in visits():  # first imports (altair, pandas …) and connections are not page costs
            _visit(lambda: AppTest.from_file(APP, default_timeout=120), page, params)
        for label, page, params in visits():
            first, warm, (raw, packed) = _page_times(page, params, repeat)
            figures["pages"].append(
                {"page": label, "first_s": first, "warm_s": warm, "sent_bytes": raw, "compressed_bytes": packed}
            )
        figures["peak_memory_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        found.append(figures)
    return found


def _print_scale(figures: dict, empty: float) -> None:
    print(
        f"Échelle ×{figures['scale']} — {fmt.number(figures['projects'])} projets — démarrage à froid "
        f"(création + remplissage) : {fmt.number(figures['cold_start_s'], 2)} s"
    )
    print(
        f"  {'page':<32} {'1re visite':>11} {'ratio':>7} {'à chaud':>9} {'ratio':>7} {'envoyé':>10} {'compressé':>10}"
    )
    for row in figures["pages"]:
        first, warm = row["first_s"], row["warm_s"]
        print(
            f"  {row['page']:<32} {_ms(first):>11} {fmt.number(first / empty, 1):>6}× "
            f"{_ms(warm):>9} {fmt.number(warm / empty, 1):>6}× {_kb(row['sent_bytes']):>10} "
            f"{_kb(row['compressed_bytes']):>10}"
        )
    print(f"  version des données, lue à chaque exécution de page : {_version_ms(figures)}")
    print(f"  mémoire maximale du processus : {fmt.number(figures['peak_memory_mb'])} Mo\n")


def _print_beside(server: dict, sqlite: dict, empty: float) -> None:
    """One scale on PostgreSQL, its ratios beside SQLite's."""
    print(
        f"Échelle ×{server['scale']} — démarrage à froid : PostgreSQL {fmt.number(server['cold_start_s'], 2)} s, "
        f"SQLite {fmt.number(sqlite['cold_start_s'], 2)} s"
    )
    print(f"  version des données : PostgreSQL {_version_ms(server)}, SQLite {_version_ms(sqlite)}")
    print(f"  {'':<32} {'1re visite (ratio)':>21} {'à chaud (ratio)':>21}")
    print(f"  {'page':<32} {'PostgreSQL':>10} {'SQLite':>10} {'PostgreSQL':>10} {'SQLite':>10}")
    for row, other in zip(server["pages"], sqlite["pages"]):
        ratios = [row["first_s"], other["first_s"], row["warm_s"], other["warm_s"]]
        cells = " ".join(f"{fmt.number(value / empty, 1) + '×':>10}" for value in ratios)
        print(f"  {row['page']:<32} {cells}")
    print()


def run(scales: list[int], repeat: int = 7, *, as_json: bool = False, base: str | None = None) -> None:
    """Time every page at each scale on a temporary SQLite file; with ``base`` (a PostgreSQL database,
    rebuilt at each scale: its contents are replaced), on it as well, its ratios printed beside SQLite's."""
    set_log_level("error")
    for name in QUIET_LOGGERS:  # bare-mode warnings that AppTest runs emit on every visit
        logging.getLogger(name).disabled = True
    say = (lambda *_: None) if as_json else print
    empty = _empty_page(max(repeat, 9))
    say(f"Page vide (référence) : {_ms(empty)} (médiane)")
    with tempfile.TemporaryDirectory(prefix="essdash-bench-") as tmp:
        say("SQLite :")
        sqlite = _store(lambda scale: f"sqlite:///{Path(tmp) / f'bench-{scale}.db'}", scales, repeat, say)
        server = None
        if base:
            say("PostgreSQL :")
            server = _store(lambda _: base, scales, repeat, say)
    report: dict = {"empty_page_s": empty, "scales": sqlite}
    if server:
        report["postgresql_scales"] = server
    if as_json:
        print(json.dumps(report, indent=2))
        return
    print()
    for figures in sqlite:
        _print_scale(figures, empty)
    for figures, other in zip(server or [], sqlite):
        _print_beside(figures, other, empty)
    print(
        "1re visite : caches de données vides ; à chaud : médiane des visites suivantes (nouvelle "
        "session, caches remplis). Ratio : rapporté à une visite de la page vide. Envoyé : octets des "
        "éléments de la page (carte comprise) ; compressé : après compression deflate, comme le fait "
        "la compression websocket activée dans .streamlit/config.toml."
    )
