"""Reading a file's rows: issues by row and column, French cell parsers, place names, bulk writes.

:class:`Row` gives each data row's cells by column key and turns every refused cell into an
:class:`Issue` (row and column as the spreadsheet shows them, French message); how a rough cell was
read (« 03/2012 » as the 01/03/2012) is a note of the row, shown in the preview, refusing nothing.
:class:`~essdash.write.imports.places.Places` resolves the communes and territories a row names.
:class:`Builder` is the base of the per-kind builders of
:mod:`essdash.write.imports.kinds`: it counts inserts, updates and unchanged rows and refuses a
natural key met twice in one file. Writes are bulk: :func:`bulk_update`, :func:`insert_rows`, and
:func:`insert_numbered` for rows whose ids are needed at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.engine import Connection, Engine

from essdash.domain import fmt, rules
from essdash.domain import models as m
from essdash.domain.access import Scope
from essdash.domain.vocabulary import FundingType, InterventionMode, Sector
from essdash.spreadsheet import cells as cells
from essdash.spreadsheet.columns import Kind
from essdash.store.db import ids_written
from essdash.write.imports.places import MEMO_SIZE, Places

MAX_AMOUNT = 1e10  # euros: beyond, a typing error
UNSPECIFIED_FUNDER = "Non précisé"
# (column key, parser, its arguments…) → text cell → (value, refusal): see :attr:`Row.memo`
Memo = dict[tuple[Any, ...], dict[str, tuple[Any, str | None]]]


@dataclass(frozen=True)
class ImportOptions:
    """What a person chose for a file: its worksheet, its mapping (file header → field key, ``None`` to
    ignore), and the defaults of what its rows do not say."""

    worksheet: str | None = None
    mapping: tuple[tuple[str, str | None], ...] | None = None
    sector: str = Sector.TO_QUALIFY.value
    mode: str = InterventionMode.TO_QUALIFY.value
    funder: str = UNSPECIFIED_FUNDER
    funding_type: str = FundingType.GRANT.value
    funding_year: int | None = None  # None: the year of the row's start or proposal, else the current year
    scope: Scope | None = None  # where the importing person may write (None: everywhere), checked row by row
    opinions: bool = True  # whether the importing person may record the committee's opinions (its steps)


@dataclass(frozen=True)
class Issue:
    """A problem with a file: its row and column as the spreadsheet shows them, in French."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        parts = (self.row and f"Ligne {self.row}", self.column and f"colonne « {self.column} »")
        where = ", ".join(p for p in parts if p)
        return f"{where} : {self.message}" if where else self.message


@dataclass
class Row:
    """One data row: its cells by column key, and the issues it raises.

    ``memo`` (shared by the rows of one file, see :attr:`Builder.parsed`) remembers what each text
    cell gave, by column and parser: the communes, legal forms, steps, dates and amounts a partner's
    file repeats on thousands of rows are parsed once. Parsers are pure, so the result is the same."""

    number: int
    values: dict[str, Any]
    headers: dict[str, str]
    issues: list[Issue]
    failed: bool = False
    memo: Memo | None = None
    notes: list[Issue] = field(default_factory=list)

    def given(self, key: str) -> bool:
        return not cells.is_blank(self.values.get(key))

    def error(self, key: str, message: str) -> None:
        self.issues.append(Issue(self.number, self.headers.get(key, key) or None, message))
        self.failed = True

    def note(self, key: str, message: str) -> None:
        """Say how a cell was read (a rough date…): shown in the preview, refusing nothing."""
        self.notes.append(Issue(self.number, self.headers.get(key, key) or None, message))

    def get(self, key: str, parse: Callable[..., Any], *args: Any, required: bool = False, **kwargs: Any) -> Any:
        """The parsed cell, or ``None`` when blank (an issue if ``required``) or refused; a parser's
        :class:`essdash.spreadsheet.cells.Noted` value gives its value and a note of the row."""
        cell = self.values.get(key)
        if cell is None or cells.is_blank(cell):
            if required:
                self.error(key, "valeur obligatoire manquante.")
            return None
        if self.memo is None or cell.__class__ is not str:
            value, refusal = _parsed(parse, cell, args, kwargs)
        else:
            site = (key, parse, args, *kwargs.items()) if kwargs else (key, parse, args)
            known = self.memo.get(site)
            if known is None:
                known = self.memo[site] = {}
            outcome = known.get(cell)
            if outcome is None:
                outcome = _parsed(parse, cell, args, kwargs)
                if len(known) < MEMO_SIZE:
                    known[cell] = outcome
            value, refusal = outcome
        if refusal is not None:
            self.error(key, refusal)
        elif value.__class__ is cells.Noted:
            self.note(key, value.note)
            return value.value
        return value


def _parsed(
    parse: Callable[..., Any], cell: object, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[Any, str | None]:
    """``(value, None)``, or ``(None, French refusal)`` when ``parse`` raises ``ValueError``."""
    try:
        return parse(cell, *args, **kwargs), None
    except ValueError as exc:
        return None, str(exc)


def name_key(text: str) -> str:
    """Natural-key form of a name: case and extra spaces ignored."""
    return " ".join(text.split()).casefold()


count = rules.count


def amount(cell: object) -> float:
    value = cells.number(cell)
    if value < 0:
        raise ValueError(f"montant négatif refusé ({fmt.money(value, 0 if value.is_integer() else 2)}).")
    if value > MAX_AMOUNT:
        raise ValueError(f"montant invraisemblable ({fmt.money(value)}).")
    return value


def year(cell: object) -> int:
    """A year of creation: « 2007 » or a full date."""
    return rules.creation_year(cell, date.today())


@dataclass
class Context:
    """What every builder needs: the connection, the engine, the file and its warnings."""

    conn: Connection
    engine: Engine
    file_name: str
    warnings: list[Issue] = field(default_factory=list)
    options: ImportOptions = field(default_factory=ImportOptions)

    def __post_init__(self) -> None:
        self.places = Places(self.conn, self.options.scope)

    def organisations(self) -> dict[str, dict[str, Any]]:
        return {name_key(r["name"]): dict(r) for r in self.conn.execute(select(m.table_of(m.Organisation))).mappings()}


def bulk_update(conn: Connection, table: Table, changes: list[tuple[int, dict[str, Any]]]) -> None:
    """Apply ``(id, {column: value})`` changes, one executemany per set of changed columns."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for row_id, values in changes:
        groups[tuple(sorted(values))].append({"b_id": row_id, **{f"b_{k}": v for k, v in values.items()}})
    for columns, params in groups.items():
        conn.execute(
            update(table).where(table.c.id == bindparam("b_id")).values({c: bindparam(f"b_{c}") for c in columns}),
            params,
        )


def next_id(conn: Connection, table: Table) -> int:
    """The id SQLite gives the next row of ``table``, one more than the largest: with the write lock
    held, rows inserted under it and the ids that follow get the ids one INSERT each would give them."""
    return (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1


def insert_numbered(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` in one executemany under the ids that follow the largest; their ids, in order."""
    if not rows:
        return []
    first = next_id(conn, table)
    conn.execute(insert(table), [{"id": first + i, **row} for i, row in enumerate(rows)])
    ids_written(conn, table)
    return list(range(first, first + len(rows)))


def insert_rows(conn: Connection, *batches: tuple[Any, ...]) -> None:
    """Insert each ``(table, rows)`` batch that has rows, in the order given (one executemany each)."""
    for table, rows in batches:
        if rows:
            conn.execute(insert(table), rows)


class Builder:
    """Validated rows of one kind, sorted into inserts, updates and unchanged rows."""

    kind: Kind

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.inserted = self.updated = self.unchanged = self.skipped = 0
        self.created: dict[str, list[str]] = {}
        self.defaulted: dict[str, int] = defaultdict(int)  # « field: default » → rows that took it
        self.fundings = 0  # funding lines created, and their euros
        self.funding_total = 0.0
        self.funding_updates = 0  # funding lines changed (amount or funder), and the euros they add
        self.funding_change = 0.0
        self._seen: dict[object, int] = {}
        self.parsed: Memo = {}  # the rows' memo of parsed cells (see :class:`Row`)

    def once(self, row: Row, identity: object, column: str) -> bool:
        first = self._seen.setdefault(identity, row.number)
        if first != row.number:
            row.error(column, f"ligne en double : même {self.kind.natural_key} que la ligne {first}.")
        return first == row.number

    def add(self, row: Row) -> None:
        """Check one row and sort it; issues go to the row."""
        raise NotImplementedError

    def finish(self) -> None:
        """After the last row: record what the import would create besides its own rows."""

    def write(self, conn: Connection, author: str, now: datetime) -> None:
        """Apply the sorted rows on ``conn`` (inside the import's transaction)."""
        raise NotImplementedError
