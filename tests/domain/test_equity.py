"""Territorial equity statistics on textbook cases worked by hand, and against loop-based
reimplementations written independently here."""

import math

import numpy as np
import pandas as pd
import pytest

from essdash.domain import equity

NNBSP, NBSP = "\u202f", "\u00a0"

# The hand-worked example: three communes of 2 000, 3 000 and 5 000 inhabitants with 4, 3 and 3
# projects. Population shares p = (0,2 ; 0,3 ; 0,5), project shares s = (0,4 ; 0,3 ; 0,3),
# rates per 1 000 inhabitants r = (2 ; 1 ; 0,6), mean rate μ = 0,4 + 0,3 + 0,3 = 1.
COUNTS, POPULATION, GROUPS = [4, 3, 3], [2_000, 3_000, 5_000], ["A", "A", "B"]


# --- independent reimplementations (plain loops over the definitions) ----------------------------


def loop_gini(counts, population):
    units = [(c, p) for c, p in zip(counts, population) if p > 0]
    total_c, total_p = sum(c for c, _ in units), sum(p for _, p in units)
    mean = total_c / total_p
    double_sum = sum((pi / total_p) * (pj / total_p) * abs(ci / pi - cj / pj) for ci, pi in units for cj, pj in units)
    return double_sum / (2 * mean)


def loop_hoover(counts, population):
    units = [(c, p) for c, p in zip(counts, population) if p > 0]
    total_c, total_p = sum(c for c, _ in units), sum(p for _, p in units)
    return sum(abs(c / total_c - p / total_p) for c, p in units) / 2


def loop_theil(counts, population, groups):
    units = [(c, p, g) for c, p, g in zip(counts, population, groups) if p > 0]
    total_c = sum(u[0] for u in units)

    def t(pairs):  # Theil T of (count, population) pairs
        sc, sp = sum(c for c, _ in pairs), sum(p for _, p in pairs)
        return sum((c / sc) * math.log((c / sc) / (p / sp)) for c, p in pairs if c > 0)

    total = t([(c, p) for c, p, _ in units])
    by_group = {}
    for c, p, g in units:
        by_group.setdefault(g, []).append((c, p))
    between = t([(sum(c for c, _ in pairs), sum(p for _, p in pairs)) for pairs in by_group.values()])
    within = {
        g: (sum(c for c, _ in pairs) / total_c) * (t(pairs) if sum(c for c, _ in pairs) else 0.0)
        for g, pairs in by_group.items()
    }
    return total, between, within


def gini_from_lorenz(frame):
    x, y = frame["population_share"].to_numpy(), frame["count_share"].to_numpy()
    return 1 - sum((x[k] - x[k - 1]) * (y[k] + y[k - 1]) for k in range(1, len(x)))


def random_communes(seed=2011, n=95):
    """95 communes with skewed populations, rates varying by commune, many zero counts."""
    rng = np.random.default_rng(seed)
    population = np.round(rng.lognormal(mean=8.7, sigma=1.1, size=n)).astype(int) + 100
    counts = rng.poisson(population / 10_000 * rng.gamma(0.8, 12, size=n))
    groups = np.array([f"T{i % 8 + 1}" for i in range(n)])
    rng.shuffle(groups)
    return counts, population, groups


# --- rates, coverage, location quotients ----------------------------------------------------------


def test_rate_per_keeps_the_index_and_gives_nan_without_population():
    counts = pd.Series([5, 0, 3], index=["59350", "59512", "59999"])
    population = pd.Series([10_000, 2_500, 0], index=counts.index)
    rates = equity.rate_per(counts, population)
    assert list(rates.index) == ["59350", "59512", "59999"]
    assert rates.iloc[:2].tolist() == [5.0, 0.0] and math.isnan(rates.iloc[2])
    assert equity.rate_per([3], [1_500], per=1).tolist() == [0.002]


def test_coverage_leaves_out_units_without_population():
    # Populated units: 100, 300, 600 inhabitants; reached: the 300 and the 600 (the unit of 0
    # inhabitants with 2 projects is left out) → 2/3 of units, 900/1 000 of the population.
    result = equity.coverage([0, 3, 2, 5], [100, 300, 0, 600])
    assert result["units_share"] == pytest.approx(2 / 3)
    assert result["population_share"] == pytest.approx(0.9)
    assert equity.coverage([0, 0], [10, 20]) == {"units_share": 0.0, "population_share": 0.0}
    assert all(math.isnan(v) for v in equity.coverage([1], [0]).values())


def test_location_quotients_of_the_hand_worked_example():
    # LQ = s / p = (0,4/0,2 ; 0,3/0,3 ; 0,3/0,5) = (2 ; 1 ; 0,6); a unit without population gets
    # NaN and its counts stay out of the totals.
    assert equity.location_quotients(COUNTS, POPULATION).tolist() == pytest.approx([2, 1, 0.6])
    quotients = equity.location_quotients(COUNTS + [7], POPULATION + [0])
    assert quotients.iloc[:3].tolist() == pytest.approx([2, 1, 0.6]) and math.isnan(quotients.iloc[3])
    assert equity.location_quotients([0, 0], [1, 2]).isna().all()


# --- Gini, Lorenz, Theil, Hoover: textbook cases -------------------------------------------------


@pytest.mark.parametrize("n", [2, 5, 8, 95])
def test_perfect_equality_gives_zero(n):
    population = np.arange(1, n + 1) * 1_000
    counts = population // 100  # the same rate everywhere
    assert equity.gini(counts, population) == pytest.approx(0, abs=1e-12)
    assert equity.hoover(counts, population) == pytest.approx(0, abs=1e-12)
    result = equity.theil(counts, population, [i % 3 for i in range(n)])
    assert [result["total"], result["between"], result["within"]] == pytest.approx([0, 0, 0], abs=1e-12)


@pytest.mark.parametrize("n", [2, 3, 8, 95])
def test_one_unit_holding_everything_among_n_equal_units(n):
    counts, population = [0] * (n - 1) + [12], [1_000] * n
    assert equity.gini(counts, population) == pytest.approx((n - 1) / n)
    assert equity.theil(counts, population, ["x"] * n)["total"] == pytest.approx(math.log(n))
    assert equity.hoover(counts, population) == pytest.approx((n - 1) / n)


def test_gini_and_lorenz_of_the_hand_worked_example():
    # Sorted by rate: (r 0,6, p 0,5, s 0,3), (1 ; 0,3 ; 0,3), (2 ; 0,2 ; 0,4).
    # Lorenz X = 0 ; 0,5 ; 0,8 ; 1 and Y = 0 ; 0,3 ; 0,6 ; 1.
    # G = 1 − [0,5 × 0,3 + 0,3 × 0,9 + 0,2 × 1,6] = 1 − 0,74 = 0,26. Double sum: pairs
    # 0,2·0,3·|2−1| + 0,2·0,5·|2−0,6| + 0,3·0,5·|1−0,6| = 0,06 + 0,14 + 0,06 = 0,26, doubled = 0,52,
    # over 2μ = 2 → 0,26.
    curve = equity.lorenz_curve(COUNTS, POPULATION)
    assert list(curve.columns) == ["population_share", "count_share"]
    assert curve["population_share"].tolist() == pytest.approx([0, 0.5, 0.8, 1])
    assert curve["count_share"].tolist() == pytest.approx([0, 0.3, 0.6, 1])
    assert equity.gini(COUNTS, POPULATION) == pytest.approx(0.26)
    assert equity.gini(COUNTS, POPULATION) == pytest.approx(loop_gini(COUNTS, POPULATION))


def test_theil_of_the_hand_worked_example():
    # T = 0,4 ln(0,4/0,2) + 0,3 ln(0,3/0,3) + 0,3 ln(0,3/0,5) = 0,4 ln 2 + 0,3 ln 0,6 ≈ 0,124011.
    # Groups A = {1, 2}: S = 0,7, P = 0,5; B = {3}: S = 0,3, P = 0,5.
    # Between = 0,7 ln 1,4 + 0,3 ln 0,6 ≈ 0,082283.
    # Within A: shares inside (4/7 ; 3/7) against (0,4 ; 0,6):
    # T_A = 4/7 ln(10/7) + 3/7 ln(5/7) ≈ 0,059611, weighted by S_A = 0,7 → 0,041728; B alone → 0.
    result = equity.theil(COUNTS, POPULATION, GROUPS)
    assert result["total"] == pytest.approx(0.4 * math.log(2) + 0.3 * math.log(0.6))
    assert result["between"] == pytest.approx(0.7 * math.log(1.4) + 0.3 * math.log(0.6))
    t_a = 4 / 7 * math.log(10 / 7) + 3 / 7 * math.log(5 / 7)
    assert result["within_by_group"] == pytest.approx({"A": 0.7 * t_a, "B": 0.0})
    assert result["within"] == pytest.approx(0.7 * t_a)
    assert result["total"] == pytest.approx(0.124011, abs=1e-6)


def test_hoover_of_the_hand_worked_example_and_a_known_vector():
    # ½ (|0,4 − 0,2| + |0,3 − 0,3| + |0,3 − 0,5|) = ½ (0,2 + 0 + 0,2) = 0,2.
    assert equity.hoover(COUNTS, POPULATION) == pytest.approx(0.2)
    # Four equal units, two holding half each: ½ (4 × 0,25) = 0,5.
    assert equity.hoover([5, 5, 0, 0], [1, 1, 1, 1]) == pytest.approx(0.5)
    # One unit of population share 0,3 holding everything: 1 − 0,3.
    assert equity.hoover([9, 0, 0], [300, 200, 500]) == pytest.approx(0.7)


def test_theil_parts_add_up_to_the_total_on_random_data():
    counts, population, groups = random_communes()
    result = equity.theil(counts, population, groups)
    assert result["between"] + result["within"] == pytest.approx(result["total"], rel=1e-12)
    assert sum(result["within_by_group"].values()) == pytest.approx(result["within"], rel=1e-12)
    assert set(result["within_by_group"]) == {f"T{i}" for i in range(1, 9)}
    assert 0 < result["between"] < result["total"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_gini_double_sum_equals_gini_from_the_lorenz_curve(seed):
    counts, population, _ = random_communes(seed)
    assert (counts == 0).any()
    curve = equity.lorenz_curve(counts, population)
    assert np.all(np.diff(curve["count_share"]) >= -1e-15)
    assert equity.gini(counts, population) == pytest.approx(gini_from_lorenz(curve), rel=1e-12)


def test_gini_with_tied_rates_equals_the_lorenz_curve():
    counts, population = [2, 4, 1, 0, 6], [100, 200, 50, 80, 100]  # rates 0,02 ×3, 0, 0,06
    assert equity.gini(counts, population) == pytest.approx(gini_from_lorenz(equity.lorenz_curve(counts, population)))
    assert equity.gini(counts, population) == pytest.approx(loop_gini(counts, population))


def test_independent_computation_on_95_random_communes():
    counts, population, groups = random_communes(seed=59)
    assert equity.gini(counts, population) == pytest.approx(loop_gini(counts, population), rel=1e-12)
    assert equity.hoover(counts, population) == pytest.approx(loop_hoover(counts, population), rel=1e-12)
    total, between, within = loop_theil(counts, population, groups)
    result = equity.theil(counts, population, groups)
    assert result["total"] == pytest.approx(total, rel=1e-12)
    assert result["between"] == pytest.approx(between, rel=1e-12)
    assert result["within_by_group"] == pytest.approx(within, rel=1e-12)


def test_pandas_and_numpy_inputs_give_the_same_figures():
    counts, population, groups = random_communes(seed=7)
    index = [f"c{i}" for i in range(len(counts))]
    as_series = pd.Series(counts, index=index), pd.Series(population, index=index)
    assert equity.gini(*as_series) == equity.gini(list(counts), list(population))
    assert equity.theil(*as_series, pd.Series(groups, index=index)) == equity.theil(counts, population, groups)


# --- edge cases ----------------------------------------------------------------------------------


def test_no_count_gives_nan_and_an_empty_curve():
    assert math.isnan(equity.gini([0, 0, 0], [10, 20, 30]))
    assert math.isnan(equity.hoover([0, 0], [10, 20]))
    result = equity.theil([0, 0], [10, 20], ["a", "b"])
    assert all(math.isnan(result[key]) for key in ("total", "between", "within"))
    assert result["within_by_group"] == {}
    assert equity.lorenz_curve([0, 0], [10, 20]).empty
    assert math.isnan(equity.gini([], []))


def test_units_without_population_are_left_out():
    # A commune not yet member: population 0, its 9 projects spread over no one.
    assert equity.gini(COUNTS + [9], POPULATION + [0]) == pytest.approx(0.26)
    assert equity.hoover(COUNTS + [9], POPULATION + [0]) == pytest.approx(0.2)
    result = equity.theil(COUNTS + [9], POPULATION + [0], GROUPS + ["C"])
    assert result["total"] == pytest.approx(equity.theil(COUNTS, POPULATION, GROUPS)["total"])
    assert "C" not in result["within_by_group"]
    assert len(equity.lorenz_curve(COUNTS + [9, 0], POPULATION + [0, 0])) == 4
    assert math.isnan(equity.gini([5], [0]))


def test_a_group_without_counts_contributes_nothing_within():
    result = equity.theil([5, 5, 0, 0], [10, 10, 10, 30], ["a", "a", "b", "b"])
    assert result["within_by_group"] == {"a": 0.0, "b": 0.0}
    # Between: S = (1 ; 0), P = (1/3 ; 2/3) → 1 × ln 3.
    assert result["between"] == pytest.approx(math.log(3)) == pytest.approx(result["total"])


# --- funnel plot ---------------------------------------------------------------------------------


def poisson_cdf(k, lam):
    term = total = math.exp(-lam)
    for j in range(1, k + 1):
        term *= lam / j
        total += term
    return total


def test_poisson_quantiles_against_exact_values():
    # Poisson(1): P(X ≤ 0) = e⁻¹ = 0,3679; P(X ≤ 3) = 0,9810; P(X ≤ 4) = 0,99634 < 0,999 ≤
    # P(X ≤ 5) = 0,99941.
    assert poisson_cdf(0, 1) == pytest.approx(0.3679, abs=1e-4)
    assert poisson_cdf(3, 1) == pytest.approx(0.9810, abs=1e-4)
    assert equity.poisson_quantile(0.36, 1) == 0
    assert equity.poisson_quantile(0.37, 1) == 1
    assert equity.poisson_quantile(0.98, 1) == 3
    assert equity.poisson_quantile(0.982, 1) == 4
    assert equity.poisson_quantile(0.999, 1) == 5
    assert equity.poisson_quantile(0.001, 1) == 0
    # Poisson(10): P(X ≤ 3) = 0,0103 < 0,025 ≤ P(X ≤ 4) = 0,0293; P(X ≤ 16) = 0,9730 < 0,975 ≤
    # P(X ≤ 17) = 0,9857.
    assert equity.poisson_quantile([0.025, 0.975], 10).tolist() == [4, 17]
    assert equity.poisson_quantile(0.5, 0) == 0


@pytest.mark.parametrize("lam", [0.05, 0.5, 1, 3.7, 10, 57.3, 250.5])
def test_poisson_quantiles_against_a_brute_force_cdf(lam):
    for prob in (0.001, 0.025, 0.1, 0.5, 0.9, 0.975, 0.999):
        k = equity.poisson_quantile(prob, lam)
        assert poisson_cdf(k, lam) >= prob
        assert k == 0 or poisson_cdf(k - 1, lam) < prob


def test_funnel_limits_are_rates_at_exact_poisson_quantiles():
    frame = equity.funnel_limits([10_000, 500, 0], overall_rate=1)
    assert list(frame.columns) == ["population", "expected", "lower_95", "upper_95", "lower_998", "upper_998"]
    first = frame.iloc[0]  # λ = 1: quantiles 0,025 → 0, 0,975 → 3, 0,001 → 0, 0,999 → 5
    assert first.tolist() == pytest.approx([10_000, 1, 0, 3, 0, 5])
    assert frame["expected"].tolist() == [1, 0.05, 0]
    assert frame.iloc[2, 2:].isna().all()
    wide = equity.funnel_limits(pd.Series([1_000, 100_000], index=["a", "b"]), 10, per=10_000)
    assert list(wide.index) == ["a", "b"]
    assert (wide["lower_998"] <= wide["lower_95"]).all() and (wide["upper_95"] <= wide["upper_998"]).all()
    assert (wide["lower_998"] < 10).all() and (wide["upper_998"] > 10).all()


def test_funnel_flags_on_a_constructed_case():
    # Overall rate 300 / 300 000 = 10 per 10 000. λ = 100 for 100 000 inhabitants: 160 is far above
    # (the 99,9 % quantile is about 132), 40 far below; the commune of 500 inhabitants expects 0,5
    # and its 0 is ordinary.
    counts = pd.Series([0, 160, 40, 100], index=["petite", "haute", "basse", "moyenne"])
    population = pd.Series([500, 100_000, 100_000, 99_500], index=counts.index)
    flags = equity.funnel_flags(counts, population)
    assert flags.to_dict() == {
        "petite": "dans la norme",
        "haute": "au-dessus",
        "basse": "en dessous",
        "moyenne": "dans la norme",
    }
    assert equity.funnel_flags([0, 0], [500, 500]).tolist() == ["dans la norme"] * 2


def test_funnel_flags_leave_units_without_population_unassessed():
    flags = equity.funnel_flags([3, 5, 4], [1_000, 0, 1_000])
    assert flags.iloc[0] == flags.iloc[2] == "dans la norme" and pd.isna(flags.iloc[1])


# --- size classes, distances ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "population, label",
    [
        (0, f"moins de 2{NNBSP}000 hab."),
        (1_999, f"moins de 2{NNBSP}000 hab."),
        (2_000, f"2{NNBSP}000 à 4{NNBSP}999 hab."),
        (4_999, f"2{NNBSP}000 à 4{NNBSP}999 hab."),
        (5_000, f"5{NNBSP}000 à 9{NNBSP}999 hab."),
        (9_999, f"5{NNBSP}000 à 9{NNBSP}999 hab."),
        (10_000, f"10{NNBSP}000 à 19{NNBSP}999 hab."),
        (19_999, f"10{NNBSP}000 à 19{NNBSP}999 hab."),
        (20_000, f"20{NNBSP}000 à 49{NNBSP}999 hab."),
        (49_999, f"20{NNBSP}000 à 49{NNBSP}999 hab."),
        (50_000, f"50{NNBSP}000 hab. et plus"),
        (232_741, f"50{NNBSP}000 hab. et plus"),
    ],
)
def test_size_class_boundaries(population, label):
    assert equity.size_class(population) == label
    assert label in equity.SIZE_CLASSES


def test_size_class_of_a_series_keeps_order_and_index():
    classes = equity.size_class(pd.Series([60_000, 1_200, np.nan], index=["a", "b", "c"]))
    assert list(classes.index) == ["a", "b", "c"]
    assert classes.iloc[:2].tolist() == [equity.SIZE_CLASSES[5], equity.SIZE_CLASSES[0]]
    assert pd.isna(classes.iloc[2])
    assert len(equity.SIZE_CLASSES) == 6


@pytest.mark.parametrize(
    "km, band",
    [
        (0, "moins de 5 km"),
        (4.999, "moins de 5 km"),
        (5, "5 à 10 km"),
        (9.99, "5 à 10 km"),
        (10, "10 à 15 km"),
        (14.99, "10 à 15 km"),
        (15, "15 km et plus"),
        (42, "15 km et plus"),
    ],
)
def test_distance_band_boundaries(km, band):
    assert equity.distance_band(km) == band
    assert equity.DISTANCE_BANDS.index(band) == sum(km >= bound for bound in (5, 10, 15))


def test_distances_from_lille():
    assert equity.distance_km(50.6942, 3.1746) == pytest.approx(10.5, abs=0.5)  # Roubaix
    assert equity.distance_km(50.6330, 3.0586) == 0
    # One degree along a meridian: R × π / 180.
    assert equity.distance_km(51.633, 3.0586) == pytest.approx(6371.0088 * math.pi / 180)
    km = equity.distance_km(pd.Series([50.6942, 50.633], index=["roubaix", "lille"]), [3.1746, 3.0586])
    assert list(km.index) == ["roubaix", "lille"]
    assert equity.distance_band(km).tolist() == ["10 à 15 km", "moins de 5 km"]


# --- sentences -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, words",
    [
        (0.12, "très égale"),
        (0.2, "modérément inégale"),
        (0.31, "modérément inégale"),
        (0.35, "inégale"),
        (0.49, "inégale"),
        (0.5, "très inégale"),
        (0.83, "très inégale"),
    ],
)
def test_sentence_gini_bands(value, words):
    sentence = equity.sentence_gini(value)
    assert f"Gini de {value:.2f}".replace(".", ",") in sentence
    assert f"est {words} (" in sentence


def test_sentences_read_aloud():
    assert "0,31" in equity.sentence_gini(0.3124)
    assert equity.sentence_hoover(0.23) == (
        f"23{NBSP}% des projets devraient changer de commune pour que "
        "leur répartition suive exactement celle de la population."
    )
    assert equity.sentence_hoover(0.5, what="emplois").startswith(f"50{NBSP}% des emplois ")
    assert equity.sentence_theil({"total": 0.2, "between": 0.124, "within": 0.076}) == (
        f"62{NBSP}% de l'inégalité vient des écarts entre territoires, 38{NBSP}% des écarts entre "
        "communes d'un même territoire."
    )
    coverage = equity.sentence_coverage(equity.coverage([0, 3, 2, 5], [100, 300, 0, 600]))
    assert coverage == f"67{NBSP}% des communes, où vivent 90{NBSP}% des habitants, comptent des projets."


def test_sentences_on_real_results():
    counts, population, groups = random_communes()
    result = equity.theil(counts, population, groups)
    share = round(100 * result["between"] / result["total"])
    assert equity.sentence_theil(result).startswith(f"{share}{NBSP}% de l'inégalité")
    assert "pas d'inégalité" in equity.sentence_theil(equity.theil([1, 2], [10, 20], ["a", "b"]))


def test_sentences_when_there_is_nothing_to_measure():
    nothing = "Aucun projet : l'indice ne peut pas être calculé."
    assert equity.sentence_gini(equity.gini([0, 0], [1, 2])) == nothing
    assert equity.sentence_hoover(math.nan) == nothing
    assert equity.sentence_theil(equity.theil([0], [5], ["a"])) == nothing
    assert equity.sentence_hoover(math.nan, what="emplois") == "Pas d'emplois : l'indice ne peut pas être calculé."
    assert equity.sentence_hoover(math.nan, what="structures").startswith("Pas de structures :")
    assert "ne peut pas être calculée" in equity.sentence_coverage(equity.coverage([1], [0]))


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: equity.gini([1, 2], [10, 20, 30]),
        lambda: equity.rate_per([1, 2, 3], [10, 20]),
        lambda: equity.hoover([1, -2], [10, 20]),
        lambda: equity.coverage([1, 2], [10, -20]),
        lambda: equity.gini([1, math.nan], [10, 20]),
        lambda: equity.location_quotients(["un", "deux"], [10, 20]),
        lambda: equity.gini([[1, 2], [3, 4]], [[1, 2], [3, 4]]),
        lambda: equity.theil([1, 2], [10, 20], ["a"]),
        lambda: equity.theil([1, 2], [10, 20], ["a", None]),
        lambda: equity.rate_per(pd.Series([1, 2], index=["a", "b"]), pd.Series([1, 2], index=["b", "a"])),
        lambda: equity.funnel_limits([100, -1], 10),
        lambda: equity.funnel_limits([100], -1),
        lambda: equity.funnel_flags([1, 2], [10, 20], level=1.5),
        lambda: equity.poisson_quantile(1.0, 3),
        lambda: equity.size_class(-5),
        lambda: equity.distance_band([-1, 3]),
        lambda: equity.distance_km([50.6, 50.7], [3.0]),
        lambda: equity.distance_km(95, 3.0),
    ],
)
def test_bad_input_raises_a_french_value_error(call):
    with pytest.raises(ValueError) as error:
        call()
    assert any(word in str(error.value) for word in ("attendue", "Longueurs", "négatives", "manquantes", "index"))
