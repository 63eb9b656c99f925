"""The presentation in a real Chromium, at the two projector sizes it is designed for (1280×720 and
1920×1080): a screenshot of every view (under pytest's tmp_path), no key-figure label, value or trend
cut, every table page on one screen, and every view opening at its top.
"""

from __future__ import annotations

import re

import pytest

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

WAIT_MS = 30_000
SIZES = ((1280, 720), (1920, 1080))
# The element that scrolls the page: the nearest scrolling ancestor of Streamlit's main block.
SCROLLER_JS = """() => {
  let el = document.querySelector('[data-testid="stMainBlockContainer"]');
  while (el && el !== document.body) {
    const overflow = getComputedStyle(el).overflowY;
    if ((overflow === 'auto' || overflow === 'scroll') && el.scrollHeight > el.clientHeight) return el;
    el = el.parentElement;
  }
  return document.scrollingElement;
}"""
# Each text of the key-figure cards, and whether the browser had to cut it.
FIGURES_JS = """() => Array.from(document.querySelectorAll('.pack-figure, .pack-figure > div')).map(el => ({
  text: el.innerText, cls: el.className, scrollWidth: el.scrollWidth, clientWidth: el.clientWidth,
  textOverflow: getComputedStyle(el).textOverflow,
}))"""


def _scroller(page, what: str):
    return page.evaluate(f"() => {{ const el = ({SCROLLER_JS})(); return {what}; }}")


def _wait_idle(page) -> None:
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=WAIT_MS)


def _button(page, name: str):
    return page.get_by_role("button", name=re.compile(name))


def _counter(page):
    """The « k / n » position of the current view, once the previous view's counter has gone."""
    counter = page.get_by_text(re.compile(r"^\d+ / \d+$"))
    expect(counter).to_have_count(1)
    return tuple(int(n) for n in counter.inner_text().split(" / "))


def _wait_drawn(page) -> None:
    """Wait for the run to end and every chart of the view to be drawn."""
    _wait_idle(page)
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    for i in range(charts.count()):
        expect(charts.nth(i).locator("canvas, svg").first).to_be_visible()


def _no_cut_figures(page) -> list[str]:
    """Key-figure texts that the browser cut or let overflow their box."""
    return [
        f"{item['cls']}: {item['text']!r} ({item['scrollWidth']} > {item['clientWidth']}, {item['textOverflow']})"
        for item in page.evaluate(FIGURES_JS)
        if item["scrollWidth"] > item["clientWidth"] or item["textOverflow"] == "ellipsis"
    ]


@pytest.fixture(scope="module")
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="fr-FR")
    context.set_default_timeout(WAIT_MS)
    try:
        yield context
    finally:
        context.close()


def test_every_view_readable_at_projector_sizes(server, context, tmp_path):
    base_url, _ = server
    page = context.new_page()
    page.goto(f"{base_url}/presentation", wait_until="domcontentloaded")
    launch = _button(page, "Lancer la présentation")
    expect(launch).to_be_visible(timeout=WAIT_MS * 2)  # the first request builds the demo database
    problems: list[str] = []
    scrolled_views = 0
    figure_views = 0
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        _button(page, "Lancer la présentation").click()
        expect(page.get_by_text(re.compile(r"^1 / \d+$"))).to_be_visible()
        while True:
            position, count = _counter(page)
            _wait_drawn(page)
            heading = page.locator("h1, h2").first.inner_text()
            page.screenshot(path=str(tmp_path / f"{width}x{height}-{position:02}.png"))
            if page.locator(".pack-figure").count():
                figure_views += 1
                problems += [f"{width}×{height} view {position} ({heading}): {p}" for p in _no_cut_figures(page)]
            if (width, height) == SIZES[0] and page.locator('[data-testid="stDataFrame"]').count():
                overflow = _scroller(page, "el.scrollHeight - el.clientHeight")
                if overflow > 0:
                    problems.append(f"table view {position} ({heading}) is {overflow} px taller than the screen")
            if position == count:
                break
            _scroller(page, "(el.scrollTop = el.scrollHeight, el.scrollTop)")
            scrolled_views += _scroller(page, "el.scrollTop") > 0
            _button(page, "Suivant").click()
            expect(page.get_by_text(f"{position + 1} / {count}", exact=True)).to_be_visible()
            _wait_drawn(page)
            top = _scroller(page, "el.scrollTop")
            if top != 0:
                problems.append(f"{width}×{height} view {position + 1} opens scrolled down by {top} px")
        _button(page, "Quitter la présentation").click()
        expect(_button(page, "Lancer la présentation")).to_be_visible()
    assert not problems, "\n".join(problems)
    assert figure_views >= 2 * len(SIZES)  # key figures, and the committee's news, at each size
    assert scrolled_views > 0  # some view was scrolled down before Suivant, so the top check means something
    assert len(list(tmp_path.glob("*.png"))) > 2 * len(SIZES)
