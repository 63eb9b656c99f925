"""The 2011–2014 action plan and the indicator catalogue, read from ``data/*.yaml``.

``data/plan.yaml`` encodes the plan's text (axes → fiches → actions, the intervention modes,
the governance bodies); ``data/indicators.yaml`` the evaluation indicators. Both are checked on
load and raise :class:`ReferenceDataError` with a French message when malformed.
:func:`insert_plan` writes a plan (this one, or one a user imports) into a base.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import insert
from sqlalchemy.engine import Connection

from essdash.domain import models as m
from essdash.domain.errors import ReferenceDataError
from essdash.store.config import DATA_DIR
from essdash.store.sql import new_id

SHEET_CODE = re.compile(r"^(I|II|III)\.\d{1,2}$")
INDICATOR_KEYS = (
    "code",
    "label",
    "category",
    "unit",
    "direction",
    "level",
    "kind",
    "formula",
    "min",
    "max",
    "definition",
    "source",
    "plan_reference",
)


@dataclass(frozen=True)
class ActionRef:
    title: str
    text: str


@dataclass(frozen=True)
class SheetRef:
    code: str
    title: str
    summary: str
    pilot: str
    actions: tuple[ActionRef, ...]
    children: tuple[SheetRef, ...] = ()
    start: date | None = None  # the plan's own dates when unset
    end: date | None = None


@dataclass(frozen=True)
class AxisRef:
    code: str
    title: str
    summary: str
    sheets: tuple[SheetRef, ...]


@dataclass(frozen=True)
class PlanRef:
    code: str
    title: str
    motto: str
    adopted_on: date
    start: date
    end: date
    axes: tuple[AxisRef, ...]
    intervention_modes: tuple[dict, ...]
    governance_bodies: tuple[dict, ...]
    evaluation: dict = field(default_factory=dict)
    source: str = ""
    fictional: bool = False

    def all_sheets(self) -> list[tuple[AxisRef, SheetRef, SheetRef | None]]:
        """Every fiche as ``(axis, sheet, parent)``, parents before their children."""
        out: list[tuple[AxisRef, SheetRef, SheetRef | None]] = []
        for axis in self.axes:
            for sheet in axis.sheets:
                out.append((axis, sheet, None))
                out.extend((axis, child, sheet) for child in sheet.children)
        return out


# The same safe loader, in C when PyYAML was built with libyaml (ten times faster on the plan).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(path: Path) -> dict:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ReferenceDataError(f"Fichier du plan illisible : {path.name} ({exc}).") from exc
    if not isinstance(data, dict):
        raise ReferenceDataError(f"Fichier du plan invalide : {path.name} n'est pas un dictionnaire YAML.")
    return data


def _date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _sheet(raw: dict) -> SheetRef:
    return SheetRef(
        code=str(raw["code"]).strip(),
        title=str(raw["title"]).strip(),
        summary=str(raw.get("summary") or "").strip(),
        pilot=str(raw.get("pilot") or "Lille Métropole – mission ESS").strip(),
        actions=tuple(
            ActionRef(str(a["title"]).strip(), str(a.get("text") or "").strip()) for a in raw.get("actions") or ()
        ),
        children=tuple(_sheet(child) for child in raw.get("children") or ()),
    )


@lru_cache(maxsize=2)
def load_plan(data_dir: Path = DATA_DIR) -> PlanRef:
    path = data_dir / "plan.yaml"
    raw = _load_yaml(path)
    try:
        meta = raw["plan"]
        plan = PlanRef(
            code=meta["code"],
            title=meta["title"],
            motto=meta.get("motto", ""),
            adopted_on=_date(meta["adopted_on"]),
            start=_date(meta["start"]),
            end=_date(meta["end"]),
            axes=tuple(
                AxisRef(
                    str(a["code"]),
                    a["title"].strip(),
                    str(a.get("summary") or "").strip(),
                    tuple(_sheet(s) for s in a["fiches"]),
                )
                for a in raw["axes"]
            ),
            intervention_modes=tuple(raw["intervention_modes"]),
            governance_bodies=tuple(raw["governance_bodies"]),
            evaluation=raw.get("evaluation") or {},
            source=str(meta.get("source") or ""),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ReferenceDataError(
            f"Fichier du plan invalide : {path.name}, clé manquante ou mal formée ({exc})."
        ) from exc
    codes = [sheet.code for _, sheet, _ in plan.all_sheets()]
    bad = [c for c in codes if not SHEET_CODE.match(c)]
    if bad or len(set(codes)) != len(codes) or not all(s.title for _, s, _ in plan.all_sheets()):
        raise ReferenceDataError(
            f"Fichier du plan invalide : {path.name}, codes de fiche incorrects ou en double "
            f"({', '.join(bad) or 'doublon'})."
        )
    return plan


@lru_cache(maxsize=2)
def load_indicators(data_dir: Path = DATA_DIR) -> tuple[dict, ...]:
    path = data_dir / "indicators.yaml"
    items = _load_yaml(path).get("indicators")
    if not isinstance(items, list) or not items:
        raise ReferenceDataError(f"Catalogue d'indicateurs invalide : {path.name} ne contient aucun indicateur.")
    codes = set()
    for item in items:
        missing = [k for k in INDICATOR_KEYS if k not in item]
        if (
            missing
            or item["code"] in codes
            or item["direction"] not in ("up", "down")
            or item["kind"] not in ("entered", "computed")
        ):
            raise ReferenceDataError(
                f"Catalogue d'indicateurs invalide : {path.name}, indicateur « {item.get('code')} » "
                f"incomplet ou en double (clés manquantes : {', '.join(missing) or 'aucune'})."
            )
        codes.add(item["code"])
    return tuple(items)


def insert_plan(conn: Connection, plan: PlanRef, *, provenance: bool = True) -> tuple[int, int]:
    """Write a plan with its axes, fiches (a fiche without dates of its own gets the plan's) and actions;
    the numbers of fiches and actions written. Without ``provenance``, the plan's ``source`` and
    ``fictional`` columns are left out (the first schema, which tests build, has neither)."""
    row = {
        "code": plan.code,
        "title": plan.title,
        "motto": plan.motto,
        "adopted_on": plan.adopted_on,
        "start": plan.start,
        "end": plan.end,
    }
    if provenance:
        row.update(source=plan.source, fictional=plan.fictional)
    plan_id = new_id(conn.execute(insert(m.Plan).values(**row)))
    position = actions = 0
    for axis_position, axis in enumerate(plan.axes):
        axis_id = new_id(
            conn.execute(
                insert(m.Axis).values(
                    plan_id=plan_id, code=axis.code, title=axis.title, summary=axis.summary, position=axis_position
                )
            )
        )
        ids: dict[str, int] = {}
        for _, sheet, parent in (t for t in plan.all_sheets() if t[0] is axis):
            position += 1
            ids[sheet.code] = new_id(
                conn.execute(
                    insert(m.ActionSheet).values(
                        axis_id=axis_id,
                        parent_id=ids[parent.code] if parent else None,
                        code=sheet.code,
                        title=sheet.title,
                        summary=sheet.summary,
                        pilot=sheet.pilot,
                        planned_start=sheet.start or plan.start,
                        planned_end=sheet.end or plan.end,
                        position=position,
                    )
                )
            )
            if sheet.actions:
                conn.execute(
                    insert(m.Action),
                    [
                        {"sheet_id": ids[sheet.code], "title": a.title, "text": a.text, "position": i}
                        for i, a in enumerate(sheet.actions)
                    ],
                )
                actions += len(sheet.actions)
    return position, actions
