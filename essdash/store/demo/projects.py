"""The project register of the demonstration dataset: carriers, projects spread unevenly over the
communes, their steps and committee opinions, fiches and neighbouring communes, and their fundings;
rows only, written by :mod:`essdash.store.demo`. Fictional, deterministic."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from essdash.domain import models as m
from essdash.domain.vocabulary import InterventionMode, ProjectStatus, Sector
from essdash.store.demo.fundings import (
    carrier_identifiers,
    citizen_fundings,
    convention_facts,
    funder_rows,
    project_fundings,
)
from essdash.store.demo.names import (
    AS_OF,
    FORM_PREFIX,
    FORM_WEIGHTS,
    NAME_THEMES,
    NAME_WORDS,
    PEOPLE,
    PLAN_START,
    PRIORITY_COMMUNES,
    PROJECTS_PER_SCALE,
    SECTOR_TITLES,
    TERRITORY_WEIGHT,
    cumulative,
    weighted,
)
from essdash.store.demo.pipeline import Calendar, lifecycle, meetings

INTERVENTION_WEIGHTS = cumulative(
    [
        (InterventionMode.OBJECTIVES_AGREEMENT, 5),
        (InterventionMode.DIRECT, 3),
        (InterventionMode.EXPERIMENT_AND_TRANSFER, 2),
        (InterventionMode.PROJECT_OWNER_SUPPORT, 1),
    ]
)
FORMS = cumulative(FORM_WEIGHTS)
SECTORS = [s for s in Sector if s is not Sector.TO_QUALIFY]


@dataclass
class Register:
    """The rows of the demo's project register, table by table."""

    meetings: list[dict]
    funders: list[dict]
    organisations: list[dict]
    projects: list[dict]
    project_communes: list[dict]
    project_sheets: list[dict]
    events: list[dict]
    opinions: list[dict]
    fundings: list[dict]

    def tables(self) -> list[tuple[type, list[dict]]]:
        """(model, rows) in the order they must be inserted."""
        return [
            (m.Meeting, self.meetings),
            (m.Funder, self.funders),
            (m.Organisation, self.organisations),
            (m.Project, self.projects),
            (m.ProjectCommune, self.project_communes),
            (m.ProjectSheet, self.project_sheets),
            (m.ProjectEvent, self.events),
            (m.Opinion, self.opinions),
            (m.Funding, self.fundings),
        ]


def register(
    rng: random.Random, communes: list[dict], sheets: list[dict], *, scale: int, seed: int, now: datetime
) -> Register:
    """The project register for ``communes`` (all, by INSEE code) and the plan's ``sheets`` (by id):
    ``PROJECTS_PER_SCALE × scale`` projects, drawn from ``rng``; ``seed`` gives the generators of the
    draws made apart (idle sub-fiches, citizen savings); ``now`` stamps the projects."""
    members = [c for c in communes if c["member_since"] <= 2014]
    big = [c for c in members if c["population"] >= 15000]
    small = [c for c in members if c["population"] < 15000]
    active = big + rng.sample(small, k=round(len(small) * 0.55))
    spread = cumulative([(c, c["population"] ** 0.8 * TERRITORY_WEIGHT[c["territory_code"]]) for c in active])
    by_territory: dict[str, list[dict]] = {}
    for c in members:
        by_territory.setdefault(c["territory_code"], []).append(c)
    neighbours = {
        c["insee_code"]: [o for o in by_territory[c["territory_code"]] if o["insee_code"] != c["insee_code"]]
        for c in members
    }
    parents = {s["parent_id"] for s in sheets if s["parent_id"]}
    leaf_sheets = [s["id"] for s in sheets if s["id"] not in parents]
    # three sub-fiches that no project serves (drawn apart, so the other draws stay as they were)
    idle = set(random.Random(seed + 1).sample(leaf_sheets, k=3))
    leaf_sheets = [s for s in leaf_sheets if s not in idle]
    drawn = Register(meetings(), funder_rows(), [], [], [], [], [], [], [])
    calendar = Calendar(drawn.meetings)
    carriers = Carriers(drawn.organisations)
    titles: dict[tuple[str, int], int] = {}
    for pid in range(1, PROJECTS_PER_SCALE * scale + 1):
        # Every active commune gets a first project, then projects follow the weights.
        commune = active[pid - 1] if pid <= len(active) else weighted(rng, spread)
        carrier = carriers.pick(rng, commune)
        sector = rng.choice(SECTORS)
        priority = rng.random() < (0.45 if commune["insee_code"] in PRIORITY_COMMUNES else 0.08)
        recent = rng.random() < 0.1
        first_day = date(2014, 6, 1) if recent else PLAN_START
        proposed = first_day + timedelta(days=rng.randint(0, (AS_OF - first_day).days - 5))
        size = rng.lognormvariate(0, 0.8)
        point = _point(rng, commune)
        status, start, end, history = lifecycle(rng, proposed, calendar)
        drawn.projects.append(
            {
                "id": pid,
                "title": _unique_title(
                    titles, f"{rng.choice(SECTOR_TITLES[sector])} — {commune['name']}", carrier["id"]
                ),
                "description": "Projet fictif généré pour la démonstration.",
                "carrier_id": carrier["id"],
                "commune_code": commune["insee_code"],
                "intervention_mode": weighted(rng, INTERVENTION_WEIGHTS).value,
                "sector": sector.value,
                "status": status.value,
                "proposed_on": proposed,
                "start_date": start,
                "end_date": end,
                "jobs_created": int(size * rng.choice((0, 1, 2, 3, 4, 6))),
                "jobs_maintained": int(size * rng.choice((0, 1, 2, 4, 8))),
                "beneficiaries": int(size * rng.randint(10, 400)),
                "priority_district": priority,
                "lat": point[0],
                "lon": point[1],
                "version": 1,
                "updated_at": now,
            }
        )
        _steps(rng, pid, history, drawn)
        for sheet_id in rng.sample(leaf_sheets, k=rng.choice((1, 1, 2))):
            drawn.project_sheets.append({"project_id": pid, "sheet_id": sheet_id})
        if rng.random() < 0.15:
            others = neighbours[commune["insee_code"]]
            for other in rng.sample(others, k=min(len(others), rng.randint(1, 2))):
                drawn.project_communes.append({"project_id": pid, "commune_code": other["insee_code"]})
        if status in (
            ProjectStatus.RETAINED,
            ProjectStatus.IN_PROGRESS,
            ProjectStatus.DONE,
            ProjectStatus.ABANDONED,
        ) and any(h[2] == ProjectStatus.RETAINED for h in history):
            drawn.fundings += project_fundings(rng, pid, (start or history[-1][0]).year, size)
    drawn.fundings += citizen_fundings(random.Random(seed + 2), drawn.fundings)
    for carrier in drawn.organisations:
        carrier.update(carrier_identifiers(carrier))
    for line in drawn.fundings:
        line.update(convention_facts(line))
    return drawn


class Carriers:
    """The organisations that carry the projects (``rows``, filled as they come), commune by commune:
    a commune's first project gets a new one, each later project one of its carriers or, often, a new one."""

    def __init__(self, rows: list[dict]) -> None:
        self.rows = rows
        self._by_commune: dict[str, list[dict]] = {}
        self._names: dict[str, set[str]] = {}

    def pick(self, rng: random.Random, commune: dict) -> dict:
        """The carrier of the next project in ``commune``, drawn from ``rng``."""
        pool = self._by_commune.setdefault(commune["insee_code"], [])
        carrier = rng.choice(pool) if pool else None
        if carrier is None or rng.random() < 0.55:
            form = weighted(rng, FORMS)
            name = f"{FORM_PREFIX[form]} {rng.choice(NAME_WORDS)} {rng.choice(NAME_THEMES)} — {commune['name']}"
            taken = self._names.setdefault(commune["insee_code"], set())
            if name in taken:
                name = f"{name} ({len(pool) + 1})"
            taken.add(name)
            carrier = {
                "id": len(self.rows) + 1,
                "name": name,
                "legal_form": form.value,
                "commune_code": commune["insee_code"],
                "created_year": rng.randint(1985, 2013),
            }
            self.rows.append(carrier)
            pool.append(carrier)
        return carrier


def _point(rng: random.Random, commune: dict) -> tuple[float | None, float | None]:
    """A project's coordinates: near its commune's point, missing for some, swapped for a few."""
    point: tuple[float | None, float | None] = (
        round(commune["lat"] + rng.uniform(-0.008, 0.008), 5),
        round(commune["lon"] + rng.uniform(-0.012, 0.012), 5),
    )
    placing = rng.random()
    if placing < 0.05:  # no coordinates: the map falls back to the commune's point
        point = (None, None)
    elif placing < 0.065:  # latitude and longitude swapped, a classic entry error
        point = (point[1], point[0])
    return point


def _steps(rng: random.Random, pid: int, history: list, drawn: Register) -> None:
    """The event rows of a project's ``history`` (see :func:`lifecycle`), and the opinion rows of its
    committee steps, added to ``drawn``."""
    for day, old, new, meeting, comment, opinion in history:
        drawn.events.append(
            {
                "project_id": pid,
                "date": day,
                "from_status": old and old.value,
                "to_status": new.value,
                "meeting_id": meeting and meeting["id"],
                "author": rng.choice(PEOPLE),
                "comment": comment,
            }
        )
        if opinion:
            drawn.opinions.append(
                {
                    "project_id": pid,
                    "meeting_id": meeting["id"],
                    "value": opinion.value,
                    "comment": "Avis fictif (données de démonstration).",
                }
            )


def _unique_title(seen: dict, title: str, carrier_id: int) -> str:
    """Titles are unique per carrier (a project's natural key is title, carrier and commune)."""
    count = seen[(title, carrier_id)] = seen.get((title, carrier_id), 0) + 1
    return title if count == 1 else f"{title} ({count})"
