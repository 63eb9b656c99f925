"""The meeting room without network: a real Chromium whose every request to a host other than this
machine is aborted, against a fresh ``streamlit run app.py``.

Every page of the navigation opens without error and without asking the network for a script,
style, font or icon; the Carte draws its 95 communes and its project markers from the app's own
Leaflet (``static/``). The base tiles are the only requests that may leave the machine, and with
« Fond de carte » off the map has none.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from essdash.ui.navigation import PAGES
from tests.browser.support import (
    MAP_IFRAME,
    WAIT_MS,
    assert_no_error,
    drawn_places,
    in_map,
    is_loopback,
    map_frame,
    wait_idle,
)

TILE_HOST = urlsplit("https://tile.openstreetmap.org/").hostname
COMMUNES = 95  # the metropolis's communes (the reference boundaries, data/)


class Traffic:
    """What the browser asked for: the URLs it tried outside this machine (all aborted), and the
    local responses that failed (a missing asset would show here)."""

    def __init__(self):
        self.outside: list[str] = []
        self.failed: list[str] = []

    def route(self, route) -> None:
        url = route.request.url
        if is_loopback(url):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort("internetdisconnected")

    def response(self, response) -> None:
        path = urlsplit(response.url).path
        # Streamlit's own start-up probes (``/<page>/_stcore/host-config`` …) may answer 404 by design.
        if response.status >= 400 and is_loopback(response.url) and "/_stcore/" not in path:
            self.failed.append(f"{response.status} {response.url}")

    def not_tiles(self) -> list[str]:
        return [url for url in self.outside if urlsplit(url).hostname != TILE_HOST]


@pytest.fixture(scope="module")
def traffic():
    return Traffic()


@pytest.fixture(scope="module")
def page(browser, traffic):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    context.set_default_timeout(WAIT_MS)
    context.route("**/*", traffic.route)
    page = context.new_page()
    page.on("response", traffic.response)
    try:
        yield page
    finally:
        context.close()


def _open(page, base_url: str, path: str, title: str) -> None:
    page.goto(f"{base_url}/{path}", wait_until="domcontentloaded")
    heading = page.locator("h1").filter(has_text=re.compile(rf"^\s*{re.escape(title)}"))
    expect(heading.first).to_be_visible(timeout=WAIT_MS * 2)  # the first request builds the demo database
    wait_idle(page)


def test_every_page_opens_with_nothing_from_outside(server, page, traffic):
    base_url, _ = server
    for entry in PAGES:
        _open(page, base_url, entry.url_path, entry.title)
        assert_no_error(page)
        assert traffic.not_tiles() == [], f"{entry.title}: requests outside this machine {traffic.not_tiles()}"
    assert traffic.failed == []
    icons = page.eval_on_selector_all("link[rel~='icon']", "links => links.map((l) => l.href)")
    assert icons and all(is_loopback(href) for href in icons), icons
    fonts = page.evaluate("() => document.fonts.ready.then((set) => [...set].map((f) => f.family + ' ' + f.status))")
    assert any(font.startswith("Material Symbols") and font.endswith("loaded") for font in fonts), fonts


def test_the_map_draws_from_the_apps_own_leaflet(server, page, traffic):
    base_url, _ = server
    _open(page, base_url, "carte", "Carte")
    frame = map_frame(page)
    expect(frame.locator(".marker-cluster").first).to_be_visible()
    assert drawn_places(page) == COMMUNES
    expect(frame.get_by_text("Projets pour 10 000 habitants")).to_be_visible()
    scripts = in_map(page, "() => [...document.scripts].map((s) => s.src).filter(Boolean)")
    assert any(src.endswith("/app/static/leaflet/leaflet.js") for src in scripts), scripts
    assert all(is_loopback(src) for src in scripts), scripts
    assert traffic.not_tiles() == []
    assert any(urlsplit(url).hostname == TILE_HOST for url in traffic.outside), "the base tiles were never asked for"
    assert traffic.failed == []
    assert_no_error(page)


def test_without_base_map_the_map_is_clean(server, page, traffic):
    base_url, _ = server
    if "/carte" not in page.url:
        _open(page, base_url, "carte", "Carte")
        map_frame(page)
    page.locator('[data-testid="stCheckbox"]').filter(has_text="Fond de carte").locator("label").click()
    frame = page.frame_locator(MAP_IFRAME).last
    expect(frame.locator(".leaflet-tile-pane img")).to_have_count(0, timeout=WAIT_MS)
    frame = map_frame(page)
    wait_idle(page)
    asked = len(traffic.outside)
    expect(frame.locator(".marker-cluster").first).to_be_visible()
    assert drawn_places(page) == COMMUNES
    assert in_map(page, "() => document.querySelectorAll('img.leaflet-tile').length") == 0
    assert len(traffic.outside) == asked, f"asked the network without a base map: {traffic.outside[asked:]}"
    assert traffic.failed == []
    assert_no_error(page)
