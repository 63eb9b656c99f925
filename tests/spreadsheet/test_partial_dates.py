"""Dates as partners write them: a month and year or a year alone is read as what it says, with a
note saying how; a full date, a date cell or an Excel serial number stays what it was; garbage is
refused in French."""

from datetime import date

import pytest

from essdash.spreadsheet import cells

# (cell, first day, the note): dates worked out from the calendar by hand
MONTH = "mois et année seulement"
YEAR = "année seulement"
ROUGH = [
    ("03/2012", date(2012, 3, 1), "« 03/2012 » lu comme le 01/03/2012 (mois et année seulement)."),
    ("3/2012", date(2012, 3, 1), f"« 3/2012 » lu comme le 01/03/2012 ({MONTH})."),
    ("03-2012", date(2012, 3, 1), f"« 03-2012 » lu comme le 01/03/2012 ({MONTH})."),
    ("11.2013", date(2013, 11, 1), f"« 11.2013 » lu comme le 01/11/2013 ({MONTH})."),
    ("mars 2012", date(2012, 3, 1), f"« mars 2012 » lu comme le 01/03/2012 ({MONTH})."),
    ("Février 2013", date(2013, 2, 1), f"« Février 2013 » lu comme le 01/02/2013 ({MONTH})."),
    ("sept. 2012", date(2012, 9, 1), f"« sept. 2012 » lu comme le 01/09/2012 ({MONTH})."),
    ("2012-03", date(2012, 3, 1), f"« 2012-03 » lu comme le 01/03/2012 ({MONTH})."),
    (" 2012 ", date(2012, 1, 1), f"« 2012 » lu comme le 01/01/2012 ({YEAR})."),
    (2012, date(2012, 1, 1), f"« 2012 » lu comme le 01/01/2012 ({YEAR})."),
    (2012.0, date(2012, 1, 1), f"« 2012 » lu comme le 01/01/2012 ({YEAR})."),
]


@pytest.mark.parametrize("cell, expected, note", ROUGH, ids=[repr(case[0]) for case in ROUGH])
def test_a_month_and_year_or_a_year_is_its_first_day_and_says_so(cell, expected, note):
    assert cells.partial_day(cell) == cells.Noted(expected, note)


# the end of something: the last day of the month or year (2012 is a leap year)
LAST = "dernier jour pour une fin"
ENDS = [
    ("02/2012", date(2012, 2, 29), f"« 02/2012 » lu comme le 29/02/2012 ({MONTH}, {LAST})."),
    ("avril 2013", date(2013, 4, 30), f"« avril 2013 » lu comme le 30/04/2013 ({MONTH}, {LAST})."),
    ("2014", date(2014, 12, 31), f"« 2014 » lu comme le 31/12/2014 ({YEAR}, {LAST})."),
    (2014, date(2014, 12, 31), f"« 2014 » lu comme le 31/12/2014 ({YEAR}, {LAST})."),
]


@pytest.mark.parametrize("cell, expected, note", ENDS, ids=[repr(case[0]) for case in ENDS])
def test_an_end_given_as_month_or_year_is_its_last_day(cell, expected, note):
    assert cells.partial_day(cell, last=True) == cells.Noted(expected, note)


# full dates are read as before, without a note: 40969 is Excel's 01/03/2012 (40909 is the
# 01/01/2012, then 31 days of January and 29 of February)
FULL = [
    ("05/03/2012", date(2012, 3, 5)),
    ("2012-03-05", date(2012, 3, 5)),
    (date(2012, 3, 5), date(2012, 3, 5)),
    (40969, date(2012, 3, 1)),
    (40969.0, date(2012, 3, 1)),
]


@pytest.mark.parametrize("cell, expected", FULL, ids=[repr(case[0]) for case in FULL])
def test_a_full_date_or_an_excel_serial_stays_a_date_without_note(cell, expected):
    for last in (False, True):
        found = cells.partial_day(cell, last=last)
        assert type(found) is date and found == expected


REFUSED = [
    ("bientôt", "« bientôt » n'est pas une date (format attendu : jj/mm/aaaa)."),
    ("13/2012", "date impossible : « 13/2012 » (mois 13)."),
    ("2012-00", "date impossible : « 2012-00 » (mois 0)."),
    ("brumaire 2012", "« brumaire 2012 » n'est pas une date (format attendu : jj/mm/aaaa)."),
    ("mars", "« mars » n'est pas une date (format attendu : jj/mm/aaaa)."),
    ("1850", "date hors des limites : « 1850 »."),
    ("03/2012/4", "« 03/2012/4 » n'est pas une date (format attendu : jj/mm/aaaa)."),
    (2012.5, "« 2012.5 » n'est pas une date (format attendu : jj/mm/aaaa)."),
]


@pytest.mark.parametrize("cell, message", REFUSED, ids=[repr(case[0]) for case in REFUSED])
def test_garbage_is_still_refused_in_french(cell, message):
    with pytest.raises(ValueError) as refused:
        cells.partial_day(cell)
    assert str(refused.value) == message
