"""What the import does to go fast keeps its promises row by row: a refused value met on many rows
is reported on each of them, and new projects are written under the ids that follow the last one,
in the file's order, each with its entry in the history and its funding line."""

from sqlalchemy import select

from essdash.domain import models as m
from essdash.write import imports
from essdash.write.actor import Actor
from tests.fixtures.samples import csv_file

ACTOR = Actor("Claire Martin", "mission ESS")
HEAD = ["Intitulé du projet", "Porteur", "Forme juridique", "Commune", "Montant (€)", "Date de début", "Statut"]


def test_a_value_refused_on_several_rows_is_reported_on_each(empty_engine):
    rows = [[f"Projet {i}", "Le Panier", "Association", "Roubaix", "100", "32/13/2012", "en cours"] for i in range(3)]
    rows.append(["Projet 3", "Le Panier", "Association", "Roubaiks", "100", "", "en cours"])
    rows.append(["Projet 4", "Le Panier", "Association", "Roubaiks", "100", "", "en cours"])
    plan = imports.prepare(empty_engine, csv_file([HEAD, *rows]), "p.csv", "projects")
    assert [(i.row, i.column, i.message) for i in plan.errors] == [
        *((row, "Date de début", "date impossible : « 32/13/2012 ».") for row in (2, 3, 4)),
        *(
            (row, "Commune", "commune « Roubaiks » inconnue dans la métropole. Vouliez-vous dire « Roubaix » ?")
            for row in (5, 6)
        ),
    ]


def test_new_projects_follow_the_last_id_in_the_files_order_with_their_history_and_funding(empty_engine):
    before = [[f"Ancien {i}", "Le Panier", "Association", "Roubaix", "100", "01/02/2013", "en cours"] for i in (1, 2)]
    imports.apply(empty_engine, imports.prepare(empty_engine, csv_file([HEAD, *before]), "p.csv", "projects"), ACTOR)
    rows = [
        ["Zèbre", "Roue Libre", "SCOP", "Lille", "3 000", "01/09/2012", "terminé"],
        ["Abeille", "Roue Libre", "SCOP", "Lille", "1 500,50", "", "refusé"],
        ["Mésange", "Le Panier", "", "Roubaix", "250", "", ""],
    ]
    imports.apply(empty_engine, imports.prepare(empty_engine, csv_file([HEAD, *rows]), "q.csv", "projects"), ACTOR)
    with empty_engine.connect() as conn:
        projects = conn.execute(
            select(m.Project.id, m.Project.title, m.Project.carrier_id, m.Project.status).order_by(m.Project.id)
        ).all()
        events = conn.execute(
            select(
                m.ProjectEvent.project_id, m.ProjectEvent.from_status, m.ProjectEvent.to_status, m.ProjectEvent.comment
            )
            .where(m.ProjectEvent.project_id > 2)
            .order_by(m.ProjectEvent.id)
        ).all()
        fundings = conn.execute(
            select(m.Funding.id, m.Funding.project_id, m.Funding.amount).order_by(m.Funding.id)
        ).all()
        carriers = conn.execute(select(m.Organisation.id, m.Organisation.name).order_by(m.Organisation.id)).all()
    assert carriers == [(1, "Le Panier"), (2, "Roue Libre")]
    assert projects == [
        (1, "Ancien 1", 1, "en_cours"),
        (2, "Ancien 2", 1, "en_cours"),
        (3, "Zèbre", 2, "realise"),
        (4, "Abeille", 2, "refuse"),
        (5, "Mésange", 1, "propose"),
    ]
    imported = "Importé du fichier « q.csv »."
    assert events == [(3, None, "realise", imported), (4, None, "refuse", imported), (5, None, "propose", imported)]
    assert fundings == [(1, 1, 100.0), (2, 2, 100.0), (3, 3, 3000.0), (4, 4, 1500.5), (5, 5, 250.0)]
