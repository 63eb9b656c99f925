"""The presentation's views without a browser: tables as escaped HTML text (« aucune » when empty),
cut into pages of even length, the map in one view beside its sentences, and « aucune proposition »
where nothing awaits the committee's opinion."""

import pandas as pd

from essdash.domain import fmt
from essdash.read import pack
from essdash.read.pack import model
from essdash.ui import presentation, slide_tables


def test_a_table_is_escaped_html_text_and_an_empty_one_says_aucune():
    table = pd.DataFrame({"Projet": ["<script>alert(1)</script> *gras*"], "Montant": [1234.5]})
    html = slide_tables.html("Titre <b>", table)
    assert "<script>" not in html and "<b>" not in html
    assert fmt.md_escape("<script>alert(1)</script> *gras*") in html
    amount = fmt.md_escape("1\u202f234,5")  # a French number, on the right
    assert f"<td class='pack-number'>{amount}</td>" in html
    assert "aucune" in slide_tables.html("En attente d'avis", table.iloc[:0])
    assert "<table" not in slide_tables.html("En attente d'avis", table.iloc[:0])


def test_a_long_table_is_cut_into_pages_of_even_length():
    section = model.Section("Fiches", tables=[("Fiches", pd.DataFrame({"Fiche": [f"I.{n}" for n in range(25)]}))])
    pages = [len(t) for view in presentation.section_views(section) for _, t in view.tables]
    assert sum(pages) == 25 and len(pages) >= 2
    assert max(pages) - min(pages) <= 1  # no page left with a row or two


def test_the_map_is_one_view_beside_its_sentences():
    rows = pd.DataFrame({"code": ["59350"], "projects": [1]})
    chart = model.Chart("choropleth", rows, {"level": "commune", "measure": "projects_per_10k"})
    sentences = ["Toutes les communes de la métropole : projets proposés depuis 2011.", "Sources : INSEE " * 10]
    section = model.Section("Carte", sentences=sentences, charts=[("Projets par commune", chart)])
    (view,) = presentation.section_views(section)
    assert view.beside and view.charts == [("Projets par commune", chart)] and view.sentences == sentences


def test_nothing_awaiting_an_opinion_says_aucune(demo_engine):
    proposals = next(s for s in pack.build(demo_engine, "2013-S2").sections if s.title.startswith("Propositions"))
    assert all(title != "En attente d'avis" for title, _ in proposals.tables)  # the demo: nothing waits then
    assert "en attente d'avis : aucune proposition, situation au 31/12/2013." in proposals.sentences[-1]
