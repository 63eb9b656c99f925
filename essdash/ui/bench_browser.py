"""Speed as a person feels it: ``python -m essdash bench --browser``.

For each scale it builds a temporary demo database, starts ``streamlit run app.py`` on it and drives
Debian's Chromium (Playwright, a development dependency): the first load after the server's start,
then on every page the sidebar link to it (from the page before it in the sidebar, the first page
from the last one) and a territory change. Each wait starts from a settled browser (the previous
page drawn, its main thread idle, as when a person has read it) and runs from the click to the
page's heading shown, Streamlit's run ended and the next frame painted. Beside them, in the same
run and measured the same way, an empty page's rerun (a button that reruns a script writing one
line) on its own server. It prints figures and asserts nothing.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from essdash.domain import fmt
from essdash.store import db
from essdash.store.config import PROJECT_DIR
from essdash.ui.navigation import PAGES

CHROMIUM = "/usr/bin/chromium"
WAIT_MS = 60_000
EMPTY_APP = (
    "import streamlit as st\n"
    "st.session_state['n'] = st.session_state.get('n', 0) + 1\n"
    "st.button('Relancer')\n"
    "st.write(f\"exécution {st.session_state['n']}\")\n"
)
TERRITORIES = ("Roubaisien", "Lys")  # chosen in the Territoire box: the one not in the URL
EMPTY_RERUNS = 7


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(script: Path, database_url: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """A Streamlit server of ``script`` on a free port (``env`` added to this process's environment),
    once it answers its health check."""
    port = _free_port()
    env = {**os.environ, **(env or {}), "DATABASE_URL": database_url}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true"]
        + ["--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"le serveur Streamlit de {script} n'a pas répondu en 60 s")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _painted(page) -> None:
    """Streamlit's run ended and the browser painted the frame after it."""
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=WAIT_MS)
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def _settled(page) -> None:
    """The browser's main thread idle: what the last page left to do is not counted in the next wait."""
    page.evaluate("() => new Promise(done => requestIdleCallback(done, {timeout: 2000}))")


def _shown(page, title: str) -> None:
    page.locator("h1").filter(has_text=title).first.wait_for(timeout=WAIT_MS)
    _painted(page)


def _empty_rerun(browser, url: str) -> float:
    """Median wait from a click on the empty page's button to its next line drawn."""
    page = browser.new_page()
    page.goto(url)
    page.get_by_text("exécution 1").wait_for(timeout=WAIT_MS)
    waits = []
    for n in range(2, EMPTY_RERUNS + 2):
        _settled(page)
        start = time.perf_counter()
        page.get_by_role("button", name="Relancer").click()
        page.get_by_text(f"exécution {n}").wait_for(timeout=WAIT_MS)
        _painted(page)
        waits.append(time.perf_counter() - start)
    page.close()
    return statistics.median(waits)


def _tour(browser, url: str, rounds: int) -> tuple[float, dict[str, list[tuple[float, float]]]]:
    """First load (of the first page) after the server's start; then, ``rounds`` times round (the
    first visits, then warm), per page from the second to the first: the sidebar navigation to it
    and a territory change on it. Per page title, in the sidebar's order, one pair of waits a round."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    start = time.perf_counter()
    page.goto(f"{url}/{PAGES[0].url_path}")
    _shown(page, PAGES[0].title)
    first = time.perf_counter() - start
    waits: dict[str, list[tuple[float, float]]] = {entry.title: [] for entry in PAGES}
    for _round in range(rounds):  # each round ends on the first page, where the next one starts
        for entry in (*PAGES[1:], PAGES[0]):
            _settled(page)
            start = time.perf_counter()
            page.locator('[data-testid="stSidebarContent"] a').filter(has_text=entry.title).first.click()
            page.wait_for_url(f"**/{entry.url_path}*", timeout=WAIT_MS)
            _shown(page, entry.title)
            navigation = time.perf_counter() - start
            before = page.url
            _settled(page)
            start = time.perf_counter()
            sidebar = page.locator('[data-testid="stSidebarContent"]')
            sidebar.get_by_role("combobox", name="Territoire", exact=True).click()
            other = TERRITORIES[1] if "territoire=roubaisien" in before else TERRITORIES[0]
            page.get_by_role("option").filter(has_text=other).first.click()
            page.wait_for_function("(before) => location.href !== before", arg=before, timeout=WAIT_MS)
            _shown(page, entry.title)
            waits[entry.title].append((navigation, time.perf_counter() - start))
    page.close()
    return first, waits


def run(scales: list[int], repeat: int) -> None:
    """Print, per scale, the first load and each page's waits: at its first visit, and warm (the
    median of ``repeat`` more rounds)."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="essdash-bench-browser-") as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        empty_script = Path(tmp) / "vide.py"
        empty_script.write_text(EMPTY_APP, encoding="utf-8")
        proc, url = _serve(empty_script, "sqlite://")
        try:
            empty = _empty_rerun(browser, url)
        finally:
            _stop(proc)
        print(f"Relance d'une page vide (référence) : {fmt.number(empty * 1000)} ms (médiane)")
        for scale in scales:
            database_url = f"sqlite:///{Path(tmp) / f'bench-{scale}.db'}"
            db.init_db(database_url, dataset="demo", scale=scale).dispose()
            proc, url = _serve(PROJECT_DIR / "app.py", database_url)
            try:
                first, waits = _tour(browser, url, 1 + repeat)
            finally:
                _stop(proc)
            print(
                f"Échelle ×{scale} — {fmt.number(180 * scale)} projets — "
                f"premier chargement après le démarrage : {fmt.number(first, 2)} s"
            )
            print(f"  {'':<16}{'1re visite':>34}{f'à chaud (médiane de {repeat} tours)':>34}")
            print(f"  {'page':<16}" + "".join(f"{head:>17}" for head in ("navigation", "territoire") * 2))
            for title, rounds in waits.items():
                warm = [statistics.median(times) for times in zip(*rounds[1:], strict=True)]
                cells = (f"{fmt.number(t * 1000)} ms {fmt.number(t / empty, 1)}×" for t in (*rounds[0], *warm))
                print(f"  {title:<16}" + "".join(f"{cell:>17}" for cell in cells))
        browser.close()
