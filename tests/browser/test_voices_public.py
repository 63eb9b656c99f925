"""The pages open to all, in a real Chromium against the shared dashboard (``ESSDASH_MODE=partage``,
the login test's servers: a real OpenID provider and ``streamlit run app.py`` on a demo base):

- an anonymous visitor sees the public view and its tabs, no sidebar link, and the login page at the
  URL of every member's page (no « Page not found »); the base is byte-identical afterwards;
- the administrateur opens a questionnaire and downloads its one-time links (CSV);
- anonymous visitors answer through five links; a reused link is refused in French;
- the answers show, counted, on the Indicateurs page and on the project's record.

The tests share the servers and run in order.
"""

from __future__ import annotations

import csv
import hashlib
import io
import sqlite3
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect

from essdash.ui.navigation import PAGES
from tests.browser.oidc_support import user_cookie
from tests.browser.support import WAIT_MS, assert_no_error, is_loopback, wait_idle
from tests.browser.test_login import ADMIN, ADMIN_NAME, LOGIN_TITLE, USER_COOKIE, _query, shared_app

__all__ = ["shared_app"]  # the login test's servers, as this module's fixture
PUBLIC_TITLE = "L'économie sociale et solidaire dans la métropole lilloise"
LINKS: list[str] = []  # the questionnaire's links, as downloaded by the administrateur

expect.set_options(timeout=WAIT_MS)


def _digest(db_path: Path) -> str:
    """The digest of the base's SQL dump (every schema object and row)."""
    with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()


@contextmanager
def _visitor(browser, app: dict, *, admin: bool = False):
    """A new browser page: anonymous, or the administrateur (a login cookie signed with the app's secret)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR", accept_downloads=True)
    try:
        context.set_default_timeout(WAIT_MS)
        context.route("**/*", lambda route: route.continue_() if is_loopback(route.request.url) else route.abort())
        if admin:
            value = user_cookie(app["cookie_secret"], app["url"], ADMIN, ADMIN_NAME, app["issuer"])
            context.add_cookies([{"name": USER_COOKIE, "value": value, "url": app["url"]}])
        yield context.new_page()
    finally:
        context.close()


def _open(page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    wait_idle(page)


def test_a_an_anonymous_visitor_sees_the_public_view_and_no_other_page(shared_app, browser):
    url, db_path = shared_app["url"], shared_app["db"]
    before = _digest(db_path)
    with _visitor(browser, shared_app) as page:
        _open(page, f"{url}/public")
        expect(page.get_by_role("heading", name=PUBLIC_TITLE)).to_be_visible()
        expect(page.get_by_test_id("stMetric").first).to_be_visible()
        for tab in ("Carte", "Équité", "Dossiers des comités", "Données ouvertes", "Synthèse"):
            page.get_by_role("tab", name=tab).click()
            wait_idle(page)
            assert_no_error(page)
            expect(page.locator('[data-testid="stSidebarContent"] a')).to_have_count(0)
            expect(page.get_by_role("button", name="Se connecter")).to_have_count(0)
        for entry in PAGES:
            _open(page, f"{url}/{entry.url_path}")
            expect(page.get_by_role("heading", name=LOGIN_TITLE)).to_be_visible()
            expect(page.get_by_role("button", name="Se connecter")).to_be_visible()
            expect(page.get_by_test_id("stMetric")).to_have_count(0)
            assert_no_error(page)  # no « Page not found », no dialog
    assert _digest(db_path) == before


def test_b_the_administrateur_opens_a_questionnaire_and_downloads_its_links(shared_app, browser):
    url = shared_app["url"]
    with _visitor(browser, shared_app, admin=True) as page:
        _open(page, f"{url}/questionnaires")
        page.get_by_text("Ouvrir un questionnaire", exact=True).click()
        wait_idle(page)
        page.get_by_role("combobox", name="Projet").click()
        page.get_by_role("option").first.click()
        page.get_by_label("Titre du questionnaire").fill("Avis des usagers 2014")
        page.get_by_label("Nombre de liens (un par personne)").fill("6")
        page.get_by_role("button", name="Ouvrir le questionnaire").click()
        wait_idle(page)
        expect(page.get_by_text("Les 6 liens du questionnaire", exact=False)).to_be_visible()
        with page.expect_download() as download:
            page.get_by_role("button", name="Télécharger les liens (CSV)").click()
        rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig")), delimiter=";"))
    LINKS[:] = [row["Lien"] for row in rows]
    assert len(LINKS) == 6 and all(link.startswith(f"{url}/reponse?jeton=") for link in LINKS)
    assert _query(shared_app["db"], "SELECT count(*) FROM voicetoken") == [(6,)]


def test_c_anonymous_visitors_answer_once_each_and_a_reused_link_is_refused(shared_app, browser):
    if not LINKS:
        pytest.skip("no links: the previous test failed")
    with _visitor(browser, shared_app) as page:
        for n, link in enumerate(LINKS[:5]):
            _open(page, link)
            page.get_by_test_id("stRadio").nth(1).get_by_text("oui" if n else "non", exact=True).click()
            page.get_by_role("button", name="Envoyer mes réponses").click()
            expect(page.get_by_text("Votre réponse est enregistrée")).to_be_visible()
        _open(page, LINKS[0])
        expect(page.get_by_text("Ce lien a déjà servi")).to_be_visible()
        expect(page.get_by_role("button", name="Envoyer mes réponses")).to_have_count(0)
        expect(page.locator('[data-testid="stSidebarContent"] a')).to_have_count(0)
    assert _query(shared_app["db"], "SELECT count(*) FROM voiceresponse") == [(5,)]
    assert _query(shared_app["db"], "SELECT count(*) FROM voicetoken WHERE used_at IS NOT NULL") == [(5,)]


def test_d_the_answers_show_on_the_indicateurs_page_and_the_project_record(shared_app, browser):
    url = shared_app["url"]
    ((project,),) = _query(shared_app["db"], "SELECT project_id FROM questionnaire")
    sentence = "5 réponses ; 80\u00a0% de oui à « Recommanderiez-vous"
    with _visitor(browser, shared_app, admin=True) as page:
        _open(page, f"{url}/indicateurs")
        page.get_by_role("tab", name="Avis des bénéficiaires").click()
        wait_idle(page)
        expect(page.get_by_text(sentence)).to_be_visible()
        expect(page.get_by_text("à partir de 5 réponses").first).to_be_visible()
        _open(page, f"{url}/projets?projet={project}")
        expect(page.get_by_text(sentence)).to_be_visible()
        assert_no_error(page)
