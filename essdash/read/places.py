"""Reads by place: per-commune and per-territory figures (per capita, membership year), project
points for the map, a place against the metropolis, white spots. Aggregates by place use the
primary commune only, so that nothing is counted twice.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.engine import Engine
from sqlmodel import col

from essdash.domain import equity, periods
from essdash.domain import models as m
from essdash.domain.vocabulary import ProjectStatus
from essdash.read.filters import Filters, labels, money_by_project, project_conditions, read_frame, step_on
from essdash.store.reference import inside_metropolis

P, C, T = m.Project, m.Commune, m.Territory


def _without_place(filters: Filters) -> Filters:
    return filters.with_(territory=None, commune=None)


def place_figures(engine: Engine, filters: Filters, level: str = "commune") -> pd.DataFrame:
    """Projects, money and jobs per commune or territory, with per-capita rates.

    Counts follow the projects' primary commune and every filter but the place ones (the map
    compares all places). A commune that had not joined by the end of the period range is marked
    ``member = False`` and left out of populations and rates.
    """
    money = money_by_project(filters.history_day)
    stmt: Select[*tuple[Any, ...]] = (
        select(
            col(P.commune_code).label("insee_code"),
            func.count(col(P.id)).label("projects"),
            func.coalesce(func.sum(money.c.amount), 0.0).label("money"),
            func.coalesce(func.sum(col(P.jobs_created)), 0).label("jobs_created"),
            func.coalesce(func.sum(col(P.jobs_maintained)), 0).label("jobs_maintained"),
        )
        .outerjoin(money, money.c.project_id == col(P.id))
        .where(*project_conditions(_without_place(filters)))
        .group_by(col(P.commune_code))
    )
    counts_ = read_frame(engine, stmt).set_index("insee_code")
    communes = read_frame(
        engine,
        select(
            col(C.insee_code),
            col(C.name),
            col(C.territory_code),
            col(T.name).label("territory"),
            col(C.population),
            col(C.member_since),
            col(T.position),
            col(C.lat),
            col(C.lon),
        )
        .join(T, col(T.code) == col(C.territory_code))
        .order_by(col(C.insee_code)),
    )
    years = [periods.parse(filters.period_to)[0] if filters.period_to else date.today().year]
    last_year = min(years + [filters.history_day.year] if filters.history_day else years)
    communes["member"] = communes["member_since"] <= last_year
    frame = communes.join(counts_, on="insee_code").fillna(
        {"projects": 0, "money": 0.0, "jobs_created": 0, "jobs_maintained": 0}
    )
    frame.loc[~frame["member"], "population"] = 0
    if level == "territory":
        frame = (
            frame.groupby(["territory_code", "territory", "position"], as_index=False)
            .agg(
                population=("population", "sum"),
                projects=("projects", "sum"),
                money=("money", "sum"),
                jobs_created=("jobs_created", "sum"),
                jobs_maintained=("jobs_maintained", "sum"),
                communes=("member", "sum"),
            )
            .sort_values("position")
            .rename(columns={"territory_code": "code", "territory": "name"})
        )
        frame["member"] = True
    else:
        frame = frame.rename(columns={"insee_code": "code"})
    frame["projects_per_10k"] = equity.rate_per(frame["projects"], frame["population"])
    frame["money_per_inhabitant"] = equity.rate_per(frame["money"], frame["population"], per=1)
    frame["jobs_per_10k"] = equity.rate_per(frame["jobs_created"], frame["population"])
    return frame.reset_index(drop=True)


def project_points(engine: Engine, filters: Filters) -> pd.DataFrame:
    """The selection's projects with a map position and how it was obtained.

    ``placed`` is ``"exact"`` (own coordinates inside the metropolis), ``"commune"`` (no
    coordinates: the primary commune's representative point) or ``"outside"`` (coordinates
    outside the metropolis: shown at the commune's point and flagged for correction).
    """
    money = money_by_project(filters.history_day)
    stmt = (
        select(
            col(P.id),
            col(P.title),
            col(m.Organisation.name).label("carrier"),
            col(C.name).label("commune"),
            step_on(filters.history_day).label("status"),
            func.coalesce(money.c.amount, 0.0).label("amount"),
            col(P.jobs_created),
            col(P.lat).label("own_lat"),
            col(P.lon).label("own_lon"),
            col(C.lat).label("commune_lat"),
            col(C.lon).label("commune_lon"),
        )
        .join(m.Organisation, col(m.Organisation.id) == col(P.carrier_id))
        .join(C, col(C.insee_code) == col(P.commune_code))
        .outerjoin(money, money.c.project_id == col(P.id))
        .where(*project_conditions(filters))
        .order_by(col(P.id))
    )
    frame = read_frame(engine, stmt)
    has_point = frame["own_lat"].notna() & frame["own_lon"].notna()
    inside = pd.Series(False, index=frame.index)
    if has_point.any():
        inside[has_point] = inside_metropolis(
            frame.loc[has_point, "own_lat"].to_numpy(), frame.loc[has_point, "own_lon"].to_numpy()
        )
    frame["placed"] = "commune"
    frame.loc[has_point & inside, "placed"] = "exact"
    frame.loc[has_point & ~inside, "placed"] = "outside"
    exact = frame["placed"] == "exact"
    frame["lat"] = frame["own_lat"].where(exact, frame["commune_lat"])
    frame["lon"] = frame["own_lon"].where(exact, frame["commune_lon"])
    frame["status"] = labels(frame["status"], ProjectStatus)
    return frame.drop(columns=["commune_lat", "commune_lon"])


def place_summary(figures: pd.DataFrame, code: str) -> dict[str, Any] | None:
    """One place's figures from :func:`place_figures`, beside the metropolitan rates."""
    rows = figures[figures["code"] == code]
    if rows.empty:
        return None
    row: dict[str, Any] = rows.iloc[0].to_dict()
    totals = figures.loc[figures["member"], ["population", "projects", "money", "jobs_created"]].sum().to_frame().T
    row["metro"] = {
        "projects_per_10k": float(equity.rate_per(totals["projects"], totals["population"]).iloc[0]),
        "money_per_inhabitant": float(equity.rate_per(totals["money"], totals["population"], per=1).iloc[0]),
        "jobs_per_10k": float(equity.rate_per(totals["jobs_created"], totals["population"]).iloc[0]),
    }
    return row


def white_spots(engine: Engine, filters: Filters, last_n: int) -> pd.DataFrame:
    """Member communes with no project (primary commune) proposed in the last ``last_n`` semesters
    up to the end of the period range, with the date of their latest project if any."""
    last = filters.period_to or periods.of_date(date.today())
    first = last
    for _ in range(last_n - 1):
        first = periods.previous(first)
    latest = (
        select(col(P.commune_code), func.max(col(P.proposed_on)).label("latest"))
        .where(*project_conditions(_without_place(filters).with_(period_from=None)))
        .group_by(col(P.commune_code))
        .subquery()
    )
    stmt = (
        select(
            col(C.insee_code),
            col(C.name),
            col(T.name).label("territory"),
            col(C.population),
            latest.c.latest,
        )
        .join(T, col(T.code) == col(C.territory_code))
        .outerjoin(latest, latest.c.commune_code == col(C.insee_code))
        .where(
            col(C.member_since) <= periods.parse(last)[0],
            (latest.c.latest.is_(None)) | (latest.c.latest < periods.bounds(first)[0]),
        )
        .order_by(col(C.population).desc())
    )
    return read_frame(engine, stmt)
