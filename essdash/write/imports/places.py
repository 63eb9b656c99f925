"""The places a partner's row names: communes by INSEE code, former code or name, and territories by
code or name, each checked against the importing person's scope.

A commune name is found whatever its case, accents, hyphens, spaces and apostrophes, with « St »,
« Ste » for « Saint », « Sainte » and « lès », « les » for « lez »; or by its short form (« Marcq »
for Marcq-en-Barœul) when that names one commune only. An unknown name gets the nearest names as
suggestions.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlmodel import col

from essdash.domain import models as m
from essdash.domain.access import Place, Scope
from essdash.spreadsheet import cells

if TYPE_CHECKING:
    from essdash.write.imports.rows import Row

MEMO_SIZE = 4096  # distinct texts remembered per column and parser (titles, all different, stop there)

_COMMUNE_WORDS = {"st": "saint", "ste": "sainte", "les": "lez"}  # after folding: « St. », « lès »
_LINKS = {"lez", "en", "sur"}  # what joins a commune's name to its place: « Marcq-en-Barœul »


def _commune_words(name: object) -> list[str]:
    """A commune name's words, folded (case, accents, apostrophes, hyphens), abbreviations spelt out."""
    return [_COMMUNE_WORDS.get(w, w) for w in cells.fold(name).split()]


def _commune_key(name: object) -> str:
    """The key a commune name is looked up by: its words run together, so that « Villeneuve d Ascq »,
    « Villeneuve-d'Ascq » and « VILLENEUVE DASCQ » are one key."""
    return "".join(_commune_words(name))


def _short_key(name: object) -> str | None:
    """The key of a name's usual short form, its words before « lez », « en » or « sur »
    (« St André » for Saint-André-lez-Lille); ``None`` if it has no such word."""
    words = _commune_words(name)
    cut = next((i for i, word in enumerate(words) if i and word in _LINKS), None)
    return None if cut is None else "".join(words[:cut])


def _either(names: list[str]) -> str:
    """The names quoted and joined the French way: « A », « B » ou « C »."""
    quoted = [f"« {name} »" for name in names]
    return " ou ".join([", ".join(quoted[:-1]), quoted[-1]] if len(quoted) > 1 else quoted)


def _code_text(cell: object) -> str:
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
        communes = conn.execute(
            select(col(m.Commune.insee_code), col(m.Commune.name), col(m.Commune.territory_code))
        ).all()
        aliases = conn.execute(
            select(col(m.CommuneAlias.alias_code), col(m.CommuneAlias.alias_name), col(m.CommuneAlias.insee_code))
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
        for code, name in conn.execute(select(col(m.Territory.code), col(m.Territory.name))):
            short = re.sub(r"^territoire (de la |des |du |de l )?", "", cells.fold(name))
            self.territories.update({cells.fold(code): code, cells.fold(name): code, short: code})

    def known(self, cell: Any) -> bool:
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

    def _by_name(self, cell: Any) -> tuple[str | None, str]:
        if isinstance(cell, bool):
            raise ValueError(f"« {cell} » n'est pas un nom de commune.")
        shown = _code_text(cell)
        code = self.codes.get(shown) or self._find(cells.text(shown))
        if code:
            self.resolved.setdefault(shown, code)
            return code, ""
        return None, self._suggestion(shown)

    def _named(self, cell: Any) -> tuple[str | None, str, str]:
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
