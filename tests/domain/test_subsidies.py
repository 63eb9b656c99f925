"""The rule book of the open-data fields (SCDL « Subventions » 2.1.1): SIRET by its Luhn key (and La
Poste's exception), RNA, nature, payment conditions and dates, the beneficiary's share."""

import pytest

from essdash.domain import subsidies


@pytest.mark.parametrize(
    "typed, clean",
    [
        ("38047555800058", "38047555800058"),  # the documentation's example of a beneficiary
        ("23350001600040", "23350001600040"),  # the documentation's example of an attributing body
        ("380 475 558 00058", "38047555800058"),
        ("380.475.558.00058", "38047555800058"),
        (38047555800058, "38047555800058"),  # a spreadsheet's number cell
        # La Poste: fails the Luhn key, but its digits sum to 45, a multiple of 5 (INSEE's rule)
        ("35600000049837", "35600000049837"),
    ],
)
def test_a_siret_is_read_and_checked_by_its_key(typed, clean):
    assert subsidies.siret(typed) == clean


def test_the_luhn_key_by_hand():
    # 38047555800058 read from the right, every second digit doubled (9 taken off above 9):
    # 8, 5→1, 0, 0, 0, 8→7, 5, 5→1, 5, 7→5, 4, 0, 8, 3→6: the sum is 50, a multiple of 10.
    assert subsidies.luhn("38047555800058")
    assert not subsidies.luhn("38047555800059")


@pytest.mark.parametrize(
    "typed, words",
    [
        ("38047555800059", "clé de contrôle"),  # last digit changed
        ("3804755580005", "14 chiffres"),
        ("3804755580005A", "14 chiffres"),
        ("35600000049838", "clé de contrôle"),  # La Poste, digit sum 46
    ],
)
def test_a_wrong_siret_is_refused_in_french(typed, words):
    with pytest.raises(ValueError, match=words):
        subsidies.siret(typed)


def test_an_rna_number_is_w_and_nine_digits():
    assert subsidies.rna("w380475558") == "W380475558"
    assert subsidies.rna(" W 380 475 558 ") == "W380475558"
    for wrong in ("W38047555", "380475558", "W3804755581", "X380475558"):
        with pytest.raises(ValueError, match="RNA"):
            subsidies.rna(wrong)


@pytest.mark.parametrize(
    "typed, clean",
    [
        ("numéraire", "aide en numéraire"),
        ("Aide en nature", "aide en nature"),
        ("numéraire et nature", "aide en numéraire;aide en nature"),
        ("aide en nature;aide en numéraire", "aide en nature;aide en numéraire"),
        ("les deux", "aide en numéraire;aide en nature"),
    ],
)
def test_the_nature_takes_the_formats_values(typed, clean):
    assert subsidies.nature(typed) == clean


def test_an_unknown_nature_is_refused():
    with pytest.raises(ValueError, match="inconnue"):
        subsidies.nature("virement")


@pytest.mark.parametrize(
    "typed, clean",
    [
        ("14/03/2013", "2013-03-14"),
        ("2013-03-14/2014-03-14", "2013-03-14/2014-03-14"),
        ("14/03/2013 - 14/03/2014", "2013-03-14/2014-03-14"),
        ("du 14/03/2013 au 14/03/2014", "2013-03-14/2014-03-14"),
    ],
)
def test_payment_dates_are_written_as_the_format_asks(typed, clean):
    assert subsidies.payment_dates(typed) == clean


@pytest.mark.parametrize(
    "typed, words",
    [("14/03/2013 au 01/01/2013", "précède"), ("demain", "période"), ("14/03/2013 puis 15/03/2013", "période")],
)
def test_wrong_payment_dates_are_refused(typed, words):
    with pytest.raises(ValueError, match=words):
        subsidies.payment_dates(typed)


def test_conditions_and_share():
    assert subsidies.conditions("Versement échelonné") == "échelonné"
    assert subsidies.conditions("unique") == "unique"
    assert subsidies.conditions("50 % à la signature, le solde sur bilan") == "50 % à la signature, le solde sur bilan"
    with pytest.raises(ValueError):
        subsidies.conditions("x" * 300)
    assert subsidies.share("45 %") == 0.45
    assert subsidies.share("0,45") == 0.45
    assert subsidies.share("100") == 1.0
    with pytest.raises(ValueError, match="hors des limites"):
        subsidies.share("0,001")
