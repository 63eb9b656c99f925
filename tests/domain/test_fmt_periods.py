"""French formatting and semester arithmetic."""

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from essdash.domain import fmt, periods

NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.mark.parametrize(
    "value, decimals, expected",
    [
        (1234.5, 1, f"1{NNBSP}234,5"),
        (1195234, 0, f"1{NNBSP}195{NNBSP}234"),
        (0, 0, "0"),
        (-42.25, 2, "-42,25"),
        (None, 0, "–"),
        (float("nan"), 1, "–"),
    ],
)
def test_number(value, decimals, expected):
    assert fmt.number(value, decimals) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, "–"),
        (float("nan"), "–"),
        (pd.NaT, "–"),
        (date(2012, 3, 5), "05/03/2012"),
        (pd.Timestamp("2013-12-31"), "31/12/2013"),
        (datetime(2012, 3, 5, 14, 30), "05/03/2012 14:30"),
        (1234.5, f"1{NNBSP}234,5"),
        (np.float64(50.634521), "50,634521"),
        (np.int64(12000), f"12{NNBSP}000"),
        (2.0, "2"),
        (True, "oui"),
        ("Roubaix", "Roubaix"),
    ],
)
def test_a_table_cell_in_french(value, expected):
    assert fmt.cell(value) == expected


def test_money_and_percent():
    assert fmt.money(1234567) == f"1{NNBSP}234{NNBSP}567{NBSP}€"
    assert fmt.money_short(12_345_678) == f"12,3{NBSP}M€"
    assert fmt.money_short(45_600) == f"45,6{NBSP}k€"
    assert fmt.money_short(950) == f"950{NBSP}€"
    assert fmt.percent(0.255, 1) == f"25,5{NBSP}%"


def test_dates_periods_and_plural():
    assert fmt.day(date(2012, 3, 5)) == "5 mars 2012"
    assert fmt.period_label("2012-S1") == "1er semestre 2012"
    assert fmt.period_label("2014-S2") == "2e semestre 2014"
    assert fmt.plural(0, "projet") == "0 projet"
    assert fmt.plural(2, "projet") == "2 projets"
    assert fmt.plural(1500, "commune") == f"1{NNBSP}500 communes"


def test_semesters():
    assert periods.span("2011-S1", "2012-S2") == ["2011-S1", "2011-S2", "2012-S1", "2012-S2"]
    assert periods.span("2013-S2", "2013-S1") == []
    assert periods.of_date(date(2012, 6, 30)) == "2012-S1"
    assert periods.of_date(date(2012, 7, 1)) == "2012-S2"
    assert periods.bounds("2013-S2") == (date(2013, 7, 1), date(2013, 12, 31))
    assert periods.previous("2013-S1") == "2012-S2"


@pytest.mark.parametrize("bad", ["2012-S3", "2012S1", "12-S1", "", "2012-s1"])
def test_bad_semester_is_refused_in_french(bad):
    with pytest.raises(ValueError, match="n'est pas un semestre"):
        periods.parse(bad)


@pytest.mark.parametrize(
    ("value", "text"),
    [(1.5e20, "150 000 000 000 000 000 000"), (-1e30, "-1 " + " ".join(["000"] * 10)), (1.7e308, None)],
)
def test_numbers_of_any_magnitude_are_written_out(value, text):
    written = fmt.number(value).replace("\u202f", " ")
    if text:
        assert written == text
    assert written.replace(" ", "").lstrip("-").isdigit() and len(written.replace(" ", "")) > 20
