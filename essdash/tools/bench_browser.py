"""Speed as a person feels it: ``python -m essdash bench --browser``.

For each scale it builds a temporary demo database, starts ``streamlit run app.py`` on it and drives
Debian's Chromium (Playwright, a development dependency): the first load after the server's start,
then on every page the sidebar link to it (from the page before it in the sidebar, the first page
from the last one) and a territory change. Each wait starts from a settled browser (the previous
page drawn, its main thread idle, as when a person has read it) and runs from the click to the
page's heading shown, Streamlit's run ended, the map drawn (on the Carte) and the next frame
painted. Beside them, in the same run and measured the same way on its own server, an empty page's
rerun (a button that reruns a script writing one line), the reference of every ratio; and, on
another, Streamlit's own floor for the two gestures: a sidebar navigation between two pages holding
only a title, and a choice in a Territoire box. It prints figures and asserts nothing.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
        self.frames: list[tuple[float, float, bool, int]] = []  # (handed over, on the wire, sent, bytes)
        cdp = page.context.new_cdp_session(page)
        cdp.on("Network.webSocketFrameSent", lambda event: self._frame(event, sent=True))
        cdp.on("Network.webSocketFrameReceived", lambda event: self._frame(event, sent=False))
        cdp.send("Network.enable")

    def _frame(self, event: dict, *, sent: bool) -> None:
        response = event["response"]
        size = len(response["payloadData"])
        if response.get("opcode") == 2:  # binary frames come base64-encoded
            size = size * 3 // 4
        self.frames.append((time.perf_counter(), event["timestamp"], sent, size))

    def since(self, start: float) -> tuple[float, int]:
        """For the messages handed over after ``start``: the time from the page's first request to the
        server's last message (the server's run and the transfer), and the bytes the server sent."""
        after = [(at, sent, size) for handed, at, sent, size in self.frames if handed >= start]
        asked = [at for at, sent, _ in after if sent]
        answered = [at for at, sent, _ in after if not sent]
        if not asked or not answered:
            return 0.0, 0
        return max(max(answered) - min(asked), 0.0), sum(size for _, sent, size in after if not sent)


@contextmanager
def _stopwatch(page, waits: list[float], splits: list[tuple[float, int]] | None = None) -> Iterator[None]:
    """Add to ``waits`` the wait of the gesture in the ``with`` block, from a settled browser to the
    frame painted after Streamlit's run; and to ``splits`` the part of it from the page's request to the
    server's last message (its run and the transfer), with the bytes it sent."""
    _settled(page)
    start = time.perf_counter()
    yield
    _painted(page)
    waits.append(time.perf_counter() - start)
    if splits is not None:
        splits.append(page.wire.since(start))


def _sidebar_link(page, title: str) -> None:
    page.locator('[data-testid="stSidebarContent"] a').filter(has_text=title).first.click()


def _heading(page, title: str) -> None:
    page.locator("h1").filter(has_text=title).first.wait_for(timeout=WAIT_MS)


def _empty_rerun(browser, url: str) -> float:
    """Median wait from a click on the empty page's button to its next line drawn."""
    page = browser.new_page()
    page.goto(url)
    page.get_by_text("exécution 1").wait_for(timeout=WAIT_MS)
    waits: list[float] = []
    for n in range(2, EMPTY_RERUNS + 2):
        with _stopwatch(page, waits):
            page.get_by_role("button", name="Relancer").click()
            page.get_by_text(f"exécution {n}").wait_for(timeout=WAIT_MS)
    page.close()
    return statistics.median(waits)


def _floor(browser, url: str) -> tuple[float, float]:
    """On :data:`FLOOR_APP`, the median wait of a sidebar navigation (to the other page and back)
    and of a choice in the Territoire box."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    page.goto(url)
    page.get_by_text(f"territoire : {TERRITORIES[0]}").wait_for(timeout=WAIT_MS)
    navigation: list[float] = []
    choice: list[float] = []
    for n in range(EMPTY_RERUNS):
        for title in ("Deux", "Une"):
            with _stopwatch(page, navigation):
                _sidebar_link(page, title)
                _heading(page, title)
        other = TERRITORIES[(n + 1) % 2]
        with _stopwatch(page, choice):
            _choose(page, other)
            page.get_by_text(f"territoire : {other}").wait_for(timeout=WAIT_MS)
    page.close()
    return statistics.median(navigation), statistics.median(choice)


def _tour(browser, url: str, rounds: int) -> tuple[float, dict, dict]:
    """First load (of the first page) after the server's start; then, ``rounds`` times round (the
    first visits, then warm), per page from the second to the first: the sidebar navigation to it
    and a territory change on it. Per page title, in the sidebar's order, one pair of waits a round,
    and one pair of (server's part, bytes) splits a round."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    page.wire = _Wire(page)
    start = time.perf_counter()
    page.goto(f"{url}/{PAGES[0].url_path}")
    _heading(page, PAGES[0].title)
    _painted(page)
    first = time.perf_counter() - start
    waits: dict[str, list[tuple[float, float]]] = {entry.title: [] for entry in PAGES}
    splits: dict[str, list[tuple[tuple[float, int], ...]]] = {entry.title: [] for entry in PAGES}
    for _round in range(rounds):  # each round ends on the first page, where the next one starts
        for entry in (*PAGES[1:], PAGES[0]):
            pair: list[float] = []
            parts: list[tuple[float, int]] = []
            with _stopwatch(page, pair, parts):
                _sidebar_link(page, entry.title)
                page.wait_for_url(f"**/{entry.url_path}*", timeout=WAIT_MS)
                _heading(page, entry.title)
            before = page.url
            with _stopwatch(page, pair, parts):
                _choose(page, TERRITORIES[1] if "territoire=roubaisien" in before else TERRITORIES[0])
                page.wait_for_function("(before) => location.href !== before", arg=before, timeout=WAIT_MS)
                _heading(page, entry.title)
            waits[entry.title].append((pair[0], pair[1]))
            splits[entry.title].append(tuple(parts))
    page.close()
    return first, waits, splits


def _print_scale(figures: dict, empty: float, repeat: int) -> None:
    print(
        f"Échelle ×{figures['scale']} — {fmt.number(figures['projects'])} projets — "
        f"premier chargement après le démarrage : {fmt.number(figures['first_load_s'], 2)} s"
    )
    print(f"  {'':<16}{'1re visite':>34}{f'à chaud (médiane de {repeat} tours)':>34}")
    print(f"  {'page':<16}" + "".join(f"{head:>17}" for head in ("navigation", "territoire") * 2))
    for row in figures["pages"]:
        cells = (f"{fmt.number(t * 1000)} ms {fmt.number(t / empty, 1)}×" for t in (*row["first_s"], *row["warm_s"]))
        print(f"  {row['page']:<16}" + "".join(f"{cell:>17}" for cell in cells))


def _print_split(figures: dict, floors: tuple[float, float]) -> None:
    """Against Streamlit's floor for the same gesture, each warm wait; for those over 2×, where the time
    goes: from the page's request to the server's last message (its run and the transfer, with the bytes
    sent), and the rest in the browser (the gesture until the request, then drawing grids, charts, the
    map until the next frame is painted)."""
    print(
        "  à chaud, rapporté au plancher du même geste ; au-delà de 2× : part du serveur (de la demande au "
        "dernier message : exécution, envoi) et du navigateur (le geste, puis le dessin)"
    )
    for row in figures["pages"]:
        cells = []
        for wait, server, size, floor in zip(
            row["warm_s"], row["warm_server_s"], row["warm_bytes"], floors, strict=True
        ):
            cell = f"{fmt.number(wait / floor, 1)}×"
            if wait > 2 * floor:
                browser = max(wait - server, 0.0)
                cell += (
                    f" (serveur {fmt.number(server * 1000)} ms, {fmt.number(size / 1000)} ko ; "
                    f"navigateur {fmt.number(browser * 1000)} ms)"
                )
            cells.append(cell)
        print(f"  {row['page']:<16}navigation {cells[0]:<52} territoire {cells[1]}")


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
        for name, script in FLOOR_APP.items():
            (Path(tmp) / name).write_text(script, encoding="utf-8")
        with served(empty_script, "sqlite://") as url:
            empty = _empty_rerun(browser, url)
        with served(Path(tmp) / "plancher.py", "sqlite://") as url:
            navigation, choice = _floor(browser, url)
        say(f"Relance d'une page vide (référence) : {fmt.number(empty * 1000)} ms (médiane)")
        say(
            "Plancher de Streamlit, deux pages vides mesurées de même : navigation "
            f"{fmt.number(navigation * 1000)} ms ({fmt.number(navigation / empty, 1)}×), choix d'un "
            f"territoire {fmt.number(choice * 1000)} ms ({fmt.number(choice / empty, 1)}×)"
        )
        report: dict = {
            "empty_rerun_s": empty,
            "floor_s": {"navigation": navigation, "territory": choice},
            "repeat": repeat,
            "scales": [],
        }
        for scale in scales:
            database_url = f"sqlite:///{Path(tmp) / f'bench-{scale}.db'}"
            db.init_db(database_url, dataset="demo", scale=scale).dispose()
            with served(PROJECT_DIR / "app.py", database_url) as url:
                first, waits, splits = _tour(browser, url, 1 + repeat)
            figures = {
                "scale": scale,
                "projects": 180 * scale,
                "first_load_s": first,
                "pages": [  # waits as [navigation, territory]
                    {
                        "page": title,
                        "first_s": list(rounds[0]),
                        "warm_s": [statistics.median(times) for times in zip(*rounds[1:], strict=True)],
                        # per gesture, warm medians of the server's part (run and transfer) and its bytes
                        "warm_server_s": [
                            statistics.median(part[0] for part in parts)
                            for parts in zip(*splits[title][1:], strict=True)
                        ],
                        "warm_bytes": [
                            int(statistics.median(part[1] for part in parts))
                            for parts in zip(*splits[title][1:], strict=True)
                        ],
                    }
                    for title, rounds in waits.items()
                ],
            }
            report["scales"].append(figures)
            if not as_json:
                _print_scale(figures, empty, repeat)
                _print_split(figures, (navigation, choice))
        browser.close()
    if as_json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
