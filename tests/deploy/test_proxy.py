"""Two app processes behind nginx on one PostgreSQL base, driven in Chromium: the deployment of deploy/.

The demo base is copied into a database of its own on the test server, with one administrateur added by
the command line; two ``streamlit run app.py`` in shared mode share it, one cookie secret and one
``[auth]`` pointing at the tests' OpenID provider (oidc_support.py), whose redirect URI is nginx's
address; nginx runs the upstream and locations of deploy/nginx. nginx's access log says which process
answered each request (tests/deploy/proxy.py), so the test knows where each browser is served.

- A first browser logs in through the proxy; the route cookie keeps all its requests on one process.
- It proposes a project there; a second browser, kept on the other process by its route cookie, starts
  its login on that process, completes it on the first one (the OpenID callback) and, back on its own
  process, sees the proposal.
- The second browser uploads a file to the import (its preview shows) and downloads the meeting pack,
  both served by its process (a session's uploads and downloads live in its process).
- The first browser's process is killed mid-session: the browser's next action works on the other
  process, still logged in, and the base holds each proposal once.

The tests share the deployment and run in order.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tomllib
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.oidc_support import login_at_provider, running_provider, write_secrets
from tests.browser.servers import free_port
from tests.browser.support import WAIT_MS, is_loopback, wait_idle
from tests.deploy.proxy import PROJECT_DIR, ROUTE_COOKIE, running_apps, running_nginx, served_by
from tests.fixtures.stores import connect, drop, new_database

pytestmark = [pytest.mark.browser, pytest.mark.proxy]

CLIENT_ID = "essdash-proxy"
ADMIN = "admin.metropole@example.org"
FIRST = "Recyclerie du mandataire (processus 1)"
SECOND = "Recyclerie du mandataire (après l'arrêt)"
UPLOAD = "essai-mandataire.csv"
UPLOAD_CSV = "Titre;Porteur;Commune;Fiches\nAtelier importé par le mandataire;Association du mandataire;Wavrin;III.4\n"

expect.set_options(timeout=WAIT_MS)


@dataclass
class Deployment:
    """What the tests share: the proxy's address, the processes by port, the base, and the browsers."""

    url: str
    issuer: str
    base: str
    procs: dict
    access_log: Path
    work: Path
    pages: dict = field(default_factory=dict)  # "a", "b": the two browsers' pages
    ports: dict = field(default_factory=dict)  # "a", "b": the port of the process serving each
    journal_per_proposal: int = 0  # journal lines one proposal writes, counted at the first one


def _cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "essdash", *args], cwd=PROJECT_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, f"essdash {' '.join(args)} failed:\n{result.stdout}{result.stderr}"
    return result.stdout


def _rows(base: str, sql: str, *params) -> list[tuple]:
    with connect(base) as conn:
        return [tuple(row) for row in conn.execute(sql, params)]


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, nginx, chromium_path, browser, _templates):
    work = tmp_path_factory.mktemp("essdash-proxy")
    base = new_database("proxy", template=_templates["demo"])
    try:
        cli_env = {**os.environ, "DATABASE_URL": base, "PYTHONUNBUFFERED": "1"}
        for name in ("ESSDASH_SEED", "ESSDASH_MODE", "ESSDASH_SESSION_HOURS"):
            cli_env.pop(name, None)
        _cli(cli_env, "users", "add", ADMIN, "--role", "administrateur")
        proxy_port, ports = free_port(), [free_port(), free_port()]
        client_secret = os.urandom(18).hex()
        redirect_uri = f"http://127.0.0.1:{proxy_port}/oauth2callback"
        with running_provider(CLIENT_ID, client_secret, redirect_uri, work / "provider.log") as issuer:
            secrets_path = write_secrets(work, issuer, proxy_port, CLIENT_ID, client_secret)
            cookie_secret = tomllib.loads(secrets_path.read_text(encoding="utf-8"))["auth"]["cookie_secret"]
            env = {
                **cli_env,
                "ESSDASH_MODE": "partage",
                "STREAMLIT_SECRETS_FILES": str(secrets_path),
                "STREAMLIT_SERVER_COOKIE_SECRET": cookie_secret,
            }
            with (
                running_apps(ports, env, work) as procs,
                running_nginx(work / "nginx", proxy_port, ports) as url,
            ):
                deployed = Deployment(url, issuer, base, procs, work / "nginx" / "access.log", work)
                yield deployed
                for page in deployed.pages.values():
                    page.context.close()
    finally:
        drop(base)


@pytest.fixture(autouse=True)
def _report_failure(request, deployment):
    """On failure, print the end of every log (nginx's, each process's)."""
    failed_before = request.session.testsfailed
    yield
    if request.session.testsfailed > failed_before:
        for log in sorted(deployment.work.rglob("*.log")):
            lines = [line for line in log.read_text(errors="replace").splitlines() if "/static/" not in line]
            print(f"--- {log}:\n" + "\n".join(lines[-60:]))


def _new_page(browser, url: str, route: str | None = None):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    context.set_default_timeout(WAIT_MS)
    context.route("**/*", lambda r: r.continue_() if is_loopback(r.request.url) else r.abort())
    if route is not None:
        _route(context, url, route)
    return context.new_page()


def _route(context, url: str, route: str) -> None:
    context.add_cookies([{"name": ROUTE_COOKIE, "value": route, "url": url}])


def _route_of(page, url: str) -> str:
    return next(c["value"] for c in page.context.cookies(url) if c["name"] == ROUTE_COOKIE)


def _ports_of(deployment: Deployment, route: str, since: int = 0) -> set[int | None]:
    """The processes that answered the requests routed by ``route`` (from the ``since``-th log line on)."""
    return {port for key, port, _ in served_by(deployment.access_log)[since:] if key == route}


def _route_to(deployment: Deployment, port: int) -> str:
    """A route key that nginx sends to the process on ``port`` (asked through the proxy, read in its log)."""
    for n in range(200):
        key = f"essai-{n}"
        request = urllib.request.Request(
            f"{deployment.url}/_stcore/health", headers={"Cookie": f"{ROUTE_COOKIE}={key}"}
        )
        with urllib.request.urlopen(request, timeout=10):
            pass
        if _ports_of(deployment, key) == {port}:
            return key
    raise AssertionError(f"no route key of 200 reaches the process on port {port}")


def _log_in(page, deployment: Deployment, switch_to: str | None = None) -> None:
    """« Se connecter », the provider's pages, back on the app; ``switch_to``: the route key the browser
    carries while at the provider, so that the callback reaches that key's process."""
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{deployment.issuer}/interaction/**")
    if switch_to is not None:
        _route(page.context, deployment.url, switch_to)
    login_at_provider(page, ADMIN)
    wait_idle(page)
    expect(page.get_by_test_id("stSidebar").get_by_role("button", name="Se déconnecter")).to_be_visible()
    expect(page.get_by_test_id("stSidebar").get_by_text(ADMIN)).to_be_visible()


def _propose(page, url: str, title: str) -> None:
    """Register a proposal with the Projets page's form (Wavrin, fiche III.4), as a person does."""
    page.goto(f"{url}/projets", wait_until="domcontentloaded")
    wait_idle(page)
    page.get_by_text("Nouvelle proposition de projet").click()
    form = page.get_by_test_id("stForm")
    form.get_by_role("textbox", name="Titre du projet").fill(title)
    form.get_by_role("textbox", name="Porteur (structure)").fill("Association du mandataire")
    commune = form.locator('[data-testid="stSelectbox"]').get_by_role("combobox", name="Commune principale")
    commune.click()
    commune.fill("Wavrin")
    page.get_by_role("option", name="Wavrin", exact=True).click()
    sheets = form.locator('[data-testid="stMultiSelect"]').get_by_role("combobox")
    sheets.click()
    sheets.fill("III.4")
    page.get_by_role("option", name="III.4", exact=True).click()
    page.keyboard.press("Escape")
    form.get_by_role("button", name="Enregistrer la proposition").click()
    expect(page.get_by_text("Proposition enregistrée.")).to_be_visible()


def _counts(base: str) -> tuple[int, int]:
    """The base's projects and journal lines."""
    return _rows(base, "SELECT (SELECT COUNT(*) FROM project), (SELECT COUNT(*) FROM journal)")[0]


def _projects_titled(base: str, title: str) -> list[int]:
    return [row[0] for row in _rows(base, "SELECT id FROM project WHERE title = ?", title)]


def test_a_login_through_the_proxy_keeps_the_browser_on_one_process(deployment, browser):
    page = _new_page(browser, deployment.url)
    deployment.pages["a"] = page
    page.goto(deployment.url, wait_until="domcontentloaded")
    wait_idle(page)
    _log_in(page, deployment)
    route = _route_of(page, deployment.url)
    ports = _ports_of(deployment, route)
    assert len(ports) == 1 and ports <= set(deployment.procs), ports  # every request of its own on one process
    deployment.ports["a"] = ports.pop()


def test_b_a_proposal_made_on_one_process_is_seen_from_the_other(deployment, browser):
    url, base = deployment.url, deployment.base
    projects, journal = _counts(base)
    page_a = deployment.pages["a"]
    _propose(page_a, url, FIRST)
    assert len(_projects_titled(base, FIRST)) == 1
    assert _counts(base)[0] == projects + 1
    deployment.journal_per_proposal = _counts(base)[1] - journal
    assert deployment.journal_per_proposal > 0
    (created,) = _projects_titled(base, FIRST)

    other = next(port for port in deployment.procs if port != deployment.ports["a"])
    deployment.ports["b"] = other
    route_b, route_a = _route_to(deployment, other), _route_of(page_a, url)
    page = _new_page(browser, url, route_b)
    deployment.pages["b"] = page
    page.goto(url, wait_until="domcontentloaded")
    wait_idle(page)
    since = len(served_by(deployment.access_log))
    _log_in(page, deployment, switch_to=route_a)  # started on its process, completed on the other one
    callbacks = [port for key, port, request in served_by(deployment.access_log) if "/oauth2callback" in request]
    assert callbacks and callbacks[-1] == deployment.ports["a"], callbacks
    logins = [port for _, port, request in served_by(deployment.access_log)[since:] if "/auth/login" in request]
    assert logins == [other], logins
    assert _ports_of(deployment, route_b) == {other}

    # Back to its own process: the app's page left first, so that no answer still on its way from the
    # other process gives the browser that process's route again (nginx repeats the key on every answer).
    page.goto("about:blank")
    _route(page.context, url, route_b)
    since = len(served_by(deployment.access_log))
    page.goto(f"{url}/projets?projet={created}", wait_until="domcontentloaded")
    expect(page.get_by_text(FIRST).first).to_be_visible()
    assert _route_of(page, url) == route_b
    expect(page.get_by_test_id("stSidebar").get_by_text(ADMIN)).to_be_visible()
    assert _ports_of(deployment, route_b, since) == {other}, served_by(deployment.access_log)[since:]


def test_c_an_upload_is_previewed_by_the_process_that_holds_the_session(deployment):
    page, url = deployment.pages["b"], deployment.url
    since = len(served_by(deployment.access_log))
    page.goto(f"{url}/donnees", wait_until="domcontentloaded")
    wait_idle(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        files=[{"name": UPLOAD, "mimeType": "text/csv", "buffer": UPLOAD_CSV.encode("utf-8")}]
    )
    expect(page.get_by_text(UPLOAD).first).to_be_visible()
    expect(page.get_by_text("Association du mandataire").first).to_be_attached()
    wait_idle(page)
    uploads = [port for _, port, request in served_by(deployment.access_log)[since:] if "upload_file" in request]
    assert uploads and set(uploads) == {deployment.ports["b"]}, uploads
    assert _projects_titled(deployment.base, "Atelier importé par le mandataire") == []  # a preview writes nothing


def test_d_the_pack_downloads_from_the_process_that_holds_the_session(deployment):
    page, url = deployment.pages["b"], deployment.url
    since = len(served_by(deployment.access_log))
    page.goto(f"{url}/presentation", wait_until="domcontentloaded")
    wait_idle(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Données du pack (JSON)").click()
    pack = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert pack and isinstance(pack, dict)
    media = [port for _, port, request in served_by(deployment.access_log)[since:] if "/media/" in request]
    assert media and set(media) == {deployment.ports["b"]}, media


def test_e_a_killed_process_loses_nothing_and_the_next_action_works(deployment):
    url, base = deployment.url, deployment.base
    page = deployment.pages["a"]
    dead = deployment.ports["a"]
    projects, journal = _counts(base)
    deployment.procs[dead].send_signal(signal.SIGKILL)
    deployment.procs[dead].wait(timeout=10)
    since = len(served_by(deployment.access_log))

    # The person's next action, in the tab they had open: another proposal, still logged in.
    _propose(page, url, SECOND)
    expect(page.get_by_test_id("stSidebar").get_by_text(ADMIN)).to_be_visible()
    assert _ports_of(deployment, _route_of(page, url), since) == {deployment.ports["b"]}
    assert len(_projects_titled(base, FIRST)) == 1
    assert len(_projects_titled(base, SECOND)) == 1
    assert _counts(base) == (projects + 1, journal + deployment.journal_per_proposal)
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as resp:
        assert resp.status == 200
