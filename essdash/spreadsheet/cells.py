"""Spreadsheet cells the French way: parsing what partners type, writing what Excel shows.

Parsers accept French habits — « 1 234,50 € », « (200) », « 05/03/2012 », a date cell or an Excel
serial number, « oui », « S1 2012 », enumerations by French label or code — and raise ``ValueError``
with a French message otherwise. Where a file's date may be rough, :func:`partial_day` also reads a
month and year (« 03/2012 », « mars 2012 ») or a year alone as their first day (their last for an
end), and returns it :class:`Noted`, so that the preview says how it was read. Numbers, dates and
text follow the rule book of every write, :mod:`essdash.domain.rules` (this module adds what is
proper to cells: Excel types and serial dates); writing neutralises text that starts like a formula
with the rule book's mirror image of its reading, so an exported file imports back unchanged.
"""

from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import numpy as np
import pandas as pd

from essdash.domain import rules

neutralise = rules.neutralise


fold = rules.fold


def is_blank(cell) -> bool:
    if cell is None:
        return True
    if isinstance(cell, str):
        return not cell.strip()
    return isinstance(cell, float) and math.isnan(cell)


def _shown(cell) -> str:
    return cell.strftime("%d/%m/%Y") if isinstance(cell, date) else str(cell)


def shown(cell) -> str:
    """A cell as a message quotes it: a date as the French read it, anything else as it is."""
    return _shown(cell)


def text(cell, *, max_length: int = rules.NAME_LENGTH, multiline: bool = False) -> str:
    """A text cell, as :func:`essdash.domain.rules.text` checks it; a number cell reads as it shows."""
    if isinstance(cell, bool):
        raise ValueError(f"« {cell} » n'est pas un texte.")
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return rules.text(_shown(cell), max_length=max_length, multiline=multiline)


def number(cell) -> float:
    """A number cell, or text in French habits (:func:`essdash.domain.rules.number`)."""
    return rules.number(cell)


shown_number = rules.shown_number


def integer(cell) -> int:
    return rules.integer(cell)


_EXCEL_EPOCH = date(1899, 12, 30)


def day(cell) -> date:
    """A date cell, an Excel serial number, or text as :func:`essdash.domain.rules.day` reads it."""
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        if not 1 <= cell <= 80000 or not float(cell).is_integer():
            raise ValueError(f"« {cell} » n'est pas une date (format attendu : jj/mm/aaaa).")
        return rules.day(_EXCEL_EPOCH + timedelta(days=int(cell)))
    return rules.day(cell)


@dataclass(frozen=True)
class Noted:
    """A value read from a cell, and a French note on how it was read (the preview shows it; it
    refuses nothing)."""

    value: object
    note: str


_MONTHS = {
    **dict.fromkeys(("janvier", "janv", "jan"), 1),
    **dict.fromkeys(("fevrier", "fevr", "fev"), 2),
    "mars": 3,
    **dict.fromkeys(("avril", "avr"), 4),
    "mai": 5,
    "juin": 6,
    **dict.fromkeys(("juillet", "juil"), 7),
    "aout": 8,
    **dict.fromkeys(("septembre", "sept"), 9),
    **dict.fromkeys(("octobre", "oct"), 10),
    **dict.fromkeys(("novembre", "nov"), 11),
    **dict.fromkeys(("decembre", "dec"), 12),
}
_MONTH_YEAR = re.compile(r"(\d{1,2})[/.-](\d{4})")
_YEAR_MONTH = re.compile(r"(\d{4})[/-](\d{1,2})")
_NAMED_MONTH = re.compile(r"([a-z]+) (\d{4})")
_YEAR = re.compile(r"\d{4}")


def _month_year(cell) -> tuple[int, int | None] | None:
    """``(year, month)`` of a month and year, ``(year, None)`` of a year alone, else ``None``."""
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return (int(cell), None) if float(cell).is_integer() and 1900 <= cell <= 2100 else None
    if not isinstance(cell, str):
        return None
    raw = cell.strip()
    if _YEAR.fullmatch(raw):
        return int(raw), None
    if match := _MONTH_YEAR.fullmatch(raw):
        return int(match.group(2)), int(match.group(1))
    if match := _YEAR_MONTH.fullmatch(raw):
        return int(match.group(1)), int(match.group(2))
    if (match := _NAMED_MONTH.fullmatch(fold(raw))) and match.group(1) in _MONTHS:
        return int(match.group(2)), _MONTHS[match.group(1)]
    return None


def partial_day(cell, *, last: bool = False) -> date | Noted:
    """:func:`day`, or a month and year (« 03/2012 », « 3-2012 », « mars 2012 », « 2012-03 ») or a
    year alone (« 2012 », or the number 2012 of a workbook cell, which no Excel serial date of the
    years read here can be) read as the first day of that month or year — the last with ``last``,
    for the end of something — and :class:`Noted` with how it was read."""
    rough = _month_year(cell)
    if rough is None:
        return day(cell)
    year, month = rough
    shown = str(int(cell)) if isinstance(cell, (int, float)) else cell.strip()
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"date impossible : « {shown} » (mois {month}).")
    if not 1900 <= year <= 2100:
        raise ValueError(f"date hors des limites : « {shown} ».")
    if last:
        month = month or 12
        result = date(year, month, calendar.monthrange(year, month)[1])
    else:
        result = date(year, month or 1, 1)
    what = "année seulement" if rough[1] is None else "mois et année seulement"
    if last:
        what += ", dernier jour pour une fin"
    return Noted(result, f"« {shown} » lu comme le {result:%d/%m/%Y} ({what}).")


_TRUE = {"oui", "o", "vrai", "true", "yes", "y", "1", "x"}
_FALSE = {"non", "n", "faux", "false", "no", "0"}


def boolean(cell) -> bool:
    if isinstance(cell, bool):
        return cell
    folded = fold(_shown(int(cell)) if isinstance(cell, float) and cell.is_integer() else _shown(cell))
    if folded in _TRUE | _FALSE:
        return folded in _TRUE
    raise ValueError(f"« {cell} » : attendu « oui » ou « non ».")


@lru_cache(maxsize=32)
def _choices(enum) -> dict[str, str]:
    return {fold(text): member.value for member in enum for text in (member.value, member.label)}


def choice(cell, enum, what: str) -> str:
    """The code of a :class:`LabelledEnum` member given by its French label or its code.

    ``what`` completes the error message: « … n'est pas *une filière connue* ».
    """
    found = _choices(enum).get(fold(_shown(cell)))
    if found:
        return found
    allowed = ", ".join(member.label for member in enum)
    raise ValueError(f"« {_shown(cell)} » n'est pas {what} (valeurs admises : {allowed}).")


_PERIODS = (
    re.compile(r"(\d{4}) s([12])"),
    re.compile(r"s([12]) (\d{4})"),
    re.compile(r"([12]) ?(?:er|re|e|eme|nd)? semestre (\d{4})"),
)


def period(cell) -> str:
    """« 2012-S1 », « S1 2012 », « 1er semestre 2012 » → ``"2012-S1"``."""
    folded = fold(_shown(cell))
    for i, pattern in enumerate(_PERIODS):
        if match := pattern.fullmatch(folded):
            year, half = match.groups() if i == 0 else reversed(match.groups())
            return f"{year}-S{half}"
    raise ValueError(f"« {_shown(cell)} » n'est pas un semestre (format attendu : 2012-S1).")


def missing(value) -> bool:
    if isinstance(value, (float, np.floating)):
        return math.isnan(value)
    return value is None or value is pd.NA or value is pd.NaT


def csv_cell(value) -> str:
    """One value as French CSV text: decimal comma, dd/mm/yyyy, oui/non, neutralised text."""
    if missing(value):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "oui" if value else "non"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return np.format_float_positional(float(value), trim="-").replace(".", ",")
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M") if value.time() != time(0) else value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return rules.neutralise(str(value))
