"""Writes of the committee's work: its meetings, and its opinions on several proposals at once.

Each takes the acting person; a write applies whole or raises :class:`ValidationError` (French
messages) and leaves the database as it was.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlmodel import col

from essdash.domain import models as m
from essdash.domain import rules
from essdash.domain.errors import ValidationError
from essdash.domain.vocabulary import Deed, MeetingBody, OpinionValue, ProjectStatus
from essdash.store import clock
from essdash.store.db import locked_transaction
from essdash.store.sql import new_id
from essdash.write import once as once_
from essdash.write.actor import Actor
from essdash.write.gate import authorize
from essdash.write.project_checks import PROJECT_FIELDS
from essdash.write.projects import OPINION_STATUS
from essdash.write.records import locked_update, text_field


@once_.replayable
def record_opinions(
    engine: Engine, actor: Actor, meeting_id: int | None, items: list[dict[str, Any]], *, once: str | None = None
) -> int:
    """Record the committee's opinions on several proposals at once: all, or none; returns their number.

    ``items`` hold ``project`` (the loaded project row, with ``id`` and ``version``), ``opinion``
    and ``comment``; items without an opinion are skipped. ``once``: the form's one-time token (see
    :mod:`essdash.write.once`)."""
    permit = authorize(engine, actor, Deed.OPINION, whole=True)
    actor = permit.actor
    chosen = [item for item in items if item.get("opinion")]
    with engine.connect() as conn:
        meeting = conn.execute(select(m.Meeting).where(col(m.Meeting.id) == meeting_id)).mappings().first()
    if meeting is None or meeting["body"] != MeetingBody.COMMITTEE.value:
        raise ValidationError([("Séance", "Séance", "choisissez une séance du comité métropolitain.")])
    issues, reasons = [], []
    for item in chosen:
        found = _check_opinion(item)
        reasons.append(found.pop())
        issues += [(f"Projet n° {item['project']['id']}", column, message) for _, column, message in found]
    if issues:
        raise ValidationError(issues)
    now = clock.now(engine)
    with locked_transaction(engine, permit) as conn:
        once_.check(conn, once, Deed.OPINION, lambda _: f"Ces avis sont déjà enregistrés (séance n° {meeting_id}).")
        for item, reason in zip(chosen, reasons):
            project, opinion = item["project"], OpinionValue(item["opinion"])
            target = OPINION_STATUS[opinion]
            locked_update(
                conn,
                m.Project,
                project["id"],
                project,
                {"status": target.value, "updated_at": now},
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
                    account=actor.account,
                    comment=reason or f"Avis {opinion.label.lower()} du comité.",
                )
            )
            conn.execute(
                insert(m.Opinion).values(
                    project_id=project["id"],
                    meeting_id=meeting_id,
                    value=opinion.value,
                    comment=reason,
                    author=actor.label,
                    account=actor.account,
                )
            )
        if chosen:
            once_.spend(conn, once, Deed.OPINION, len(chosen), actor, now)
            permit.log(conn, f"{len(chosen)} avis du comité (séance n° {meeting_id})", now)
    return len(chosen)


def _check_opinion(item: dict[str, Any]) -> list[Any]:
    """The issues of one opinion, then its clean reason (last)."""
    issues: list[Any] = []
    reason = text_field(issues, "Projet", "Motif", item.get("comment"), max_length=rules.COMMENT_LENGTH, multiline=True)
    project = item["project"]
    if project["status"] != ProjectStatus.VALIDATED.value:
        issues.append(
            (
                "Projet",
                "Étape",
                f"le projet est à l'étape « {ProjectStatus(project['status']).label} », pas en attente d'avis.",
            )
        )
    if item["opinion"] not in OpinionValue.labels():
        issues.append(("Projet", "Avis", f"avis « {item['opinion']} » inconnu."))
    elif item["opinion"] == OpinionValue.UNFAVORABLE.value and not reason:
        issues.append(("Projet", "Motif", "un avis défavorable doit être motivé."))
    return [*issues, reason]


@once_.replayable
def create_meeting(
    engine: Engine,
    actor: Actor,
    *,
    body: str,
    day: date,
    title: str,
    attendance: int | None = None,
    notes: str = "",
    once: str | None = None,
) -> int:
    """Record a meeting of one of the bodies; returns its id. ``once``: the form's one-time token
    (see :mod:`essdash.write.once`)."""
    permit = authorize(engine, actor, Deed.MEETING, nowhere=True)
    actor = permit.actor
    issues: list[Any] = []
    if body not in MeetingBody.labels():
        issues.append(("Séance", "Instance", f"instance « {body} » inconnue."))
    title = text_field(issues, "Séance", "Intitulé", title, required="l'intitulé est obligatoire.")
    notes = text_field(issues, "Séance", "Notes", notes, max_length=rules.LONG_LENGTH, multiline=True)
    if attendance is not None:
        try:
            attendance = rules.count(attendance)
        except ValueError:
            issues.append(("Séance", "Participants", "un nombre positif est attendu."))
    try:
        day = rules.day(day)
    except ValueError as exc:
        issues.append(("Séance", "Date", str(exc)))
    if issues:
        raise ValidationError(issues)
    now = clock.now(engine)
    with locked_transaction(engine, permit) as conn:
        once_.check(conn, once, Deed.MEETING, lambda first: f"Cette séance est déjà enregistrée (séance n° {first}).")
        meeting_id = new_id(
            conn.execute(
                insert(m.Meeting).values(
                    body=body,
                    date=day,
                    title=title,
                    attendance=attendance,
                    notes=notes,
                    author=actor.label,
                    account=actor.account,
                )
            )
        )
        once_.spend(conn, once, Deed.MEETING, meeting_id, actor, now)
        permit.log(conn, f"Séance n° {meeting_id} : {title}", now)
    return meeting_id
