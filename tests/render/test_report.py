"""The meeting pack as PDF and PowerPoint: same figures as the database, every section, no-data
semesters, hostile text shown as text, long tables, the command line."""

from __future__ import annotations

import io
from datetime import date

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pypdf import PdfReader
from sqlalchemy import insert

from essdash.__main__ import main
from essdash.domain import fmt, rules
from essdash.domain import models as m
from essdash.read import equity_report, pack, places, queries
from essdash.read.filters import Filters
from essdash.render import pack_charts, report
from essdash.render.report import common
from essdash.render.report import pdf as report_pdf
from essdash.write import projects
from essdash.write.actor import Actor

PERIOD = "2013-S2"
END = date(2013, 12, 31)  # « situation au » of the 2013-S2 pack
HOSTILE = "<b>gras</b> & <img src=x onerror=alert(1)> Titre très très long sans espaces " + "A" * 66
ACTOR = Actor("Sophie Lefebvre", "groupe des techniciens")


def _flat(text: str) -> str:
    """Whitespace (line breaks, U+202F, U+00A0 included) folded to single spaces."""
    return " ".join(text.split())


def _pdf_pages(data: bytes) -> list[str]:
    return [_flat(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def _slides(data: bytes) -> list[dict]:
    """Each slide's title, tables (lists of rows of cell texts), texts and picture count."""
    slides = []
    for slide in Presentation(io.BytesIO(data)).slides:
        tables = [
            [[cell.text for cell in row.cells] for row in shape.table.rows] for shape in slide.shapes if shape.has_table
        ]
        texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
        pictures = sum(shape.shape_type == MSO_SHAPE_TYPE.PICTURE for shape in slide.shapes)
        slides.append(
            {
                "title": slide.shapes.title.text if slide.shapes.title else "",
                "tables": tables,
                "texts": texts,
                "pictures": pictures,
            }
        )
    return slides


def _section_titles(slides: list[dict]) -> list[str]:
    """Slide titles after the title slide, continuations and repeats folded."""
    titles = []
    for slide in slides[1:]:
        if not slide["title"].endswith("(suite)") and (not titles or titles[-1] != slide["title"]):
            titles.append(slide["title"])
    return titles


@pytest.fixture(scope="module")
def metro(demo_engine):
    built = pack.build(demo_engine, PERIOD)
    return built, report.to_pdf(built), report.to_pptx(built)


@pytest.fixture(scope="module")
def roubaix(demo_engine):
    built = pack.build(demo_engine, "2014-S2", territory="roubaisien")
    return built, report.render(built, "pdf"), report.render(built, "pptx")


def test_pdf_figures_sections_and_equity_sentences_match_the_database(metro, demo_engine):
    built, data, _ = metro
    assert data.startswith(b"%PDF")
    pages = _pdf_pages(data)
    text = " ".join(pages)
    now = queries.key_figures(demo_engine, Filters(period_from="2011-S1", period_to=PERIOD, as_of=END))
    assert now["projects"] > 0
    assert f"Projets proposés depuis 2011 {fmt.number(now['projects'])} " in text
    assert f"Montant engagé {_flat(fmt.money(now['money']))} " in text
    assert f"Emplois prévus par les projets {fmt.number(now['jobs_created'])} " in text
    for section in built.sections:
        assert section.title in text
    scope = Filters(period_from="2011-S1", period_to=PERIOD, as_of=END)
    equity = equity_report.report(
        places.place_figures(demo_engine, scope, "commune"),
        places.place_figures(demo_engine, scope, "territory"),
        "projects",
    )
    for key in ("coverage", "gini", "theil", "hoover", "funnel"):
        assert _flat(equity.finding(key).sentence) in text
    # the title page, the semester in French, the demo notice, numbered pages with the footer
    assert "2e semestre 2013" in pages[0] and "Séance du comité : 16 décembre 2013" in pages[0]
    assert "Données de démonstration fictives" in pages[0]
    assert all(f"page {i} / {len(pages)}" in page for i, page in enumerate(pages, start=1))
    assert all("Comité métropolitain de l'économie sociale et solidaire — 2e semestre 2013" in p for p in pages)
    reader = PdfReader(io.BytesIO(data))
    assert [item.title for item in reader.outline] == [s.title for s in built.sections]
    assert len(reader.pages[1].images) >= 1  # the « Projets par étape » chart


def test_pptx_slides_follow_the_sections_with_the_same_figures(metro, demo_engine):
    built, _, data = metro
    slides = _slides(data)
    assert built.title in slides[0]["title"]
    subtitle = " ".join(slides[0]["texts"])
    assert "2e semestre 2013" in subtitle and "Données de démonstration fictives" in subtitle
    assert _section_titles(slides) == [s.title for s in built.sections]
    assert _section_titles(slides)[:3] == ["Chiffres clés", "Depuis le dernier comité", "Fiches du plan"]
    now = queries.key_figures(demo_engine, Filters(period_from="2011-S1", period_to=PERIOD, as_of=END))
    figures = {row[0]: row[1] for row in slides[1]["tables"][0]}
    assert slides[1]["title"] == "Chiffres clés"
    assert figures["Projets proposés depuis 2011"] == fmt.number(now["projects"])
    assert figures["Montant engagé"] == fmt.money(now["money"])
    for section in built.sections:
        own = [s for s in slides if s["title"] in (section.title, f"{section.title} (suite)")]
        assert sum(s["pictures"] for s in own) == len(section.charts), section.title
        for title, frame in section.tables:  # every row of every table, split over « (suite) » slides
            rows = [row for s in own for table in s["tables"] for row in table[1:] if table[0] == list(frame.columns)]
            assert len(rows) == len(frame), title
    sentences = " ".join(t for s in slides for t in s["texts"])
    for sentence in next(s for s in built.sections if s.title == "Équité territoriale").sentences:
        assert sentence in sentences


def test_the_map_is_drawn_not_blank(metro):
    built = metro[0]
    chart = next(c for s in built.sections for t, c in s.charts if "par commune" in t)
    before = pack_charts.draw(chart).to_dict()["data"]["values"][0]["geometry"]["coordinates"][0][:3]
    pixels = np.asarray(Image.open(io.BytesIO(common.chart_png(chart))).convert("RGB"), dtype=int)
    coloured = (np.abs(pixels[..., 0] - pixels[..., 1]) > 30) | (np.abs(pixels[..., 1] - pixels[..., 2]) > 30)
    assert coloured.mean() > 0.15  # the communes are filled, not a blank box
    assert (
        pack_charts.draw(chart).to_dict()["data"]["values"][0]["geometry"]["coordinates"][0][:3] == before
    )  # pack untouched


def test_territory_pack_compares_with_the_metropolis(roubaix, demo_engine):
    built, pdf, pptx = roubaix
    summary = places.place_summary(
        places.place_figures(
            demo_engine, Filters(period_from="2011-S1", period_to="2014-S2", as_of=built.day), "territory"
        ),
        "roubaisien",
    )
    metro_value = f"métropole : {fmt.number(summary['metro']['projects_per_10k'], 1)}"
    own_value = fmt.number(summary["projects_per_10k"], 1)
    text = " ".join(_pdf_pages(pdf))
    assert "Territoire Roubaisien" in text and "Territoire Roubaisien et la métropole" in text
    assert built.day == date(2014, 12, 15)  # the demo's reference date, before the semester's end
    assert f"Projets proposés pour 10 000 habitants {own_value} {_flat(metro_value)}" in text
    slides = _slides(pptx)
    assert _section_titles(slides)[:2] == ["Chiffres clés", "Territoire Roubaisien et la métropole"]
    compare = next(s for s in slides if s["title"] == "Territoire Roubaisien et la métropole")
    assert ["Projets proposés pour 10 000 habitants", own_value, metro_value] in compare["tables"][0]
    assert report.filename(built, "pptx") == "pack-comite-2014-S2-roubaisien.pptx"
    assert report.filename(pack.build(demo_engine, PERIOD), "pdf") == "pack-comite-2013-S2.pdf"


@pytest.mark.parametrize("which", ["empty database", "demo before the plan"])
def test_a_semester_without_data_still_gives_complete_files(which, empty_engine, demo_engine):
    engine, period = (empty_engine, PERIOD) if which == "empty database" else (demo_engine, "2010-S2")
    built = pack.build(engine, period)
    without = [s.title for s in built.sections if pack.NO_DATA in s.sentences]
    assert len(without) >= 5
    pages = _pdf_pages(report.to_pdf(built))
    for title in without:  # each section says so on its own page
        assert any(page.startswith(f"{title} ") and pack.NO_DATA in page for page in pages), title
    slides = _slides(report.to_pptx(built))
    assert _section_titles(slides) == [s.title for s in built.sections]
    for title in without:
        assert any(pack.NO_DATA in " ".join(s["texts"]) for s in slides if s["title"] == title), title


def test_hostile_text_is_shown_as_text(empty_engine, monkeypatch):
    # bases written before the rule book refused markup hold such text: the report must still show it as text
    monkeypatch.setattr(rules, "text", lambda value, **_: str(value).strip())
    engine = empty_engine
    with engine.begin() as conn:
        conn.execute(
            insert(m.Meeting),
            [
                {"id": 1, "body": "groupe_techniciens", "date": date(2013, 11, 12), "title": "GT <i>novembre</i>"},
                {
                    "id": 2,
                    "body": "comite_metropolitain",
                    "date": date(2013, 12, 16),
                    "title": "Comité & <u>décembre</u>",
                },
            ],
        )
    good = {"commune_code": "59512", "intervention_mode": "convention_objectifs", "sector": "mobilite"}
    waiting = projects.create_project(
        engine,
        ACTOR,
        {**good, "title": HOSTILE},
        carrier_name="<i>SCOP</i> & Cie",
        legal_form="scop",
        sheets=["III.4"],
        proposed_on=date(2013, 9, 2),
    )
    opined = projects.create_project(
        engine,
        ACTOR,
        {**good, "title": "Projet </para><para> fermé"},
        carrier_name="<i>SCOP</i> & Cie",
        legal_form="scop",
        sheets=["III.4"],
        proposed_on=date(2013, 9, 3),
    )
    for pid in (waiting, opined):
        projects.advance_project(engine, ACTOR, pid, {"status": "propose", "version": 1}, "valide", meeting_id=1)
    projects.advance_project(
        engine,
        ACTOR,
        opined,
        {"status": "valide", "version": 2},
        "retenu",
        meeting_id=2,
        opinion="favorable",
        comment="<script>x</script> " + "B" * 3000,
    )
    built = pack.build(engine, PERIOD)
    tables = {title: frame for s in built.sections for title, frame in s.tables}
    assert HOSTILE in set(tables["En attente d'avis"]["Projet"])

    text = " ".join(_pdf_pages(report.to_pdf(built)))
    assert "<b>gras</b> & <img src=x onerror=alert(1)> Titre" in text
    assert "<i>SCOP</i> & Cie" in text and "Projet </para><para> fermé" in text and "<script>x</script>" in text
    assert "Comité & <u>décembre</u>" in text

    slides = _slides(report.to_pptx(built))
    cells = [cell for s in slides for table in s["tables"] for row in table for cell in row]
    long_cell = next(c for c in cells if c.startswith("<b>gras</b>"))
    assert "<img src=x onerror=alert(1)>" in long_cell and long_cell.endswith("…") and len(long_cell) <= 90
    assert "<i>SCOP</i> & Cie" in cells and any(c.startswith("<script>x</script>") for c in cells)


def test_long_tables_are_capped_and_split():
    frame = pd.DataFrame(
        {"N°": range(1001, 1151), "Projet": [f"Projet n° {i}" for i in range(1, 151)], "Emplois": range(2001, 2151)}
    )
    built = pack.Pack(
        period=PERIOD,
        title="Essai",
        subtitle="Essai de table longue",
        meeting=None,
        territory=None,
        place="Toute la métropole",
        demo=False,
        sections=[pack.Section("Une longue table", sentences=["Cent cinquante lignes."], tables=[("Projets", frame)])],
    )
    pages = _pdf_pages(report.to_pdf(built))
    text = " ".join(pages)
    assert "Projet n° 60 " in text and "Projet n° 61 " not in text and "… et 90 autres lignes." in text
    assert f"1001 Projet n° 1 {_flat(fmt.number(2001))} " in text  # amounts grouped the French way, ids not
    assert sum("N° Projet Emplois" in page for page in pages) >= 2  # the header repeats on each page
    assert "Données de démonstration fictives" not in text
    slides = _slides(report.to_pptx(built))
    continued = [s for s in slides if s["title"] == "Une longue table (suite)"]
    rows = [row for s in slides for table in s["tables"] for row in table[1:]]
    assert len(rows) == common.SLIDE_MAX_ROWS and continued
    assert all(len(table) <= common.SLIDE_ROWS + 1 for s in slides for table in s["tables"])
    assert any("… et 102 autres lignes." in " ".join(s["texts"]) for s in slides)


def test_render_refuses_an_unknown_format(metro):
    with pytest.raises(ValueError, match="Format « docx » inconnu"):
        report.render(metro[0], "docx")


def test_cli_writes_the_pack(demo_engine, demo_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", demo_url)
    out = tmp_path / "pack.pdf"
    assert main(["report", "--period", PERIOD, "--format", "pdf", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert "2e semestre 2013" in capsys.readouterr().out
    assert main(["report", "--period", "2013-S3", "--format", "pdf", "--out", str(tmp_path / "x.pdf")]) == 2
    assert "Erreur : « 2013-S3 » n'est pas un semestre" in capsys.readouterr().err
    assert (
        main(
            [
                "report",
                "--period",
                PERIOD,
                "--format",
                "pptx",
                "--territoire",
                "atlantide",
                "--out",
                str(tmp_path / "x.pptx"),
            ]
        )
        == 2
    )
    assert "Territoire « atlantide » inconnu" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "x.pptx").exists()


def test_without_dejavu_the_bundled_font_stands_in(monkeypatch):
    monkeypatch.setattr(report_pdf, "_FONT_FILES", [])
    fonts = report_pdf._fonts()
    assert fonts.regular == "Essdash-Vera" and fonts.missing["\u202f"] == "\u00a0"  # Vera lacks U+202F
    built = pack.Pack(
        period=PERIOD,
        title="Essai",
        subtitle="Sans DejaVu",
        meeting=None,
        territory=None,
        place="Toute la métropole",
        demo=True,
        sections=[pack.Section("Montants", figures=[("Montant engagé", fmt.money(1234567), "")])],
    )
    text = " ".join(_pdf_pages(report.to_pdf(built)))
    assert "Montant engagé 1 234 567 €" in text and "Données de démonstration fictives" in text
