"""Evaluation indicators: the catalogue, entered values, values computed from the register, targets.

Computed indicators are cumulative, as the plan's evaluation is: at the end of each semester, a
project counts when its step that day (:func:`essdash.read.history.project_steps_on`) was
« validé techniquement », « avis favorable », « en cours » or « réalisé », not its status today;
its fundings count from their year; a fiche's status is the one of that day
(:func:`essdash.read.history.sheet_states_on`). Communes count only from the year they joined. The
metropolitan figure of an entered indicator is the sum of the territories for counts (jobs,
people, euros) and their population-weighted mean for rates, shares and scores. :func:`series`
returns a :class:`Series`.

:func:`value_text` writes a value with its unit: counts of people and jobs as whole numbers (an
entered count is a number of persons; a decimal there is an estimate's rounding, not a fraction of
a person), percentages with « % », euros as money.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.engine import Engine
from sqlmodel import col

from essdash.domain import approval, equity, fmt, periods, rules
from essdash.domain import models as m
from essdash.domain.models_evaluation import SemesterApproval
from essdash.domain.vocabulary import ProjectStatus
from essdash.read import followup, plans
from essdash.read.filters import Filters, read_frame
from essdash.read.history import project_steps_on, sheet_states_on

ENGAGED = {
    ProjectStatus.VALIDATED.value,
    ProjectStatus.RETAINED.value,
    ProjectStatus.IN_PROGRESS.value,
    ProjectStatus.DONE.value,
}
COOPERATIVE_FORMS = {"scop", "scic", "cae"}
METRO = "metropole"
METRO_LABEL = "Métropole"


@dataclass(frozen=True)
class Indicator:
    """One indicator of the evaluation catalogue."""

    code: str
    label: str
    category: str
    unit: str
    direction: str  # "up": the more the better; "down": the less
    level: str
    kind: str  # "computed" from the register, or "entered" per semester
    formula: str | None
    min_value: float | None
    max_value: float | None
    definition: str
    source: str
    plan_reference: str

    @classmethod
    def of_row(cls, row: Any) -> Indicator:
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Series:
    """An indicator's values per semester by territory and for the metropolis, with its targets.

    ``values``: DataFrame(period, place, place_name, value, provisional, …) (``provisional``: resting
    on entered values the mission ESS has not validated, :mod:`essdash.domain.approval`);
    ``targets``: DataFrame(period, place, value), ``place`` being a territory code or :data:`METRO`.
    """

    indicator: Indicator
    values: pd.DataFrame
    targets: pd.DataFrame


def catalogue(engine: Engine) -> pd.DataFrame:
    """Every indicator with its category, unit, direction, level, kind, formula, definition, source."""
    return read_frame(engine, select(m.Indicator).order_by(col(m.Indicator.category), col(m.Indicator.code)))


def reference_periods(engine: Engine) -> list[str]:
    """The semesters the dashboard covers: from the first plan's start to the data's reference date."""
    with engine.connect() as conn:
        start = conn.execute(select(func.min(col(m.Plan.start)))).scalar_one_or_none()
    first = periods.of_date(start) if start else "2011-S1"
    last = periods.of_date(followup.as_of(engine))
    return periods.span(first, max(first, last, key=periods.parse))


def _territories(engine: Engine) -> pd.DataFrame:
    return read_frame(
        engine,
        select(col(m.Territory.code), col(m.Territory.name), col(m.Territory.position)).order_by(
            col(m.Territory.position)
        ),
    )


def _communes(engine: Engine) -> pd.DataFrame:
    return read_frame(
        engine,
        select(
            col(m.Commune.insee_code),
            col(m.Commune.territory_code),
            col(m.Commune.population),
            col(m.Commune.member_since),
        ),
    )


def computed_values(engine: Engine, code: str, period_list: list[str]) -> pd.DataFrame:
    """Values of a computed indicator per semester, by territory and for the metropolis.

    Columns ``period``, ``place`` (territory code or ``"metropole"``), ``value``.
    """
    territories = _territories(engine)
    communes = _communes(engine)
    projects = read_frame(
        engine,
        select(
            col(m.Project.id).label("project_id"),
            col(m.Project.commune_code),
            col(m.Project.jobs_created),
            col(m.Project.priority_district),
            col(m.Organisation.legal_form),
            col(m.Project.carrier_id),
        ).join(m.Organisation, col(m.Organisation.id) == col(m.Project.carrier_id)),
    )
    projects = projects.merge(
        communes[["insee_code", "territory_code"]], left_on="commune_code", right_on="insee_code", how="left"
    )
    fundings = read_frame(engine, select(col(m.Funding.project_id), col(m.Funding.amount), col(m.Funding.year)))
    rows = []
    for period in period_list:
        _start, end = periods.bounds(period)
        members = communes[communes["member_since"] <= end.year]
        status = project_steps_on(engine, end)
        sheets = sheet_states_on(engine, end) if code == "part_fiches_engagees" else None
        engaged = projects[projects["project_id"].isin(status.loc[status["status"].isin(ENGAGED), "project_id"])]
        engaged = engaged[engaged["commune_code"].isin(members["insee_code"])]
        money = fundings[(fundings["year"] <= end.year) & fundings["project_id"].isin(engaged["project_id"])]
        money = money.merge(engaged[["project_id", "territory_code"]], on="project_id")
        places: list[tuple[str, Callable[[pd.DataFrame], pd.Series]]] = [
            (t, lambda f, t=t: f["territory_code"] == t) for t in territories["code"]
        ] + [(METRO, lambda f: pd.Series(True, index=f.index))]
        for place, in_place in places:
            here = engaged[in_place(engaged)]
            here_members = members[in_place(members)]
            population = here_members["population"].sum()
            value = _compute(code, here, money[in_place(money)], here_members, population, sheets)
            if place != METRO and code == "part_fiches_engagees":
                continue
            rows.append({"period": period, "place": place, "value": value})
    return pd.DataFrame(rows, columns=["period", "place", "value"])


def _share(part: float, whole: float) -> float:
    return float(part) / float(whole) * 100 if whole else float("nan")


def _compute(
    code: str,
    projects: pd.DataFrame,
    money: pd.DataFrame,
    members: pd.DataFrame,
    population: float,
    sheets: pd.DataFrame | None,
) -> float:
    """One computed indicator for one place and semester (see the catalogue's formulas)."""

    def per10k(count: float) -> float:
        return float(equity.rate_per([count], [population]).iloc[0])

    if code == "projets_pour_10000_hab":
        return per10k(len(projects))
    if code == "emplois_crees_pour_10000_hab":
        return per10k(projects["jobs_created"].sum())
    if code == "montant_engage_par_hab":
        return float(equity.rate_per([money["amount"].sum()], [population], per=1).iloc[0])
    if code == "part_projets_quartiers_prioritaires":
        return _share(projects["priority_district"].astype(bool).sum(), len(projects))
    if code == "part_porteurs_cooperatifs":
        carriers = projects.drop_duplicates("carrier_id")
        return _share(carriers["legal_form"].isin(COOPERATIVE_FORMS).sum(), len(carriers))
    if code == "taux_couverture_communes":
        return _share(members["insee_code"].isin(projects["commune_code"]).sum(), len(members))
    if code == "taux_couverture_population":
        return _share(members.loc[members["insee_code"].isin(projects["commune_code"]), "population"].sum(), population)
    if code == "part_fiches_engagees":
        assert sheets is not None  # read for this indicator
        return _share(sheets["status"].isin({"en_cours", "realisee"}).sum(), len(sheets))
    raise ValueError(f"Indicateur calculé inconnu : « {code} ».")


def _checked(engine: Engine, period_list: list[str]) -> set[tuple[str, str]]:
    """(period, territory) whose values the mission ESS has validated (or locked since)."""
    found = read_frame(
        engine,
        select(col(SemesterApproval.period), col(SemesterApproval.territory_code)).where(
            col(SemesterApproval.state).in_([s.value for s in approval.CHECKED]),
            col(SemesterApproval.period).in_(period_list),
            col(SemesterApproval.territory_code).is_not(None),
        ),
    )
    return set(zip(found["period"], found["territory_code"]))


def entered_values(engine: Engine, code: str, period_list: list[str], unit: str) -> pd.DataFrame:
    """Current (not superseded) values of an entered indicator by territory, plus the metropolis;
    ``provisional``: the value (for the metropolis: one of its territories') is not yet validated."""
    stmt: Select[*tuple[Any, ...]] = select(
        col(m.Measurement.period),
        col(m.Measurement.territory_code).label("place"),
        col(m.Measurement.value),
        col(m.Measurement.provenance),
        col(m.Measurement.source),
    ).where(
        col(m.Measurement.indicator_code) == code,
        col(m.Measurement.superseded_at).is_(None),
        col(m.Measurement.territory_code).is_not(None),
        col(m.Measurement.period).in_(period_list),
    )
    values = read_frame(engine, stmt)
    checked = _checked(engine, period_list)
    values["provisional"] = [(p, t) not in checked for p, t in zip(values["period"], values["place"])]
    communes = _communes(engine)
    rows = []
    for period, group in values.groupby("period"):
        year = periods.parse(period)[0]
        members = communes[communes["member_since"] <= year].groupby("territory_code")["population"].sum()
        weights = group["place"].map(members).fillna(0)
        if unit in rules.SUMMED_UNITS:
            metro = group["value"].sum()
        else:
            metro = float(np.average(group["value"], weights=weights)) if weights.sum() else float("nan")
        rows.append(
            {
                "period": period,
                "place": METRO,
                "value": metro,
                "provenance": None,
                "source": None,
                "provisional": bool(group["provisional"].any()),
            }
        )
    return pd.concat([values, pd.DataFrame(rows)], ignore_index=True) if rows else values


def series(engine: Engine, code: str, filters: Filters, first: str | None = None, last: str | None = None) -> Series:
    """An indicator's values per semester (from ``first`` to ``last``) by territory and for the
    metropolis, with the targets of the semesters of the selection's plan (``filters.plan``)."""
    with engine.connect() as conn:
        row = conn.execute(select(m.Indicator).where(col(m.Indicator.code) == code)).mappings().first()
    if row is None:
        raise ValueError(f"Indicateur inconnu : « {code} ».")
    indicator = Indicator.of_row(row)
    all_periods = reference_periods(engine)
    chosen = [
        p
        for p in all_periods
        if (not first or periods.parse(p) >= periods.parse(first))
        and (not last or periods.parse(p) <= periods.parse(last))
    ]
    if indicator.kind == "computed":
        values = computed_values(engine, code, chosen).assign(provisional=False)
    else:
        values = entered_values(engine, code, chosen, indicator.unit)
    territories = _territories(engine)
    names = dict(zip(territories["code"], territories["name"])) | {METRO: METRO_LABEL}
    values["place_name"] = values["place"].map(names)
    plan = next((p for p in plans.plans(engine) if p.code == filters.plan), None)
    in_plan = [
        p for p in chosen if plan is None or (plan.start <= periods.bounds(p)[1] and periods.bounds(p)[0] <= plan.end)
    ]
    targets = read_frame(
        engine,
        select(col(m.Target.period), col(m.Target.territory_code).label("place"), col(m.Target.value)).where(
            col(m.Target.indicator_code) == code, col(m.Target.period).in_(in_plan)
        ),
    )
    targets["place"] = targets["place"].fillna(METRO)
    return Series(
        indicator=indicator, values=values.sort_values(["period", "place"]).reset_index(drop=True), targets=targets
    )


def value_text(indicator: Indicator, value: float) -> str:
    """A value of ``indicator`` as French text with its unit: « 404 emplois », « 56,7 % », « 1 200 € »."""
    if pd.isna(value):
        return "–"
    if indicator.unit in rules.COUNT_UNITS:
        return f"{fmt.number(round(value))} {indicator.unit}"
    if indicator.unit == "€":
        return fmt.money(value)
    if indicator.unit == "%":
        return fmt.percent(value / 100, 1)
    return f"{fmt.number(value, 1)} {indicator.unit}"


def gaps(values: pd.DataFrame, targets: pd.DataFrame, direction: str, place: str = METRO) -> pd.DataFrame:
    """A place's value (the metropolis by default) against its target per semester: gap = value −
    target, and whether it is met; semesters without a target for that place are left out."""
    metro = values[values["place"] == place][["period", "value"]]
    joined = metro.merge(targets[targets["place"] == place][["period", "value"]], on="period", suffixes=("", "_target"))
    joined["gap"] = joined["value"] - joined["value_target"]
    joined["met"] = joined["gap"] >= 0 if direction == "up" else joined["gap"] <= 0
    return joined


def entry_grid(engine: Engine, code: str, period: str) -> pd.DataFrame:
    """The editable grid of an entered indicator for one semester: one row per territory."""
    territories = _territories(engine)
    current = read_frame(
        engine,
        select(
            col(m.Measurement.territory_code).label("code"),
            col(m.Measurement.value),
            col(m.Measurement.provenance),
            col(m.Measurement.source),
        ).where(
            col(m.Measurement.indicator_code) == code,
            col(m.Measurement.period) == period,
            col(m.Measurement.superseded_at).is_(None),
            col(m.Measurement.territory_code).is_not(None),
        ),
    )
    grid = territories[["code", "name"]].merge(current, on="code", how="left")
    grid["value"] = grid["value"].map(lambda v: "" if pd.isna(v) else f"{v:.10g}".replace(".", ","))
    return grid


def history(engine: Engine, code: str, period: str) -> pd.DataFrame:
    """Every value recorded for an indicator and semester, replaced ones included, newest first."""
    return read_frame(
        engine,
        select(
            col(m.Measurement.territory_code),
            col(m.Measurement.commune_code),
            col(m.Measurement.value),
            col(m.Measurement.provenance),
            col(m.Measurement.source),
            col(m.Measurement.recorded_at),
            col(m.Measurement.recorded_by),
            col(m.Measurement.superseded_at),
        )
        .where(col(m.Measurement.indicator_code) == code, col(m.Measurement.period) == period)
        .order_by(col(m.Measurement.recorded_at).desc(), col(m.Measurement.id).desc()),
    )
