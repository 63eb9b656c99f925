"""Writes of the beneficiaries' questionnaires: the mission ESS opens one for a project or a fiche
and receives its one-time links; whoever holds a link answers once, without an account.

A link's secret is shown once, to whom opened the questionnaire, and never stored: the base keeps
its SHA-256 digest (:func:`essdash.domain.voices.digest`). An answer spends its link under the write
lock, so two answers sent with the same link, from any process, give one answer and one refusal.
Nothing ties an answer to its link or to a person; the journal says only which questionnaire was
answered.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine
from sqlmodel import col

from essdash.domain import models as m
from essdash.domain import models_voices as mv
from essdash.domain import periods
from essdash.domain import voices as dv
from essdash.domain.errors import ValidationError
from essdash.domain.vocabulary import Deed
from essdash.read import voices as read_voices
from essdash.store import clock
from essdash.store.db import locked_transaction
from essdash.store.sql import new_id
from essdash.write import once as once_
from essdash.write.actor import Actor
from essdash.write.gate import RESPONDENT, authorize
from essdash.write.records import text_field

SECRET_BYTES = 24  # 32 URL-safe characters: not to be guessed
USED = "Ce lien a déjà servi : chaque lien ne permet qu'une réponse. Merci de votre participation."
UNKNOWN = "Ce lien n'est pas (ou plus) valable : vérifiez l'adresse reçue, ou demandez-en une autre à la mission ESS."


class Opened(int):
    """What :func:`open_questionnaire` returns: the questionnaire's id, with ``links``, the secrets of
    its one-time links (shown once, never stored)."""

    links: tuple[str, ...]

    def __new__(cls, questionnaire_id: int, links: tuple[str, ...]) -> Opened:
        made = super().__new__(cls, questionnaire_id)
        made.links = links
        return made


@once_.replayable
def open_questionnaire(
    engine: Engine,
    actor: Actor,
    *,
    project_id: int | None = None,
    sheet_id: int | None = None,
    title: str,
    questions: list[str],
    links: int,
    once: str | None = None,
) -> int:
    """A questionnaire on a project or a fiche (exactly one), with questions of the catalogue and
    ``links`` one-time links; returns :class:`Opened` (its id and the links' secrets)."""
    if (project_id is None) == (sheet_id is None):
        raise ValidationError([("Questionnaire", "Objet", "choisissez un projet ou une fiche (un seul des deux).")])
    where = {"project_id": project_id} if project_id is not None else {"nowhere": True}
    permit = authorize(engine, actor, Deed.QUESTIONNAIRE, **where)
    actor = permit.actor
    issues: list[tuple[str, str, str]] = []
    title = text_field(issues, "Questionnaire", "Titre", title, required="donnez un titre au questionnaire.")
    codes = [q.code for q in read_voices.catalogue()]
    chosen = [code for code in codes if code in set(questions or ())]
    if not questions or len(chosen) != len(set(questions)):
        issues.append(("Questionnaire", "Questions", "choisissez des questions du catalogue (au moins une)."))
    if isinstance(links, bool) or not isinstance(links, int) or not 1 <= links <= dv.MAX_LINKS:
        issues.append(("Questionnaire", "Liens", f"le nombre de liens doit aller de 1 à {dv.MAX_LINKS}."))
    table, target = (m.Project, project_id) if project_id is not None else (m.ActionSheet, sheet_id)
    with engine.connect() as conn:
        if not conn.execute(select(col(table.id)).where(col(table.id) == target)).first():
            what = "projet" if project_id is not None else "fiche"
            issues.append(("Questionnaire", "Objet", f"{what} n° {target} introuvable."))
    if issues:
        raise ValidationError(issues)
    secrets_ = tuple(secrets.token_urlsafe(SECRET_BYTES) for _ in range(links))
    now = clock.now(engine)
    with locked_transaction(engine, permit) as conn:
        once_.check(
            conn,
            once,
            Deed.QUESTIONNAIRE,
            lambda first: f"Ce questionnaire est déjà ouvert (n° {first}) ; ses liens ont été donnés à ce moment-là.",
        )
        made = new_id(
            conn.execute(
                insert(mv.Questionnaire).values(
                    project_id=project_id,
                    sheet_id=sheet_id,
                    title=title,
                    questions=",".join(chosen),
                    links=links,
                    opened_at=now,
                    author=actor.label,
                    account=actor.account,
                )
            )
        )
        conn.execute(insert(mv.VoiceToken), [{"digest": dv.digest(s), "questionnaire_id": made} for s in secrets_])
        once_.spend(conn, once, Deed.QUESTIONNAIRE, made, actor, now)
        on = f"projet n° {project_id}" if project_id is not None else f"fiche n° {sheet_id}"
        permit.log(conn, f"Questionnaire n° {made} ouvert sur le {on} : {links} liens", now)
    return Opened(made, secrets_)


def answer(engine: Engine, secret: str, answers: dict[str, object], *, at: datetime | None = None) -> int:
    """The answer given through the link of secret ``secret``; returns the answer's id. An unknown or
    spent link, or answers the rule book refuses, are refused in French and nothing is written."""
    permit = authorize(engine, RESPONDENT, Deed.ANSWER, nowhere=True)
    if not dv.valid_secret(secret):
        raise ValidationError([("Questionnaire", "Lien", UNKNOWN)])
    found = read_voices.questionnaire_of(engine, secret)
    if found is None:
        raise ValidationError([("Questionnaire", "Lien", UNKNOWN)])
    if found.used:
        raise ValidationError([("Questionnaire", "Lien", USED)])
    kept = dv.clean_answers(found.questions, answers)
    now = at or clock.now(engine)
    with locked_transaction(engine, permit) as conn:
        spent = conn.execute(
            update(mv.VoiceToken)
            .where(col(mv.VoiceToken.digest) == dv.digest(secret), col(mv.VoiceToken.used_at).is_(None))
            .values(used_at=now)
        ).rowcount
        if spent != 1:  # another answer with this link got the lock first
            raise ValidationError([("Questionnaire", "Lien", USED)])
        response = new_id(
            conn.execute(
                insert(mv.VoiceResponse).values(
                    questionnaire_id=found.id, answered_at=now, period=periods.of_date(now.date())
                )
            )
        )
        conn.execute(
            insert(mv.VoiceAnswer),
            [{"response_id": response, "question": code, "score": s, "text": t} for code, (s, t) in kept.items()],
        )
        permit.log(conn, f"Réponse au questionnaire n° {found.id}", now)
    return response
