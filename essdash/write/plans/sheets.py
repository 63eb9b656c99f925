"""Writes of the action plan's fiches: status and declared progress, each change a dated history row."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from essdash.domain import models as m
from essdash.domain import rules
from essdash.domain.errors import ValidationError
from essdash.domain.vocabulary import Deed, SheetStatus
from essdash.store import clock
from essdash.store.db import locked_transaction
from essdash.write.actor import Actor
from essdash.write.gate import authorize
from essdash.write.records import locked_update, text_field

SHEET_FIELDS = {"status": "Statut", "progress": "Avancement déclaré (%)"}


def update_sheet(
    engine: Engine, actor: Actor, sheet_id: int, loaded: dict[str, Any], *, status: str, progress: int, comment: str
) -> None:
    """Change a fiche's status or declared progress: a comment is required, and every change is a
    dated history row with who and why."""
    permit = authorize(engine, actor, Deed.SHEET, nowhere=True)
    actor = permit.actor
    issues = []
    if status not in SheetStatus.labels():
        issues.append(("Fiche", "Statut", f"statut « {status} » inconnu."))
    if not isinstance(progress, int) or not 0 <= progress <= 100:
        issues.append(("Fiche", "Avancement", "un pourcentage entre 0 et 100 est attendu."))
    comment = text_field(
        issues,
        "Fiche",
        "Commentaire",
        comment,
        required="expliquez la modification : elle entre dans l'historique du plan.",
        max_length=rules.COMMENT_LENGTH,
        multiline=True,
    )
    if issues:
        raise ValidationError(issues)
    changed = {k: v for k, v in (("status", status), ("progress", progress)) if loaded[k] != v}
    if not changed:
        raise ValidationError([("Fiche", "Statut", "ni le statut ni l'avancement n'ont changé.")])
    now = clock.now(engine)
    with locked_transaction(engine, permit) as conn:
        locked_update(conn, m.ActionSheet, sheet_id, loaded, changed, SHEET_FIELDS, "La fiche")
        conn.execute(
            insert(m.ActionSheetHistory),
            [
                {
                    "sheet_id": sheet_id,
                    "changed_at": now,
                    "author": actor.name,
                    "role": actor.role_label,
                    "account": actor.account,
                    "field": key,
                    "old_value": str(loaded[key]),
                    "new_value": str(value),
                    "comment": comment,
                }
                for key, value in changed.items()
            ],
        )
        permit.log(conn, f"Fiche n° {sheet_id} : " + ", ".join(SHEET_FIELDS[k].lower() for k in changed), now)
