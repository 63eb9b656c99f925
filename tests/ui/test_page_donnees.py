"""The Données page through the real entry point: uploads, preview, import, exports, backups, restore."""

from io import BytesIO

import openpyxl
import pytest
from sqlalchemy import func, select, text
from streamlit.testing.v1 import AppTest

from essdash.domain import fmt
from essdash.domain import models as m
from essdash.read import exports as io_export
from essdash.read.filters import Filters
from essdash.store import backup
from essdash.store.db import make_engine
from essdash.ui import french
from essdash.write import members
from essdash.write.actor import Actor
from tests.conftest import APP
from tests.fixtures.samples import GOOD, csv_file, dump, xlsx_file
from tests.fixtures.stores import backup_rows
from tests.ui.conftest import AUTH, login
from tests.write.test_partner_files import PARTNER_HEAD, PARTNER_ROWS

DONNEES = "pages/donnees.py"


@pytest.fixture
def base(writable_app):
    """The URL of a copy of the demo base that the page may change, configured as the app's database."""
    _make, engine = writable_app
    return engine.url.render_as_string(hide_password=False)


def _page(tab: str = "Importer", **params) -> AppTest:
    """The page with ``tab`` open (its tabs are lazy: only the open one is drawn)."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.session_state["d_tab"] = tab
    at.switch_page(DONNEES)
    return at.run()


def _clean(at):
    assert not at.exception, [(e.message, e.stack_trace) for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _count(url: str, table) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        value = conn.execute(select(func.count()).select_from(table)).scalar_one()
    engine.dispose()
    return value


def test_page_offers_import_export_and_backup_downloads(base, downloads, tmp_path):
    at = _page()
    _clean(at)
    assert [t.label for t in at.tabs] == ["Importer", "Exporter", "Données ouvertes", "Sauvegardes"]
    buttons, captions = {}, []
    for tab in ("Importer", "Exporter", "Sauvegardes"):
        at.session_state["d_tab"] = tab
        _clean(at.run())
        buttons[tab] = [b.label for b in at.download_button]
        captions += [c.value for c in at.caption]
    assert buttons == {
        "Importer": ["Modèle vide (CSV)"],
        "Exporter": ["Télécharger"],
        "Sauvegardes": ["Télécharger une copie de la base"],
    }
    engine = make_engine(base)
    expected = io_export.export(engine, "projects", Filters(), "csv")
    assert downloads[expected.file_name]() == expected.data
    template = downloads["modele-projects.csv"]().decode("cp1252")
    assert template.startswith("N°;Titre;Porteur;Forme juridique du porteur")
    snapshot = downloads[next(name for name in downloads if name.endswith((".db", ".dump")))]()
    copy = tmp_path / "copie"
    copy.write_bytes(snapshot)
    assert sum(line.startswith(("project ", 'INSERT INTO "project"')) for line in backup_rows(copy)) == 180
    assert _count(base, m.Project) == 180
    store = {"sqlite": "Base SQLite", "postgresql": "Base PostgreSQL"}[engine.dialect.name]
    assert any(c.startswith(store) and "Restaurer" in c for c in captions)
    assert any(c.startswith("180 lignes · Toute la métropole") for c in captions)


def test_export_follows_the_place_in_the_url_the_view_and_the_format(base, downloads):
    at = _page("Exporter", territoire="lys")
    at.selectbox(key="exp_view").set_value("fundings").run()
    at.radio(key="exp_format").set_value("xlsx").run()
    _clean(at)
    assert "geojson" not in at.radio(key="exp_format").options
    engine = make_engine(base)
    expected = io_export.frame(engine, "fundings", Filters(territory="lys"))
    name = io_export.file_name("fundings", Filters(territory="lys"), "xlsx")
    sheet = openpyxl.load_workbook(BytesIO(downloads[name]())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(expected.columns) and len(rows) == len(expected) + 1 > 1
    assert sum(r[8] for r in rows[1:]) == pytest.approx(expected["Montant (€)"].sum())
    assert any(c.value.startswith(f"{len(expected)} lignes · Territoire de la Lys") for c in at.caption)


def test_the_export_preview_is_paged_and_the_file_has_every_line(base, downloads):
    at = _page("Exporter")
    at.selectbox(key="exp_view").set_value("measurements").run()
    _clean(at)
    expected = io_export.frame(make_engine(base), "measurements", Filters())
    assert len(expected) > 400  # the demo's 768 indicator values: four pages of 200
    pages = -(-len(expected) // 200)
    assert len(_export_table(at, expected)) == 200
    assert f"{fmt.number(len(expected))} lignes, page 1 sur {pages}." in [c.value for c in at.caption]
    at.selectbox(key="exp_page").select(pages).run()
    _clean(at)
    assert _export_table(at, expected)["Valeur"].tolist() == expected["Valeur"].tolist()[200 * (pages - 1) :]
    name = io_export.file_name("measurements", Filters(), "csv")
    assert downloads[name]().decode("cp1252").count("\n") >= len(expected) + 1


def test_the_export_preview_shows_no_english_none(base):
    """Streamlit draws a missing cell as « None »: the preview's columns that miss values are French
    text, « – » where the base has nothing, dates as dd/mm/yyyy, decimal commas."""
    at = _page("Exporter")
    at.selectbox(key="exp_view").set_value("projects").run()
    _clean(at)
    shown = _preview(at, "Début")
    assert not shown.isna().any().any()
    engine = make_engine(base)
    with engine.connect() as conn:
        undated = conn.execute(select(func.count()).where(m.Project.start_date.is_(None))).scalar_one()
        placed = conn.execute(select(m.Project.lat).where(m.Project.lat.is_not(None)).limit(1)).scalar_one()
    engine.dispose()
    assert len(shown) == _count(base, m.Project) <= 200 and undated > 0
    assert (shown["Début"] == "–").sum() == undated
    assert shown["Début"][shown["Début"] != "–"].str.fullmatch(r"\d\d/\d\d/\d{4}").all()
    assert f"{placed}".replace(".", ",") in set(shown["Latitude"])
    at.selectbox(key="exp_view").set_value("measurements").run()
    assert set(_preview(at, "Commune")["Commune"]) == {"–"}  # territory values: no commune


def _preview(at, column):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _export_table(at, expected):
    return next(d.value for d in at.dataframe if list(d.value.columns) == list(expected.columns))


def test_upload_preview_then_import_with_a_name(base):
    upload = ("porteurs.xlsx", xlsx_file(GOOD["organisations"]), "application/octet-stream")
    at = _page()
    at.selectbox(key="imp_kind").set_value("organisations").run()
    at.file_uploader(key="imp_file_0").set_value(upload)
    at.run()
    _clean(at)
    assert any("5 lignes lues · 5 à créer" in i.value for i in at.info)
    assert fmt.md_escape("classeur Excel (.xlsx), feuille « Feuil1 »") in " ".join(md.value for md in at.markdown)
    assert not at.button(key="imp_go").disabled
    before = _count(base, m.Organisation)
    at.button(key="imp_go").click().run()
    assert "indiquez votre nom" in at.error[0].value and _count(base, m.Organisation) == before
    at.text_input(key="imp_author").input("Claire Martin")
    at.selectbox(key="imp_author-role").select("technicien").run()
    at.button(key="imp_go").click().run()
    assert not at.exception
    done = at.success[0].value
    assert "terminé : 5 ligne(s) créée(s)" in done and "sauvegarde de la base a été prise juste avant" in done
    assert "avant-import" not in done and ".db" not in done
    assert _count(base, m.Organisation) == before + 5 and _count(base, m.ImportBatch) == 1
    assert not any("lignes lues" in i.value for i in at.info) and "imp_go" not in [b.key for b in at.button]
    at.file_uploader(key="imp_file_1").set_value(upload)
    at.run()
    assert any("5 inchangées" in i.value for i in at.info)
    assert any("déjà été importé" in w.value and "Claire Martin" in w.value for w in at.warning)


def test_a_bad_file_lists_its_errors_and_cannot_be_imported(base):
    before = dump(base)
    rows = [row[:] for row in GOOD["projects"]]
    rows[1][3], rows[1][4], rows[2][10] = "Atlantis", "", "-2"
    at = _page()
    at.file_uploader(key="imp_file_0").set_value(("projets.csv", csv_file(rows), "text/csv"))
    at.run()
    assert not at.exception
    assert at.error[0].value.startswith("3 erreurs : corrigez le fichier")
    issues = next(t.value for t in at.table if "Problème" in t.value.columns)
    errors = issues[issues["Gravité"] == "erreur"]
    assert list(zip(errors.index, errors["Colonne"])) == [("2", "Commune"), ("3", "Emplois créés"), ("5", "Porteur")]
    assert at.button(key="imp_go").disabled
    assert dump(base) == before


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("rapport.csv", b"%PDF-1.4 binaire", "est un document PDF"),
        ("vide.csv", b"", "est vide"),
        ("export.xlsx", b"PK\x03\x04abime", "endommagé"),
    ],
)
def test_an_unreadable_file_gives_a_french_error_not_a_traceback(base, name, content, message):
    at = _page()
    at.file_uploader(key="imp_file_0").set_value((name, content, "text/csv"))
    at.run()
    assert not at.exception
    assert message in at.error[0].value


def test_restore_from_the_page_refuses_a_foreign_file_and_restores_a_snapshot(base):
    engine = make_engine(base)
    snapshot = backup.snapshot_of(engine)
    with engine.begin() as conn:
        conn.execute(m.Funding.__table__.delete())
    engine.dispose()
    at = _page("Sauvegardes")
    at.file_uploader(key="bk_file").set_value(("notes.db", b"ceci n'est pas une base", "application/octet-stream"))
    at.checkbox(key="bk_confirm").check().run()
    at.button(key="bk_go").click().run()
    assert not at.exception and "n'est pas une sauvegarde essdash" in at.error[0].value
    assert _count(base, m.Funding) == 0
    at.file_uploader(key="bk_file").set_value(("essdash.db", snapshot, "application/octet-stream"))
    at.run()
    at.button(key="bk_go").click().run()
    _clean(at)
    assert f"Base restaurée depuis « {fmt.md_escape('essdash.db')} »" in at.success[0].value
    assert _count(base, m.Funding) > 0
    engine = make_engine(base)
    reasons = [b["reason"] for b in backup.backups_of(engine)]
    engine.dispose()
    assert reasons == ["avant restauration"]


def _partner_upload(rows) -> tuple[str, bytes, str]:
    return ("partenaire.csv", csv_file([PARTNER_HEAD, *rows]), "text/csv")


def _column(at, header: str):
    """The mapping selectbox of the file's column ``header``."""
    return next(s for s in at.selectbox if s.key and s.key.startswith("imp_map_") and s.label == header)


def _sign(at) -> None:
    at.text_input(key="imp_author").input("Claire Martin")
    at.selectbox(key="imp_author-role").select("technicien").run()


def test_the_mapping_of_each_column_can_be_changed_and_changes_the_reading(base):
    at = _page()
    at.file_uploader(key="imp_file_0").set_value(_partner_upload(PARTNER_ROWS))
    at.run()
    _clean(at)
    assert _column(at, "Intitulé du projet").value == "title"
    assert _column(at, "Montant (€)").value == "funding_amount"
    summary = next(i.value for i in at.info if "lignes lues" in i.value)
    assert "3 lignes lues · 3 à créer" in summary
    assert summary.endswith(f"2 financements créés, {fmt.money(12500 + 3000.5)}")
    fundings = _count(base, m.Funding)
    _column(at, "Montant (€)").select_index(0).run()  # (ignorée)
    _clean(at)
    assert _column(at, "Montant (€)").value is None
    assert any("3 lignes lues · 3 à créer" in i.value for i in at.info)
    assert not any("financement" in i.value for i in at.info)
    projects = _count(base, m.Project)
    _sign(at)
    at.button(key="imp_go").click().run()
    assert not at.exception
    assert _count(base, m.Project) == projects + 3 and _count(base, m.Funding) == fundings


def test_a_saved_mapping_is_offered_again_for_a_file_with_the_same_headers(base):
    at = _page()
    at.file_uploader(key="imp_file_0").set_value(_partner_upload(PARTNER_ROWS))
    at.run()
    assert "imp_saved" not in [s.key for s in at.selectbox]
    _column(at, "Montant (€)").select_index(0).run()
    _sign(at)
    at.text_input(key="imp_source").input("Ville de Lomme").run()
    at.button(key="imp_save_map").click().run()
    _clean(at)
    assert any("Ville de Lomme" in s.value for s in at.success)
    other_rows = [["Jardin partagé", "Les Semeurs", "SCIC", "Lille", "8 000", "1", "02/02/2014", "accepté"]]
    again = _page()
    again.file_uploader(key="imp_file_0").set_value(_partner_upload(other_rows))
    again.run()
    _clean(again)
    assert any("1 financement créé" in i.value for i in again.info)
    assert again.selectbox(key="imp_saved").options == ["Aucune (proposition automatique)", "Ville de Lomme"]
    again.selectbox(key="imp_saved").select("Ville de Lomme").run()
    _clean(again)
    assert _column(again, "Montant (€)").value is None
    assert not any("financement" in i.value for i in again.info)
    renamed = [["Titre du projet", *PARTNER_HEAD[1:]], *other_rows]
    third = _page()
    third.file_uploader(key="imp_file_0").set_value(("autre.csv", csv_file(renamed), "text/csv"))
    third.run()
    _clean(third)
    assert "imp_saved" not in [s.key for s in third.selectbox]


def test_the_funding_type_is_chosen_for_the_whole_file(base):
    at = _page()
    at.file_uploader(key="imp_file_0").set_value(_partner_upload(PARTNER_ROWS))
    at.run()
    assert at.selectbox(key="imp_funding_type").value == "subvention"
    at.selectbox(key="imp_funding_type").select("Avance remboursable").run()
    _sign(at)
    at.button(key="imp_go").click().run()
    assert not at.exception
    engine = make_engine(base)
    with engine.connect() as conn:
        types = conn.execute(
            select(m.Funding.type, m.Funding.amount)
            .join(m.Project, m.Project.id == m.Funding.project_id)
            .where(m.Project.title.in_(["Épicerie solidaire", "Atelier vélo"]))
            .order_by(m.Funding.amount)
        ).all()
    engine.dispose()
    assert [tuple(t) for t in types] == [("avance_remboursable", 3000.5), ("avance_remboursable", 12500.0)]


def test_a_technicians_preview_refuses_rows_outside_their_territory_and_offers_no_import(base, monkeypatch):
    """In shared mode, a technician of Roubaisien drops a file with a row in Lille: the preview names
    that row as outside their scope, counts only the other as to create, and the import button is off."""
    engine = make_engine(base)
    members.save_member(
        engine, Actor("Claire Martin", "mission ESS"), "tech.roubaix@mel.fr", "technicien", territory="roubaisien"
    )
    monkeypatch.setenv("ESSDASH_MODE", "partage")
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = login("tech.roubaix@mel.fr")
    at.session_state["d_tab"] = "Importer"
    at.switch_page(DONNEES)
    at.run()
    before = dump(base)  # (after the login, which binds the member at their first)
    rows = [["Titre", "Porteur", "Forme juridique", "Commune"]]
    rows += [["Garage d'essai", "Association Les Essais", "Association", "Roubaix"]]
    rows += [["Jardin d'essai", "Association Les Essais", "Association", "Lille"]]
    at.file_uploader(key="imp_file_0").set_value(("projets.csv", csv_file(rows), "text/csv"))
    at.run()
    assert not at.exception, [e.stack_trace for e in at.exception]
    assert any(i.value.startswith("2 lignes lues · 1 à créer · ") for i in at.info)
    assert at.error[0].value.startswith("1 erreur : corrigez le fichier")
    issues = next(t.value for t in at.table if "Problème" in t.value.columns)
    assert [(line, problem) for line, problem in zip(issues.index, issues["Problème"])] == [
        ("3", "Lille (59350) est hors de votre périmètre.")
    ]
    assert at.button(key="imp_go").disabled
    assert dump(base) == before
    engine.dispose()


def _left_to_qualify(url: str) -> set[int]:
    """Marks some demo projects « à qualifier » (filière, mode or both); returns their ids."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE project SET sector = 'a_qualifier' WHERE id % 7 = 0"))
        conn.execute(text("UPDATE project SET intervention_mode = 'a_qualifier' WHERE id % 11 = 0"))
        ids = {
            row[0]
            for row in conn.execute(text("SELECT id, sector, intervention_mode FROM project"))
            if "a_qualifier" in row[1:]
        }
    engine.dispose()
    return ids


def test_the_register_filter_shows_exactly_the_projects_to_qualify(base):
    ids = _left_to_qualify(base)
    assert 10 < len(ids) < _count(base, m.Project)
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/projets.py")
    at.run()
    _clean(at)
    register = next(d.value for d in at.dataframe if "id" in d.value.columns)
    assert len(register) == _count(base, m.Project)
    at.checkbox(key="f_to_qualify").check().run()
    _clean(at)
    register = next(d.value for d in at.dataframe if "id" in d.value.columns)
    assert set(register["id"]) == ids and len(register) == len(ids)


def test_donnees_lists_what_remains_to_complete(base):
    _left_to_qualify(base)
    engine = make_engine(base)
    with engine.connect() as conn:
        sectors, modes, forms = (
            conn.exec_driver_sql(sql).scalar_one()
            for sql in (
                "SELECT count(*) FROM project WHERE sector = 'a_qualifier'",
                "SELECT count(*) FROM project WHERE intervention_mode = 'a_qualifier'",
                "SELECT count(*) FROM organisation WHERE legal_form = 'autre'",
            )
        )
    engine.dispose()
    assert sectors > 1 and modes > 1
    lines = [
        f"{sectors} projets sans filière (« À qualifier »)",
        f"{modes} projets sans mode d'intervention (« À qualifier »)",
    ]
    if forms:
        lines.append(f"{forms} porteur{'s' if forms > 1 else ''} de forme juridique « Autre »")
    at = _page()
    _clean(at)
    expected = "Reste à compléter : " + " · ".join(fmt.md_escape(line) for line in lines)
    assert expected in [c.value for c in at.caption]


def test_the_uploaders_instructions_name_the_button_in_french(app):
    """Each uploader's caption names its button by the words the page shows (« Choisir un fichier »,
    :mod:`essdash.ui.french`), not Streamlit's English ones."""
    at = app(DONNEES)
    instructions = [c.value for c in at.caption if "« Choisir un fichier »" in c.value]
    at.session_state["d_tab"] = "Sauvegardes"
    instructions += [c.value for c in at.run().caption if "« Choisir un fichier »" in c.value]
    assert ("^Upload$", "Choisir un fichier") in french.TEXTS  # what the button shows
    assert len(instructions) == 2 and all(text.startswith("Glissez ") for text in instructions)
