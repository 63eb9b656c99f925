"""The presentation mode through app.py: every view from first to last, long tables continued over
several views, then back to the setup with the same semester."""

import io
import itertools
import json
from html.parser import HTMLParser

import pandas as pd
from pptx import Presentation

from essdash.__main__ import main
from essdash.domain import fmt
from essdash.read import pack, places, queries
from essdash.read.filters import Filters

PAGE = "pages/presentation.py"
SUITE = fmt.md_escape(" (suite)")  # as the headings and table titles show it
# A table page must fit a 1280×720 screen without scrolling: a one-line row of 19 px text is about 33 px
# high, and the heading, table title, header row and buttons take about a third of the 720 px.
MAX_TABLE_ROWS = 12


class _Tables(HTMLParser):
    """The presentation's HTML tables as seen on screen: each title and its rows of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables: list[tuple[str, list[list[str]]]] = []
        self._text: list[str] | None = None
        self._title = ""

    def handle_starttag(self, tag, attrs):
        if tag in ("td", "th") or ("class", "pack-table-title") in attrs:
            self._text = []
        if tag == "table":
            self.tables.append((self._title, []))
        if tag == "tr":
            self.tables[-1][1].append([])

    def handle_endtag(self, tag):
        if self._text is None or tag not in ("td", "th", "div"):
            return
        text = "".join(self._text).replace("\u2060", "")
        if tag == "div":
            self._title = text
        else:
            self.tables[-1][1][-1].append(text)
        self._text = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


def _tables(at) -> list[tuple[str, pd.DataFrame]]:
    """Each table of the view: its title and the rows it shows, as text, under its header."""
    parser = _Tables()
    for markdown in at.markdown:
        if "pack-table" in markdown.value:
            parser.feed(markdown.value)
    return [(title, pd.DataFrame(rows[1:], columns=rows[0])) for title, rows in parser.tables]


def _as_text(table: pd.DataFrame) -> pd.DataFrame:
    """A pack table as the presentation shows it: every cell written in French."""
    return table.map(fmt.cell).reset_index(drop=True)


def _button(at, prefix):
    return next(b for b in at.button if b.label.startswith(prefix))


def _figure_cards(at) -> str:
    return "".join(m.value for m in at.markdown if "pack-figure" in m.value)


def _walk(at) -> list[tuple[str, list[tuple[str, pd.DataFrame]]]]:
    """Click Suivant to the last view; each view's heading and its tables (title, shown rows)."""
    seen = []
    while not _button(at, "Suivant").disabled:
        _button(at, "Suivant").click().run()
        assert not at.exception, at.exception
        assert not at.dataframe  # tables are large text, not the data grid
        seen.append((at.header[0].value, _tables(at)))
    return seen


def test_walk_the_presentation_from_first_to_last_view(app, demo_engine):
    at = app(PAGE)
    assert not at.exception, at.exception
    assert at.selectbox(key="p_period").value == "2014-S2"
    downloads = at.get("download_button")
    assert [d.proto.label for d in downloads] == [
        "Dossier de séance (PDF)",
        "Diaporama (PowerPoint)",
        "Données du pack (JSON)",
    ]
    assert all(d.proto.deferred_file_id for d in downloads)  # rendered only when asked for
    at.selectbox(key="p_period").set_value("2013-S2").run()
    _button(at, "Lancer la présentation").click().run()
    expected = pack.build(demo_engine, "2013-S2")
    assert at.title[0].value == expected.title
    assert _button(at, "◀ Précédent").disabled
    _button(at, "Suivant").click().run()
    assert at.header[0].value == "Chiffres clés"
    projects = queries.key_figures(demo_engine, Filters(period_from="2011-S1", period_to="2013-S2"))["projects"]
    cards = _figure_cards(at)
    assert fmt.md_escape("Projets proposés depuis 2011") in cards
    assert f"<div class='pack-value'>{fmt.md_escape(fmt.number(projects))}</div>" in cards
    _button(at, "◀ Précédent").click().run()
    seen = _walk(at)
    assert not at.sidebar.selectbox  # nothing else on screen while presenting

    # Every section in order: its first view under its own title, then only « (suite) » views.
    headings = [heading for heading, _ in seen]
    firsts = [heading for heading in headings if not heading.endswith(SUITE)]
    assert firsts == [fmt.md_escape(s.title) for s in expected.sections]
    for before, heading in itertools.pairwise(headings):
        if heading.endswith(SUITE):
            assert heading == before.removesuffix(SUITE) + SUITE
    # Every row of every table exactly once, in order, across its views; no page taller than the screen.
    for section in expected.sections:
        title = fmt.md_escape(section.title)
        shown = [tables for heading, tables in seen if heading in (title, title + SUITE)]
        for table_title, table in section.tables:
            pages = [
                frame for tables in shown for name, frame in tables if name in (table_title, f"{table_title} (suite)")
            ]
            assert all(len(page) <= MAX_TABLE_ROWS for page in pages), (table_title, [len(p) for p in pages])
            together = pd.concat(pages, ignore_index=True) if pages else table.iloc[:0]
            pd.testing.assert_frame_equal(together, _as_text(table))
    long_tables = [t for s in expected.sections for t, table in s.tables if len(table) > MAX_TABLE_ROWS]
    assert {"Fiches par statut"} <= set(long_tables)  # the demo's 25 fiches
    for table_title in long_tables:
        assert any(name == f"{table_title} (suite)" for _, tables in seen for name, _ in tables)

    _button(at, "◀ Précédent").click().run()
    assert at.header[0].value == headings[-2]
    _button(at, "Quitter").click().run()
    assert _button(at, "Lancer la présentation")


def test_the_semester_survives_quitting_the_presentation(app):
    at = app(PAGE)
    at.selectbox(key="p_period").set_value("2012-S1").run()
    _button(at, "Lancer la présentation").click().run()
    _button(at, "Suivant").click().run()
    _button(at, "Suivant").click().run()
    _button(at, "Quitter").click().run()
    assert not at.exception, at.exception
    assert at.selectbox(key="p_period").value == "2012-S1"
    _button(at, "Lancer la présentation").click().run()
    assert any(m.value.startswith(fmt.period_label("2012-S1")) for m in at.markdown)


def test_technician_presentation_compares_with_the_metropolis(app, demo_engine):
    at = app(PAGE, territoire="roubaisien")
    _button(at, "Lancer la présentation").click().run()
    assert "Territoire Roubaisien" in at.header[0].value
    _button(at, "Suivant").click().run()
    while at.header[0].value != "Territoire Roubaisien et la métropole" and not _button(at, "Suivant").disabled:
        _button(at, "Suivant").click().run()
    summary = places.place_summary(
        places.place_figures(demo_engine, Filters(period_from="2011-S1", period_to="2014-S2"), "territory"),
        "roubaisien",
    )
    trend = f"métropole : {fmt.number(summary['metro']['projects_per_10k'], 1)}"
    assert f"<div class='pack-trend'>{fmt.md_escape(trend)}</div>" in _figure_cards(at)


def test_the_pack_downloads_are_built_when_asked_for_with_the_territory_of_the_url(app, downloads):
    at = app(PAGE, territoire="roubaisien")
    assert not at.exception, at.exception
    assert sorted(downloads) == [
        "pack-comite-2014-S2-roubaisien.json",
        "pack-comite-2014-S2-roubaisien.pdf",
        "pack-comite-2014-S2-roubaisien.pptx",
    ]
    slides = Presentation(io.BytesIO(downloads["pack-comite-2014-S2-roubaisien.pptx"]()))
    texts = [shape.text_frame.text for slide in slides.slides for shape in slide.shapes if shape.has_text_frame]
    assert any("Roubaisien" in text for text in texts)
    assert downloads["pack-comite-2014-S2-roubaisien.pdf"]().startswith(b"%PDF")


def test_the_pack_json_of_the_page_is_what_the_command_line_writes(app, downloads, tmp_path):
    at = app(PAGE, territoire="roubaisien")
    at.selectbox(key="p_period").set_value("2013-S2").run()
    assert not at.exception, at.exception
    out = tmp_path / "pack.json"
    assert (
        main(["report", "--period", "2013-S2", "--territoire", "roubaisien", "--format", "json", "--out", str(out)])
        == 0
    )
    given = json.loads(downloads["pack-comite-2013-S2-roubaisien.json"]())
    assert given["period"] == "2013-S2" and given["territory"] == "roubaisien" and given["sections"]
    assert given == json.loads(out.read_bytes())
    button = next(d for d in at.get("download_button") if d.proto.label == "Données du pack (JSON)")
    assert button.proto.deferred_file_id  # built only when asked for, like the PDF and the PowerPoint
