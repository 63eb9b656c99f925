"""Territorial equity: population-weighted statistics of how projects spread over the metropolis.

The plan asks that every territory and every commune, whatever its size and distance to Lille,
benefit ("équité des territoires", see DESIGN.md). These pure functions measure it from one count
(projects, jobs, euros) and one population per unit (commune or territory): rates per 10 000
inhabitants, coverage, location quotients, the Lorenz curve and Gini index, the Theil index split
between and within territories, the Hoover index, funnel-plot limits from exact Poisson quantiles,
size classes and distance bands, and one plain-French sentence per figure for a chair to read aloud.

Inputs are lists, numpy arrays or pandas Series aligned by position; a Series result keeps the
index of the Series given. Units with zero population (communes not yet members) are left out of
every total: their counts are not spread over anyone. Mismatched lengths, negative or missing
values raise ``ValueError`` with a French message.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, TypeAlias, TypedDict

import numpy as np
import numpy.typing as npt
import pandas as pd

from essdash.domain import fmt

SIZE_BOUNDS = (2_000, 5_000, 10_000, 20_000, 50_000)
SIZE_CLASSES = [
    f"moins de 2{fmt.NNBSP}000 hab.",
    f"2{fmt.NNBSP}000 à 4{fmt.NNBSP}999 hab.",
    f"5{fmt.NNBSP}000 à 9{fmt.NNBSP}999 hab.",
    f"10{fmt.NNBSP}000 à 19{fmt.NNBSP}999 hab.",
    f"20{fmt.NNBSP}000 à 49{fmt.NNBSP}999 hab.",
    f"50{fmt.NNBSP}000 hab. et plus",
]
DISTANCE_BOUNDS = (5, 10, 15)
DISTANCE_BANDS = ["moins de 5 km", "5 à 10 km", "10 à 15 km", "15 km et plus"]
EARTH_RADIUS_KM = 6371.0088
FLAGS = ("au-dessus", "en dessous", "dans la norme")

Values: TypeAlias = "npt.ArrayLike | pd.Series"  # a list, a numpy array or a pandas Series of numbers


class Theil(TypedDict):
    """A :func:`theil` result."""

    total: float
    between: float
    within: float
    within_by_group: dict[Any, float]  # group label (as given: a territory's code) → its share


# --- inputs ----------------------------------------------------------------------------------


def _index(*values: object) -> pd.Index | None:
    """The index shared by the Series among ``values``, or None when none is a Series."""
    indexes = [value.index for value in values if isinstance(value, pd.Series)]
    if any(not other.equals(indexes[0]) for other in indexes[1:]):
        raise ValueError("Les séries données n'ont pas le même index.")
    return indexes[0] if indexes else None


def _array(values: Values, name: str, *, missing: bool = False, negative: bool = False) -> np.ndarray:
    if isinstance(values, pd.Series):
        values = values.to_numpy(dtype=float, na_value=np.nan)
    try:
        array = np.atleast_1d(np.asarray(values, dtype=float))
    except (TypeError, ValueError):
        raise ValueError(f"{name} : valeurs numériques attendues.") from None
    if array.ndim != 1:
        raise ValueError(f"{name} : une valeur par unité attendue.")
    if not missing and np.isnan(array).any():
        raise ValueError(f"{name} : valeurs manquantes.")
    if not negative and (array < 0).any():
        raise ValueError(f"{name} : valeurs négatives interdites.")
    return array


def _same_length(*arrays: np.ndarray) -> None:
    if len({len(array) for array in arrays}) > 1:
        raise ValueError("Longueurs différentes : " + ", ".join(str(len(array)) for array in arrays) + " valeurs.")


def _arrays(counts: Values, population: Values) -> tuple[np.ndarray, np.ndarray]:
    c, p = _array(counts, "Effectifs"), _array(population, "Population")
    _same_length(c, p)
    return c, p


def _ratio(numerator: npt.ArrayLike, denominator: npt.ArrayLike) -> np.ndarray:
    """``numerator / denominator``, NaN where the denominator is 0."""
    numerator, denominator = np.broadcast_arrays(np.asarray(numerator, float), np.asarray(denominator, float))
    out = np.full(numerator.shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def _shares(counts: Values, population: Values) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Count and population shares over populated units, their mask; None if they hold no count."""
    c, p = _arrays(counts, population)
    populated = p > 0
    c, p = c[populated], p[populated]
    return None if c.sum() == 0 else (c / c.sum(), p / p.sum(), populated)


# --- rates and coverage ----------------------------------------------------------------------


def rate_per(counts: Values, population: Values, per: float = 10_000) -> pd.Series:
    """Rate per ``per`` inhabitants: counts / population × per, NaN where the population is 0."""
    c, p = _arrays(counts, population)
    return pd.Series(_ratio(c, p) * per, index=_index(counts, population))


def coverage(counts: Values, population: Values) -> dict[str, float]:
    """Reach of the counts over populated units (zero-population units are left out).

    ``units_share`` = #{i : c_i > 0} / #{i : pop_i > 0};
    ``population_share`` = Σ_{c_i > 0} pop_i / Σ pop_i. Both NaN when no unit has a population.
    """
    c, p = _arrays(counts, population)
    populated = p > 0
    reached = populated & (c > 0)
    if not populated.any():
        return {"units_share": math.nan, "population_share": math.nan}
    return {
        "units_share": float(reached.sum() / populated.sum()),
        "population_share": float(p[reached].sum() / p.sum()),
    }


def location_quotients(counts: Values, population: Values) -> pd.Series:
    """Location quotient LQ_i = (c_i / Σc) / (pop_i / Σpop) (Isard, "Methods of Regional Analysis",
    1960): 1 when a unit holds its population's share of the counts. NaN when Σc = 0 or pop_i = 0."""
    c, p = _arrays(counts, population)
    c = np.where(p > 0, c, 0.0)
    return pd.Series(_ratio(_ratio(c, c.sum()), _ratio(p, p.sum())), index=_index(counts, population))


# --- inequality indices ----------------------------------------------------------------------


def _by_rate(s: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(s / p, kind="stable")
    return s[order], p[order]


def lorenz_curve(counts: Values, population: Values) -> pd.DataFrame:
    """Population-weighted Lorenz curve (Cowell, "Measuring Inequality", 3rd ed., 2011, ch. 2).

    Units sorted by rate c_i / pop_i ascending; points (X_k, Y_k) = cumulative population share and
    cumulative count share, from (0, 0) to (1, 1). Empty frame when there is no count to spread.
    """
    shares = _shares(counts, population)
    if shares is None:
        return pd.DataFrame({"population_share": [], "count_share": []}, dtype=float)
    s, p = _by_rate(*shares[:2])
    return pd.DataFrame(
        {
            "population_share": np.concatenate(([0.0], np.cumsum(p))),
            "count_share": np.concatenate(([0.0], np.cumsum(s))),
        }
    )


def gini(counts: Values, population: Values) -> float:
    """Population-weighted Gini index of the rate r_i = c_i / pop_i (Cowell 2011, ch. 3).

    G = Σ_i Σ_j p_i p_j |r_i − r_j| / (2μ), p the population shares, μ = Σ p_i r_i; equal to
    1 − Σ_k (X_k − X_{k−1})(Y_k + Y_{k−1}) on the Lorenz curve. Computed in O(n log n): with units
    sorted by rate and P_i the cumulative population share, G = Σ_i s_i (2 P_i − p_i − 1), s the
    count shares. 0 for equal rates; (n − 1)/n when one of n equal units holds everything.
    NaN when there is no count.
    """
    shares = _shares(counts, population)
    if shares is None:
        return math.nan
    s, p = _by_rate(*shares[:2])
    return max(float(np.sum(s * (2 * np.cumsum(p) - p - 1))), 0.0)


def _theil_terms(s: np.ndarray, p: np.ndarray) -> np.ndarray:
    """s ln(s / p), 0 where s = 0 (the limit of x ln x)."""
    terms = np.zeros(len(s))
    held = s > 0
    terms[held] = s[held] * np.log(s[held] / p[held])
    return terms


def theil(counts: Values, population: Values, groups: Values) -> Theil:
    """Theil T index of the rates, decomposed between and within groups (Theil, "Economics and
    Information Theory", 1967; Cowell 2011, ch. 3 and appendix).

    T = Σ_i s_i ln(s_i / p_i), s the count shares, p the population shares; units with s_i = 0
    contribute 0. Between = Σ_g S_g ln(S_g / P_g) on group totals; within = Σ_g S_g T_g with T_g
    the index inside group g; total = between + within. Returns ``total``, ``between``,
    ``within`` and ``within_by_group`` (group → S_g T_g, in order of first appearance); NaN
    values and an empty dict when there is no count. The log makes the index fragile when many
    units hold nothing, as communes do: the app uses it over territories, though any unit works.
    """
    labels = pd.Series(groups).to_numpy(dtype=object)
    _index(counts, population, groups)
    _same_length(labels, *_arrays(counts, population))
    if pd.isna(labels).any():
        raise ValueError("Groupes : valeurs manquantes.")
    shares = _shares(counts, population)
    if shares is None:
        return {"total": math.nan, "between": math.nan, "within": math.nan, "within_by_group": {}}
    s, p, populated = shares
    frame = pd.DataFrame({"group": labels[populated], "s": s, "p": p})
    within_by_group: dict[Any, float] = {}
    group_s: list[float] = []
    group_p: list[float] = []
    for group, part in frame.groupby("group", sort=False):
        total_s, total_p = part["s"].sum(), part["p"].sum()
        inside = _theil_terms(part["s"].to_numpy() / total_s, part["p"].to_numpy() / total_p) if total_s else 0
        within_by_group[group] = float(total_s * np.sum(inside))
        group_s.append(total_s)
        group_p.append(total_p)
    return {
        "total": float(_theil_terms(s, p).sum()),
        "between": float(_theil_terms(np.array(group_s), np.array(group_p)).sum()),
        "within": float(sum(within_by_group.values())),
        "within_by_group": within_by_group,
    }


def hoover(counts: Values, population: Values) -> float:
    """Hoover index H = ½ Σ_i |s_i − p_i| (Hoover, "The measurement of industrial localization",
    Review of Economics and Statistics 18, 1936): the share of the counts that would have to move
    for them to be proportional to population. 0 under proportionality; 1 − p when one unit of
    population share p holds everything. NaN when there is no count.
    """
    shares = _shares(counts, population)
    return math.nan if shares is None else float(np.abs(shares[0] - shares[1]).sum() / 2)


# --- funnel plot -----------------------------------------------------------------------------


def poisson_quantile(prob: npt.ArrayLike, lam: float) -> Any:
    """Smallest k with P(X ≤ k) ≥ prob for X ~ Poisson(lam); ``prob`` a number or a sequence.

    The pmf is summed from ⌊lam − 10√lam − 10⌋ (mass below is negligible) by the recurrence
    pmf(k) = pmf(k − 1) · lam / k, started from its log with ``math.lgamma``.
    """
    probs = np.atleast_1d(np.asarray(prob, dtype=float))
    if not (lam >= 0 and np.all((probs > 0) & (probs < 1))):
        raise ValueError("Quantile de Poisson : moyenne positive et probabilités entre 0 et 1 attendues.")
    if lam == 0:
        quantiles = np.zeros(len(probs), dtype=int)
    else:
        spread = 10 * math.sqrt(lam) + 10
        start = max(0, math.floor(lam - spread))
        k = np.arange(start + 1, math.ceil(lam + spread) + 1)
        first = start * math.log(lam) - lam - math.lgamma(start + 1)
        log_pmf = np.concatenate(([first], first + np.cumsum(math.log(lam) - np.log(k))))
        cdf = np.cumsum(np.exp(log_pmf))
        quantiles = start + np.minimum(np.searchsorted(cdf, probs), len(cdf) - 1)
    return int(quantiles[0]) if np.ndim(prob) == 0 else quantiles


def _level_name(level: float) -> str:
    """0.95 → "95", 0.998 → "998"."""
    return f"{level * 100:g}".replace(".", "")


def funnel_limits(
    population: Values, overall_rate: float, per: float = 10_000, levels: Sequence[float] = (0.95, 0.998)
) -> pd.DataFrame:
    """Control limits of a funnel plot (Spiegelhalter, "Funnel plots for comparing institutional
    performance", Statistics in Medicine 24:1185–1202, 2005).

    For each population: expected count λ = overall_rate × pop / per, and for each two-sided level
    L the rates per ``per`` at the exact Poisson quantiles (1 − L)/2 and (1 + L)/2 of λ, divided by
    the population (step-shaped: no interpolation). Columns ``population``, ``expected``,
    ``lower_95``, ``upper_95``, ``lower_998``, ``upper_998`` for the default levels.
    """
    pop = _array(population, "Population")
    if not overall_rate >= 0:
        raise ValueError("Taux de référence : valeur positive attendue.")
    expected = overall_rate * pop / per
    frame = pd.DataFrame({"population": pop, "expected": expected}, index=_index(population))
    for level in levels:
        limits = np.array([poisson_quantile([(1 - level) / 2, (1 + level) / 2], lam) for lam in expected])
        frame[f"lower_{_level_name(level)}"] = _ratio(limits[:, 0] * per, pop)
        frame[f"upper_{_level_name(level)}"] = _ratio(limits[:, 1] * per, pop)
    return frame


def funnel_flags(counts: Values, population: Values, level: float = 0.998) -> pd.Series:
    """ "au-dessus", "en dessous" or "dans la norme" for each unit, as placed on a funnel plot.

    Expected count λ_i = Σc × pop_i / Σpop; a unit is above when c_i exceeds the Poisson quantile
    (1 + L)/2 of λ_i, below when c_i is under the quantile (1 − L)/2 — the limits of
    :func:`funnel_limits` on counts, so small units are not flagged by chance. Meant for counts
    (projects), not sums of money. Units with zero population are not assessed (missing).
    """
    if not 0 < level < 1:
        raise ValueError("Niveau : valeur entre 0 et 1 attendue.")
    c, p = _arrays(counts, population)
    flags = np.full(len(c), None, dtype=object)
    populated = p > 0
    expected = c[populated].sum() * p[populated] / p[populated].sum()
    for i, lam in zip(np.flatnonzero(populated), expected):
        lower, upper = poisson_quantile([(1 - level) / 2, (1 + level) / 2], lam)
        flags[i] = FLAGS[0] if c[i] > upper else FLAGS[1] if c[i] < lower else FLAGS[2]
    return pd.Series(flags, index=_index(counts, population))


# --- size classes and distances --------------------------------------------------------------


def _classify(values: Values, name: str, bounds: Sequence[float], labels: Sequence[str]) -> Any:
    array = _array(values, name, missing=True)
    classes = np.array(labels, dtype=object)[np.searchsorted(bounds, array, side="right")]
    classes[np.isnan(array)] = None
    return classes[0] if np.ndim(values) == 0 else pd.Series(classes, index=_index(values))


def size_class(population: Values) -> Any:
    """Commune size class, one of :data:`SIZE_CLASSES` (INSEE-style bounds 2 000, 5 000, 10 000,
    20 000, 50 000; a bound opens the next class). A label for a number, a Series otherwise."""
    return _classify(population, "Population", SIZE_BOUNDS, SIZE_CLASSES)


def distance_km(lat: Values, lon: Values, lat0: float = 50.6330, lon0: float = 3.0586) -> Any:
    """Great-circle distance in km to (lat0, lon0), by default Lille's Grand-Place (haversine,
    R = 6371.0088 km, the IUGG mean Earth radius): d = 2R asin √(sin²(Δφ/2) + cos φ cos φ0
    sin²(Δλ/2)). A float for numbers, a Series otherwise; NaN for missing coordinates."""
    phi = _array(lat, "Latitude", missing=True, negative=True)
    lam = _array(lon, "Longitude", missing=True, negative=True)
    _same_length(phi, lam)
    if (np.abs(phi) > 90).any():
        raise ValueError("Latitude : valeurs entre −90 et 90 attendues.")
    phi, lam, phi0, lam0 = np.radians(phi), np.radians(lam), math.radians(lat0), math.radians(lon0)
    a = np.sin((phi - phi0) / 2) ** 2 + np.cos(phi) * math.cos(phi0) * np.sin((lam - lam0) / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))
    return float(km[0]) if np.ndim(lat) == 0 and np.ndim(lon) == 0 else pd.Series(km, index=_index(lat, lon))


def distance_band(km: Values) -> Any:
    """Distance band, one of :data:`DISTANCE_BANDS`; a bound opens the next band."""
    return _classify(km, "Distance", DISTANCE_BOUNDS, DISTANCE_BANDS)


# --- sentences -------------------------------------------------------------------------------


def _nothing(what: str = "projets") -> str:
    elided = "d'" if what[:1].lower() in "aeéèêiîouyh" else "de "
    subject = "Aucun projet" if what == "projets" else f"Pas {elided}{what}"
    return f"{subject} : l'indice ne peut pas être calculé."


def gini_band(value: float) -> str:
    """The band of a Gini index: < 0,2 very equal, < 0,35 moderately unequal, < 0,5 unequal, else
    very unequal."""
    return (
        "très égale"
        if value < 0.2
        else "modérément inégale"
        if value < 0.35
        else "inégale"
        if value < 0.5
        else "très inégale"
    )


def sentence_gini(value: float, what: str = "projets") -> str:
    """The Gini index read aloud, with its band: < 0,2 very equal, < 0,35 moderately unequal,
    < 0,5 unequal, else very unequal."""
    if math.isnan(value):
        return _nothing(what)
    return (
        f"Indice de Gini de {fmt.number(float(value), 2)} : rapportée à la population, la répartition "
        f"des {what} est {gini_band(value)} (0 = égalité parfaite, 1 = tout au même endroit)."
    )


def sentence_hoover(value: float, what: str = "projets") -> str:
    """The Hoover index as the share of ``what`` that would have to change commune."""
    if math.isnan(value):
        return _nothing(what)
    return (
        f"{fmt.percent(float(value))} des {what} devraient changer de commune pour que leur "
        "répartition suive exactement celle de la population."
    )


def sentence_theil(result: Theil, what: str = "projets") -> str:
    """The split of a :func:`theil` result between and within territories."""
    total = result["total"]
    if math.isnan(total):
        return _nothing(what)
    if total < 1e-12:
        return f"Les {what} suivent exactement la population : il n'y a pas d'inégalité à décomposer."
    between = min(max(result["between"] / total, 0.0), 1.0)
    return (
        f"{fmt.percent(between)} de l'inégalité vient des écarts entre territoires, "
        f"{fmt.percent(1 - between)} des écarts entre communes d'un même territoire."
    )


def sentence_coverage(result: dict[str, float], what: str = "projets") -> str:
    """A :func:`coverage` result: share of communes reached, and of inhabitants living there."""
    if math.isnan(result["units_share"]):
        return "Aucune commune habitée : la couverture ne peut pas être calculée."
    return (
        f"{fmt.percent(result['units_share'])} des communes, où vivent "
        f"{fmt.percent(result['population_share'])} des habitants, comptent des {what}."
    )
