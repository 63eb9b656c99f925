"""Finding a partner's file's shape: its header row, its data rows, and how each column is placed.

:func:`recognise` takes as header the most recognisable of a file's first lines (title lines above
it are left out with a warning, a header under merged group cells is read as it shows: « Emplois »
over « créés » reads « Emplois créés »), leaves a totals row at the bottom out, and places the
columns on the kind's fields (:mod:`essdash.spreadsheet.mapping`, or as the person chose). A column
placed twice, an unknown field, a missing required column, or headers that fit another kind better
are refused; nothing here reads the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from essdash.spreadsheet import files as io_files
from essdash.spreadsheet import mapping
from essdash.spreadsheet.cells import fold, is_blank
from essdash.spreadsheet.columns import KINDS, Kind
from essdash.write.imports.places import Places
from essdash.write.imports.rows import ImportOptions, Issue

HEADER_SEARCH = 10


def _header(cell: object) -> str:
    return "" if is_blank(cell) else " ".join(str(cell).split())


def _header_cells(table: io_files.Table, index: int) -> tuple[str, ...]:
    """The headers of row ``index``; under a row of merged group cells, each header is completed by
    its group (« Emplois » over « créés » reads « Emplois créés »)."""
    headers = [_header(c) for c in table.rows[index][1]]
    if index and table.rows[index - 1][0] in table.merged:
        above = [_header(c) for c in table.rows[index - 1][1]]
        width = max(len(above), len(headers))
        above += [""] * (width - len(above))
        headers += [""] * (width - len(headers))
        headers = [f"{up} {low}" if up and low and up != low else (low or up) for up, low in zip(above, headers)]
    return tuple(headers)


def _score(kind: Kind, headers: tuple[str, ...]) -> float:
    return sum(score for score in (mapping.header_score(kind, h)[1] for h in headers if h) if score >= mapping.SIMILAR)


def _exact(kind: Kind, headers: tuple[str, ...]) -> int:
    """How many headers name a field of ``kind`` exactly (once folded)."""
    return sum(mapping.header_score(kind, h)[1] == 1.0 for h in headers if h)


def _is_total(cells: tuple[Any, ...]) -> bool:
    first = next((c for c in cells if not is_blank(c)), "")
    return isinstance(first, str) and fold(first).startswith(("total", "sous total", "somme"))


@dataclass
class Shape:
    """Where the header and the data are, and how each column is placed."""

    index: int
    headers: tuple[str, ...]
    data: list[Any]
    placed: list[mapping.Placed]


def recognise(
    kind: Kind,
    table: io_files.Table,
    places: Places,
    options: ImportOptions,
    errors: list[Issue],
    warnings: list[Issue],
) -> Shape:
    """The header row (the most recognisable of the first lines), the data rows (a totals row at the
    bottom left out) and the placing of each column; refusals and warnings go to the lists given."""
    candidates = [_header_cells(table, i) for i in range(min(HEADER_SEARCH, len(table.rows)))]
    scores = [_score(kind, headers) for headers in candidates]
    index = scores.index(max(scores))
    headers = candidates[index]
    number = table.rows[index][0]
    for above, cells in table.rows[:index]:
        shown = " ".join(_header(c) for c in cells if not is_blank(c))
        if above not in table.merged or above != table.rows[index - 1][0]:
            warnings.append(Issue(above, None, f"ligne au-dessus de l'en-tête, ignorée : « {shown[:200]} »."))
    data = list(table.rows[index + 1 :])
    while data and _is_total(data[-1][1]):
        warnings.append(Issue(data[-1][0], None, "ligne de total, ignorée."))
        data.pop()
    sample = [
        [cells[i] if i < len(cells) else None for _, cells in data[: mapping.SAMPLE]] for i in range(len(headers))
    ]
    chosen = dict(options.mapping or ())
    placed = mapping.propose(kind, headers, sample, places.known, chosen)
    keys = {c.key: c for c in kind.columns if not c.computed}
    seen: dict[str, str] = {}
    for p in placed:
        shown = p.header or f"colonne {p.position + 1}"
        if p.key is not None and p.key not in keys:
            errors.append(Issue(number, shown, f"champ « {p.key} » inconnu pour des {kind.label.lower()}."))
        elif p.key in seen:
            errors.append(
                Issue(
                    number,
                    shown,
                    f"même rôle (« {keys[p.key].header} ») que la colonne « {seen[p.key]} » : n'en gardez qu'une.",
                )
            )
        elif p.key is not None:
            seen[p.key] = shown
        elif p.header and not p.how:
            warnings.append(Issue(number, p.header, "colonne non reconnue, ignorée (choisissez son rôle si besoin)."))
    considered = ", ".join(f"« {h} »" for h in headers if h) or "aucune"
    for group in kind.required:
        if not any(key in seen for key in group):
            names = " ou ".join(f"« {kind.header(key)} »" for key in group)
            errors.append(
                Issue(number, None, f"colonne obligatoire absente : {names} (colonnes examinées : {considered}).")
            )
    other = max((k for k in KINDS.values() if k is not kind), key=lambda k: _exact(k, headers))
    if _exact(other, headers) > _exact(kind, headers):
        errors.append(
            Issue(
                number,
                None,
                f"ce fichier ressemble à un fichier de « {other.label} » ({_exact(other, headers)} colonnes "
                f"reconnues, contre {_exact(kind, headers)} pour des {kind.label.lower()}) : choisissez cette nature.",
            )
        )
    return Shape(index, headers, data, placed)
