"""Import of an action plan from a file: the plans that follow the 2011–2014 one are data.

The file is read and checked whole by :func:`essdash.write.plans.file.read_plan` (YAML or XLSX, every
problem reported in French); a refused plan leaves the database as it was. An accepted one is
written here in one transaction, through the gate (:class:`~essdash.domain.vocabulary.Deed`
``SETTINGS``), and journalled.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import col

from essdash.domain import models as m
from essdash.domain.errors import ValidationError
from essdash.domain.vocabulary import Deed
from essdash.store import clock
from essdash.store.db import locked_transaction
from essdash.store.plan import insert_plan
from essdash.write.actor import Actor
from essdash.write.gate import authorize
from essdash.write.plans.file import PLAN, PlanFacts, read_plan


@dataclass(frozen=True)
class Imported:
    """What an accepted import wrote."""

    code: str
    axes: int
    sheets: int
    actions: int


def import_plan(
    engine: Engine, actor: Actor | None, data: bytes, file_name: str, facts: PlanFacts | None = None
) -> Imported:
    """Check the plan of a file whole, then write it in one transaction (a refusal writes nothing)."""
    permit = authorize(engine, actor, Deed.SETTINGS, nowhere=True)
    plan = read_plan(data, file_name, facts)
    now = clock.now(engine)
    with locked_transaction(engine, permit) as conn:
        if conn.execute(select(col(m.Plan.id)).where(col(m.Plan.code) == plan.code)).first() is not None:
            raise ValidationError([(PLAN, "Code", f"le plan « {plan.code} » existe déjà dans la base.")])
        sheets, actions = insert_plan(conn, plan)
        fictional = " (plan fictif)" if plan.fictional else ""
        permit.log(conn, f"Plan importé — {plan.code}{fictional} : {sheets} fiches, depuis « {file_name} »", now)
    return Imported(plan.code, len(plan.axes), sheets, actions)
