"""Writes of indicator values: typed in French habits, checked by the rule book
(:mod:`essdash.domain.rules`), saved in one transaction that holds the write lock from its
start, so that two people saving at once cannot both leave a « current » value; a replaced value
is kept (``superseded_at``), so the history is cumulative."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine
from sqlmodel import col

from essdash.domain import approval, fmt, periods, rules
from essdash.domain import models as m
from essdash.domain.errors import ValidationError
from essdash.domain.vocabulary import Deed, Provenance
from essdash.read import approval as approval_read
from essdash.read import indicators
from essdash.store import clock
from essdash.store.db import locked_transaction
from essdash.write.actor import Actor
from essdash.write.gate import authorize
from essdash.write.records import text_field


def _provenance(raw: object) -> str:
    text = str(raw or "").strip().lower()
    for member in Provenance:
        if text in (member.value, member.label.lower()):
            return str(member.value)
    raise ValueError(f"provenance « {raw} » inconnue (attendu : déclaré, vérifié ou estimé).")


def save_measurements(engine: Engine, actor: Actor, code: str, period: str, rows: list[dict[str, Any]]) -> int:
    """Record an entered indicator's values for one semester, one row per territory.

    ``rows`` hold ``code`` (territory), ``value``, ``provenance`` and ``source``; empty values
    are left alone. A changed value supersedes the current one, which is kept. Returns the number
    of values written; raises ``ValidationError`` listing every refused cell, writing nothing.
    A person who answers for one territory may enter that territory's values only, and values are
    written only while their territory's semester is « en saisie » (:func:`essdash.domain.approval.entry_refusal`).
    """
    given = [row.get("code") for row in rows if not _blank(row.get("value"))]
    permit = authorize(
        engine,
        actor,
        Deed.MEASUREMENT,
        **({"territories": [c for c in given if c], "whole": not all(given)} if given else {"nowhere": True}),
    )
    actor = permit.actor
    with engine.connect() as conn:
        indicator = conn.execute(select(m.Indicator).where(col(m.Indicator.code) == code)).mappings().first()
        names: dict[object, str] = dict(conn.execute(select(col(m.Territory.code), col(m.Territory.name))).all())
    if indicator is None:
        raise ValidationError([("Saisie", "Indicateur", f"indicateur « {code} » inconnu.")])
    if indicator["kind"] != "entered":
        raise ValidationError([("Saisie", "Indicateur", f"« {indicator['label']} » est calculé, il ne se saisit pas.")])
    try:
        periods.parse(period)
        if period not in indicators.reference_periods(engine):
            raise ValueError(f"le semestre « {period} » est hors de la période suivie.")
    except ValueError as exc:
        raise ValidationError([("Saisie", "Semestre", str(exc))]) from exc
    issues: list[tuple[str, str, str]] = []
    clean: list[dict[str, Any]] = []
    for row in rows:
        place = names.get(row.get("code"), row.get("code") or "?")
        if row.get("code") not in names:
            issues.append((place, "Territoire", f"territoire « {row.get('code')} » inconnu."))
            continue
        raw = row.get("value")
        if _blank(raw):
            continue
        try:
            value = rules.indicator_value(raw, indicator["unit"])
            rules.check_indicator_bounds(value, indicator["min_value"], indicator["max_value"], indicator["unit"])
        except ValueError as exc:
            issues.append((place, "Valeur", str(exc)))
            continue
        try:
            provenance = _provenance(row.get("provenance") or Provenance.DECLARED.value)
        except ValueError as exc:
            issues.append((place, "Provenance", str(exc)))
            continue
        source = text_field(issues, place, "Source", row.get("source"), required="indiquez la source de la valeur.")
        clean.append({"code": row["code"], "value": value, "provenance": provenance, "source": source})
    if issues:
        raise ValidationError(issues)
    now = clock.now(engine)
    written = 0
    with locked_transaction(engine, permit) as conn:
        closed = approval_read.recorded_states(conn, period)
        refused = []
        for row in clean:
            current = conn.execute(
                select(
                    col(m.Measurement.id),
                    col(m.Measurement.value),
                    col(m.Measurement.provenance),
                    col(m.Measurement.source),
                ).where(
                    col(m.Measurement.indicator_code) == code,
                    col(m.Measurement.period) == period,
                    m.Measurement.territory_code == row["code"],
                    col(m.Measurement.commune_code).is_(None),
                    col(m.Measurement.superseded_at).is_(None),
                )
            ).first()
            if current and (current.value, current.provenance, current.source) == (
                row["value"],
                row["provenance"],
                row["source"],
            ):
                continue
            state = closed.get((period, row["code"]), approval.SemesterState.ENTRY)
            if refusal := approval.entry_refusal(state, names[row["code"]], fmt.period_label(period)):
                refused.append((names[row["code"]], "Semestre", refusal))
                continue
            if current:
                conn.execute(update(m.Measurement).where(m.Measurement.id == current.id).values(superseded_at=now))
            conn.execute(
                insert(m.Measurement).values(
                    indicator_code=code,
                    period=period,
                    territory_code=row["code"],
                    value=row["value"],
                    provenance=row["provenance"],
                    source=row["source"],
                    recorded_at=now,
                    recorded_by=actor.label,
                    account=actor.account,
                )
            )
            written += 1
        if refused:
            raise ValidationError(refused)
        if written:
            permit.log(conn, f"{written} valeur(s) de « {indicator['label']} », {period}", now)
    return written


def _blank(raw: object) -> bool:
    """An empty cell of the entry grid: nothing to save."""
    return raw is None or (isinstance(raw, str) and not raw.strip()) or raw != raw
