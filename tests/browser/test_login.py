"""The shared dashboard (``ESSDASH_MODE=partage``) behind st.login(), end to end: the real app.py on a
demo database with two members added by the command line, a real OpenID provider (oidc-provider, see
oidc_support.py) on loopback, driven in Chromium.

- A visitor sees the login page, even on a project's deep link, and nothing of the data.
- The technician of the Territoire Roubaisien logs in at the provider, is named in the sidebar, moves a
  Roubaix project one step (the database records the step with their e-mail as account), and sees a
  Lille project read-only (« Lecture seule », no save button).
- A ``_streamlit_user`` cookie claiming to be the administrateur, unsigned or signed with another secret,
  shows the login page; the same claims signed with the app's secret do open the dashboard (so the
  test tells the two apart by the signature alone).
- Claims signed with the app's secret for the technician's e-mail but another account of the provider
  (another ``sub``) show « Connexion refusée », and the journal keeps the attempt: the technician is
  bound to the account of their first login.
- Removed by the command line while their form is open, the technician's submit writes nothing and
  shows « Accès non ouvert », with whom to ask and no administrator's address; added back, they are in
  again on the next request.
- « Se déconnecter », then the provider's sign-out confirmation, brings back the login page.
- Logging in from a deep link with filters (`/projets?territoire=roubaisien`) lands back on it.

The tests share one browser page and run in order.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.oidc_support import (
    login_at_provider,
    logout_at_provider,
    running_provider,
    user_cookie,
    write_secrets,
)
from tests.browser.servers import free_port, streamlit_server
from tests.browser.support import WAIT_MS, is_loopback, wait_idle

PROJECT_DIR = Path(__file__).resolve().parents[2]
CLIENT_ID = "essdash-test"
USER_COOKIE = "_streamlit_user"
TECH = "tech.roubaix@example.org"
TECH_CAPTION = "Tech Roubaix (technicien) — tech.roubaix@example.org"  # the sidebar's line for that member
ADMIN = "admin.metropole@example.org"
ADMIN_NAME = "Admin Metropole"
ROUBAIX = "59512"
LILLE = "59350"
LOGIN_TITLE = "Tableau de bord ESS de Lille Métropole"
STEP_BUTTON = "Enregistrer l'étape"
EDIT_BUTTON = "Enregistrer les modifications"

expect.set_options(timeout=WAIT_MS)


def _cli(env: dict[str, str], *args: str) -> str:
    """``python -m essdash ARGS`` on the test database; its output, or the test fails with it."""
    result = subprocess.run(
        [sys.executable, "-m", "essdash", *args], cwd=PROJECT_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, f"essdash {' '.join(args)} failed:\n{result.stdout}{result.stderr}"
    return result.stdout


def _query(db_path: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        return conn.execute(sql, params).fetchall()


def _project_in(db_path: Path, commune: str, skip: tuple[int, ...] = ()) -> tuple[int, str]:
    """A project « En cours » whose communes all are ``commune``: its id and title."""
    rows = _query(
        db_path,
        """
        SELECT p.id, p.title FROM project p
        WHERE p.commune_code = ? AND p.status = 'en_cours'
          AND NOT EXISTS (SELECT 1 FROM projectcommune pc WHERE pc.project_id = p.id AND pc.commune_code != ?)
        ORDER BY p.id
        """,
        commune,
        commune,
    )
    rows = [row for row in rows if row[0] not in skip]
    assert rows, f"the demo database has no project « En cours » in {commune} alone"
    return rows[0]


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory, chromium_path):
    """The demo database with its two members, the provider and the app in « partagé » mode.

    Yields a dict: ``url`` (the app), ``issuer`` (the provider), ``db`` (the SQLite file), ``cli_env``
    (the environment of the command line on that file), ``cookie_secret`` and ``log`` (Streamlit's output).
    """
    work = tmp_path_factory.mktemp("essdash-login")
    db_path = work / "essdash.db"
    cli_env = {**os.environ, "DATABASE_URL": f"sqlite:///{db_path}", "PYTHONUNBUFFERED": "1"}
    for name in ("ESSDASH_SEED", "ESSDASH_MODE", "ESSDASH_SESSION_HOURS"):
        cli_env.pop(name, None)
    _cli(cli_env, "init-db")
    # The first administrateur is named from the « poste local » command line; then they act.
    _cli(cli_env, "users", "add", ADMIN, "--role", "administrateur")
    _cli(cli_env, "users", "add", TECH, "--role", "technicien", "--territoire", "roubaisien", "--as", ADMIN)

    app_port = free_port()
    client_secret = os.urandom(18).hex()
    redirect_uri = f"http://127.0.0.1:{app_port}/oauth2callback"
    with running_provider(CLIENT_ID, client_secret, redirect_uri, work / "provider.log") as issuer:
        secrets_path = write_secrets(work, issuer, app_port, CLIENT_ID, client_secret)
        cookie_secret = tomllib.loads(secrets_path.read_text(encoding="utf-8"))["auth"]["cookie_secret"]
        env = {
            **cli_env,
            "ESSDASH_MODE": "partage",
            # The secrets are outside the repository: Streamlit's secrets.files option, as an environment variable.
            "STREAMLIT_SECRETS_FILES": str(secrets_path),
        }
        log = work / "streamlit.log"
        with streamlit_server("app.py", PROJECT_DIR, env, log, port=app_port) as url:
            yield {
                "url": url,
                "issuer": issuer,
                "db": db_path,
                "cli_env": cli_env,
                "cookie_secret": cookie_secret,
                "log": log,
            }


@pytest.fixture(autouse=True)
def _report_failure(request, shared_app, page):
    """On failure, save a screenshot of the page and print the end of Streamlit's log."""
    failed_before = request.session.testsfailed
    yield
    if request.session.testsfailed > failed_before:
        path = Path(f"/tmp/essdash-login-failure-{request.node.name}.png")
        try:
            page.screenshot(path=str(path), full_page=True)
            print(f"screenshot of the failing page: {path} (url {page.url})")
        except Exception as exc:
            print(f"no failure screenshot: {exc}")
        print(f"streamlit log {shared_app['log']}:\n{shared_app['log'].read_text(errors='replace')[-8000:]}")


def _login_cookies(context, url: str) -> list[str]:
    return [cookie["name"] for cookie in context.cookies(url) if cookie["name"].startswith(USER_COOKIE)]


def _sidebar(page):
    return page.get_by_test_id("stSidebar")


def _expect_login_page(page) -> None:
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible()
    expect(page.get_by_role("heading", name=LOGIN_TITLE)).to_be_visible()
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)


def _open_project(page, url: str, project_id: int, title: str) -> None:
    page.goto(f"{url}/projets?projet={project_id}", wait_until="domcontentloaded")
    expect(page.get_by_text(title).first).to_be_visible()
    expect(page.get_by_role("tab", name="Faire avancer")).to_be_visible()
    wait_idle(page)


def _step_panel(page):
    return page.get_by_role("tabpanel").filter(has_text="Nouvelle étape")


def _wait_rows(db_path: Path, sql: str, *params) -> list[tuple]:
    """The query's rows once there are some, or none after the wait (bounded)."""
    deadline = time.monotonic() + WAIT_MS / 1000
    rows = _query(db_path, sql, *params)
    while not rows and time.monotonic() < deadline:
        time.sleep(0.2)
        rows = _query(db_path, sql, *params)
    return rows


def test_a_visitor_sees_only_the_login_page(shared_app, page):
    url, db_path = shared_app["url"], shared_app["db"]
    # Nothing leaves this machine (the provider's pages ask for a web font).
    page.context.route("**/*", lambda route: route.continue_() if is_loopback(route.request.url) else route.abort())
    project_id, title = _project_in(db_path, ROUBAIX)
    page.goto(f"{url}/projets?projet={project_id}", wait_until="domcontentloaded")
    wait_idle(page)
    _expect_login_page(page)
    expect(page.get_by_text(title)).to_have_count(0)
    expect(page.get_by_role("tab", name="Faire avancer")).to_have_count(0)
    expect(_sidebar(page).get_by_text(TECH)).to_have_count(0)
    assert _login_cookies(page.context, url) == []


def test_b_the_technician_logs_in_at_the_provider(shared_app, page):
    url, issuer = shared_app["url"], shared_app["issuer"]
    page.goto(url, wait_until="domcontentloaded")
    wait_idle(page)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{issuer}/interaction/**")
    login_at_provider(page, TECH)
    wait_idle(page)
    expect(_sidebar(page).get_by_text(TECH_CAPTION)).to_be_visible()
    expect(_sidebar(page).get_by_role("button", name="Se déconnecter")).to_be_visible()
    expect(page.get_by_role("button", name="Se connecter")).to_have_count(0)
    assert USER_COOKIE in _login_cookies(page.context, url)


def test_c_the_technician_moves_a_roubaix_project_one_step(shared_app, page):
    url, db_path = shared_app["url"], shared_app["db"]
    project_id, title = _project_in(db_path, ROUBAIX)
    (last,) = _query(db_path, "SELECT COALESCE(MAX(id), 0) FROM projectevent")[0]
    _open_project(page, url, project_id, title)
    panel = _step_panel(page)
    expect(panel.get_by_role("button", name=STEP_BUTTON)).to_be_visible()
    # A member signs by being logged in: no « Votre nom » to fill.
    expect(panel.get_by_text("Signé : Tech Roubaix (technicien)")).to_be_visible()
    expect(panel.get_by_label("Votre nom")).to_have_count(0)
    # « En cours » goes on to « Réalisé » (the first step offered), dated, with no meeting.
    expect(panel.locator('[data-testid="stSelectbox"]').get_by_role("combobox", name="Nouvelle étape")).to_have_value(
        "Réalisé"
    )
    panel.get_by_label("Motif ou commentaire").fill("Clôture constatée sur place")
    panel.get_by_role("button", name=STEP_BUTTON).click()

    rows = _wait_rows(
        db_path,
        "SELECT project_id, from_status, to_status, account, author, comment FROM projectevent WHERE id > ?",
        last,
    )
    assert rows == [
        (project_id, "en_cours", "realise", TECH, "Tech Roubaix (technicien)", "Clôture constatée sur place")
    ]
    assert _query(db_path, "SELECT status FROM project WHERE id = ?", project_id) == [("realise",)]
    (journal,) = _query(db_path, "SELECT account, deed, place FROM journal ORDER BY id DESC LIMIT 1")
    assert journal == (TECH, "etape", "Roubaix"), journal
    expect(page.get_by_text("Étape enregistrée.")).to_be_visible()


def test_d_a_lille_project_is_read_only_for_the_roubaix_technician(shared_app, page):
    url, db_path = shared_app["url"], shared_app["db"]
    project_id, title = _project_in(db_path, LILLE)
    events = _query(db_path, "SELECT COUNT(*) FROM projectevent")
    _open_project(page, url, project_id, title)
    step = page.get_by_role("tabpanel").filter(has_text="Lecture seule")
    expect(
        step.get_by_text("Lecture seule : votre rôle (technicien) ne permet pas de faire avancer ce projet")
    ).to_be_visible()
    expect(page.get_by_role("button", name=STEP_BUTTON, include_hidden=True)).to_have_count(0)
    expect(page.get_by_role("combobox", name="Nouvelle étape", include_hidden=True)).to_have_count(0)
    page.get_by_role("tab", name="Modifier").click()
    expect(
        page.get_by_text("Lecture seule : votre rôle (technicien) ne permet pas de modifier ce projet")
    ).to_be_visible()
    expect(page.get_by_role("button", name=EDIT_BUTTON, include_hidden=True)).to_have_count(0)
    # Still signed in as the technician: the read-only page is about the place, not a lost session.
    expect(_sidebar(page).get_by_text(TECH_CAPTION)).to_be_visible()
    assert _query(db_path, "SELECT COUNT(*) FROM projectevent") == events


@pytest.mark.parametrize("forgery", ["unsigned", "wrong secret", "app secret (control)"])
def test_e_a_forged_login_cookie_opens_nothing(shared_app, browser, forgery):
    url = shared_app["url"]
    secret = "x" * 32 if forgery == "wrong secret" else shared_app["cookie_secret"]
    signed = user_cookie(secret, url, ADMIN, ADMIN_NAME, shared_app["issuer"])
    # Unsigned: the claims and their timestamp as itsdangerous writes them, without the signature.
    value = signed.rsplit(".", 1)[0] if forgery == "unsigned" else signed
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    try:
        context.set_default_timeout(WAIT_MS)
        context.route("**/*", lambda route: route.continue_() if is_loopback(route.request.url) else route.abort())
        context.add_cookies([{"name": USER_COOKIE, "value": value, "url": url}])
        page = context.new_page()
        page.goto(url, wait_until="domcontentloaded")
        wait_idle(page)
        admin_line = _sidebar(page).get_by_text(f"{ADMIN_NAME} (administrateur) — {ADMIN}")
        if forgery == "app secret (control)":
            expect(admin_line).to_be_visible()
            expect(page.get_by_role("button", name="Se connecter")).to_have_count(0)
        else:
            _expect_login_page(page)
            expect(admin_line).to_have_count(0)
    finally:
        context.close()


def test_e_another_account_with_the_technician_s_email_is_refused(shared_app, browser):
    url, db_path, issuer = shared_app["url"], shared_app["db"], shared_app["issuer"]
    assert _query(db_path, "SELECT issuer, subject FROM member WHERE email = ?", TECH) == [(issuer, TECH)]
    signed = user_cookie(shared_app["cookie_secret"], url, TECH, "Tech Roubaix", issuer, subject="compte-recycle")
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    try:
        context.set_default_timeout(WAIT_MS)
        context.route("**/*", lambda route: route.continue_() if is_loopback(route.request.url) else route.abort())
        context.add_cookies([{"name": USER_COOKIE, "value": signed, "url": url}])
        page = context.new_page()
        page.goto(url, wait_until="domcontentloaded")
        expect(page.get_by_role("heading", name="Connexion refusée")).to_be_visible()
        expect(page.get_by_text("liée à un autre compte du fournisseur d'identité")).to_be_visible()
        expect(_sidebar(page).get_by_text(TECH_CAPTION)).to_have_count(0)
    finally:
        context.close()
    refused = _query(db_path, "SELECT account, summary FROM journal WHERE deed = 'connexion' ORDER BY id")
    assert refused[0][1].startswith("Première connexion") and refused[-1][1].startswith("Connexion refusée")
    assert refused[-1][0] == TECH and "compte-recycle" in refused[-1][1]
    assert _query(db_path, "SELECT issuer, subject FROM member WHERE email = ?", TECH) == [(issuer, TECH)]


def test_f_a_removed_member_writes_nothing_and_loses_access(shared_app, page):
    url, db_path, cli_env = shared_app["url"], shared_app["db"], shared_app["cli_env"]
    done, _ = _project_in(db_path, ROUBAIX)
    project_id, title = _project_in(db_path, ROUBAIX, skip=(done,))
    _open_project(page, url, project_id, title)
    panel = _step_panel(page)
    expect(panel.get_by_role("button", name=STEP_BUTTON)).to_be_visible()
    panel.get_by_label("Motif ou commentaire").fill("Envoyé après le retrait")
    state = "SELECT (SELECT COUNT(*) FROM projectevent), (SELECT COUNT(*) FROM journal), status, version FROM project"
    before = _query(db_path, state + " WHERE id = ?", project_id)

    _cli(cli_env, "users", "remove", TECH, "--as", ADMIN)
    after_removal = _query(db_path, state + " WHERE id = ?", project_id)
    assert after_removal[0][1] == before[0][1] + 1  # the removal itself is in the journal
    # The form was drawn while they were a member; its submit is the next request.
    panel.get_by_role("button", name=STEP_BUTTON).click()
    expect(page.get_by_role("heading", name="Accès non ouvert")).to_be_visible()
    expect(page.get_by_text(f"Vous êtes connecté(e) avec l'adresse {TECH}")).to_be_visible()
    expect(page.get_by_text("adressez-vous à l'administrateur du tableau de bord")).to_be_visible()
    expect(page.get_by_text(ADMIN)).to_have_count(0)
    wait_idle(page)
    assert _query(db_path, state + " WHERE id = ?", project_id) == after_removal
    expect(page.get_by_role("button", name=STEP_BUTTON, include_hidden=True)).to_have_count(0)

    page.reload(wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name="Accès non ouvert")).to_be_visible()
    expect(page.get_by_text(title)).to_have_count(0)

    # Added back, the same login is in again on the next request.
    _cli(cli_env, "users", "add", TECH, "--role", "technicien", "--territoire", "roubaisien", "--as", ADMIN)
    page.reload(wait_until="domcontentloaded")
    expect(_sidebar(page).get_by_text(TECH_CAPTION)).to_be_visible()
    expect(page.get_by_role("heading", name="Accès non ouvert")).to_have_count(0)


def test_g_logout_brings_back_the_login_page(shared_app, page):
    url, issuer = shared_app["url"], shared_app["issuer"]
    page.goto(url, wait_until="domcontentloaded")
    wait_idle(page)
    _sidebar(page).get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(f"{issuer}/session/end**")
    logout_at_provider(page)
    wait_idle(page)
    _expect_login_page(page)
    expect(_sidebar(page).get_by_text(TECH)).to_have_count(0)
    assert _login_cookies(page.context, url) == []
    # The project pages are closed again.
    project_id, title = _project_in(shared_app["db"], LILLE)
    page.goto(f"{url}/projets?projet={project_id}", wait_until="domcontentloaded")
    wait_idle(page)
    _expect_login_page(page)
    expect(page.get_by_text(title)).to_have_count(0)


def test_h_after_login_the_person_lands_on_the_link_they_opened(shared_app, page):
    url, issuer = shared_app["url"], shared_app["issuer"]
    page.goto(f"{url}/projets?territoire=roubaisien", wait_until="domcontentloaded")
    wait_idle(page)
    _expect_login_page(page)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{issuer}/interaction/**")
    login_at_provider(page, TECH)
    # Back from the provider on the page and filter opened, not on Synthèse for the whole metropolis.
    page.wait_for_url(f"{url}/projets?territoire=roubaisien")
    wait_idle(page)
    expect(_sidebar(page).get_by_text(TECH_CAPTION)).to_be_visible()
    expect(page.get_by_role("heading", name="Projets").first).to_be_visible()
    expect(page.get_by_text("Territoire Roubaisien").first).to_be_visible()
    # The landing cookie is spent: the next visit of the root stays there.
    assert "essdash_landing" not in [cookie["name"] for cookie in page.context.cookies(url)]
