"""The action plans of the base: their list, and which one a page shows.

Several plans follow one another (2011–2014, then the next ones); projects and carriers are shared
by all. A page shows one plan: the one the URL names (``?plan=CODE``), else the plan in force on
the reference date (the latest started on or before it), else the earliest. A fiche of a later
plan may continue fiches of earlier ones (:func:`correspondences`, the carry-over).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import col

from essdash.domain import models as m
from essdash.read.filters import read_frame

FICTIONAL = "plan fictif de démonstration"


@dataclass(frozen=True)
class PlanInfo:
    """A plan as lists and selectors show it."""

    id: int
    code: str
    title: str
    start: date
    end: date
    adopted_on: date
    source: str
    fictional: bool
    sheets: int

    @property
    def label(self) -> str:
        """Its years and code, flagged when the plan is made up: « 2011–2014 · PMDE-ESS-2011-2014 »."""
        years = f"{self.start.year}–{self.end.year}"
        return f"{years} · {self.code}" + (f" ({FICTIONAL})" if self.fictional else "")


def plans(engine: Engine) -> list[PlanInfo]:
    """Every plan, the earliest first, with its number of fiches."""
    sheets = (
        select(col(m.Axis.plan_id), func.count(col(m.ActionSheet.id)).label("sheets"))
        .join(m.ActionSheet, col(m.ActionSheet.axis_id) == col(m.Axis.id))
        .group_by(col(m.Axis.plan_id))
        .subquery()
    )
    P = m.Plan
    stmt = (
        select(
            col(P.id),
            col(P.code),
            col(P.title),
            col(P.start),
            col(P.end),
            col(P.adopted_on),
            col(P.source),
            col(P.fictional),
            func.coalesce(sheets.c.sheets, 0),
        )
        .outerjoin(sheets, sheets.c.plan_id == col(m.Plan.id))
        .order_by(col(m.Plan.start), col(m.Plan.code))
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return [PlanInfo(r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7]), int(r[8])) for r in rows]


def in_force(known: list[PlanInfo], on: date | None) -> PlanInfo | None:
    """The plan in force on ``on``: the latest started on or before it, else the earliest."""
    if not known:
        return None
    if on is None:
        return known[0]
    started = [p for p in known if p.start <= on]
    return started[-1] if started else known[0]


def correspondences(engine: Engine, plan: str) -> pd.DataFrame:
    """The fiches of earlier plans that fiches of ``plan`` continue: old plan, old fiche, new fiche."""
    old, new = aliased(m.ActionSheet, name="old_sheet"), aliased(m.ActionSheet, name="new_sheet")
    old_axis, new_axis = aliased(m.Axis, name="old_axis"), aliased(m.Axis, name="new_axis")
    old_plan, new_plan = aliased(m.Plan, name="old_plan"), aliased(m.Plan, name="new_plan")
    c = m.SheetCorrespondence
    stmt: Select[*tuple[Any, ...]] = (
        select(
            col(old_plan.code).label("old_plan"),
            col(old.code).label("old_code"),
            col(old.title).label("old_title"),
            col(new.code).label("new_code"),
            col(new.title).label("new_title"),
        )
        .select_from(c)
        .join(old, col(old.id) == col(c.old_sheet_id))
        .join(old_axis, col(old_axis.id) == col(old.axis_id))
        .join(old_plan, col(old_plan.id) == col(old_axis.plan_id))
        .join(new, col(new.id) == col(c.new_sheet_id))
        .join(new_axis, col(new_axis.id) == col(new.axis_id))
        .join(new_plan, col(new_plan.id) == col(new_axis.plan_id))
        .where(col(new_plan.code) == plan)
        .order_by(col(old_plan.start), col(old.position), col(new.position))
    )
    return read_frame(engine, stmt)
