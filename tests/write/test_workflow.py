"""The plan follow-up and the proposal pipeline on a hand-built database: lifecycle rules,
history rows, agenda, "since the last committee", concurrent edits and refusals."""

from datetime import date

import pytest
from sqlalchemy import insert, select

from essdash.domain import models as m
from essdash.domain.errors import AccessError, ConflictError, ValidationError
from essdash.read import followup, proceedings, queries
from essdash.read.selection import resolve
from essdash.store.db import write_meta
from essdash.write import comments, committee, members, projects
from essdash.write.actor import Actor
from essdash.write.plans import sheets as plan_sheets
from tests.fixtures.samples import dump

ACTOR = Actor("Sophie Lefebvre", "groupe des techniciens")
GOOD = {
    "title": "Garage solidaire",
    "commune_code": "59512",
    "intervention_mode": "convention_objectifs",
    "sector": "mobilite",
    "jobs_created": 3,
    "jobs_maintained": 1,
    "priority_district": True,
}


@pytest.fixture
def base(empty_engine):
    """Four meetings (technicians in May and November, committees in June and December 2013) and
    the reference date of 1 December 2013."""
    with empty_engine.begin() as conn:
        conn.execute(
            insert(m.Meeting),
            [
                {"id": 1, "body": "groupe_techniciens", "date": date(2013, 5, 14), "title": "GT mai"},
                {"id": 2, "body": "comite_metropolitain", "date": date(2013, 6, 18), "title": "Comité juin"},
                {"id": 3, "body": "groupe_techniciens", "date": date(2013, 11, 12), "title": "GT novembre"},
                {"id": 4, "body": "comite_metropolitain", "date": date(2013, 12, 16), "title": "Comité décembre"},
            ],
        )
    write_meta(empty_engine, as_of="2013-12-01")
    return empty_engine


def _new(engine, **overrides) -> int:
    return projects.create_project(
        engine,
        ACTOR,
        {**GOOD, **overrides},
        carrier_name="SCOP Roule",
        legal_form="scop",
        sheets=["III.4"],
        proposed_on=date(2013, 5, 2),
    )


def _row(engine, project_id) -> dict:
    detail = queries.project_detail(engine, project_id)
    return {k: detail[k] for k in ("id", "version", "status", *projects.PROJECT_FIELDS) if k in detail}


def _dump(engine):
    return dump(engine)


def test_a_proposal_goes_through_the_whole_lifecycle(base):
    pid = _new(base)
    projects.advance_project(base, ACTOR, pid, _row(base, pid), "valide", meeting_id=1)
    projects.advance_project(
        base,
        ACTOR,
        pid,
        _row(base, pid),
        "valide",
        meeting_id=2,
        opinion="ajourne",
        comment="Compléter le plan de financement",
    )
    assert _row(base, pid)["status"] == "valide"
    projects.advance_project(
        base,
        ACTOR,
        pid,
        _row(base, pid),
        "retenu",
        meeting_id=4,
        opinion="favorable_reserves",
        comment="Sous réserve d'un local",
    )
    projects.advance_project(base, ACTOR, pid, _row(base, pid), "en_cours", day=date(2014, 1, 6))
    projects.advance_project(base, ACTOR, pid, _row(base, pid), "realise", day=date(2014, 12, 1))
    detail = queries.project_detail(base, pid)
    assert detail["status"] == "realise" and detail["version"] == 6
    assert detail["start_date"] == date(2014, 1, 6) and detail["end_date"] == date(2014, 12, 1)
    events = detail["events"]
    assert events["to_status"].tolist() == [
        "Proposé",
        "Validé techniquement",
        "Validé techniquement",
        "Avis favorable du comité",
        "En cours",
        "Réalisé",
    ]
    assert events["meeting"].tolist()[1:4] == ["GT mai", "Comité juin", "Comité décembre"]
    assert events["opinion"].tolist()[2:4] == ["ajourne", "favorable_reserves"]
    assert events["author"].iloc[0] == "Sophie Lefebvre (groupe des techniciens)"
    assert detail["carrier"] == "SCOP Roule" and [s["code"] for s in detail["sheets"]] == ["III.4"]


@pytest.mark.parametrize(
    "steps, to_status, kwargs, column, message",
    [
        ([], "en_cours", {"day": date(2013, 6, 1)}, "Étape", "impossible"),
        ([], "retenu", {"meeting_id": 2}, "Étape", "impossible"),
        ([], "valide", {"meeting_id": 2}, "Séance", "Groupe de travail des techniciens"),
        ([], "valide", {}, "Séance", "choisissez la séance"),
        ([], "renvoye", {"meeting_id": 1}, "Motif", "motif"),
        ([], "valide", {"meeting_id": 1, "day": date(2013, 5, 20)}, "Date", "14/05/2013"),
        ([], "abandonne", {"day": date(2013, 4, 1), "comment": "retrait"}, "Date", "précède l'étape précédente"),
        ([("valide", {"meeting_id": 1})], "retenu", {"meeting_id": 2}, "Avis", "obligatoire"),
        ([("valide", {"meeting_id": 1})], "refuse", {"meeting_id": 2, "opinion": "defavorable"}, "Motif", "motif"),
        ([("valide", {"meeting_id": 1})], "retenu", {"meeting_id": 3, "opinion": "favorable"}, "Séance", "Comité"),
        ([("valide", {"meeting_id": 1})], "retenu", {"meeting_id": 2, "opinion": "enthousiaste"}, "Avis", "inconnu"),
        ([], "valide", {"meeting_id": 1, "meeting_unrecorded": True}, "Séance", "pas les deux"),
        ([], "valide", {"meeting_unrecorded": True}, "Date", "indiquez la date"),
        ([], "valide", {"meeting_unrecorded": True, "day": date(2013, 4, 30)}, "Date", "02/05/2013"),
        (
            [("valide", {"meeting_id": 1})],
            "retenu",
            {"meeting_unrecorded": True, "day": date(2013, 6, 1), "opinion": "favorable"},
            "Séance",
            "séance enregistrée",
        ),
    ],
)
def test_refused_transitions_leave_the_database_unchanged(base, steps, to_status, kwargs, column, message):
    pid = _new(base)
    for status, step in steps:
        projects.advance_project(base, ACTOR, pid, _row(base, pid), status, **step)
    before = _dump(base)
    with pytest.raises(ValidationError) as refused:
        projects.advance_project(base, ACTOR, pid, _row(base, pid), to_status, **kwargs)
    assert any(c == column and message in text for _, c, text in refused.value.issues), refused.value.issues
    assert _dump(base) == before


@pytest.mark.parametrize(
    "overrides, extra, column, message",
    [
        ({"title": "  "}, {}, "Titre", "obligatoire"),
        ({"commune_code": "75056"}, {}, "Commune", "inconnue"),
        ({"jobs_created": -2}, {}, "Emplois prévus", "positif"),
        ({"start_date": date(2014, 5, 1), "end_date": date(2014, 1, 1)}, {}, "Fin", "précède"),
        ({"sector": "aeronautique"}, {}, "Filière", "inconnue"),
        ({}, {"sheets": ["IV.9"]}, "Fiches", "inconnue"),
        ({}, {"sheets": []}, "Fiches", "au moins une fiche"),
        ({}, {"carrier_name": " "}, "Porteur", "obligatoire"),
        ({}, {"carrier_name": "Nouvelle asso", "legal_form": "club"}, "Forme juridique", "forme juridique"),
        ({"lat": 48.85, "lon": 2.35}, {}, "Latitude", "hors de la métropole"),
    ],
)
def test_bad_projects_are_refused_field_by_field(base, overrides, extra, column, message):
    before = _dump(base)
    arguments = {"carrier_name": "SCOP Roule", "legal_form": "scop", "sheets": ["III.4"], **extra}
    with pytest.raises(ValidationError) as refused:
        projects.create_project(base, ACTOR, {**GOOD, **overrides}, proposed_on=date(2013, 5, 2), **arguments)
    assert any(c == column and message in text for _, c, text in refused.value.issues), refused.value.issues
    assert _dump(base) == before


def test_alias_communes_are_accepted(base):
    pid = _new(base, commune_code="59355")  # Lomme
    assert queries.project_detail(base, pid)["commune"] == "Lille"


def test_second_save_of_the_same_project_is_refused_with_what_changed(base):
    pid = _new(base)
    first_view, second_view = _row(base, pid), _row(base, pid)
    projects.update_project(base, ACTOR, pid, first_view, {"title": "Garage solidaire du Pile", "jobs_created": 5})
    before = _dump(base)
    with pytest.raises(ConflictError) as conflict:
        projects.update_project(base, Actor("Karim", "mission ESS"), pid, second_view, {"beneficiaries": 40})
    assert ("Titre", "Garage solidaire", "Garage solidaire du Pile") in conflict.value.changes
    assert ("Emplois prévus", "3", "5") in conflict.value.changes
    assert "Rien n'a été enregistré" in str(conflict.value)
    assert _dump(base) == before
    events = queries.project_detail(base, pid)["events"]
    assert "titre, emplois prévus" in events["comment"].iloc[-1]


def test_fiche_changes_need_a_comment_and_write_history(base):
    tree = followup.sheet_tree(base, resolve(base)).set_index("code")
    sheet = tree.loc["II.2"]
    loaded = {
        "id": int(sheet["id"]),
        "version": int(sheet["version"]),
        "status": sheet["status"],
        "progress": int(sheet["progress"]),
    }
    with pytest.raises(ValidationError, match="expliquez"):
        plan_sheets.update_sheet(base, ACTOR, loaded["id"], loaded, status="en_cours", progress=10, comment=" ")
    plan_sheets.update_sheet(
        base, ACTOR, loaded["id"], loaded, status="en_cours", progress=10, comment="Pôle de finance solidaire lancé"
    )
    with pytest.raises(ConflictError) as conflict:
        plan_sheets.update_sheet(base, ACTOR, loaded["id"], loaded, status="bloquee", progress=0, comment="doublon")
    assert ("Statut", "a_venir", "en_cours") in conflict.value.changes
    detail = followup.sheet_detail(base, "II.2", resolve(base))
    changes = detail["timeline"][detail["timeline"]["kind"] == "change"]
    assert sorted(changes["field"]) == ["progress", "status"]
    assert set(changes["comment"]) == {"Pôle de finance solidaire lancé"}
    comments.add_comment(
        base,
        Actor("Forum", "forum"),
        "fiche",
        loaded["id"],
        "forum_acteurs",
        "Associer les clubs d'investisseurs",
    )
    timeline = followup.sheet_detail(base, "II.2", resolve(base))["timeline"]
    assert "Associer les clubs d'investisseurs" in timeline["comment"].tolist()
    with pytest.raises(ValidationError, match="vide"):
        comments.add_comment(base, ACTOR, "fiche", loaded["id"], "forum_acteurs", "  ")


def test_agenda_and_opinions_recorded_together(base):
    validated = [_new(base, title=f"Projet {i}") for i in range(3)]
    for pid in validated:
        projects.advance_project(base, ACTOR, pid, _row(base, pid), "valide", meeting_id=3)
    waiting = _new(base, title="Pas encore vu")
    agenda = proceedings.agenda(base, resolve(base))
    assert agenda.last.title == "Comité juin" and agenda.following.title == "Comité décembre"
    assert agenda.awaiting["id"].tolist() == validated
    assert waiting not in agenda.awaiting["id"].tolist()
    rows = {r["id"]: r for r in agenda.awaiting.to_dict("records")}
    items = [
        {"project": {**rows[validated[0]], "status": "valide"}, "opinion": "favorable"},
        {"project": {**rows[validated[1]], "status": "valide"}, "opinion": "defavorable", "comment": ""},
        {"project": {**rows[validated[2]], "status": "valide"}, "opinion": None},
    ]
    before = _dump(base)
    with pytest.raises(ValidationError, match="motivé"):
        committee.record_opinions(base, ACTOR, 4, items)
    assert _dump(base) == before
    items[1]["comment"] = "Hors du champ de l'ESS"
    assert committee.record_opinions(base, ACTOR, 4, items) == 2
    statuses = {pid: queries.project_detail(base, pid)["status"] for pid in validated}
    assert statuses == {validated[0]: "retenu", validated[1]: "refuse", validated[2]: "valide"}
    with pytest.raises(ValidationError, match="comité métropolitain"):
        committee.record_opinions(base, ACTOR, 3, items)


def test_changes_between_two_committees(base):
    pid = _new(base)
    projects.advance_project(base, ACTOR, pid, _row(base, pid), "valide", meeting_id=1)
    projects.advance_project(base, ACTOR, pid, _row(base, pid), "retenu", meeting_id=2, opinion="favorable")
    with base.begin() as conn:
        conn.execute(insert(m.Funder).values(id=1, name="Lille Métropole", kind="EPCI"))
        conn.execute(
            insert(m.Funding).values(project_id=pid, funder_id=1, type="subvention", amount=12_000.0, year=2013)
        )
    diff = proceedings.changes_between(base, date(2013, 1, 1), date(2013, 6, 18))
    assert diff.new_projects["id"].tolist() == [pid]
    assert diff.steps["to_status"].tolist() == ["Validé techniquement", "Avis favorable du comité"]
    assert diff.opinions["value"].tolist() == ["Favorable"]
    assert diff.money == 12_000.0
    later = proceedings.changes_between(base, date(2013, 6, 18), date(2013, 12, 16))
    assert later.new_projects.empty and later.steps.empty and later.money == 0


def test_sheet_tree_rollups_and_late_flag(base):
    pid = _new(base)
    projects.advance_project(base, ACTOR, pid, _row(base, pid), "valide", meeting_id=1)
    with base.begin() as conn:
        sheet_id = conn.execute(select(m.ActionSheet.id).where(m.ActionSheet.code == "III.4")).scalar_one()
        conn.execute(
            m.ActionSheet.__table__.update()
            .where(m.ActionSheet.id == sheet_id)
            .values(planned_end=date(2013, 6, 30), status="en_cours")
        )
        actions = conn.execute(select(m.Action.id).where(m.Action.sheet_id == sheet_id)).scalars().all()
        conn.execute(m.Action.__table__.update().where(m.Action.id.in_(actions[: len(actions) // 2])).values(done=True))
    tree = followup.sheet_tree(base, resolve(base)).set_index("code")
    row = tree.loc["III.4"]
    assert row["late"] and row["projects"] == 1
    assert row["computed_progress"] == pytest.approx(((len(actions) // 2) / len(actions) + 0.0) / 2 * 100)
    assert not tree.loc["II.2", "late"] or tree.loc["II.2", "planned_end"] < date(2013, 12, 1)
    pipeline = proceedings.pipeline(base, resolve(base))
    assert pipeline[["territory", "status", "projects"]].values.tolist() == [["Territoire Roubaisien", "valide", 1]]
    assert pipeline["median_days"].iloc[0] == (date(2013, 12, 1) - date(2013, 5, 14)).days


def test_a_group_step_whose_meeting_is_not_yet_recorded_is_dated_by_hand(base):
    pid = _new(base)
    projects.advance_project(
        base, ACTOR, pid, _row(base, pid), "valide", day=date(2013, 5, 20), meeting_unrecorded=True
    )
    event = m.ProjectEvent
    with base.connect() as conn:
        stored = conn.execute(
            select(event.from_status, event.to_status, event.date, event.meeting_id)
            .where(event.project_id == pid)
            .order_by(event.id)
        ).all()
    assert [tuple(row) for row in stored] == [
        (None, "propose", date(2013, 5, 2), None),
        ("propose", "valide", date(2013, 5, 20), None),
    ]
    events = queries.project_detail(base, pid)["events"]
    assert events["meeting"].tolist() == ["", "séance pas encore enregistrée"]


@pytest.mark.parametrize(
    "to_status, kwargs",
    [
        ("retenu", {"meeting_id": 4, "opinion": "favorable"}),
        ("retenu", {"meeting_id": 4}),
        ("refuse", {"day": date(2013, 12, 16), "comment": "Hors champ"}),
        ("valide", {"meeting_id": 4, "opinion": "ajourne"}),
    ],
)
def test_a_technician_may_not_record_a_committee_step(base, to_status, kwargs):
    members.save_member(base, ACTOR, "tech.roubaix@mel.fr", "technicien", territory="roubaisien")
    technician = Actor("?", "?", "tech.roubaix@mel.fr")
    pid = _new(base)
    projects.advance_project(base, technician, pid, _row(base, pid), "valide", meeting_id=3)
    before = _dump(base)
    with pytest.raises(AccessError, match="avis du comité"):
        projects.advance_project(base, technician, pid, _row(base, pid), to_status, **kwargs)
    assert _dump(base) == before
