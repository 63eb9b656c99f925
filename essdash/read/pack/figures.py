"""The meeting pack's headline sections: the key figures with their change since the previous
semester (money since the end of the previous year), and the key indicators against their targets,
for the territory and the metropolis. Assembled by :func:`essdash.read.pack.build`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy.engine import Engine

from essdash.domain import fmt, periods
from essdash.read import indicators, queries
from essdash.read.filters import Filters
from essdash.read.indicators import Indicator
from essdash.read.pack.model import JOBS_PLANNED, KEY_INDICATORS, NO_DATA, PLAN_START, Chart, Section


def _figure_rows(
    now: dict[str, Any], before: dict[str, Any], year_before: dict[str, Any], year: int
) -> list[tuple[str, str, str]]:
    """The key figures with their change since the previous semester; money, whose fundings are
    dated by year only, with its change since the end of the previous year."""

    def change(key: str) -> str:
        delta = now[key] - before[key]
        return ("+" if delta > 0 else "") + fmt.number(delta) + " depuis le semestre précédent"

    delta = now["money"] - year_before["money"]
    money_change = ("+" if delta > 0 else "") + fmt.money(delta) + f" depuis fin {year - 1}"
    return [
        ("Projets proposés depuis 2011", fmt.number(now["projects"]), change("projects")),
        ("Montant engagé", fmt.money(now["money"]), money_change),
        (JOBS_PLANNED, fmt.number(now["jobs_created"]), change("jobs_created")),
        ("Emplois maintenus prévus par les projets", fmt.number(now["jobs_maintained"]), change("jobs_maintained")),
        ("Communes d'implantation", fmt.number(now["communes"]), change("communes")),
    ]


def key_figures(engine: Engine, filters: Filters, period: str, scope: str) -> Section:
    """« Chiffres clés »: the cumulated figures since 2011 in the pack's scope (``scope`` names it)
    with their change, and the projects by step."""
    assert filters.as_of is not None
    now = queries.key_figures(engine, filters.with_(period_from=PLAN_START, period_to=period))
    previous = periods.previous(period)
    before = queries.key_figures(
        engine,
        filters.with_(
            period_from=PLAN_START, period_to=previous, as_of=min(periods.bounds(previous)[1], filters.as_of)
        ),
    )
    year = filters.as_of.year
    year_before = queries.key_figures(
        engine,
        filters.with_(period_from=PLAN_START, period_to=f"{year - 1}-S2", as_of=date(year - 1, 12, 31)),
    )
    section = Section("Chiffres clés", figures=_figure_rows(now, before, year_before, year) if now["projects"] else [])
    if now["projects"]:
        section.values = dict(
            zip(
                [label for label, _, _ in section.figures],
                [now[k] for k in ("projects", "money", "jobs_created", "jobs_maintained", "communes")],
            )
        )
    section.sentences.append(
        f"Cumul depuis le 1er semestre 2011, {scope}, situation au {fmt.short_day(filters.as_of)} : projets "
        "proposés à cette date, à l'étape atteinte ce jour-là, financements des années écoulées."
        if now["projects"]
        else NO_DATA
    )
    if now["projects"]:
        by_status = queries.projects_by_status(engine, filters.with_(period_from=PLAN_START, period_to=period))
        section.charts.append(("Projets par étape", Chart("projects_by_status", by_status)))
    return section


def _indicator_sentence(indicator: Indicator, values: pd.DataFrame, targets: pd.DataFrame, place: str) -> str | None:
    """The last value of ``values`` (one place) with, when one is set for that place, its target."""
    if values.empty:
        return None
    code = values["place"].iloc[0]
    gaps = indicators.gaps(values, targets, indicator.direction, code)
    last = values.sort_values("period", key=lambda p: p.map(periods.parse)).iloc[-1]
    text = (
        f"{indicator.label} — {place} : {indicators.value_text(indicator, last['value'])} "
        f"au {fmt.period_label(last['period'])}" + (" (provisoire)" if last.get("provisional", False) else "")
    )
    target = gaps[gaps["period"] == last["period"]]
    if target.empty:
        return text + "."
    row = target.iloc[0]
    return (
        f"{text} pour une cible de {indicators.value_text(indicator, row['value_target'])} "
        f"({'atteinte' if row['met'] else 'non atteinte'})."
    )


def indicator_targets(engine: Engine, filters: Filters, period: str, place: str | None) -> Section:
    """« Indicateurs et cibles »: the series of the key indicators (with the territory's beside the
    metropolis's) and each place's last value against its target."""
    territory = filters.territory
    section = Section("Indicateurs et cibles")
    for code in KEY_INDICATORS:
        data = indicators.series(engine, code, filters, PLAN_START, period)
        indicator, values = data.indicator, data.values
        if territory:
            values = values[values["place"].isin([territory, indicators.METRO])]
        if values.empty:
            continue
        title = f"{indicator.label} (projets engagés)" if code == "projets_pour_10000_hab" else indicator.label
        section.charts.append((title, Chart("indicator", values, indicator=indicator, targets=data.targets)))
        shown = [(territory, place)] if territory and place else []
        for where, name in shown + [(indicators.METRO, "Métropole")]:
            sentence = _indicator_sentence(indicator, values[values["place"] == where], data.targets, name)
            if sentence:
                section.sentences.append(sentence)
    if section.empty:
        section.sentences.append(NO_DATA)
    else:
        section.sentences.append(
            "Projets pour 10 000 habitants (indicateur) : projets validés, retenus, en cours ou réalisés, rapportés "
            "aux habitants des communes membres ; emplois créés : relevés par les territoires."
        )
    return section
