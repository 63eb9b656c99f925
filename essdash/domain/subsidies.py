"""The rule book of the open-data fields of carriers, funders and fundings (SCDL « Subventions » 2.1.1).

The national format (schema.data.gouv.fr, scdl/subventions 2.1.1; décret 2017-779, arrêté du
17/11/2017) asks for identifiers and convention facts the register did not hold: the SIRET of the
attributing body and of the beneficiary (14 digits, checked by their Luhn key; La Poste's
establishments, SIREN 356 000 000, follow INSEE's own rule: the sum of the digits is a multiple of 5),
the RNA number of an association (``W`` and 9 digits), the convention's date and reference, the nature
of the aid, its payment conditions and dates, the notification to the European Commission, the
beneficiary's share of the subsidy and the aid scheme. Each function takes what a person typed (or a
cell holds) and returns the clean value, or raises ``ValueError`` with a French message; the same
functions serve the forms, the import, the restore's rule book and the export. The facts themselves,
with their labels and rules, are declared in :mod:`essdash.domain.fields` (``FUNDING_FACTS``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from essdash.domain import rules

T = TypeVar("T")

SIRET_LENGTH = 14
LA_POSTE_SIREN = "356000000"
CASH, IN_KIND = "aide en numéraire", "aide en nature"
NATURES = (CASH, IN_KIND, f"{CASH};{IN_KIND}", f"{IN_KIND};{CASH}")
UNIQUE, STAGGERED = "unique", "échelonné"
CONDITIONS_LENGTH = 256  # conditionsVersement and objet: « moins de 256 caractères »
REFERENCE_LENGTH = 100
SCHEME_LENGTH = 200
_GAPS = re.compile(r"[\s\u00a0\u202f.\-]")
_RNA = re.compile(r"W\d{9}")
_DAY = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}")
_LINKS = frozenset({"du", "au", "a", "le", "et"})  # words a period may have around its dates
_ISO_PERIOD = re.compile(r"\d{4}-\d{2}-\d{2}(/\d{4}-\d{2}-\d{2})?")


def luhn(digits: str) -> bool:
    """Whether a string of digits passes the Luhn key (every second digit from the right doubled)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def siret(value: object) -> str:
    """A SIRET: 14 digits (spaces and dots allowed between them), valid by its Luhn key (or, for La
    Poste, by the sum of its digits)."""
    raw = str(int(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)
    digits = _GAPS.sub("", raw.strip())
    if not digits.isdigit() or len(digits) != SIRET_LENGTH:
        raise ValueError(f"« {raw.strip()[:40]} » n'est pas un SIRET : 14 chiffres attendus (SIREN 9 + NIC 5).")
    if digits.startswith(LA_POSTE_SIREN) and digits != LA_POSTE_SIREN + "00048":
        valid = sum(map(int, digits)) % 5 == 0
    else:
        valid = luhn(digits)
    if not valid:
        raise ValueError(f"SIRET « {digits} » invalide : sa clé de contrôle (Luhn) ne correspond pas.")
    return digits


def rna(value: object) -> str:
    """An RNA number (Répertoire national des associations): ``W`` then 9 digits."""
    raw = str(value).strip()
    clean = _GAPS.sub("", raw).upper()
    if not _RNA.fullmatch(clean):
        raise ValueError(f"« {raw[:40]} » n'est pas un numéro RNA : « W » suivi de 9 chiffres attendu (W595012345).")
    return clean


def nature(value: object) -> str:
    """The nature of a subsidy as the format writes it: « aide en numéraire », « aide en nature », or
    both (« numéraire et nature », « les deux » accepted)."""
    folded = rules.fold(value)
    cash, kind = "numeraire" in folded or "argent" in folded, "nature" in folded.replace("numeraire", "")
    if folded in ("les deux", "mixte"):
        return NATURES[2]
    if cash and kind:
        first_cash = folded.find("numeraire") < folded.replace("numeraire", " " * 9).find("nature")
        return NATURES[2] if first_cash else NATURES[3]
    if cash or kind:
        return NATURES[0] if cash else NATURES[1]
    raise ValueError(f"nature « {str(value).strip()[:40]} » inconnue : aide en numéraire, aide en nature, ou les deux.")


def conditions(value: object) -> str:
    """The payment conditions: « unique », « échelonné », or (the format's « autre ») a free text of
    fewer than 256 characters describing them."""
    folded = rules.fold(value)
    if folded in ("unique", "versement unique", "en une fois"):
        return UNIQUE
    if folded in ("echelonne", "echelonnee", "versement echelonne", "en plusieurs fois"):
        return STAGGERED
    clean = rules.text(value, max_length=CONDITIONS_LENGTH - 1)
    if not clean:
        raise ValueError("conditions de versement vides.")
    return clean


def payment_dates(value: object) -> str:
    """A payment date or period, written as the format asks (``2013-03-14`` or
    ``2013-03-14/2014-03-14``): a date, or two dates separated by « / », « - », « au » (French
    dates accepted); the period's end does not precede its start."""
    raw = str(value).strip()
    parts = raw.split("/") if _ISO_PERIOD.fullmatch(raw) else _DAY.findall(raw)
    if not 1 <= len(parts) <= 2 or not set(rules.fold(_DAY.sub(" ", raw)).split()) <= _LINKS:
        raise ValueError(
            f"« {raw[:40]} » n'est pas une date ni une période de versement (jj/mm/aaaa, ou jj/mm/aaaa - jj/mm/aaaa)."
        )
    days = [rules.day(part) for part in parts]
    if len(days) == 2:
        rules.date_order(days[0], days[1])
    return "/".join(f"{d:%Y-%m-%d}" for d in days)


def share(value: object) -> float:
    """The beneficiary's share of the subsidy as a decimal between 0.01 and 1 (« 45 % », « 0,45 »
    and « 45 » read alike; 100 % for a single beneficiary)."""
    number = rules.number(value)
    if rules.unit_of(value) == "%" or number > 1:
        number /= 100
    if not 0.01 <= number <= 1:
        raise ValueError(f"part {rules.shown_number(number)} hors des limites (de 1 % à 100 %).")
    return round(number, 4)


def reference(value: object) -> str:
    """The reference of the decision (a deliberation's number)."""
    return rules.text(value, max_length=REFERENCE_LENGTH)


def scheme(value: object) -> str:
    """The aid scheme or call for projects behind the subsidy (dispositifAide)."""
    return rules.text(value, max_length=SCHEME_LENGTH)


def convention_date(value: object) -> date:
    """The date of the funding convention."""
    return rules.day(value)


def optional(check: Callable[[object], T], value: object) -> T | None:
    """``check(value)``, or ``None`` for an empty value."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return check(value)
