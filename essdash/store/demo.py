"""The fictional demonstration dataset, generated deterministically from a seed.

Same seed and scale, same database. The dataset sits at the end of the plan (reference date
15 December 2014) and is uneven on purpose: large and priority-district communes get more,
some communes get nothing, so that the equity checks have something to find. Every organisation,
project, amount and indicator value here is invented; only the geography and the plan are real.
"""

from __future__ import annotations

import gc
import math
import random
from bisect import bisect_right
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine

from essdash.domain import models as m
from essdash.domain.vocabulary import (
    FundingType,
    InterventionMode,
    MeetingBody,
    OpinionValue,
    ProjectStatus,
    Sector,
)
from essdash.store.bulk import checked_after, insert_rows
from essdash.store.demo_follow_up import indicator_values, sheet_states
from essdash.store.demo_names import (
    AS_OF,
    CITIZEN_FUNDERS,
    CITIZEN_SHARE,
    FORM_PREFIX,
    FORM_WEIGHTS,
    FUNDER_TYPES,
    FUNDERS,
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

INTERVENTION_WEIGHTS = cumulative(
    [
        (InterventionMode.CONVENTION_OBJECTIFS, 5),
        (InterventionMode.INTERVENTION_DIRECTE, 3),
        (InterventionMode.EXPERIMENTATION_TRANSFERT, 2),
        (InterventionMode.ASSISTANCE_MAITRISE_OUVRAGE, 1),
    ]
)
OPINION_WEIGHTS = cumulative(
    [
        (OpinionValue.FAVORABLE, 64),
        (OpinionValue.FAVORABLE_RESERVES, 15),
        (OpinionValue.DEFAVORABLE, 9),
        (OpinionValue.AJOURNE, 12),
    ]
)
FORMS = cumulative(FORM_WEIGHTS)
SECTORS = [s for s in Sector if s is not Sector.A_QUALIFIER]


def _meetings() -> list[dict]:
    """Meetings of every body from 2011-S1 to 2014-S2 (fixed calendar, independent of the seed)."""
    rows = []
    for year in range(2011, 2015):
        for month in (6, 12):
            rows.append(
                (
                    MeetingBody.COMITE,
                    date(year, month, 18 if month == 6 else 16),
                    f"Comité métropolitain de l'ESS — {'juin' if month == 6 else 'décembre'} {year}",
                )
            )
        for month in range(1, 13):
            if month != 8:
                rows.append(
                    (
                        MeetingBody.GROUPE_TECHNICIENS,
                        date(year, month, 12),
                        f"Groupe de travail des techniciens — {month:02d}/{year}",
                    )
                )
        for month in (3, 10):
            rows.append(
                (
                    MeetingBody.FORUM,
                    date(year, month, 24),
                    f"Forum des acteurs de l'ESS — {'printemps' if month == 3 else 'automne'} {year}",
                )
            )
        rows.append((MeetingBody.CONSEIL_SCIENTIFIQUE, date(year, 11, 5), f"Conseil scientifique — {year}"))
    rows.sort(key=lambda r: r[1])
    return [
        {
            "id": i + 1,
            "body": body.value,
            "date": day,
            "title": title,
            "attendance": 12 + (i * 7) % 19,
            "notes": "Compte rendu fictif (données de démonstration).",
        }
        for i, (body, day, title) in enumerate(rows)
    ]


class Calendar:
    """The meetings of each body, to find the next one after a day; ``meetings`` come in date order
    (as :func:`_meetings` gives them)."""

    def __init__(self, meetings: list[dict]) -> None:
        self._meetings: dict[str, list[dict]] = {}
        for meeting in meetings:
            self._meetings.setdefault(meeting["body"], []).append(meeting)
        self._dates = {body: [mt["date"] for mt in mine] for body, mine in self._meetings.items()}

    def next(self, body: MeetingBody, after: date) -> dict | None:
        """The first meeting of ``body`` strictly after ``after``, or ``None``."""
        mine = self._meetings.get(body.value, [])
        index = bisect_right(self._dates.get(body.value, []), after)
        return mine[index] if index < len(mine) else None


def generate(engine: Engine, *, scale: int = 1, seed: int = 2011) -> dict[str, str]:
    """Fill an initialised database (reference data loaded) with the demo dataset.

    Returns the meta entries that describe it. Python's cycle collector pauses meanwhile: the rows
    built here (hundreds of thousands at scale 100) hold no cycles, and would otherwise make it walk
    every object of the process (a whole Streamlit server's) again and again.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _generate(engine, scale=scale, seed=seed)
    finally:
        if collecting:
            gc.enable()


def _generate(engine: Engine, *, scale: int, seed: int) -> dict[str, str]:
    rng = random.Random(seed)
    with engine.connect() as conn:
        communes = [dict(r) for r in conn.execute(select(m.Commune).order_by(m.Commune.insee_code)).mappings()]
        sheets = [
            dict(r)
            for r in conn.execute(
                select(m.ActionSheet.id, m.ActionSheet.code, m.ActionSheet.parent_id).order_by(m.ActionSheet.id)
            ).mappings()
        ]
        indicators = [dict(r) for r in conn.execute(select(m.Indicator).order_by(m.Indicator.code)).mappings()]
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
    meetings = _meetings()
    calendar = Calendar(meetings)

    n_projects = PROJECTS_PER_SCALE * scale
    organisations, org_by_commune = [], {}
    projects, project_communes, project_sheets, events, opinions, fundings = [], [], [], [], [], []
    funder_rows = [{"id": i + 1, "name": n, "kind": k} for i, (n, k, _) in enumerate(FUNDERS)]
    funder_pairs = cumulative([(row, w) for row, (_, _, w) in zip(funder_rows, FUNDERS)])
    names_by_commune: dict[str, set[str]] = {}
    now = datetime(2014, 12, 15, 18, 0)

    titles: dict[tuple[str, int], int] = {}
    for pid in range(1, n_projects + 1):
        # Every active commune gets a first project, then projects follow the weights.
        commune = active[pid - 1] if pid <= len(active) else weighted(rng, spread)
        pool = org_by_commune.setdefault(commune["insee_code"], [])
        carrier = rng.choice(pool) if pool else None
        if carrier is None or rng.random() < 0.55:
            form = weighted(rng, FORMS)
            name = f"{FORM_PREFIX[form]} {rng.choice(NAME_WORDS)} {rng.choice(NAME_THEMES)} — {commune['name']}"
            taken = names_by_commune.setdefault(commune["insee_code"], set())
            if name in taken:
                name = f"{name} ({len(pool) + 1})"
            taken.add(name)
            org = {
                "id": len(organisations) + 1,
                "name": name,
                "legal_form": form.value,
                "commune_code": commune["insee_code"],
                "created_year": rng.randint(1985, 2013),
            }
            organisations.append(org)
            pool.append(org)
            carrier = org
        sector = rng.choice(SECTORS)
        priority = rng.random() < (0.45 if commune["insee_code"] in PRIORITY_COMMUNES else 0.08)
        recent = rng.random() < 0.1
        first_day = date(2014, 6, 1) if recent else PLAN_START
        proposed = first_day + timedelta(days=rng.randint(0, (AS_OF - first_day).days - 5))
        size = rng.lognormvariate(0, 0.8)
        point = (
            round(commune["lat"] + rng.uniform(-0.008, 0.008), 5),
            round(commune["lon"] + rng.uniform(-0.012, 0.012), 5),
        )
        placing = rng.random()
        if placing < 0.05:  # no coordinates: the map falls back to the commune's point
            point = (None, None)
        elif placing < 0.065:  # latitude and longitude swapped, a classic entry error
            point = (point[1], point[0])
        status, start, end, history = _lifecycle(rng, proposed, calendar)
        project = {
            "id": pid,
            "title": _unique_title(titles, f"{rng.choice(SECTOR_TITLES[sector])} — {commune['name']}", carrier["id"]),
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
        projects.append(project)
        for day, old, new, meeting, comment, opinion in history:
            events.append(
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
                opinions.append(
                    {
                        "project_id": pid,
                        "meeting_id": meeting["id"],
                        "value": opinion.value,
                        "comment": "Avis fictif (données de démonstration).",
                    }
                )
        for sheet_id in rng.sample(leaf_sheets, k=rng.choice((1, 1, 2))):
            project_sheets.append({"project_id": pid, "sheet_id": sheet_id})
        if rng.random() < 0.15:
            others = neighbours[commune["insee_code"]]
            for other in rng.sample(others, k=min(len(others), rng.randint(1, 2))):
                project_communes.append({"project_id": pid, "commune_code": other["insee_code"]})
        if status in (
            ProjectStatus.RETENU,
            ProjectStatus.EN_COURS,
            ProjectStatus.REALISE,
            ProjectStatus.ABANDONNE,
        ) and any(h[2] == ProjectStatus.RETENU for h in history):
            year = (start or history[-1][0]).year
            for funder in {weighted(rng, funder_pairs)["id"]: None for _ in range(rng.randint(1, 3))}:
                name = funder_rows[funder - 1]["name"]
                kind = rng.choice(
                    FUNDER_TYPES.get(
                        name, (FundingType.SUBVENTION, FundingType.SUBVENTION, FundingType.AVANCE_REMBOURSABLE)
                    )
                )
                amount = round(math.exp(rng.uniform(math.log(4000), math.log(120000))) * size**0.5 / 500) * 500
                fundings.append(
                    {
                        "project_id": pid,
                        "funder_id": funder,
                        "type": kind.value,
                        "amount": float(max(amount, 500)),
                        "year": year,
                    }
                )

    citizen_rows = [
        {"id": len(funder_rows) + i + 1, "name": n, "kind": k} for i, (n, k, *_) in enumerate(CITIZEN_FUNDERS)
    ]
    fundings += citizen_fundings(random.Random(seed + 2), fundings, [row["id"] for row in citizen_rows])
    loaded = [
        (m.Meeting, meetings),
        (m.Funder, funder_rows + citizen_rows),
        (m.Organisation, organisations),
        (m.Project, projects),
        (m.ProjectCommune, project_communes),
        (m.ProjectSheet, project_sheets),
        (m.ProjectEvent, events),
        (m.Opinion, opinions),
        (m.Funding, fundings),
    ]
    written = [table.__table__ for table, _ in loaded] + [
        table.__table__ for table in (m.Action, m.ActionSheet, m.ActionSheetHistory, m.Target, m.Measurement)
    ]
    with engine.begin() as conn, checked_after(conn, written):
        for table, rows in loaded:
            insert_rows(conn, table.__table__, rows)
        sheet_rows, history_rows = sheet_states(rng, sheets, {link["sheet_id"] for link in project_sheets})
        actions: dict[int, list[int]] = {}
        for action in conn.execute(select(m.Action.id, m.Action.sheet_id).order_by(m.Action.id)):
            actions.setdefault(action.sheet_id, []).append(action.id)
        for row in sheet_rows:
            mine = actions.get(row["id"], [])
            done = rng.sample(mine, k=round(len(mine) * row["progress"] / 100))
            if done:
                conn.execute(m.Action.__table__.update().where(m.Action.id.in_(done)).values(done=True))
            conn.execute(m.ActionSheet.__table__.update().where(m.ActionSheet.id == row.pop("id")).values(**row))
        insert_rows(conn, m.ActionSheetHistory.__table__, history_rows)
        targets, measurements = indicator_values(rng, indicators, communes, now)
        insert_rows(conn, m.Target.__table__, targets)
        insert_rows(conn, m.Measurement.__table__, measurements)
    return {"seed": seed, "scale": scale, "as_of": AS_OF.isoformat()}


def citizen_fundings(rng: random.Random, fundings: list[dict], funder_ids: list[int]) -> list[dict]:
    """Citizen-savings lines for a share of the funded projects, drawn with their own generator (so
    that every other draw of the demo stays as it was): one line from one of :data:`CITIZEN_FUNDERS`
    (its funding type and amount range), in the year of the project's first funding."""
    first_year: dict[int, int] = {}
    for line in fundings:
        first_year[line["project_id"]] = min(first_year.get(line["project_id"], line["year"]), line["year"])
    lines = []
    for project_id, year in sorted(first_year.items()):
        if rng.random() >= CITIZEN_SHARE:
            continue
        index = rng.randrange(len(CITIZEN_FUNDERS))
        _, _, kind, low, high = CITIZEN_FUNDERS[index]
        amount = round(rng.uniform(low, high) / 500) * 500
        lines.append(
            {
                "project_id": project_id,
                "funder_id": funder_ids[index],
                "type": kind.value,
                "amount": float(amount),
                "year": year,
            }
        )
    return lines


def _unique_title(seen: dict, title: str, carrier_id: int) -> str:
    """Titles are unique per carrier (a project's natural key is title, carrier and commune)."""
    count = seen[(title, carrier_id)] = seen.get((title, carrier_id), 0) + 1
    return title if count == 1 else f"{title} ({count})"


def _lifecycle(rng: random.Random, proposed: date, calendar: Calendar):
    """Walk a project through the pipeline until the reference date; returns status, dates, steps."""
    steps = [(proposed, None, ProjectStatus.PROPOSE, None, "Proposition déposée par le porteur.", None)]
    status, start, end = ProjectStatus.PROPOSE, None, None
    tech = calendar.next(MeetingBody.GROUPE_TECHNICIENS, proposed + timedelta(days=7))
    if tech is None or tech["date"] > AS_OF:
        return status, start, end, steps
    roll = rng.random()
    if roll < 0.1:
        steps.append(
            (
                tech["date"],
                status,
                ProjectStatus.RENVOYE,
                tech,
                "Dossier incomplet : budget prévisionnel à préciser.",
                None,
            )
        )
        return ProjectStatus.RENVOYE, start, end, steps
    if roll < 0.14:
        steps.append((tech["date"], status, ProjectStatus.ABANDONNE, tech, "Le porteur retire sa proposition.", None))
        return ProjectStatus.ABANDONNE, start, end, steps
    steps.append((tech["date"], status, ProjectStatus.VALIDE, tech, "Validation technique.", None))
    status, day = ProjectStatus.VALIDE, tech["date"]
    while True:
        committee = calendar.next(MeetingBody.COMITE, day)
        if committee is None or committee["date"] > AS_OF:
            return status, start, end, steps
        opinion = weighted(rng, OPINION_WEIGHTS)
        day = committee["date"]
        if opinion is OpinionValue.AJOURNE:
            steps.append(
                (day, status, ProjectStatus.VALIDE, committee, "Avis ajourné : compléments demandés.", opinion)
            )
            continue
        new = ProjectStatus.REFUSE if opinion is OpinionValue.DEFAVORABLE else ProjectStatus.RETENU
        steps.append((day, status, new, committee, f"Avis {opinion.label.lower()} du comité.", opinion))
        status = new
        break
    if status is ProjectStatus.REFUSE:
        return status, start, end, steps
    start = day + timedelta(days=rng.randint(20, 120))
    if start > AS_OF:
        return status, None, None, steps
    steps.append((start, status, ProjectStatus.EN_COURS, None, "Démarrage du projet.", None))
    status = ProjectStatus.EN_COURS
    finish = start + timedelta(days=rng.randint(300, 900))
    if finish <= AS_OF:
        new = ProjectStatus.ABANDONNE if rng.random() < 0.07 else ProjectStatus.REALISE
        steps.append(
            (
                finish,
                status,
                new,
                None,
                "Projet arrêté faute de financement." if new is ProjectStatus.ABANDONNE else "Projet réalisé.",
                None,
            )
        )
        status, end = new, finish
    return status, start, end, steps
