"""Writes of the register of the plan's « dysfonctionnements » and reorientations: what happened, on
which fiche or project, decided at which meeting, what changed; entered directly or drawn from a
comment (the entry then names it, and takes its fiche or project when none is given)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlmodel import col

from essdash.domain import models as m
from essdash.domain import rules
from essdash.domain.errors import ValidationError
from essdash.domain.models_evaluation import PlanIncident
from essdash.domain.vocabulary import CommentTarget, Deed, IncidentKind
from essdash.store import clock
from essdash.store.db import locked_transaction
from essdash.store.sql import new_id
from essdash.write import once as once_
from essdash.write.actor import Actor
from essdash.write.gate import authorize
from essdash.write.records import text_field

WHERE = "Dysfonctionnement"


@once_.replayable
def add_incident(
    engine: Engine,
    actor: Actor,
    *,
    day: date | str,
    kind: str,
    what: str,
    change: str = "",
    sheet_id: int | None = None,
    project_id: int | None = None,
    meeting_id: int | None = None,
    comment_id: int | None = None,
    once: str | None = None,
) -> int:
    """A dated entry of the register; returns its id. It names a fiche or a project (or a comment on
    one); ``meeting_id`` is where it was decided. ``once``: the form's one-time token."""
    permit = authorize(engine, actor, Deed.INCIDENT, nowhere=True)
    actor = permit.actor
    issues: list[tuple[str, str, str]] = []
    try:
        when = rules.day(day)
    except ValueError as exc:
        issues.append((WHERE, "Date", str(exc)))
    if kind not in IncidentKind.labels():
        issues.append((WHERE, "Nature", f"nature « {kind} » inconnue (dysfonctionnement ou réorientation)."))
    what = text_field(
        issues, WHERE, "Constat", what, required="décrivez ce qui s'est passé.", max_length=rules.COMMENT_LENGTH
    )
    change = text_field(issues, WHERE, "Ce qui a changé", change, max_length=rules.COMMENT_LENGTH, multiline=True)
    with engine.connect() as conn:
        if comment_id is not None:
            comment = conn.execute(
                select(col(m.Comment.target), col(m.Comment.target_id)).where(col(m.Comment.id) == comment_id)
            ).first()
            if comment is None:
                issues.append((WHERE, "Commentaire", f"commentaire n° {comment_id} introuvable."))
            elif sheet_id is None and project_id is None:
                on_sheet = comment.target == CommentTarget.SHEET.value
                sheet_id, project_id = (comment.target_id, None) if on_sheet else (None, comment.target_id)
        for table, number, label in (
            (m.ActionSheet, sheet_id, "fiche"),
            (m.Project, project_id, "projet"),
            (m.Meeting, meeting_id, "séance"),
        ):
            if number is not None and not conn.execute(select(col(table.id)).where(col(table.id) == number)).first():
                issues.append((WHERE, label.capitalize(), f"{label} n° {number} introuvable."))
    if sheet_id is None and project_id is None:
        issues.append((WHERE, "Objet", "indiquez la fiche ou le projet concerné."))
    if issues:
        raise ValidationError(issues)
    now = clock.now(engine)
    with locked_transaction(engine, permit) as conn:
        once_.check(conn, once, Deed.INCIDENT, lambda first: f"Cette entrée est déjà enregistrée (n° {first}).")
        entry = new_id(
            conn.execute(
                insert(PlanIncident).values(
                    day=when,
                    kind=kind,
                    what=what,
                    change=change,
                    sheet_id=sheet_id,
                    project_id=project_id,
                    meeting_id=meeting_id,
                    comment_id=comment_id,
                    recorded_at=now,
                    author=actor.label,
                    account=actor.account,
                )
            )
        )
        once_.spend(conn, once, Deed.INCIDENT, entry, actor, now)
        permit.log(conn, f"{IncidentKind(kind).label} du {when:%d/%m/%Y} : {what[:200]}", now)
    return entry
