"""The leverage definitions: who the metropolis and citizen savings are, what counts, the sentences."""

import math

import pandas as pd
import pytest

from essdash.domain import fmt
from essdash.domain import leverage as lv


def _lines(rows):
    return pd.DataFrame(rows, columns=["project_id", "funder", "kind", "type", "amount"])


def test_who_is_the_metropolis_and_who_saves():
    assert lv.is_metropolis("Lille Métropole") and lv.is_metropolis("  lille   metropole ")
    assert lv.is_metropolis("Métropole européenne de Lille") and lv.is_metropolis("LMCU")
    assert not lv.is_metropolis("Communauté de communes de Flandre") and not lv.is_metropolis(None)
    assert lv.is_citizen_savings("Épargne citoyenne") and lv.is_citizen_savings("EPARGNE SOLIDAIRE")
    assert lv.is_citizen_savings("Club CIGALES") and not lv.is_citizen_savings("Finance solidaire")
    assert not lv.is_citizen_savings("Non précisé")


def test_guarantees_do_not_count_and_a_project_may_sit_in_several_groups():
    lines = _lines(
        [
            (1, "Lille Métropole", "EPCI", "subvention", 1000.0),
            (1, "Banque", "Banque", "garantie", 9000.0),
            (1, "Banque", "Banque", "pret", 3000.0),
            (2, "Club", "Épargne citoyenne", "prise_participation", 500.0),
            (2, "Lille Métropole", "EPCI", "avance_remboursable", 500.0),
        ]
    )
    money = lv.lever_money(lines)
    assert money.loc[1].tolist() == [4000.0, 1000.0, 0.0]
    assert money.loc[2].tolist() == [1000.0, 500.0, 500.0]
    assert lv.leverage(money, "metropolis") == {
        "lever": 1500.0,
        "others": 3500.0,
        "projects": 2,
        "leverage": 3500 / 1500,
    }
    assert lv.leverage(money, "citizen")["leverage"] == 1.0
    groups = pd.DataFrame({"project_id": [1, 2, 2], "group": ["a", "a", "b"]})
    table = lv.by_group(money, groups).set_index("group")
    assert table.loc["a", "metropolis_leverage"] == pytest.approx(3500 / 1500)
    assert table.loc["b", "metropolis_leverage"] == 1.0 and table.loc["b", "projects"] == 1
    assert table.loc["a", "citizen_leverage"] == 1.0  # project 2: 500 € of the metropolis per 500 € saved
    kinds = lv.by_kind(lines, "metropolis").set_index("kind")
    assert kinds["amount"].to_dict() == {"Banque": 3000.0, "Épargne citoyenne": 500.0}
    assert kinds["per_euro"].sum() == pytest.approx(3500 / 1500)


def test_without_the_lever_nothing_is_computed():
    money = lv.lever_money(_lines([(1, "Région", "Région", "subvention", 100.0)]))
    result = lv.leverage(money, "metropolis")
    assert result["projects"] == 0 and math.isnan(result["leverage"])
    assert lv.figure(result["leverage"]) == "–"
    assert lv.sentence(result, "metropolis", "Roubaix") == (
        "Roubaix : Lille Métropole n'a financé aucun projet : pas d'effet levier à calculer."
    )
    assert lv.sentence(lv.leverage(money, "citizen"), "citizen").startswith("Aucun euro d'épargne citoyenne")


def test_against_the_aim_of_two_euros():
    assert lv.AIM == 2.0
    assert lv.against_aim(2.0) == f"objectif de 2{fmt.NBSP}€ atteint"
    assert lv.against_aim(1.8) == f"0,2{fmt.NBSP}€ sous l'objectif de 2{fmt.NBSP}€"
    # the gap is the one between the aim and the figure as shown: 1,46 shows « 1,5 € », 0,5 € below
    assert lv.figure(1.46) == f"1,5{fmt.NBSP}€"
    assert lv.against_aim(1.46) == f"0,5{fmt.NBSP}€ sous l'objectif de 2{fmt.NBSP}€"
    assert lv.against_aim(1.97) == f"à peine sous l'objectif de 2{fmt.NBSP}€"
    result = {"lever": 10_000.0, "others": 18_000.0, "projects": 3, "leverage": 1.8}
    assert lv.sentence(result, "metropolis").startswith(
        f"Chaque euro de Lille Métropole a accompagné 1,8{fmt.NBSP}€ d'autres financeurs (3 projets"
    )


def test_far_below_names_the_places_under_half_the_reference():
    places = pd.DataFrame(
        {"name": ["A", "B", "C"], "metropolis": [100.0, 100.0, 0.0], "metropolis_leverage": [0.4, 1.0, math.nan]}
    )
    assert lv.sentence_far_below(places, 1.0).startswith(f"A (0,4{fmt.NBSP}€) : moins de la moitié")
    assert lv.sentence_far_below(places, 0.7).startswith("Aucun lieu")
