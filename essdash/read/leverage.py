"""Reads of the leverage of a euro (« 1 € → x € », :mod:`essdash.domain.leverage` holds the
definitions): for the selection, per project, fiche, territory, commune and funder type, and the
equity of leverage between places with the statistics of the Équité page.

Scope and date follow the other money figures (:func:`essdash.read.filters.money_by_project`): the
selection's projects (:func:`~essdash.read.filters.project_conditions`, so a territory or commune
holds a project whose primary or further commune is there), and on a reference day the fundings of
the years up to that day's year. Tables by place, as on the Carte and Équité pages, attach a project
to its primary commune only (nothing counted twice) and compare every place, whatever the place
filter. A fiche holds the projects linked to it or to one of its sub-fiches, as the fiche filter does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Select, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import col

from essdash.domain import equity, fmt
from essdash.domain import leverage as lv
from essdash.domain import models as m
from essdash.read.equity_report import Finding
from essdash.read.filters import Filters, project_conditions, read_frame

P, C, T = m.Project, m.Commune, m.Territory
HEADERS = {
    "code": "Code",
    "id": "N°",
    "title": "Projet",
    "territory": "Territoire",
    "commune": "Commune",
    "projects": "Projets",
    "funded": "Projets financés",
    "total": "Financements comptés (€)",
    "metropolis": "Euros de Lille Métropole",
    "metropolis_others": "Autres financeurs avec Lille Métropole (€)",
    "metropolis_leverage": "1 € de Lille Métropole → €",
    "citizen": "Euros d'épargne citoyenne",
    "citizen_others": "Autres financeurs avec l'épargne citoyenne (€)",
    "citizen_leverage": "1 € d'épargne citoyenne → €",
    "lq": "Effet levier de Lille Métropole / moyenne",
    "kind": "Nature du financeur",
    "metropolis_per_euro": "Par euro de Lille Métropole (€)",
    "citizen_per_euro": "Par euro d'épargne citoyenne (€)",
}
"""French labels of the leverage tables' columns, shared by the Financements page and the exports
(a kind table's ``metropolis`` and ``citizen`` columns are relabelled by :data:`KIND_HEADERS`)."""
KIND_HEADERS = HEADERS | {
    "metropolis": "Avec Lille Métropole (€)",
    "citizen": "Avec l'épargne citoyenne (€)",
}
LEVER_COLUMNS = [f"{lever}{suffix}" for lever in lv.LEVERS for suffix in ("", "_others", "_leverage")]


def funding_lines(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Every funding line of the selection's projects (on a reference day, of the years up to its
    year): ``project_id``, ``funder``, ``kind``, ``type``, ``amount``."""
    years = [col(m.Funding.year) <= filters.history_day.year] if filters.history_day else []
    stmt: Select[*tuple[Any, ...]] = (
        select(
            col(m.Funding.project_id),
            col(m.Funder.name).label("funder"),
            col(m.Funder.kind),
            col(m.Funding.type),
            col(m.Funding.amount),
        )
        .join(m.Funder, col(m.Funder.id) == col(m.Funding.funder_id))
        .join(P, col(P.id) == col(m.Funding.project_id))
        .where(*project_conditions(filters), *years)
        .order_by(col(m.Funding.id))
    )
    frame = read_frame(engine, stmt)
    if frame.empty:
        frame = pd.DataFrame({"project_id": [], "funder": [], "kind": [], "type": [], "amount": []})
    return frame.astype({"amount": float})


class _Source:
    """The funding lines and projects of each selection, read once for all the tables built from them
    (one page shows several tables over the same selection and over all places)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lines: dict[Filters, pd.DataFrame] = {}
        self._money: dict[Filters, pd.DataFrame] = {}
        self._projects: dict[Filters, pd.DataFrame] = {}

    def lines(self, filters: Filters) -> pd.DataFrame:
        if filters not in self._lines:
            self._lines[filters] = funding_lines(self.engine, filters)
        return self._lines[filters]

    def money(self, filters: Filters) -> pd.DataFrame:
        """:func:`essdash.domain.leverage.lever_money` of the selection's lines."""
        if filters not in self._money:
            self._money[filters] = lv.lever_money(self.lines(filters))
        return self._money[filters]

    def projects(self, scope: Filters) -> pd.DataFrame:
        """``id``, ``commune_code``, ``territory_code`` of the projects of ``scope``."""
        if scope not in self._projects:
            self._projects[scope] = read_frame(
                self.engine,
                select(col(P.id), col(P.commune_code), col(C.territory_code))
                .join(C, col(C.insee_code) == col(P.commune_code))
                .where(*project_conditions(scope)),
            )
        return self._projects[scope]


@dataclass(frozen=True)
class LeverageSummary:
    """Both leverages of a selection: per lever the :func:`essdash.domain.leverage.leverage` result,
    and the other funders' euros per kind (:func:`essdash.domain.leverage.by_kind`)."""

    results: dict[str, dict[str, float]]
    kinds: dict[str, pd.DataFrame]
    where: str = ""

    def sentence(self, lever: str) -> str:
        return lv.sentence(self.results[lever], lever, self.where)

    @property
    def sentences(self) -> list[str]:
        return [self.sentence(lever) for lever in lv.LEVERS]


def summary(engine: Engine, filters: Filters, where: str = "") -> LeverageSummary:
    """Both leverages over the selection; ``where`` names its scope in the sentences."""
    return _summary(_Source(engine), filters, where)


def _summary(source: _Source, filters: Filters, where: str = "") -> LeverageSummary:
    lines = source.lines(filters)
    money = source.money(filters)
    return LeverageSummary(
        results={lever: lv.leverage(money, lever) for lever in lv.LEVERS},
        kinds={lever: lv.by_kind(lines, lever) for lever in lv.LEVERS},
        where=where,
    )


def kind_table(result: LeverageSummary) -> pd.DataFrame:
    """The other funders' euros per kind for both levers side by side: ``kind``, ``metropolis``
    (euros with the metropolis), ``metropolis_per_euro``, ``citizen``, ``citizen_per_euro``."""
    frames = [
        result.kinds[lever].rename(columns={"amount": lever, "per_euro": f"{lever}_per_euro"}).set_index("kind")
        for lever in lv.LEVERS
    ]
    table = pd.concat(frames, axis=1).fillna(0.0)
    for lever in lv.LEVERS:
        if not result.results[lever]["lever"]:
            table[f"{lever}_per_euro"] = math.nan
    return table.sort_values("metropolis", ascending=False, kind="stable").reset_index()


def _groups(project_ids: equity.Values, groups: equity.Values) -> pd.DataFrame:
    return pd.DataFrame({"project_id": pd.Series(project_ids).tolist(), "group": pd.Series(groups).tolist()})


def project_table(engine: Engine, filters: Filters) -> pd.DataFrame:
    """The selection's projects that have a counted funding: ``id``, ``title``, ``commune``,
    ``territory``, ``total`` and both levers' euros, others' euros and leverage; highest metropolis
    money first."""
    return _project_table(_Source(engine), filters)


def _project_table(source: _Source, filters: Filters) -> pd.DataFrame:
    engine = source.engine
    money = source.money(filters)
    if money.empty:
        return pd.DataFrame(columns=["id", "title", "commune", "territory", *LEVER_COLUMNS, "total"])
    info = read_frame(
        engine,
        select(col(P.id), col(P.title), col(C.name).label("commune"), col(T.name).label("territory"))
        .join(C, col(C.insee_code) == col(P.commune_code))
        .join(T, col(T.code) == col(C.territory_code))
        .where(col(P.id).in_([int(i) for i in money.index])),
    )
    table = lv.by_group(money, _groups(money.index, money.index)).rename(columns={"group": "id"})
    table["total"] = table["id"].map(money["total"])
    table = info.merge(table.drop(columns=["projects", "funded"]), on="id", how="right")
    return table.sort_values(["metropolis", "id"], ascending=[False, True]).reset_index(drop=True)


def place_table(engine: Engine, filters: Filters, level: str = "territory") -> pd.DataFrame:
    """Both leverages per territory or commune (``level``), projects attached to their primary
    commune, every filter but the place ones: ``code``, ``name`` (and for communes
    ``territory_code``, ``territory``), ``projects``, ``funded``, the lever columns, and ``lq``
    (the place's metropolis leverage over that of all places). Every place, in the usual order."""
    return _place_table(_Source(engine), filters, level)


def _place_table(source: _Source, filters: Filters, level: str) -> pd.DataFrame:
    engine = source.engine
    scope = filters.with_(territory=None, commune=None)
    money = source.money(scope)
    projects = source.projects(scope)
    key = "territory_code" if level == "territory" else "commune_code"
    table = lv.by_group(money, _groups(projects["id"], projects[key]))
    if level == "territory":
        places = read_frame(engine, select(col(T.code), col(T.name)).order_by(col(T.position)))
    else:
        places = read_frame(
            engine,
            select(col(C.insee_code).label("code"), col(C.name), col(C.territory_code), col(T.name).label("territory"))
            .join(T, col(T.code) == col(C.territory_code))
            .order_by(col(C.insee_code)),
        )
    frame = places.merge(table.rename(columns={"group": "code"}), on="code", how="left")
    counts = ["projects", "funded"]
    frame[counts] = frame[counts].fillna(0).astype("int64")
    for lever in lv.LEVERS:
        frame[[lever, f"{lever}_others"]] = frame[[lever, f"{lever}_others"]].fillna(0.0)
    reference = lv.leverage(money[money.index.isin(projects["id"])], "metropolis")["leverage"]
    frame["lq"] = frame["metropolis_leverage"] / reference if reference else math.nan
    return frame


def sheet_table(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Both leverages per fiche served by the selection's projects (a fiche with its sub-fiches'
    projects): ``code``, ``title``, ``projects``, ``funded`` and the lever columns, in plan order."""
    return _sheet_table(_Source(engine), filters)


def _sheet_table(source: _Source, filters: Filters) -> pd.DataFrame:
    engine = source.engine
    sheet, parent = m.ActionSheet, aliased(m.ActionSheet, name="parent_sheet")
    links = read_frame(
        engine,
        select(col(m.ProjectSheet.project_id), col(sheet.code), col(parent.code).label("parent_code"))
        .join(sheet, col(sheet.id) == col(m.ProjectSheet.sheet_id))
        .outerjoin(parent, col(parent.id) == col(sheet.parent_id))
        .join(P, col(P.id) == col(m.ProjectSheet.project_id))
        .where(*project_conditions(filters)),
    )
    sheets = read_frame(engine, select(col(sheet.code), col(sheet.title)).order_by(col(sheet.position)))
    pairs = pd.concat(
        [
            _groups(links["project_id"], links["code"]),
            _groups(links["project_id"], links["parent_code"]).dropna(),
        ]
    ).drop_duplicates()
    money = source.money(filters)
    table = lv.by_group(money, pairs).rename(columns={"group": "code"})
    return sheets.merge(table, on="code", how="inner").reset_index(drop=True)


@dataclass(frozen=True)
class LeverageEquity:
    """The equity of the metropolis's leverage between places: findings as on the Équité page,
    the territories and the compared communes with their leverage, and the reference leverage."""

    findings: tuple[Finding, ...]
    territories: pd.DataFrame
    communes: pd.DataFrame
    reference: float

    @property
    def figures(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.value is not None)

    def finding_sentence(self, key: str) -> str:
        return next((f.sentence for f in self.findings if f.key == key), "")


def _theil_sentence(result: equity.Theil) -> str:
    if math.isnan(result["total"]):
        return "Aucun cofinancement : l'indice ne peut pas être calculé."
    if result["total"] < 1e-12:
        return "Chaque euro de Lille Métropole est accompagné autant partout : pas d'inégalité à décomposer."
    return equity.sentence_theil(result, "cofinancements")


def equity_of_leverage(engine: Engine, filters: Filters) -> LeverageEquity:
    """Does every place draw as much co-funding per euro of the metropolis? The Équité page's
    statistics with the metropolis's euros as the weights and the other funders' euros on its projects
    as the counts, over communes (those of the selected territory, if any; split between
    territories otherwise), and the places drawing less than half the reference leverage."""
    return _equity_of_leverage(_Source(engine), filters)


def _equity_of_leverage(source: _Source, filters: Filters) -> LeverageEquity:
    communes = _place_table(source, filters, "commune")
    territories = _place_table(source, filters, "territory")
    if filters.territory:
        communes = communes[communes["territory_code"] == filters.territory].reset_index(drop=True)
    counts, weights = communes["metropolis_others"].astype(float), communes["metropolis"].astype(float)
    reference = lv.ratio(float(counts.sum()), float(weights.sum()))
    communes = communes.assign(lq=equity.location_quotients(counts, weights).to_numpy())
    coverage = equity.coverage(counts, weights)
    gini, hoover = equity.gini(counts, weights), equity.hoover(counts, weights)
    findings = [
        Finding(
            "coverage",
            "Communes cofinancées",
            fmt.percent(coverage["units_share"]),
            lv.sentence_coverage(coverage),
            "Part des communes où Lille Métropole finance un projet qui ont aussi d'autres financeurs",
        ),
        Finding("gini", "Indice de Gini", fmt.number(gini, 2), lv.sentence_gini(gini), "0 = même effet levier partout"),
        Finding(
            "hoover",
            "Indice de Hoover",
            fmt.percent(hoover),
            lv.sentence_hoover(hoover),
            "Part des cofinancements qui devrait changer de commune",
        ),
    ]
    if communes["territory_code"].nunique() > 1:
        theil = equity.theil(counts, weights, communes["territory_code"])
        between = theil["between"] / theil["total"] if theil["total"] else math.nan
        findings.insert(
            2,
            Finding(
                "theil",
                "Theil : part entre territoires",
                fmt.percent(between) if np.isfinite(between) else "–",
                _theil_sentence(theil),
                f"Indice de Theil total : {fmt.number(theil['total'], 3)}",
                technical=True,
            ),
        )
        low = lv.sentence_far_below(territories, reference)
    else:
        low = lv.sentence_far_below(communes, reference, "la moyenne du territoire")
    findings.append(Finding("far_below", "Nettement en dessous", None, low))
    return LeverageEquity(tuple(findings), territories, communes, reference)


@dataclass(frozen=True)
class LeverageOverview:
    """Every table of the Financements page for one selection."""

    summary: LeverageSummary
    territories: pd.DataFrame
    communes: pd.DataFrame
    sheets: pd.DataFrame
    projects: pd.DataFrame
    equity: LeverageEquity


def overview(engine: Engine, filters: Filters) -> LeverageOverview:
    """:func:`summary`, :func:`place_table` by territory and by commune, :func:`sheet_table`,
    :func:`project_table` and :func:`equity_of_leverage` of the selection, each the same as alone,
    with the funding lines and projects read once."""
    source = _Source(engine)
    return LeverageOverview(
        summary=_summary(source, filters),
        territories=_place_table(source, filters, "territory"),
        communes=_place_table(source, filters, "commune"),
        sheets=_sheet_table(source, filters),
        projects=_project_table(source, filters),
        equity=_equity_of_leverage(source, filters),
    )
