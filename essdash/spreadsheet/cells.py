"""Spreadsheet cells the French way: parsing what partners type, writing what Excel shows.

Parsers accept French habits — « 1 234,50 € », « (200) », « 05/03/2012 », a date cell or an Excel
serial number, « oui », « S1 2012 », enumerations by French label or code — and raise
``ValueError`` with a French message otherwise. Text cells refuse HTML tags, control characters
and a leading ``=``, ``+`` or ``@`` (a spreadsheet formula) unless escaped by an apostrophe, which
is also how writing neutralises text that starts like a formula: the two are mirror images, so
an exported file imports back unchanged.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import numpy as np
import pandas as pd

from essdash.domain import fmt

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
REFUSED_STARTS = ("=", "+", "@")


@lru_cache(maxsize=65536)
def fold(text) -> str:
    """Text reduced for matching: no case, accents, punctuation or units in parentheses."""
    text = re.sub(r"\([^)]*\)", " ", str(text)).replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def is_blank(cell) -> bool:
    if isinstance(cell, float):
        return math.isnan(cell)
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _shown(cell) -> str:
    return cell.strftime("%d/%m/%Y") if isinstance(cell, date) else str(cell)


def text(cell, *, max_length: int = 200, multiline: bool = False) -> str:
    """A text cell, trimmed; formulas, HTML tags and control characters are refused."""
    if isinstance(cell, bool):
        raise ValueError(f"« {cell} » n'est pas un texte.")
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    value = _shown(cell).replace("\r\n", "\n").replace("\r", "\n").strip()
    value = value if multiline else " ".join(value.split())
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in value):
        raise ValueError("caractères de contrôle refusés.")
    if re.search(r"<[a-zA-Z!/?][^<>]*>", value):
        raise ValueError("les balises HTML sont refusées (texte brut seulement).")
    if value.startswith("'") and value.lstrip("'")[:1] in FORMULA_TRIGGERS:
        value = value[1:]
    elif value.startswith(REFUSED_STARTS):
        raise ValueError(
            f"le texte commence par « {value[0]} », comme une formule de tableur : refusé. "
            "Si c'est voulu, faites-le précéder d'une apostrophe (')."
        )
    if len(value) > max_length:
        raise ValueError(f"texte trop long ({fmt.number(len(value))} caractères, {fmt.number(max_length)} au plus).")
    return value


_SPACES = re.compile(r"[\s\u00a0\u202f\u2007\u2009]")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def number(cell) -> float:
    """« 1 234,50 € », « 45 % », « (200) », « 1.234,5 », 1234.5 → a finite float."""
    if isinstance(cell, (bool, date)):
        raise ValueError(f"« {_shown(cell)} » n'est pas un nombre.")
    if isinstance(cell, (int, float)):
        value = float(cell)
    else:
        raw = str(cell).strip()
        s = raw.replace("\u2212", "-")
        negative = s.startswith("(") and s.endswith(")")
        s = re.sub(r"(?i)(€|eur|euros|%)$", "", s[1:-1] if negative else s).strip()
        s = _SPACES.sub("", s)
        if "," in s and "." in s:
            s = s.replace(".", "").replace(",", ".") if s.rfind(",") > s.rfind(".") else s.replace(",", "")
        elif s.count(",") == 1:
            s = s.replace(",", ".")
        elif re.fullmatch(r"[+-]?\d{1,3}(\.\d{3}){2,}", s):
            s = s.replace(".", "")
        if not _DECIMAL.fullmatch(s):
            raise ValueError(f"« {raw} » n'est pas un nombre.")
        value = -float(s) if negative else float(s)
    if not math.isfinite(value):
        raise ValueError(f"« {cell} » n'est pas un nombre fini.")
    return value


def shown_number(value: float) -> str:
    """A number for a French message, whatever its size: « 1234,5 », « -0,25 », « 1,000e+40 »."""
    if abs(value) >= 1e12:
        return f"{value:.3e}".replace(".", ",")
    return np.format_float_positional(value, trim="-").replace(".", ",")


def integer(cell) -> int:
    value = number(cell)
    if not value.is_integer() or abs(value) > 1e12:
        raise ValueError(f"« {_shown(cell)} » n'est pas un nombre entier.")
    return int(value)


_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_EXCEL_EPOCH = date(1899, 12, 30)


def day(cell) -> date:
    """A date: dd/mm/yyyy (or dd-mm-yy, dd.mm.yyyy), yyyy-mm-dd, a date cell, an Excel serial number."""
    if isinstance(cell, datetime):
        value = cell.date()
    elif isinstance(cell, date):
        value = cell
    elif isinstance(cell, (int, float)) and not isinstance(cell, bool):
        if not 1 <= cell <= 80000 or not float(cell).is_integer():
            raise ValueError(f"« {cell} » n'est pas une date (format attendu : jj/mm/aaaa).")
        value = _EXCEL_EPOCH + timedelta(days=int(cell))
    else:
        raw = str(cell).strip()
        if match := _DMY.fullmatch(raw):
            d, m, y = (int(g) for g in match.groups())
            y = y + (2000 if y < 70 else 1900) if len(match.group(3)) == 2 else y
        elif match := _YMD.fullmatch(raw):
            y, m, d = (int(g) for g in match.groups())
        else:
            raise ValueError(f"« {raw} » n'est pas une date (format attendu : jj/mm/aaaa).")
        try:
            value = date(y, m, d)
        except ValueError as exc:
            raise ValueError(f"date impossible : « {raw} ».") from exc
    if not 1900 <= value.year <= 2100:
        raise ValueError(f"date hors des limites : « {value:%d/%m/%Y} ».")
    return value


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


def neutralise(value: str) -> str:
    """Text that no spreadsheet will run as a formula: a leading apostrophe where needed."""
    return "'" + value if value.lstrip("'")[:1] in FORMULA_TRIGGERS else value


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
    return neutralise(str(value))
