"""Writes of comments: dated, attributed remarks on a fiche or a project (participatory evaluation)."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlmodel import col

from essdash.domain import models as m
from essdash.domain import rules
from essdash.domain.errors import ValidationError
from essdash.domain.vocabulary import CommentBody, CommentTarget, Deed
from essdash.store import clock
from essdash.store.db import locked_transaction
from essdash.store.sql import new_id
from essdash.write import once as once_
from essdash.write.actor import Actor
from essdash.write.gate import authorize
from essdash.write.records import text_field


@once_.replayable
def add_comment(
    engine: Engine, actor: Actor, target: str, target_id: int, body: str, text: str, *, once: str | None = None
) -> int:
    """A dated, attributed comment on a fiche or a project (a project's comment lands in its communes);
    returns its id. ``once``: the form's one-time token (see :mod:`essdash.write.once`)."""
    on_project = target == CommentTarget.PROJECT.value
    permit = authorize(engine, actor, Deed.COMMENT, **({"project_id": target_id} if on_project else {"nowhere": True}))
    actor = permit.actor
    issues = []
    if target not in CommentTarget.labels():
        issues.append(("Commentaire", "Objet", f"objet « {target} » inconnu."))
    if body not in CommentBody.labels():
        issues.append(("Commentaire", "Instance", f"instance « {body} » inconnue."))
    text = text_field(
        issues,
        "Commentaire",
        "Texte",
        text,
        required="le commentaire est vide.",
        max_length=rules.COMMENT_LENGTH,
        multiline=True,
    )
    table = m.ActionSheet if target == CommentTarget.SHEET.value else m.Project
    with engine.connect() as conn:
        if not conn.execute(select(col(table.id)).where(col(table.id) == target_id)).first():
            issues.append(("Commentaire", "Objet", f"{target} n° {target_id} introuvable."))
    if issues:
        raise ValidationError(issues)
    now = clock.now(engine)
    with locked_transaction(engine, permit) as conn:
        once_.check(conn, once, Deed.COMMENT, lambda first: f"Ce commentaire est déjà enregistré (n° {first}).")
        comment_id = new_id(
            conn.execute(
                insert(m.Comment).values(
                    target=target,
                    target_id=target_id,
                    body=body,
                    author=actor.label,
                    account=actor.account,
                    created_at=now,
                    text=text,
                )
            )
        )
        once_.spend(conn, once, Deed.COMMENT, comment_id, actor, now)
        permit.log(conn, f"Commentaire sur {CommentTarget(target).label.lower()} n° {target_id}", now)
    return comment_id
