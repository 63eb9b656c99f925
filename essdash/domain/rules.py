"""The rule book of every write: one parser and one check per kind of value, shared by the forms,
the indicator entry, the spreadsheet import and the command line.

Each function takes what a person typed (or a spreadsheet holds, once its cell is read) and
returns the clean value, or raises ``ValueError`` with a French message. French habits are
accepted: « 1 234,50 € », « 45 % », « (200) », « 05/03/2012 ». Text refuses control characters,
bidirectional controls, HTML tags and a leading ``=``, ``+`` or ``@`` (a spreadsheet formula)
unless escaped by an apostrophe, which is also how exports neutralise such text: what a form
accepts exports to a file that imports back unchanged.

Partners' words for a legal form or a step are read by :func:`legal_form` and :func:`step`; a
creation year may be given as a full date (:func:`creation_year`). The lifecycle exception of
imports is :func:`import_status_policy`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

import numpy as np

from essdash.domain import fmt
from essdash.domain.vocabulary import PROJECT_TRANSITIONS, LegalForm, ProjectStatus


@lru_cache(maxsize=65536)
def fold(value: object) -> str:
    """Text reduced for matching: no case, accents, punctuation or units in parentheses."""
    value = re.sub(r"\([^)]*\)", " ", str(value)).replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae")
    value = "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", value).split())


# --- text ----------------------------------------------------------------------------------------

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
REFUSED_STARTS = ("=", "+", "@")
# Characters that reorder or hide text on screen (« Trojan Source »): U+061C, U+200E–U+200F,
# U+202A–U+202E, U+2066–U+2069.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # Unicode category Cc, but tab and line feed
_BIDI = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")
_TAG = re.compile(r"<[a-zA-Z!/?][^<>]*>")

# Longest text of each kind (characters).
NAME_LENGTH = 200  # titles, carriers, funders, meeting titles, sources, a person's name
SHORT_LENGTH = 100  # a role, the kind of a funder
LONG_LENGTH = 5000  # descriptions, meeting notes
COMMENT_LENGTH = 4000  # comments, reasons of a step or an opinion


def plain(value: str, *, tags: bool = False) -> str:
    """``value`` itself if it is plain text: no control character (but tab and line feed), no
    bidirectional control, no HTML tag (unless ``tags``: text the application composes, which may
    quote « Nom <adresse> »); ``ValueError`` in French otherwise. What :func:`text` checks of the
    characters, for text already stored (a restored base)."""
    if _CONTROL.search(value):
        raise ValueError("caractères de contrôle refusés.")
    if _BIDI.search(value):
        raise ValueError("caractères de contrôle du sens d'écriture refusés (ils masquent ou inversent le texte).")
    if not tags and _TAG.search(value):
        raise ValueError("les balises HTML sont refusées (texte brut seulement).")
    return value


def text(value: object, *, max_length: int = NAME_LENGTH, multiline: bool = False) -> str:
    """A text, trimmed (one line: inner spaces collapsed); formulas, HTML tags, control and
    bidirectional characters are refused; a leading apostrophe before a formula sign is removed."""
    value = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    value = plain(value if multiline else " ".join(value.split()))
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


def neutralise(value: str) -> str:
    """Text that no spreadsheet will run as a formula: a leading apostrophe where needed
    (the mirror image of :func:`text`)."""
    return "'" + value if value.lstrip("'")[:1] in FORMULA_TRIGGERS else value


# --- numbers -------------------------------------------------------------------------------------

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def email(value: object) -> str:
    """An e-mail address, trimmed and lower-cased (a member's key, as their OpenID provider gives
    it); ``ValueError`` in French otherwise."""
    clean = text(str(value or ""), max_length=SHORT_LENGTH * 2).lower()
    if not _EMAIL.fullmatch(clean):
        raise ValueError(f"« {clean} » n'est pas une adresse électronique (ex. prenom.nom@lillemetropole.fr).")
    return clean


_SPACES = re.compile(r"[\s\u00a0\u202f\u2007\u2009]")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_UNIT = re.compile(r"(?i)(€|eur|euros|%)$")
_DOTTED_THOUSANDS = re.compile(r"[+-]?\d{1,3}(\.\d{3}){2,}")  # « 1.234.567 »
UNIT_SUFFIXES = {"%": "%", "€": "€", "eur": "€", "euros": "€"}


def _shown(value: object) -> str:
    return value.strftime("%d/%m/%Y") if isinstance(value, date) else str(value)


def number(value: object) -> float:
    """« 1 234,50 € », « 45 % », « (200) », « 1.234,5 », « −4 », 1234.5 → a finite float."""
    if isinstance(value, (bool, date)):
        raise ValueError(f"« {_shown(value)} » n'est pas un nombre.")
    if isinstance(value, (int, float)):
        result = float(value)
    else:
        raw = str(value).strip()
        s = raw.replace("\u2212", "-")
        negative = s.startswith("(") and s.endswith(")")
        s = _UNIT.sub("", s[1:-1] if negative else s).strip()
        s = _SPACES.sub("", s)
        if "," in s and "." in s:
            s = s.replace(".", "").replace(",", ".") if s.rfind(",") > s.rfind(".") else s.replace(",", "")
        elif s.count(",") == 1:
            s = s.replace(",", ".")
        elif _DOTTED_THOUSANDS.fullmatch(s):
            s = s.replace(".", "")
        if not _DECIMAL.fullmatch(s):
            raise ValueError(f"« {raw} » n'est pas un nombre.")
        result = -float(s) if negative else float(s)
    if not math.isfinite(result):
        raise ValueError(f"« {value} » n'est pas un nombre fini.")
    return result


def shown_number(value: float) -> str:
    """A number for a French message, whatever its size: « 1234,5 », « -0,25 », « 1,000e+40 »."""
    if abs(value) >= 1e12:
        return f"{value:.3e}".replace(".", ",")
    return np.format_float_positional(value, trim="-").replace(".", ",")


def integer(value: object) -> int:
    result = number(value)
    if not result.is_integer() or abs(result) > 1e12:
        raise ValueError(f"« {_shown(value)} » n'est pas un nombre entier.")
    return int(result)


def count(value: object) -> int:
    """A whole number, zero or more (jobs, beneficiaries, attendance)."""
    result = integer(value)
    if result < 0:
        raise ValueError(f"nombre négatif refusé ({fmt.number(result)}).")
    return result


def unit_of(raw: object) -> str | None:
    """The unit typed after a number (« 45 % » → ``"%"``, « 1 200 euros » → ``"€"``), if any."""
    if not isinstance(raw, str):
        return None
    match = _UNIT.search(raw.strip().removesuffix(")").strip())
    return UNIT_SUFFIXES[match.group(1).lower()] if match else None


MAX_VALUE = 1e12  # indicator values: beyond, a typing error


# Indicator units whose values are counts (whole numbers, summed over territories), and all the units
# whose metropolitan value is the sum of the territories' (the others: a population-weighted mean).
COUNT_UNITS = frozenset({"emplois", "personnes"})
SUMMED_UNITS = COUNT_UNITS | {"€"}


def indicator_value(raw: object, unit: str) -> float:
    """An indicator value typed in French habits, its unit (if typed) checked against ``unit``; a
    count (jobs, people) must be a whole number."""
    value = number(raw)
    if unit in COUNT_UNITS and value != int(value):
        raise ValueError(f"{shown_number(value)} : un nombre de {unit} est un nombre entier.")
    given = unit_of(raw)
    if given is not None:
        expected = "%" if unit == "%" else "€" if unit.startswith("€") else None
        if given != expected:
            raise ValueError(f"unité « {given} » incompatible avec l'indicateur, exprimé en « {unit} ».")
    if abs(value) > MAX_VALUE:
        raise ValueError(f"valeur invraisemblable ({shown_number(value)}).")
    return value


def check_indicator_bounds(value: float, low: float | None, high: float | None, unit: str) -> None:
    """Refuse a value outside an indicator's admitted interval."""
    if (low is not None and value < low) or (high is not None and value > high):
        if low is None:
            bounds = f"au plus {high:g}"
        elif high is None:
            bounds = f"au moins {low:g}"
        else:
            bounds = f"entre {low:g} et {high:g}"
        raise ValueError(f"{shown_number(value)} hors de l'intervalle admis ({bounds} {unit}).")


# --- dates ---------------------------------------------------------------------------------------

_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")


def day(value: object) -> date:
    """A date: a date, dd/mm/yyyy (or dd-mm-yy, dd.mm.yyyy) or yyyy-mm-dd, between 1900 and 2100."""
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    else:
        raw = str(value).strip()
        if match := _DMY.fullmatch(raw):
            d, m, y = (int(g) for g in match.groups())
            y = y + (2000 if y < 70 else 1900) if len(match.group(3)) == 2 else y
        elif match := _YMD.fullmatch(raw):
            y, m, d = (int(g) for g in match.groups())
        else:
            raise ValueError(f"« {raw} » n'est pas une date (format attendu : jj/mm/aaaa).")
        try:
            result = date(y, m, d)
        except ValueError as exc:
            raise ValueError(f"date impossible : « {raw} ».") from exc
    if not 1900 <= result.year <= 2100:
        raise ValueError(f"date hors des limites : « {result:%d/%m/%Y} ».")
    return result


def optional_day(value: object) -> date | None:
    """A date, or ``None`` for an empty value."""
    return None if value is None or (isinstance(value, str) and not value.strip()) else day(value)


def date_order(start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise ValueError(f"la fin ({end:%d/%m/%Y}) précède le début ({start:%d/%m/%Y}).")


# --- coordinates ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    """The latitudes and longitudes a project's point may take (degrees)."""

    south: float
    west: float
    north: float
    east: float

    @classmethod
    def around(cls, points: list[tuple[float, float]], margin: float) -> Box:
        """The smallest box holding every ``(lat, lon)`` point, widened by ``margin`` degrees."""
        lats, lons = [p[0] for p in points], [p[1] for p in points]
        return cls(min(lats) - margin, min(lons) - margin, max(lats) + margin, max(lons) + margin)


def coordinate(value: object, low: float, high: float) -> float:
    """A latitude or longitude within ``low`` … ``high``."""
    result = number(value)
    if not low <= result <= high:
        raise ValueError(
            f"{shown_number(result)} est hors de la métropole ({shown_number(round(low, 2))} à "
            f"{shown_number(round(high, 2))})."
        )
    return result


def latitude(value: object, box: Box) -> float:
    return coordinate(value, box.south, box.north)


def longitude(value: object, box: Box) -> float:
    return coordinate(value, box.west, box.east)


# --- the lifecycle of imports --------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedStep:
    """The dated event an import records when it sets a project's status."""

    from_status: str | None
    to_status: str
    outside_lifecycle: bool
    comment: str


def import_status_policy(current: str | None, imported: str, file_name: str) -> ImportedStep | None:
    """What an import may do to a project's status, and the event it records.

    A file records history decided elsewhere (a partner's register, a past committee), so an
    import takes the status it gives even where the step-by-step lifecycle of the forms
    (``PROJECT_TRANSITIONS``) would refuse it:

    - a new project (``current`` is ``None``) enters at the file's status, dated its proposal;
    - an existing project takes the file's status; when that is not one of the lifecycle's next
      steps the event says so, and the preview warns (``outside_lifecycle``).

    Returns ``None`` when the status does not change.
    """
    target = ProjectStatus(imported)
    if current is None:
        return ImportedStep(None, target.value, False, f"Importé du fichier « {file_name} ».")
    if current == target.value:
        return None
    now = ProjectStatus(current)
    outside = target not in PROJECT_TRANSITIONS[now]
    comment = f"Étape mise à jour par l'import du fichier « {file_name} »."
    if outside:
        comment += f" Passage de « {now.label} » à « {target.label} » hors des étapes prévues par le suivi."
    return ImportedStep(now.value, target.value, outside, comment)


# --- partners' words ----------------------------------------------------------------------------

# Legal forms as partners write them, tried in this order on the folded text (« SAS ESUS » is an
# ESUS, « association intermédiaire » a structure d'insertion before it is an association).
_LEGAL_FORM_WORDS = (
    (r"\besus\b|solidaire d utilite sociale", LegalForm.ESUS),
    (r"\bscic\b|cooperative d interet collectif", LegalForm.SCIC),
    (r"\bscop\b|cooperative (ouvriere de production|et participative)", LegalForm.SCOP),
    (r"\bcae\b|cooperative d activites? et d emploi", LegalForm.CAE),
    (r"insertion|\baci\b|\betti\b|\bsiae\b|\bgeiq\b|association intermediaire", LegalForm.SIAE),
    (r"\bmutuelle", LegalForm.MUTUAL),
    (r"\bfondation\b", LegalForm.FOUNDATION),
    (r"\bassociation\b|\basso\b|loi (de )?1901|loi (de )?1908", LegalForm.ASSOCIATION),
    (
        r"collectivite|\bcommune\b|\bepci\b|\bccas\b|etablissement public|\bmairie\b|\bmetropole\b",
        LegalForm.PUBLIC_BODY,
    ),
)


def legal_form(value: object) -> tuple[str, str | None]:
    """A legal form as a partner writes it: its code, and the partner's own words when it is read as
    « autre » (« Association loi 1901 » → ``("association", None)``, « SARL » → ``("autre", "SARL")``)."""
    shown = text(value, max_length=SHORT_LENGTH)
    folded = fold(shown)
    if not folded:
        raise ValueError(f"« {shown} » n'est pas une forme juridique.")
    for member in LegalForm:
        if folded in (fold(member.value), fold(member.label)):
            return member.value, None
    for pattern, member in _LEGAL_FORM_WORDS:
        if re.search(pattern, folded):
            return member.value, None
    return LegalForm.OTHER.value, shown


def _stem(folded: str) -> str:
    """Words without their feminine or plural endings (« terminées » → « termine »)."""
    return " ".join(
        w.rstrip("s").removesuffix("e") if w.endswith(("ee", "ees")) else w.rstrip("s") for w in folded.split()
    )


_STEP_WORDS = {
    ProjectStatus.PROPOSED: (
        "depose",
        "en instruction",
        "a l etude",
        "nouveau",
        "demande",
        "candidature",
        "en attente",
    ),
    ProjectStatus.RETURNED: ("a completer", "incomplet", "renvoye"),
    ProjectStatus.VALIDATED: ("valide", "recevable", "instruit", "ajourne"),
    ProjectStatus.RETAINED: ("accepte", "accorde", "retenu", "favorable", "avis favorable", "finance", "laureat"),
    ProjectStatus.REFUSED: ("refuse", "rejete", "defavorable", "avis defavorable", "non retenu"),
    ProjectStatus.IN_PROGRESS: ("en cours", "demarre", "engage", "en realisation", "actif"),
    ProjectStatus.DONE: ("termine", "realise", "acheve", "clos", "cloture", "fini", "solde"),
    ProjectStatus.ABANDONED: ("abandonne", "annule", "arrete", "stoppe"),
}
_STEPS: dict[str, str] = {
    _stem(fold(word)): member.value
    for member in ProjectStatus
    for word in (member.value.replace("_", " "), member.label, *_STEP_WORDS[member])
}


def step(value: object) -> str:
    """A project's step as partners write it: « en cours », « terminée », « accepté », « refusé »,
    « abandonné »… or the label of the lifecycle."""
    shown = text(value)
    found = _STEPS.get(_stem(fold(shown)))
    if found is None:
        allowed = ", ".join(member.label for member in ProjectStatus)
        raise ValueError(f"« {shown} » n'est pas une étape connue (valeurs admises : {allowed}, ou « terminé », …).")
    return found


def creation_year(value: object, today: date) -> int:
    """A year of creation, given as a year (« 2007 ») or a full date (« 15/03/2007 »)."""
    if isinstance(value, (date, datetime)):
        result = value.year
    else:
        try:
            result = integer(value)
        except ValueError:
            try:
                result = day(value).year
            except ValueError:
                raise ValueError(f"« {_shown(value)} » n'est ni une année ni une date.") from None
    if not 1800 <= result <= today.year:
        raise ValueError(f"année {result} invalide (entre 1800 et {today.year}).")
    return result
