"""Reads for the follow-up of the plan: the fiche tree with its roll-ups, a fiche's timeline and
comments, the fiches' dated history, and the data's reference date.

"En retard" is :func:`essdash.domain.lifecycle.late` on the reference date. On a past day (``Filters.history_day``),
the tree is the one of that day: fiches' status and declared progress from
:func:`essdash.read.history.sheet_states_on`, projects proposed by then at their step that day
(:func:`essdash.read.filters.step_on`) with the fundings up to that year, lateness on that day.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import col

from essdash.domain import lifecycle
from essdash.domain import models as m
from essdash.domain.vocabulary import ProjectStatus, SheetStatus
from essdash.read import history
from essdash.read.filters import Filters, in_plan, money_by_project, project_conditions, read_frame, step_on

S, P = m.ActionSheet, m.Project


COUNTED = {
    ProjectStatus.VALIDATED.value,
    ProjectStatus.RETAINED.value,
    ProjectStatus.IN_PROGRESS.value,
    ProjectStatus.DONE.value,
}


PROGRESS_RULE = (
    "Avancement calculé : moyenne de la part des actions réalisées et de l'avancement des "
    "projets liés (réalisé = 1, en cours = ½, validé ou retenu = 0 ; projets refusés, "
    "renvoyés ou abandonnés exclus) ; une fiche à sous-fiches prend la moyenne de ses "
    "sous-fiches."
)


def as_of(engine: Engine) -> date:
    """The data's reference date (the demo sits in December 2014), else today."""
    with engine.connect() as conn:
        value = conn.execute(select(col(m.MetaEntry.value)).where(col(m.MetaEntry.key) == "as_of")).scalar_one_or_none()
    return date.fromisoformat(value) if value else date.today()


def sheet_tree(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Every fiche of the selection's plan (``filters.plan``) with axis, parent, status, declared and
    computed progress, late flag on ``filters.as_of``, and its linked projects' count, money and jobs
    (for the selection's projects), today or on ``filters.history_day``."""
    today, plan = filters.day, filters.plan
    parent = aliased(S, name="parent")
    sheets = read_frame(
        engine,
        select(
            col(S.id),
            col(S.code),
            col(S.title),
            col(S.pilot),
            col(S.planned_start),
            col(S.planned_end),
            col(S.status),
            col(S.progress),
            col(S.version),
            col(S.position),
            col(parent.code).label("parent_code"),
            col(m.Axis.code).label("axis"),
            col(m.Axis.title).label("axis_title"),
        )
        .join(m.Axis, col(m.Axis.id) == col(S.axis_id))
        .outerjoin(parent, col(parent.id) == col(S.parent_id))
        .where(*([in_plan(S, plan)] if plan else []))
        .order_by(col(S.position)),
    )
    actions = read_frame(
        engine,
        select(
            col(m.Action.sheet_id),
            func.count(col(m.Action.id)).label("actions"),
            func.sum(case((col(m.Action.done), 1), else_=0)).label("actions_done"),
        ).group_by(col(m.Action.sheet_id)),
    )
    if filters.history_day:
        states = history.sheet_states_on(engine, filters.history_day).set_index("sheet_id")
        sheets["status"] = sheets["id"].map(states["status"])
        sheets["progress"] = sheets["id"].map(states["progress"])
    money = money_by_project(filters.history_day)
    step = step_on(filters.history_day)
    score = case(  # a project's share of its fiche's progress, by step; other steps do not count
        (step == ProjectStatus.DONE.value, 1.0),
        (step == ProjectStatus.IN_PROGRESS.value, 0.5),
        (step.in_([ProjectStatus.VALIDATED.value, ProjectStatus.RETAINED.value]), 0.0),
        else_=None,
    )
    per_sheet = read_frame(
        engine,
        select(
            col(m.ProjectSheet.sheet_id),
            func.count(col(P.id)).label("projects"),
            func.coalesce(func.sum(func.coalesce(money.c.amount, 0.0)), 0.0).label("money"),
            func.coalesce(func.sum(col(P.jobs_created)), 0).label("jobs"),
            func.avg(score).label("project_progress"),
        )
        .join(P, col(P.id) == col(m.ProjectSheet.project_id))
        .outerjoin(money, money.c.project_id == col(P.id))
        .where(*project_conditions(filters))
        .group_by(col(m.ProjectSheet.sheet_id)),
    )
    per_sheet = per_sheet.astype({"projects": int, "money": float, "jobs": int, "project_progress": float})
    per_sheet = per_sheet.set_index("sheet_id")
    tree = sheets.merge(actions, left_on="id", right_on="sheet_id", how="left").drop(columns="sheet_id")
    tree = tree.merge(per_sheet, left_on="id", right_index=True, how="left")
    tree = tree.fillna({"actions": 0, "actions_done": 0, "projects": 0, "money": 0.0, "jobs": 0})
    tree[["actions", "actions_done"]] = tree[["actions", "actions_done"]].astype(int)
    action_share = tree["actions_done"].astype(float) / tree["actions"].where(tree["actions"] > 0).astype(float)
    tree["computed_progress"] = pd.concat([action_share, tree["project_progress"]], axis=1).mean(axis=1) * 100
    for code in tree.loc[tree["parent_code"].isna(), "code"]:
        children = tree[tree["parent_code"] == code]
        if not children.empty:
            tree.loc[tree["code"] == code, "computed_progress"] = children["computed_progress"].mean()
            for column in ("projects", "money", "jobs"):
                tree.loc[tree["code"] == code, column] += children[column].sum()
    tree["late"] = lifecycle.late(tree["planned_end"], tree["status"], today)
    tree["status_label"] = tree["status"].map(SheetStatus.labels())
    return tree.drop(columns=["project_progress"])


def sheet_detail(engine: Engine, code: str, filters: Filters) -> dict[str, Any] | None:
    """A fiche of the selection's plan (``filters.plan``): its fields, actions, linked projects and
    dated timeline (changes and comments)."""
    plan = filters.plan
    with engine.connect() as conn:
        row = (
            conn.execute(
                select(S, col(m.Axis.title).label("axis_title"))
                .join(m.Axis, col(m.Axis.id) == col(S.axis_id))
                .where(col(S.code) == code, *([in_plan(S, plan)] if plan else []))
            )
            .mappings()
            .first()
        )
    if row is None:
        return None
    detail = dict(row)
    detail["actions"] = read_frame(
        engine,
        select(col(m.Action.id), col(m.Action.title), col(m.Action.text), col(m.Action.done))
        .where(col(m.Action.sheet_id) == detail["id"])
        .order_by(col(m.Action.position)),
    )
    detail["projects"] = read_frame(
        engine,
        select(col(P.id), col(P.title), col(m.Commune.name).label("commune"), col(P.status), col(P.jobs_created))
        .join(m.ProjectSheet, col(m.ProjectSheet.project_id) == col(P.id))
        .join(m.Commune, col(m.Commune.insee_code) == col(P.commune_code))
        .where(col(m.ProjectSheet.sheet_id) == detail["id"])
        .order_by(col(P.proposed_on).desc()),
    )
    detail["projects"]["status"] = detail["projects"]["status"].map(ProjectStatus.labels())
    history = read_frame(
        engine,
        select(
            col(m.ActionSheetHistory.changed_at).label("at"),
            col(m.ActionSheetHistory.author),
            col(m.ActionSheetHistory.role),
            col(m.ActionSheetHistory.field),
            col(m.ActionSheetHistory.old_value),
            col(m.ActionSheetHistory.new_value),
            col(m.ActionSheetHistory.comment),
        ).where(col(m.ActionSheetHistory.sheet_id) == detail["id"]),
    )
    history["kind"] = "change"
    comments = read_frame(
        engine,
        select(
            col(m.Comment.created_at).label("at"),
            col(m.Comment.author),
            col(m.Comment.body).label("role"),
            col(m.Comment.text).label("comment"),
        ).where(col(m.Comment.target) == "fiche", col(m.Comment.target_id) == detail["id"]),
    )
    comments["kind"] = "comment"
    detail["timeline"] = pd.concat([history, comments], ignore_index=True).sort_values("at", ascending=False)
    return detail


def project_comments(engine: Engine, project_id: int) -> pd.DataFrame:
    return read_frame(
        engine,
        select(
            col(m.Comment.created_at),
            col(m.Comment.author),
            col(m.Comment.body),
            col(m.Comment.text),
            col(m.Comment.id),
        )
        .where(col(m.Comment.target) == "projet", col(m.Comment.target_id) == project_id)
        .order_by(col(m.Comment.created_at).desc()),
    )


def sheet_history(engine: Engine) -> pd.DataFrame:
    """Every dated change of every fiche, oldest first."""
    return read_frame(
        engine,
        select(
            col(m.ActionSheetHistory.sheet_id),
            col(m.ActionSheetHistory.changed_at),
            col(m.ActionSheetHistory.field),
            col(m.ActionSheetHistory.new_value),
        ).order_by(col(m.ActionSheetHistory.changed_at), col(m.ActionSheetHistory.id)),
    )
