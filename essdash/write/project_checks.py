"""The checks of a project's fields before any write of :mod:`essdash.write.projects`: the fields a
person edits and their labels (those of the history of changes), the rule book applied to each
(:mod:`essdash.domain.rules`; a declared field not laid out by hand is checked by its declaration,
:meth:`essdash.domain.field_kinds.Field.check`), and the fiches a project serves.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlmodel import col

from essdash.domain import field_kinds, fields, rules
from essdash.domain import models as m
from essdash.domain.vocabulary import InterventionMode, Sector
from essdash.read.filters import in_plan
from essdash.store.reference import metropolis_box
from essdash.write.records import text_field

_EDITED = (  # the fields a person edits, by their declaration's key (the commune is chosen by its name)
    "title",
    "description",
    "commune",
    "intervention_mode",
    "sector",
    "start_date",
    "end_date",
    "jobs_created",
    "jobs_maintained",
    "beneficiaries",
    "priority_district",
    "lat",
    "lon",
    "status",
)
# The project's columns a person edits and their labels (those of the history of changes).
PROJECT_FIELDS = {("commune_code" if key == "commune" else key): fields.PROJECTS.label(key) for key in _EDITED}
BY_HAND = frozenset({*_EDITED, "proposed_on"})  # checked by hand (the day of a proposal: an argument of its own)


def declared_fields() -> tuple[field_kinds.Field, ...]:
    """The declared fields of the forms (views « proposal », « edit ») not checked by hand: each is
    checked by its declaration (:meth:`essdash.domain.field_kinds.Field.check`)."""
    return tuple(
        f
        for f in fields.PROJECTS.fields
        if {"proposal", "edit"} & set(f.views) and f.key not in BY_HAND and f.column is not None
    )


def project_labels() -> dict[str, str]:
    """The project's columns a person edits and their labels: :data:`PROJECT_FIELDS` and the declared ones."""
    return {**PROJECT_FIELDS, **{str(f.column): f.label for f in declared_fields()}}


def check_project(conn: Connection, data: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    """Validate project fields (all given ones); returns cleaned values and issues."""
    issues: list[tuple[str, str, str]] = []
    clean: dict[str, Any] = {}
    where = "Projet"
    if "title" in data:
        clean["title"] = text_field(
            issues, where, PROJECT_FIELDS["title"], data["title"], required="le titre est obligatoire."
        )
    if "description" in data:
        clean["description"] = text_field(
            issues,
            where,
            PROJECT_FIELDS["description"],
            data["description"],
            max_length=rules.LONG_LENGTH,
            multiline=True,
        )
    if "commune_code" in data:
        code = str(data["commune_code"] or "").strip()
        resolved = (
            conn.execute(
                select(col(m.Commune.insee_code)).where(col(m.Commune.insee_code) == code)
            ).scalar_one_or_none()
            or conn.execute(
                select(col(m.CommuneAlias.insee_code)).where(col(m.CommuneAlias.alias_code) == code)
            ).scalar_one_or_none()
        )
        if resolved is None:
            issues.append((where, PROJECT_FIELDS["commune_code"], f"commune « {code} » inconnue (code INSEE attendu)."))
        clean["commune_code"] = resolved
    for key, enum in (("intervention_mode", InterventionMode), ("sector", Sector)):
        if key in data:
            if data[key] not in enum.labels():
                issues.append((where, PROJECT_FIELDS[key], f"valeur « {data[key]} » inconnue."))
            clean[key] = data[key]
    for key in ("jobs_created", "jobs_maintained", "beneficiaries"):
        if key in data:
            try:
                clean[key] = rules.count(data[key] if data[key] not in (None, "") else 0)
            except ValueError:
                issues.append((where, PROJECT_FIELDS[key], "un nombre entier positif ou nul est attendu."))
    for key in ("start_date", "end_date"):
        if key in data:
            try:
                clean[key] = rules.optional_day(data[key])
            except ValueError as exc:
                issues.append((where, PROJECT_FIELDS[key], str(exc)))
    try:
        rules.date_order(clean.get("start_date"), clean.get("end_date"))
    except ValueError as exc:
        issues.append((where, PROJECT_FIELDS["end_date"], str(exc)))
    if "priority_district" in data:
        clean["priority_district"] = bool(data["priority_district"])
    box = metropolis_box()
    for key, check in (("lat", rules.latitude), ("lon", rules.longitude)):
        if key in data:
            if data[key] in (None, ""):
                clean[key] = None
                continue
            try:
                clean[key] = check(data[key], box)
            except ValueError as exc:
                issues.append((where, PROJECT_FIELDS[key], str(exc)))
    if "lat" in data and "lon" in data and (data["lat"] in (None, "")) != (data["lon"] in (None, "")):
        issues.append((where, PROJECT_FIELDS["lon"], "latitude et longitude vont ensemble : donnez les deux."))
    for field in declared_fields():
        if field.column in data:
            try:
                clean[str(field.column)] = field.check(data[field.column])
            except ValueError as exc:
                issues.append((where, field.label, str(exc)))
    return clean, issues


def checked_sheet_ids(
    conn: Connection, codes: Iterable[str] | None, issues: list[tuple[str, str, str]], plan: str | None
) -> list[int]:
    """The ids of the fiches ``codes`` of the plan ``plan`` (of any plan when None, if the code is
    not shared by several plans)."""
    ids: list[int] = []
    for code in codes or []:
        stmt = select(col(m.ActionSheet.id)).where(col(m.ActionSheet.code) == code)
        found = conn.execute(stmt.where(in_plan(m.ActionSheet, plan)) if plan else stmt).scalars().all()
        if not found:
            issues.append(("Projet", "Fiches", f"fiche « {code} » inconnue."))
        elif len(found) > 1:
            issues.append(("Projet", "Fiches", f"la fiche « {code} » existe dans plusieurs plans : précisez le plan."))
        else:
            ids.append(cast(int, found[0]))  # a stored fiche's id, never None
    return ids
