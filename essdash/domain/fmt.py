"""French formatting of numbers, money, percentages, dates and semesters, and :data:`CHOOSE`, the
French placeholder of the app's choice boxes.

Babel's French formats group thousands with a narrow no-break space (U+202F) and use a decimal
comma: ``number(1234.5, 1)`` gives ``"1 234,5"``.
"""

from __future__ import annotations

import decimal
import math
import numbers
import re
from datetime import date, datetime
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal

from essdash.domain import periods

LOCALE = "fr_FR"
CHOOSE = "Choisir…"  # a selectbox's or multiselect's placeholder: Streamlit's own is English (« Choose an option »)
MISSING = "–"  # an empty table cell (``placeholder=`` of st.dataframe: Streamlit's own is « None »)
NNBSP = "\u202f"
NBSP = "\u00a0"


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: Any, decimals: int = 0) -> str:
    """Any finite number in French: ``number(1.5e20)`` → ``"150 000 000 000 000 000 000"``."""
    if _missing(value):
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    with decimal.localcontext() as context:  # rounding a float of 1e308 needs 309 digits, not 28
        context.prec = 400
        return format_decimal(value, format=pattern, locale=LOCALE)


def cell(value: object) -> str:
    """A table cell as French text: ``"–"`` when missing (None, NaN, NaT), a date as
    ``"05/03/2012"`` (with ``" 14:30"`` when it has a time), a number with its decimals (six at
    most) and grouped thousands (``1234.5`` → ``"1 234,5"``), a truth as « oui » or « non », anything
    else as it is."""
    if value is None or value != value:  # NaN and NaT are the only values unequal to themselves
        return "–"
    if isinstance(value, datetime) and (value.hour, value.minute) != (0, 0):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return short_day(value)
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, numbers.Real):  # Python's or NumPy's; its shortest decimal writing, exactly
        return format_decimal(decimal.Decimal(str(value)), format="#,##0.######", locale=LOCALE)
    return str(value)


def short_day(day: date) -> str:
    """``date(2013, 12, 31)`` → ``"31/12/2013"`` (« situation au … »)."""
    return f"{day:%d/%m/%Y}"


def money(value: Any, decimals: int = 0) -> str:
    """``1234567`` → ``"1 234 567 €"``."""
    return "–" if _missing(value) else f"{number(value, decimals)}{NBSP}€"


def money_short(value: Any) -> str:
    """Large sums for key figures: ``12 345 678`` → ``"12,3 M€"``, ``45 600`` → ``"45,6 k€"``."""
    if _missing(value):
        return "–"
    if abs(value) >= 1_000_000:
        return f"{number(value / 1_000_000, 1)}{NBSP}M€"
    if abs(value) >= 10_000:
        return f"{number(value / 1_000, 1)}{NBSP}k€"
    return money(value)


def percent(ratio: Any, decimals: int = 0) -> str:
    """A ratio (0.25) as ``"25 %"``."""
    return "–" if _missing(ratio) else f"{number(ratio * 100, decimals)}{NBSP}%"


def day(value: date | datetime | None) -> str:
    """``date(2012, 3, 5)`` → ``"5 mars 2012"``."""
    return "–" if value is None else format_date(value, format="d MMMM y", locale=LOCALE)


def period_label(period: str) -> str:
    """``"2012-S1"`` → ``"1er semestre 2012"``."""
    year, half = periods.parse(period)
    return f"{'1er' if half == 1 else '2e'} semestre {year}"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``plural(3, "projet")`` → ``"3 projets"``; French singular for 0 and 1."""
    word = singular if abs(count) < 2 else (plural_form or singular + "s")
    return f"{number(count)} {word}"


WORD_JOINER = "\u2060"
_MARKDOWN_SPECIALS = re.compile(r"[\\`*_{}\[\]()#+\-.!|<>~$&:]")


def _inert(match: re.Match[str]) -> str:
    character = match.group(0)
    return f"&#{ord(character)};" + (WORD_JOINER if character == ":" else "")


def md_escape(text: object) -> str:
    """User text shown exactly as typed inside Streamlit Markdown (labels, captions, alerts included).

    Every character that can open Markdown syntax becomes its numeric character reference (``*`` →
    ``&#42;``), which Markdown shows as the character but never reads as syntax: no emphasis, link, image,
    heading, list, table, code, HTML, LaTeX (``$``), autolink, ``:red[…]`` directive or badge.
    Streamlit replaces ``:smile:`` and ``:material/home:`` in the text itself, so a colon is also
    followed by an invisible word joiner (U+2060). Line breaks become spaces.
    """
    return _MARKDOWN_SPECIALS.sub(_inert, str(text)).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
