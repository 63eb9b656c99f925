"""The presentation in a real Chromium, at the two projector sizes it is designed for (1280×720 and
1920×1080): a screenshot of every view (under pytest's tmp_path); every view fits the screen with its
Précédent / Suivant buttons in sight; no text cut (key figures, table cells, anything with an
ellipsis); tables drawn as large HTML text (≥ 18 px at 1280×720), never in the data grid; the view
counter large; the map view holding the map; every view opening at its top.
"""

from __future__ import annotations

import itertools
import re

import pytest

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

WAIT_MS = 30_000
SIZES = ((1280, 720), (1920, 1080))
# The demo's last semester (37 proposals awaiting an opinion: a long table) and 2013-S2 (the opinions
# with their comments, and nothing awaiting: « aucune »).
SEMESTERS = ("2e semestre 2014", "2e semestre 2013")
CHART = '[data-testid="stVegaLiteChart"]'
MIN_TABLE_PX = 18  # table text at 1280×720
MIN_COUNTER_PX = 32  # the « k / n » counter, readable from the back of the room
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
# How much taller than the screen the page is: the document's and every scrolling box's overflow.
OVERFLOW_JS = """() => {
  const over = [document.scrollingElement.scrollHeight - window.innerHeight];
  for (const el of document.querySelectorAll('[data-testid="stMain"], [data-testid="stAppViewContainer"]')) {
    over.push(el.scrollHeight - el.clientHeight);
  }
  return Math.max(...over);
}"""
# Every element that the browser cuts: a key-figure text wider than its box, or any text with an
# ellipsis that does not fit (Streamlit's own cut headings and cells included).
CUT_JS = """() => Array.from(document.querySelectorAll('[data-testid="stMain"] *')).filter(el => {
  const style = getComputedStyle(el);
  const figure = el.matches('.pack-figure, .pack-figure > div, .pack-table td, .pack-table th');
  return el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1
    && (figure || style.textOverflow === 'ellipsis');
}).map(el => `${el.tagName}.${el.className}: ${el.innerText.slice(0, 60)} (${el.scrollWidth} > ${el.clientWidth})`)"""
# The smallest font size of the presentation's tables, in px (none: Infinity).
TABLE_FONT_JS = """() => Math.min(...Array.from(document.querySelectorAll('.pack-table td, .pack-table th'))
  .map(el => parseFloat(getComputedStyle(el).fontSize)))"""


def _scroller(page, what: str):
    return page.evaluate(f"() => {{ const el = ({SCROLLER_JS})(); return {what}; }}")


def _wait_idle(page) -> None:
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=WAIT_MS)


def _button(page, name: str):
    return page.get_by_role("button", name=re.compile(name))


def _counter(page):
    """The « k / n » position of the current view, once the previous view's counter has gone."""
    counter = page.locator(".pack-counter")
    expect(counter).to_have_count(1)
    return tuple(int(n) for n in counter.inner_text().split(" / "))


def _wait_drawn(page) -> None:
    """Wait for the run to end and every chart of the view to be drawn."""
    _wait_idle(page)
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    for i in range(charts.count()):
        expect(charts.nth(i).locator("canvas, svg").first).to_be_visible()


def _out_of_sight(page, names: tuple[str, ...], width: int, height: int) -> list[str]:
    """The buttons among ``names`` not wholly within the ``width`` × ``height`` screen."""
    missing = []
    for name in names:
        box = _button(page, name).bounding_box()
        if box is None or box["y"] < 0 or box["y"] + box["height"] > height or box["x"] + box["width"] > width:
            missing.append(f"{name} at {box}")
    return missing


def _choose(page, semester: str) -> None:
    """Choose ``semester`` in the Semestre box before launching the presentation."""
    page.get_by_role("combobox", name="Semestre").click()
    page.get_by_role("option", name=semester, exact=True).click()
    _wait_idle(page)


@pytest.fixture(scope="module")
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="fr-FR")
    context.set_default_timeout(WAIT_MS)
    try:
        yield context
    finally:
        context.close()


def _check_view(page, width: int, height: int, where: str) -> list[str]:
    """What is wrong with the view on screen at ``width`` × ``height``."""
    problems = []
    overflow = page.evaluate(OVERFLOW_JS)
    if overflow > 0:
        problems.append(f"{where} is {overflow} px taller than the screen")
    hidden = _out_of_sight(page, ("Précédent", "Suivant"), width, height)
    problems += [f"{where}: buttons out of sight: {p}" for p in hidden]
    problems += [f"{where}: cut {p}" for p in page.evaluate(CUT_JS)]
    if page.locator('[data-testid="stDataFrame"]').count():
        problems.append(f"{where}: a table in the data grid")
    if (width, height) == SIZES[0] and page.locator(".pack-table").count():
        smallest = page.evaluate(TABLE_FONT_JS)
        if smallest < MIN_TABLE_PX:
            problems.append(f"{where}: table text of {smallest} px")
    counter = page.locator(".pack-counter").evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    if counter < MIN_COUNTER_PX:
        problems.append(f"{where}: counter of {counter} px")
    return problems


def test_every_view_fits_at_projector_sizes(server, context, tmp_path):
    base_url, _ = server
    page = context.new_page()
    page.goto(f"{base_url}/presentation", wait_until="domcontentloaded")
    launch = _button(page, "Lancer la présentation")
    expect(launch).to_be_visible(timeout=WAIT_MS * 2)  # the first request builds the demo database
    problems: list[str] = []
    seen = dict.fromkeys(("figures", "tables", "map", "aucune", "awaiting"), 0)
    for (width, height), semester in itertools.product(SIZES, SEMESTERS):
        page.set_viewport_size({"width": width, "height": height})
        _choose(page, semester)
        _button(page, "Lancer la présentation").click()
        expect(page.get_by_text(re.compile(r"^1 / \d+$"))).to_be_visible()
        while True:
            position, count = _counter(page)
            _wait_drawn(page)
            heading = page.locator("h1, h2").first.inner_text()
            page.screenshot(path=str(tmp_path / f"{semester[-4:]}-{width}x{height}-{position:02}.png"))
            where = f"{semester}, {width}×{height}, view {position} ({heading})"
            problems += _check_view(page, width, height, where)
            seen["figures"] += page.locator(".pack-figure").count() > 0
            seen["tables"] += page.locator(".pack-table").count() > 0
            if heading.startswith("Carte"):
                seen["map"] += 1
                if page.locator(f"{CHART} canvas, {CHART} svg").count() == 0:
                    problems.append(f"{where}: a map view without its map")
            if heading.startswith("Propositions"):
                text = page.locator("body").inner_text().replace("\u2060", "")  # md_escape's joiner after a colon
                seen["aucune"] += "en attente d'avis : aucune proposition" in text
                seen["awaiting"] += "En attente d'avis" in page.locator(".pack-table-title").all_inner_texts()
            if position == count:
                break
            _button(page, "Suivant").click()
            expect(page.get_by_text(f"{position + 1} / {count}", exact=True)).to_be_visible()
            _wait_drawn(page)
            top = _scroller(page, "el.scrollTop")
            if top != 0:
                problems.append(f"{width}×{height} view {position + 1} opens scrolled down by {top} px")
        _button(page, "Quitter la présentation").click()
        expect(_button(page, "Lancer la présentation")).to_be_visible()
    assert not problems, "\n".join(problems)
    walks = len(SIZES) * len(SEMESTERS)
    assert seen["figures"] >= 2 * walks  # key figures, and the committee's news, in each walk
    assert seen["tables"] >= 4 * walks  # fiches, opinions or awaiting ones, equity, leverage
    assert seen["map"] == walks  # one map view, holding its map
    assert seen["aucune"] == len(SIZES)  # 2013-S2: nothing awaits an opinion
    assert seen["awaiting"] == len(SIZES)  # 2014-S2: the first page of the awaiting proposals
    assert len(list(tmp_path.glob("*.png"))) > 2 * walks
