"""The follow-up side of the demonstration dataset: each fiche's status, progress and dated history,
and the semester values of the entered indicators with their targets. Fictional, deterministic."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from essdash.domain import periods
from essdash.domain.vocabulary import (
    Provenance,
    SheetStatus,
)
from essdash.store.demo_names import AS_OF, FIRST_PERIOD, PEOPLE, weighted


def sheet_states(rng: random.Random, sheets: list[dict]):
    """A status, progress and dated history for each fiche."""
    rows, history = [], []
    specials = {SheetStatus.EN_PAUSE: 2, SheetStatus.BLOQUEE: 1, SheetStatus.ABANDONNEE: 1, SheetStatus.A_VENIR: 2}
    pool = rng.sample([s["id"] for s in sheets], k=sum(specials.values()))
    forced = {}
    for status, count in specials.items():
        for _ in range(count):
            forced[pool.pop()] = status
    for sheet in sheets:
        status = forced.get(sheet["id"]) or weighted(rng, [(SheetStatus.EN_COURS, 6), (SheetStatus.REALISEE, 3)])
        planned_end = rng.choice(
            (date(2013, 6, 30), date(2013, 12, 31), date(2014, 6, 30), date(2014, 12, 31), date(2014, 12, 31))
        )
        progress = {SheetStatus.A_VENIR: 0, SheetStatus.REALISEE: 100}.get(status, rng.randrange(10, 95, 5))
        rows.append({"id": sheet["id"], "status": status.value, "progress": progress, "planned_end": planned_end})
        started = datetime(2011, rng.randint(2, 12), rng.randint(1, 28), 10, 0)
        if status is SheetStatus.A_VENIR:
            continue
        history.append(
            {
                "sheet_id": sheet["id"],
                "changed_at": started,
                "author": PEOPLE[0],
                "role": "chargé de mission",
                "field": "status",
                "old_value": SheetStatus.A_VENIR.value,
                "new_value": SheetStatus.EN_COURS.value,
                "comment": "Lancement de la fiche (historique fictif).",
            }
        )
        if status is not SheetStatus.EN_COURS:
            changed = min(started + timedelta(days=rng.randint(200, 1400)), datetime(2014, 12, 10, 17, 0))
            history.append(
                {
                    "sheet_id": sheet["id"],
                    "changed_at": changed,
                    "author": rng.choice(PEOPLE),
                    "role": "groupe des techniciens",
                    "field": "status",
                    "old_value": SheetStatus.EN_COURS.value,
                    "new_value": status.value,
                    "comment": f"Passage au statut « {status.label} » (historique fictif).",
                }
            )
    return rows, history


def indicator_values(rng: random.Random, indicators: list[dict], communes: list[dict], now: datetime):
    """Semester values per territory for the entered indicators, and metropolitan targets."""
    population: dict[str, int] = {}
    for c in communes:
        if c["member_since"] <= 2014:
            population[c["territory_code"]] = population.get(c["territory_code"], 0) + c["population"]
    targets, measurements = [], []
    for indicator in (i for i in indicators if i["kind"] == "entered"):
        low = indicator["min_value"] if indicator["min_value"] is not None else 0.0
        high = indicator["max_value"]
        for _t_index, (territory, pop) in enumerate(sorted(population.items())):
            base = rng.uniform(0.6, 1.4)
            for p_index, period in enumerate(periods.span(FIRST_PERIOD, periods.of_date(AS_OF))):
                trend = 1 + 0.06 * p_index * (1 if indicator["direction"] == "up" else -1)
                value = _scaled(indicator["unit"], pop) * base * trend * rng.uniform(0.85, 1.15)
                value = max(low, min(high, value) if high is not None else value)
                measurements.append(
                    {
                        "indicator_code": indicator["code"],
                        "period": period,
                        "territory_code": territory,
                        "commune_code": None,
                        "value": round(value, 1),
                        "provenance": weighted(
                            rng, [(Provenance.DECLARE, 6), (Provenance.VERIFIE, 3), (Provenance.ESTIME, 1)]
                        ).value,
                        "source": "Données fictives de démonstration",
                        "recorded_at": now,
                        "recorded_by": PEOPLE[0],
                    }
                )
        for year in range(2011, 2015):
            metro = _scaled(indicator["unit"], sum(population.values())) * (1.1 + 0.08 * (year - 2011))
            if high is not None:
                metro = min(high, metro)
            targets.append(
                {
                    "indicator_code": indicator["code"],
                    "period": f"{year}-S2",
                    "territory_code": None,
                    "value": round(metro, 1),
                }
            )
    return targets, measurements


def _scaled(unit: str, population: int) -> float:
    """A plausible magnitude for a semester value in ``unit`` for a territory of ``population``."""
    if unit in ("%",):
        return 45.0
    if unit.startswith("score"):
        return 6.5
    if unit == "€":
        return population * 0.8
    if "habitant" in unit:
        return 2.0
    return population / 4000
