"""Reading of an action plan's file (YAML or XLSX) into checked data, before anything is written.

A plan comes as YAML in the shape of ``data/plan.yaml`` (``plan:`` code, title, dates, source;
``axes:`` → ``fiches:`` → ``actions:`` and ``children:``), or as an XLSX workbook with one row per
fiche or per action (columns axe, fiche, titre de la fiche, action, pilote, début, fin …) whose
plan-wide facts (code, title, dates, source) are given beside the file. The whole plan is checked
before anything is written (:func:`read_plan`), and every problem is reported in French; nothing
here touches the database. What a reading may cost is bounded first: the file's size
(:data:`essdash.domain.limits.PLAN_BYTES`), the number of fiches, and in YAML the nesting, anchors
and aliases (:mod:`essdash.write.plans.safe_yaml`). :mod:`essdash.write.plans` writes an accepted plan,
and :mod:`essdash.write.plans.carry_over` reads its correspondence file with the same :class:`Issues`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from essdash.domain import fmt, limits, rules
from essdash.domain.errors import ImportFileError, ValidationError
from essdash.spreadsheet import cells
from essdash.spreadsheet.files import read_table
from essdash.store.plan import ActionRef, AxisRef, PlanRef, SheetRef
from essdash.write.plans import safe_yaml as plan_yaml

DEFAULT_PILOT = "Lille Métropole – mission ESS"
CODE_LENGTH = 40
T = TypeVar("T")
PLAN = "Plan"  # the place of a problem of the whole plan, in the French report
# The XLSX columns, by their folded header (:func:`essdash.domain.rules.fold`).
COLUMNS = {
    "axe": "axis",
    "titre de l axe": "axis_title",
    "fiche": "sheet",
    "titre de la fiche": "title",
    "resume": "summary",
    "fiche parente": "parent",
    "action": "action",
    "texte de l action": "action_text",
    "pilote": "pilot",
    "debut": "start",
    "fin": "end",
}
REQUIRED_COLUMNS = ("axis", "sheet", "title")
MAX_SHEETS = 1000  # fiches in one plan (the 2011-2014 plan has 25)


@dataclass(frozen=True)
class PlanFacts:
    """The plan-wide facts of an XLSX plan, given beside the file (the command's options)."""

    code: str = ""
    title: str = ""
    start: str | date = ""
    end: str | date = ""
    source: str = ""
    motto: str = ""
    adopted_on: str | date = ""
    fictional: bool = False


class Issues(list[Any]):
    """The problems found, as ``(place, column, message)``; a value that fails is ``None``.

    Each reader returns the checked value of one cell and records what is wrong with it; the plan
    file and the carry-over's correspondence file share them."""

    def text(self, place: str, column: str, value: object, *, required: bool = True, multiline: bool = False) -> str:
        """The cell as checked text (a name, or a long text if ``multiline``); ``""`` if blank or wrong."""
        if cells.is_blank(value):
            if required:
                self.append((place, column, "valeur manquante."))
            return ""
        try:
            return cells.text(
                value, max_length=rules.LONG_LENGTH if multiline else rules.NAME_LENGTH, multiline=multiline
            )
        except ValueError as exc:
            self.append((place, column, str(exc)))
            return ""

    def code(self, place: str, column: str, value: object) -> str:
        """The cell as a code: text without a space, :data:`CODE_LENGTH` characters at most."""
        code = self.text(place, column, value)
        if code and (len(code) > CODE_LENGTH or " " in code):
            self.append((place, column, f"code « {code} » : sans espace, {CODE_LENGTH} caractères au plus."))
            return ""
        return code

    def day(self, place: str, column: str, value: object, *, required: bool = True) -> date | None:
        """The cell as a date (French formats); ``None`` if blank or wrong."""
        if cells.is_blank(value):
            if required:
                self.append((place, column, "date manquante."))
            return None
        try:
            return cells.day(value)
        except ValueError as exc:
            self.append((place, column, str(exc)))
            return None

    def span(self, place: str, start: date | None, end: date | None) -> None:
        """Record an end that comes before its start."""
        if start and end and end < start:
            self.append((place, "Fin", f"la fin ({end:%d/%m/%Y}) précède le début ({start:%d/%m/%Y})."))


def _plan_ref(issues: Issues, facts: dict[str, Any], axes: tuple[AxisRef, ...]) -> PlanRef | None:
    code = issues.code(PLAN, "Code", facts.get("code"))
    title = issues.text(PLAN, "Titre", facts.get("title"))
    source = issues.text(PLAN, "Source", facts.get("source"))
    start = issues.day(PLAN, "Début", facts.get("start"))
    end = issues.day(PLAN, "Fin", facts.get("end"))
    adopted = issues.day(PLAN, "Adopté le", facts.get("adopted_on"), required=False) or start
    motto = issues.text(PLAN, "Devise", facts.get("motto"), required=False)
    issues.span(PLAN, start, end)
    if not axes:
        issues.append((PLAN, "Axes", "le plan n'a aucun axe."))
    if issues or start is None or end is None or adopted is None:
        return None
    return PlanRef(
        code=code,
        title=title,
        motto=motto,
        adopted_on=adopted,
        start=start,
        end=end,
        axes=axes,
        intervention_modes=(),
        governance_bodies=(),
        source=source,
        fictional=bool(facts.get("fictional")),
    )


def _too_many_sheets(name: str) -> ImportFileError:
    return ImportFileError(
        f"Le fichier « {name} » décrit plus de {fmt.number(MAX_SHEETS)} fiches : ce n'est pas un plan."
    )


def _check_codes(issues: Issues, plan: PlanRef) -> None:
    axes = Counter(axis.code for axis in plan.axes)
    issues.extend((PLAN, "Axe", f"axe « {c} » en double.") for c in sorted(c for c, n in axes.items() if n > 1))
    sheets = Counter(sheet.code for _, sheet, _ in plan.all_sheets())
    issues.extend(
        (PLAN, "Fiche", f"fiche « {c} » en double : un code de fiche est unique dans son plan.")
        for c in sorted(c for c, n in sheets.items() if n > 1)
    )
    for _, sheet, _ in plan.all_sheets():
        start, end = sheet.start or plan.start, sheet.end or plan.end
        issues.span(f"Fiche {sheet.code}", start, end)


# --- YAML ----------------------------------------------------------------------------------------


def _yaml_sheet(issues: Issues, raw: object, where: str, depth: int = 0) -> SheetRef | None:
    if not isinstance(raw, dict):
        issues.append((where, "Fiche", "une fiche s'écrit comme un dictionnaire (code, title …)."))
        return None
    code = issues.code(where, "Code", raw.get("code"))
    place = f"Fiche {code}" if code else where
    actions = []
    for i, action in enumerate(raw.get("actions") or ()):
        if not isinstance(action, dict):
            issues.append((place, "Actions", f"l'action n° {i + 1} s'écrit comme un dictionnaire (title, text)."))
            continue
        actions.append(
            ActionRef(
                issues.text(place, f"Action n° {i + 1}", action.get("title")),
                issues.text(place, f"Action n° {i + 1}", action.get("text"), required=False, multiline=True),
            )
        )
    children = raw.get("children") or ()
    if children and depth:
        issues.append((place, "Sous-fiches", "une sous-fiche ne peut pas avoir elle-même de sous-fiches."))
    kids = [_yaml_sheet(issues, child, f"{place}, sous-fiche", depth + 1) for child in children]
    return SheetRef(
        code=code,
        title=issues.text(place, "Titre", raw.get("title")),
        summary=issues.text(place, "Résumé", raw.get("summary"), required=False, multiline=True),
        pilot=issues.text(place, "Pilote", raw.get("pilot"), required=False) or DEFAULT_PILOT,
        actions=tuple(actions),
        children=tuple(k for k in kids if k is not None),
        start=issues.day(place, "Début", raw.get("start"), required=False),
        end=issues.day(place, "Fin", raw.get("end"), required=False),
    )


def _count_sheets(raw: dict[str, Any]) -> int:
    """The fiches a YAML plan declares, sub-fiches included."""
    count, todo = 0, [axis.get("fiches") for axis in raw.get("axes") or () if isinstance(axis, dict)]
    while todo:
        items = todo.pop()
        if isinstance(items, list):
            count += len(items)
            todo.extend(item.get("children") for item in items if isinstance(item, dict))
    return count


def _from_yaml(data: bytes, name: str) -> PlanRef:
    raw = plan_yaml.load(data, name)
    if not isinstance(raw, dict) or not isinstance(raw.get("plan"), dict):
        raise ImportFileError(f"Le fichier « {name} » n'a pas de section « plan: » (code, title, start, end, source).")
    if _count_sheets(raw) > MAX_SHEETS:
        raise _too_many_sheets(name)
    issues = Issues()
    axes = []
    for i, axis in enumerate(raw.get("axes") or ()):
        if not isinstance(axis, dict):
            issues.append((f"Axe n° {i + 1}", "Axe", "un axe s'écrit comme un dictionnaire (code, title, fiches)."))
            continue
        code = issues.code(f"Axe n° {i + 1}", "Code", axis.get("code"))
        place = f"Axe {code or i + 1}"
        sheets = [_yaml_sheet(issues, s, f"{place}, fiche n° {j + 1}") for j, s in enumerate(axis.get("fiches") or ())]
        if not sheets:
            issues.append((place, "Fiches", "l'axe n'a aucune fiche."))
        axes.append(
            AxisRef(
                code,
                issues.text(place, "Titre", axis.get("title")),
                issues.text(place, "Résumé", axis.get("summary"), required=False, multiline=True),
                tuple(s for s in sheets if s is not None),
            )
        )
    plan = _plan_ref(issues, raw["plan"], tuple(axes))
    return _checked(issues, plan)


# --- XLSX ----------------------------------------------------------------------------------------


@dataclass
class _Sheet:
    axis: str
    code: str
    title: str = ""
    summary: str = ""
    parent: str = ""
    pilot: str = ""
    start: date | None = None
    end: date | None = None
    row: int = 0


def _same(issues: Issues, place: str, column: str, old: T, new: T) -> T:
    """A fiche's fact given on several rows must agree; the first given wins."""
    if old and new and old != new:
        issues.append((place, column, f"« {new} » contredit « {old} » donné plus haut."))
    return old or new


def _from_xlsx(data: bytes, name: str, facts: PlanFacts) -> PlanRef:
    table = read_table(data, name)
    header, *rows = table.rows
    columns = {COLUMNS[rules.fold(h)]: i for i, h in enumerate(header[1]) if rules.fold(h) in COLUMNS}
    missing = [h for h, key in COLUMNS.items() if key in REQUIRED_COLUMNS and key not in columns]
    if missing:
        raise ImportFileError(
            f"Le fichier « {name} » n'a pas les colonnes attendues ({', '.join(missing)}) ; "
            f"colonnes reconnues : {', '.join(COLUMNS)}."
        )
    issues = Issues()
    axes: dict[str, str] = {}
    sheets: dict[str, _Sheet] = {}
    actions: dict[str, list[ActionRef]] = {}
    for number, row in rows:
        cell = dict.fromkeys(COLUMNS.values()) | {k: row[i] if i < len(row) else None for k, i in columns.items()}
        place = f"Ligne {number}"
        axis, code = issues.code(place, "Axe", cell["axis"]), issues.code(place, "Fiche", cell["sheet"])
        if not axis or not code:
            continue
        axes[axis] = _same(
            issues,
            place,
            "Titre de l'axe",
            axes.get(axis, ""),
            issues.text(place, "Titre de l'axe", cell["axis_title"], required=False),
        )
        if code not in sheets and len(sheets) >= MAX_SHEETS:
            raise _too_many_sheets(name)
        sheet = sheets.setdefault(code, _Sheet(axis, code, row=number))
        if sheet.axis != axis:
            issues.append((place, "Axe", f"la fiche « {code} » est rangée sous l'axe « {sheet.axis} » plus haut."))
        sheet.title = _same(
            issues,
            place,
            "Titre de la fiche",
            sheet.title,
            issues.text(place, "Titre de la fiche", cell["title"], required=False),
        )
        sheet.summary = sheet.summary or issues.text(place, "Résumé", cell["summary"], required=False, multiline=True)
        sheet.parent = _same(
            issues,
            place,
            "Fiche parente",
            sheet.parent,
            issues.code(place, "Fiche parente", cell["parent"]) if not cells.is_blank(cell["parent"]) else "",
        )
        sheet.pilot = _same(
            issues, place, "Pilote", sheet.pilot, issues.text(place, "Pilote", cell["pilot"], required=False)
        )
        sheet.start = _same(
            issues, place, "Début", sheet.start, issues.day(place, "Début", cell["start"], required=False)
        )
        sheet.end = _same(issues, place, "Fin", sheet.end, issues.day(place, "Fin", cell["end"], required=False))
        action = issues.text(place, "Action", cell["action"], required=False)
        if action:
            text = issues.text(place, "Texte de l'action", cell["action_text"], required=False, multiline=True)
            actions.setdefault(code, []).append(ActionRef(action, text))
    for sheet in sheets.values():
        if not sheet.title:
            issues.append((f"Ligne {sheet.row}", "Titre de la fiche", f"la fiche « {sheet.code} » n'a pas de titre."))
        parent = sheets.get(sheet.parent)
        if sheet.parent and (parent is None or parent.parent or parent.axis != sheet.axis):
            issues.append(
                (
                    f"Ligne {sheet.row}",
                    "Fiche parente",
                    f"« {sheet.parent} » n'est pas une fiche de premier niveau du même axe.",
                )
            )

    children: dict[str, list[_Sheet]] = {}
    for sheet in sheets.values():
        children.setdefault(sheet.parent, []).append(sheet)

    def ref(sheet: _Sheet, top: bool = True) -> SheetRef:
        """The fiche, and its sub-fiches if it is a first-level one (deeper ones are refused above)."""
        return SheetRef(
            code=sheet.code,
            title=sheet.title,
            summary=sheet.summary,
            pilot=sheet.pilot or DEFAULT_PILOT,
            actions=tuple(actions.get(sheet.code, ())),
            children=tuple(ref(s, False) for s in children.get(sheet.code, ())) if top else (),
            start=sheet.start,
            end=sheet.end,
        )

    tree = tuple(
        AxisRef(axis, title or f"Axe {axis}", "", tuple(ref(s) for s in children.get("", ()) if s.axis == axis))
        for axis, title in axes.items()
    )
    plan = _plan_ref(issues, facts.__dict__, tree)
    return _checked(issues, plan)


def _checked(issues: Issues, plan: PlanRef | None) -> PlanRef:
    if plan is not None:
        _check_codes(issues, plan)
    if issues or plan is None:
        raise ValidationError(list(issues))
    return plan


def read_plan(data: bytes, file_name: str, facts: PlanFacts | None = None) -> PlanRef:
    """The plan of a YAML or XLSX file, checked whole: :class:`ValidationError` lists every problem,
    :class:`ImportFileError` says why the file cannot be read at all."""
    if len(data) > limits.PLAN_BYTES:
        raise ImportFileError(
            f"Le fichier « {file_name} » est trop volumineux pour un plan d'actions ({fmt.number(len(data) / 1024, 1)} "
            f"Kio) : {limits.PLAN_KIB} Kio au plus."
        )
    if data.startswith(b"PK\x03\x04"):
        return _from_xlsx(data, file_name, facts or PlanFacts())
    if facts is not None and facts != PlanFacts():
        raise ImportFileError("Les code, titre, dates et source d'un plan YAML sont dans sa section « plan: ».")
    return _from_yaml(data, file_name)
