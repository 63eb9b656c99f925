"""Import and export: French cell habits, file detection, every kind of import, round trips, the CLI."""

import json
import re
import select as os_select
import signal
import subprocess
import sys
import textwrap
from datetime import date
from io import BytesIO
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import func, select

from essdash.__main__ import main
from essdash.domain import models as m
from essdash.domain.errors import ImportFileError
from essdash.read import exports as io_export
from essdash.read import places, queries
from essdash.read.filters import Filters
from essdash.spreadsheet import cells as io_cells
from essdash.spreadsheet import files as io_files
from essdash.spreadsheet.columns import KINDS
from essdash.store import backup
from essdash.store.db import init_db, make_engine
from essdash.write import imports as io_import
from essdash.write.actor import Actor
from tests.fixtures.samples import GOOD, ORDER, csv_file, dump, state, xlsx_file
from tests.fixtures.stores import on_server

ACTOR = Actor("Claire Martin", "mission ESS")
ROOT = Path(__file__).resolve().parents[2]


def _import(engine, kind, data, name="fichier.csv"):
    plan = io_import.prepare(engine, data, name, kind)
    assert plan.ok, plan.report()
    return io_import.apply(engine, plan, ACTOR)


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


@pytest.fixture
def filled(empty_engine):
    """An empty base (reference data only) after importing the good files of every kind."""
    for kind in ORDER:
        _import(empty_engine, kind, csv_file(GOOD[kind]))
    return empty_engine


# ----------------------------------------------------------------------------- cells and files


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("1 234,50 €", 1234.5),
        ("1\u202f234,5", 1234.5),
        ("1\u00a0234", 1234.0),
        ("(200)", -200.0),
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        ("1.234.567", 1234567.0),
        ("45 %", 45.0),
        ("−4", -4.0),
        ("12", 12.0),
        (12.5, 12.5),
        ("0,1", 0.1),
    ],
)
def test_french_numbers(raw, expected):
    assert io_cells.number(raw) == expected


@pytest.mark.parametrize("raw", ["douze", "nan", "inf", "1,2,3", "", True, date(2012, 1, 1)])
def test_what_is_not_a_number(raw):
    with pytest.raises(ValueError):
        io_cells.number(raw)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("05/03/2012", date(2012, 3, 5)),
        ("5/3/12", date(2012, 3, 5)),
        ("05.03.2012", date(2012, 3, 5)),
        ("2012-03-05", date(2012, 3, 5)),
        ("2012-03-05 00:00:00", date(2012, 3, 5)),
        (41275, date(2013, 1, 1)),
        (date(2012, 3, 5), date(2012, 3, 5)),
    ],
)
def test_dates(raw, expected):
    assert io_cells.day(raw) == expected


@pytest.mark.parametrize(
    "raw, message",
    [
        ("31/02/2013", "date impossible"),
        ("2013-13-01", "date impossible"),
        ("hier", "n'est pas une date"),
        ("01/01/1850", "hors des limites"),
    ],
)
def test_impossible_dates(raw, message):
    with pytest.raises(ValueError, match=message):
        io_cells.day(raw)


def test_text_cells_refuse_formulas_html_and_control_characters_and_accept_escaped_ones():
    for raw, message in (
        ("=1+1", "formule"),
        ("+33 3 20", "formule"),
        ("@SOMME(A1)", "formule"),
        ("<script>alert(1)</script>", "HTML"),
        ("Asso\x07", "contrôle"),
        ("x" * 201, "trop long"),
    ):
        with pytest.raises(ValueError, match=message):
            io_cells.text(raw)
    assert io_cells.text("'=1+1") == "=1+1"
    assert io_cells.text("''+x") == "'+x"
    assert io_cells.text("  Jardins   <3  partagés ") == "Jardins <3 partagés"
    assert io_cells.text("- 5 personnes") == "- 5 personnes"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("=A1", "'=A1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=x", "''=x"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise_prefixes_an_apostrophe_that_reading_removes(raw, expected):
    assert io_cells.neutralise(raw) == expected
    if raw and raw[0] not in "\t\r":
        assert io_cells.text(expected) == raw


def test_periods_booleans_and_folding():
    assert [io_cells.period(p) for p in ("2012-S1", "S2 2013", "1er semestre 2012", "2e semestre 2014")] == [
        "2012-S1",
        "2013-S2",
        "2012-S1",
        "2014-S2",
    ]
    assert [io_cells.boolean(b) for b in ("oui", "NON", "x", "Vrai", 0, True)] == [True, False, True, True, False, True]
    assert io_cells.fold("Code_INSÉE") == "code insee" and io_cells.fold("Montant engagé (€)") == "montant engage"


@pytest.mark.parametrize(
    "encoding, delimiter, description",
    [
        ("cp1252", ";", "séparateur point-virgule, encodage Windows-1252"),
        ("utf-8", ",", "séparateur virgule, encodage UTF-8"),
        ("utf-8-sig", "\t", "séparateur tabulation, encodage UTF-8 avec BOM"),
        ("utf-16", ";", "encodage UTF-16"),
    ],
)
def test_encodings_and_separators_are_detected(encoding, delimiter, description):
    table = io_files.read_table(csv_file(GOOD["projects"], delimiter=delimiter, encoding=encoding), "p.csv")
    assert description in table.description
    assert table.rows[1][1][0] == "Épicerie solidaire du Pile"
    assert table.rows[1][1][-1] == 'Distribution ; « paniers » "solidaires"\nsur deux lignes'


def test_xlsx_is_recognised_by_content_not_by_extension():
    table = io_files.read_table(xlsx_file(GOOD["organisations"], "Porteurs"), "porteurs.csv")
    assert table.description == "classeur Excel (.xlsx), feuille « Porteurs »"
    assert table.rows[1] == (2, ("Association Le Panier", "Association", "Roubaix", "2004"))
    assert "CSV" in io_files.read_table(csv_file(GOOD["organisations"]), "porteurs.xlsx").description


def test_every_header_and_alias_designates_one_column_of_its_kind():
    for kind in KINDS.values():
        names = [io_cells.fold(n) for c in kind.columns for n in (c.header, *c.aliases)]
        assert len(names) == len(set(names)), kind.code
        assert all(kind.match(c.header) is c for c in kind.columns)
        assert {key for group in kind.required for key in group} <= {c.key for c in kind.columns if not c.computed}


# ----------------------------------------------------------------------------- imports


def test_good_files_of_every_kind_import_with_french_habits(filled):
    with filled.connect() as conn:
        orgs = {r.name: r for r in conn.execute(select(m.Organisation))}
        projects = {r.title: r for r in conn.execute(select(m.Project))}
        values = conn.execute(
            select(
                m.Measurement.indicator_code,
                m.Measurement.period,
                m.Measurement.territory_code,
                m.Measurement.commune_code,
                m.Measurement.value,
                m.Measurement.provenance,
                m.Measurement.source,
            ).order_by(m.Measurement.id)
        ).all()
        further = sorted(conn.execute(select(m.ProjectCommune.commune_code)).scalars())
    assert orgs["SCOP Roule"].commune_code == "59350"  # Lomme, commune associée de Lille
    assert orgs["Régie de quartier Énergie"].commune_code == "59350"  # 59355, ancien code de Lomme
    assert orgs["Chantier d'insertion Les Jardins"].commune_code == "59527"  # « St-André » pour Saint-André
    assert orgs["Collectif des Hellemmois"].commune_code == "59350"  # Hellemmes-Lille, commune associée
    assert orgs["Nouvelle Asso"].legal_form == "association"  # créé par le fichier des projets
    pile = projects["Épicerie solidaire du Pile"]
    assert (pile.status, pile.sector, pile.commune_code, pile.priority_district) == (
        "en_cours",
        "alimentation",
        "59512",
        True,
    )
    assert (pile.proposed_on, pile.start_date, pile.lat, pile.lon) == (
        date(2012, 3, 5),
        date(2012, 9, 1),
        50.6821,
        3.1892,
    )
    assert pile.description == 'Distribution ; « paniers » "solidaires"\nsur deux lignes'
    assert further == ["59163", "59650"]
    assert '=HYPERLINK("http://exemple.org";"clic")' in projects
    assert projects["Garage solidaire"].description == "-5 personnes accompagnées"
    assert queries.key_figures(filled, Filters())["money"] == 21500.0
    assert values == [
        ("emplois_crees", "2012-S1", "roubaisien", None, 12.0, "declare", "Enquête 2012"),
        ("emplois_crees", "2012-S2", None, "59512", 5.0, "verifie", "Enquête 2012"),
        ("part_cdi", "2013-S1", "roubaisien", None, 45.5, "estime", "Panel"),
        ("emplois_crees", "2012-S1", "lys", None, 3.0, "declare", "Fichier « fichier.csv »"),
    ]
    assert _count(filled, m.ImportBatch) == 4


def test_reimporting_the_same_file_creates_no_duplicate(filled):
    before = {t: _count(filled, t) for t in (m.Organisation, m.Project, m.Funding, m.Measurement, m.ProjectEvent)}
    for kind in ORDER:
        plan = io_import.prepare(filled, csv_file(GOOD[kind]), "fichier.csv", kind)
        assert (plan.inserted, plan.updated, plan.unchanged) == (0, 0, len(GOOD[kind]) - 1)
        assert plan.previous and "par Claire Martin" in plan.previous[0]
        io_import.apply(filled, plan, ACTOR)
    assert {t: _count(filled, t) for t in before} == before


def test_changed_rows_update_and_a_changed_value_supersedes_the_old_one(filled):
    projects = [row[:] for row in GOOD["projects"]]
    projects[2][6] = "Abandonné"  # Garage solidaire: réalisé → abandonné
    projects[2][12] = ""  # blank: keeps the 40 beneficiaries
    plan = io_import.prepare(filled, csv_file(projects), "maj.csv", "projects")
    assert (plan.inserted, plan.updated, plan.unchanged) == (0, 1, 3)
    io_import.apply(filled, plan, ACTOR)
    values = [row[:] for row in GOOD["measurements"][:2]]
    values[1][4] = "13"
    _import(filled, "measurements", csv_file(values))
    fundings = [GOOD["fundings"][0], [*GOOD["fundings"][3][:6], "1 500", "2012"]]
    assert _import(filled, "fundings", csv_file(fundings)).updated == 1
    with filled.connect() as conn:
        garage = conn.execute(select(m.Project).where(m.Project.title == "Garage solidaire")).one()
        event = conn.execute(
            select(m.ProjectEvent).where(m.ProjectEvent.project_id == garage.id).order_by(m.ProjectEvent.id.desc())
        ).first()
        history = conn.execute(
            select(m.Measurement.value, m.Measurement.superseded_at.is_not(None))
            .where(m.Measurement.territory_code == "roubaisien", m.Measurement.indicator_code == "emplois_crees")
            .order_by(m.Measurement.id)
        ).all()
        amount = conn.execute(select(m.Funding.amount).join(m.Funder).where(m.Funder.name == "Nord Actif")).scalar_one()
    assert (garage.status, garage.beneficiaries, garage.version) == ("abandonne", 40, 2)
    assert (event.from_status, event.to_status, event.author) == ("realise", "abandonne", "Claire Martin (mission ESS)")
    assert history == [(12.0, True), (13.0, False)]
    assert amount == 1500.0


def test_preview_describes_columns_sample_and_what_will_be_created(empty_engine):
    rows = [["Liste transmise par la commune de Roubaix", "", ""], *GOOD["projects"]]
    rows[1] = [*rows[1], "Montant engagé (€)", "Remarques"]
    _import(empty_engine, "organisations", csv_file(GOOD["organisations"]))
    plan = io_import.prepare(empty_engine, xlsx_file(rows), "projets.xlsx", "projects")
    assert plan.ok and plan.header_row == 2 and plan.rows == 4
    columns = dict(plan.columns)
    assert columns["Montant engagé (€)"].startswith("ignorée : « Montant engagé (€) » est calculé")
    assert columns["Remarques"] == "ignorée : colonne vide" and columns["Code INSEE"] == "Code INSEE"
    assert plan.created == {"porteurs": ["Nouvelle Asso"]}
    assert list(plan.sample["Titre"])[:2] == ["Épicerie solidaire du Pile", "Garage solidaire"]
    assert "Ligne 1 : ligne au-dessus de l'en-tête, ignorée : « Liste transmise par la commune de Roubaix »." in [
        str(w) for w in plan.warnings
    ]
    assert "Colonnes :\n  Titre → Titre" in plan.report()


def test_homonymous_projects_are_told_apart_by_their_number(empty_engine):
    _import(empty_engine, "organisations", csv_file(GOOD["organisations"]))
    _import(empty_engine, "projects", csv_file(GOOD["projects"][:3]))
    twin = [GOOD["projects"][0], GOOD["projects"][2]]
    with empty_engine.begin() as conn:
        row = conn.execute(select(m.Project).where(m.Project.title == "Garage solidaire")).mappings().one()
        twin_row = {k: v for k, v in row.items() if k != "id"}  # a new id from the base
        conn.execute(m.Project.__table__.insert().values({**twin_row, "description": "jumeau"}))
    plan = io_import.prepare(empty_engine, csv_file(twin), "t.csv", "projects")
    assert "2 projets existants ont ce titre" in str(plan.errors[0]) and plan.errors[0].row == 2
    numbered = [["N°", *twin[0]], [str(row["id"]), *twin[1]]]
    plan = io_import.prepare(empty_engine, csv_file(numbered), "t.csv", "projects")
    assert plan.ok and plan.unchanged == 1


def test_apply_validates_again_against_the_current_data(filled):
    fundings = [GOOD["fundings"][0], [*GOOD["fundings"][3][:6], "2 000", "2013"]]
    plan = io_import.prepare(filled, csv_file(fundings), "f.csv", "fundings")
    assert plan.ok and plan.inserted == 1
    with filled.begin() as conn:
        garage = conn.execute(select(m.Project.id).where(m.Project.title == "Garage solidaire")).scalar_one()
        for table in (m.Funding, m.ProjectSheet, m.ProjectEvent):
            conn.execute(table.__table__.delete().where(table.project_id == garage))
        conn.execute(m.Project.__table__.delete().where(m.Project.id == garage))
    before = dump(filled)
    with pytest.raises(ImportFileError, match="ont changé depuis l'aperçu"):
        io_import.apply(filled, plan, ACTOR)
    assert dump(filled) == before


# ----------------------------------------------------------------------------- the bad-file corpus


def _projects_with(**cells):
    """The good projects file with some cells of its first data row replaced ({header: value})."""
    rows = [row[:] for row in GOOD["projects"]]
    for header, value in cells.items():
        rows[1][rows[0].index(header)] = value
    return csv_file(rows)


def _zip(entries: dict[str, bytes]) -> bytes:
    import zipfile

    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


P_HEAD = ";".join(GOOD["projects"][0]).encode()
FUNDING_HEAD, VALUE_HEAD = GOOD["fundings"][0], GOOD["measurements"][0]
BAD_FILES = {
    # refused as a whole: (kind, content, "fichier", message)
    "fichier vide": ("projects", b"", "fichier", "est vide"),
    "seulement des lignes vides": ("projects", b"\r\n;;;\r\n  \r\n", "fichier", "aucune donnée"),
    "document PDF": ("projects", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "fichier", "un document PDF"),
    "image PNG": ("projects", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "fichier", "une image PNG"),
    "classeur Excel 97-2003": ("projects", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "fichier", "97-2003"),
    "archive zip quelconque": ("projects", _zip({"notes.txt": b"bonjour"}), "fichier", "une archive zip"),
    "classeur OpenDocument": (
        "projects",
        _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
        "fichier",
        "OpenDocument",
    ),
    "xlsx endommagé": ("projects", b"PK\x03\x04" + b"\x00garbage" * 40, "fichier", "endommagé"),
    "xlsx tronqué": ("projects", xlsx_file(GOOD["projects"])[:1500], "fichier", "endommagé"),
    "fichier trop gros": ("projects", P_HEAD + b"\r\n" + b"x;" * (11 * 1024 * 1024), "fichier", "trop volumineux"),
    "trop de lignes": (
        "organisations",
        b"Nom;Forme juridique\r\n" + b"A;Association\r\n" * 100_001,
        "fichier",
        "plus de 100",
    ),
    "encodage inconnu": (
        "organisations",
        b"Nom;Forme juridique\r\nAsso \x81\x8d;Association\r\n",
        "fichier",
        "encodage non reconnu",
    ),
    "UTF-8 encodé deux fois": (
        "organisations",
        "Nom;Forme juridique\r\nRégie;Association\r\n".encode().decode("cp1252").encode("utf-8"),
        "fichier",
        "mal encodé",
    ),
    "contenu binaire": ("organisations", b"Nom;Forme\x00juridique\r\n\x00\x01\x02", "fichier", "binaire"),
    "guillemet jamais refermé": (
        "organisations",
        b'Nom;Forme juridique\r\n"Asso;Association\r\n',
        "fichier",
        "guillemet ouvert",
    ),
    "texte après un guillemet": (
        "organisations",
        b'Nom;Forme juridique\r\n"Asso"x;Association\r\n',
        "fichier",
        "guillemet fermant",
    ),
    # refused by its header: (kind, content, (row, column), message)
    "colonne obligatoire absente": (
        "projects",
        csv_file([GOOD["projects"][0][1:8], GOOD["projects"][1][1:8]]),
        (1, None),
        "colonne obligatoire absente : « Titre » (colonnes examinées : « Porteur »",
    ),
    "colonne en double": (
        "organisations",
        csv_file([["Nom", "Forme juridique", "Commune", "Ville"], ["A", "Association", "Roubaix", "Croix"]]),
        (1, "Ville"),
        "même rôle",
    ),
    "en-tête sans données": (
        "organisations",
        csv_file([["Nom", "Forme juridique"]]),
        (None, None),
        "aucune ligne de données",
    ),
    "fichier d'une autre nature": (
        "projects",
        csv_file(GOOD["fundings"]),
        (1, None),
        "ce fichier ressemble à un fichier de « Financements »",
    ),
    # refused row by row: (kind, content, (row, column), message)
    "commune inconnue": (
        "projects",
        _projects_with(Commune="Atlantis", **{"Code INSEE": ""}),
        (2, "Commune"),
        "commune « Atlantis » inconnue",
    ),
    "faute de frappe dans la commune": (
        "projects",
        _projects_with(Commune="Roubaiz", **{"Code INSEE": ""}),
        (2, "Commune"),
        "Vouliez-vous dire « Roubaix » ?",
    ),
    "code postal au lieu du code INSEE": (
        "projects",
        _projects_with(**{"Code INSEE": "59100", "Commune": ""}),
        (2, "Code INSEE"),
        "code postal",
    ),
    "commune et code INSEE discordants": (
        "projects",
        _projects_with(**{"Code INSEE": "59350"}),
        (2, "Commune"),
        "ne correspond pas au code INSEE 59350 (Lille)",
    ),
    "montant négatif": (
        "fundings",
        csv_file([FUNDING_HEAD, [*GOOD["fundings"][1][:6], "-200", "2012"]]),
        (2, "Montant (€)"),
        "montant négatif refusé",
    ),
    "emplois négatifs": ("projects", _projects_with(**{"Emplois créés": "-3"}), (2, "Emplois créés"), "nombre négatif"),
    "date impossible": (
        "projects",
        _projects_with(**{"Proposé le": "31/02/2013"}),
        (2, "Proposé le"),
        "date impossible",
    ),
    "fin avant le début": ("projects", _projects_with(Fin="01/01/2012"), (2, "Fin"), "précède le début"),
    "lignes en double": (
        "projects",
        csv_file([*GOOD["projects"][:3], GOOD["projects"][1]]),
        (4, "Titre"),
        "ligne en double : même le titre, le porteur et la commune principale",
    ),
    "formule de tableur": (
        "projects",
        _projects_with(Titre='=HYPERLINK("http://pirate.example";"clic")'),
        (2, "Titre"),
        "comme une formule de tableur",
    ),
    "HTML dans un nom": (
        "organisations",
        csv_file([GOOD["organisations"][0], ["<script>alert(1)</script>", "Association", "Roubaix", ""]]),
        (2, "Nom"),
        "balises HTML",
    ),
    "cellule qui déborde": ("organisations", b"Nom;Forme juridique\r\nA;Association;en trop\r\n", (2, None), "déborde"),
    "fiche inconnue": ("projects", _projects_with(Fiches="II.32, IX.99"), (2, "Fiches"), "fiche « IX.99 » inconnue"),
    "porteur inconnu sans forme juridique": (
        "projects",
        _projects_with(Porteur="Inconnue SARL"),
        (2, "Porteur"),
        "porteur « Inconnue SARL » inconnu",
    ),
    "valeur hors de l'intervalle": (
        "measurements",
        csv_file([VALUE_HEAD, ["part_cdi", "2013-S1", "lys", "", "120 %", "", "x"]]),
        (2, "Valeur"),
        "hors de l'intervalle admis (entre 0 et 100 %)",
    ),
    "indicateur calculé": (
        "measurements",
        csv_file([VALUE_HEAD, ["part_fiches_engagees", "2013-S1", "lys", "", "12", "", "x"]]),
        (2, "Code indicateur"),
        "calculé par l'application",
    ),
    "semestre hors période": (
        "measurements",
        csv_file([VALUE_HEAD, ["emplois_crees", "2199-S1", "lys", "", "1", "", "x"]]),
        (2, "Semestre"),
        "hors de la période suivie",
    ),
    "projet introuvable": (
        "fundings",
        csv_file([FUNDING_HEAD, ["Projet fantôme", "", "", "Lille Métropole", "", "Subvention", "100", "2012"]]),
        (2, "Projet"),
        "projet « Projet fantôme » introuvable",
    ),
    "texte trop long": ("projects", _projects_with(Titre="Projet " * 60), (2, "Titre"), "texte trop long"),
    "caractère de contrôle": (
        "organisations",
        csv_file([GOOD["organisations"][0], ["Asso\x07 du lien", "Association", "", ""]]),
        (2, "Nom"),
        "caractères de contrôle",
    ),
    "nombre en lettres": (
        "projects",
        _projects_with(**{"Bénéficiaires": "douze"}),
        (2, "Bénéficiaires"),
        "« douze » n'est pas un nombre",
    ),
    "latitude sans longitude": ("projects", _projects_with(Longitude=""), (2, "Longitude"), "vont ensemble"),
    "xlsx avec un montant négatif": (
        "fundings",
        xlsx_file([FUNDING_HEAD, [*GOOD["fundings"][1][:6], -50, 2012]]),
        (2, "Montant (€)"),
        "montant négatif refusé",
    ),
}


@pytest.fixture(scope="module")
def corpus_base(tmp_path_factory):
    """A base holding the good files' rows; the bad files must leave it byte for byte as it is."""
    path = tmp_path_factory.mktemp("corpus") / "base.db"
    engine = init_db(f"sqlite:///{path}", dataset="empty")
    for kind in ORDER:
        _import(engine, kind, csv_file(GOOD[kind]))
    engine.dispose()
    return path


def test_the_corpus_has_at_least_25_bad_files():
    assert len(BAD_FILES) >= 25


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_files_are_refused_with_french_messages_and_change_nothing(case, corpus_base):
    kind, content, where, message = BAD_FILES[case]
    before, backups_before = state(corpus_base), backup.list_backups(corpus_base)
    engine = make_engine(f"sqlite:///{corpus_base}")
    try:
        if where == "fichier":
            with pytest.raises(ImportFileError, match=re.escape(message)):
                io_import.prepare(engine, content, "partenaire.csv", kind)
            return
        plan = io_import.prepare(engine, content, "partenaire.csv", kind)
        assert not plan.ok
        found = [str(e) for e in plan.errors]
        assert any((e.row, e.column) == where and message in e.message for e in plan.errors), found
        with pytest.raises(ImportFileError, match="Import refusé"):
            io_import.apply(engine, plan, ACTOR)
    finally:
        engine.dispose()
        assert state(corpus_base) == before
        assert backup.list_backups(corpus_base) == backups_before


def test_an_unknown_filiere_keeps_the_row_a_qualifier_with_a_warning(tmp_path):
    engine = init_db(f"sqlite:///{tmp_path / 'base.db'}", dataset="empty")
    for kind in ORDER[: ORDER.index("projects")]:
        _import(engine, kind, csv_file(GOOD[kind]))
    plan = io_import.prepare(engine, _projects_with(Filière="Aéronautique"), "p.csv", "projects")
    assert plan.ok, plan.report()
    warned = [str(w) for w in plan.warnings if w.column == "Filière"]
    assert warned == [
        "Ligne 2, colonne « Filière » : « Aéronautique » n'est pas une filière connue : le projet entre "
        "« À qualifier » (ou garde sa valeur), à compléter ensuite."
    ]
    io_import.apply(engine, plan, ACTOR)
    title = GOOD["projects"][1][GOOD["projects"][0].index("Titre")]
    with engine.connect() as conn:
        sector = conn.exec_driver_sql("SELECT sector FROM project WHERE title = ?", (title,)).scalar_one()
    engine.dispose()
    assert sector == "a_qualifier"


def test_an_error_report_lists_every_error_by_row_and_column(corpus_base):
    rows = [GOOD["projects"][0], *([*GOOD["projects"][1][:10], "-1", *GOOD["projects"][1][11:]] for _ in range(2))]
    rows[2][0] = "Autre titre"
    rows[2][8] = "Spatial"
    engine = make_engine(f"sqlite:///{corpus_base}")
    plan = io_import.prepare(engine, csv_file(rows), "p.csv", "projects")
    engine.dispose()
    assert [str(e) for e in plan.errors] == [
        "Ligne 2, colonne « Emplois créés » : nombre négatif refusé (-1).",
        "Ligne 3, colonne « Emplois créés » : nombre négatif refusé (-1).",
    ]
    # an unknown filière is no reason to refuse a row: « à qualifier », with a warning
    assert (
        "Ligne 3, colonne « Filière » : « Spatial » n'est pas une filière connue : le projet entre « À qualifier »"
        in (" ".join(str(w) for w in plan.warnings))
    )
    assert list(plan.issues_frame()["Ligne"])[:2] == ["2", "3"]


# ----------------------------------------------------------------------------- exports and round trips


def _exports(engine, file_format):
    return {kind: io_export.export(engine, kind, Filters(), file_format).data for kind in ORDER}


def _comparable(engine, kind) -> pd.DataFrame:
    frame = io_export.frame(engine, kind, Filters())
    frame = frame.drop(columns=[c for c in ("N°", "N° projet", "Saisie le", "Saisie par") if c in frame])
    return frame.sort_values(list(frame.columns[:4])).reset_index(drop=True)


@pytest.mark.parametrize("file_format", ["csv", "csv-utf8", "xlsx"])
def test_export_then_import_gives_the_same_rows(filled, fresh_url, file_format):
    exported = _exports(filled, file_format)
    path = filled
    before = dump(path, without=("importbatch", "journal", "metaentry"))
    for kind in ORDER:
        plan = io_import.prepare(filled, exported[kind], f"export.{file_format}", kind)
        assert plan.ok and (plan.inserted, plan.updated) == (0, 0), plan.report()
        io_import.apply(filled, plan, ACTOR)
    assert dump(path, without=("importbatch", "journal", "metaentry")) == before
    fresh = init_db(fresh_url("neuve"), dataset="empty")
    for kind in ORDER:
        assert _import(fresh, kind, exported[kind], f"export.{file_format}").inserted == len(_comparable(filled, kind))
    for kind in ORDER:
        pd.testing.assert_frame_equal(_comparable(fresh, kind), _comparable(filled, kind))
    fresh.dispose()


def test_every_demo_view_exported_imports_back_unchanged(demo_copy):
    engine = make_engine(demo_copy)
    for kind in ORDER:
        for file_format in ("csv", "xlsx"):
            exported = io_export.export(engine, kind, Filters(territory="roubaisien"), file_format)
            plan = io_import.prepare(engine, exported.data, exported.file_name, kind)
            assert plan.ok and plan.rows > 0 and plan.unchanged == plan.rows, plan.report()
    engine.dispose()


def test_french_csv_conventions_and_formula_neutralisation(filled):
    exported = io_export.export(filled, "projects", Filters(), "csv")
    assert exported.file_name == f"essdash-projets-{date.today():%Y%m%d}.csv" and exported.mime == "text/csv"
    text = exported.data.decode("cp1252")
    header = text.split("\r\n", 1)[0]
    assert header.startswith("N°;Titre;Porteur;Forme juridique du porteur;Commune;Code INSEE;Territoire")
    assert '\'=HYPERLINK(""http://exemple.org"";""clic"")' in text
    assert ";'-5 personnes accompagnées" in text
    assert ";05/03/2012;01/09/2012;;50,6821;3,1892;" in text
    assert ";oui;" in text and "1\u202f" not in text
    utf8 = io_export.export(filled, "projects", Filters(), "csv-utf8").data
    assert utf8.startswith(b"\xef\xbb\xbf") and utf8.decode("utf-8-sig") == text
    sheet = openpyxl.load_workbook(BytesIO(io_export.export(filled, "projects", Filters(), "xlsx").data)).active
    cells = {c.value: c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    formula = next(v for v in cells if "HYPERLINK" in v)
    assert formula.startswith("'=") and cells[formula].data_type == "s"
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    dates = [c for row in sheet.iter_rows(min_row=2) for c in row if c.is_date]
    assert dates and all(c.number_format == "DD/MM/YYYY" for c in dates)


def test_a_character_outside_windows_1252_switches_the_csv_to_utf8(empty_engine):
    _import(
        empty_engine,
        "organisations",
        csv_file([["Nom", "Forme juridique"], ["Coopérative ✿ Fleurs", "SCIC"]], encoding="utf-8"),
    )
    exported = io_export.export(empty_engine, "organisations", Filters(), "csv")
    assert exported.data.startswith(b"\xef\xbb\xbf") and "UTF-8" in exported.note
    assert "Coopérative ✿ Fleurs" in exported.data.decode("utf-8-sig")


def test_filtered_views_match_the_pages(demo_engine):
    lys = Filters(territory="lys")
    register = queries.project_register(demo_engine, lys)
    assert list(io_export.frame(demo_engine, "projects", lys)["N°"]) == list(register["id"])
    fundings = io_export.frame(demo_engine, "fundings", lys)
    assert set(fundings["N° projet"]) <= set(register["id"])
    assert fundings["Montant (€)"].sum() == pytest.approx(register["amount"].sum())
    territories = io_export.frame(demo_engine, "equity_territories", Filters())
    assert len(territories) == 8
    assert territories["Projets"].sum() == len(queries.project_register(demo_engine, Filters()))
    assert set(io_export.frame(demo_engine, "measurements", lys)["Territoire"].dropna()) == {"Territoire de la Lys"}
    served = io_export.frame(demo_engine, "sheets", lys)
    assert 0 < len(served) < 25 and (served["Projets de la sélection"] > 0).all()


def test_geojson_places_projects_as_the_map_does(demo_engine):
    collection = json.loads(io_export.export(demo_engine, "projects", Filters(), "geojson").data)
    points = places.project_points(demo_engine, Filters())
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == len(points)
    by_id = {feat["properties"]["N°"]: feat for feat in collection["features"]}
    outside = points[points["placed"] == "outside"].iloc[0]
    assert by_id[int(outside["id"])]["geometry"]["coordinates"] == [round(outside["lon"], 6), round(outside["lat"], 6)]
    assert by_id[int(outside["id"])]["properties"]["Position"] == "point de la commune (coordonnées hors métropole)"


# ----------------------------------------------------------------------------- interrupted import and CLI

SLOW_IMPORT = textwrap.dedent("""
    import sys, time
    from sqlalchemy import event
    from essdash.write import imports as io_import
    from essdash.write.imports import projects as io_kinds
    from essdash.store.db import make_engine
    from essdash.write.actor import Actor

    write = io_kinds.Projects.write

    def write_then_hang(self, conn, author, now):
        write(self, conn, author, now)
        print("écrit", flush=True)
        time.sleep(120)

    io_kinds.Projects.write = write_then_hang
    engine = make_engine(sys.argv[1])
    if engine.dialect.name == "sqlite":  # a small page cache: uncommitted pages reach the file
        event.listen(engine, "connect", lambda dbapi, _: dbapi.execute("PRAGMA cache_size=5"))
    plan = io_import.prepare(engine, open(sys.argv[2], "rb").read(), "gros.csv", "projects")
    assert plan.ok, plan.report()
    io_import.apply(engine, plan, Actor("Test", "mission ESS"))
""")


def test_an_import_killed_midway_leaves_the_base_as_before(empty_engine, tmp_path):
    head, row = GOOD["projects"][0], GOOD["projects"][1]
    big = tmp_path / "gros.csv"
    big.write_bytes(csv_file([head, *[[f"Projet {i}", row[1], "Association", *row[3:]] for i in range(3000)]]))
    path = Path(empty_engine.url.database)
    empty_engine.dispose()
    before = dump(empty_engine)
    log = tmp_path / "enfant.log"
    with log.open("w") as errors:
        child = subprocess.Popen(
            [sys.executable, "-c", SLOW_IMPORT, str(empty_engine.url), str(big)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
    try:
        assert os_select.select([child.stdout], [], [], 60)[0], "l'import n'a rien écrit en 60 s"
        assert child.stdout.readline().strip() == "écrit", log.read_text()[-2000:]
        if not on_server():
            wal = Path(f"{path}-wal")
            assert wal.exists() and wal.stat().st_size > 100_000  # uncommitted pages did reach the disk
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL
    assert dump(empty_engine) == before
    assert _count(make_engine(str(empty_engine.url)), m.Project) == 0
    assert [b["reason"] for b in backup.backups_of(empty_engine)] == ["avant import"]


def test_command_line_import_dry_run_export(empty_engine, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", str(empty_engine.url))
    path = empty_engine
    carriers, good = tmp_path / "porteurs.xlsx", tmp_path / "projets.csv"
    carriers.write_bytes(xlsx_file(GOOD["organisations"]))
    good.write_bytes(csv_file(GOOD["projects"]))
    assert main(["import", str(carriers), "--kind", "organisations"]) == 0
    assert "Import terminé : 5 ligne(s) créée(s)" in capsys.readouterr().out
    before = dump(path)
    assert main(["import", str(good), "--kind", "projects", "--dry-run"]) == 0
    assert "4 lignes lues · 4 à créer" in capsys.readouterr().out and dump(path) == before
    assert main(["import", str(good), "--kind", "projects", "--author", "Karim"]) == 0
    out = capsys.readouterr().out
    assert "Import terminé : 4 ligne(s) créée(s)" in out and "Sauvegarde prise avant l'import" in out
    bad = tmp_path / "mauvais.csv"
    bad.write_bytes(_projects_with(Commune="Atlantis", **{"Code INSEE": ""}))
    assert main(["import", str(bad), "--kind", "projects"]) == 2
    captured = capsys.readouterr()
    assert "Erreur — Ligne 2, colonne « Commune » : commune « Atlantis » inconnue" in captured.out
    assert "Import refusé : 1 erreur" in captured.err
    for file_format, check in (
        ("csv", lambda b: b.decode("cp1252").startswith("N°;Titre")),
        ("xlsx", lambda b: b.startswith(b"PK")),
        ("geojson", lambda b: len(json.loads(b)["features"]) == 4),
    ):
        out_file = tmp_path / f"projets.{file_format}"
        assert main(["export", "--kind", "projects", "--format", file_format, "--out", str(out_file)]) == 0
        assert check(out_file.read_bytes())
    assert main(["export", "--kind", "projects", "--format", "csv", "--territory", "atlantide", "--out", "x"]) == 2
    assert "Territoire inconnu" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["export", "--kind", "fundings", "--format", "geojson", "--out", "x"])
    assert main(["import", str(tmp_path / "absent.csv"), "--kind", "projects"]) == 2
    assert "Fichier illisible" in capsys.readouterr().err
