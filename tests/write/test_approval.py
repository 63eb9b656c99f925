"""The semester's values through the one gate and the one rule book: a technician submits their
territory, the mission validates or sends back with a reason, locks; only an administrator reopens,
with a reason; values are written (form or import) only « en saisie ». Every refusal is French and
leaves the base byte-identical; every step is a dated row and a journal line."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from essdash.domain import models as m
from essdash.domain.errors import AccessError, ImportFileError, ValidationError
from essdash.domain.models_evaluation import SemesterApproval, SemesterApprovalStep
from essdash.write import imports, members
from essdash.write.actor import Actor
from essdash.write.approval import take_step
from essdash.write.measurements import save_measurements
from tests.fixtures.samples import csv_file, dump

LOCAL = Actor("Claire Martin", "mission ESS")
EMAILS = {"admin": "admin@mel.fr", "mission": "mission@mel.fr", "tech": "tech.roubaix@mel.fr"}
PERIOD = "2013-S1"


@pytest.fixture
def people(empty_engine, monkeypatch):
    """The empty base in shared mode, with an administrator, the mission and Roubaix's technician."""
    for role, key in (("administrateur", "admin"), ("mission", "mission"), ("technicien", "tech")):
        members.save_member(empty_engine, LOCAL, EMAILS[key], role, territory="roubaisien" if key == "tech" else None)
    monkeypatch.setenv("ESSDASH_MODE", "partage")
    return empty_engine, {key: Actor("?", "?", email) for key, email in EMAILS.items()}


def _refused(engine, error, call, match: str | None = None):
    before = dump(engine)
    with pytest.raises(error, match=match) as refused:
        call()
    assert dump(engine) == before
    return refused.value


def _state(engine, territory: str | None) -> str | None:
    with engine.connect() as conn:
        return conn.execute(
            select(SemesterApproval.state).where(
                SemesterApproval.period == PERIOD,
                SemesterApproval.territory_code.is_(None)
                if territory is None
                else SemesterApproval.territory_code == territory,
            )
        ).scalar()


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def _save(engine, actor, territory="roubaisien", value="50"):
    return save_measurements(
        engine, actor, "part_cdi", PERIOD, [{"code": territory, "value": value, "source": "Enquête"}]
    )


def test_the_whole_lifecycle_of_a_territory_s_semester(people):
    engine, who = people
    assert _save(engine, who["tech"]) == 1
    _refused(engine, AccessError, lambda: take_step(engine, who["tech"], PERIOD, "soumettre", ["lillois"]), "périmètre")
    _refused(engine, AccessError, lambda: take_step(engine, who["tech"], PERIOD, "soumettre", [None]), "métropole")
    _refused(
        engine, AccessError, lambda: take_step(engine, who["tech"], PERIOD, "valider", ["roubaisien"]), "ne permet pas"
    )
    assert take_step(engine, who["tech"], PERIOD, "soumettre", ["roubaisien"]) == 1
    assert _state(engine, "roubaisien") == "soumis"
    refusal = _refused(engine, ValidationError, lambda: _save(engine, who["tech"], value="60"))
    assert refusal.issues == [
        (
            "Territoire Roubaisien",
            "Semestre",
            "les valeurs de Territoire Roubaisien pour le 1er semestre 2013 sont « soumis » : la mission ESS doit "
            "d'abord les renvoyer en saisie, avec un motif.",
        )
    ]
    assert _save(engine, who["tech"]) == 0  # the same value again: nothing to change, nothing refused
    _refused(engine, ValidationError, lambda: take_step(engine, who["tech"], PERIOD, "soumettre", ["roubaisien"]))
    refusal = _refused(
        engine, ValidationError, lambda: take_step(engine, who["mission"], PERIOD, "renvoyer", ["roubaisien"], "  ")
    )
    assert ("Semestre", "Motif", "« Renvoyer en saisie » demande un motif : indiquez pourquoi.") in refusal.issues
    take_step(engine, who["mission"], PERIOD, "renvoyer", ["roubaisien"], "Source à préciser.")
    assert _state(engine, "roubaisien") == "saisie"
    assert _save(engine, who["tech"], value="55") == 1
    take_step(engine, who["tech"], PERIOD, "soumettre", ["roubaisien"])
    take_step(engine, who["mission"], PERIOD, "valider", ["roubaisien"])
    take_step(engine, who["mission"], PERIOD, "verrouiller", ["roubaisien"])
    assert _state(engine, "roubaisien") == "verrouille"
    refusal = _refused(engine, ValidationError, lambda: _save(engine, who["mission"], value="70"))
    assert "un administrateur doit d'abord rouvrir le semestre" in refusal.issues[0][2]
    _refused(
        engine,
        AccessError,
        lambda: take_step(engine, who["mission"], PERIOD, "rouvrir", ["roubaisien"], "Erreur."),
        "rouvrir un semestre verrouillé",
    )
    _refused(engine, ValidationError, lambda: take_step(engine, who["admin"], PERIOD, "rouvrir", ["roubaisien"]))
    take_step(engine, who["admin"], PERIOD, "rouvrir", ["roubaisien"], "Erreur de report signalée.")
    assert _save(engine, who["tech"], value="56") == 1
    with engine.connect() as conn:
        steps = conn.execute(
            select(SemesterApprovalStep.step, SemesterApprovalStep.from_state, SemesterApprovalStep.reason).order_by(
                SemesterApprovalStep.id
            )
        ).all()
        journal = conn.execute(select(m.JournalEntry.deed).where(m.JournalEntry.deed != "membres")).scalars().all()
    assert [s for s, _, _ in steps] == ["soumettre", "renvoyer", "soumettre", "valider", "verrouiller", "rouvrir"]
    assert steps[1] == ("renvoyer", "soumis", "Source à préciser.") and steps[-1][2] == "Erreur de report signalée."
    assert journal.count("reouverture") == 1 and journal.count("soumission") == 2 and journal.count("indicateur") == 3


def test_a_step_for_several_places_moves_all_or_none(people):
    engine, who = people
    take_step(engine, who["mission"], PERIOD, "soumettre", ["lillois"])
    refusal = _refused(
        engine,
        ValidationError,
        lambda: take_step(engine, who["mission"], PERIOD, "valider", ["lillois", "roubaisien"]),
    )
    assert refusal.issues == [
        (
            "Territoire Roubaisien",
            "État",
            "Territoire Roubaisien, 1er semestre 2013 : les valeurs sont « en saisie », « valider » ne vaut que pour "
            "des valeurs « soumis ».",
        )
    ]
    assert _state(engine, "lillois") == "soumis" and _count(engine, SemesterApprovalStep) == 1
    _refused(engine, ValidationError, lambda: take_step(engine, who["mission"], "2030-S1", "soumettre", ["lys"]))
    _refused(engine, ValidationError, lambda: take_step(engine, who["mission"], PERIOD, "publier", ["lys"]))
    _refused(engine, ValidationError, lambda: take_step(engine, who["mission"], PERIOD, "soumettre", ["atlantide"]))


def _values_file(*rows) -> bytes:
    return csv_file([("Code indicateur", "Semestre", "Territoire", "Commune", "Valeur", "Source"), *rows])


def test_an_import_into_a_closed_semester_is_refused_row_by_row(people):
    engine, who = people
    take_step(engine, who["mission"], PERIOD, "soumettre", ["roubaisien", None])
    data = _values_file(
        ("emplois_crees", PERIOD, "", "Roubaix", "12", "Relevé"),  # a commune follows its territory
        ("part_cdi", PERIOD, "", "", "50", "Relevé"),  # the metropolis's own value
        ("part_cdi", PERIOD, "lillois", "", "50", "Relevé"),  # still « en saisie »: fine
    )
    plan = imports.prepare(engine, data, "valeurs.csv", "measurements")
    errors = [str(issue) for issue in plan.errors]
    assert len(errors) == 2, errors
    assert "Ligne 2" in errors[0] and "les valeurs de Roubaix pour le 1er semestre 2013 sont « soumis »" in errors[0]
    assert "Ligne 3" in errors[1] and "les valeurs de toute la métropole" in errors[1]
    _refused(engine, ImportFileError, lambda: imports.apply(engine, plan, who["mission"]), "Import refusé")
    fine = imports.prepare(
        engine, _values_file(("part_cdi", PERIOD, "lillois", "", "50", "Relevé")), "v.csv", "measurements"
    )
    assert fine.ok
    assert imports.apply(engine, fine, who["mission"]).inserted == 1
