"""One rule book for every write: forms check text, coordinates and people as the import does, what a
form accepts exports and imports back unchanged, one current indicator value under concurrent saves,
and the import's refusals stay French."""

import multiprocessing
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from essdash.domain import models as m
from essdash.domain.errors import AccessError, ImportFileError, ValidationError
from essdash.read import exports, indicators
from essdash.read.filters import Filters
from essdash.store.db import make_engine
from essdash.store.reference import metropolis_box
from essdash.write import comments, committee, imports, projects
from essdash.write.actor import Actor
from essdash.write.imports import projects as import_projects
from essdash.write.measurements import save_measurements
from tests.fixtures.samples import GOOD, csv_file, dump, xlsx_file

ACTOR = Actor("Sophie Lefebvre", "groupe des techniciens")
PROJECT = {
    "title": "Garage solidaire",
    "commune_code": "59512",
    "intervention_mode": "convention_objectifs",
    "sector": "mobilite",
}


def _create(engine, actor=ACTOR, carrier_name="SCOP Roule", **overrides) -> int:
    return projects.create_project(
        engine,
        actor,
        {**PROJECT, **overrides},
        carrier_name=carrier_name,
        legal_form="scop",
        sheets=["III.4"],
        proposed_on=date(2013, 5, 2),
    )


def _refused(engine, call) -> list[tuple[str, str, str]]:
    before = dump(engine)
    with pytest.raises(ValidationError) as refused:
        call()
    assert dump(engine) == before
    return refused.value.issues


def test_every_write_needs_a_named_person_with_a_role(empty_engine):
    with pytest.raises(TypeError):
        Actor("Claire Martin")  # no default role: the most powerful one is never implied
    for actor, column in ((Actor("  ", "mission ESS"), "Saisi par"), (Actor("Claire", " "), "Rôle")):
        issues = _refused(empty_engine, lambda a=actor: _create(empty_engine, a))
        assert any(c == column and "signée" in text for _, c, text in issues), issues
    before = dump(empty_engine)
    with pytest.raises(AccessError, match="aucune personne"):
        _create(empty_engine, None)
    assert dump(empty_engine) == before
    assert Actor(" Claire  Martin ", "mission ESS").checked().label == "Claire Martin (mission ESS)"


@pytest.mark.parametrize(
    "overrides, column, message",
    [
        ({"title": "x" * 100_000}, "Titre", "texte trop long (100\u202f000 caractères, 200 au plus)."),
        ({"title": "Garage\x00solidaire"}, "Titre", "caractères de contrôle refusés."),
        ({"title": "Garage \u202esolidaire"}, "Titre", "sens d'écriture"),
        ({"title": '=HYPERLINK("http://x")'}, "Titre", "comme une formule de tableur"),
        ({"description": "<script>alert(1)</script>"}, "Description", "balises HTML"),
        ({"carrier_name": "SCOP\u202e Roule"}, "Porteur", "sens d'écriture"),
        ({"lat": 50.9, "lon": 3.0}, "Latitude", "hors de la métropole"),
        ({"lat": 3.06, "lon": 50.63}, "Longitude", "hors de la métropole"),
    ],
    ids=["long title", "NUL", "U+202E", "formula", "HTML", "carrier", "north of the box", "swapped"],
)
def test_forms_refuse_text_and_points_as_the_import_does(empty_engine, overrides, column, message):
    issues = _refused(empty_engine, lambda: _create(empty_engine, **overrides))
    assert any(c == column and message in text for _, c, text in issues), issues


def test_comments_reasons_and_meetings_follow_the_same_text_rules(empty_engine):
    pid = _create(empty_engine)
    issues = _refused(
        empty_engine, lambda: comments.add_comment(empty_engine, ACTOR, "projet", pid, "forum_acteurs", "ok\u202e")
    )
    assert issues[0][1] == "Texte" and "sens d'écriture" in issues[0][2]
    issues = _refused(
        empty_engine,
        lambda: committee.create_meeting(
            empty_engine, ACTOR, body="forum_acteurs", day=date(2013, 5, 2), title="<b>x</b>"
        ),
    )
    assert issues == [("Séance", "Intitulé", "les balises HTML sont refusées (texte brut seulement).")]
    issues = _refused(
        empty_engine,
        lambda: projects.advance_project(
            empty_engine,
            ACTOR,
            pid,
            {"status": "propose", "version": 1},
            "abandonne",
            day=date(2013, 6, 1),
            comment="\x07",
        ),
    )
    assert ("Projet", "Motif", "caractères de contrôle refusés.") in issues


def test_what_a_form_accepts_exports_and_imports_back_unchanged(empty_engine):
    """Text at the edges of the rules: a leading minus, an escaped formula sign, « < » that is no tag,
    quotes, semicolons, a multi-line description with a tab, the longest title; and a point at the
    box's corner."""
    box = metropolis_box()
    _create(
        empty_engine,
        title="-5 % d'émissions ; « garage » 1 < 2 > 0",
        description='Ligne 1 ; "citée"\n\tLigne 2 < 3 @ la fin\nLigne 3 = ok',
        carrier_name="'+ Mobilité & Cie",
        lat=round(box.north - 0.001, 5),
        lon=round(box.west + 0.001, 5),
        jobs_created=2,
        start_date="05/03/2013",
    )
    _create(empty_engine, title="T" * 200, description="x" * 5000, carrier_name="'@Roule 2")
    with empty_engine.connect() as conn:
        carriers = sorted(conn.execute(select(m.Organisation.name)).scalars())
    assert carriers == ["+ Mobilité & Cie", "@Roule 2"]  # the apostrophe only escaped the formula sign
    path = empty_engine
    before = dump(path, without=("importbatch", "journal", "metaentry"))
    for file_format in ("csv", "xlsx"):
        for kind in ("organisations", "projects"):
            exported = exports.export(empty_engine, kind, Filters(), file_format)
            plan = imports.prepare(empty_engine, exported.data, exported.file_name, kind)
            assert plan.ok and (plan.inserted, plan.updated, plan.unchanged) == (0, 0, plan.rows), plan.report()
            imports.apply(empty_engine, plan, ACTOR)
    assert dump(path, without=("importbatch", "journal", "metaentry")) == before


def test_the_import_checks_points_with_the_same_box(empty_engine):
    imports.apply(
        empty_engine, imports.prepare(empty_engine, csv_file(GOOD["organisations"]), "p.csv", "organisations"), ACTOR
    )
    head, row = GOOD["projects"][0], list(GOOD["projects"][1])
    lat = head.index("Latitude")
    row[lat : lat + 2] = ["50,9", "3"]
    plan = imports.prepare(empty_engine, csv_file([head, row]), "p.csv", "projects")
    assert [(i.column, i.message) for i in plan.errors] == [
        ("Latitude", "50,9 est hors de la métropole (50,45 à 50,84).")
    ]
    box = metropolis_box()
    assert (round(box.south, 2), round(box.north, 2)) == (50.45, 50.84)


def test_an_import_status_outside_the_lifecycle_is_warned_and_dated(empty_engine):
    for kind in ("organisations", "projects"):
        imports.apply(empty_engine, imports.prepare(empty_engine, csv_file(GOOD[kind]), "f.csv", kind), ACTOR)
    head, *rows = [list(r) for r in GOOD["projects"]]
    step = head.index("Étape")
    garage = next(r for r in rows if r[0] == "Garage solidaire")
    garage[step] = "Proposé"  # réalisé → proposé: not a step of the lifecycle
    plan = imports.prepare(empty_engine, csv_file([head, garage]), "retour.csv", "projects")
    assert plan.ok and plan.updated == 1
    assert [w.message for w in plan.warnings] == [
        "Étape mise à jour par l'import du fichier « retour.csv ». Passage de « Réalisé » à « Proposé » hors des "
        "étapes prévues par le suivi."
    ]
    imports.apply(empty_engine, plan, ACTOR)
    with empty_engine.connect() as conn:
        last = conn.execute(select(m.ProjectEvent).order_by(m.ProjectEvent.id.desc())).first()
    assert (last.from_status, last.to_status, last.date) == ("realise", "propose", date.today())
    assert last.comment == plan.warnings[0].message


def test_a_boolean_commune_cell_is_refused_in_french(empty_engine):
    rows = [GOOD["organisations"][0], ["Association Le Lien", "Association", True, ""]]
    plan = imports.prepare(empty_engine, xlsx_file(rows), "porteurs.xlsx", "organisations")
    assert [(i.row, i.column, i.message) for i in plan.errors] == [
        (2, "Commune", "« True » n'est pas un nom de commune.")
    ]


def test_a_database_refusal_is_explained_in_french(empty_engine, monkeypatch):
    plan = imports.prepare(empty_engine, csv_file(GOOD["organisations"]), "p.csv", "organisations")
    imports.apply(empty_engine, plan, ACTOR)
    plan = imports.prepare(empty_engine, csv_file(GOOD["projects"]), "p.csv", "projects")

    def refuse(self, conn, author, now):
        raise IntegrityError("INSERT …", {}, Exception("UNIQUE constraint failed"))

    monkeypatch.setattr(import_projects.Projects, "write", refuse)
    before = dump(empty_engine, without=())
    with pytest.raises(ImportFileError) as refused:
        imports.apply(empty_engine, plan, ACTOR)
    message = str(refused.value)
    assert message.startswith("Import annulé : la base a refusé une écriture qui contredirait ses règles")
    assert "Error" not in message and "(" + "IntegrityError" not in message
    assert dump(empty_engine, without=()) == before


# --- one current indicator value under concurrent saves --------------------------------------------

SAVES = 15


def _save_many(url: str, name: str, period: str, start, barrier) -> None:
    engine = make_engine(url)
    barrier.wait()
    for i in range(SAVES):
        row = {"code": "lillois", "value": str(start + i), "source": f"saisie de {name}"}
        save_measurements(engine, Actor(name, "groupe des techniciens"), "part_cdi", period, [row])
    engine.dispose()


def test_concurrent_saves_leave_one_current_value(empty_engine):
    period = indicators.reference_periods(empty_engine)[0]
    url = str(empty_engine.url)
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(3)
    workers = [
        context.Process(target=_save_many, args=(url, name, period, start, barrier))
        for name, start in (("Claire", 10), ("Karim", 40), ("Sophie", 70))
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [w.exitcode for w in workers] == [0, 0, 0]
    with empty_engine.connect() as conn:
        current = conn.execute(
            select(m.Measurement.value).where(
                m.Measurement.indicator_code == "part_cdi",
                m.Measurement.period == period,
                m.Measurement.territory_code == "lillois",
                m.Measurement.superseded_at.is_(None),
            )
        ).all()
        total = conn.execute(select(func.count()).select_from(m.Measurement)).scalar_one()
    assert len(current) == 1
    assert total == 3 * SAVES  # every save changed the value (each person types other numbers): none lost
