"""End-to-end browser tests: a real ``streamlit run app.py`` driven by Debian's chromium.

The server is started fresh for this module, on a database file that does not exist yet, so
the first page request builds the demo database *and* is a deep link to ``/projets`` with a
territory filter: the case where Streamlit may run in its legacy ``pages/`` mode.

The tests run in order and share one browser page (A opens the deep link, B navigates from
there, C changes the filter). A screenshot of test A's page is saved to
``/tmp/essdash-projets.png``; on failure, a screenshot of the failing page is saved next to it.
"""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

try:
    from playwright import sync_api
except ImportError:  # pragma: no cover - playwright is in requirements-dev.txt
    if os.environ.get("CI"):
        raise
    pytest.skip("playwright is not installed (pip install -r requirements-dev.txt)", allow_module_level=True)
expect = sync_api.expect

PROJECT_DIR = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOT = Path("/tmp/essdash-projets.png")
WAIT_MS = 30_000
SERVER_START_TIMEOUT = 60.0
SPACES = ("\u202f", "\u00a0", " ")
# Text Streamlit shows when a script raises, or when the app reports a French error.
ERROR_SELECTORS = ('[data-testid="stException"]', '[data-testid="stAlertContentError"]')
ERROR_TEXTS = ("Traceback (most recent call last)", "StreamlitAPIException", "This app has encountered an error",
               "Impossible d'ouvrir les données")
# Streamlit's legacy ``pages/`` mode names its menu entries after the files.
LEGACY_MENU_LABELS = {"app", "synthese", "projets", "carte"}

expect.set_options(timeout=WAIT_MS)


# --- fixtures ------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def chromium_path() -> str:
    if not os.path.exists(CHROMIUM):
        message = f"chromium not found at {CHROMIUM}: browser tests need Debian's chromium package"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI is set, so this is an error, not a skip)")
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="module")
def server(tmp_path_factory, chromium_path):
    """A fresh Streamlit server on a free port and a not-yet-existing SQLite file.

    Yields ``(base_url, db_path)``. Only /_stcore/health is polled before the tests, so the
    first *page* request is the one test A makes.
    """
    db_path = tmp_path_factory.mktemp("essdash-browser") / "essdash.db"
    assert not db_path.exists()
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db_path}", "PYTHONUNBUFFERED": "1"}
    env.pop("ESSDASH_SEED", None)
    log_path = db_path.parent / "streamlit.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false"],
        cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited with code {proc.returncode}:\n{log_path.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not answer within {SERVER_START_TIMEOUT:.0f} s:\n"
                            f"{log_path.read_text(errors='replace')}")
            time.sleep(0.2)
        yield base_url, db_path
    finally:
        _stop(proc)
        log.close()


@pytest.fixture(scope="module")
def browser(chromium_path):
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture(autouse=True)
def _report_failure(request, server, page):
    """On failure, save a screenshot of the page and print the server log's errors.

    (The call phase's report is logged, and ``testsfailed`` counted, before fixture teardown.)
    """
    failed_before = request.session.testsfailed
    yield
    if request.session.testsfailed > failed_before:
        path = Path(f"/tmp/essdash-failure-{request.node.name}.png")
        try:
            page.screenshot(path=str(path), full_page=True)
            print(f"screenshot of the failing page: {path} (url {page.url})")
        except Exception as exc:  # noqa: BLE001 - best effort only
            print(f"no failure screenshot: {exc}")
        log = server[1].parent / "streamlit.log"
        print(f"streamlit log {log}:\n{log.read_text(errors='replace')[-8000:]}")


# --- helpers -------------------------------------------------------------------------------------

def expected_project_count(db_path: Path, territory: str) -> int:
    """Projects whose primary commune, or one of whose further communes, lies in ``territory``."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        (count,) = conn.execute(
            """
            SELECT COUNT(*) FROM project p
            WHERE p.commune_code IN (SELECT insee_code FROM commune WHERE territory_code = :t)
               OR EXISTS (SELECT 1 FROM projectcommune pc
                          JOIN commune c ON c.insee_code = pc.commune_code
                          WHERE pc.project_id = p.id AND c.territory_code = :t)
            """,
            {"t": territory},
        ).fetchone()
    return count


def fr_int(value: int) -> str:
    """An integer as the app shows it (French grouping with U+202F): ``1234`` → ``"1\u202f234"``."""
    return f"{value:,}".replace(",", "\u202f")


def to_int(text: str) -> int:
    for space in SPACES:
        text = text.replace(space, "")
    return int(text)


def selectbox(page, label: str):
    """The combobox of the sidebar selectbox labelled ``label`` (its value is the shown option)."""
    return page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').get_by_role(
        "combobox", name=label, exact=True)


def sidebar_link(page, label: str):
    """A link of the sidebar: Streamlit's own menu (stSidebarNav) or the app's st.page_link menu."""
    return page.locator('[data-testid="stSidebar"] a').filter(has_text=label)


def sidebar_link_labels(page) -> list[str]:
    """Visible labels of the sidebar links (the last line: material icons render as words before)."""
    links = page.locator('[data-testid="stSidebar"] a')
    return [text.strip().splitlines()[-1].strip() for text in links.all_inner_texts() if text.strip()]


def projects_metric(page):
    """The value of the Synthèse page's "Projets" key figure."""
    return page.locator('[data-testid="stMetric"]').filter(
        has=page.get_by_text("Projets", exact=True)).locator('[data-testid="stMetricValue"]')


def wait_idle(page) -> None:
    """Wait until Streamlit has finished the current run (no 'running' status widget)."""
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=WAIT_MS)


def assert_no_error(page) -> None:
    for selector in ERROR_SELECTORS:
        count = page.locator(selector).count()
        assert count == 0, f"{count} Streamlit error block(s) {selector!r}: " + " | ".join(
            page.locator(selector).all_inner_texts())
    body = page.locator("body").inner_text()
    for text in ERROR_TEXTS:
        assert text not in body, f"page shows {text!r}"


# --- tests ---------------------------------------------------------------------------------------

ROUBAISIEN = "Territoire Roubaisien"


def test_a_deep_link_is_first_request_on_fresh_server(server, page):
    base_url, db_path = server
    assert not db_path.exists(), "the database must be built by the first page request"
    page.goto(f"{base_url}/projets?territoire=roubaisien", wait_until="domcontentloaded")

    caption = page.locator('[data-testid="stCaptionContainer"]').filter(
        has_text=re.compile(rf"projets? · {ROUBAISIEN}"))
    expect(caption.first).to_be_visible(timeout=WAIT_MS)
    wait_idle(page)
    expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible()
    expect(selectbox(page, "Territoire")).to_have_value(ROUBAISIEN)
    assert "territoire=roubaisien" in page.url
    assert_no_error(page)
    expect(sidebar_link(page, "Synthèse").first).to_be_visible()
    legacy = LEGACY_MENU_LABELS & set(sidebar_link_labels(page))
    assert not legacy, (f"sidebar shows Streamlit's legacy pages/ menu (file names {sorted(legacy)}): "
                        f"links {sidebar_link_labels(page)}")

    assert db_path.exists(), "the first request should have created the database file"
    expected = expected_project_count(db_path, "roubaisien")
    assert expected > 0
    text = caption.first.inner_text()
    match = re.match(r"\s*([\d\u202f\u00a0 ]+)\s+projets?\b", text)
    assert match, f"unexpected caption {text!r}"
    assert to_int(match.group(1)) == expected, f"caption {text!r}, database says {expected} projects"

    page.screenshot(path=str(SCREENSHOT), full_page=True)


def test_b_navigation_keeps_the_territory_filter(server, page):
    _, db_path = server
    expected = expected_project_count(db_path, "roubaisien")
    if "/projets" not in page.url:
        pytest.skip("needs test A's page")
    sidebar_link(page, "Synthèse").first.click()

    expect(page.locator('[data-testid="stMetric"]').first).to_be_visible(timeout=WAIT_MS)
    expect(page).to_have_url(re.compile(r"territoire=roubaisien"), timeout=WAIT_MS)
    wait_idle(page)
    assert "/projets" not in page.url
    expect(page.locator('[data-testid="stHeading"]').filter(has_text=ROUBAISIEN).first).to_be_visible()
    expect(selectbox(page, "Territoire")).to_have_value(ROUBAISIEN)
    value = projects_metric(page)
    expect(value).to_have_text(fr_int(expected))
    assert to_int(value.inner_text()) == expected
    assert "territoire=roubaisien" in page.url
    assert_no_error(page)


def test_c_sidebar_filter_updates_the_url(server, page):
    _, db_path = server
    if "territoire=roubaisien" not in page.url:
        pytest.skip("needs test B's page")
    territory = selectbox(page, "Territoire")
    territory.click()
    page.get_by_role("option", name="Territoire des Weppes", exact=True).click()

    expect(page).to_have_url(re.compile(r"territoire=weppes"), timeout=WAIT_MS)
    expect(page.locator('[data-testid="stHeading"]').filter(has_text="Territoire des Weppes").first
           ).to_be_visible(timeout=WAIT_MS)
    wait_idle(page)
    expect(territory).to_have_value("Territoire des Weppes")
    assert "roubaisien" not in page.url
    expect(projects_metric(page)).to_have_text(fr_int(expected_project_count(db_path, "weppes")))
    assert_no_error(page)
