"""The fictional demonstration dataset, generated deterministically from a seed.

Same seed and scale, same database. The dataset sits at the end of the plan (reference date
15 December 2014) and is uneven on purpose: large and priority-district communes get more,
some communes get nothing, so that the equity checks have something to find. Every organisation,
project, amount and indicator value here is invented; only the geography and the plan are real.

This module reads the reference data and writes the dataset in one transaction; the rows come from
:mod:`essdash.store.demo.projects` (the project register, with :mod:`~essdash.store.demo.pipeline`
and :mod:`~essdash.store.demo.fundings`) and :mod:`essdash.store.demo.follow_up` (fiches and
indicators) and :mod:`essdash.store.demo.evaluation` (the semesters' states, the register of
« dysfonctionnements »), with the invented vocabulary of :mod:`essdash.store.demo.names`.
"""

from __future__ import annotations

import gc
import random
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import col

from essdash.domain import models as m
from essdash.domain.models_evaluation import PlanIncident, SemesterApproval, SemesterApprovalStep
from essdash.store.bulk import checked_after, insert_rows
from essdash.store.demo import evaluation as demo_evaluation
from essdash.store.demo.follow_up import indicator_values, sheet_states
from essdash.store.demo.names import AS_OF
from essdash.store.demo.projects import register


def generate(engine: Engine, *, scale: int = 1, seed: int = 2011) -> dict[str, int | str]:
    """Fill an initialised database (reference data loaded) with the demo dataset.

    Returns the meta entries that describe it. Python's cycle collector pauses meanwhile: the rows
    built here (hundreds of thousands at scale 100) hold no cycles, and would otherwise make it walk
    every object of the process (a whole Streamlit server's) again and again.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _generate(engine, scale=scale, seed=seed)
    finally:
        if collecting:
            gc.enable()


def _generate(engine: Engine, *, scale: int, seed: int) -> dict[str, int | str]:
    rng = random.Random(seed)
    with engine.connect() as conn:
        communes = [dict(r) for r in conn.execute(select(m.Commune).order_by(m.Commune.insee_code)).mappings()]
        sheets = [
            dict(r)
            for r in conn.execute(
                select(col(m.ActionSheet.id), col(m.ActionSheet.code), col(m.ActionSheet.parent_id)).order_by(
                    col(m.ActionSheet.id)
                )
            ).mappings()
        ]
        indicators = [dict(r) for r in conn.execute(select(m.Indicator).order_by(m.Indicator.code)).mappings()]
    now = datetime(2014, 12, 15, 18, 0)
    projects = register(rng, communes, sheets, scale=scale, seed=seed, now=now)
    written = [m.table_of(table) for table, _ in projects.tables()] + [
        m.table_of(table)
        for table in (m.Action, m.ActionSheet, m.ActionSheetHistory, m.Target, m.Measurement)
        + (SemesterApproval, SemesterApprovalStep, PlanIncident)
    ]
    with engine.begin() as conn, checked_after(conn, written):
        for table, rows in projects.tables():
            insert_rows(conn, m.table_of(table), rows)
        sheet_rows, history_rows = sheet_states(rng, sheets, {link["sheet_id"] for link in projects.project_sheets})
        actions: dict[int, list[int]] = {}
        for action in conn.execute(select(col(m.Action.id), col(m.Action.sheet_id)).order_by(col(m.Action.id))):
            actions.setdefault(action.sheet_id, []).append(action.id)
        for row in sheet_rows:
            mine = actions.get(row["id"], [])
            done = rng.sample(mine, k=round(len(mine) * row["progress"] / 100))
            if done:
                conn.execute(m.table_of(m.Action).update().where(col(m.Action.id).in_(done)).values(done=True))
            conn.execute(m.table_of(m.ActionSheet).update().where(m.ActionSheet.id == row.pop("id")).values(**row))
        insert_rows(conn, m.table_of(m.ActionSheetHistory), history_rows)
        targets, measurements = indicator_values(rng, indicators, communes, now)
        insert_rows(conn, m.table_of(m.Target), targets)
        insert_rows(conn, m.table_of(m.Measurement), measurements)
        states, steps = demo_evaluation.semester_states(sorted({c["territory_code"] for c in communes}))
        insert_rows(conn, m.table_of(SemesterApproval), states)
        insert_rows(conn, m.table_of(SemesterApprovalStep), steps)
        insert_rows(conn, m.table_of(PlanIncident), demo_evaluation.incidents(conn, now))
    return {"seed": seed, "scale": scale, "as_of": AS_OF.isoformat()}
