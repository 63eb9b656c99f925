"""Reads of the committee's work: its meetings, the proposals awaiting an opinion and the
pipeline, the next committee's agenda, what changed between two dates, and the opinions given at a
meeting. The agenda, the changes and the meetings travel as frozen dataclasses.

Scope: the proposals, steps, opinions and money are those of the selection's projects; the fiches
are, when a place is chosen, those its projects serve (the Plan d'actions page's rule,
:func:`essdash.read.sheet_filters.narrow`), else every fiche of the plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import CompoundSelect, and_, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import col

from essdash.domain import models as m
from essdash.domain.vocabulary import MeetingBody, OpinionValue, ProjectStatus
from essdash.read.filters import Filters, project_conditions, read_frame, step_on
from essdash.read.followup import as_of, sheet_tree
from essdash.read.sheet_filters import narrow

S, P = m.ActionSheet, m.Project

PIPELINE_STEPS = (ProjectStatus.PROPOSED, ProjectStatus.RETURNED, ProjectStatus.VALIDATED)


@dataclass(frozen=True)
class Meeting:
    """One meeting of a body of the plan (committee, technicians' group…)."""

    id: int
    body: str
    date: date
    title: str
    attendance: int | None
    notes: str

    @classmethod
    def of_row(cls, row: dict[str, Any]) -> Meeting:
        attendance = row["attendance"]
        return cls(
            id=int(row["id"]),
            body=row["body"],
            date=row["date"],
            title=row["title"],
            attendance=None if pd.isna(attendance) else int(attendance),
            notes=row["notes"] or "",
        )


@dataclass(frozen=True)
class Agenda:
    """The next committee's agenda: the last and next committee meetings, the proposals awaiting its
    opinion, the fiches changed since the last one and the late fiches."""

    last: Meeting | None
    following: Meeting | None
    awaiting: pd.DataFrame
    sheets_changed: pd.DataFrame
    late: pd.DataFrame


@dataclass(frozen=True)
class Changes:
    """What happened after ``start`` up to ``end`` (included): new projects, steps, opinions, money
    of the projects retained, and changes of fiches; ``money_by_project`` is that money per project
    (``project_id``, ``amount``). ``sheets_scoped`` says whether the fiches are those the
    selection's projects serve (a place is chosen) rather than every fiche of the plan."""

    start: date
    end: date
    new_projects: pd.DataFrame
    steps: pd.DataFrame
    opinions: pd.DataFrame
    money: float
    sheets: pd.DataFrame
    money_by_project: pd.DataFrame
    sheets_scoped: bool = False

    @property
    def empty(self) -> bool:
        """Nothing happened: no new project, step, opinion or change of fiche."""
        return bool(self.new_projects.empty and self.steps.empty and self.opinions.empty and self.sheets.empty)


def pipeline(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Projects waiting at each step before the committee's opinion, per territory, with how long
    they have waited since their last step (in days), on the selection's day (its ``as_of``)."""
    day = filters.day
    today = pd.Timestamp(day)
    last = (
        select(col(m.ProjectEvent.project_id), func.max(col(m.ProjectEvent.date)).label("since"))
        .where(col(m.ProjectEvent.date) <= day)
        .group_by(col(m.ProjectEvent.project_id))
        .subquery()
    )
    step = step_on(filters.history_day)
    rows = read_frame(
        engine,
        select(
            col(P.id),
            step.label("status"),
            col(m.Territory.name).label("territory"),
            col(m.Territory.position),
            last.c.since,
        )
        .join(m.Commune, col(m.Commune.insee_code) == col(P.commune_code))
        .join(m.Territory, col(m.Territory.code) == col(m.Commune.territory_code))
        .outerjoin(last, last.c.project_id == col(P.id))
        .where(*project_conditions(filters), step.in_([s.value for s in PIPELINE_STEPS])),
    )
    rows["waiting_days"] = (today - pd.to_datetime(rows["since"])).dt.days
    summary = rows.groupby(["position", "territory", "status"], as_index=False).agg(
        projects=("id", "count"), median_days=("waiting_days", "median"), max_days=("waiting_days", "max")
    )
    summary["step"] = summary["status"].map(ProjectStatus.labels())
    return summary.sort_values(["position", "status"]).drop(columns="position").reset_index(drop=True)


def meetings(engine: Engine, body: str | None = None) -> pd.DataFrame:
    stmt = select(m.Meeting).order_by(col(m.Meeting.date).desc())
    if body:
        stmt = stmt.where(col(m.Meeting.body) == body)
    frame = read_frame(engine, stmt)
    frame["body_label"] = frame["body"].map(MeetingBody.labels())
    return frame


def committees(engine: Engine, day: date | None = None) -> tuple[Meeting | None, Meeting | None]:
    """The last committee meeting held before ``day`` (default: the data's reference date), and the
    next one (on or after)."""
    today = day or as_of(engine)
    held = meetings(engine, MeetingBody.COMMITTEE.value)
    before, after = held[held["date"] < today], held[held["date"] >= today]
    last = Meeting.of_row(before.iloc[0].to_dict()) if not before.empty else None
    following = Meeting.of_row(after.iloc[-1].to_dict()) if not after.empty else None
    return last, following


def awaiting_opinion(engine: Engine, filters: Filters = Filters(), at: date | None = None) -> pd.DataFrame:
    """Proposals validated by the technicians and awaiting the committee (adjourned ones included),
    today or, with ``at``, as they stood on that day (their step that day, :func:`step_on`)."""
    validated = read_frame(
        engine,
        select(col(m.ProjectEvent.project_id), func.max(col(m.ProjectEvent.date)).label("date"))
        .where(
            col(m.ProjectEvent.to_status) == ProjectStatus.VALIDATED.value,
            col(m.ProjectEvent.date) <= (at or date.max),
        )
        .group_by(col(m.ProjectEvent.project_id)),
    ).set_index("project_id")["date"]
    waiting = step_on(at) == ProjectStatus.VALIDATED.value
    frame = read_frame(
        engine,
        select(
            col(P.id),
            col(P.version),
            col(P.status),
            col(P.title),
            col(m.Organisation.name).label("carrier"),
            col(m.Commune.name).label("commune"),
            col(m.Territory.name).label("territory"),
            col(P.jobs_created),
        )
        .join(m.Organisation, col(m.Organisation.id) == col(P.carrier_id))
        .join(m.Commune, col(m.Commune.insee_code) == col(P.commune_code))
        .join(m.Territory, col(m.Territory.code) == col(m.Commune.territory_code))
        .where(waiting, *project_conditions(filters.with_(as_of=at, latest=False))),
    )
    frame["validated_on"] = frame["id"].map(validated)
    return frame.sort_values(["validated_on", "id"]).reset_index(drop=True)


def _served_sheets(filters: Filters) -> CompoundSelect[Any]:
    """The ids of the fiches the selection's projects serve (a sub-fiche's parent included)."""
    parent = aliased(S, name="parent_sheet")
    served = (
        select(col(m.ProjectSheet.sheet_id))
        .join(P, col(P.id) == col(m.ProjectSheet.project_id))
        .where(*project_conditions(filters))
    )
    parents = select(col(parent.parent_id)).where(col(parent.id).in_(served), col(parent.parent_id).is_not(None))
    return served.union(parents)


def agenda(engine: Engine, filters: Filters) -> Agenda:
    """The next committee's agenda, built from the data: the selection's proposals, and, when a
    place is chosen, the fiches its projects serve (as on the Plan d'actions page); on the
    selection's day (its ``as_of``): the committee that followed that day."""
    day = filters.day
    last, following = committees(engine, day)
    since = last.date if last else date.min
    stmt = (
        select(
            col(S.code),
            col(S.title),
            col(m.ActionSheetHistory.changed_at),
            col(m.ActionSheetHistory.field),
            col(m.ActionSheetHistory.old_value),
            col(m.ActionSheetHistory.new_value),
            col(m.ActionSheetHistory.author),
            col(m.ActionSheetHistory.comment),
        )
        .join(S, col(S.id) == col(m.ActionSheetHistory.sheet_id))
        .where(
            col(m.ActionSheetHistory.changed_at) > since,
            col(m.ActionSheetHistory.changed_at) < day + timedelta(days=1),
        )
        .order_by(col(m.ActionSheetHistory.changed_at))
    )
    if filters.is_place_filtered:
        stmt = stmt.where(col(S.id).in_(_served_sheets(filters)))
    late = narrow(sheet_tree(engine, filters), late_only=True, with_projects=filters.is_place_filtered)
    return Agenda(
        last=last,
        following=following,
        awaiting=awaiting_opinion(engine, filters, at=filters.history_day),
        sheets_changed=read_frame(engine, stmt),
        late=late[["code", "title", "pilot", "planned_end", "status_label", "progress"]],
    )


def changes_between(engine: Engine, start: date, end: date, filters: Filters = Filters()) -> Changes:
    """What happened after ``start`` up to ``end`` (included): the committee's "since last time",
    for the selection's projects (its place and criteria; its period and reference day are ignored)."""
    selection = project_conditions(filters.with_(period_from=None, period_to=None, as_of=None))
    new = read_frame(
        engine,
        select(col(P.id), col(P.title), col(P.proposed_on))
        .where(col(P.proposed_on) > start, col(P.proposed_on) <= end, *selection)
        .order_by(col(P.proposed_on), col(P.id)),
    )
    steps = read_frame(
        engine,
        select(
            col(m.ProjectEvent.date),
            col(P.id),
            col(P.title),
            col(m.ProjectEvent.from_status),
            col(m.ProjectEvent.to_status),
            col(m.ProjectEvent.author),
        )
        .join(P, col(P.id) == col(m.ProjectEvent.project_id))
        .where(
            col(m.ProjectEvent.date) > start,
            col(m.ProjectEvent.date) <= end,
            col(m.ProjectEvent.from_status).is_not(None),
            *selection,
        )
        .order_by(col(m.ProjectEvent.date), col(m.ProjectEvent.id)),
    )
    for column in ("from_status", "to_status"):
        steps[column] = steps[column].map(ProjectStatus.labels())
    opinions = read_frame(
        engine,
        select(col(m.Meeting.date), col(P.id), col(P.title), col(m.Opinion.value), col(m.Opinion.comment))
        .join(m.Meeting, col(m.Meeting.id) == col(m.Opinion.meeting_id))
        .join(P, col(P.id) == col(m.Opinion.project_id))
        .where(col(m.Meeting.date) > start, col(m.Meeting.date) <= end, *selection)
        .order_by(col(m.Meeting.date), col(P.id)),
    )
    opinions["value"] = opinions["value"].map(OpinionValue.labels())
    retained = (
        select(col(m.ProjectEvent.project_id))
        .join(P, col(P.id) == col(m.ProjectEvent.project_id))
        .where(
            col(m.ProjectEvent.to_status) == ProjectStatus.RETAINED.value,
            col(m.ProjectEvent.date) > start,
            col(m.ProjectEvent.date) <= end,
            *selection,
        )
    )
    money = read_frame(
        engine,
        select(col(m.Funding.project_id), func.sum(col(m.Funding.amount)).label("amount"))
        .where(col(m.Funding.project_id).in_(retained))
        .group_by(col(m.Funding.project_id))
        .order_by(col(m.Funding.project_id)),
    )
    scoped = filters.is_place_filtered
    sheets = select(
        col(m.ActionSheetHistory.changed_at),
        col(S.code),
        col(S.title),
        col(m.ActionSheetHistory.field),
        col(m.ActionSheetHistory.old_value),
        col(m.ActionSheetHistory.new_value),
        col(m.ActionSheetHistory.author),
    ).join(S, col(S.id) == col(m.ActionSheetHistory.sheet_id))
    if scoped:
        sheets = sheets.where(
            col(S.id).in_(_served_sheets(filters.with_(period_from=None, period_to=None, as_of=None)))
        )
    sheets = sheets.where(
        and_(
            func.date(col(m.ActionSheetHistory.changed_at)) > start,
            func.date(col(m.ActionSheetHistory.changed_at)) <= end,
        )
    ).order_by(col(m.ActionSheetHistory.changed_at), col(m.ActionSheetHistory.id))
    return Changes(
        start=start,
        end=end,
        new_projects=new,
        steps=steps,
        opinions=opinions,
        money=float(money["amount"].sum()),
        sheets=read_frame(engine, sheets),
        money_by_project=money,
        sheets_scoped=scoped,
    )


def opinions_at(engine: Engine, meeting_id: int, filters: Filters = Filters()) -> pd.DataFrame:
    """The opinions given at one meeting, with the projects' titles and communes."""
    return read_frame(
        engine,
        select(
            col(P.id), col(P.title), col(m.Commune.name).label("commune"), col(m.Opinion.value), col(m.Opinion.comment)
        )
        .join(m.Opinion, col(m.Opinion.project_id) == col(P.id))
        .join(m.Commune, col(m.Commune.insee_code) == col(P.commune_code))
        .where(col(m.Opinion.meeting_id) == meeting_id, *project_conditions(filters))
        .order_by(col(P.id)),
    )
