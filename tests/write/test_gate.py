"""The one gate, as a table: role × kind of write × place, allowed or refused, through the real write
functions. The expected answers are written out below from the issue's list of roles, not read from
the code's permission table. Every refusal leaves the database byte-identical (``iterdump``)."""

from __future__ import annotations

from datetime import date

import pytest

from essdash.domain.errors import AccessError, BackupError, ImportFileError
from essdash.domain.vocabulary import Deed, MeetingBody, ProjectStatus
from essdash.read.convocation import Letter
from essdash.store import backup
from essdash.write import admin, approval, comments, committee, imports, incidents, mail, members, projects, voices
from essdash.write.actor import Actor
from essdash.write.gate import scope_of
from essdash.write.imports.rows import ImportOptions
from essdash.write.measurements import save_measurements
from essdash.write.plans import sheets as plan_sheets
from tests.fixtures.mail import smtp  # noqa: F401  (a fixture, for the sends)
from tests.fixtures.samples import dump

LOCAL = Actor("Claire Martin", "mission ESS")
ROUBAIX, LILLE = "59512", "59350"
EMAILS = {
    "administrateur": "admin@mel.fr",
    "mission": "mission@mel.fr",
    "presidence": "presidente@mel.fr",
    "technicien": "tech.roubaix@mel.fr",
    "membre": "membre@mel.fr",
}
# role → what it may do; « R » marks a write allowed only at the Roubaisien technician's places.
ALLOWED = {
    "administrateur": {
        "project",
        "step",
        "sheet",
        "meeting",
        "opinion",
        "comment",
        "comment-sheet",
        "measurement",
        "import",
        "backup",
        "restore",
        "members",
        "login",
        "submit",
        "validate",
        "lock",
        "reopen",
        "incident",
        "mail",
        "questionnaire",
    },
    "mission": {
        "project",
        "step",
        "sheet",
        "meeting",
        "opinion",
        "comment",
        "comment-sheet",
        "measurement",
        "import",
        "backup",
        "login",
        "submit",
        "validate",
        "lock",
        "incident",
        "mail",
        "questionnaire",
    },
    "presidence": {"meeting", "opinion", "comment", "comment-sheet", "login", "incident"},
    "technicien": {
        "project R",
        "step R",
        "comment R",
        "comment-sheet",
        "measurement R",
        "import R",
        "login",
        "submit R",
    },
    "membre": {"comment", "comment-sheet", "login"},
}
DEEDS = (
    "project",
    "step",
    "sheet",
    "meeting",
    "opinion",
    "comment",
    "comment-sheet",
    "measurement",
    "import",
    "backup",
    "restore",
    "members",
    "login",
    "submit",
    "validate",
    "lock",
    "reopen",
    "incident",
    "mail",
    "questionnaire",
)
# The semesters each step of the values' lifecycle is tried on, put in the state that step leaves.
STEP_PERIODS = {"submit": "2012-S1", "validate": "2012-S2", "lock": "2013-S2", "reopen": "2014-S1"}


def _project(engine, commune: str) -> int:
    return projects.create_project(
        engine,
        LOCAL,
        {
            "title": f"Projet {commune}",
            "commune_code": commune,
            "intervention_mode": "a_qualifier",
            "sector": "a_qualifier",
        },
        carrier_name=f"Porteur {commune}",
        legal_form="association",
        sheets=["III.4"],
        proposed_on=date(2013, 5, 2),
    )


@pytest.fixture
def base(empty_engine):
    """Two projects (Roubaix, Lille), a committee meeting, one member per role."""
    engine = empty_engine
    ids = {ROUBAIX: _project(engine, ROUBAIX), LILLE: _project(engine, LILLE)}
    meeting = committee.create_meeting(
        engine, LOCAL, body=MeetingBody.COMMITTEE.value, day=date(2013, 6, 1), title="Comité de juin"
    )
    for role, email in EMAILS.items():
        territory = "roubaisien" if role == "technicien" else None
        members.save_member(engine, LOCAL, email, role, territory=territory)
    both = ["roubaisien", "lillois"]
    for period, steps in (("2012-S2", 1), ("2013-S2", 2), ("2014-S1", 3)):
        for step in ("soumettre", "valider", "verrouiller")[:steps]:
            approval.take_step(engine, LOCAL, period, step, both)
    return engine, ids, meeting


def _csv(commune_name: str) -> bytes:
    return (
        "Intitulé du projet;Porteur;Forme juridique;Commune;Statut\n"
        f"Recyclerie {commune_name};Association {commune_name};association;{commune_name};proposé\n"
    ).encode()


def _write(engine, actor, deed: str, where: str, ids: dict, meeting: int) -> None:
    """One write of that kind at that place (Roubaix or Lille), through the real write function."""
    commune = ROUBAIX if where == "roubaix" else LILLE
    territory = "roubaisien" if where == "roubaix" else "lillois"
    pid = ids[commune]
    if deed == "project":
        projects.create_project(
            engine,
            actor,
            {"title": "Nouveau", "commune_code": commune, "intervention_mode": "a_qualifier", "sector": "a_qualifier"},
            carrier_name="Porteur neuf",
            legal_form="association",
            sheets=["III.4"],
            proposed_on=date(2013, 7, 1),
        )
    elif deed == "step":
        loaded = {"id": pid, "version": 1, "status": ProjectStatus.PROPOSED.value}
        projects.advance_project(
            engine, actor, pid, loaded, ProjectStatus.ABANDONED.value, day=date(2013, 7, 1), comment="Porteur dissous."
        )
    elif deed == "sheet":
        plan_sheets.update_sheet(
            engine,
            actor,
            1,
            {"id": 1, "version": 1, "status": "a_venir", "progress": 0},
            status="en_cours",
            progress=10,
            comment="Démarrage.",
        )
    elif deed == "meeting":
        committee.create_meeting(engine, actor, body=MeetingBody.FORUM.value, day=date(2013, 7, 1), title="Forum")
    elif deed == "opinion":
        committee.record_opinions(engine, actor, meeting, [])
    elif deed == "comment":
        comments.add_comment(engine, actor, "projet", pid, "groupe_techniciens", "Bon ancrage.")
    elif deed == "comment-sheet":
        comments.add_comment(engine, actor, "fiche", 1, "groupe_techniciens", "À suivre.")
    elif deed == "measurement":
        save_measurements(
            engine, actor, "part_cdi", "2013-S1", [{"code": territory, "value": "50", "source": "Enquête"}]
        )
    elif deed == "import":
        plan = imports.prepare(engine, _csv("Roubaix" if where == "roubaix" else "Lille"), "porteurs.csv", "projects")
        assert plan.ok, plan.report()
        imports.apply(engine, plan, actor)
    elif deed == "backup":
        admin.copy(engine, actor)
    elif deed == "restore":
        admin.restore(engine, actor, backup.snapshot_of(engine), "copie.db")
    elif deed == "members":
        members.save_member(engine, actor, "nouveau@mel.fr", "membre")
    elif deed in STEP_PERIODS:
        step = {"submit": "soumettre", "validate": "valider", "lock": "verrouiller", "reopen": "rouvrir"}[deed]
        approval.take_step(engine, actor, STEP_PERIODS[deed], step, [territory], "Motif.")
    elif deed == "incident":
        incidents.add_incident(
            engine, actor, day=date(2013, 7, 1), kind="dysfonctionnement", what="Retard.", sheet_id=1
        )
    elif deed == "login":
        members.bind_login(engine, actor, "https://idp.mel.fr", f"compte-{actor.account}")
    elif deed == "mail":
        letter = Letter(
            "Convocation", "Ordre du jour.", "pack.pdf", b"%PDF-1.4 dossier", "https://ess.mel.fr/presentation"
        )
        mail.send_convocation(engine, actor, meeting, lambda *_: letter, place="Lille")
    elif deed == "questionnaire":
        voices.open_questionnaire(engine, actor, project_id=pid, title="Avis", questions=["recommandation"], links=2)


CASES = [(role, deed, where) for role in ALLOWED for deed in DEEDS for where in ("roubaix", "lille")]


@pytest.mark.parametrize("role, deed, where", CASES, ids=[f"{r}-{d}-{w}" for r, d, w in CASES])
def test_role_deed_and_place_through_the_gate(base, monkeypatch, request, role, deed, where):
    engine, ids, meeting = base
    received = request.getfixturevalue("smtp") if deed == "mail" else None
    monkeypatch.setenv("ESSDASH_MODE", "partage")
    allowed = deed in ALLOWED[role] or (f"{deed} R" in ALLOWED[role] and where == "roubaix")
    actor = Actor("quelqu'un", "membre", EMAILS[role])  # the gate takes the role from the database
    path = engine
    before = dump(path)
    if allowed:
        _write(engine, actor, deed, where, ids, meeting)
        assert deed == "opinion" or dump(path) != before  # (no opinion given: nothing to record)
        assert received is None or len(received.messages) == 3  # présidence, membre, mission ESS
        return
    refusal = ImportFileError if deed == "import" and f"{deed} R" in ALLOWED[role] else AccessError
    with pytest.raises(refusal) as refused:
        _write(engine, actor, deed, where, ids, meeting)
    assert dump(path) == before
    assert received is None or not received.rcpt
    if refusal is ImportFileError:
        assert "Ligne 2" in str(refused.value) and "Lille (59350) est hors de votre périmètre" in str(refused.value)


def test_a_write_with_no_person_or_an_unknown_account_is_refused(base, monkeypatch):
    engine, ids, _ = base
    path = engine
    before = dump(path)
    for actor in (None, Actor("Inconnu", "membre", "inconnu@ailleurs.fr")):
        with pytest.raises(AccessError):
            comments.add_comment(engine, actor, "projet", ids[ROUBAIX], "forum_acteurs", "Bonjour.")
    monkeypatch.setenv("ESSDASH_MODE", "partage")
    with pytest.raises(AccessError, match="seul un membre connecté"):
        comments.add_comment(engine, LOCAL, "projet", ids[ROUBAIX], "forum_acteurs", "Bonjour.")
    assert dump(path) == before


def test_the_role_and_scope_come_from_the_database_not_the_caller(base, monkeypatch):
    engine, ids, _ = base
    monkeypatch.setenv("ESSDASH_MODE", "partage")
    forged = Actor("Tech", "administrateur", EMAILS["technicien"])  # claims to be an administrateur
    with pytest.raises(AccessError, match="technicien"):
        members.save_member(engine, forged, "complice@mel.fr", "administrateur")
    members.remove_member(engine, Actor("x", "x", EMAILS["administrateur"]), EMAILS["technicien"])
    with pytest.raises(AccessError, match="n'est pas \\(ou plus\\) membre"):
        comments.add_comment(engine, forged, "projet", ids[ROUBAIX], "forum_acteurs", "Encore là ?")


def test_writes_are_signed_with_the_account_and_journalled(base, monkeypatch):
    engine, ids, _ = base
    monkeypatch.setenv("ESSDASH_MODE", "partage")
    tech = Actor("?", "?", EMAILS["technicien"])
    comments.add_comment(engine, tech, "projet", ids[ROUBAIX], "groupe_techniciens", "Visite faite.")
    with engine.connect() as conn:
        author, account = conn.exec_driver_sql("SELECT author, account FROM comment").one()
        journal = conn.exec_driver_sql("SELECT account, role, deed, place FROM journal ORDER BY id DESC").first()
    assert (author, account) == ("Tech Roubaix (technicien)", EMAILS["technicien"])
    assert tuple(journal) == (EMAILS["technicien"], "technicien", "commentaire", "Roubaix")


def test_a_login_binds_its_own_member_once_and_another_identity_is_only_journaled(base, monkeypatch):
    engine, _, _ = base
    monkeypatch.setenv("ESSDASH_MODE", "partage")
    tech = Actor("?", "?", EMAILS["technicien"])
    before = dump(engine)
    for nobody in (None, LOCAL):  # a login binds a member's own account, never the local person's
        with pytest.raises(AccessError):
            members.bind_login(engine, nobody, "https://idp.mel.fr", "compte-1")
    assert dump(engine) == before
    assert members.bind_login(engine, tech, "https://idp.mel.fr", "compte-1") == members.BOUND
    assert members.bind_login(engine, tech, "https://idp.mel.fr", "compte-1") == members.KNOWN
    bound = dump(engine, without=("metaentry",))  # (the data version moves at every commit)
    with pytest.raises(AccessError, match="liée à un autre compte"):
        members.bind_login(engine, tech, "https://idp.mel.fr", "compte-2")
    added = [line for line in dump(engine, without=("metaentry",)) if line not in bound]
    assert len(added) == 1 and "journal" in added[0] and "compte-2" in added[0]
    with engine.connect() as conn:
        binding = conn.exec_driver_sql("SELECT issuer, subject FROM member WHERE email = 'tech.roubaix@mel.fr'").one()
    assert tuple(binding) == ("https://idp.mel.fr", "compte-1")


def test_the_last_administrateur_stays(base):
    engine, _, _ = base
    with pytest.raises(Exception, match="dernier administrateur"):
        members.remove_member(engine, LOCAL, EMAILS["administrateur"])


def test_a_restore_that_would_lock_the_administrateur_out_is_refused(base, monkeypatch):
    engine, _, _ = base
    path = engine
    without_admin = backup.snapshot_of(engine)
    members.save_member(engine, LOCAL, "second.admin@mel.fr", "administrateur")
    monkeypatch.setenv("ESSDASH_MODE", "partage")
    before = dump(path)
    with pytest.raises(BackupError, match=r"ne compte pas « second\.admin@mel\.fr » parmi ses administrateurs"):
        admin.restore(engine, Actor("?", "?", "second.admin@mel.fr"), without_admin, "ancienne.db")
    assert dump(path) == before
    admin.restore(engine, Actor("?", "?", EMAILS["administrateur"]), without_admin, "ancienne.db")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM member WHERE email = 'second.admin@mel.fr'").scalar() == 0


def test_a_technicians_preview_names_every_row_outside_their_territory(base, monkeypatch):
    engine, _, _ = base
    monkeypatch.setenv("ESSDASH_MODE", "partage")
    scope = scope_of(engine, Actor("?", "?", EMAILS["technicien"]), Deed.IMPORT).scope
    rows = "".join(
        f"Projet {i};Asso {i};association;{c};proposé\n" for i, c in enumerate(["Lille", "Roubaix", "Lille"])
    )
    data = ("Intitulé du projet;Porteur;Forme juridique;Commune;Statut\n" + rows).encode()
    plan = imports.prepare(engine, data, "mixte.csv", "projects", ImportOptions(scope=scope))
    assert [str(issue) for issue in plan.errors] == [
        f"Ligne {n}, colonne « Commune » : Lille (59350) est hors de votre périmètre." for n in (2, 4)
    ]
    assert not plan.ok
