"""The beneficiaries' questionnaires, as pure rules: the catalogue's questions, the limits, the
check of one answer, the digest that stands for a one-time link, and the French sentence of the
answers gathered for a project, a fiche, a territory or a semester, never told below
:data:`MIN_RESPONSES` answers (to protect the respondents)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from essdash.domain import fmt, rules
from essdash.domain.errors import ValidationError

MIN_RESPONSES = 5  # below, no figure of the answers is shown: a respondent could be recognised
MAX_LINKS = 500  # one-time links a questionnaire may hand out at once
TEXT_LENGTH = 500  # characters of a free answer
SECRET_LENGTH = 64  # a link's secret is at most this long (the application makes 32 characters)
THEMES = {
    "satisfaction": "Satisfaction",
    "acces_emploi": "Accès à l'emploi",
    "qualite_emploi": "Qualité de l'emploi",
    "qualite_vie": "Qualité de vie",
    "bien_etre": "Bien-être",
}
KINDS = {"oui_non": "Oui ou non", "echelle": "Note de 1 à 5", "texte": "Réponse libre"}
YES_NO = {"oui": 1, "non": 0}
_SECRET = re.compile(r"[A-Za-z0-9_-]+")
_CODE = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class Question:
    """One question of the catalogue: its code, theme, kind (:data:`KINDS`) and French wording."""

    code: str
    theme: str
    kind: str
    text: str


@dataclass(frozen=True)
class Item:
    """What the answers to one question say: how many answered, and their share of « oui » (yes/no),
    or their mean and share of 4 and 5 (scale)."""

    question: Question
    answered: int
    value: float  # share of « oui », or the mean score
    high: float | None = None  # share of 4 and 5 (scale only)

    @property
    def shown(self) -> str:
        """« 82 % de oui », « 4,1 sur 5 (76 % de 4 ou 5) »."""
        if self.question.kind == "oui_non":
            return f"{fmt.percent(self.value)} de oui"
        return f"{fmt.number(self.value, 1)} sur 5 ({fmt.percent(self.high or 0)} de 4 ou 5)"


def catalogue(data: object) -> tuple[Question, ...]:
    """The questions of a catalogue file's data (``{"questions": [...]}``), checked: a unique code, a
    known theme and kind, a wording; a ``ValueError`` in French otherwise."""
    rows = data.get("questions") if isinstance(data, Mapping) else None
    if not isinstance(rows, list) or not rows:
        raise ValueError("le catalogue des questions est vide ou mal formé (liste « questions » attendue).")
    questions: list[Question] = []
    for n, row in enumerate(rows, 1):
        if not isinstance(row, Mapping):
            raise ValueError(f"question n° {n} : mal formée.")
        code, theme, kind, text = (str(row.get(key) or "") for key in ("code", "theme", "kind", "text"))
        if not _CODE.fullmatch(code) or code in {q.code for q in questions}:
            raise ValueError(f"question n° {n} : code « {code} » invalide ou en double.")
        if theme not in THEMES or kind not in KINDS or not rules.text(text, max_length=rules.NAME_LENGTH):
            raise ValueError(f"question « {code} » : thème, nature ou libellé invalide.")
        questions.append(Question(code, theme, kind, rules.text(text)))
    return tuple(questions)


def digest(secret: str) -> str:
    """What the base keeps of a link's secret: its SHA-256, in hexadecimal."""
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def valid_secret(secret: object) -> bool:
    """Whether ``secret`` may be a link's secret at all (URL-safe characters, bounded length)."""
    return isinstance(secret, str) and 0 < len(secret) <= SECRET_LENGTH and bool(_SECRET.fullmatch(secret))


def clean_answers(
    questions: tuple[Question, ...], raw: Mapping[str, object]
) -> dict[str, tuple[int | None, str | None]]:
    """The answers to keep, question code → (score, text): « oui »/« non » → 1/0, a note 1 to 5, a short
    text through the rule book; an unanswered question is left out. Unknown questions, values out of
    range, a text too long or with markup, or no answer at all are refused in French."""
    known = {q.code: q for q in questions}
    issues: list[tuple[str, str, str]] = []
    kept: dict[str, tuple[int | None, str | None]] = {}
    for code, value in raw.items():
        question = known.get(code)
        if question is None:
            issues.append(("Questionnaire", str(code)[:40], "cette question ne fait pas partie du questionnaire."))
            continue
        if value is None or value == "":
            continue
        label = fmt.number(list(known).index(code) + 1)
        if question.kind == "oui_non":
            if value not in YES_NO:
                issues.append(("Questionnaire", f"Question {label}", "répondez « oui » ou « non »."))
            else:
                kept[code] = (YES_NO[str(value)], None)
        elif question.kind == "echelle":
            if isinstance(value, bool) or value not in (1, 2, 3, 4, 5):
                issues.append(("Questionnaire", f"Question {label}", "choisissez une note de 1 à 5."))
            else:
                kept[code] = (int(value), None)
        else:
            try:
                text = rules.text(str(value), max_length=TEXT_LENGTH, multiline=True)
            except ValueError as exc:
                issues.append(("Questionnaire", f"Question {label}", str(exc)))
                continue
            if text:
                kept[code] = (None, text)
    if not issues and not kept:
        issues.append(("Questionnaire", "Réponses", "répondez à au moins une question."))
    if issues:
        raise ValidationError(issues)
    return kept


def withheld(responses: int) -> bool:
    """Whether the answers are too few to be shown (fewer than :data:`MIN_RESPONSES`)."""
    return responses < MIN_RESPONSES


def sentence(responses: int, items: list[Item]) -> str:
    """The plain-French sentence of the answers: « 34 réponses ; 82 % de oui à « … » ; … », or, below
    :data:`MIN_RESPONSES`, why nothing is shown."""
    if responses == 0:
        return "Aucune réponse des bénéficiaires."
    if withheld(responses):
        return (
            f"Moins de {MIN_RESPONSES} réponses : les résultats ne sont pas montrés, pour protéger l'anonymat "
            "des personnes qui ont répondu."
        )
    told = [f"{item.shown} à « {item.question.text} »" for item in items if not withheld(item.answered)]
    return " ; ".join([fmt.plural(responses, "réponse"), *told]) + "."
