"""The rule book applied to the rows of a base being restored, on either store.

A backup is a file anyone holding one can edit: its rows must pass what every write passes before
they replace the live ones (:mod:`essdash.domain.rules`): the column's type (SQLite keeps whatever
a file holds, « pas une date » in a date column included), dates between 1900 and 2100, finite
numbers, amounts and indicator values within their bounds, counts not negative, coordinates in the
metropolis's box, semesters written ``2012-S1``, e-mail addresses, and plain text (no control or
bidirectional character, no HTML tag, a bounded length).

:func:`check_rows` is the entry point: the rows of one table, as SQLite stores them (text, numbers)
or as PostgreSQL's driver reads them (dates, datetimes); the first value that breaks a rule is
refused with a French message naming the table, the row (its key) and the column.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from functools import lru_cache

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, Table

from essdash.domain import field_kinds, fields, mailing, periods, rules, subsidies, voices
from essdash.domain.errors import BackupError
from essdash.store import reference

MAX_INTEGER = 2**31 - 1  # PostgreSQL's INTEGER: what both stores can hold alike
MAX_AMOUNT = 1e10  # euros, as the import's bound
MAX_TEXT = 100_000  # any other text (an import's mapping, a definition): a bound on runaway text
LENGTHS = {
    ("project", "title"): rules.NAME_LENGTH,
    ("project", "description"): rules.LONG_LENGTH,
    ("organisation", "name"): rules.NAME_LENGTH,
    ("funder", "name"): rules.NAME_LENGTH,
    ("funder", "kind"): rules.SHORT_LENGTH,
    ("meeting", "title"): rules.NAME_LENGTH,
    ("meeting", "notes"): rules.LONG_LENGTH,
    ("comment", "text"): rules.COMMENT_LENGTH,
    ("opinion", "comment"): rules.COMMENT_LENGTH,
    ("projectevent", "comment"): rules.COMMENT_LENGTH,
    ("actionsheethistory", "comment"): rules.COMMENT_LENGTH,
    ("member", "name"): rules.NAME_LENGTH,
    ("semesterapprovalstep", "reason"): rules.COMMENT_LENGTH,
    ("planincident", "what"): rules.COMMENT_LENGTH,
    ("planincident", "change"): rules.COMMENT_LENGTH,
    ("mailsend", "name"): rules.NAME_LENGTH,
    ("mailsend", "place"): mailing.PLACE_LENGTH,
    ("mailsend", "error"): mailing.ERROR_LENGTH,
    ("questionnaire", "title"): rules.NAME_LENGTH,
    ("voiceanswer", "text"): voices.TEXT_LENGTH,
}
# Text the application composes itself (the journal quotes a member as « Nom <adresse> »): control
# and bidirectional characters are refused there too, angle brackets are not (shown escaped, as all text).
COMPOSED = {("journal", "summary"), *(("mailsend", name) for name in ("error", "subject", "attachment"))}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?")


@lru_cache(maxsize=1)
def _integer(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"« {_shown(value)} » n'est pas un nombre entier.")
    if abs(value) > MAX_INTEGER:
        raise ValueError(f"entier hors des limites ({value}).")
    return value


def _float(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"« {_shown(value)} » n'est pas un nombre.")
    if not math.isfinite(value):
        raise ValueError(f"« {value} » n'est pas un nombre fini.")
    return float(value)


def _boolean(value) -> bool:
    if isinstance(value, bool) or (value in (0, 1) and isinstance(value, int)):
        return bool(value)
    raise ValueError(f"« {_shown(value)} » n'est ni vrai ni faux.")


def _date(value) -> date:
    if isinstance(value, str) and _DATE.fullmatch(value):
        value = date.fromisoformat(value)
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(f"« {_shown(value)} » n'est pas une date.")
    return rules.day(value)


def _datetime(value) -> datetime:
    if isinstance(value, str) and _DATETIME.fullmatch(value):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise ValueError(f"« {_shown(value)} » n'est pas une date et une heure.")
    rules.day(value)
    return value


def _text(max_length: int, *, composed: bool = False) -> Callable:
    def check(value) -> str:
        if not isinstance(value, str):
            raise ValueError(f"« {_shown(value)} » n'est pas un texte.")
        if len(value) > max_length:
            raise ValueError(f"texte trop long ({len(value)} caractères, {max_length} au plus).")
        return rules.plain(value, tags=composed)

    return check


def _amount(value: float) -> None:
    if not 0 <= value <= MAX_AMOUNT:
        raise ValueError(f"montant invraisemblable ({rules.shown_number(value)} €).")


def _indicator_value(value: float) -> None:
    if abs(value) > rules.MAX_VALUE:
        raise ValueError(f"valeur invraisemblable ({rules.shown_number(value)}).")


def _year(value: int) -> None:
    if not 1900 <= value <= 2100:
        raise ValueError(f"année {value} hors des limites (1900 à 2100).")


def _email(value: str) -> None:
    if rules.email(value) != value:
        raise ValueError(f"« {_shown(value)} » n'est pas écrite comme une adresse enregistrée (minuscules).")


def _coordinate(value: float) -> None:
    """A latitude or a longitude within the metropolis's box; either may hold the other's value (a
    swapped pair, a classic entry error that the demo keeps and the map reports, is restored as saved)."""
    box = reference.metropolis_box()
    try:
        rules.latitude(value, box)
    except ValueError:
        rules.longitude(value, box)


_COUNT = rules.count
# Rules of single columns, after their type's.
SPECIFIC: dict[tuple[str, str], Callable] = {
    ("funding", "amount"): _amount,
    ("funding", "year"): _year,
    ("organisation", "created_year"): lambda value: rules.creation_year(value, date.today()),
    ("measurement", "value"): _indicator_value,
    ("target", "value"): _indicator_value,
    ("measurement", "period"): periods.parse,
    ("target", "period"): periods.parse,
    ("semesterapproval", "period"): periods.parse,
    ("semesterapprovalstep", "period"): periods.parse,
    ("voiceresponse", "period"): periods.parse,
    ("member", "email"): _email,
    ("mailsend", "address"): _email,
    **{("mailsend", name): _COUNT for name in ("send_no", "tries")},
    **{("project", f.key): _COUNT for f in fields.PROJECTS.stored() if f.type is field_kinds.FieldType.COUNT},
    **{("importbatch", name): _COUNT for name in ("rows_inserted", "rows_updated", "rows_unchanged")},
    ("meeting", "attendance"): _COUNT,
    **{(table, "siret"): subsidies.siret for table in ("organisation", "funder")},
    ("organisation", "rna"): subsidies.rna,
    # The open-data facts of a funding with a rule of their own (a date is its type's to check).
    **{
        ("funding", key): rule
        for key in fields.FUNDING_FACTS
        if (rule := fields.FUNDINGS[key].rule) is not None
        and fields.FUNDINGS[key].type is not field_kinds.FieldType.DATE
    },
    ("commune", "population"): _COUNT,
    **{(table, name): _coordinate for table in ("project", "commune") for name in ("lat", "lon")},
}


def _shown(value) -> str:
    """A value for a message: short, and only harmless characters (it may come from a hostile file)."""
    return re.sub(r"[^\w .,:/'+-]", "?", str(value)[:40])


def column_rules(table: Table) -> list[Callable]:
    """One check per column of ``table`` (in its order): the type's, then the column's own."""
    checks = []
    for column in table.columns:
        kind = column.type
        typed = (
            _boolean
            if isinstance(kind, Boolean)
            else _integer
            if isinstance(kind, Integer)
            else _float
            if isinstance(kind, Float)
            else _datetime
            if isinstance(kind, DateTime)
            else _date
            if isinstance(kind, Date)
            else _text(LENGTHS.get((table.name, column.name), MAX_TEXT), composed=(table.name, column.name) in COMPOSED)
        )
        checks.append(_chain(typed, SPECIFIC.get((table.name, column.name)), column.nullable))
    return checks


def _chain(typed: Callable, specific: Callable | None, nullable: bool | None) -> Callable:
    def check(value) -> None:
        if value is None:
            if not nullable:
                raise ValueError("valeur manquante.")
            return
        clean = typed(value)
        if specific is not None:
            specific(clean)

    return check


def check_rows(table: Table, rows: Iterable[Sequence], label: str) -> int:
    """Check every row of ``table`` (tuples in the order of its columns) against the rule book;
    returns how many were read. ``BackupError`` in French at the first value refused."""
    checks = column_rules(table)
    names = [column.name for column in table.columns]
    keys = [names.index(column.name) for column in table.primary_key.columns]
    read = 0
    for row in rows:
        read += 1
        for check, name, value in zip(checks, names, row, strict=True):
            try:
                check(value)
            except ValueError as exc:
                key = ", ".join(f"{names[i]} {_shown(row[i])}" for i in keys)
                raise BackupError(
                    f"« {label} » : table « {table.name} », ligne {key}, colonne « {name} » : {exc} "
                    "Rien n'a été restauré, la base n'a pas été modifiée."
                ) from exc
    return read
