"""Readable by all: axe-core (from the npm registry, pinned, cached outside the repository) run in a
real Chromium on every page and on the presentation's first view and a table view finds no serious or
critical WCAG 2 A/AA violation (tags ``wcag2a``, ``wcag2aa``).

The map component's frame (Leaflet's own markup) is not audited: axe runs on the app's document.
"""

from __future__ import annotations

import os
import re
import subprocess
import tarfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from essdash.ui.navigation import PAGES
from tests.browser.support import WAIT_MS, assert_no_error, wait_idle

AXE_VERSION = "4.10.2"
AXE_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "essdash-test-assets" / "axe-core"
BLOCKING = ("serious", "critical")
RUN_AXE = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']},
    iframes: false,
    resultTypes: ['violations'],
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.html.slice(0, 160) + ' :: ' + n.failureSummary.replace(/\\s+/g, ' ')),
  }));
}"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    """axe.min.js of the pinned axe-core npm package (``npm pack``, unpacked into a cache folder)."""
    target = AXE_CACHE / AXE_VERSION
    script = target / "package" / "axe.min.js"
    if not script.exists():
        target.mkdir(parents=True, exist_ok=True)
        try:
            packed = (
                subprocess.run(
                    ["npm", "pack", f"axe-core@{AXE_VERSION}", "--silent"],
                    cwd=target,
                    check=True,
                    capture_output=True,
                    text=True,
                    timeout=120,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
        except (OSError, subprocess.SubprocessError) as exc:
            message = f"npm pack axe-core@{AXE_VERSION} failed ({exc}): the accessibility test needs the npm registry"
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
        with tarfile.open(target / packed) as archive:
            archive.extractall(target, filter="data")
    return script.read_text(encoding="utf-8")


def _blocking(page, axe_source: str, where: str) -> list[str]:
    """The serious or critical WCAG 2 A/AA violations axe finds on the page as it stands."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    found = page.evaluate(RUN_AXE)
    return [
        f"{where}: {v['id']} ({v['impact']}) {v['help']}\n    " + "\n    ".join(v["nodes"][:6])
        for v in found
        if v["impact"] in BLOCKING
    ]


def _open(page, base_url: str, path: str, title: str) -> None:
    page.goto(f"{base_url}/{path}", wait_until="domcontentloaded")
    heading = page.locator("h1").filter(has_text=re.compile(rf"^\s*{re.escape(title)}"))
    expect(heading.first).to_be_visible(timeout=WAIT_MS * 2)  # the first request builds the demo database
    # The sidebar is drawn with its page links (axe would audit a half-drawn one).
    expect(page.locator('[data-testid="stSidebarContent"] a').nth(len(PAGES) - 1)).to_be_visible(timeout=WAIT_MS)
    wait_idle(page)
    assert_no_error(page)


def test_axe_finds_no_serious_violation_on_any_page(server, page, axe_source):
    problems: list[str] = []
    tabs_audited = 0
    for entry in PAGES:
        _open(page, server[0], entry.url_path, entry.title)
        problems += _blocking(page, axe_source, entry.title)
        tabs = page.get_by_role("tab")  # lazy tabs: a tab's content is drawn only once it is open
        for n in range(1, tabs.count()):
            label = tabs.nth(n).inner_text()
            tabs.nth(n).click()
            expect(tabs.nth(n)).to_have_attribute("aria-selected", "true")
            panel = page.get_by_role("tabpanel").filter(visible=True)
            expect(panel.locator('[data-testid="stElementContainer"]').first).to_be_visible(timeout=WAIT_MS)
            wait_idle(page)
            assert_no_error(page)
            problems += _blocking(page, axe_source, f"{entry.title} › {label}")
            tabs_audited += 1
    assert tabs_audited == 21  # after the first: Comité 3, Indicateurs 3, Évaluation 2, Équité 5, Financ. 5, Données 3
    assert not problems, "\n".join(problems)


def test_axe_finds_no_serious_violation_in_the_presentation(server, page, axe_source):
    _open(page, server[0], "presentation", "Présentation")
    page.get_by_role("button", name=re.compile("Lancer la présentation")).click()
    counter = page.get_by_text(re.compile(r"^\d+ / \d+$"))
    expect(page.get_by_text(re.compile(r"^1 / \d+$"))).to_be_visible()
    wait_idle(page)
    problems = _blocking(page, axe_source, "présentation, vue 1")
    audited_table = False
    position, count = (int(n) for n in counter.inner_text().split(" / "))
    while position < count and not audited_table:
        page.get_by_role("button", name=re.compile("Suivant")).click()
        expect(page.get_by_text(f"{position + 1} / {count}", exact=True)).to_be_visible()
        wait_idle(page)
        position += 1
        if page.locator("table.pack-table").count():  # the presentation draws its tables as large HTML text
            problems += _blocking(page, axe_source, f"présentation, vue {position} (tableau)")
            audited_table = True
    assert audited_table, "no presentation view shows a table"
    assert not problems, "\n".join(problems)
