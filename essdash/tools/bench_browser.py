"""Speed as a person feels it: ``python -m essdash bench --browser``.

For each scale it builds a temporary demo database, starts ``streamlit run app.py`` on it and drives
Debian's Chromium (Playwright, a development dependency): the first load after the server's start,
then on every page the sidebar link to it (from the page before it in the sidebar, the first page
from the last one) and a territory change. Each wait starts from a settled browser (the previous
page drawn, its main thread idle, as when a person has read it) and runs from the click to the
page's heading shown, Streamlit's run ended, the map drawn (on the Carte) and the next frame
painted. Beside them, in the same run and measured the same way on its own server, an empty page's
first load and rerun (a button that reruns a script writing one line), the reference of every ratio;
and, on another, Streamlit's own floor for the two gestures: a sidebar navigation between two pages
holding only a title, and a choice in a Territoire box; and, out of the aim, the same floor in the
shape of a page of ours (:data:`SHAPED_FLOOR_APP`). The first load is given in parts (HTML and
scripts, server, the rest); where a warm wait is over its aim (:func:`aim`), the bench says where the
time went: the server's part (the run as the page saw it, and the transfer), and what the browser's
main thread did, from its own counters: scripts (split, by one more round under Chromium's
JavaScript profiler, into charts, grids, the map and Streamlit's own rendering), style and layout,
painting and the rest. It prints figures and asserts nothing.
"""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from essdash.domain import fmt
from essdash.store import db
from essdash.store.config import PROJECT_DIR
from essdash.ui.navigation import PAGES

CHROMIUM = "/usr/bin/chromium"
TERRITORIES = ("Roubaisien", "Lys")  # chosen in the Territoire box: the one not in the URL
WAIT_MS = 60_000
EMPTY_APP = (
    "import streamlit as st\n"
    "st.session_state['n'] = st.session_state.get('n', 0) + 1\n"
    "st.button('Relancer')\n"
    "st.write(f\"exécution {st.session_state['n']}\")\n"
)
# Streamlit's floor for essdash's two gestures: two pages with nothing but a title, the sidebar links
# to them and a Territoire box written into the URL, as essdash's is.
FLOOR_APP = {
    "plancher.py": (
        "import streamlit as st\n"
        "pages = [st.Page('une.py', title='Une', default=True), st.Page('deux.py', title='Deux', url_path='deux')]\n"
        "page = st.navigation(pages, position='hidden')\n"
        "for link in pages:\n"
        "    st.sidebar.page_link(link)\n"
        f"st.sidebar.selectbox('Territoire', {list(TERRITORIES)!r}, key='t')\n"
        "st.query_params['territoire'] = st.session_state['t']\n"
        "page.run()\n"
    ),
    "une.py": "import streamlit as st\nst.title('Une')\nst.write(f\"territoire : {st.session_state['t']}\")\n",
    "deux.py": "import streamlit as st\nst.title('Deux')\n",
}
# The same two gestures on two pages of essdash's shape: its sidebar (the app's name, thirteen links
# with icons, four boxes, three captions), then a title, the demonstration banner, a caption, one chart
# and one table. Not an aim of the issue: what the aim would be against a floor that draws what a page
# of ours draws at the least.
_SHAPED_PAGE = (
    "import altair as alt\n"
    "import pandas as pd\n"
    "import streamlit as st\n"
    "st.title({title!r})\n"
    "st.info('**Données de démonstration fictives.** Porteurs, projets, montants et indicateurs sont inventés.')\n"
    "st.caption(f\"territoire : {{st.session_state['t']}}\")\n"
    "places = pd.DataFrame({{'territoire': [f'Territoire {{n}}' for n in range(8)], "
    "'projets': [3, 5, 8, 13, 21, 34, 55, 89]}})\n"
    "st.altair_chart(alt.Chart(places).mark_bar().encode(x='projets:Q', y='territoire:N', "
    "tooltip=['territoire', 'projets']), width='stretch')\n"
    "rows = pd.DataFrame({{'projet': [f'Projet {{n}}' for n in range(20)], "
    "'porteur': [f'Porteur {{n}}' for n in range(20)], "
    "'commune': ['Roubaix'] * 20, 'montant': [1000.5 * n for n in range(20)], 'emplois': list(range(20))}})\n"
    "st.dataframe(rows, hide_index=True)\n"
)
SHAPED_FLOOR_APP = {
    "forme.py": (
        "import streamlit as st\n"
        "pages = [st.Page('forme_une.py', title='Une', default=True), "
        "st.Page('forme_deux.py', title='Deux', url_path='deux')]\n"
        "page = st.navigation(pages, position='hidden')\n"
        "with st.sidebar:\n"
        "    st.markdown('**Tableau de bord**')\n"
        "    for n in range(13):\n"
        "        link = pages[n % 2]\n"
        "        label = link.title if n < 2 else f'Page {n}'\n"
        "        st.page_link(link, label=label, icon=':material/dashboard:', width='stretch')\n"
        "    st.divider()\n"
        f"    st.selectbox('Territoire', {list(TERRITORIES)!r}, key='t')\n"
        "    st.selectbox('Commune', ['Toutes les communes', 'Roubaix'], key='c')\n"
        "    st.selectbox('Situation au', ['31/12/2014', '30/06/2014'], key='d', help='La date de situation.')\n"
        "    st.selectbox(\"Plan d'actions\", ['2011-2014'], key='p', help=\"Le plan d'actions.\")\n"
        "    st.caption('Mode poste local : une seule personne.')\n"
        "    st.caption('Données au 31 décembre 2014')\n"
        "    st.caption('Géographie : INSEE, IGN')\n"
        "st.query_params['territoire'] = st.session_state['t']\n"
        "page.run()\n"
    ),
    "forme_une.py": _SHAPED_PAGE.format(title="Une"),
    "forme_deux.py": _SHAPED_PAGE.format(title="Deux"),
}
EMPTY_RERUNS = 7


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def served(
    script: Path, database_url: str, env: dict[str, str] | None = None, port: int | None = None
) -> Iterator[str]:
    """The URL of a Streamlit server of ``script`` on ``port`` or a free one (``env`` added to this process's
    environment), once it answers its health check; the server is stopped when the block ends."""
    port = port or _free_port()
    env = {**os.environ, **(env or {}), "DATABASE_URL": database_url}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true"]
        + ["--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while not _healthy(url):
            if time.monotonic() > deadline:
                raise RuntimeError(f"le serveur Streamlit de {script} n'a pas répondu en 60 s")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
            return True
    except OSError:
        return False


# Where the page holds a map: its frame alone (a map made again replaces its frame at the run's end),
# its Leaflet map made and its shapes drawn.
MAP_DRAWN = """() => {
    const frames = document.querySelectorAll('iframe[title="streamlit_folium.st_folium"]');
    if (frames.length !== 1) return frames.length === 0;
    const inner = frames[0].contentWindow;
    return Boolean(inner && inner.map && inner.document.querySelector(".leaflet-interactive"));
}"""


def _painted(page) -> None:
    """Streamlit's run ended, the page's map (if any) drawn, and the browser painted the frame after it."""
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=WAIT_MS)
    page.wait_for_function(MAP_DRAWN, polling="raf", timeout=WAIT_MS)
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def _settled(page) -> None:
    """The browser's main thread idle: what the last page left to do is not counted in the next wait."""
    page.evaluate("() => new Promise(done => requestIdleCallback(done, {timeout: 2000}))")


def _choose(page, territory: str) -> None:
    """Choose ``territory`` in the sidebar's Territoire box, as a person does: open it, click."""
    page.locator('[data-testid="stSidebarContent"]').get_by_role("combobox", name="Territoire", exact=True).click()
    page.get_by_role("option").filter(has_text=territory).first.click()


class _Wire:
    """The messages between the page and the server over its websocket, timed by Chromium's network
    layer (DevTools protocol, the browser's clock): Playwright hands events over only while this
    process waits on it, so the time they reach it says little of when they crossed the wire."""

    def __init__(self, page):
        # (handed over, on the wire, sent, bytes, the server's message kind: "new_session" when a run
        # starts, "script_finished" when it ends, …)
        self.frames: list[tuple[float, float, bool, int, str]] = []
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.on("Network.webSocketFrameSent", lambda event: self._frame(event, sent=True))
        self.cdp.on("Network.webSocketFrameReceived", lambda event: self._frame(event, sent=False))
        self.cdp.send("Network.enable")
        self.cdp.send("Performance.enable")
        self.cdp.send("Profiler.enable")

    def _frame(self, event: dict, *, sent: bool) -> None:
        response = event["response"]
        size, kind = len(response["payloadData"]), ""
        if response.get("opcode") == 2:  # binary frames come base64-encoded
            payload = base64.b64decode(response["payloadData"])
            size = len(payload)
            if not sent:
                kind = ForwardMsg.FromString(payload).WhichOneof("type") or ""
        self.frames.append((time.perf_counter(), event["timestamp"], sent, size, kind))

    def since(self, start: float) -> Split:
        """For the messages handed over after ``start``: the time from the page's first request to the
        server's last message (the server's run and the transfer), the bytes the server sent, and the
        run's time as the page saw it (from the message of its start to that of its end)."""
        after = [frame[1:] for frame in self.frames if frame[0] >= start]
        asked = [at for at, sent, *_ in after if sent]
        answered = [at for at, sent, *_ in after if not sent]
        if not asked or not answered:
            return Split(0.0, 0, 0.0)
        started = [at for at, *_, kind in after if kind == "new_session"]
        finished = [at for at, *_, kind in after if kind == "script_finished"]
        return Split(
            max(max(answered) - min(asked), 0.0),
            sum(size for _, sent, size, _ in after if not sent),
            max(max(finished) - min(started), 0.0) if started and finished else 0.0,
        )


class Split(NamedTuple):
    """A gesture's server part (seconds, from the page's first request to the server's last message),
    the bytes the server sent, its run as the page saw it (seconds), and the browser's main thread's
    work meanwhile (:func:`main_thread_split`)."""

    server: float
    sent: int
    run: float
    thread: Mapping[str, float] = MappingProxyType({})


# The scripts a wait's JavaScript ran, by the bundle a profiler sample falls in (Streamlit's bundles are
# named after their element): Vega for the charts; the data grid and its cells' formatting for the
# tables; the map's frame (the streamlit-folium component, Leaflet and folium's scripts, served from
# /app/static/); and the rest (Streamlit's React rendering, Markdown, widgets, the garbage collector).
SCRIPTS = {
    "graphiques": re.compile(r"(embed|ArrowVegaLiteChart|loadVegaEmbed|vega-[a-z]+)\.[^/]*\.js$"),
    "tableaux": re.compile(r"(DataFrame|ReadOnlyGrid|data-grid-[a-z-]+|arrowFormatUtils)\.[^/]*\.js$"),
    "carte": re.compile(r"streamlit_folium|leaflet|/app/static/"),
}
OTHER_SCRIPTS = "Streamlit"
# V8's names for a sample outside any script: the thread idle, or the browser's own work.
NOT_SCRIPT = ("(idle)", "(root)", "(program)")


def script_kind(url: str, function: str) -> str | None:
    """The kind (a key of :data:`SCRIPTS`, or :data:`OTHER_SCRIPTS`) of a profiler sample in
    ``function`` of the script at ``url``; None outside JavaScript."""
    if function in NOT_SCRIPT:
        return None
    return next((kind for kind, pattern in SCRIPTS.items() if pattern.search(url)), OTHER_SCRIPTS)


def script_shares(profile: dict) -> dict[str, float]:
    """The share of each kind of script in the JavaScript time of a DevTools CPU profile
    (``Profiler.stop``), each sample counting for the time since the one before it."""
    frames = {node["id"]: node["callFrame"] for node in profile["nodes"]}
    seconds = dict.fromkeys((*SCRIPTS, OTHER_SCRIPTS), 0.0)
    for sample, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
        frame = frames[sample]
        kind = script_kind(frame["url"], frame["functionName"])
        if kind is not None:
            seconds[kind] += delta
    total = sum(seconds.values())
    return {kind: (spent / total if total else 0.0) for kind, spent in seconds.items()}


# Chromium's counters of the page's main thread (seconds spent so far): every task, and within them
# JavaScript, style recalculation and layout; the rest of a task is painting, parsing and messages.
MAIN_THREAD = ("TaskDuration", "ScriptDuration", "RecalcStyleDuration", "LayoutDuration")


def _main_thread(page) -> dict[str, float]:
    return {
        m["name"]: m["value"]
        for m in page.wire.cdp.send("Performance.getMetrics")["metrics"]
        if m["name"] in MAIN_THREAD
    }


def main_thread_split(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """What the main thread did between two readings of its counters: its busy time ("tasks") split into
    "scripts", "styles" (style and layout) and "other" (painting, parsing, messages)."""
    spent = {name: max(after[name] - before[name], 0.0) for name in MAIN_THREAD}
    styles = spent["RecalcStyleDuration"] + spent["LayoutDuration"]
    return {
        "tasks": spent["TaskDuration"],
        "scripts": spent["ScriptDuration"],
        "styles": styles,
        "other": max(spent["TaskDuration"] - spent["ScriptDuration"] - styles, 0.0),
    }


@contextmanager
def _profiled(page, shares: list[dict[str, float]]) -> Iterator[None]:
    """Add to ``shares`` the kinds of script the gesture in the ``with`` block ran, as shares of its
    JavaScript time (from a settled browser to the frame painted after Streamlit's run)."""
    _settled(page)
    page.wire.cdp.send("Profiler.start")
    yield
    _painted(page)
    shares.append(script_shares(page.wire.cdp.send("Profiler.stop")["profile"]))


@contextmanager
def _stopwatch(page, waits: list[float], splits: list[Split] | None = None) -> Iterator[None]:
    """Add to ``waits`` the wait of the gesture in the ``with`` block, from a settled browser to the
    frame painted after Streamlit's run; and to ``splits`` the part of it from the page's request to the
    server's last message (its run and the transfer), the bytes the server sent, and what the browser's
    main thread did meanwhile (:func:`main_thread_split`)."""
    _settled(page)
    before = _main_thread(page) if splits is not None else {}
    start = time.perf_counter()
    yield
    _painted(page)
    waits.append(time.perf_counter() - start)
    if splits is not None:
        splits.append(page.wire.since(start)._replace(thread=main_thread_split(before, _main_thread(page))))


def _sidebar_link(page, title: str) -> None:
    page.locator('[data-testid="stSidebarContent"] a').filter(has_text=title).first.click()


def _heading(page, title: str) -> None:
    page.locator("h1").filter(has_text=title).first.wait_for(timeout=WAIT_MS)


def _empty_page(browser, url: str) -> tuple[dict[str, float], float]:
    """The empty page's first load after its server's start (:func:`_first_load`), and the median wait
    from a click on its button to its next line drawn."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    page.wire = _Wire(page)
    start = time.perf_counter()
    page.goto(url)
    page.get_by_text("exécution 1").wait_for(timeout=WAIT_MS)
    _painted(page)
    first = _first_load(page, start)
    waits: list[float] = []
    for n in range(2, EMPTY_RERUNS + 2):
        with _stopwatch(page, waits):
            page.get_by_role("button", name="Relancer").click()
            page.get_by_text(f"exécution {n}").wait_for(timeout=WAIT_MS)
    page.close()
    return first, statistics.median(waits)


def _warm_splits(rounds: list[tuple[Split, ...]]) -> dict[str, list]:
    """Per gesture, the warm rounds' medians of the server's part (run and transfer), of the run as the
    page saw it, of the bytes sent, and of the browser's main thread's work (seconds)."""
    gestures = list(zip(*rounds, strict=True))
    return {
        "warm_server_s": [statistics.median(part.server for part in parts) for parts in gestures],
        "warm_run_s": [statistics.median(part.run for part in parts) for parts in gestures],
        "warm_bytes": [int(statistics.median(part.sent for part in parts)) for parts in gestures],
        "warm_main_thread_s": [_median_thread(parts) for parts in gestures],
    }


def _median_thread(runs) -> dict[str, float]:
    """The median of each part of the main thread's work over ``runs`` (:class:`Split`)."""
    return {part: statistics.median(run.thread[part] for run in runs) for part in runs[0].thread}


def _first_load(page, start: float) -> dict[str, float]:
    """A first load's wait, since ``start``, until the frame painted after Streamlit's run; and its
    parts: the page's HTML and Streamlit's scripts loaded (the document's DOMContentLoaded), then from
    the page's first message on the websocket to the server's last one (the session, the run and the
    transfer), the rest being the browser's (connecting, drawing)."""
    wait = time.perf_counter() - start
    loaded = page.evaluate("() => performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd") / 1000
    server = page.wire.since(start).server
    return {"wait": wait, "scripts": loaded, "server": server, "rest": max(wait - loaded - server, 0.0)}


def _floor(browser, url: str) -> tuple[tuple[float, float], tuple[dict[str, float], dict[str, float]]]:
    """On :data:`FLOOR_APP` (or :data:`SHAPED_FLOOR_APP`), the median wait of a sidebar navigation (to
    the other page and back) and of a choice in the Territoire box; and, for each, the medians of the main thread's work
    (:func:`main_thread_split`)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    page.wire = _Wire(page)
    page.goto(url)
    page.get_by_text(f"territoire : {TERRITORIES[0]}").wait_for(timeout=WAIT_MS)
    navigation: list[float] = []
    choice: list[float] = []
    parts: tuple[list[Split], list[Split]] = ([], [])
    for n in range(EMPTY_RERUNS):
        for title in ("Deux", "Une"):
            with _stopwatch(page, navigation, parts[0]):
                _sidebar_link(page, title)
                _heading(page, title)
        other = TERRITORIES[(n + 1) % 2]
        with _stopwatch(page, choice, parts[1]):
            _choose(page, other)
            page.get_by_text(f"territoire : {other}").wait_for(timeout=WAIT_MS)
    page.close()
    threads = tuple(_median_thread(runs) for runs in parts)
    return (statistics.median(navigation), statistics.median(choice)), (threads[0], threads[1])


def _tour(browser, url: str, rounds: int) -> tuple[dict[str, float], dict, dict, dict]:
    """First load (of the first page) after the server's start (:func:`_first_load`); then, ``rounds`` times round (the
    first visits, then warm), per page from the second to the first: the sidebar navigation to it
    and a territory change on it. Per page title, in the sidebar's order, one pair of waits a round,
    one pair of (server's part, bytes, main thread's work) splits a round, and the pair of the shares of
    each kind of script in the JavaScript time, from one more round under the profiler."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    page.wire = _Wire(page)
    start = time.perf_counter()
    page.goto(f"{url}/{PAGES[0].url_path}")
    _heading(page, PAGES[0].title)
    _painted(page)
    first = _first_load(page, start)
    waits: dict[str, list[tuple[float, float]]] = {entry.title: [] for entry in PAGES}
    splits: dict[str, list[tuple[Split, ...]]] = {entry.title: [] for entry in PAGES}
    for _round in range(rounds):  # each round ends on the first page, where the next one starts
        for entry in (*PAGES[1:], PAGES[0]):
            pair: list[float] = []
            parts: list[Split] = []
            with _stopwatch(page, pair, parts):
                _navigate(page, entry)
            with _stopwatch(page, pair, parts):
                _change_territory(page, entry)
            waits[entry.title].append((pair[0], pair[1]))
            splits[entry.title].append(tuple(parts))
    shares: dict[str, list[dict[str, float]]] = {entry.title: [] for entry in PAGES}
    for entry in (*PAGES[1:], PAGES[0]):  # one more round, under the profiler (not timed)
        with _profiled(page, shares[entry.title]):
            _navigate(page, entry)
        with _profiled(page, shares[entry.title]):
            _change_territory(page, entry)
    page.close()
    return first, waits, splits, shares


def _navigate(page, entry) -> None:
    """Click the sidebar's link to ``entry``'s page, until its heading shows."""
    _sidebar_link(page, entry.title)
    page.wait_for_url(f"**/{entry.url_path}*", timeout=WAIT_MS)
    _heading(page, entry.title)


def _change_territory(page, entry) -> None:
    """Choose the other territory in the Territoire box of ``entry``'s page, until it is in the URL."""
    before = page.url
    _choose(page, TERRITORIES[1] if "territoire=roubaisien" in before else TERRITORIES[0])
    page.wait_for_function("(before) => location.href !== before", arg=before, timeout=WAIT_MS)
    _heading(page, entry.title)


def _load_line(load: dict[str, float]) -> str:
    """« 1,85 s (HTML et scripts 0,62 s, serveur 0,41 s, reste 0,82 s) »."""
    parts = {"HTML et scripts": load["scripts"], "serveur": load["server"], "reste": load["rest"]}
    return f"{fmt.number(load['wait'], 2)} s (" + ", ".join(f"{k} {fmt.number(v, 2)} s" for k, v in parts.items()) + ")"


def _print_scale(figures: dict, empty: tuple[dict[str, float], float], repeat: int) -> None:
    first, rerun = empty
    load = figures["first_load_s"]
    print(
        f"Échelle ×{figures['scale']} — {fmt.number(figures['projects'])} projets — premier chargement après le "
        f"démarrage : {_load_line(load)}, {fmt.number(load['wait'] / first['wait'], 1)}× celui de la page vide"
    )
    print(f"  {'':<16}{'1re visite':>34}{f'à chaud (médiane de {repeat} tours)':>34}")
    print(f"  {'page':<16}" + "".join(f"{head:>17}" for head in ("navigation", "territoire") * 2))
    for row in figures["pages"]:
        cells = (f"{fmt.number(t * 1000)} ms {fmt.number(t / rerun, 1)}×" for t in (*row["first_s"], *row["warm_s"]))
        print(f"  {row['page']:<16}" + "".join(f"{cell:>17}" for cell in cells))


def aim(scale: int) -> float:
    """The issue's aim for a warm wait, as a multiple of Streamlit's floor for the same gesture: 2× on
    the demo (×1), 3× on larger bases."""
    return 2.0 if scale == 1 else 3.0


def _print_split(figures: dict, floors: tuple[float, float], shaped: tuple[float, float]) -> None:
    """Against Streamlit's floor for the same gesture (``floors``) and against the floor of essdash's shape
    (``shaped``), each warm wait; for those over the aim, where the
    time goes: from the page's request to the server's last message (its run and the transfer, with the
    bytes sent), the rest in the browser (the gesture until the request, then the drawing until the next
    frame is painted), and what the browser's main thread did: its JavaScript split by the profiled
    round's shares (charts, grids, the map, Streamlit's own), style and layout, painting and the rest."""
    over = aim(figures["scale"])
    print(
        f"  à chaud, rapporté au plancher du même geste (et au plancher de même forme) ; au-delà de "
        f"{fmt.number(over)}× le plancher : part du serveur (de la "
        "demande au dernier message : exécution, envoi) et du navigateur (le geste, puis le dessin), et le travail "
        "de son fil principal (scripts répartis selon un tour profilé à part)"
    )
    for row in figures["pages"]:
        cells, details = [], []
        for gesture, wait, server, script, size, thread, share, floor, same in zip(
            ("navigation", "territoire"),
            row["warm_s"],
            row["warm_server_s"],
            row["warm_run_s"],
            row["warm_bytes"],
            row["warm_main_thread_s"],
            row["script_shares"],
            floors,
            shaped,
            strict=True,
        ):
            cell = f"{fmt.number(wait / floor, 1)}× ({fmt.number(wait / same, 1)}× même forme)"
            if wait > over * floor:
                browser = max(wait - server, 0.0)
                cell += (
                    f" (serveur {fmt.number(server * 1000)} ms, dont exécution vue de la page "
                    f"{fmt.number(script * 1000)} ms ; "
                    f"{fmt.number(size / 1000)} ko ; "
                    f"navigateur {fmt.number(browser * 1000)} ms)"
                )
                details.append(f"    {gesture} : {_thread_line(thread, share)}")
            cells.append(cell)
        print(f"  {row['page']:<16}navigation {cells[0]:<70} territoire {cells[1]}")
        for line in details:
            print(line)


def _thread_line(thread: dict[str, float], share: dict[str, float]) -> str:
    """« fil principal occupé 180 ms : scripts 120 ms (graphiques 36, Streamlit 84), styles et mise en
    page 15 ms, dessin et autres tâches 45 ms »."""
    scripts = ", ".join(
        f"{kind} {fmt.number(thread['scripts'] * part * 1000)}" for kind, part in share.items() if part >= 0.01
    )
    return (
        f"fil principal occupé {fmt.number(thread['tasks'] * 1000)} ms : scripts "
        f"{fmt.number(thread['scripts'] * 1000)} ms ({scripts}), styles et mise en page "
        f"{fmt.number(thread['styles'] * 1000)} ms, dessin et autres tâches {fmt.number(thread['other'] * 1000)} ms"
    )


def run(scales: list[int], repeat: int, *, as_json: bool = False) -> None:
    """Print, per scale, the first load and each page's waits: at its first visit, and warm (the
    median of ``repeat`` more rounds); with ``as_json``, the same figures (seconds) as one JSON
    document, once all are measured."""
    from playwright.sync_api import sync_playwright

    say = (lambda *_: None) if as_json else print
    with tempfile.TemporaryDirectory(prefix="essdash-bench-browser-") as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        empty_script = Path(tmp) / "vide.py"
        empty_script.write_text(EMPTY_APP, encoding="utf-8")
        for name, script in {**FLOOR_APP, **SHAPED_FLOOR_APP}.items():
            (Path(tmp) / name).write_text(script, encoding="utf-8")
        with served(empty_script, "sqlite://") as url:
            empty_first, empty = _empty_page(browser, url)
        with served(Path(tmp) / "plancher.py", "sqlite://") as url:
            (navigation, choice), floor_threads = _floor(browser, url)
        with served(Path(tmp) / "forme.py", "sqlite://") as url:
            shaped, shaped_threads = _floor(browser, url)
        say(
            f"Page vide (référence) : premier chargement après le démarrage {_load_line(empty_first)}, "
            f"relance {fmt.number(empty * 1000)} ms (médiane)"
        )
        say(
            "Plancher de Streamlit, deux pages vides mesurées de même : navigation "
            f"{fmt.number(navigation * 1000)} ms ({fmt.number(navigation / empty, 1)}×), choix d'un "
            f"territoire {fmt.number(choice * 1000)} ms ({fmt.number(choice / empty, 1)}×) ; fil principal du "
            f"navigateur occupé {fmt.number(floor_threads[0]['tasks'] * 1000)} ms et "
            f"{fmt.number(floor_threads[1]['tasks'] * 1000)} ms"
        )
        say(
            "Plancher de même forme (hors objectif : menu de treize liens, quatre listes, bandeau, un graphique, "
            f"un tableau) : navigation {fmt.number(shaped[0] * 1000)} ms, choix d'un territoire "
            f"{fmt.number(shaped[1] * 1000)} ms ; fil principal occupé {fmt.number(shaped_threads[0]['tasks'] * 1000)} "
            f"ms et {fmt.number(shaped_threads[1]['tasks'] * 1000)} ms"
        )
        report: dict = {
            "empty_first_load_s": empty_first,
            "empty_rerun_s": empty,
            "floor_s": {"navigation": navigation, "territory": choice},
            "floor_main_thread_s": {"navigation": floor_threads[0], "territory": floor_threads[1]},
            "shaped_floor_s": {"navigation": shaped[0], "territory": shaped[1]},
            "shaped_floor_main_thread_s": {"navigation": shaped_threads[0], "territory": shaped_threads[1]},
            "repeat": repeat,
            "scales": [],
        }
        for scale in scales:
            database_url = f"sqlite:///{Path(tmp) / f'bench-{scale}.db'}"
            db.init_db(database_url, dataset="demo", scale=scale).dispose()
            with served(PROJECT_DIR / "app.py", database_url) as url:
                first, waits, splits, shares = _tour(browser, url, 1 + repeat)
            figures = {
                "scale": scale,
                "projects": 180 * scale,
                "first_load_s": first,
                "pages": [  # waits as [navigation, territory]
                    {
                        "page": title,
                        "first_s": list(rounds[0]),
                        "warm_s": [statistics.median(times) for times in zip(*rounds[1:], strict=True)],
                        **_warm_splits(splits[title][1:]),
                        # the share of each kind of script in its JavaScript, from the profiled round
                        "script_shares": shares[title],
                    }
                    for title, rounds in waits.items()
                ],
            }
            report["scales"].append(figures)
            if not as_json:
                _print_scale(figures, (empty_first, empty), repeat)
                _print_split(figures, (navigation, choice), shaped)
        browser.close()
    if as_json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
