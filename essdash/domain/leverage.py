"""The leverage of a euro (« 1 € → x € »): how many euros of other funders each euro of Lille
Métropole, and each euro of citizen savings, came with — pure functions over funding lines.

The plan asks for it twice: axis I builds on « l'effet levier que peut représenter Lille
Métropole », and fiche II.2 aims that « un euro citoyen épargné pour l'investissement dans l'ESS
fasse effet levier pour obtenir deux euros » (:data:`AIM`, 2 €, against which both figures are shown).

Definitions (stated in the interface by :data:`DEFINITION`):

- **Lille Métropole** is the funder named « Lille Métropole » (or one of :data:`METROPOLIS_NAMES`,
  compared without case, accents or extra spaces) — a name, not the kind « EPCI », which other
  intercommunalities may share.
- **Citizen savings** (« épargne citoyenne ») are the funders whose kind is « Épargne citoyenne »
  (:data:`CITIZEN_SAVINGS`, or one of :data:`CITIZEN_SAVINGS_KINDS`, compared likewise): solidarity
  savings funds, CIGALES clubs.
- **Counted money**: every funding line at its amount — subvention, avance remboursable, prise de
  participation, prêt — except guarantees (``garantie``), which cover a loan already counted and
  bring no euro of their own; they count neither as the lever nor as the euros it brought.
- For a set of projects S and a lever L (the metropolis, or citizen savings), with L_p the lever's
  counted money on project p and T_p all counted money on p::

      leverage(S) = Σ_{p ∈ S, L_p > 0} (T_p − L_p) / Σ_{p ∈ S} L_p

  the other funders' euros on the projects the lever funds, per euro of the lever. A project the
  lever does not fund adds nothing to either sum. For the metropolis, citizen savings count among
  the other funders, and the other way round. Undefined (NaN) when the lever put no euro in S.
- **By funder type**: the same numerator split by the kind of the other funders (co-funding of
  kind k per euro of the lever); the parts add up to the leverage.

Input frames have one row per funding line with columns ``project_id``, ``funder``, ``kind``,
``type`` and ``amount`` (:func:`lever_money` reads them).
"""

from __future__ import annotations

import functools
import math
import unicodedata
from decimal import ROUND_HALF_EVEN, Decimal

import pandas as pd

from essdash.domain import equity, fmt

AIM = 2.0
METROPOLIS = "Lille Métropole"
METROPOLIS_NAMES = (
    "Lille Métropole",
    "Lille Métropole Communauté urbaine",
    "LMCU",
    "Métropole européenne de Lille",
    "MEL",
)
CITIZEN_SAVINGS = "Épargne citoyenne"
CITIZEN_SAVINGS_KINDS = (CITIZEN_SAVINGS, "Épargne solidaire", "CIGALES", "Club CIGALES")
UNCOUNTED_TYPES = ("garantie",)
LEVERS = {"metropolis": "de Lille Métropole", "citizen": "d'épargne citoyenne"}
LEVER_LABELS = {"metropolis": "1 € de Lille Métropole", "citizen": "1 € d'épargne citoyenne"}
DEFINITION = (
    "Effet levier : euros des autres financeurs sur les projets que le levier finance, pour un euro du levier "
    f"(objectif du plan, fiche II.2 : {fmt.money(AIM)}). Lille Métropole : le financeur de ce nom ; épargne "
    f"citoyenne : les financeurs de nature « {CITIZEN_SAVINGS} » (épargne solidaire, clubs CIGALES). "
    "Subventions, avances, prises de participation et prêts comptent pour leur montant ; les garanties ne "
    "comptent pas (elles couvrent un prêt déjà compté)."
)


def _fold(text: object) -> str:
    """Lower case, without accents, apostrophes or repeated spaces."""
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).lower().replace("'", " ")
    return " ".join(bare.replace("’", " ").split())


_METROPOLIS_KEYS = frozenset(_fold(name) for name in METROPOLIS_NAMES)
_CITIZEN_KEYS = frozenset(_fold(kind) for kind in CITIZEN_SAVINGS_KINDS)


@functools.lru_cache(maxsize=4096)
def is_metropolis(name: object) -> bool:
    """Whether a funder's name is Lille Métropole's (one of :data:`METROPOLIS_NAMES`)."""
    return _fold(name) in _METROPOLIS_KEYS


@functools.lru_cache(maxsize=4096)
def is_citizen_savings(kind: object) -> bool:
    """Whether a funder's kind is citizen savings (one of :data:`CITIZEN_SAVINGS_KINDS`)."""
    return _fold(kind) in _CITIZEN_KEYS


def lever_money(lines: pd.DataFrame) -> pd.DataFrame:
    """Counted money per project: ``total``, ``metropolis`` and ``citizen`` (guarantees left out),
    one row per project that has a funding line, indexed by ``project_id``."""
    counted = lines[~lines["type"].isin(UNCOUNTED_TYPES)]
    amount = counted["amount"].astype(float)
    frame = pd.DataFrame(
        {
            "project_id": counted["project_id"],
            "total": amount,
            "metropolis": amount.where(counted["funder"].map(is_metropolis).astype(bool), 0.0),
            "citizen": amount.where(counted["kind"].map(is_citizen_savings).astype(bool), 0.0),
        }
    )
    return frame.groupby("project_id").sum()


def ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``, NaN when the denominator is 0."""
    return numerator / denominator if denominator else math.nan


def leverage(money: pd.DataFrame, lever: str) -> dict[str, float]:
    """The leverage of ``lever`` (``metropolis`` or ``citizen``) over the projects of ``money`` (a
    :func:`lever_money` frame): ``lever`` euros, ``others`` euros on the projects it funds,
    ``projects`` it funds, ``leverage`` = others / lever (NaN without a euro of the lever)."""
    funded = money[money[lever] > 0]
    own, others = float(funded[lever].sum()), float((funded["total"] - funded[lever]).sum())
    return {"lever": own, "others": others, "projects": len(funded), "leverage": ratio(others, own)}


def by_group(money: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Both leverages per group: ``groups`` pairs ``project_id`` with ``group`` (a project may be in
    several groups, or none; a pair given twice counts once). One row per group, in order of first
    appearance, with ``projects`` (of the group), ``funded`` (projects with a counted funding),
    ``metropolis``, ``metropolis_others``, ``metropolis_leverage``, and the same for ``citizen`` —
    each group's figures those of :func:`leverage` over its projects."""
    pairs = groups[["project_id", "group"]].drop_duplicates()
    joined = pairs.join(money, on="project_id")
    parts = {"funded": joined["total"].notna().astype(int)}
    for lever in LEVERS:
        own = joined[lever].fillna(0.0)
        parts[lever] = own
        parts[f"{lever}_others"] = (joined["total"].fillna(0.0) - own).where(own > 0, 0.0)
    sums = pd.DataFrame(parts).groupby(pairs["group"].to_numpy(), sort=False).sum()
    table = pd.DataFrame({"group": sums.index, "projects": pairs.groupby("group", sort=False).size().to_numpy()})
    table["funded"] = sums["funded"].to_numpy()
    for lever in LEVERS:
        table[lever] = sums[lever].to_numpy()
        table[f"{lever}_others"] = sums[f"{lever}_others"].to_numpy()
        table[f"{lever}_leverage"] = [ratio(o, x) for o, x in zip(table[f"{lever}_others"], table[lever])]
    return table


def by_kind(lines: pd.DataFrame, lever: str) -> pd.DataFrame:
    """The other funders' euros on the projects ``lever`` funds, per kind of funder: ``kind``,
    ``amount``, ``per_euro`` (amount per euro of the lever; the column adds up to the leverage),
    largest first. The lever's own lines are left out, as are guarantees; the metropolis shows as
    « Lille Métropole » rather than under its kind."""
    money = lever_money(lines)
    funded = money.index[money[lever] > 0]
    own = float(money[lever].sum())
    counted = lines[~lines["type"].isin(UNCOUNTED_TYPES) & lines["project_id"].isin(funded)]
    mine = counted["funder"].map(is_metropolis) if lever == "metropolis" else counted["kind"].map(is_citizen_savings)
    others = counted[~mine.astype(bool)]
    others = others.assign(kind=others["kind"].where(~others["funder"].map(is_metropolis).astype(bool), METROPOLIS))
    kinds = (
        others.groupby("kind", as_index=False)["amount"].sum().sort_values(["amount", "kind"], ascending=[False, True])
    )
    kinds["amount"] = kinds["amount"].astype(float)
    kinds["per_euro"] = kinds["amount"] / own if own else math.nan
    return kinds.reset_index(drop=True)


def figure(value: float) -> str:
    """A leverage as shown: ``1.8`` → « 1,8 € », « – » when undefined."""
    return fmt.money(value, 1) if not math.isnan(value) else "–"


def against_aim(value: float) -> str:
    """A leverage against the plan's aim: « objectif de 2 € atteint », or the gap between the aim and
    the figure as shown (« 1,5 € » → « 0,5 € sous l'objectif de 2 € »)."""
    if math.isnan(value):
        return f"objectif : {fmt.money(AIM)}"
    if value >= AIM:
        return f"objectif de {fmt.money(AIM)} atteint"
    shown = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)
    gap = Decimal(str(AIM)) - shown
    if gap <= 0:
        return f"à peine sous l'objectif de {fmt.money(AIM)}"
    return f"{fmt.money(float(gap), 1)} sous l'objectif de {fmt.money(AIM)}"


def sentence(result: dict[str, float], lever: str, where: str = "") -> str:
    """The leverage read aloud: « Chaque euro de Lille Métropole a accompagné 1,8 € d'autres
    financeurs (…) », with the plan's aim; ``where`` prefixes the scope (« Territoire Roubaisien »)."""
    prefix = f"{where} : " if where else ""
    if not result["lever"]:
        nothing = (
            "Lille Métropole n'a financé aucun projet"
            if lever == "metropolis"
            else "aucun euro d'épargne citoyenne n'a financé de projet"
        )
        body = f"{nothing} : pas d'effet levier à calculer."
    else:
        of = LEVERS[lever]
        body = (
            f"chaque euro {of} a accompagné {figure(result['leverage'])} d'autres financeurs "
            f"({fmt.plural(int(result['projects']), 'projet')} : {fmt.money(result['lever'])} {of} pour "
            f"{fmt.money(result['others'])} des autres ; {against_aim(result['leverage'])})."
        )
    return prefix + (body if prefix else body[0].upper() + body[1:])


# --- equity of leverage ----------------------------------------------------------------------
# The statistics of the Équité page (:mod:`essdash.domain.equity`) with the lever's euros in place of
# the population and the other funders' euros in place of the count: a commune's « rate » is its
# leverage, a location quotient its leverage over the metropolitan one.

FAR_BELOW = 0.5  # a place draws « much less » when its leverage is under half the reference one


def sentence_gini(value: float) -> str:
    """The Gini index of the leverages, weighted by the metropolis's euros, with its band."""
    if math.isnan(value):
        return "Aucun cofinancement : l'indice ne peut pas être calculé."
    return (
        f"Indice de Gini de {fmt.number(float(value), 2)} : rapporté aux euros de Lille Métropole, le "
        f"cofinancement est réparti de façon {equity.gini_band(value)} entre communes (0 = même effet levier partout)."
    )


def sentence_hoover(value: float) -> str:
    """The Hoover index as the share of co-funding that would have to move."""
    if math.isnan(value):
        return "Aucun cofinancement : l'indice ne peut pas être calculé."
    return (
        f"{fmt.percent(float(value))} des euros des autres financeurs devraient changer de commune pour que "
        "chaque euro de Lille Métropole en accompagne autant partout."
    )


def sentence_coverage(result: dict[str, float]) -> str:
    """A coverage result over communes where the metropolis funds a project."""
    if math.isnan(result["units_share"]):
        return "Lille Métropole ne finance aucun projet : la couverture ne peut pas être calculée."
    return (
        f"Dans {fmt.percent(result['units_share'])} des communes où Lille Métropole finance un projet, "
        f"d'autres financeurs l'accompagnent ({fmt.percent(result['population_share'])} de ses euros)."
    )


def sentence_far_below(places: pd.DataFrame, reference: float, where: str = "la moyenne métropolitaine") -> str:
    """Which places (``name``, ``metropolis_leverage``) draw less than :data:`FAR_BELOW` of the
    reference leverage per euro of the metropolis."""
    if math.isnan(reference):
        return "Lille Métropole ne finance aucun projet : pas d'effet levier à comparer."
    funded = places[places["metropolis"] > 0]
    low = funded[funded["metropolis_leverage"] < FAR_BELOW * reference]
    if low.empty:
        return (
            f"Aucun lieu ne tire moins de la moitié de {where} ({figure(reference)} d'autres financeurs "
            "par euro de Lille Métropole)."
        )
    names = ", ".join(f"{name} ({figure(v)})" for name, v in zip(low["name"], low["metropolis_leverage"]))
    return (
        f"{names} : moins de la moitié de {where} ({figure(reference)} d'autres financeurs par euro de "
        "Lille Métropole)."
    )
