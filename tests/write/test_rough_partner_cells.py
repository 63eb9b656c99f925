"""A partner's file with rough dates (« 03/2012 », « 2013 ») and abbreviated communes (« St André »)
imports whole: the preview notes how each rough date was read and which commune each name gave,
and the stored dates and communes, counted by plain SQL, are what the notes said."""

from datetime import datetime

from sqlalchemy import text

from essdash.write import imports as io_import
from essdash.write.actor import Actor
from tests.fixtures.samples import csv_file, xlsx_file

ACTOR = Actor("Claire Martin", "mission ESS")
HEAD = ["Intitulé du projet", "Porteur", "Forme juridique", "Commune", "Montant (€)", "Date de début", "Date de fin"]
ROWS = [
    ["Épicerie solidaire", "Le Panier", "Association", "St André", "1 000", "03/2012", "2013"],
    ["Atelier vélo", "Roue Libre", "Association", "Villeneuve dAscq", "", "mars 2012", "02/2013"],
    ["Café associatif", "Le Zinc", "Association", "Marcq", "", "05/03/2012", ""],
]
# (row, column, note): a start is the first day, an end the last (2013 is not a leap year)
NOTES = [
    ("2", "Date de début", "« 03/2012 » lu comme le 01/03/2012 (mois et année seulement)."),
    ("2", "Date de fin", "« 2013 » lu comme le 31/12/2013 (année seulement, dernier jour pour une fin)."),
    ("3", "Date de début", "« mars 2012 » lu comme le 01/03/2012 (mois et année seulement)."),
    ("3", "Date de fin", "« 02/2013 » lu comme le 28/02/2013 (mois et année seulement, dernier jour pour une fin)."),
]


def _stored(engine) -> tuple[list[tuple], list[tuple]]:
    """Projects (title, commune, start, end) and fundings (title, year, amount), by plain SQL."""
    with engine.connect() as conn:
        projects = conn.execute(text("SELECT title, commune_code, start_date, end_date FROM project")).all()
        fundings = conn.execute(
            text("SELECT p.title, f.year, f.amount FROM funding f JOIN project p ON p.id = f.project_id")
        ).all()
    day = lambda value: None if value is None else str(value)[:10]  # noqa: E731 — a date on both stores
    return sorted((t, c, day(s), day(e)) for t, c, s, e in projects), sorted(tuple(f) for f in fundings)


def test_rough_dates_and_abbreviated_communes_import_whole_with_notes(empty_engine):
    data = csv_file([HEAD, *ROWS])
    plan = io_import.prepare(empty_engine, data, "partenaire.csv", "projects")
    assert plan.ok and plan.errors == [] and plan.warnings == [], plan.report()
    assert [(str(n.row), n.column, n.message) for n in plan.notes] == NOTES
    shown = plan.issues_frame()
    assert shown[shown["Gravité"] == "note"][["Ligne", "Colonne", "Problème"]].values.tolist() == [
        list(n) for n in NOTES
    ]
    assert (
        "Note — Ligne 2, colonne « Date de début » : « 03/2012 » lu comme le 01/03/2012 (mois et année seulement)."
        in (plan.report().splitlines())
    )
    assert plan.communes == [
        ("Marcq", "Marcq-en-Barœul", "59378"),
        ("St André", "Saint-André-lez-Lille", "59527"),
        ("Villeneuve dAscq", "Villeneuve-d'Ascq", "59009"),
    ]
    io_import.apply(empty_engine, plan, ACTOR)
    projects, fundings = _stored(empty_engine)
    assert projects == [
        ("Atelier vélo", "59009", "2012-03-01", "2013-02-28"),
        ("Café associatif", "59378", "2012-03-05", None),
        ("Épicerie solidaire", "59527", "2012-03-01", "2013-12-31"),
    ]
    assert fundings == [("Épicerie solidaire", 2012, 1000.0)]  # the year of the start read as 01/03/2012


def test_a_workbook_year_is_a_year_and_a_serial_number_a_date(empty_engine):
    # 41639 is Excel's 31/12/2013: 40909 is the 01/01/2012, then 366 days of 2012 and 364 of 2013
    rows = [
        ["Jardin partagé", "Les Jardins", "Association", "Lomme", None, 2012, 41639],
        ["Ressourcerie", "Le Grenier", "Association", "St-André", None, datetime(2012, 3, 5), 2013.0],
    ]
    plan = io_import.prepare(empty_engine, xlsx_file([HEAD, *rows]), "partenaire.xlsx", "projects")
    assert plan.ok, plan.report()
    assert [(n.row, n.column, n.message) for n in plan.notes] == [
        (2, "Date de début", "« 2012 » lu comme le 01/01/2012 (année seulement)."),
        (3, "Date de fin", "« 2013 » lu comme le 31/12/2013 (année seulement, dernier jour pour une fin)."),
    ]
    io_import.apply(empty_engine, plan, ACTOR)
    assert _stored(empty_engine)[0] == [
        ("Jardin partagé", "59350", "2012-01-01", "2013-12-31"),
        ("Ressourcerie", "59527", "2012-03-05", "2013-12-31"),
    ]
