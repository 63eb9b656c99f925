"""Semesters, the plan's unit of time, written ``2012-S1`` (January–June) and ``2012-S2``."""

from __future__ import annotations

import re
from datetime import date

_PERIOD = re.compile(r"^(\d{4})-S([12])$")


def parse(period: str) -> tuple[int, int]:
    """``"2012-S2"`` → ``(2012, 2)``; raises ``ValueError`` with a French message otherwise."""
    match = _PERIOD.match(period.strip()) if isinstance(period, str) else None
    if not match:
        raise ValueError(f"« {period} » n'est pas un semestre (format attendu : 2012-S1).")
    return int(match.group(1)), int(match.group(2))


def of_date(day: date) -> str:
    return f"{day.year}-S{1 if day.month <= 6 else 2}"


def bounds(period: str) -> tuple[date, date]:
    """First and last day of a semester."""
    year, half = parse(period)
    return (date(year, 1, 1), date(year, 6, 30)) if half == 1 else (date(year, 7, 1), date(year, 12, 31))


def span(first: str, last: str) -> list[str]:
    """Every semester from ``first`` to ``last`` inclusive, in order."""
    (y, h), end = parse(first), parse(last)
    out = []
    while (y, h) <= end:
        out.append(f"{y}-S{h}")
        y, h = (y, 2) if h == 1 else (y + 1, 1)
    return out


def previous(period: str) -> str:
    year, half = parse(period)
    return f"{year}-S1" if half == 2 else f"{year - 1}-S2"
