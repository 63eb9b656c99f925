"""The open-data facts of a project, entered in its form: its carrier's SIRET and RNA number and the
convention facts of its fundings (SCDL « Subventions » 2.1.1). One write, asked of the gate for that
project, checked whole by :mod:`essdash.domain.subsidies` (a French refusal writes nothing), journaled.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlmodel import col

from essdash.domain import models as m
from essdash.domain import subsidies
from essdash.domain.errors import ValidationError
from essdash.domain.vocabulary import Deed
from essdash.store import clock
from essdash.store.db import locked_transaction
from essdash.write.actor import Actor
from essdash.write.gate import authorize

CARRIER = (("siret", "SIRET du porteur", subsidies.siret), ("rna", "N° RNA du porteur", subsidies.rna))
FUNDING = (
    ("convention_date", "date de la convention", subsidies.convention_date),
    ("decision_reference", "référence de la décision", subsidies.reference),
    ("nature", "nature de la subvention", subsidies.nature),
    ("payment_conditions", "conditions de versement", subsidies.conditions),
    ("payment_dates", "dates de versement", subsidies.payment_dates),
    ("eu_notification", "notification UE", lambda value: bool(value)),
    ("beneficiary_share", "part du bénéficiaire", subsidies.share),
    ("aid_scheme", "dispositif d'aide", subsidies.scheme),
)


def _clean(
    fields: Iterable[tuple[str, str, Callable[[Any], Any]]], given: dict[str, Any], place: str, issues: list[Any]
) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, label, check in fields:
        if key not in given:
            continue
        try:
            clean[key] = subsidies.optional(check, given[key])
        except ValueError as exc:
            issues.append((place, label, str(exc)))
    return clean


def save_open_data(
    engine: Engine, actor: Actor, project_id: int, carrier: dict[str, Any], fundings: dict[int, dict[str, Any]]
) -> int:
    """Save the carrier's identifiers (``carrier``: siret, rna) and each funding's facts (``fundings``:
    funding id → facts) of ``project_id``; an empty value clears a field. Returns how many rows changed."""
    permit = authorize(engine, actor, Deed.PROJECT, project_id=project_id)
    issues: list[tuple[str, str, str]] = []
    identifiers = _clean(CARRIER, carrier, "Porteur", issues)
    facts = {fid: _clean(FUNDING, given, f"Financement n° {fid}", issues) for fid, given in fundings.items()}
    if issues:
        raise ValidationError(issues)
    now = clock.now(engine)
    with locked_transaction(engine, permit) as conn:
        carrier_id = conn.execute(select(col(m.Project.carrier_id)).where(col(m.Project.id) == project_id)).scalar_one()
        own = set(conn.execute(select(col(m.Funding.id)).where(col(m.Funding.project_id) == project_id)).scalars())
        strangers = sorted(set(facts) - own)
        if strangers:
            raise ValidationError(
                [(f"Financement n° {strangers[0]}", "projet", "n'est pas un financement de ce projet.")]
            )
        changed = 0
        if identifiers:
            changed += conn.execute(
                update(m.Organisation).where(col(m.Organisation.id) == carrier_id).values(**identifiers)
            ).rowcount
        for fid, values in sorted(facts.items()):
            if values:
                changed += conn.execute(update(m.Funding).where(col(m.Funding.id) == fid).values(**values)).rowcount
        permit.log(
            conn,
            f"Projet n° {project_id} : données ouvertes (SIRET, RNA, conventions) enregistrées pour le porteur et "
            f"{len(facts)} financement(s).",
            now,
        )
    return changed
