"""Every link the README documents opens its page in a real Chromium, with its filters kept and no
English dialog (« Page not found »); the root URL opens Synthèse at its own path, filters kept."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from essdash.ui.navigation import PAGES
from tests.browser.support import WAIT_MS, assert_no_error, wait_idle

README = Path(__file__).resolve().parents[2] / "README.md"
# `http://localhost:8501/projets?…` or `…/synthese?…` in the README's text.
LINK = re.compile(r"`(?:http://localhost:8501|…)(/[^`\s]*)`")
TITLES = {f"/{page.url_path}": page.title for page in PAGES}


def readme_links() -> list[str]:
    return LINK.findall(README.read_text(encoding="utf-8"))


def _open(page, base_url: str, link: str) -> None:
    """Open ``link``; check its page's heading shows, the run ends, no error or dialog, filters kept."""
    parts = urlsplit(link)
    path = parts.path if parts.path != "/" else "/synthese"
    page.goto(f"{base_url}{link}", wait_until="domcontentloaded")
    heading = page.locator("h1").filter(has_text=re.compile(rf"^\s*{re.escape(TITLES[path])}"))
    expect(heading.first).to_be_visible(timeout=WAIT_MS * 2)  # the first request builds the database
    wait_idle(page)
    assert_no_error(page)
    shown = urlsplit(page.url)
    assert shown.path == path, f"{link} shows {page.url}"
    wanted = parse_qs(parts.query)
    assert {key: parse_qs(shown.query).get(key) for key in wanted} == wanted, f"{link} shows {page.url}"


def test_the_readme_documents_deep_links():
    links = readme_links()
    assert "/projets?territoire=roubaisien" in links
    assert "/synthese?territoire=roubaisien&commune=59512" in links


@pytest.mark.parametrize("link", readme_links())
def test_each_readme_link_opens_its_page(server, page, link):
    _open(page, server[0], link)


def test_the_root_url_opens_synthese_with_its_filters(server, page):
    _open(page, server[0], "/?territoire=roubaisien&commune=59512")
    commune = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').get_by_role(
        "combobox", name="Commune", exact=True
    )
    expect(commune).to_have_value("Roubaix")
