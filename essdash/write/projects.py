"""Writes of projects: a new proposal, edits of its record, and its steps along the lifecycle.

Every field is checked by the rule book (:mod:`essdash.domain.rules`) before one transaction; a
write either applies whole or raises :class:`ValidationError` (French messages, one per field)
and leaves the database as it was; a record changed by someone else meanwhile raises
:class:`ConflictError` (optimistic locking on its ``version``). Each takes the acting person.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import col

from essdash.domain import models as m
from essdash.domain import rules, steps
from essdash.domain.errors import ValidationError
from essdash.domain.vocabulary import (
    PROJECT_TRANSITIONS,
    Deed,
    LegalForm,
    MeetingBody,
    OpinionValue,
    ProjectStatus,
)
from essdash.store import clock
from essdash.store.db import locked_transaction
from essdash.store.sql import new_id
from essdash.write import once as once_
from essdash.write.actor import Actor
from essdash.write.gate import authorize
from essdash.write.project_checks import (
    PROJECT_FIELDS,
    check_project,
    checked_sheet_ids,
    declared_fields,
    project_labels,
)
from essdash.write.records import locked_update, text_field

REASON_REQUIRED = {ProjectStatus.RETURNED, ProjectStatus.ABANDONED, ProjectStatus.REFUSED}
OPINION_STATUS = {
    OpinionValue.FAVORABLE: ProjectStatus.RETAINED,
    OpinionValue.FAVORABLE_WITH_RESERVATIONS: ProjectStatus.RETAINED,
    OpinionValue.UNFAVORABLE: ProjectStatus.REFUSED,
    OpinionValue.POSTPONED: ProjectStatus.VALIDATED,
}


@once_.replayable
def create_project(
    engine: Engine,
    actor: Actor,
    data: dict[str, Any],
    *,
    carrier_name: str,
    legal_form: str,
    sheets: list[str],
    proposed_on: date,
    plan: str | None = None,
    once: str | None = None,
    confirmed: bool = False,
) -> int:
    """Register a new proposal (step « proposé »), creating its carrier if new, linked to the
    fiches ``sheets`` of the plan ``plan``; returns its id.

    ``once`` is the form's one-time token: a second call with it writes nothing and returns the
    first call's project (a :class:`~essdash.write.once.Replayed` id). A probable duplicate (a project of the same
    carrier in the same main commune with the same title, case, accents and surrounding spaces
    aside) is refused with :class:`ProbableDuplicate`, naming it, unless ``confirmed``. Both checks
    run under the write lock, so concurrent calls from several processes create one project."""
    permit = authorize(engine, actor, Deed.PROJECT, communes=[code for code in [data.get("commune_code")] if code])
    actor = permit.actor
    required = ("title", "commune_code", "intervention_mode", "sector")
    with engine.connect() as conn:
        given = {key: data.get(key) for key in PROJECT_FIELDS if key != "status"}
        clean, issues = check_project(
            conn, {**given, **{f.column: data[f.column] for f in declared_fields() if f.column in data}}
        )
        sheet_ids = checked_sheet_ids(conn, sheets, issues, plan)
        carrier_name = text_field(issues, "Projet", "Porteur", carrier_name, required="le porteur est obligatoire.")
        carrier = _carrier(conn, carrier_name)
    if carrier_name and carrier is None and legal_form not in LegalForm.labels():
        issues.append(("Projet", "Forme juridique", "choisissez la forme juridique du nouveau porteur."))
    if not sheet_ids and not any(i[1] == "Fiches" for i in issues):
        issues.append(("Projet", "Fiches", "rattachez le projet à au moins une fiche du plan."))
    issues += [
        ("Projet", PROJECT_FIELDS[k], "champ obligatoire.")
        for k in required
        if not data.get(k) and not any(i[1] == PROJECT_FIELDS[k] for i in issues)
    ]
    if issues:
        raise ValidationError(issues)
    now = clock.now(engine)
    with locked_transaction(engine, permit) as conn:
        once_.check(conn, once, Deed.PROJECT, lambda pid: f"Cette proposition est déjà enregistrée (projet n° {pid}).")
        carrier = _carrier(conn, carrier_name)  # again: another writer may have created it meanwhile
        if carrier is not None and not confirmed:
            _refuse_duplicate(conn, clean["title"], carrier, clean["commune_code"])
        if carrier is None:
            carrier = new_id(
                conn.execute(
                    insert(m.Organisation).values(
                        name=carrier_name, legal_form=legal_form, commune_code=clean["commune_code"]
                    )
                )
            )
        project_id = new_id(
            conn.execute(
                insert(m.Project).values(
                    **clean,
                    carrier_id=carrier,
                    status=ProjectStatus.PROPOSED.value,
                    proposed_on=proposed_on,
                    updated_at=now,
                    version=1,
                )
            )
        )
        conn.execute(insert(m.ProjectSheet), [{"project_id": project_id, "sheet_id": i} for i in sheet_ids])
        conn.execute(
            insert(m.ProjectEvent).values(
                project_id=project_id,
                date=proposed_on,
                from_status=None,
                to_status=ProjectStatus.PROPOSED.value,
                author=actor.label,
                account=actor.account,
                comment="Proposition enregistrée.",
            )
        )
        once_.spend(conn, once, Deed.PROJECT, project_id, actor, now)
        permit.log(conn, f"Projet n° {project_id} proposé : {clean['title']}", now)
    return project_id


class ProbableDuplicate(ValidationError):
    """A new proposal looks like a project already recorded (``existing``, its id): refused unless confirmed."""

    def __init__(self, existing: int, message: str):
        self.existing = existing
        super().__init__([("Projet", PROJECT_FIELDS["title"], message)])


def _carrier(conn: Connection, name: str) -> int | None:
    """The id of the organisation called ``name`` (case aside), if any."""
    stmt = select(col(m.Organisation.id)).where(func.lower(col(m.Organisation.name)) == name.lower())
    return conn.execute(stmt).scalar_one_or_none()


def _title_key(title: str) -> str:
    """A title as two proposals are compared: no case, accents or extra spaces."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", title) if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def _refuse_duplicate(conn: Connection, title: str, carrier: int, commune_code: str) -> None:
    """Refuse a proposal whose title, carrier and main commune are those of a recorded project."""
    key = _title_key(title)
    same_place = conn.execute(
        select(col(m.Project.id), col(m.Project.title), col(m.Project.proposed_on), col(m.Commune.name))
        .join(m.Commune, col(m.Commune.insee_code) == col(m.Project.commune_code))
        .where(col(m.Project.carrier_id) == carrier, col(m.Project.commune_code) == commune_code)
        .order_by(col(m.Project.id))
    ).all()
    for row in same_place:
        if _title_key(row.title) == key:
            raise ProbableDuplicate(
                row.id,
                f"Un projet « {row.title} » du même porteur à {row.name} existe déjà (n° {row.id}, proposé le "
                f"{row.proposed_on:%d/%m/%Y}). Cochez « Enregistrer quand même » si c'est un autre projet.",
            )


def update_project(
    engine: Engine, actor: Actor, project_id: int, loaded: dict[str, Any], changes: dict[str, Any]
) -> None:
    """Save edited fields of a project, refusing if it changed since ``loaded`` was read."""
    permit = authorize(engine, actor, Deed.PROJECT, project_id=project_id)
    actor = permit.actor
    if changes.get("commune_code") and changes["commune_code"] != loaded.get("commune_code"):
        authorize(engine, actor, Deed.PROJECT, communes=[changes["commune_code"]])
    with engine.connect() as conn:
        clean, issues = check_project(conn, changes)
    if issues:
        raise ValidationError(issues)
    changed = {k: v for k, v in clean.items() if loaded.get(k) != v}
    if not changed:
        return
    labels = project_labels()
    now = clock.now(engine)
    with locked_transaction(engine, permit) as conn:
        locked_update(
            conn,
            m.Project,
            project_id,
            loaded,
            {**changed, "updated_at": now},
            labels,
            "Le projet",
        )
        conn.execute(
            insert(m.ProjectEvent).values(
                project_id=project_id,
                date=now.date(),
                from_status=loaded["status"],
                to_status=loaded["status"],
                author=actor.label,
                account=actor.account,
                comment="Fiche modifiée : " + ", ".join(labels[k].lower() for k in changed) + ".",
            )
        )
        permit.log(conn, f"Projet n° {project_id} modifié : " + ", ".join(labels[k].lower() for k in changed), now)


@once_.replayable
def advance_project(
    engine: Engine,
    actor: Actor,
    project_id: int,
    loaded: dict[str, Any],
    to_status: str,
    *,
    day: date | None = None,
    meeting_id: int | None = None,
    comment: str = "",
    opinion: str | None = None,
    meeting_unrecorded: bool = False,
    once: str | None = None,
) -> int:
    """Move a project one step along its lifecycle (see ``PROJECT_TRANSITIONS``), dated and tied
    to a meeting (the step then takes the meeting's date); an opinion of the committee is
    recorded with it. A step of the technicians' group whose meeting is not yet recorded
    (``meeting_unrecorded``) is dated by ``day`` and stored with no meeting. The committee's steps
    need the committee's right (:func:`essdash.domain.steps.deed_of`). Returns the step's id;
    ``once``: the form's one-time token (see :mod:`essdash.write.once`)."""
    issues = []
    if opinion is not None:
        if opinion not in OpinionValue.labels():
            issues.append(("Projet", "Avis", f"avis « {opinion} » inconnu."))
        else:
            to_status = OPINION_STATUS[OpinionValue(opinion)].value
    target = ProjectStatus(to_status) if to_status in ProjectStatus.labels() else None
    permit = authorize(engine, actor, steps.deed_of(target, opinion), project_id=project_id)
    actor = permit.actor
    current = ProjectStatus(loaded["status"])
    allowed = PROJECT_TRANSITIONS[current] + (
        (ProjectStatus.VALIDATED,) if opinion == OpinionValue.POSTPONED.value else ()
    )
    if target is None or target not in allowed:
        names = ", ".join(s.label for s in PROJECT_TRANSITIONS[current]) or "aucune"
        issues.append(
            (
                "Projet",
                "Étape",
                f"passage de « {current.label} » à « {ProjectStatus.labels().get(to_status, to_status)} » "
                f"impossible (étapes possibles : {names}).",
            )
        )
    if target in steps.COMMITTEE_STEPS and opinion is None:
        issues.append(("Projet", "Avis", "l'avis du comité est obligatoire pour cette étape."))
    comment = text_field(issues, "Projet", "Motif", comment, max_length=rules.COMMENT_LENGTH, multiline=True)
    if target in REASON_REQUIRED and not comment:
        issues.append(("Projet", "Motif", "indiquez le motif."))
    with engine.connect() as conn:
        last_step = conn.execute(
            select(func.max(col(m.ProjectEvent.date))).where(col(m.ProjectEvent.project_id) == project_id)
        ).scalar()
        meeting = (
            conn.execute(select(m.Meeting).where(col(m.Meeting.id) == meeting_id)).mappings().first()
            if meeting_id
            else None
        )
    day = day or (meeting["date"] if meeting else None)
    if day is None:
        issues.append(("Projet", "Date", "indiquez la date de l'étape."))
    elif steps.before_previous(day, last_step):
        issues.append(("Projet", "Date", f"la date précède l'étape précédente ({last_step:%d/%m/%Y})."))
    expected_body = steps.body_of(target, opinion)
    if meeting_unrecorded and meeting_id is not None:
        issues.append(("Projet", "Séance", "choisissez une séance ou « séance pas encore enregistrée », pas les deux."))
    elif meeting_unrecorded and expected_body is MeetingBody.COMMITTEE:
        issues.append(
            (
                "Projet",
                "Séance",
                "l'avis du comité se rattache à une séance enregistrée : enregistrez d'abord la séance du comité.",
            )
        )
    elif expected_body and not meeting_unrecorded and (meeting is None or meeting["body"] != expected_body.value):
        issues.append(("Projet", "Séance", f"choisissez la séance ({expected_body.label}) où l'étape a eu lieu."))
    elif meeting is not None and day is not None and meeting["date"] != day:
        issues.append(("Projet", "Date", f"la séance choisie a eu lieu le {meeting['date']:%d/%m/%Y}."))
    if issues:
        raise ValidationError(issues)
    assert target is not None  # an unknown step is refused above
    now = clock.now(engine)
    values = {"status": target.value, "updated_at": now}
    if target is ProjectStatus.IN_PROGRESS:
        values["start_date"] = day
    if target in (ProjectStatus.DONE, ProjectStatus.ABANDONED):
        values["end_date"] = day
    with locked_transaction(engine, permit) as conn:
        once_.check(conn, once, Deed.STEP, lambda _: f"Cette étape du projet n° {project_id} est déjà enregistrée.")
        locked_update(conn, m.Project, project_id, loaded, values, PROJECT_FIELDS, "Le projet")
        event_id = new_id(
            conn.execute(
                insert(m.ProjectEvent).values(
                    project_id=project_id,
                    date=day,
                    from_status=current.value,
                    to_status=target.value,
                    meeting_id=meeting_id,
                    author=actor.label,
                    account=actor.account,
                    comment=comment,
                )
            )
        )
        if opinion is not None:
            conn.execute(
                insert(m.Opinion).values(
                    project_id=project_id,
                    meeting_id=meeting_id,
                    value=opinion,
                    comment=comment,
                    author=actor.label,
                    account=actor.account,
                )
            )
        once_.spend(conn, once, Deed.STEP, event_id, actor, now)
        permit.log(conn, f"Projet n° {project_id} : {current.label} → {target.label}", now)
    return event_id
