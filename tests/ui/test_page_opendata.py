"""Open data in the app, through app.py: the Données page's « Données ouvertes » tab (the subsidies
file of a funder's year and the package, downloaded), and a project's « Données ouvertes » tab, whose
form saves the carrier's SIRET and a funding's convention facts, or refuses a wrong SIRET in French."""

import io
import zipfile

from sqlalchemy import select

from essdash.domain import models as m
from essdash.read.opendata import scdl
from tests.fixtures.samples import dump


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def test_the_open_data_tab_offers_the_subsidies_file_and_the_package(app, demo_engine, downloads):
    at = app("pages/donnees.py", state={"d_tab": "Données ouvertes"})
    assert not at.exception
    at.selectbox(key="od_year").select(2013).run()
    expected = scdl.subsidies(demo_engine, funder="Lille Métropole", year=2013)
    assert at.selectbox(key="od_funder").value == "Lille Métropole"
    assert len(at.dataframe[0].value) == len(expected.rows) > 0
    name = scdl.file_name(expected)
    assert downloads[name]() == scdl.csv_bytes(expected)
    with zipfile.ZipFile(io.BytesIO(downloads["essdash-donnees-ouvertes.zip"]())) as archive:
        assert {"datapackage.json", "projets.csv", "financements.csv", "equite.csv"} <= set(archive.namelist())


def _project_with_a_subsidy(engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return tuple(
            conn.execute(
                select(m.Funding.project_id, m.Funding.id, m.Project.carrier_id)
                .join(m.Project, m.Project.id == m.Funding.project_id)
                .where(m.Funding.type == "subvention")
                .order_by(m.Funding.id)
            ).first()
        )


def test_a_projects_open_data_form_saves_and_refuses_a_wrong_siret(writable_app):
    make, engine = writable_app
    pid, fid, carrier = _project_with_a_subsidy(engine)
    at = make("pages/projets.py", projet=str(pid), state={"pa_tab": "Données ouvertes"})
    assert not at.exception
    at.text_input(key="od_siret").input("380 475 558 00059")
    at.text_input(key="sig-open-data").input("Claire Martin")
    at.selectbox(key="sig-open-data-role").select("technicien")
    before = dump(engine)
    _button(at, "Enregistrer les données ouvertes").click().run()
    assert at.error and "clé de contrôle" in at.error[0].value
    assert dump(engine) == before
    at.text_input(key="od_siret").input("380 475 558 00058")
    at.text_input(key=f"od_dates_{fid}").input("01/02/2012 - 31/12/2012")
    at.selectbox(key=f"od_nature_{fid}").select("aide en nature")
    _button(at, "Enregistrer les données ouvertes").click().run()
    assert not at.exception and not at.error
    with engine.connect() as conn:
        assert conn.execute(select(m.Organisation.siret).where(m.Organisation.id == carrier)).scalar_one() == (
            "38047555800058"
        )
        row = conn.execute(select(m.Funding.payment_dates, m.Funding.nature).where(m.Funding.id == fid)).one()
        journal = conn.execute(select(m.JournalEntry.summary).order_by(m.JournalEntry.id.desc())).first()[0]
    assert tuple(row) == ("2012-02-01/2012-12-31", "aide en nature")
    assert f"Projet n° {pid} : données ouvertes" in journal
