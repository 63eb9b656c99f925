"""Reads of the register of the plan's « dysfonctionnements » and reorientations, with French
headers (the fiche by its code, the project by its number and title, the meeting by its title and
date), for a semester or all; and the evaluation's tables as files (CSV or XLSX through
:mod:`essdash.spreadsheet.files`, which neutralises any cell a spreadsheet would run as a formula).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Select, select
from sqlalchemy.engine import Engine
from sqlmodel import col

from essdash.domain import models as m
from essdash.domain import periods
from essdash.domain.models_evaluation import PlanIncident
from essdash.domain.vocabulary import IncidentKind
from essdash.read.filters import read_frame

HEADERS = {
    "id": "N°",
    "day": "Date",
    "kind": "Nature",
    "sheet": "Fiche",
    "project": "Projet",
    "meeting": "Décidé en séance",
    "what": "Constat",
    "change": "Ce qui a changé",
    "comment_id": "Commentaire n°",
    "author": "Consigné par",
}


def register(engine: Engine, period: str | None = None) -> pd.DataFrame:
    """The entries of the register, oldest first (those of ``period`` only, if given), French headers."""
    stmt: Select[*tuple[Any, ...]] = (
        select(
            col(PlanIncident.id),
            col(PlanIncident.day),
            col(PlanIncident.kind),
            col(m.ActionSheet.code).label("sheet"),
            col(PlanIncident.project_id),
            col(m.Project.title).label("project_title"),
            col(m.Meeting.title).label("meeting_title"),
            col(m.Meeting.date).label("meeting_day"),
            col(PlanIncident.what),
            col(PlanIncident.change),
            col(PlanIncident.comment_id),
            col(PlanIncident.author),
        )
        .outerjoin(m.ActionSheet, col(m.ActionSheet.id) == col(PlanIncident.sheet_id))
        .outerjoin(m.Project, col(m.Project.id) == col(PlanIncident.project_id))
        .outerjoin(m.Meeting, col(m.Meeting.id) == col(PlanIncident.meeting_id))
        .order_by(col(PlanIncident.day), col(PlanIncident.id))
    )
    if period is not None:
        first, last = periods.bounds(period)
        stmt = stmt.where(col(PlanIncident.day) >= first, col(PlanIncident.day) <= last)
    found = read_frame(engine, stmt)
    table = pd.DataFrame(
        {
            "id": found["id"],
            "day": found["day"],
            "kind": found["kind"].map(IncidentKind.labels()),
            "sheet": found["sheet"],
            "project": [
                None if pd.isna(number) else f"n° {int(number)} — {title}"
                for number, title in zip(found["project_id"], found["project_title"])
            ],
            "meeting": [
                None if pd.isna(title) else f"{title} ({day:%d/%m/%Y})"
                for title, day in zip(found["meeting_title"], found["meeting_day"])
            ],
            "what": found["what"],
            "change": found["change"],
            "comment_id": found["comment_id"].astype("Int64"),
            "author": found["author"],
        }
    )
    return table.rename(columns=HEADERS)


def recent_comments(engine: Engine, limit: int = 20) -> pd.DataFrame:
    """The latest comments on fiches and projects (newest first), each with what it is about
    (« Fiche II.3 », « Projet n° 12 — … »), from which an entry of the register can be drawn."""
    target = col(m.Comment.target_id)
    found = read_frame(
        engine,
        select(
            col(m.Comment.id),
            col(m.Comment.created_at),
            col(m.Comment.target),
            col(m.Comment.target_id),
            col(m.Comment.author),
            col(m.Comment.text),
            col(m.ActionSheet.code).label("sheet"),
            col(m.Project.title).label("project"),
        )
        .outerjoin(m.ActionSheet, (col(m.Comment.target) == "fiche") & (col(m.ActionSheet.id) == target))
        .outerjoin(m.Project, (col(m.Comment.target) == "projet") & (col(m.Project.id) == target))
        .order_by(col(m.Comment.created_at).desc(), col(m.Comment.id).desc())
        .limit(limit),
    )
    found["about"] = [
        f"Fiche {sheet}" if target == "fiche" else f"Projet n° {number} — {title}"
        for target, number, sheet, title in zip(found["target"], found["target_id"], found["sheet"], found["project"])
    ]
    return found[["id", "created_at", "about", "author", "text"]]


def comment(engine: Engine, comment_id: int) -> dict[str, Any] | None:
    """One comment (``id``, ``about``, ``author``, ``text``…), or ``None``."""
    with engine.connect() as conn:
        row = conn.execute(select(m.Comment).where(col(m.Comment.id) == comment_id)).mappings().first()
    return None if row is None else dict(row)
