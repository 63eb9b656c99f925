"""Which field of a kind each column of a partner's file holds: proposed from the header, then from
the content, or as a person (or a saved mapping) says.

A header matches a field when it is the field's header or one of its aliases once folded
(:func:`essdash.spreadsheet.cells.fold`), when it contains one of them as whole words (« Intitulé du
projet » holds « intitulé »), or when it is close to one (:mod:`difflib`, ratio at least
``SIMILAR``). A column no header places may be placed by what it holds: commune names, amounts in
euros, dates. Each field takes one column at most. No database here: recognising a commune is the
caller's (``is_commune``).
"""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from essdash.domain import rules
from essdash.spreadsheet.cells import fold, is_blank
from essdash.spreadsheet.columns import Column, Kind

SIMILAR = 0.82
CONTENT_SHARE = 0.8  # share of a column's filled cells that must look alike to place it by content
SAMPLE = 50  # filled cells looked at per column

# Fields that content may fill, by kind: (what the cells look like, field key), tried in this order.
BY_CONTENT = {
    "projects": (("commune", "commune"), ("amount", "funding_amount"), ("date", "start_date")),
    "organisations": (("commune", "commune"), ("date", "created_year")),
    "fundings": (("amount", "amount"),),
    "measurements": (("commune", "commune"),),
}
CONTENT_LABELS = {"commune": "des noms de communes", "amount": "des montants", "date": "des dates"}


@dataclass(frozen=True)
class Placed:
    """A file column and the field it holds (``None``: ignored), with how that was decided."""

    position: int
    header: str
    key: str | None
    how: str


def signature(headers: Sequence[str]) -> str:
    """The headers a saved mapping is offered again for: folded, one per line, blank ones left out."""
    return "\n".join(f for f in (fold(h) for h in headers) if f)


@lru_cache(maxsize=4096)
def header_score(kind: Kind, header: str) -> tuple[Column | None, float]:
    """The field whose names ``header`` is closest to, and how close (1: the same once folded).
    Remembered: the preview and the import of a file score the same first lines."""
    folded = fold(header)
    if not folded:
        return None, 0.0
    words = set(folded.split())
    best: tuple[Column | None, float] = (None, 0.0)
    for column in kind.columns:
        for name in map(fold, (column.header, *column.aliases)):
            if name == folded:
                return column, 1.0
            score = difflib.SequenceMatcher(None, folded, name).ratio()
            if len(name) >= 4 and set(name.split()) <= words:
                score = max(score, 0.9)
            if score > best[1]:
                best = (column, score)
    return best


def _looks(cells: list, is_commune: Callable[[object], bool]) -> str | None:
    """What a column's filled cells look like: commune names, amounts or dates (or nothing in particular)."""
    if not cells:
        return None
    share = CONTENT_SHARE * len(cells)

    def count(test) -> int:
        found = 0
        for cell in cells:
            with contextlib.suppress(ValueError):
                found += bool(test(cell))
        return found

    if count(lambda c: isinstance(c, str) and is_commune(c)) >= share:
        return "commune"
    if count(lambda c: isinstance(c, date) or (isinstance(c, str) and rules.day(c))) >= share:
        return "date"
    numbers = []
    for cell in cells:
        with contextlib.suppress(ValueError):
            numbers.append(rules.number(cell))
    in_euros = any(isinstance(c, str) and rules.unit_of(c) == "€" for c in cells)
    if len(numbers) >= share and (in_euros or sorted(numbers)[len(numbers) // 2] >= 500):
        return "amount"
    return None


def propose(
    kind: Kind,
    headers: Sequence[str],
    columns: Sequence[list],
    is_commune: Callable[[object], bool],
    chosen: dict[str, str | None] | None = None,
) -> list[Placed]:
    """Every column placed: as ``chosen`` says (header → field key, or ``None`` to ignore), else by its
    header, else by its content (``columns``: a sample of each column's cells)."""
    chosen = chosen or {}
    placed: dict[int, Placed] = {}
    taken: set[str] = set()
    for position, header in enumerate(headers):
        if header in chosen:
            key = chosen[header]
            placed[position] = Placed(position, header, key, "choisi")
            if key:
                taken.add(key)
    scored = []
    for position, header in enumerate(headers):
        if position in placed or not header:
            continue
        column, score = header_score(kind, header)
        if column is not None and column.computed and score == 1.0:
            placed[position] = Placed(position, header, None, f"calculé : « {column.header} »")
        elif column is not None and (score == 1.0 or (score >= SIMILAR and not column.computed)):
            scored.append((-score, position, column))
    for negative, position, column in sorted(scored, key=lambda s: (s[0], s[1])):
        if column.key in taken and negative > -1.0:
            continue
        how = "en-tête" if negative == -1.0 else f"en-tête proche de « {column.header} »"
        placed[position] = Placed(position, headers[position], column.key, how)
        taken.add(column.key)
    for position, header in enumerate(headers):
        if position in placed:
            continue
        filled = [c for c in columns[position][:SAMPLE] if not is_blank(c)] if position < len(columns) else []
        looks = _looks(filled, is_commune)
        field = next((key for what, key in BY_CONTENT.get(kind.code, ()) if what == looks), None)
        if field and looks and field not in taken:  # a field is found only for a look
            placed[position] = Placed(position, header, field, f"contenu : {CONTENT_LABELS[looks]}")
            taken.add(field)
        else:
            placed[position] = Placed(position, header, None, "vide" if not filled else "")
    return [placed[p] for p in range(len(headers))]
