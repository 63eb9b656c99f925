"""No English word of Streamlit's own on any page, in a real Chromium: every page and every tab, the
Données page's file uploader (and its refusal of a file too large, which the browser itself writes),
a form's hint under a field being typed in, a select box's empty search, and the shared mode's login
page. What a person reads (``innerText``) and what a screen reader or a tooltip
says (``aria-label``, ``title``, ``placeholder``) are checked against Streamlit's English defaults.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from essdash.domain import limits
from essdash.ui.navigation import PAGES, PUBLIC_PAGES
from tests.browser.oidc_support import running_provider, write_secrets
from tests.browser.servers import free_port, streamlit_server
from tests.browser.support import WAIT_MS, assert_no_error, wait_idle

PROJECT_DIR = Path(__file__).resolve().parents[2]
ENGLISH = {
    "None": re.compile(r"(?<![\w-])None(?![\w-])"),
    "Choose an option": re.compile(r"Choose (an )?options?"),
    "Browse files": re.compile(r"Browse files"),
    "Drag and drop": re.compile(r"Drag and drop"),
    "Upload": re.compile(r"(?<![\w-])Upload(?![\w-])"),
    "per file": re.compile(r"per file"),
    "Press Enter": re.compile(r"Press (Enter|⌘|Ctrl)"),
    "Select all": re.compile(r"Select all"),
    "No results": re.compile(r"No results"),
    "Help for": re.compile(r"Help for"),
    "Error: ": re.compile(r"(?<![\w-])Error:"),
    "file upload": re.compile(r"file upload"),
    "Remove": re.compile(r"(?<![\w-])Remove "),
    "MB": re.compile(r"\d(KB|MB|GB)\b"),
}
# What a person or a screen reader meets: the text shown and the attributes said aloud or as a
# tooltip. A table's empty cell is drawn on a canvas, out of reach here: tests/ui/test_pages.py checks
# every table's placeholder instead.
SHOWN = """() => {
  const found = [['texte', document.body.innerText]];
  for (const element of document.querySelectorAll('[aria-label], [title], [placeholder]'))
    for (const name of ['aria-label', 'title', 'placeholder'])
      if (element.hasAttribute(name)) found.push([name, element.getAttribute(name)]);
  return found;
}"""
TOO_LARGE = """([selector, size]) => {
  const input = document.querySelector(selector);
  const files = new DataTransfer();
  files.items.add(new File([new Uint8Array(size)], 'trop-grand.csv', {type: 'text/csv'}));
  input.files = files.files;
  input.dispatchEvent(new Event('change', {bubbles: true}));
}"""
DRAGGED = """() => {
  const files = new DataTransfer();
  files.items.add(new File(['a;b'], 'partenaire.csv', {type: 'text/csv'}));
  return files;
}"""

expect.set_options(timeout=WAIT_MS)


def _english(page, where: str) -> list[str]:
    """Each English default the page shows, with where and in what (text, cell, attribute)."""
    wait_idle(page)
    problems = []
    for kind, value in page.evaluate(SHOWN):
        for name, pattern in ENGLISH.items():
            for line in value.splitlines():
                if pattern.search(line):
                    problems.append(f"{where} ({kind}): « {name} » in {line.strip()[:160]!r}")
    return problems


def _open(page, base_url: str, path: str, title: str) -> None:
    page.goto(f"{base_url}/{path}", wait_until="domcontentloaded")
    heading = page.locator("h1").filter(has_text=re.compile(rf"^\s*{re.escape(title)}"))
    expect(heading.first).to_be_visible(timeout=WAIT_MS * 2)  # the first request builds the demo database
    expect(page.locator('[data-testid="stSidebarContent"] a').nth(len(PAGES) - 1)).to_be_visible()
    wait_idle(page)
    assert_no_error(page)


def test_no_english_default_on_any_page_or_tab(server, page):
    problems: list[str] = []
    tabs_read = 0
    for entry in PAGES:
        _open(page, server[0], entry.url_path, entry.title)
        problems += _english(page, entry.title)
        tabs = page.get_by_role("tab")  # lazy tabs: a tab's content is drawn only once it is open
        for n in range(1, tabs.count()):
            label = tabs.nth(n).inner_text()
            tabs.nth(n).click()
            expect(tabs.nth(n)).to_have_attribute("aria-selected", "true")
            panel = page.get_by_role("tabpanel").filter(visible=True)
            expect(panel.locator('[data-testid="stElementContainer"]').first).to_be_visible()
            wait_idle(page)
            assert_no_error(page)
            problems += _english(page, f"{entry.title} › {label}")
            tabs_read += 1
    assert tabs_read == 21  # as in test_accessibility: every tab beyond each page's first
    assert not problems, "\n".join(problems)


def test_no_english_default_on_the_public_pages(server, page):
    """The pages open without an account (here in « poste local » mode), each tab of the public view."""
    problems: list[str] = []
    for entry in PUBLIC_PAGES:
        page.goto(f"{server[0]}/{entry.url_path}", wait_until="domcontentloaded")
        expect(page.locator("h1").first).to_be_visible(timeout=WAIT_MS * 2)
        wait_idle(page)
        assert_no_error(page)
        problems += _english(page, entry.title)
        tabs = page.get_by_role("tab")
        for n in range(1, tabs.count()):
            tabs.nth(n).click()
            expect(tabs.nth(n)).to_have_attribute("aria-selected", "true")
            wait_idle(page)
            assert_no_error(page)
            problems += _english(page, f"{entry.title} › {tabs.nth(n).inner_text()}")
    assert not problems, "\n".join(problems)


def test_the_file_uploader_speaks_french(server, page):
    _open(page, server[0], "donnees", "Données")
    uploader = page.get_by_test_id("stFileUploader").first
    expect(uploader.get_by_test_id("stFileUploaderDropzone")).to_be_visible()
    expect(uploader).to_contain_text(f"{limits.IMPORT_MIB} Mio au plus par fichier")  # as its caption says
    expect(uploader.get_by_role("button", name="Choisir un fichier")).to_be_visible()
    problems = _english(page, "Données, import")
    dragged = page.evaluate_handle(DRAGGED)  # a file held over the frame: Streamlit says « Drag and drop … »
    uploader.get_by_test_id("stFileUploaderDropzone").dispatch_event("dragenter", {"dataTransfer": dragged})
    expect(uploader).to_contain_text("Glissez-déposez le fichier ici")
    problems += _english(page, "Données, fichier glissé")
    uploader.get_by_test_id("stFileUploaderDropzone").dispatch_event("dragleave", {"dataTransfer": dragged})
    assert not problems, "\n".join(problems)


def test_a_file_above_the_limit_is_refused_in_french_by_the_browser(server, page):
    _open(page, server[0], "donnees", "Données")
    uploader = page.get_by_test_id("stFileUploader").first
    expect(uploader).to_be_visible()
    size = limits.IMPORT_MIB * limits.MIB + 1  # made inside the browser: nothing this large crosses the wire
    page.evaluate(TOO_LARGE, ['[data-testid="stFileUploader"] input[type="file"]', size])
    expect(uploader).to_contain_text(f"Le fichier doit faire {limits.IMPORT_MIB} Mio au plus.")
    expect(uploader).to_contain_text(re.compile(r"trop-grand\.csv21(,0)? Mo"))  # its size in 1000s, the French way
    expect(uploader.get_by_role("button", name="Retirer trop-grand.csv")).to_be_visible()
    assert not _english(page, "Données, fichier trop grand")


def test_a_form_hint_and_an_empty_search_in_french(server, page):
    _open(page, server[0], "projets", "Projets")
    page.get_by_text("Nouvelle proposition de projet").click()
    title = page.get_by_label("Titre du projet *")
    title.fill("Un titre")
    expect(page.get_by_text("Appuyez sur Entrée pour valider le formulaire")).to_be_visible()
    problems = _english(page, "Projets, formulaire")
    choice = page.get_by_test_id("stSelectbox").first.locator("input")
    choice.click()
    choice.fill("zzzz aucun")
    expect(page.get_by_text("Aucun résultat")).to_be_visible()
    problems += _english(page, "Projets, recherche vide")
    page.keyboard.press("Escape")
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="module")
def shared_url(tmp_path_factory, chromium_path):
    """The app in « partagé » mode behind a loopback OpenID provider: its URL (a fresh demo base)."""
    work = tmp_path_factory.mktemp("essdash-french-login")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{work / 'essdash.db'}", "PYTHONUNBUFFERED": "1"}
    for name in ("ESSDASH_SEED", "ESSDASH_SESSION_HOURS"):
        env.pop(name, None)
    port = free_port()
    secret = os.urandom(18).hex()
    with running_provider("essdash-test", secret, f"http://127.0.0.1:{port}/oauth2callback") as issuer:
        secrets_path = write_secrets(work, issuer, port, "essdash-test", secret)
        env |= {"ESSDASH_MODE": "partage", "STREAMLIT_SECRETS_FILES": str(secrets_path)}
        with streamlit_server("app.py", PROJECT_DIR, env, work / "streamlit.log", port=port) as url:
            yield url


def test_the_login_page_speaks_french(shared_url, page):
    page.goto(shared_url, wait_until="domcontentloaded")
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible(timeout=WAIT_MS * 2)
    assert not _english(page, "page de connexion")
