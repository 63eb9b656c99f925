"""Partners' spreadsheets as they really are: their headers, their words, their amounts, their shapes,
the mapping saved and offered again, and refusals that change nothing."""

import hashlib
from io import BytesIO

import openpyxl
import pytest
from sqlalchemy import select

from essdash.domain import models as m
from essdash.domain.errors import ImportFileError
from essdash.write import imports as io_import
from essdash.write.actor import Actor
from essdash.write.imports.rows import ImportOptions
from tests.fixtures.samples import csv_file, dump

ACTOR = Actor("Claire Martin", "mission ESS")
PARTNER_HEAD = [
    "Intitulé du projet",
    "Porteur",
    "Forme juridique",
    "Commune",
    "Montant (€)",
    "Emplois créés",
    "Date de début",
    "Statut",
]
PARTNER_ROWS = [
    ["Épicerie solidaire", "Le Panier", "Association loi 1901", "LOMME", "12 500", "2", "15/03/2013", "en cours"],
    [
        "Atelier vélo",
        "Roue Libre",
        "Chantier d'insertion",
        "villeneuve d'ascq",
        "3 000,50",
        "1",
        "01/09/2012",
        "Terminé",
    ],
    ["Café associatif", "Le Zinc", "SARL", "Marcq en Baroeul", "", "0", "", ""],
]


def _imported(engine, data: bytes, kind: str, name: str = "partenaire.csv", options=None):
    plan = io_import.prepare(engine, data, name, kind, options)
    assert plan.ok, plan.report()
    io_import.apply(engine, plan, ACTOR)
    return plan


def _projects(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(
                    m.Project.title,
                    m.Organisation.name,
                    m.Organisation.legal_form,
                    m.Organisation.legal_form_text,
                    m.Project.commune_code,
                    m.Project.sector,
                    m.Project.intervention_mode,
                    m.Project.status,
                    m.Project.jobs_created,
                )
                .join(m.Organisation, m.Organisation.id == m.Project.carrier_id)
                .order_by(m.Project.title)
            )
        ]


def _fundings(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(m.Project.title, m.Funder.name, m.Funding.type, m.Funding.amount, m.Funding.year)
                .join(m.Project, m.Project.id == m.Funding.project_id)
                .join(m.Funder, m.Funder.id == m.Funding.funder_id)
                .order_by(m.Project.title)
            )
        ]


EXPECTED_PROJECTS = [
    ("Atelier vélo", "Roue Libre", "siae", None, "59009", "a_qualifier", "a_qualifier", "realise", 1),
    ("Café associatif", "Le Zinc", "autre", "SARL", "59378", "a_qualifier", "a_qualifier", "propose", 0),
    ("Épicerie solidaire", "Le Panier", "association", None, "59350", "a_qualifier", "a_qualifier", "en_cours", 2),
]
# amounts with the start date's year, funder « Non précisé », type subvention (the stated defaults)
EXPECTED_FUNDINGS = [
    ("Atelier vélo", "Non précisé", "subvention", 3000.5, 2012),
    ("Épicerie solidaire", "Non précisé", "subvention", 12500.0, 2013),
]


@pytest.mark.parametrize("delimiter, encoding", [(";", "cp1252"), (",", "utf-8"), (";", "utf-8-sig"), (",", "cp1252")])
def test_a_partners_projects_file_comes_in_whole_with_its_amounts(empty_engine, delimiter, encoding):
    data = csv_file([PARTNER_HEAD, *PARTNER_ROWS], delimiter=delimiter, encoding=encoding)
    plan = _imported(empty_engine, data, "projects")
    columns = dict(plan.columns)
    assert columns["Intitulé du projet"].startswith("Titre")
    assert columns["Montant (€)"] == "Montant" and columns["Statut"] == "Étape"
    # two amounts: 12 500 + 3 000,50
    assert plan.fundings == 2 and plan.funding_total == 15500.5
    assert "2 financements créés, 15 500 €" in plan.summary().replace("\u00a0", " ").replace("\u202f", " ")
    assert plan.defaulted["Filière : « À qualifier »"] == 3
    assert plan.defaulted["Étape : « Proposé »"] == 1
    assert ("LOMME", "Lille", "59350") in plan.communes
    assert _projects(empty_engine) == EXPECTED_PROJECTS
    assert _fundings(empty_engine) == EXPECTED_FUNDINGS
    again = io_import.prepare(empty_engine, data, "partenaire.csv", "projects")
    assert (again.inserted, again.unchanged, again.fundings) == (0, 3, 0)


def test_funder_and_year_chosen_for_the_whole_file(empty_engine):
    data = csv_file([PARTNER_HEAD, *PARTNER_ROWS])
    _imported(empty_engine, data, "projects", options=ImportOptions(funder="Lille Métropole", funding_year=2014))
    assert [(f[1], f[4]) for f in _fundings(empty_engine)] == [("Lille Métropole", 2014)] * 2


def test_porteurs_with_their_own_words_and_full_creation_dates(empty_engine):
    rows = [
        ["Nom", "Statut", "Ville", "Date de création"],
        ["Le Panier", "Association loi 1901", "Roubaix", "15/03/2007"],
        ["Roue Libre", "Chantier d'insertion", "Croix", "2010"],
        ["Coop Ouest", "SCOP SARL", "Lille", "01/01/1999"],
        ["Les Toits", "SCIC SAS", "Tourcoing", ""],
        ["Mut'Nord", "Mutuelle", "Lille", ""],
        ["Boutique", "Entreprise ESUS", "Lille", ""],
        ["Intérim+", "ETTI", "Lille", ""],
        ["Le Zinc", "SARL", "Lille", ""],
    ]
    _imported(empty_engine, csv_file(rows), "organisations")
    with empty_engine.connect() as conn:
        found = {
            name: (form, text, year)
            for name, form, text, year in conn.execute(
                select(
                    m.Organisation.name,
                    m.Organisation.legal_form,
                    m.Organisation.legal_form_text,
                    m.Organisation.created_year,
                )
            )
        }
    assert found == {
        "Le Panier": ("association", None, 2007),
        "Roue Libre": ("siae", None, 2010),
        "Coop Ouest": ("scop", None, 1999),
        "Les Toits": ("scic", None, None),
        "Mut'Nord": ("mutuelle", None, None),
        "Boutique": ("esus", None, None),
        "Intérim+": ("siae", None, None),
        "Le Zinc": ("autre", "SARL", None),
    }


def _workbook() -> bytes:
    """Two sheets (a hidden one first), title lines, a merged two-row header, a totals row."""
    book = openpyxl.Workbook()
    hidden = book.active
    hidden.title = "Listes"
    hidden.append(["Filières"])
    hidden.sheet_state = "hidden"
    notes = book.create_sheet("Notes")
    notes.append(["Rien ici"])
    sheet = book.create_sheet("Projets 2013")
    sheet.append(["Projets soutenus en 2013"])
    sheet.append(["Transmis par la MEL"])
    sheet.append(["Titre", "Porteur", "Forme juridique", "Commune", "Emplois", None, "Montant"])
    sheet.append([None, None, None, None, "créés", "maintenus", None])
    for column in "ABCDG":
        sheet.merge_cells(f"{column}3:{column}4")
    sheet.merge_cells("E3:F3")
    sheet.append(["Ressourcerie", "Le Panier", "Association", "Roubaix", 3, 1, 20000])
    sheet.append(["Garage", "Roue Libre", "ACI", "Tourcoing", 2, 0, 5000])
    sheet.append(["Total", None, None, None, 5, 1, 25000])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_workbook_with_titles_merged_header_totals_and_several_sheets(empty_engine):
    data = _workbook()
    first = io_import.prepare(empty_engine, data, "mel.xlsx", "projects")
    assert not first.ok and "feuille « Notes »" in first.table.description
    plan = io_import.prepare(empty_engine, data, "mel.xlsx", "projects", ImportOptions(worksheet="Projets 2013"))
    assert plan.ok, plan.report()
    assert plan.table.worksheets == ("Notes", "Projets 2013")
    assert "masquée : « Listes »" in plan.table.description
    assert plan.header_row == 4 and plan.rows == 2
    columns = dict(plan.columns)
    assert columns["Emplois créés"] == "Emplois prévus" and columns["Emplois maintenus"] == "Emplois maintenus"
    warnings = [str(w) for w in plan.warnings]
    assert "Ligne 1 : ligne au-dessus de l'en-tête, ignorée : « Projets soutenus en 2013 »." in warnings
    assert "Ligne 7 : ligne de total, ignorée." in warnings
    io_import.apply(empty_engine, plan, ACTOR)
    with empty_engine.connect() as conn:
        rows = conn.execute(
            select(m.Project.title, m.Project.jobs_created, m.Project.jobs_maintained).order_by(m.Project.title)
        ).all()
    assert [tuple(r) for r in rows] == [("Garage", 2, 0), ("Ressourcerie", 3, 1)]
    assert sorted(f[3] for f in _fundings(empty_engine)) == [5000.0, 20000.0]


def test_a_saved_mapping_is_offered_again_for_the_same_headers(empty_engine):
    head = ["Action", "Structure", "Forme", "Lieu", "Aide"]
    first = csv_file([head, ["Jardin", "Les Pousses", "Association", "Roubaix", "800"]])
    plan = io_import.prepare(empty_engine, first, "mai.csv", "projects")
    placed = plan.mapping()
    assert placed["Structure"] == "carrier" and placed["Lieu"] == "commune"
    chosen = ImportOptions(
        mapping=tuple(
            sorted({**placed, "Action": "title", "Aide": "funding_amount", "Forme": "carrier_legal_form"}.items())
        )
    )
    plan = io_import.prepare(empty_engine, first, "mai.csv", "projects", chosen)
    assert plan.ok, plan.report()
    io_import.save_mapping(empty_engine, plan, "Ville de Roubaix", ACTOR)
    second = csv_file([head, ["Verger", "Les Pousses", "Association", "Roubaix", "900"]])
    again = io_import.prepare(empty_engine, second, "juin.csv", "projects")
    assert [name for name, _ in again.saved] == ["Ville de Roubaix"]
    assert again.saved[0][1]["Action"] == "title" and again.saved[0][1]["Aide"] == "funding_amount"
    other = io_import.prepare(empty_engine, csv_file([[*head, "Autre"], ["x"] * 6]), "x.csv", "projects")
    assert other.saved == []


REFUSED = {
    "commune hors de la métropole": (8, "Paris", "commune « Paris » inconnue dans la métropole"),
    "texte dans un montant": (4, "beaucoup", "« beaucoup » n'est pas un nombre"),
    "date impossible": (6, "31/02/2013", "date impossible"),
    "montant négatif": (4, "-5000", "montant négatif refusé (-5 000 €)"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_each_refusal_names_its_reason_and_changes_nothing(empty_engine, tmp_path, case):
    column, value, message = REFUSED[case]
    rows = [row[:] for row in PARTNER_ROWS]
    rows[1][3 if column == 8 else column] = value
    path = tmp_path / "partenaire.csv"
    path.write_bytes(csv_file([PARTNER_HEAD, *rows]))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    base = empty_engine
    before = dump(base)
    plan = io_import.prepare(empty_engine, path.read_bytes(), path.name, "projects")
    shown = [str(e).replace("\u00a0", " ").replace("\u202f", " ") for e in plan.errors]
    assert any(e.startswith("Ligne 3") and message in e for e in shown), shown
    with pytest.raises(ImportFileError, match="Import refusé"):
        io_import.apply(empty_engine, plan, ACTOR)
    assert dump(base) == before
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
