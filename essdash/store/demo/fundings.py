"""The funding side of the demonstration dataset: the funder table, the lines of each retained
project (ordinary funders drawn by weight) and the citizen-savings lines drawn apart, with the open
data facts of the subsidies (convention, payment) and the identifiers of carriers and funders.
Fictional, deterministic: the SIRET and RNA numbers are made up (valid keys, no real body), and derived
from the rows' ids rather than drawn, so every other draw of the demo stays as it was."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

from essdash.domain import fields, subsidies
from essdash.domain.vocabulary import FundingType, LegalForm
from essdash.store.demo.names import CITIZEN_FUNDERS, CITIZEN_SHARE, FUNDER_TYPES, FUNDERS, cumulative, weighted

# the ids of the funders of :data:`FUNDERS` (numbered from 1), by weight
FUNDER_WEIGHTS = cumulative([(i + 1, weight) for i, (_, _, weight) in enumerate(FUNDERS)])


def funder_rows() -> list[dict]:
    """The rows of the funder table: :data:`FUNDERS` numbered from 1, then :data:`CITIZEN_FUNDERS`
    numbered on from them."""
    return [
        {"id": i + 1, "name": name, "kind": kind, "siret": fictional_siret(f"2{i + 1:07d}")}
        for i, (name, kind, *_) in enumerate([*FUNDERS, *CITIZEN_FUNDERS])
    ]


def _key(digits: str) -> str:
    """The digit that completes ``digits`` into a number valid by its Luhn key."""
    return next(d for d in "0123456789" if subsidies.luhn(digits + d))


def fictional_siret(prefix: str) -> str:
    """A made-up SIRET from an 8-digit ``prefix``: a SIREN valid by its key, establishment 0001, then
    the SIRET's key."""
    siren = prefix + _key(prefix)
    return siren + "0001" + _key(siren + "0001")


def carrier_identifiers(carrier: dict) -> dict:
    """A demo carrier's made-up SIRET (every carrier) and RNA number (associations)."""
    association = carrier["legal_form"] == LegalForm.ASSOCIATION.value
    return {
        "siret": fictional_siret(f"9{carrier['id']:07d}"),
        "rna": f"W59{carrier['id']:07d}" if association else None,
    }


def convention_facts(line: dict) -> dict:
    """A demo subsidy's convention: dated in its year (from its project's id), paid at once within a
    month under 23 000 €, in instalments over a year above; every subsidy in cash, not notified, wholly
    to its carrier. Other kinds of funding have none (the open-data format is for subsidies)."""
    if line["type"] != FundingType.GRANT.value:
        return dict.fromkeys(fields.FUNDING_FACTS)
    signed = date(line["year"], 1 + line["project_id"] % 11, 1 + line["project_id"] % 27)
    staggered = line["amount"] > 23_000
    paid = f"{signed + timedelta(days=30):%Y-%m-%d}"
    return {
        "convention_date": signed,
        "decision_reference": f"DEMO-{line['year']}-{line['project_id']:04d}-{line['funder_id']:02d}",
        "nature": subsidies.NATURES[0],
        "payment_conditions": subsidies.STAGGERED if staggered else subsidies.UNIQUE,
        "payment_dates": f"{signed:%Y-%m-%d}/{signed + timedelta(days=365):%Y-%m-%d}" if staggered else paid,
        "eu_notification": False,
        "beneficiary_share": 1.0,
        "aid_scheme": None,
    }


def project_fundings(rng: random.Random, project_id: int, year: int, size: float) -> list[dict]:
    """The funding lines of a retained project in ``year``: one to three distinct funders of
    :data:`FUNDERS` drawn by weight, each with one of its funding types (:data:`FUNDER_TYPES`, mostly
    subsidies otherwise) and an amount, in steps of 500 €, that grows with the project's ``size``."""
    lines = []
    for funder in {weighted(rng, FUNDER_WEIGHTS): None for _ in range(rng.randint(1, 3))}:
        name = FUNDERS[funder - 1][0]
        kind = rng.choice(FUNDER_TYPES.get(name, (FundingType.GRANT, FundingType.GRANT, FundingType.REPAYABLE_ADVANCE)))
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
