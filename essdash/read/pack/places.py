"""The meeting pack's sections that set places side by side: a territory against the metropolis,
the map of projects per inhabitant, territorial equity, and the leverage of the fundings (« 1 € →
x € ») with its table per territory. Assembled by :func:`essdash.read.pack.build`.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy.engine import Engine

from essdash.domain import fmt
from essdash.domain import leverage as lv
from essdash.read import equity_report, leverage, places
from essdash.read.filters import Filters
from essdash.read.pack.model import NO_DATA, PLAN_START, PROPOSED_PER_10K, Chart, Section, scope_name
from essdash.store.reference import ATTRIBUTION


def comparison(engine: Engine, territory: str, period: str, place: str, day: date) -> Section:
    """« <territoire> et la métropole »: the territory's figures per inhabitant beside the
    metropolis's, cumulated since 2011 on ``day``."""
    scope = Filters(period_from=PLAN_START, period_to=period, as_of=day)
    figures = places.place_figures(engine, scope, "territory")
    summary = places.place_summary(figures, territory)
    section = Section(f"{place} et la métropole")
    if summary is None:
        section.sentences.append(NO_DATA)
        return section
    rows = [
        (PROPOSED_PER_10K, "projects_per_10k", 1, ""),
        ("Montant engagé par habitant", "money_per_inhabitant", 2, "\u00a0€"),
        ("Emplois prévus pour 10 000 habitants", "jobs_per_10k", 1, ""),
    ]
    section.figures = [
        (label, f"{fmt.number(summary[key], d)}{unit}", f"métropole : {fmt.number(summary['metro'][key], d)}{unit}")
        for label, key, d, unit in rows
    ]
    section.values = {label: float(summary[key]) for label, key, _, _ in rows}
    section.sentences.append(f"Cumul depuis le 1er semestre 2011, situation au {fmt.short_day(day)}.")
    return section


def project_map(engine: Engine, filters: Filters, period: str) -> Section:
    """« Carte »: the choropleth of the projects proposed per 10 000 inhabitants, every commune of
    the metropolis."""
    assert filters.as_of is not None
    figures = places.place_figures(engine, filters.with_(period_from=PLAN_START, period_to=period), "commune")
    section = Section(f"Carte : {PROPOSED_PER_10K.lower()}")
    if figures["projects"].sum() == 0:
        section.sentences.append(NO_DATA)
        return section
    section.charts.append(
        (
            f"{PROPOSED_PER_10K}, par commune",
            Chart("choropleth", figures, {"level": "commune", "measure": "projects_per_10k"}),
        )
    )
    section.sentences.append(
        f"Toutes les communes de la métropole, situation au {fmt.short_day(filters.as_of)} : projets proposés depuis "
        "2011, rapportés aux habitants des communes membres."
    )
    section.sentences.append(ATTRIBUTION)
    return section


def equity(engine: Engine, filters: Filters, period: str, place: str | None) -> Section:
    """« Équité territoriale »: the equity findings on the communes in the pack's scope, and the
    projects per territory (all of them, to compare)."""
    assert filters.as_of is not None
    scope = filters.with_(period_from=PLAN_START, period_to=period)
    communes = places.place_figures(engine, scope, "commune")
    territories = places.place_figures(engine, scope, "territory")
    if filters.territory:
        communes = communes[communes["territory_code"] == filters.territory]
    section = Section("Équité territoriale")
    if communes["projects"].sum() == 0:
        section.sentences.append(NO_DATA)
        return section
    result = equity_report.report(communes, territories, "projects")
    where = f"communes du {place}" if place else "communes de toute la métropole"
    section.sentences = [f"Projets proposés depuis 2011, {where}, situation au {fmt.short_day(filters.as_of)}."]
    section.sentences += [finding.sentence for finding in result.findings]
    section.figures = [(f.label, f.value, "") for f in result.findings if f.value is not None and not f.technical]
    table = result.territories[["name", "population", "projects", "projects_per_10k", "lq"]]
    section.tables.append(
        (
            "Projets proposés par territoire (toute la métropole)",
            pd.DataFrame(
                {
                    "Territoire": table["name"],
                    "Habitants": table["population"].map(fmt.number),
                    "Projets proposés": table["projects"].astype(int),
                    "Pour 10 000 hab.": table["projects_per_10k"].map(lambda v: fmt.number(v, 1)),
                    "Quotient de localisation": table["lq"].map(lambda v: fmt.number(v, 2)),
                }
            ),
        )
    )
    return section


def funding_leverage(engine: Engine, filters: Filters, period: str, place: str | None) -> Section:
    """« 1 € → x € »: the euros of other funders per euro of Lille Métropole and of citizen savings,
    against the plan's aim of 2 €, in the pack's scope; per territory (all of them, to compare), the
    metropolis's leverage and those drawing less than half of it."""
    assert filters.as_of is not None
    scope = filters.with_(period_from=PLAN_START, period_to=period)
    result = leverage.summary(engine, scope)
    section = Section("Effet levier des financements")
    if not any(result.results[lever]["lever"] for lever in lv.LEVERS):
        section.sentences.append(NO_DATA)
        return section
    for lever in lv.LEVERS:
        value = result.results[lever]["leverage"]
        label = f"{lv.LEVER_LABELS[lever]} → autres financeurs ({scope_name(place)})"
        section.figures.append((label, lv.figure(value), lv.against_aim(value)))
        if result.results[lever]["lever"]:
            section.values[label] = value
    where = f"projets du {place}" if place else "projets de toute la métropole"
    section.sentences = [
        f"Cumul depuis le 1er semestre 2011, {where}, situation au {fmt.short_day(filters.as_of)} : "
        "financements des années écoulées.",
        *result.sentences,
        leverage.equity_of_leverage(engine, scope).finding_sentence("far_below"),
        lv.DEFINITION,
    ]
    territories = leverage.place_table(engine, scope, "territory")
    funded = territories[territories["metropolis"] > 0]
    if not funded.empty:
        section.charts.append(
            (
                "Euros d'autres financeurs par euro de Lille Métropole, par territoire (toute la métropole)",
                Chart("leverage", territories, {"lever": "metropolis"}),
            )
        )
    section.tables.append(
        (
            "Effet levier par territoire (toute la métropole)",
            pd.DataFrame(
                {
                    "Territoire": territories["name"],
                    "Lille Métropole": territories["metropolis"].map(fmt.money),
                    "Autres financeurs": territories["metropolis_others"].map(fmt.money),
                    "1 € de Lille Métropole →": territories["metropolis_leverage"].map(lv.figure),
                    "Épargne citoyenne": territories["citizen"].map(fmt.money),
                    "1 € d'épargne citoyenne →": territories["citizen_leverage"].map(lv.figure),
                }
            ),
        )
    )
    return section
