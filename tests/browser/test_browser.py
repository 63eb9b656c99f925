"""End-to-end browser tests: a real ``streamlit run app.py`` driven by Debian's chromium.

The server is started fresh for this module, on a database file that does not exist yet, so
the first page request builds the demo database *and* is a deep link to ``/projets`` with a
territory filter: the case where Streamlit may run in its legacy ``pages/`` mode.

Tests A to C share one browser page (A opens the deep link, B navigates from there, C changes
the filter); each opens what it needs when run alone. The map tests abort every request that
would leave this machine (the base tiles): the app serves Leaflet and its cluster plugin itself
(``static/``), so the map draws without network. A screenshot of test A's page is saved to
``/tmp/essdash-projets.png``; on failure, a screenshot of the failing page is saved next to it.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from pathlib import Path

import pytest

try:
    from playwright import sync_api
except ImportError:  # pragma: no cover - playwright is in requirements-dev.txt
    if os.environ.get("CI"):
        raise
    pytest.skip("playwright is not installed (pip install -r requirements-dev.txt)", allow_module_level=True)
expect = sync_api.expect

from tests.browser.support import (  # noqa: E402 (after the playwright check)
    MAP_IFRAME,
    WAIT_MS,
    assert_no_error,
    drawn_places,
    in_map,
    is_loopback,
    map_frame,
    wait_idle,
)

SCREENSHOT = Path("/tmp/essdash-projets.png")
SPACES = ("\u202f", "\u00a0", " ")
# Streamlit's legacy ``pages/`` mode names its menu entries after the files.
LEGACY_MENU_LABELS = {"app", "synthese", "projets", "carte"}

expect.set_options(timeout=WAIT_MS)


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _report_failure(request, server, page):
    """On failure, save a screenshot of the page and print the server log's errors.

    (The call phase's report is logged, and ``testsfailed`` counted, before fixture teardown.)
    """
    failed_before = request.session.testsfailed
    yield
    if request.session.testsfailed > failed_before:
        path = Path(f"/tmp/essdash-failure-{request.node.name}.png")
        try:
            page.screenshot(path=str(path), full_page=True)
            print(f"screenshot of the failing page: {path} (url {page.url})")
        except Exception as exc:
            print(f"no failure screenshot: {exc}")
        log = server[1].parent / "streamlit.log"
        print(f"streamlit log {log}:\n{log.read_text(errors='replace')[-8000:]}")


# --- helpers -------------------------------------------------------------------------------------


def expected_project_count(db_path: Path, territory: str) -> int:
    """Projects whose primary commune, or one of whose further communes, lies in ``territory``."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        (count,) = conn.execute(
            """
            SELECT COUNT(*) FROM project p
            WHERE p.commune_code IN (SELECT insee_code FROM commune WHERE territory_code = :t)
               OR EXISTS (SELECT 1 FROM projectcommune pc
                          JOIN commune c ON c.insee_code = pc.commune_code
                          WHERE pc.project_id = p.id AND c.territory_code = :t)
            """,
            {"t": territory},
        ).fetchone()
    return count


def fr_int(value: int) -> str:
    """An integer as the app shows it (French grouping with U+202F): ``1234`` → ``"1\u202f234"``."""
    return f"{value:,}".replace(",", "\u202f")


def to_int(text: str) -> int:
    for space in SPACES:
        text = text.replace(space, "")
    return int(text)


def selectbox(page, label: str):
    """The combobox of the sidebar selectbox labelled ``label`` (its value is the shown option)."""
    return page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').get_by_role(
        "combobox", name=label, exact=True
    )


def selectbox_in(container, label: str):
    """The combobox of the selectbox labelled ``label`` inside ``container``."""
    return container.locator('[data-testid="stSelectbox"]').get_by_role("combobox", name=label, exact=True)


def sign(page, panel, name: str, role: str) -> None:
    """Fill a form's signature: « Votre nom » and « Votre rôle »."""
    panel.get_by_label("Votre nom").fill(name)
    role_box = selectbox_in(panel, "Votre rôle")
    role_box.scroll_into_view_if_needed()
    role_box.click()
    role_box.fill(role)
    page.get_by_role("option", name=role, exact=True).click()
    expect(role_box).to_have_value(role, timeout=WAIT_MS)


def choose_territory(page, name: str, code: str):
    """Pick a territory in the sidebar; wait for the URL and the page's heading to follow."""
    territory = selectbox(page, "Territoire")
    territory.click()
    page.get_by_role("option", name=name, exact=True).click()
    expect(page).to_have_url(re.compile(rf"territoire={code}"), timeout=WAIT_MS)
    expect(page.locator('[data-testid="stHeading"]').filter(has_text=name).first).to_be_visible(timeout=WAIT_MS)
    return territory


def sidebar_link(page, label: str):
    """A link of the sidebar: Streamlit's own menu (stSidebarNav) or the app's st.page_link menu."""
    return page.locator('[data-testid="stSidebar"] a').filter(has_text=label)


def sidebar_link_labels(page) -> list[str]:
    """Visible labels of the sidebar links (the last line: material icons render as words before)."""
    links = page.locator('[data-testid="stSidebar"] a')
    return [text.strip().splitlines()[-1].strip() for text in links.all_inner_texts() if text.strip()]


def projects_metric(page):
    """The value of the Synthèse page's "Projets" key figure."""
    return (
        page.locator('[data-testid="stMetric"]')
        .filter(has=page.get_by_text("Projets", exact=True))
        .locator('[data-testid="stMetricValue"]')
    )


# --- tests ---------------------------------------------------------------------------------------

ROUBAISIEN = "Territoire Roubaisien"


def test_a_deep_link_is_first_request_on_fresh_server(server, page):
    base_url, db_path = server
    assert not db_path.exists(), "the database must be built by the first page request"
    page.goto(f"{base_url}/projets?territoire=roubaisien", wait_until="domcontentloaded")

    caption = page.locator('[data-testid="stCaptionContainer"]').filter(
        has_text=re.compile(rf"projets? · {ROUBAISIEN}")
    )
    expect(caption.first).to_be_visible(timeout=WAIT_MS)
    wait_idle(page)
    expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible()
    expect(selectbox(page, "Territoire")).to_have_value(ROUBAISIEN)
    assert "territoire=roubaisien" in page.url
    assert_no_error(page)
    expect(sidebar_link(page, "Synthèse").first).to_be_visible()
    legacy = LEGACY_MENU_LABELS & set(sidebar_link_labels(page))
    assert not legacy, (
        f"sidebar shows Streamlit's legacy pages/ menu (file names {sorted(legacy)}): links {sidebar_link_labels(page)}"
    )

    assert db_path.exists(), "the first request should have created the database file"
    expected = expected_project_count(db_path, "roubaisien")
    assert expected > 0
    text = caption.first.inner_text()
    match = re.match(r"\s*([\d\u202f\u00a0 ]+)\s+projets?\b", text)
    assert match, f"unexpected caption {text!r}"
    assert to_int(match.group(1)) == expected, f"caption {text!r}, database says {expected} projects"

    page.screenshot(path=str(SCREENSHOT), full_page=True)


def test_b_navigation_keeps_the_territory_filter(server, page):
    _, db_path = server
    expected = expected_project_count(db_path, "roubaisien")
    if "/projets" not in page.url:  # run on its own: open the deep link first
        page.goto(f"{server[0]}/projets?territoire=roubaisien", wait_until="domcontentloaded")
        wait_idle(page)
    sidebar_link(page, "Synthèse").first.click()

    expect(page.locator('[data-testid="stMetric"]').first).to_be_visible(timeout=WAIT_MS)
    expect(page).to_have_url(re.compile(r"territoire=roubaisien"), timeout=WAIT_MS)
    wait_idle(page)
    assert "/projets" not in page.url
    expect(page.locator('[data-testid="stHeading"]').filter(has_text=ROUBAISIEN).first).to_be_visible()
    expect(selectbox(page, "Territoire")).to_have_value(ROUBAISIEN)
    value = projects_metric(page)
    expect(value).to_have_text(fr_int(expected))
    assert to_int(value.inner_text()) == expected
    assert "territoire=roubaisien" in page.url
    assert_no_error(page)


def test_c_sidebar_filter_updates_the_url(server, page):
    _, db_path = server
    if "territoire=roubaisien" not in page.url:  # run on its own: open the filtered Synthèse first
        page.goto(f"{server[0]}/?territoire=roubaisien", wait_until="domcontentloaded")
        expect(page.locator('[data-testid="stHeading"]').filter(has_text=ROUBAISIEN).first).to_be_visible()
    territory = choose_territory(page, "Territoire des Weppes", "weppes")
    wait_idle(page)
    expect(territory).to_have_value("Territoire des Weppes")
    assert "roubaisien" not in page.url
    expect(projects_metric(page)).to_have_text(fr_int(expected_project_count(db_path, "weppes")))
    assert_no_error(page)


# --- the map ---------------------------------------------------------------------------------------

HOSTILE_TITLE = '<img src=x onerror="window.__essdashXss = 1">Projet piégé'


@pytest.fixture
def map_page(browser):
    """A page whose requests outside this machine (the base tiles) are aborted: no network."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    context.set_default_timeout(WAIT_MS)
    context.route("**/*", lambda route: route.continue_() if is_loopback(route.request.url) else route.abort())
    page = context.new_page()
    yield page
    context.close()


def _ensure_database(page, base_url: str, db_path: Path) -> None:
    """When run alone, let the app build its database by opening the home page."""
    if not db_path.exists():
        page.goto(f"{base_url}/", wait_until="domcontentloaded")
        expect(page.locator('[data-testid="stMetric"]').first).to_be_visible(timeout=WAIT_MS)
    assert db_path.exists()


def _add_hostile_project(db_path: Path) -> int:
    with sqlite3.connect(db_path) as conn:
        (carrier,) = conn.execute("SELECT id FROM organisation ORDER BY id LIMIT 1").fetchone()
        cursor = conn.execute(
            "INSERT INTO project (title, description, carrier_id, commune_code, intervention_mode, sector, status,"
            " proposed_on, jobs_created, jobs_maintained, beneficiaries, priority_district, lat, lon, version,"
            " updated_at) VALUES (?, '', ?, '59512', 'convention_objectifs', 'insertion', 'en_cours', '2013-05-02',"
            " 3, 0, 10, 0, 50.6942, 3.1746, 1, '2013-05-02 10:00:00')",
            (HOSTILE_TITLE, carrier),
        )
        return cursor.lastrowid


def test_d_map_draws_polygons_and_escaped_popups(server, map_page):
    base_url, db_path = server
    page = map_page
    _ensure_database(page, base_url, db_path)
    project_id = _add_hostile_project(db_path)
    page.goto(f"{base_url}/carte", wait_until="domcontentloaded")
    frame = map_frame(page)
    expect(frame.locator(".marker-cluster").first).to_be_visible()
    assert drawn_places(page) == 95
    expect(frame.get_by_text("Projets pour 10 000 habitants")).to_be_visible()
    popup = in_map(
        page,
        """(_, id) => new Promise((resolve, reject) => {
        setTimeout(() => reject(new Error("popup did not open in 15 s")), 15000);
        let cluster = null;
        map_div.eachLayer((layer) => { if (layer instanceof L.MarkerClusterGroup) cluster = layer; });
        if (!cluster) return reject(new Error("no marker cluster on the map"));
        const marker = cluster.getLayers().find((m) => String(m.getPopup()._content()).includes("n° " + id + "<"));
        if (!marker) return reject(new Error("no marker for project " + id));
        map_div.setView(marker.getLatLng(), 18, {animate: false});
        setTimeout(() => { marker.openPopup();
            setTimeout(() => resolve(document.querySelector(".leaflet-popup-content").innerText), 300); }, 800);
    })""",
        project_id,
    )
    assert HOSTILE_TITLE in popup, popup
    assert "Roubaix" in popup and f"Ouvrir la fiche du projet n° {project_id}" in popup
    assert "3 emplois prévus" in popup
    assert in_map(page, "() => window.__essdashXss") is None


def test_e_commune_click_and_filter_change_update_the_summary(server, map_page):
    base_url, db_path = server
    page = map_page
    _ensure_database(page, base_url, db_path)
    page.goto(f"{base_url}/carte", wait_until="domcontentloaded")
    map_frame(page)
    page.locator('[data-testid="stCheckbox"]').filter(has_text="Projets").locator("label").click()
    expect(page.frame_locator(MAP_IFRAME).last.locator(".marker-cluster")).to_have_count(0, timeout=WAIT_MS)
    map_frame(page)
    assert drawn_places(page) == 95
    # Click what is drawn at Roubaix's point. Leaflet, inside the component's iframe, does not
    # register Playwright's synthetic pointer sequence in headless mode, so the click event is
    # dispatched on the element found at that point (the commune's SVG path), as a browser would.
    target = in_map(
        page,
        """(el) => {
        const p = map_div.latLngToContainerPoint([50.6894, 3.1817]), r = el.getBoundingClientRect();
        const x = r.left + p.x, y = r.top + p.y, hit = document.elementFromPoint(x, y);
        hit.dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true, clientX: x, clientY: y}));
        return hit.tagName.toLowerCase();
    }""",
    )
    assert target == "path"
    summary = page.locator('[data-testid="stHeading"]').filter(has_text=re.compile(r"^\s*Roubaix\s*$"))
    expect(summary.first).to_be_visible(timeout=WAIT_MS)
    expect(page.locator('[data-testid="stMetric"]').filter(has_text="Projets pour 10 000 hab.").first).to_be_visible()
    assert_no_error(page)

    choose_territory(page, "Territoire de la Lys", "lys")


def _cluster_markers(page) -> int:
    """Project markers held by the map's marker clusters (0 without any)."""
    return in_map(
        page,
        """() => { let n = 0;
        map_div.eachLayer((l) => { if (l instanceof L.MarkerClusterGroup) n += l.getLayers().length; });
        return n; }""",
    )


def test_e2_a_territory_change_keeps_the_map_frame(server, map_page):
    """The map's frame stays (a mark set on its element before the change is still there after) and
    its markers become the territory's projects."""
    base_url, db_path = server
    page = map_page
    _ensure_database(page, base_url, db_path)
    page.goto(f"{base_url}/carte", wait_until="domcontentloaded")
    frame = map_frame(page)
    expect(frame.locator(".marker-cluster").first).to_be_visible()
    wait_idle(page)
    everywhere = _cluster_markers(page)
    page.locator(MAP_IFRAME).evaluate("(el) => { el.essdashMark = 'même cadre'; }")
    in_map(page, "() => { window.essdashMark = 'même carte'; }")
    choose_territory(page, "Territoire de la Lys", "lys")
    wait_idle(page)
    expected = expected_project_count(db_path, "lys")
    assert 0 < expected < everywhere
    page.wait_for_function(
        """([selector, n]) => { const doc = document.querySelector(selector).contentWindow;
        let m = 0;
        doc.map_div.eachLayer((l) => { if (l instanceof doc.L.MarkerClusterGroup) m += l.getLayers().length; });
        return m === n; }""",
        arg=[MAP_IFRAME, expected],
        timeout=WAIT_MS,
    )
    expect(page.locator(MAP_IFRAME)).to_have_count(1)
    assert page.locator(MAP_IFRAME).evaluate("(el) => el.essdashMark") == "même cadre"
    assert in_map(page, "() => window.essdashMark") == "même carte"
    assert _cluster_markers(page) == expected
    assert in_map(page, "() => map_div.getZoom()") > 10
    assert drawn_places(page) == 95
    assert_no_error(page)


# --- a proposal through the pipeline ------------------------------------------------------------


def _status_of(db_path: Path, project_id: int) -> str:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT status FROM project WHERE id = ?", (project_id,)).fetchone()[0]


def _wait_status(db_path: Path, project_id: int, status: str) -> str:
    """The project's status once it is ``status``, or whatever it is after the wait (bounded)."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while _status_of(db_path, project_id) != status and time.monotonic() < deadline:
        time.sleep(0.2)
    return _status_of(db_path, project_id)


def test_f_a_proposal_is_validated_then_given_an_opinion(server, page):
    base_url, db_path = server
    _ensure_database(page, base_url, db_path)
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        (project_id,) = conn.execute(
            "SELECT id FROM project WHERE status = 'propose' ORDER BY proposed_on LIMIT 1"
        ).fetchone()
    page.goto(f"{base_url}/projets?projet={project_id}", wait_until="domcontentloaded")
    panel = page.get_by_role("tabpanel").filter(has_text="Nouvelle étape")
    expect(panel.get_by_role("button", name="Enregistrer l'étape")).to_be_visible(timeout=WAIT_MS)
    expect(selectbox_in(panel, "Nouvelle étape")).to_have_value("Validé techniquement")
    sign(page, panel, "Karim Benali", "technicien")
    panel.get_by_role("button", name="Enregistrer l'étape").click()
    assert _wait_status(db_path, project_id, "valide") == "valide"
    expect(page.get_by_text("Étape enregistrée.")).to_be_visible(timeout=WAIT_MS)
    wait_idle(page)
    expect(
        selectbox_in(page.get_by_role("tabpanel").filter(has_text="Nouvelle étape"), "Nouvelle étape")
    ).to_have_value("Avis favorable du comité", timeout=WAIT_MS)

    panel = page.get_by_role("tabpanel").filter(has_text="Nouvelle étape")
    opinion = selectbox_in(panel, "Avis du comité")
    opinion.click()
    page.get_by_role("option", name="Favorable", exact=True).click()
    expect(panel.get_by_text("Séance (Comité métropolitain de l'ESS)")).to_be_visible(timeout=WAIT_MS)
    panel.get_by_label("Motif ou commentaire").fill("Projet exemplaire pour le quartier")
    # the local person signed once in this session: the next form shows the signature, asks nothing
    expect(panel.get_by_text("Signé : Karim Benali (technicien)")).to_be_visible(timeout=WAIT_MS)
    expect(panel.get_by_label("Votre nom")).to_have_count(0)
    panel.get_by_role("button", name="Enregistrer l'étape").click()
    assert _wait_status(db_path, project_id, "retenu") == "retenu"
    expect(page.get_by_text("Projet exemplaire pour le quartier").first).to_be_visible(timeout=WAIT_MS)
    assert_no_error(page)
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        authors = conn.execute(
            "SELECT author FROM projectevent WHERE project_id = ? ORDER BY id DESC LIMIT 2", (project_id,)
        ).fetchall()
    assert authors == [("Karim Benali (technicien)",)] * 2


def test_g_the_committee_gives_opinions_in_the_table(server, page):
    """The opinions table is edited as a person does it: the keyboard in Glide's grid, the option
    list of the « Avis » cell, a comment typed in its cell; then the form is signed and sent."""
    base_url, db_path = server
    _ensure_database(page, base_url, db_path)
    page.goto(f"{base_url}/comite", wait_until="domcontentloaded")
    table = page.locator('[data-testid="stDataFrame"]').first
    expect(table).to_be_visible(timeout=WAIT_MS)
    wait_idle(page)
    # the grid's accessible copy, column by column: N°, Proposition, Avis, Commentaire…
    project_id = int(table.get_by_test_id("glide-cell-0-0").inner_text())
    expect(table.get_by_test_id("glide-cell-2-0")).to_have_text("— pas d'avis —")
    assert _status_of(db_path, project_id) == "valide"
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    first_row = (box["x"] + 20, box["y"] + 52)  # the first row's N° cell (read-only)
    page.mouse.click(*first_row)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")  # the « Avis » cell: its option list opens
    page.get_by_role("option", name="Défavorable", exact=True).click()
    expect(table.get_by_test_id("glide-cell-2-0")).to_have_text("Défavorable")
    page.mouse.click(*first_row)
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")  # the « Commentaire » cell: its text editor opens
    editor = page.locator("textarea").filter(visible=True)
    expect(editor).to_have_count(1, timeout=WAIT_MS)
    editor.fill("Pas d'ancrage territorial")
    editor.press("Enter")
    expect(table.get_by_test_id("glide-cell-3-0")).to_have_text("Pas d'ancrage territorial")
    form = page.locator('[data-testid="stForm"]').filter(has_text="Enregistrer les avis")
    if form.get_by_label("Votre nom").count():  # run alone: nobody has signed in this session yet
        sign(page, form, "Jean Dupont", "présidence du comité")
    form.get_by_role("button", name="Enregistrer les avis").click()
    assert _wait_status(db_path, project_id, "refuse") == "refuse"
    expect(page.get_by_text("1 avis enregistré.")).to_be_visible(timeout=WAIT_MS)
    assert_no_error(page)
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        (comment,) = conn.execute(
            "SELECT comment FROM projectevent WHERE project_id = ? ORDER BY id DESC LIMIT 1", (project_id,)
        ).fetchone()
    assert comment == "Pas d'ancrage territorial"
