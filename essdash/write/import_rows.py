"""Reading a file's rows: issues by row and column, French cell parsers, place names, bulk writes.

:class:`Row` gives each data row's cells by column key and turns every refused cell into an
:class:`Issue` (row and column as the spreadsheet shows them, French message); how a rough cell was
read (« 03/2012 » as the 01/03/2012) is a note of the row, shown in the preview, refusing nothing.
:class:`Places` resolves communes by INSEE code, former code or name (case, accents, hyphens and
apostrophes ignored, « St » for « Saint », « lès » for « lez », a short form naming one commune
only) and territories by code or name. :class:`Builder` is the base of the per-kind builders of
:mod:`essdash.write.import_kinds`: it counts inserts, updates and unchanged rows and refuses a
natural key met twice in one file. Writes are bulk: :func:`bulk_update`, :func:`insert_rows`, and
:func:`insert_numbered` for rows whose ids are needed at once.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.engine import Connection, Engine

from essdash.domain import fmt, rules
from essdash.domain import models as m
from essdash.domain.access import Place, Scope
from essdash.domain.vocabulary import FundingType, InterventionMode, Sector
from essdash.spreadsheet import cells as cells
from essdash.spreadsheet.columns import Kind
from essdash.store.db import ids_written

MAX_AMOUNT = 1e10  # euros: beyond, a typing error
UNSPECIFIED_FUNDER = "Non précisé"


@dataclass(frozen=True)
class ImportOptions:
    """What a person chose for a file: its sheet, its mapping (file header → field key, ``None`` to
    ignore), and the defaults of what its rows do not say."""

    sheet: str | None = None
    mapping: tuple[tuple[str, str | None], ...] | None = None
    sector: str = Sector.A_QUALIFIER.value
    mode: str = InterventionMode.A_QUALIFIER.value
    funder: str = UNSPECIFIED_FUNDER
    funding_type: str = FundingType.SUBVENTION.value
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


MEMO_SIZE = 4096  # distinct texts remembered per column and parser (titles, all different, stop there)


@dataclass
class Row:
    """One data row: its cells by column key, and the issues it raises.

    ``memo`` (shared by the rows of one file, see :attr:`Builder.parsed`) remembers what each text
    cell gave, by column and parser: the communes, legal forms, steps, dates and amounts a partner's
    file repeats on thousands of rows are parsed once. Parsers are pure, so the result is the same."""

    number: int
    values: dict
    headers: dict[str, str]
    issues: list[Issue]
    failed: bool = False
    memo: dict | None = None
    notes: list[Issue] = field(default_factory=list)

    def given(self, key: str) -> bool:
        return not cells.is_blank(self.values.get(key))

    def error(self, key: str, message: str) -> None:
        self.issues.append(Issue(self.number, self.headers.get(key, key) or None, message))
        self.failed = True

    def note(self, key: str, message: str) -> None:
        """Say how a cell was read (a rough date…): shown in the preview, refusing nothing."""
        self.notes.append(Issue(self.number, self.headers.get(key, key) or None, message))

    def get(self, key: str, parse, *args, required: bool = False, **kwargs):
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


def _parsed(parse, cell, args: tuple, kwargs: dict) -> tuple:
    """``(value, None)``, or ``(None, French refusal)`` when ``parse`` raises ``ValueError``."""
    try:
        return parse(cell, *args, **kwargs), None
    except ValueError as exc:
        return None, str(exc)


def name_key(text: str) -> str:
    """Natural-key form of a name: case and extra spaces ignored."""
    return " ".join(text.split()).casefold()


count = rules.count


def amount(cell) -> float:
    value = cells.number(cell)
    if value < 0:
        raise ValueError(f"montant négatif refusé ({fmt.money(value, 0 if value.is_integer() else 2)}).")
    if value > MAX_AMOUNT:
        raise ValueError(f"montant invraisemblable ({fmt.money(value)}).")
    return value


def year(cell) -> int:
    """A year of creation: « 2007 » or a full date."""
    return rules.creation_year(cell, date.today())


_COMMUNE_WORDS = {"st": "saint", "ste": "sainte", "les": "lez"}  # after folding: « St. », « lès »
_LINKS = {"lez", "en", "sur"}  # what joins a commune's name to its place: « Marcq-en-Barœul »


def _commune_words(name) -> list[str]:
    """A commune name's words, folded (case, accents, apostrophes, hyphens), abbreviations spelt out."""
    return [_COMMUNE_WORDS.get(w, w) for w in cells.fold(name).split()]


def _commune_key(name) -> str:
    """The key a commune name is looked up by: its words run together, so that « Villeneuve d Ascq »,
    « Villeneuve-d'Ascq » and « VILLENEUVE DASCQ » are one key."""
    return "".join(_commune_words(name))


def _short_key(name) -> str | None:
    """The key of a name's usual short form, its words before « lez », « en » or « sur »
    (« St André » for Saint-André-lez-Lille); ``None`` if it has no such word."""
    words = _commune_words(name)
    cut = next((i for i, word in enumerate(words) if i and word in _LINKS), None)
    return None if cut is None else "".join(words[:cut])


def _either(names: list[str]) -> str:
    """The names quoted and joined the French way: « A », « B » ou « C »."""
    quoted = [f"« {name} »" for name in names]
    return " ou ".join([", ".join(quoted[:-1]), quoted[-1]] if len(quoted) > 1 else quoted)


def _code_text(cell) -> str:
    return str(int(cell)) if isinstance(cell, (int, float)) and float(cell).is_integer() else str(cell).strip()


class Places:
    """Communes (by INSEE code, former code or name) and territories (by code or name); with a
    ``scope`` (the importing person's, from the gate), a row landing outside it is refused.

    A commune name is found whatever its case, accents, hyphens, spaces and apostrophes, with « St »,
    « Ste » for « Saint », « Sainte » and « lès », « les » for « lez »; or by its short form
    (« Marcq » for Marcq-en-Barœul) when that names one commune only — one naming several (« Sainghin »)
    is refused with their names. An unknown name gets up to three nearest names as suggestions."""

    SUGGESTIONS = 3

    def __init__(self, conn: Connection, scope: Scope | None = None):
        self.scope = scope
        communes = conn.execute(select(m.Commune.insee_code, m.Commune.name, m.Commune.territory_code)).all()
        aliases = conn.execute(
            select(m.CommuneAlias.alias_code, m.CommuneAlias.alias_name, m.CommuneAlias.insee_code)
        ).all()
        self.names = {code: name for code, name, _ in communes}
        self.resolved: dict[str, str] = {}  # commune names as typed → INSEE code, for the preview
        self._names: dict[str, tuple[str | None, str, str] | str] = {}  # text cells looked up: found, or refusal
        self.codes = {code: code for code in self.names} | {alias: code for alias, _, code in aliases}
        self.by_name = {_commune_key(name): code for code, name, _ in communes}
        for _, name, code in aliases:
            words, target = _commune_words(name), _commune_words(self.names[code])
            self.by_name["".join(words)] = code
            if len(words) > len(target) and words[-len(target) :] == target:  # « Hellemmes » for « Hellemmes-Lille »
                self.by_name["".join(words[: -len(target)])] = code
        self.short: dict[str, set[str]] = defaultdict(set)  # short forms not a full name → their communes
        for name, code in [(name, code) for code, name, _ in communes] + [(name, code) for _, name, code in aliases]:
            if (short := _short_key(name)) and short not in self.by_name:
                self.short[short].add(code)
        self._near = {key: {code} for key, code in self.by_name.items()} | self.short  # for suggestions
        self.territories = {}
        for code, name in conn.execute(select(m.Territory.code, m.Territory.name)):
            short = re.sub(r"^territoire (de la |des |du |de l )?", "", cells.fold(name))
            self.territories.update({cells.fold(code): code, cells.fold(name): code, short: code})

    def known(self, cell) -> bool:
        """Whether a cell names a commune of the metropolis (by name or code), as typed."""
        key = _commune_key(cell)
        return bool(self.codes.get(_code_text(cell)) or self.by_name.get(key) or self.short.get(key))

    def _find(self, name: str) -> str | None:
        """The commune a name gives, by full or short form; ``ValueError`` if it names several."""
        key = _commune_key(name)
        if code := self.by_name.get(key):
            return code
        codes = sorted(self.short.get(key, ()), key=self.names.__getitem__)
        if len(codes) > 1:
            raise ValueError(
                f"« {name} » peut désigner {_either([self.names[c] for c in codes])} : précisez la commune."
            )
        return codes[0] if codes else None

    def _suggestion(self, name: str) -> str:
        """« Vouliez-vous dire … ? » with up to :attr:`SUGGESTIONS` communes whose key is nearest, or ``""``."""
        close = difflib.get_close_matches(_commune_key(name), self._near, n=2 * self.SUGGESTIONS, cutoff=0.75)
        found = [self.names[code] for key in close for code in sorted(self._near[key], key=self.names.__getitem__)]
        names = list(dict.fromkeys(found))[: self.SUGGESTIONS]
        return f" Vouliez-vous dire {_either(names)} ?" if names else ""

    def _by_name(self, cell) -> tuple[str | None, str]:
        if isinstance(cell, bool):
            raise ValueError(f"« {cell} » n'est pas un nom de commune.")
        shown = _code_text(cell)
        code = self.codes.get(shown) or self._find(cells.text(shown))
        if code:
            self.resolved.setdefault(shown, code)
            return code, ""
        return None, self._suggestion(shown)

    def _named(self, cell) -> tuple[str | None, str, str]:
        """The code a commune cell names (``None`` if unknown), the hint then, and the cell as shown;
        ``ValueError`` if it is no name. Text cells are looked up once."""
        remember = cell.__class__ is str
        found = self._names.get(cell) if remember else None
        if found is None:
            try:
                code, hint = self._by_name(cell)
                found = (code, hint, cells.text(cell))
            except ValueError as exc:
                found = str(exc)
            if remember and len(self._names) < MEMO_SIZE:
                self._names[cell] = found
        if isinstance(found, str):
            raise ValueError(found)
        return found

    def commune(self, row: Row, *, required: bool = False) -> str | None:
        by_code = by_name = None
        if row.given("insee_code"):
            code = _code_text(row.values["insee_code"])
            by_code = self.codes.get(code)
            if by_code is None:
                hint = (
                    " (un code postal ? le code INSEE est celui de l'INSEE, ex. 59512 pour Roubaix)"
                    if code.endswith("0")
                    else ""
                )
                row.error("insee_code", f"code INSEE « {code} » inconnu dans la métropole{hint}.")
        if row.given("commune"):
            try:
                by_name, hint, shown = self._named(row.values["commune"])
            except ValueError as exc:
                row.error("commune", str(exc))
                return None
            if by_name is None:
                row.error("commune", f"commune « {shown} » inconnue dans la métropole.{hint}")
            elif by_code and by_name != by_code:
                row.error(
                    "commune",
                    f"« {shown} » ne correspond pas au code INSEE "
                    f"{_code_text(row.values['insee_code'])} ({self.names[by_code]}).",
                )
            else:
                self.within(row, "commune", by_name)
        if by_code and not row.given("commune"):
            self.within(row, "insee_code", by_code)
        if required and not (row.given("insee_code") or row.given("commune")):
            row.error("commune" if "commune" in row.values else "insee_code", "commune obligatoire manquante.")
        return by_code or by_name

    def communes(self, row: Row, key: str) -> set[str] | None:
        if not row.given(key):
            return None
        found = set()
        for part in re.split(r"[,;|\n]+", str(row.values[key])):
            if not part.strip():
                continue
            try:
                code, hint = self._by_name(part)
            except ValueError as exc:
                row.error(key, str(exc))
                continue
            if code is None:
                row.error(key, f"commune « {part.strip()} » inconnue dans la métropole.{hint}")
            else:
                self.within(row, key, code)
                found.add(code)
        return found

    def territory(self, row: Row) -> str | None:
        if not row.given("territory"):
            return None
        code = self.territories.get(cells.fold(row.values["territory"]))
        if code is None:
            row.error(
                "territory",
                f"territoire « {row.values['territory']} » inconnu (codes admis : "
                f"{', '.join(sorted(set(self.territories.values())))}).",
            )
        elif self.scope is not None and not self.scope.covers(Place(territories=frozenset({code}))):
            row.error("territory", f"le territoire « {row.values['territory']} » est hors de votre périmètre.")
        return code

    def within(self, row: Row, key: str, commune: str) -> None:
        """Refuse the row if ``commune`` lies outside the importing person's scope."""
        if self.scope is not None and not self.scope.covers(Place(frozenset({commune}))):
            row.error(key, f"{self.names[commune]} ({commune}) est hors de votre périmètre.")

    def whole(self, row: Row, key: str) -> None:
        """Refuse a row for the whole metropolis when the importing person answers for less."""
        if self.scope is not None:
            row.error(key, "une valeur pour toute la métropole est hors de votre périmètre.")


@dataclass
class Context:
    """What every builder needs: the connection, the engine, the file and its warnings."""

    conn: Connection
    engine: Engine
    file_name: str
    warnings: list[Issue] = field(default_factory=list)
    options: ImportOptions = field(default_factory=ImportOptions)

    def __post_init__(self):
        self.places = Places(self.conn, self.options.scope)

    def organisations(self) -> dict[str, dict]:
        return {name_key(r["name"]): dict(r) for r in self.conn.execute(select(m.Organisation.__table__)).mappings()}


def bulk_update(conn: Connection, table, changes: list[tuple[int, dict]]) -> None:
    """Apply ``(id, {column: value})`` changes, one executemany per set of changed columns."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row_id, values in changes:
        groups[tuple(sorted(values))].append({"b_id": row_id, **{f"b_{k}": v for k, v in values.items()}})
    for columns, params in groups.items():
        conn.execute(
            update(table).where(table.c.id == bindparam("b_id")).values({c: bindparam(f"b_{c}") for c in columns}),
            params,
        )


def next_id(conn: Connection, table) -> int:
    """The id SQLite gives the next row of ``table``, one more than the largest: with the write lock
    held, rows inserted under it and the ids that follow get the ids one INSERT each would give them."""
    return (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1


def insert_numbered(conn: Connection, table, rows: list[dict]) -> list[int]:
    """Insert ``rows`` in one executemany under the ids that follow the largest; their ids, in order."""
    if not rows:
        return []
    first = next_id(conn, table)
    conn.execute(insert(table), [{"id": first + i, **row} for i, row in enumerate(rows)])
    ids_written(conn, table)
    return list(range(first, first + len(rows)))


def insert_rows(conn: Connection, *batches: tuple) -> None:
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
        self._seen: dict = {}
        self.parsed: dict = {}  # the rows' memo of parsed cells (see :class:`Row`)

    def once(self, row: Row, identity, column: str) -> bool:
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
