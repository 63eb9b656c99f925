"""The open-data columns of the imports (SIRET and RNA of a carrier; the convention facts of a funding,
under French headers or the SCDL's own names): read by the rule book, re-exported, imported back
unchanged; a wrong SIRET refuses the whole file."""

from datetime import date

import pytest
from sqlalchemy import select

from essdash.domain import models as m
from essdash.read import exports as io_export
from essdash.read.filters import Filters
from essdash.read.opendata import scdl
from essdash.write import imports as io_import
from essdash.write.actor import Actor
from tests.fixtures.samples import GOOD, csv_file, dump

ACTOR = Actor("Claire Martin", "chargée de mission")
CARRIERS = [
    ["Nom", "N° SIRET", "RNA"],
    ["Association Le Panier", "380 475 558 00058", "w590001234"],
]
FUNDINGS = [
    [
        "Projet",
        "Financeur",
        "idAttribuant",
        "Type de financement",
        "Montant (€)",
        "Année",
        "dateConvention",
        "Délibération",
        "nature",
        "conditionsVersement",
        "datesPeriodeVersement",
        "notificationUE",
        "pourcentageSubvention",
        "Appel à projets",
    ],
    [
        "Épicerie solidaire du Pile",
        "Lille Métropole",
        "23350001600040",
        "Subvention",
        "12 500,00 €",
        "2012",
        "05/03/2012",
        "2012-03-103",
        "numéraire",
        "échelonné",
        "du 01/04/2012 au 31/03/2013",
        "non",
        "100 %",
        "Fonds ESS 2012",
    ],
]


def _import(engine, kind, rows):
    plan = io_import.prepare(engine, csv_file(rows), "fichier.csv", kind)
    assert plan.ok, plan.report()
    io_import.apply(engine, plan, ACTOR)
    return plan


@pytest.fixture
def base(empty_engine):
    for kind in ("organisations", "projects"):
        _import(empty_engine, kind, GOOD[kind])
    return empty_engine


def test_the_open_data_columns_are_read_exported_and_imported_back_unchanged(base):
    _import(base, "organisations", CARRIERS)
    _import(base, "fundings", FUNDINGS)
    with base.connect() as conn:
        carrier = conn.execute(select(m.Organisation).where(m.Organisation.name == "Association Le Panier")).one()
        funding = conn.execute(select(m.Funding)).one()
        funder = conn.execute(select(m.Funder).where(m.Funder.name == "Lille Métropole")).one()
    assert (carrier.siret, carrier.rna, carrier.legal_form) == ("38047555800058", "W590001234", "association")
    assert funder.siret == "23350001600040"
    assert (funding.convention_date, funding.decision_reference, funding.nature) == (
        date(2012, 3, 5),
        "2012-03-103",
        "aide en numéraire",
    )
    assert (funding.payment_conditions, funding.payment_dates) == ("échelonné", "2012-04-01/2013-03-31")
    assert (funding.eu_notification, funding.beneficiary_share, funding.aid_scheme) == (False, 1.0, "Fonds ESS 2012")
    rows = scdl.subsidies(base, funder="Lille Métropole", year=2012).rows
    assert [(r["idBeneficiaire"], r["rnaBeneficiaire"], r["montant"], r["pourcentageSubvention"]) for r in rows] == [
        ("38047555800058", "W590001234", "12500.00", "1.00")
    ]
    for view, kind in (("organisations", "organisations"), ("fundings", "fundings")):
        exported = io_export.export(base, view, Filters(), "csv").data
        plan = io_import.prepare(base, exported, "export.csv", kind)
        assert plan.ok, plan.report()
        assert (plan.inserted, plan.updated) == (0, 0), (view, plan.report())


@pytest.mark.parametrize(
    "column, value, words",
    [(1, "380 475 558 00059", "clé de contrôle"), (2, "W59000123", "RNA")],
)
def test_a_wrong_identifier_refuses_the_file_and_writes_nothing(base, column, value, words):
    rows = [CARRIERS[0], list(CARRIERS[1])]
    rows[1][column] = value
    before = dump(base)
    plan = io_import.prepare(base, csv_file(rows), "fichier.csv", "organisations")
    assert not plan.ok and words in plan.report()
    assert dump(base) == before
