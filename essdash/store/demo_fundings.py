"""The funding side of the demonstration dataset: the funder table, the lines of each retained
project (ordinary funders drawn by weight) and the citizen-savings lines drawn apart. Fictional,
deterministic."""

from __future__ import annotations

import math
import random

from essdash.domain.vocabulary import FundingType
from essdash.store.demo_names import CITIZEN_FUNDERS, CITIZEN_SHARE, FUNDER_TYPES, FUNDERS, cumulative, weighted

# the ids of the funders of :data:`FUNDERS` (numbered from 1), by weight
FUNDER_WEIGHTS = cumulative([(i + 1, weight) for i, (_, _, weight) in enumerate(FUNDERS)])


def funder_rows() -> list[dict]:
    """The rows of the funder table: :data:`FUNDERS` numbered from 1, then :data:`CITIZEN_FUNDERS`
    numbered on from them."""
    return [
        {"id": i + 1, "name": name, "kind": kind} for i, (name, kind, *_) in enumerate([*FUNDERS, *CITIZEN_FUNDERS])
    ]


def project_fundings(rng: random.Random, project_id: int, year: int, size: float) -> list[dict]:
    """The funding lines of a retained project in ``year``: one to three distinct funders of
    :data:`FUNDERS` drawn by weight, each with one of its funding types (:data:`FUNDER_TYPES`, mostly
    subsidies otherwise) and an amount, in steps of 500 €, that grows with the project's ``size``."""
    lines = []
    for funder in {weighted(rng, FUNDER_WEIGHTS): None for _ in range(rng.randint(1, 3))}:
        name = FUNDERS[funder - 1][0]
        kind = rng.choice(
            FUNDER_TYPES.get(name, (FundingType.SUBVENTION, FundingType.SUBVENTION, FundingType.AVANCE_REMBOURSABLE))
        )
        amount = round(math.exp(rng.uniform(math.log(4000), math.log(120000))) * size**0.5 / 500) * 500
        lines.append(
            {
                "project_id": project_id,
                "funder_id": funder,
                "type": kind.value,
                "amount": float(max(amount, 500)),
                "year": year,
            }
        )
    return lines


def citizen_fundings(rng: random.Random, fundings: list[dict]) -> list[dict]:
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
                "funder_id": len(FUNDERS) + index + 1,  # as numbered by :func:`funder_rows`
                "type": kind.value,
                "amount": float(amount),
                "year": year,
            }
        )
    return lines
