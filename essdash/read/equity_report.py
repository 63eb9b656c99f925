"""The territorial equity check: every statistic of :mod:`essdash.domain.equity` applied to the place
figures of :func:`essdash.read.places.place_figures`, with the sentence a chair reads aloud.

Pure functions over DataFrames. :func:`report` returns an :class:`EquityReport` whose ``findings``
are, in the order they are read, each statistic's label, formatted figure and sentence: the Équité
page and the meeting pack both show them, so a new statistic is its mathematics in
:mod:`essdash.domain.equity` and its :class:`Finding` here.

Only communes that were members at the end of the period count. Inequality indices are computed
over communes; the Theil index is split between and within the 8 territories. When the communes are
those of a single territory, the split means nothing and its finding is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from essdash.domain import equity, fmt


@dataclass(frozen=True)
class EquityMeasure:
    label: str
    word: str
    count: str
    rate: str
    per: int
    rate_title: str
    is_count: bool


EQUITY_MEASURES = {
    "projects": EquityMeasure(
        "Projets", "projets", "projects", "projects_per_10k", 10_000, "Projets proposés pour 10 000 habitants", True
    ),
    "money": EquityMeasure(
        "Montant engagé", "euros engagés", "money", "money_per_inhabitant", 1, "Euros engagés par habitant", False
    ),
    "jobs": EquityMeasure(
        "Emplois prévus",
        "emplois prévus",
        "jobs_created",
        "jobs_per_10k",
        10_000,
        "Emplois prévus pour 10 000 habitants",
        True,
    ),
}


@dataclass(frozen=True)
class Finding:
    """One statistic of the equity check as it is shown and read aloud."""

    key: str  # "coverage", "gini", "theil", "hoover", "funnel"
    label: str
    value: str | None  # the formatted figure; None when the finding is a sentence only
    sentence: str
    help: str = ""
    technical: bool = False  # a figure for the Équité page only; the meeting pack keeps its sentence


@dataclass(frozen=True)
class Theil:
    """The Theil index of the rates, split between and within territories."""

    total: float
    between: float
    within: float
    within_by_group: dict[str, float]

    @property
    def between_share(self) -> float:
        """The part of the inequality that lies between territories."""
        return self.between / self.total


@dataclass(frozen=True)
class Coverage:
    """The shares of communes, and of their inhabitants, reached at least once."""

    units_share: float
    population_share: float


@dataclass(frozen=True)
class EquityReport:
    """Every equity figure of one measure over the member communes.

    ``territories`` and ``communes`` are the place figures with their location quotient (``lq``);
    communes also carry size class, distance, funnel ``flag``, ``rate`` and ``count``. ``by_size``
    and ``by_distance`` give the coverage per class; ``funnel`` the funnel limits (None for money).
    """

    measure: EquityMeasure
    metro_rate: float
    gini: float
    theil: Theil
    hoover: float
    coverage: Coverage
    territories: pd.DataFrame
    communes: pd.DataFrame
    lorenz: pd.DataFrame
    by_size: pd.DataFrame
    by_distance: pd.DataFrame
    funnel: pd.DataFrame | None
    findings: tuple[Finding, ...]
    metro_sentence: str

    def finding(self, key: str) -> Finding | None:
        return next((f for f in self.findings if f.key == key), None)

    @property
    def figures(self) -> tuple[Finding, ...]:
        """The findings that have a figure."""
        return tuple(f for f in self.findings if f.value is not None)


def _classes(members: pd.DataFrame, column: str, order: list[str], count: str) -> pd.DataFrame:
    rows = []
    for label in order:
        part = members[members[column] == label]
        reached = part[part[count] > 0]
        rows.append(
            {
                "classe": label,
                "communes": len(part),
                "communes_touchees": len(reached),
                "part_communes": len(reached) / len(part) if len(part) else np.nan,
                "population": int(part["population"].sum()),
                "part_population": reached["population"].sum() / part["population"].sum()
                if part["population"].sum()
                else np.nan,
                "total": float(part[count].sum()),
            }
        )
    return pd.DataFrame(rows)


def report(communes: pd.DataFrame, territories: pd.DataFrame, measure: str) -> EquityReport:
    """Every equity figure for ``measure`` (``projects``, ``money`` or ``jobs``), with its findings."""
    spec = EQUITY_MEASURES[measure]
    members = communes[communes["member"]].copy()
    counts, population = members[spec.count].astype(float), members["population"].astype(float)
    total_population = population.sum()
    metro_rate = float(counts.sum() / total_population * spec.per) if total_population else np.nan
    members["lq"] = equity.location_quotients(counts, population).to_numpy()
    members["size_class"] = equity.size_class(members["population"]).to_numpy()
    members["distance_km"] = equity.distance_km(members["lat"], members["lon"]).to_numpy()
    members["distance_band"] = equity.distance_band(members["distance_km"]).to_numpy()
    places = territories.copy()
    places["lq"] = equity.location_quotients(
        places[spec.count].astype(float), places["population"].astype(float)
    ).to_numpy()
    gini = equity.gini(counts, population)
    theil = equity.theil(counts, population, members["territory_code"])
    hoover = equity.hoover(counts, population)
    coverage = equity.coverage(counts, population)
    split = Theil(**theil)
    findings = [
        Finding(
            "coverage",
            "Communes touchées",
            fmt.percent(coverage["units_share"]),
            equity.sentence_coverage(coverage, spec.word),
            "Part des communes membres ayant au moins un projet",
        ),
        Finding(
            "gini",
            "Indice de Gini",
            fmt.number(gini, 2),
            equity.sentence_gini(gini, spec.word),
            "0 = égalité parfaite, 1 = tout au même endroit",
        ),
        Finding(
            "hoover",
            "Indice de Hoover",
            fmt.percent(hoover),
            equity.sentence_hoover(hoover, spec.word),
            "Part qui devrait changer de commune",
        ),
    ]
    several = members["territory_code"].nunique() > 1
    if several:
        findings.insert(
            2,
            Finding(
                "theil",
                "Theil : part entre territoires",
                fmt.percent(split.between_share) if split.total else "–",
                equity.sentence_theil(theil, spec.word),
                f"Indice de Theil total : {fmt.number(split.total, 3)}",
                technical=True,
            ),
        )
    funnel = None
    if spec.is_count:
        members["flag"] = equity.funnel_flags(counts, population).to_numpy()
        grid = np.unique(np.geomspace(max(population.min(), 1), population.max(), 60).round())
        limits = equity.funnel_limits(grid, metro_rate if np.isfinite(metro_rate) else 0.0, per=spec.per)
        funnel = limits.reset_index(drop=True)
        above = members.loc[members["flag"] == "au-dessus", "name"].tolist()
        below = members.loc[members["flag"] == "en dessous", "name"].tolist()
        findings.append(
            Finding("funnel", "Entonnoir (99,8 %)", None, _funnel_sentence(above, below, spec.word, several))
        )
    else:
        members["flag"] = None
    return EquityReport(
        measure=spec,
        metro_rate=metro_rate,
        gini=gini,
        theil=split,
        hoover=hoover,
        coverage=Coverage(**coverage),
        territories=places,
        communes=members.assign(rate=members[spec.rate], count=counts.to_numpy()),
        lorenz=equity.lorenz_curve(counts, population),
        by_size=_classes(members, "size_class", equity.SIZE_CLASSES, spec.count),
        by_distance=_classes(members, "distance_band", equity.DISTANCE_BANDS, spec.count),
        funnel=funnel,
        findings=tuple(findings),
        metro_sentence=(
            f"En moyenne, {'la métropole' if several else 'le territoire'} compte "
            f"{fmt.number(metro_rate, 2 if spec.per == 1 else 1)} "
            f"{spec.rate_title.lower()}."
        ),
    )


def _funnel_sentence(above: list[str], below: list[str], word: str, metropolis: bool = True) -> str:
    """Which communes lie beyond the funnel's limits around the mean (of the metropolis, or of the
    one territory whose communes are compared)."""
    mean = "la moyenne métropolitaine" if metropolis else "la moyenne du territoire"
    if not above and not below:
        return (
            f"Aucune commune ne s'écarte de {mean} au-delà de ce que le hasard explique "
            "(limites à 99,8 %), compte tenu de sa taille."
        )
    parts = []
    if above:
        parts.append(
            f"{fmt.plural(len(above), 'commune')} nettement au-dessus ({', '.join(above[:5])}"
            f"{' …' if len(above) > 5 else ''})"
        )
    if below:
        parts.append(
            f"{fmt.plural(len(below), 'commune')} nettement en dessous ({', '.join(below[:5])}"
            f"{' …' if len(below) > 5 else ''})"
        )
    return (
        f"Compte tenu de leur taille, {' et '.join(parts)} de {mean} en {word}, "
        "au-delà de ce que le hasard explique (limites à 99,8 %)."
    )


def white_spots_sentence(spots: pd.DataFrame, last_n: int, members: int) -> str:
    if spots.empty:
        return f"Toutes les communes membres ont eu au moins un projet proposé ces {last_n} derniers semestres."
    return (
        f"{fmt.plural(len(spots), 'commune')} sur {fmt.number(members)}, soit "
        f"{fmt.number(int(spots['population'].sum()))} habitants, n'ont eu aucun projet proposé "
        f"ces {last_n} derniers semestres."
    )
