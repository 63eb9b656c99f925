"""Writes of the steps of a semester's indicator values (:mod:`essdash.domain.approval`): submit,
validate, send back, lock, reopen, for one or several places at once (a territory's code, or
``None`` for the metropolis's own values).

The gate checks the step's kind of write at those places (a technician submits their territory
only; only an administrator reopens); the states are read and changed inside the locked transaction,
so two people taking steps at once cannot both move the same place. Each step of each place leaves
a dated row (who, role, from, to, reason) and the write its journal line; a refusal is French and
writes nothing.
"""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine
from sqlmodel import col

from essdash.domain import approval, fmt, periods, rules
from essdash.domain.errors import ValidationError
from essdash.domain.models import Territory
from essdash.domain.models_evaluation import SemesterApproval, SemesterApprovalStep
from essdash.read import approval as approval_read
from essdash.read import indicators
from essdash.store import clock
from essdash.store.db import locked_transaction
from essdash.write.actor import Actor
from essdash.write.gate import authorize
from essdash.write.records import text_field

WHERE = "Semestre"


def take_step(engine: Engine, actor: Actor, period: str, step: str, places: list[str | None], reason: str = "") -> int:
    """Take ``step`` (« soumettre », « valider », « renvoyer », « verrouiller », « rouvrir ») for the
    values of ``period`` at ``places`` (territory codes; ``None``: the metropolis); returns the number
    of places moved. Every place must be in a state the step leaves, or nothing moves."""
    try:
        chosen = approval.step_of(step)
    except ValueError as exc:
        raise ValidationError([(WHERE, "Étape", str(exc))]) from exc
    codes = sorted({p for p in places if p is not None})
    where = {"whole": True} if None in places else {"territories": codes} if codes else {"nowhere": True}
    permit = authorize(engine, actor, chosen.deed, **where)
    actor = permit.actor
    issues: list[tuple[str, str, str]] = []
    if not places:
        issues.append((WHERE, "Lieux", "choisissez au moins un territoire."))
    try:
        periods.parse(period)
        if period not in indicators.reference_periods(engine):
            raise ValueError(f"le semestre « {period} » est hors de la période suivie.")
    except ValueError as exc:
        issues.append((WHERE, "Semestre", str(exc)))
    reason = text_field(issues, WHERE, "Motif", reason, max_length=rules.COMMENT_LENGTH, multiline=True)
    if refused := approval.reason_refusal(chosen, reason):
        issues.append((WHERE, "Motif", refused))
    with engine.connect() as conn:
        names = dict(conn.execute(select(col(Territory.code), col(Territory.name))).all())
    issues += [(WHERE, "Lieux", f"territoire « {c} » inconnu.") for c in codes if c not in names]
    if issues:
        raise ValidationError(issues)
    label = fmt.period_label(period)
    now = clock.now(engine)
    ordered = sorted(set(places), key=lambda p: (p is None, p or ""))
    with locked_transaction(engine, permit) as conn:
        found = approval_read.recorded_states(conn, period)
        refusals = []
        for place in ordered:
            state = found.get((period, place), approval.SemesterState.ENTRY)
            name = names.get(place, indicators.METRO_LABEL) if place else indicators.METRO_LABEL
            if refused := approval.step_refusal(chosen, state, name, label):
                refusals.append((name, "État", refused))
        if refusals:
            raise ValidationError(refusals)
        for place in ordered:
            state = found.get((period, place), approval.SemesterState.ENTRY)
            stamp = {"state": chosen.target.value, "changed_at": now, "changed_by": actor.label}
            stamp["account"] = actor.account
            if (period, place) in found:
                same = (
                    col(SemesterApproval.territory_code).is_(None)
                    if place is None
                    else col(SemesterApproval.territory_code) == place
                )
                conn.execute(
                    update(SemesterApproval).where(col(SemesterApproval.period) == period, same).values(**stamp)
                )
            else:
                conn.execute(insert(SemesterApproval).values(period=period, territory_code=place, **stamp))
            conn.execute(
                insert(SemesterApprovalStep).values(
                    period=period,
                    territory_code=place,
                    step=chosen.code,
                    from_state=state.value,
                    to_state=chosen.target.value,
                    at=now,
                    author=actor.label,
                    role=actor.role_label,
                    reason=reason,
                    account=actor.account,
                )
            )
        shown = ", ".join(names.get(p, indicators.METRO_LABEL) if p else indicators.METRO_LABEL for p in ordered)
        permit.log(conn, f"{chosen.label} : valeurs du {label}, {shown}" + (f" — {reason}" if reason else ""), now)
    return len(ordered)
