"""The Données page through the real entry point: uploads, preview, import, exports, backups, restore."""

from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
import streamlit as st
from sqlalchemy import func, select
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from essdash.domain import fmt
from essdash.domain import models as m
from essdash.read import exports as io_export
from essdash.read.filters import Filters
from essdash.store import backup
from essdash.store.db import make_engine
from tests.conftest import APP
from tests.fixtures.samples import GOOD, csv_file, dump, xlsx_file

DONNEES = "pages/donnees.py"


@pytest.fixture
def downloads(monkeypatch):
    """What the page hands to its download buttons, by file name (deferred ones are generated on demand)."""
    sent = {}
    add, add_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def eager(self, data, mimetype, coordinates, file_name=None, is_for_static_download=False):
        sent[file_name] = lambda: data
        return add(
            self, data, mimetype, coordinates, file_name=file_name, is_for_static_download=is_for_static_download
        )

    def deferred(self, callable_, mimetype, coordinates, file_name=None, element_id=""):
        sent[file_name] = callable_
        return add_deferred(self, callable_, mimetype, coordinates, file_name=file_name, element_id=element_id)

    monkeypatch.setattr(MediaFileManager, "add", eager)
    monkeypatch.setattr(MediaFileManager, "add_deferred", deferred)
    return sent


@pytest.fixture
def base(tmp_path, monkeypatch, demo_engine):
    """A copy of the demo base that the page may change, configured as the app's database."""
    path = tmp_path / "demo.db"
    path.write_bytes(backup.snapshot(Path(demo_engine.url.database)))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    st.cache_data.clear()
    return path


def _page(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(DONNEES)
    return at.run()


def _clean(at):
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _count(path: Path, table) -> int:
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        value = conn.execute(select(func.count()).select_from(table)).scalar_one()
    engine.dispose()
    return value


def test_page_offers_import_export_and_backup_downloads(base, downloads):
    at = _page()
    _clean(at)
    assert [t.label for t in at.tabs] == ["Importer", "Exporter", "Sauvegardes"]
    assert [b.label for b in at.download_button] == [
        "Modèle vide (CSV)",
        "Télécharger",
        "Télécharger une copie de la base",
    ]
    engine = make_engine(f"sqlite:///{base}")
    expected = io_export.export(engine, "projects", Filters(), "csv")
    assert downloads[expected.file_name]() == expected.data
    template = downloads["modele-projects.csv"]().decode("cp1252")
    assert template.startswith("N°;Titre;Porteur;Forme juridique du porteur")
    snapshot = downloads[next(name for name in downloads if name.endswith(".db"))]()
    copy = base.with_name("copie.db")
    copy.write_bytes(snapshot)
    assert _count(copy, m.Project) == _count(base, m.Project) == 180
    assert any(c.value.startswith("180 lignes · Toute la métropole") for c in at.caption)


def test_export_follows_the_place_in_the_url_the_view_and_the_format(base, downloads):
    at = _page(territoire="lys")
    at.selectbox(key="exp_view").set_value("fundings").run()
    at.radio(key="exp_format").set_value("xlsx").run()
    _clean(at)
    assert "geojson" not in at.radio(key="exp_format").options
    engine = make_engine(f"sqlite:///{base}")
    expected = io_export.frame(engine, "fundings", Filters(territory="lys"))
    name = io_export.file_name("fundings", Filters(territory="lys"), "xlsx")
    sheet = openpyxl.load_workbook(BytesIO(downloads[name]())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(expected.columns) and len(rows) == len(expected) + 1 > 1
    assert sum(r[8] for r in rows[1:]) == pytest.approx(expected["Montant (€)"].sum())
    assert any(c.value.startswith(f"{len(expected)} lignes · Territoire de la Lys") for c in at.caption)


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
    snapshot = backup.snapshot(base)
    engine = make_engine(f"sqlite:///{base}")
    with engine.begin() as conn:
        conn.execute(m.Funding.__table__.delete())
    engine.dispose()
    at = _page()
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
    reasons = [b["reason"] for b in backup.list_backups(base)]
    assert reasons == ["avant restauration"]
