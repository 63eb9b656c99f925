"""Helpers the browser test modules share: waiting for Streamlit's run to end, checking a page
shows no error, and reading what Leaflet drew inside the map component's frame."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import expect

WAIT_MS = 30_000
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
# Text Streamlit shows when a script raises, or when the app reports a French error.
ERROR_SELECTORS = ('[data-testid="stException"]', '[data-testid="stAlertContentError"]')
ERROR_TEXTS = (
    "Traceback (most recent call last)",
    "StreamlitAPIException",
    "This app has encountered an error",
    "Page not found",
    "Impossible d'ouvrir les données",
)
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'


def is_loopback(url: str) -> bool:
    """Whether ``url`` stays on this machine (data: and blob: URLs do not leave it either)."""
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname in LOOPBACK


def wait_idle(page) -> None:
    """Wait until Streamlit has finished the current run (no 'running' status widget)."""
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=WAIT_MS)


def assert_no_error(page) -> None:
    for selector in ERROR_SELECTORS:
        count = page.locator(selector).count()
        assert count == 0, f"{count} Streamlit error block(s) {selector!r}: " + " | ".join(
            page.locator(selector).all_inner_texts()
        )
    body = page.locator("body").inner_text()
    for text in ERROR_TEXTS:
        assert text not in body, f"page shows {text!r}"
    dialogs = page.get_by_role("dialog")
    assert dialogs.count() == 0, "page shows a dialog: " + " | ".join(dialogs.all_inner_texts())


def map_frame(page):
    """The map's frame once drawn (a changed map is remounted: the old frame goes at the run's end)."""
    frame = page.frame_locator(MAP_IFRAME).last
    expect(frame.locator(".leaflet-container")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator(MAP_IFRAME)).to_have_count(1, timeout=WAIT_MS)
    return frame


def in_map(page, script: str, arg=None):
    """Evaluate ``script`` (a function of the map container and ``arg``) inside the map's frame."""
    return page.frame_locator(MAP_IFRAME).last.locator(".leaflet-container").evaluate(script, arg)


def drawn_places(page) -> int:
    """Commune polygons Leaflet has drawn on the map (GeoJSON layers on screen)."""
    return in_map(
        page,
        """() => { let n = 0;
        map_div.eachLayer((l) => { if (l.feature && l.feature.properties.level && l._path) n += 1; });
        return n; }""",
    )
