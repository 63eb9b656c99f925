"""The rule book of every write: numbers, dates, text, indicator bounds, coordinates, the import's status policy."""

import re
from datetime import date

import pytest

from essdash.domain import rules


@pytest.mark.parametrize(
    "raw, expected",
    [("1 234,50 €", 1234.5), ("(200)", -200.0), ("1.234,5", 1234.5), ("45 %", 45.0), ("−4", -4.0), (7, 7.0)],
)
def test_one_french_number_parser(raw, expected):
    assert rules.number(raw) == expected


@pytest.mark.parametrize("raw", ["douze", "1,2,3", "inf", True, date(2012, 1, 1)])
def test_what_is_not_a_number_is_refused(raw):
    with pytest.raises(ValueError, match="n'est pas un nombre"):
        rules.number(raw)


def test_indicator_values_check_the_typed_unit_and_the_bounds():
    assert rules.indicator_value("12,5 %", "%") == 12.5
    assert rules.indicator_value("1 200 euros", "€ par habitant") == 1200
    with pytest.raises(ValueError, match="unité « € » incompatible avec l'indicateur, exprimé en « % »"):
        rules.indicator_value("45 €", "%")
    with pytest.raises(ValueError, match="invraisemblable"):
        rules.indicator_value("2e12", "emplois")
    rules.check_indicator_bounds(100, 0, 100, "%")
    with pytest.raises(ValueError) as refused:
        rules.check_indicator_bounds(120.5, 0, 100, "%")
    assert str(refused.value) == "120,5 hors de l'intervalle admis (entre 0 et 100 %)."
    with pytest.raises(ValueError, match=r"\(au moins 0 emplois\)"):
        rules.check_indicator_bounds(-1, 0, None, "emplois")


def test_one_date_parser():
    assert rules.day("05/03/2012") == rules.day("2012-03-05") == rules.day(date(2012, 3, 5)) == date(2012, 3, 5)
    assert rules.optional_day("  ") is None
    with pytest.raises(ValueError, match="date impossible"):
        rules.day("31/02/2013")
    with pytest.raises(ValueError, match="hors des limites"):
        rules.day(date(1850, 1, 1))
    with pytest.raises(ValueError, match="précède le début"):
        rules.date_order(date(2014, 5, 1), date(2014, 1, 1))


@pytest.mark.parametrize(
    "raw, message",
    [
        ("Asso\x00ciation", "contrôle"),
        ("Bilan \u202eedcba", "sens d'écriture"),
        ("a\u2066b", "sens d'écriture"),
        ("<b>gras</b>", "HTML"),
        ("=SOMME(A1)", "formule"),
        ("@x", "formule"),
        ("x" * 100_000, "texte trop long (100\u202f000 caractères, 200 au plus)."),
    ],
    ids=["NUL", "U+202E", "U+2066", "HTML", "formula", "at sign", "100 000 characters"],
)
def test_text_refusals(raw, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        rules.text(raw)


def test_text_is_trimmed_and_an_escaped_formula_sign_kept():
    assert rules.text("  Jardins   <3  partagés ") == "Jardins <3 partagés"
    assert rules.text("'=1+1") == "=1+1"
    assert rules.text("- 5 personnes") == "- 5 personnes"
    assert rules.text(" ligne 1\r\n\tligne 2 ", multiline=True, max_length=20) == "ligne 1\n\tligne 2"
    assert rules.text(rules.neutralise("+33 3 20")) == "+33 3 20"


def test_coordinates_lie_in_the_box_around_the_given_points():
    box = rules.Box.around([(50.5, 2.8), (50.8, 3.3)], 0.05)
    assert (box.south, box.west, box.north, box.east) == pytest.approx((50.45, 2.75, 50.85, 3.35))
    assert rules.latitude("50,6821", box) == 50.6821
    assert rules.longitude(3.34, box) == 3.34
    with pytest.raises(ValueError, match="hors de la métropole"):
        rules.latitude(48.85, box)
    with pytest.raises(ValueError, match="hors de la métropole"):
        rules.longitude(50.6, box)  # latitude and longitude swapped


def test_the_import_status_policy():
    new = rules.import_status_policy(None, "en_cours", "liste.csv")
    assert (new.from_status, new.to_status, new.outside_lifecycle) == (None, "en_cours", False)
    assert new.comment == "Importé du fichier « liste.csv »."
    assert rules.import_status_policy("en_cours", "en_cours", "liste.csv") is None
    step = rules.import_status_policy("en_cours", "realise", "liste.csv")
    assert (step.from_status, step.to_status, step.outside_lifecycle) == ("en_cours", "realise", False)
    assert step.comment == "Étape mise à jour par l'import du fichier « liste.csv »."
    skipped = rules.import_status_policy("realise", "abandonne", "liste.csv")
    assert skipped.outside_lifecycle and skipped.to_status == "abandonne"
    assert "de « Réalisé » à « Abandonné » hors des étapes prévues" in skipped.comment
    with pytest.raises(ValueError):
        rules.import_status_policy("propose", "inconnu", "liste.csv")


@pytest.mark.parametrize(("raw", "unit"), [("12,5", "emplois"), ("0,5", "personnes")])
def test_a_count_of_jobs_or_people_is_a_whole_number(raw, unit):
    with pytest.raises(ValueError, match="nombre entier"):
        rules.indicator_value(raw, unit)


@pytest.mark.parametrize(
    ("raw", "unit", "value"), [("12", "emplois", 12.0), ("12,5", "%", 12.5), ("7,5", "nombre", 7.5)]
)
def test_other_units_keep_their_decimals(raw, unit, value):
    assert rules.indicator_value(raw, unit) == value
