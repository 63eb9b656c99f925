"""The import of projects applies the forms' rules row by row and does exactly what its preview says.

On a copy of the demo base, on both stores: a second import of the same amounts never adds money,
whatever default funder it names (an amount of « Non précisé » given a funder is a modified line);
the preview's counts are the result's and those counted by SQL afterwards; a technician's row may not
change a project that has a commune outside their territory, nor take a committee step, and the
preview names those rows by line; a refused file leaves the base as it was."""

from __future__ import annotations

import csv
import io

import pytest

from essdash.domain.errors import ImportFileError
from essdash.read import exports as io_export
from essdash.read.filters import Filters
from essdash.store.db import make_engine
from essdash.write import imports as io_import
from essdash.write import members
from essdash.write.actor import Actor
from essdash.write.imports.rows import ImportOptions
from tests.fixtures.samples import csv_file, dump
from tests.fixtures.stores import connect

MISSION = Actor("Claire Martin", "mission ESS")
TECH_EMAIL = "tech.territoire@mel.fr"
ESSAIS = "Recyclerie d'essai n° "


@pytest.fixture
def engine(demo_copy):
    """A private copy of the demo base."""
    engine = make_engine(demo_copy)
    yield engine
    engine.dispose()


def _sql(engine, query: str, *params) -> list[tuple]:
    with connect(engine) as conn:
        return [tuple(r) for r in conn.execute(query, params)]


def _money(engine) -> tuple[int, float]:
    """The base's funding lines and their euros, counted by SQL."""
    count, total = _sql(engine, "SELECT COUNT(*), SUM(amount) FROM funding")[0]
    return count, float(total)


def _technician(engine, territory: str) -> Actor:
    """A technician member answering for ``territory``."""
    members.save_member(engine, MISSION, TECH_EMAIL, "technicien", territory=territory)
    return Actor("?", "?", TECH_EMAIL)


def _preview(engine, data: bytes, actor: Actor, options: ImportOptions | None = None):
    """The preview as the Données page shows it to ``actor``: bound to what the gate lets them write."""
    return io_import.prepare(
        engine, data, "projets.csv", "projects", io_import.limited(engine, actor, options or ImportOptions())[1]
    )


def _counts(done) -> tuple:
    """What a preview or a result says: projects created, updated, unchanged; funding lines created, changed."""
    return done.inserted, done.updated, done.unchanged, done.fundings, done.funding_updates


def _exported_row(engine, project_id: int, drop: str | None = None, **changes) -> bytes:
    """The export of the projects, cut to the header and the project's row (without the column
    ``drop``), some cells changed (``changes`` by header, spaces as underscores)."""
    text = io_export.export(engine, "projects", Filters(), "csv").data.decode("cp1252")
    header, *rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    row = dict(zip(header, next(r for r in rows if r[0] == str(project_id))))
    row.update({name.replace("_", " "): value for name, value in changes.items()})
    kept = [h for h in header if h != drop]
    return csv_file([kept, [row[h] for h in kept]])


# --- money is never counted twice --------------------------------------------------------------

SUBSIDIES = [["Titre", "Porteur", "Forme juridique", "Commune", "Subvention MEL", "Début"]] + [
    [f"{ESSAIS}{i}", "Association Les Essais", "Association", "Roubaix", f"{10_000 * i},50", "01/03/2013"]
    for i in range(1, 11)
]
SUBSIDIES_TOTAL = 550_005.0  # 10 000 × (1 + 2 + … + 10) + 10 × 0,50


def _essais_funders(engine) -> list[tuple]:
    """The funder and euros of each funding line of the test's projects, by SQL."""
    return _sql(
        engine,
        "SELECT funder.name, COUNT(*), SUM(funding.amount) FROM funding "
        "JOIN funder ON funder.id = funding.funder_id JOIN project ON project.id = funding.project_id "
        "WHERE project.title LIKE ? GROUP BY funder.name ORDER BY funder.name",
        f"{ESSAIS}%",
    )


def test_a_second_import_naming_a_default_funder_never_counts_money_twice(engine):
    data = csv_file(SUBSIDIES)
    lines, euros = _money(engine)
    first = io_import.prepare(engine, data, "subventions.csv", "projects")
    assert _counts(first) == (10, 0, 0, 10, 0)
    assert _counts(io_import.apply(engine, first, MISSION)) == (10, 0, 0, 10, 0)
    assert _money(engine) == (lines + 10, pytest.approx(euros + SUBSIDIES_TOTAL))
    assert _essais_funders(engine) == [("Non précisé", 10, pytest.approx(SUBSIDIES_TOTAL))]

    # the same rows, the amounts now said to come from Lille Métropole: the same lines, given their funder
    named = io_import.prepare(engine, data, "subventions.csv", "projects", ImportOptions(funder="Lille Métropole"))
    assert _counts(named) == (0, 0, 10, 0, 10) and named.funding_change == 0
    assert "10 financements modifiés, montant total inchangé" in named.summary()
    assert "financements créés" not in named.summary()
    result = io_import.apply(engine, named, MISSION)
    assert _counts(result) == (0, 0, 10, 0, 10)
    assert "10 financements modifiés, montant total inchangé" in result.summary()
    assert _money(engine) == (lines + 10, pytest.approx(euros + SUBSIDIES_TOTAL))
    assert _essais_funders(engine) == [("Lille Métropole", 10, pytest.approx(SUBSIDIES_TOTAL))]

    # once more with yet another default funder: nothing to do, nothing done
    again = io_import.prepare(engine, data, "subventions.csv", "projects", ImportOptions(funder="Fondation de France"))
    assert _counts(again) == (0, 0, 10, 0, 0) and "financement" not in again.summary()
    assert _counts(io_import.apply(engine, again, MISSION)) == (0, 0, 10, 0, 0)
    assert _money(engine) == (lines + 10, pytest.approx(euros + SUBSIDIES_TOTAL))
    assert _essais_funders(engine) == [("Lille Métropole", 10, pytest.approx(SUBSIDIES_TOTAL))]


def test_a_funder_the_file_names_is_another_funding(engine):
    """Only the file itself tells a funding apart from one the base has: its own funder column."""
    io_import.apply(engine, io_import.prepare(engine, csv_file(SUBSIDIES[:2]), "a.csv", "projects"), MISSION)
    rows = [SUBSIDIES[0] + ["Financeur"], SUBSIDIES[1] + ["Lille Métropole"]]
    named = io_import.prepare(engine, csv_file(rows), "b.csv", "projects")
    assert _counts(named) == (0, 0, 1, 0, 1)  # « Non précisé » given its funder
    io_import.apply(engine, named, MISSION)
    rows[1][-1] = "Région Nord-Pas de Calais"
    other = io_import.prepare(engine, csv_file(rows), "c.csv", "projects")
    assert _counts(other) == (0, 0, 1, 1, 0) and other.funding_total == 10_000.5
    io_import.apply(engine, other, MISSION)
    assert _essais_funders(engine) == [
        ("Lille Métropole", 1, pytest.approx(10_000.5)),
        ("Région Nord-Pas de Calais", 1, pytest.approx(10_000.5)),
    ]


def test_a_fundings_file_naming_the_funder_of_an_unstated_amount_updates_it(engine):
    io_import.apply(engine, io_import.prepare(engine, csv_file(SUBSIDIES[:3]), "a.csv", "projects"), MISSION)
    lines, euros = _money(engine)
    ids = dict(_sql(engine, "SELECT title, id FROM project WHERE title LIKE ?", f"{ESSAIS}%"))
    rows = [["N° projet", "Financeur", "Type de financement", "Montant (€)", "Année"]]
    rows += [[ids[f"{ESSAIS}1"], "Lille Métropole", "Subvention", "10 000,50", "2013"]]  # the same amount
    rows += [[ids[f"{ESSAIS}2"], "Lille Métropole", "Subvention", "25 000", "2013"]]  # 20 000,50 before
    plan = io_import.prepare(engine, csv_file(rows), "mel.csv", "fundings")
    assert (plan.inserted, plan.updated, plan.unchanged) == (0, 2, 0)
    result = io_import.apply(engine, plan, MISSION)
    assert (result.inserted, result.updated, result.unchanged) == (0, 2, 0)
    assert _money(engine) == (lines, pytest.approx(euros + 25_000 - 20_000.5))
    assert _essais_funders(engine) == [("Lille Métropole", 2, pytest.approx(35_000.5))]


def test_an_amount_that_cannot_say_which_funding_it_changes_is_refused(engine):
    """A project with two lines of a year and type, and a row with another amount and no funder:
    which line it changes cannot be told, so the file is refused, naming the row."""
    pid, title, carrier, commune, year, kind = _sql(
        engine,
        "SELECT p.id, p.title, o.name, p.commune_code, f.year, f.type FROM funding f "
        "JOIN project p ON p.id = f.project_id JOIN organisation o ON o.id = p.carrier_id "
        "GROUP BY p.id, p.title, o.name, p.commune_code, f.year, f.type HAVING COUNT(*) = 2 ORDER BY p.id",
    )[0]
    (largest,) = _sql(engine, "SELECT MAX(amount) FROM funding WHERE project_id = ?", pid)[0]
    rows = [["N°", "Titre", "Porteur", "Code INSEE", "Montant", "Année du financement", "Type de financement"]]
    rows += [[pid, title, carrier, commune, f"{largest + 1234:.2f}".replace(".", ","), year, kind]]
    before = dump(engine)
    plan = io_import.prepare(engine, csv_file(rows), "montants.csv", "projects")
    assert [(i.row, i.column) for i in plan.errors] == [(2, "Montant")]
    assert "ajoutez la colonne « Financeur »" in plan.errors[0].message
    with pytest.raises(ImportFileError):
        io_import.apply(engine, plan, MISSION)
    assert dump(engine) == before


# --- the preview is what the import does --------------------------------------------------------


def _versions(engine) -> dict[int, int]:
    return dict(_sql(engine, "SELECT id, version FROM project"))


def _lines(engine) -> dict[int, tuple]:
    return {i: (f, a) for i, f, a in _sql(engine, "SELECT id, funder_id, amount FROM funding")}


def test_the_preview_counts_are_the_results_and_the_bases(engine):
    unfunded = [
        r
        for r in _sql(
            engine,
            "SELECT p.id, p.title, o.name, p.commune_code FROM project p JOIN organisation o ON o.id = p.carrier_id "
            "WHERE p.id NOT IN (SELECT project_id FROM funding) ORDER BY p.id",
        )
    ]
    single = _sql(
        engine,
        "SELECT p.id, p.title, o.name, p.commune_code, f.year, f.type, f.amount FROM project p "
        "JOIN organisation o ON o.id = p.carrier_id JOIN funding f ON f.project_id = p.id "
        "WHERE p.id IN (SELECT project_id FROM funding GROUP BY project_id HAVING COUNT(*) = 1) ORDER BY p.id",
    )[:2]
    head = ["N°", "Titre", "Porteur", "Forme juridique du porteur", "Code INSEE", "Emplois créés", "Montant"]
    head += ["Année du financement", "Type de financement"]
    rows = [head]
    rows += [[i, t, c, "", code, "", f"{1000 * (n + 1)}", "2013", ""] for n, (i, t, c, code) in enumerate(unfunded[:3])]
    rows += [
        [i, t, c, "", code, "", f"{a + 1000:.2f}".replace(".", ","), str(y), kind]
        for i, t, c, code, y, kind, a in single
    ]
    jobs = dict(_sql(engine, "SELECT id, jobs_created FROM project"))
    rows += [[i, t, c, "", code, str(jobs[i] + 1), "", "", ""] for i, t, c, code in unfunded[3:5]]
    rows += [[i, t, c, "", code, "", "", "", ""] for i, t, c, code in unfunded[5:8]]
    rows += [["", "Ressourcerie d'essai", "Association Les Essais", "Association", "59512", "", "4000", "", ""]]
    rows += [["", "Atelier d'essai", "Association Les Essais", "Association", "59512", "", "", "", ""]]
    data = csv_file(rows)
    # worked out from the rows: 2 new projects; 2 whose jobs change; 3 + 2 + 3 known ones unchanged as
    # records; funding lines created: 3 on known projects + 1 on a new one (1 000 + 2 000 + 3 000 + 4 000
    # euros); changed: the 2 single lines, 1 000 euros more each
    expected = (2, 2, 8, 4, 2)
    projects, versions, lines = len(_versions(engine)), _versions(engine), _lines(engine)
    count, euros = _money(engine)

    plan = io_import.prepare(engine, data, "melange.csv", "projects")
    assert plan.ok, plan.report()
    assert _counts(plan) == expected and (plan.funding_total, plan.funding_change) == (10_000, 2_000)
    result = io_import.apply(engine, plan, MISSION)
    assert _counts(result) == expected and (result.funding_total, result.funding_change) == (10_000, 2_000)

    after = _versions(engine)
    assert len(after) - projects == 2
    assert sum(after[i] != v for i, v in versions.items()) == 2
    now = _lines(engine)
    assert len(now) - len(lines) == 4
    assert sum(now[i] != held for i, held in lines.items()) == 2
    assert _money(engine) == (count + 4, pytest.approx(euros + 10_000 + 2_000))

    again = io_import.prepare(engine, data, "melange.csv", "projects")
    assert _counts(again) == (0, 0, 12, 0, 0)
    io_import.apply(engine, again, MISSION)
    assert _money(engine) == (count + 4, pytest.approx(euros + 12_000))
    assert _lines(engine) == now and len(_versions(engine)) == len(after)


# --- a technician's rows follow the forms' rules -------------------------------------------------


def _project_within_its_territory(engine, status: str = "", *, further: bool | None = None) -> tuple[int, str]:
    """A project (of that status if given; with further communes or without, if said), every commune
    of it in its main commune's territory, and that territory; found by SQL."""
    found = _sql(
        engine,
        "SELECT p.id, c.territory_code FROM project p JOIN commune c ON c.insee_code = p.commune_code "
        "WHERE (p.status = ? OR ? = '') AND NOT EXISTS (SELECT 1 FROM projectcommune pc "
        "JOIN commune o ON o.insee_code = pc.commune_code "
        "WHERE pc.project_id = p.id AND o.territory_code <> c.territory_code) ORDER BY p.id",
        status,
        status,
    )
    extended = {pid for (pid,) in _sql(engine, "SELECT DISTINCT project_id FROM projectcommune")}
    return next((pid, t) for pid, t in found if further is None or (pid in extended) == further)


def test_a_technician_may_not_change_a_project_with_a_commune_outside_their_territory(engine):
    pid, territory = _project_within_its_territory(engine, further=True)
    tech = _technician(engine, territory)
    jobs = _sql(engine, "SELECT jobs_created FROM project WHERE id = ?", pid)[0][0]
    without_further = _exported_row(engine, pid, drop="Communes supplémentaires", Emplois_prévus=str(jobs + 1))
    allowed = _preview(engine, without_further, tech)
    assert allowed.ok and _counts(allowed) == (0, 1, 0, 0, 0)  # all its communes are the technician's

    # the project gains a commune of another territory (as project 5 of the demo gained Lille)
    code, name = _sql(
        engine,
        "SELECT insee_code, name FROM commune WHERE territory_code <> ? ORDER BY population DESC",
        territory,
    )[0]
    with connect(engine) as conn:
        conn.execute("INSERT INTO projectcommune (project_id, commune_code) VALUES (?, ?)", (pid, code))
    (other,) = _sql(
        engine,
        "SELECT name FROM commune WHERE territory_code = ? AND insee_code NOT IN "
        "(SELECT commune_code FROM projectcommune WHERE project_id = ?) "
        "AND insee_code <> (SELECT commune_code FROM project WHERE id = ?) ORDER BY name",
        territory,
        pid,
        pid,
    )[0]
    another_further = _exported_row(engine, pid, Emplois_prévus=str(jobs + 1), Communes_supplémentaires=other)
    before = dump(engine)
    for data in (without_further, another_further):
        plan = _preview(engine, data, tech)
        assert not plan.ok and len(plan.errors) == 1
        refusal = str(plan.errors[0])
        assert refusal.startswith("Ligne 2") and f"{name} ({code})" in refusal and "hors de votre périmètre" in refusal
        with pytest.raises(ImportFileError, match="erreur"):
            io_import.apply(engine, plan, tech)
        unbound = io_import.prepare(engine, data, "projets.csv", "projects")  # as the command line reads it
        assert unbound.ok
        with pytest.raises(ImportFileError, match="hors de votre périmètre"):
            io_import.apply(engine, unbound, tech)
        assert dump(engine) == before
    funding = [["N° projet", "Financeur", "Type de financement", "Montant (€)", "Année"]]
    funding += [[pid, "Lille Métropole", "Subvention", "1 000", "2013"]]
    plan = io_import.prepare(
        engine, csv_file(funding), "mel.csv", "fundings", io_import.limited(engine, tech, ImportOptions())[1]
    )
    assert [(i.row, f"{name} ({code})" in i.message) for i in plan.errors] == [(2, True)]


@pytest.mark.parametrize(
    "status, step",
    [("valide", "Avis favorable du comité"), ("valide", "Avis défavorable du comité"), ("propose", "ajourné")],
)
def test_a_technician_may_not_take_a_committee_step(engine, status, step):
    pid, territory = _project_within_its_territory(engine, status)
    tech = _technician(engine, territory)
    data = _exported_row(engine, pid, Étape=step)
    opinions = _sql(engine, "SELECT COUNT(*) FROM opinion")
    before = dump(engine)
    plan = _preview(engine, data, tech)
    assert [(i.row, i.column) for i in plan.errors] == [(2, "Étape")]
    assert "avis du comité" in plan.errors[0].message
    with pytest.raises(ImportFileError):
        io_import.apply(engine, plan, tech)
    unbound = io_import.prepare(engine, data, "projets.csv", "projects")
    with pytest.raises(ImportFileError, match="avis du comité"):
        io_import.apply(engine, unbound, tech)
    assert dump(engine) == before and _sql(engine, "SELECT COUNT(*) FROM opinion") == opinions
    assert _preview(engine, data, MISSION).ok  # the chargé de mission records what the committee decided


def test_a_technician_may_not_propose_a_project_past_the_committee(engine):
    _, territory = _project_within_its_territory(engine)
    tech = _technician(engine, territory)
    (commune,) = _sql(engine, "SELECT name FROM commune WHERE territory_code = ? ORDER BY name", territory)[0]
    rows = [["Titre", "Porteur", "Forme juridique", "Commune", "Étape"]]
    rows += [["Garage d'essai", "Association Les Essais", "Association", commune, "favorable"]]
    rows += [["Jardin d'essai", "Association Les Essais", "Association", commune, "Validé techniquement"]]
    plan = _preview(engine, csv_file(rows), tech)
    assert [(i.row, i.column) for i in plan.errors] == [(2, "Étape")]


def test_the_preview_refuses_rows_outside_the_scope_by_line(engine):
    tech = _technician(engine, "roubaisien")
    rows = [["Titre", "Porteur", "Forme juridique", "Commune"]]
    rows += [["Garage d'essai", "Association Les Essais", "Association", "Roubaix"]]
    rows += [["Jardin d'essai", "Association Les Essais", "Association", "Lille"]]
    plan = _preview(engine, csv_file(rows), tech)
    assert not plan.ok and plan.inserted == 1
    assert [str(i) for i in plan.errors] == [
        "Ligne 3, colonne « Commune » : Lille (59350) est hors de votre périmètre."
    ]
