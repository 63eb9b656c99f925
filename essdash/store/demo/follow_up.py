"""The follow-up side of the demonstration dataset: each fiche's status, progress and dated history,
and the semester values of the entered indicators with their targets. Fictional, deterministic."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from essdash.domain import periods, rules
from essdash.domain.vocabulary import (
    Provenance,
    SheetStatus,
)
from essdash.store.demo.names import AS_OF, FIRST_PERIOD, PEOPLE, weighted


def sheet_states(rng: random.Random, sheets: list[dict], served: set[int]):
    """A status, declared progress and dated history for each fiche, consistent over time.

    Sub-fiches (and sections without any) get their own story: launched in 2011–2012, progress
    declared in dated steps, and, for some, a final change (réalisée, en pause, bloquée, abandonnée).
    « À venir » and « abandonnée » go only to fiches that no project serves. A section's status and
    progress are derived from its sub-fiches at every date, so that they agree at any reference day.
    """
    children: dict[int, list[int]] = {}
    for sheet in sheets:
        if sheet["parent_id"]:
            children.setdefault(sheet["parent_id"], []).append(sheet["id"])
    leaves = [s["id"] for s in sheets if s["id"] not in children]
    idle = [sid for sid in leaves if sid not in served]
    forced: dict[int, SheetStatus] = {}
    for status, count in ((SheetStatus.PLANNED, 2), (SheetStatus.ABANDONED, 1)):
        for sid in rng.sample([s for s in idle if s not in forced], k=min(count, len(idle) - len(forced))):
            forced[sid] = status
    for status, count in ((SheetStatus.PAUSED, 2), (SheetStatus.BLOCKED, 1)):
        for sid in rng.sample([s for s in leaves if s not in forced], k=count):
            forced[sid] = status
    timelines = {sid: _leaf_timeline(rng, forced.get(sid)) for sid in leaves}
    history = []
    for sid in leaves:
        history += _history_rows(rng, sid, timelines[sid])
    for parent, kids in children.items():
        timelines[parent] = _derived_timeline([timelines[k] for k in kids])
        history += _history_rows(rng, parent, timelines[parent], derived=True)
    rows = []
    for sheet in sheets:
        status, progress = timelines[sheet["id"]][-1][1:] if timelines[sheet["id"]] else (SheetStatus.PLANNED, 0)
        planned_end = rng.choice(
            (date(2013, 6, 30), date(2013, 12, 31), date(2014, 6, 30), date(2014, 12, 31), date(2014, 12, 31))
        )
        rows.append({"id": sheet["id"], "status": status.value, "progress": progress, "planned_end": planned_end})
    return rows, history


LAST_CHANGE = datetime(2014, 12, 10, 17, 0)


def _leaf_timeline(rng: random.Random, forced: SheetStatus | None) -> list[tuple[datetime, SheetStatus, int]]:
    """A sub-fiche's states over time: (when, status, declared progress), oldest first."""
    final = forced or weighted(rng, [(SheetStatus.IN_PROGRESS, 6), (SheetStatus.DONE, 3)])
    if final is SheetStatus.PLANNED:
        return []
    start = datetime(rng.choice((2011, 2011, 2012)), rng.randint(2, 12), rng.randint(1, 28), 10, 0)
    end = min(start + timedelta(days=rng.randint(400, 1300)), LAST_CHANGE)
    reached = {SheetStatus.DONE: 100, SheetStatus.IN_PROGRESS: rng.randrange(30, 95, 5)}.get(
        final, rng.randrange(10, 60, 5)
    )
    steps = rng.randint(2, 4)
    timeline = [(start, SheetStatus.IN_PROGRESS, 0)]
    for k in range(1, steps + 1):
        when = start + (end - start) * k / (steps + 1)
        progress = round(reached * k / steps / 5) * 5
        timeline.append((when.replace(hour=10, minute=0, second=0, microsecond=0), SheetStatus.IN_PROGRESS, progress))
    if final is not SheetStatus.IN_PROGRESS:
        timeline.append((end, final, reached))
    return timeline


def _state_at(timeline, when: datetime) -> tuple[SheetStatus, int]:
    held = [(s, p) for t, s, p in timeline if t <= when]
    return held[-1] if held else (SheetStatus.PLANNED, 0)


def section_state(states: list[tuple[SheetStatus, int]]) -> tuple[SheetStatus, int]:
    """A section's status and progress from its sub-fiches': all abandoned → abandonnée; the others
    all done → réalisée, all to come → à venir; any running, or some done and some to come → en
    cours; else bloquée if one is, or en pause. Progress: the mean over sub-fiches not abandoned."""
    active = [(s, p) for s, p in states if s is not SheetStatus.ABANDONED]
    if not active:
        return SheetStatus.ABANDONED, round(sum(p for _, p in states) / len(states) / 5) * 5
    statuses = {s for s, _ in active}
    progress = round(sum(p for _, p in active) / len(active) / 5) * 5
    if statuses == {SheetStatus.DONE}:
        return SheetStatus.DONE, 100
    if statuses == {SheetStatus.PLANNED}:
        return SheetStatus.PLANNED, 0
    if SheetStatus.IN_PROGRESS in statuses or statuses == {SheetStatus.DONE, SheetStatus.PLANNED}:
        return SheetStatus.IN_PROGRESS, progress
    return (SheetStatus.BLOCKED if SheetStatus.BLOCKED in statuses else SheetStatus.PAUSED), progress


def _derived_timeline(timelines: list[list]) -> list[tuple[datetime, SheetStatus, int]]:
    """A section's states at every date when one of its sub-fiches changed."""
    derived: list[tuple[datetime, SheetStatus, int]] = []
    for when in sorted({t for timeline in timelines for t, _, _ in timeline}):
        state = section_state([_state_at(timeline, when) for timeline in timelines])
        if (derived[-1][1:] if derived else (SheetStatus.PLANNED, 0)) != state:
            derived.append((when, *state))
    return derived


def _history_rows(rng: random.Random, sheet_id: int, timeline, *, derived: bool = False) -> list[dict]:
    """The dated history rows (one per changed field) of a fiche's timeline."""
    rows = []
    status, progress = SheetStatus.PLANNED, 0
    why = "d'après ses sous-fiches" if derived else "point d'avancement"
    for when, new_status, new_progress in timeline:
        author = (
            PEOPLE[0] if new_status is SheetStatus.IN_PROGRESS and status is SheetStatus.PLANNED else rng.choice(PEOPLE)
        )
        for field, old, new in (
            ("status", status.value, new_status.value),
            ("progress", str(progress), str(new_progress)),
        ):
            if old != new:
                comment = (
                    f"Passage au statut « {new_status.label} », {why} (historique fictif)."
                    if field == "status"
                    else f"Avancement déclaré : {new_progress} %, {why} (historique fictif)."
                )
                rows.append(
                    {
                        "sheet_id": sheet_id,
                        "changed_at": when,
                        "author": author,
                        "role": "groupe des techniciens",
                        "field": field,
                        "old_value": old,
                        "new_value": new,
                        "comment": comment,
                    }
                )
        status, progress = new_status, new_progress
    return rows


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
                        "value": round(value) if indicator["unit"] in rules.COUNT_UNITS else round(value, 1),
                        "provenance": weighted(
                            rng, [(Provenance.DECLARED, 6), (Provenance.VERIFIED, 3), (Provenance.ESTIMATED, 1)]
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
                    "value": round(metro) if indicator["unit"] in rules.COUNT_UNITS else round(metro, 1),
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
