"""Every write of the register, the plan and the committee: validation first, then one
transaction; each takes the acting person (indicator values: :mod:`essdash.write.measurements`).

A write either applies whole or raises :class:`ValidationError` (French messages, one per cell)
and leaves the database as it was; a record changed by someone else meanwhile raises
:class:`ConflictError` (optimistic locking on its ``version``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine

from essdash.domain import models as m
from essdash.domain.errors import ConflictError, ValidationError
from essdash.domain.vocabulary import (
    PROJECT_TRANSITIONS,
    CommentBody,
    CommentTarget,
    InterventionMode,
    LegalForm,
    MeetingBody,
    OpinionValue,
    ProjectStatus,
    Sector,
    SheetStatus,
)


@dataclass(frozen=True)
class Actor:
    """Who acts: the name and role recorded with every change."""

    name: str
    role: str = "mission ESS"

    @property
    def label(self) -> str:
        return f"{self.name.strip()} ({self.role})"

    def checked(self) -> Actor:
        if not self.name.strip():
            raise ValidationError([("Saisie", "Saisi par", "indiquez votre nom : chaque modification est signée.")])
        return self


# --- projects ------------------------------------------------------------------------------------

PROJECT_FIELDS = {
    "title": "Titre",
    "description": "Description",
    "commune_code": "Commune",
    "intervention_mode": "Mode d'intervention",
    "sector": "Filière",
    "start_date": "Début",
    "end_date": "Fin",
    "jobs_created": "Emplois créés",
    "jobs_maintained": "Emplois maintenus",
    "beneficiaries": "Bénéficiaires",
    "priority_district": "Quartier prioritaire",
    "lat": "Latitude",
    "lon": "Longitude",
    "status": "Étape",
}
REASON_REQUIRED = {ProjectStatus.RENVOYE, ProjectStatus.ABANDONNE, ProjectStatus.REFUSE}
OPINION_STATUS = {
    OpinionValue.FAVORABLE: ProjectStatus.RETENU,
    OpinionValue.FAVORABLE_RESERVES: ProjectStatus.RETENU,
    OpinionValue.DEFAVORABLE: ProjectStatus.REFUSE,
    OpinionValue.AJOURNE: ProjectStatus.VALIDE,
}


def _check_project(conn, data: dict) -> tuple[dict, list[tuple[str, str, str]]]:
    """Validate project fields (all given ones); returns cleaned values and issues."""
    issues, clean = [], {}
    where = "Projet"
    if "title" in data:
        clean["title"] = str(data["title"] or "").strip()
        if not clean["title"]:
            issues.append((where, "Titre", "le titre est obligatoire."))
    if "description" in data:
        clean["description"] = str(data["description"] or "").strip()
    if "commune_code" in data:
        code = str(data["commune_code"] or "").strip()
        resolved = (
            conn.execute(select(m.Commune.insee_code).where(m.Commune.insee_code == code)).scalar_one_or_none()
            or conn.execute(
                select(m.CommuneAlias.insee_code).where(m.CommuneAlias.alias_code == code)
            ).scalar_one_or_none()
        )
        if resolved is None:
            issues.append((where, "Commune", f"commune « {code} » inconnue (code INSEE attendu)."))
        clean["commune_code"] = resolved
    for key, enum, label in (
        ("intervention_mode", InterventionMode, "Mode d'intervention"),
        ("sector", Sector, "Filière"),
    ):
        if key in data:
            if data[key] not in enum.labels():
                issues.append((where, label, f"valeur « {data[key]} » inconnue."))
            clean[key] = data[key]
    for key in ("jobs_created", "jobs_maintained", "beneficiaries"):
        if key in data:
            try:
                clean[key] = int(data[key] or 0)
                if clean[key] < 0:
                    raise ValueError
            except (TypeError, ValueError):
                issues.append((where, PROJECT_FIELDS[key], "un nombre entier positif ou nul est attendu."))
    for key in ("start_date", "end_date"):
        if key in data:
            clean[key] = data[key] or None
    if clean.get("start_date") and clean.get("end_date") and clean["end_date"] < clean["start_date"]:
        issues.append((where, "Fin", "la date de fin précède la date de début."))
    if "priority_district" in data:
        clean["priority_district"] = bool(data["priority_district"])
    for key, low, high in (("lat", 50.3, 51.0), ("lon", 2.6, 3.4)):
        if key in data:
            value = data[key]
            if value in (None, ""):
                clean[key] = None
            elif not isinstance(value, (int, float)) or not low <= value <= high:
                issues.append((where, PROJECT_FIELDS[key], f"{value} est hors de la métropole ({low} à {high})."))
            else:
                clean[key] = float(value)
    return clean, issues


def _sheet_ids(conn, codes, issues) -> list[int]:
    ids = []
    for code in codes or []:
        found = conn.execute(select(m.ActionSheet.id).where(m.ActionSheet.code == code)).scalar_one_or_none()
        if found is None:
            issues.append(("Projet", "Fiches", f"fiche « {code} » inconnue."))
        else:
            ids.append(found)
    return ids


def create_project(
    engine: Engine,
    actor: Actor,
    data: dict,
    *,
    carrier_name: str,
    legal_form: str,
    sheets: list[str],
    proposed_on: date,
) -> int:
    """Register a new proposal (step « proposé »), creating its carrier if new; returns its id."""
    actor = actor.checked()
    required = ("title", "commune_code", "intervention_mode", "sector")
    with engine.connect() as conn:
        clean, issues = _check_project(conn, {key: data.get(key) for key in PROJECT_FIELDS if key != "status"})
        sheet_ids = _sheet_ids(conn, sheets, issues)
        carrier = conn.execute(
            select(m.Organisation.id).where(func.lower(m.Organisation.name) == carrier_name.strip().lower())
        ).scalar_one_or_none()
    if not carrier_name.strip():
        issues.append(("Projet", "Porteur", "le porteur est obligatoire."))
    elif carrier is None and legal_form not in LegalForm.labels():
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
    now = datetime.now().replace(microsecond=0)
    with engine.begin() as conn:
        if carrier is None:
            carrier = conn.execute(
                insert(m.Organisation).values(
                    name=carrier_name.strip(), legal_form=legal_form, commune_code=clean["commune_code"]
                )
            ).inserted_primary_key[0]
        project_id = conn.execute(
            insert(m.Project).values(
                **clean,
                carrier_id=carrier,
                status=ProjectStatus.PROPOSE.value,
                proposed_on=proposed_on,
                updated_at=now,
                version=1,
            )
        ).inserted_primary_key[0]
        conn.execute(insert(m.ProjectSheet), [{"project_id": project_id, "sheet_id": i} for i in sheet_ids])
        conn.execute(
            insert(m.ProjectEvent).values(
                project_id=project_id,
                date=proposed_on,
                from_status=None,
                to_status=ProjectStatus.PROPOSE.value,
                author=actor.label,
                comment="Proposition enregistrée.",
            )
        )
    return project_id


def _locked_update(conn, table, row_id: int, loaded: dict, values: dict, labels: dict, what: str) -> None:
    """UPDATE … WHERE version = loaded version; on a miss, explain what changed meanwhile."""
    current = conn.execute(select(table).where(table.id == row_id)).mappings().first()
    if current is None:
        raise ValidationError([(what, "N°", f"{what} n° {row_id} introuvable.")])
    done = conn.execute(
        update(table)
        .where(table.id == row_id, table.version == loaded["version"])
        .values(**values, version=table.version + 1)
    ).rowcount
    if done != 1:
        changes = [
            (labels.get(k, k), str(loaded[k]), str(current[k]))
            for k in labels
            if k in loaded and loaded[k] != current[k]
        ]
        raise ConflictError(what, changes)


def update_project(engine: Engine, actor: Actor, project_id: int, loaded: dict, changes: dict) -> None:
    """Save edited fields of a project, refusing if it changed since ``loaded`` was read."""
    actor = actor.checked()
    with engine.connect() as conn:
        clean, issues = _check_project(conn, changes)
    if issues:
        raise ValidationError(issues)
    changed = {k: v for k, v in clean.items() if loaded.get(k) != v}
    if not changed:
        return
    with engine.begin() as conn:
        _locked_update(
            conn,
            m.Project,
            project_id,
            loaded,
            {**changed, "updated_at": datetime.now().replace(microsecond=0)},
            PROJECT_FIELDS,
            "Le projet",
        )
        conn.execute(
            insert(m.ProjectEvent).values(
                project_id=project_id,
                date=date.today(),
                from_status=loaded["status"],
                to_status=loaded["status"],
                author=actor.label,
                comment="Fiche modifiée : " + ", ".join(PROJECT_FIELDS[k].lower() for k in changed) + ".",
            )
        )


def advance_project(
    engine: Engine,
    actor: Actor,
    project_id: int,
    loaded: dict,
    to_status: str,
    *,
    day: date | None = None,
    meeting_id: int | None = None,
    comment: str = "",
    opinion: str | None = None,
) -> None:
    """Move a project one step along its lifecycle (see ``PROJECT_TRANSITIONS``), dated and tied
    to a meeting (the step then takes the meeting's date); an opinion of the committee is
    recorded with it."""
    actor = actor.checked()
    current = ProjectStatus(loaded["status"])
    issues = []
    if opinion is not None:
        if opinion not in OpinionValue.labels():
            issues.append(("Projet", "Avis", f"avis « {opinion} » inconnu."))
        else:
            to_status = OPINION_STATUS[OpinionValue(opinion)].value
    target = ProjectStatus(to_status) if to_status in ProjectStatus.labels() else None
    allowed = PROJECT_TRANSITIONS[current] + ((ProjectStatus.VALIDE,) if opinion == OpinionValue.AJOURNE.value else ())
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
    needs_committee = opinion is not None or target in (ProjectStatus.RETENU, ProjectStatus.REFUSE)
    if needs_committee and opinion is None:
        issues.append(("Projet", "Avis", "l'avis du comité est obligatoire pour cette étape."))
    if target in REASON_REQUIRED and not comment.strip():
        issues.append(("Projet", "Motif", "indiquez le motif."))
    with engine.connect() as conn:
        last_step = conn.execute(
            select(func.max(m.ProjectEvent.date)).where(m.ProjectEvent.project_id == project_id)
        ).scalar()
        meeting = (
            conn.execute(select(m.Meeting).where(m.Meeting.id == meeting_id)).mappings().first() if meeting_id else None
        )
    day = day or (meeting["date"] if meeting else None)
    if day is None:
        issues.append(("Projet", "Date", "indiquez la date de l'étape."))
    elif last_step and day < last_step:
        issues.append(("Projet", "Date", f"la date précède l'étape précédente ({last_step:%d/%m/%Y})."))
    expected_body = (
        MeetingBody.COMITE
        if needs_committee
        else MeetingBody.GROUPE_TECHNICIENS
        if target in (ProjectStatus.VALIDE, ProjectStatus.RENVOYE)
        else None
    )
    if expected_body and (meeting is None or meeting["body"] != expected_body.value):
        issues.append(("Projet", "Séance", f"choisissez la séance ({expected_body.label}) où l'étape a eu lieu."))
    elif meeting is not None and day is not None and meeting["date"] != day:
        issues.append(("Projet", "Date", f"la séance choisie a eu lieu le {meeting['date']:%d/%m/%Y}."))
    if issues:
        raise ValidationError(issues)
    values = {"status": target.value, "updated_at": datetime.now().replace(microsecond=0)}
    if target is ProjectStatus.EN_COURS:
        values["start_date"] = day
    if target in (ProjectStatus.REALISE, ProjectStatus.ABANDONNE):
        values["end_date"] = day
    with engine.begin() as conn:
        _locked_update(conn, m.Project, project_id, loaded, values, PROJECT_FIELDS, "Le projet")
        conn.execute(
            insert(m.ProjectEvent).values(
                project_id=project_id,
                date=day,
                from_status=current.value,
                to_status=target.value,
                meeting_id=meeting_id,
                author=actor.label,
                comment=comment.strip(),
            )
        )
        if opinion is not None:
            conn.execute(
                insert(m.Opinion).values(
                    project_id=project_id, meeting_id=meeting_id, value=opinion, comment=comment.strip()
                )
            )


def record_opinions(engine: Engine, actor: Actor, meeting_id: int, items: list[dict]) -> int:
    """Record the committee's opinions on several proposals at once: all, or none.

    ``items`` hold ``project`` (the loaded project row, with ``id`` and ``version``), ``opinion``
    and ``comment``; items without an opinion are skipped."""
    actor = actor.checked()
    chosen = [item for item in items if item.get("opinion")]
    with engine.connect() as conn:
        meeting = conn.execute(select(m.Meeting).where(m.Meeting.id == meeting_id)).mappings().first()
    if meeting is None or meeting["body"] != MeetingBody.COMITE.value:
        raise ValidationError([("Séance", "Séance", "choisissez une séance du comité métropolitain.")])
    issues = []
    for item in chosen:
        try:
            _check_opinion(engine, actor, item, meeting)
        except ValidationError as exc:
            issues += [(f"Projet n° {item['project']['id']}", column, message) for _, column, message in exc.issues]
    if issues:
        raise ValidationError(issues)
    with engine.begin() as conn:
        for item in chosen:
            project, opinion = item["project"], OpinionValue(item["opinion"])
            target = OPINION_STATUS[opinion]
            _locked_update(
                conn,
                m.Project,
                project["id"],
                project,
                {"status": target.value, "updated_at": datetime.now().replace(microsecond=0)},
                PROJECT_FIELDS,
                f"Le projet n° {project['id']}",
            )
            conn.execute(
                insert(m.ProjectEvent).values(
                    project_id=project["id"],
                    date=meeting["date"],
                    from_status=project["status"],
                    to_status=target.value,
                    meeting_id=meeting_id,
                    author=actor.label,
                    comment=(item.get("comment") or "").strip() or f"Avis {opinion.label.lower()} du comité.",
                )
            )
            conn.execute(
                insert(m.Opinion).values(
                    project_id=project["id"],
                    meeting_id=meeting_id,
                    value=opinion.value,
                    comment=(item.get("comment") or "").strip(),
                )
            )
    return len(chosen)


def _check_opinion(engine: Engine, actor: Actor, item: dict, meeting) -> None:
    issues = []
    project = item["project"]
    if project["status"] != ProjectStatus.VALIDE.value:
        issues.append(
            (
                "Projet",
                "Étape",
                f"le projet est à l'étape « {ProjectStatus(project['status']).label} », pas en attente d'avis.",
            )
        )
    if item["opinion"] not in OpinionValue.labels():
        issues.append(("Projet", "Avis", f"avis « {item['opinion']} » inconnu."))
    elif item["opinion"] == OpinionValue.DEFAVORABLE.value and not (item.get("comment") or "").strip():
        issues.append(("Projet", "Motif", "un avis défavorable doit être motivé."))
    if issues:
        raise ValidationError(issues)


# --- fiches, comments and meetings -----------------------------------------------------------------

SHEET_FIELDS = {"status": "Statut", "progress": "Avancement déclaré (%)"}


def update_sheet(
    engine: Engine, actor: Actor, sheet_id: int, loaded: dict, *, status: str, progress: int, comment: str
) -> None:
    """Change a fiche's status or declared progress: a comment is required, and every change is a
    dated history row with who and why."""
    actor = actor.checked()
    issues = []
    if status not in SheetStatus.labels():
        issues.append(("Fiche", "Statut", f"statut « {status} » inconnu."))
    if not isinstance(progress, int) or not 0 <= progress <= 100:
        issues.append(("Fiche", "Avancement", "un pourcentage entre 0 et 100 est attendu."))
    if not comment.strip():
        issues.append(("Fiche", "Commentaire", "expliquez la modification : elle entre dans l'historique du plan."))
    if issues:
        raise ValidationError(issues)
    changed = {k: v for k, v in (("status", status), ("progress", progress)) if loaded[k] != v}
    if not changed:
        raise ValidationError([("Fiche", "Statut", "ni le statut ni l'avancement n'ont changé.")])
    now = datetime.now().replace(microsecond=0)
    with engine.begin() as conn:
        _locked_update(conn, m.ActionSheet, sheet_id, loaded, changed, SHEET_FIELDS, "La fiche")
        conn.execute(
            insert(m.ActionSheetHistory),
            [
                {
                    "sheet_id": sheet_id,
                    "changed_at": now,
                    "author": actor.name.strip(),
                    "role": actor.role,
                    "field": key,
                    "old_value": str(loaded[key]),
                    "new_value": str(value),
                    "comment": comment.strip(),
                }
                for key, value in changed.items()
            ],
        )


def add_comment(engine: Engine, actor: Actor, target: str, target_id: int, body: str, text: str) -> None:
    """A dated, attributed comment on a fiche or a project."""
    actor = actor.checked()
    issues = []
    if target not in CommentTarget.labels():
        issues.append(("Commentaire", "Objet", f"objet « {target} » inconnu."))
    if body not in CommentBody.labels():
        issues.append(("Commentaire", "Instance", f"instance « {body} » inconnue."))
    if not text.strip():
        issues.append(("Commentaire", "Texte", "le commentaire est vide."))
    elif len(text) > 4000:
        issues.append(("Commentaire", "Texte", "4 000 caractères au plus."))
    table = m.ActionSheet if target == CommentTarget.FICHE.value else m.Project
    with engine.connect() as conn:
        if not conn.execute(select(table.id).where(table.id == target_id)).first():
            issues.append(("Commentaire", "Objet", f"{target} n° {target_id} introuvable."))
    if issues:
        raise ValidationError(issues)
    with engine.begin() as conn:
        conn.execute(
            insert(m.Comment).values(
                target=target,
                target_id=target_id,
                body=body,
                author=actor.label,
                created_at=datetime.now().replace(microsecond=0),
                text=text.strip(),
            )
        )


def create_meeting(
    engine: Engine, actor: Actor, *, body: str, day: date, title: str, attendance: int | None = None, notes: str = ""
) -> int:
    actor = actor.checked()
    issues = []
    if body not in MeetingBody.labels():
        issues.append(("Séance", "Instance", f"instance « {body} » inconnue."))
    if not title.strip():
        issues.append(("Séance", "Intitulé", "l'intitulé est obligatoire."))
    if attendance is not None and attendance < 0:
        issues.append(("Séance", "Participants", "un nombre positif est attendu."))
    if issues:
        raise ValidationError(issues)
    with engine.begin() as conn:
        return conn.execute(
            insert(m.Meeting).values(
                body=body, date=day, title=title.strip(), attendance=attendance, notes=notes.strip()
            )
        ).inserted_primary_key[0]
