"""Carry-over of projects from one action plan to the next, by a correspondence of fiches.

A project that continues from one plan to the next is carried over by a correspondence (old fiche
→ new fiche), from a CSV or XLSX file (:func:`read_correspondence`) or the Plan d'actions page: it
gains a link to the new fiche and keeps its old links, steps and opinions (:func:`carry_over`),
written in one transaction through the gate (:class:`~essdash.domain.vocabulary.Deed`
``SETTINGS``) and journalled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import col

from essdash.domain import models as m
from essdash.domain import rules
from essdash.domain.errors import ImportFileError, ValidationError
from essdash.domain.vocabulary import PROJECT_TRANSITIONS, Deed
from essdash.spreadsheet.files import read_table
from essdash.store import clock
from essdash.store.db import locked_transaction
from essdash.write.actor import Actor
from essdash.write.gate import authorize
from essdash.write.plans.file import PLAN, Issues

OLD_COLUMN, NEW_COLUMN = "ancienne fiche", "nouvelle fiche"


@dataclass(frozen=True)
class CarriedOver:
    """What a carry-over wrote: correspondences added, and projects newly linked to a new fiche."""

    correspondences: int
    links: int


def read_correspondence(data: bytes, file_name: str) -> list[tuple[str, str]]:
    """The ``(old fiche, new fiche)`` pairs of a CSV or XLSX file with the columns « ancienne fiche »
    and « nouvelle fiche »."""
    table = read_table(data, file_name)
    header, *rows = table.rows
    folded = [rules.fold(h) for h in header[1]]
    if OLD_COLUMN not in folded or NEW_COLUMN not in folded:
        raise ImportFileError(
            f"Le fichier « {table.file_name} » n'a pas les colonnes « {OLD_COLUMN} » et « {NEW_COLUMN} »."
        )
    old, new = folded.index(OLD_COLUMN), folded.index(NEW_COLUMN)
    issues = Issues()
    pairs = []
    for number, row in rows:
        cells_ = (row[old] if old < len(row) else None, row[new] if new < len(row) else None)
        pair = (
            issues.code(f"Ligne {number}", "Ancienne fiche", cells_[0]),
            issues.code(f"Ligne {number}", "Nouvelle fiche", cells_[1]),
        )
        if all(pair):
            pairs.append(pair)
    if issues:
        raise ValidationError(list(issues))
    return pairs


def _plan_sheets(conn: Connection, code: str) -> tuple[date | None, dict[str, int]]:
    """The start of the plan ``code`` (None: no such plan) and its fiches' ids by code."""
    start = conn.execute(select(col(m.Plan.start)).where(col(m.Plan.code) == code)).scalar_one_or_none()
    sheets = conn.execute(
        select(col(m.ActionSheet.code), col(m.ActionSheet.id)).join(m.Axis).join(m.Plan).where(col(m.Plan.code) == code)
    ).all()
    return start, {c: i for c, i in sheets if i is not None}


def carry_over(
    engine: Engine,
    actor: Actor | None,
    old_plan: str,
    new_plan: str,
    pairs: Sequence[tuple[str | None, str | None]],
) -> CarriedOver:
    """Record that each old fiche of ``old_plan`` continues as a new fiche of ``new_plan``, and link
    the projects still open on the old fiche (neither réalisé nor abandonné) to the new one. Their
    old links, steps and opinions are kept, so the earlier plan's figures do not change."""
    permit = authorize(engine, actor, Deed.SETTINGS, whole=True)
    issues = Issues()
    with engine.connect() as conn:
        old, old_sheets = _plan_sheets(conn, old_plan)
        new, new_sheets = _plan_sheets(conn, new_plan)
    for plan, code in ((old, old_plan), (new, new_plan)):
        if plan is None:
            issues.append((PLAN, "Code", f"plan « {code} » inconnu."))
    if old is not None and new is not None and new <= old:
        issues.append((PLAN, "Code", f"le plan « {new_plan} » doit commencer après le plan « {old_plan} »."))
    if not pairs:
        issues.append(("Correspondance", "Fiches", "aucune correspondance donnée."))
    for old_code, new_code in pairs:
        if old is not None and old_code not in old_sheets:
            issues.append(("Correspondance", "Ancienne fiche", f"fiche « {old_code} » absente du plan « {old_plan} »."))
        if new is not None and new_code not in new_sheets:
            issues.append(("Correspondance", "Nouvelle fiche", f"fiche « {new_code} » absente du plan « {new_plan} »."))
    if issues:
        raise ValidationError(list(issues))
    open_steps = [status.value for status, after in PROJECT_TRANSITIONS.items() if after]
    now = clock.now(engine)
    added = links = 0
    with locked_transaction(engine, permit) as conn:
        for old_code, new_code in dict.fromkeys(pairs):
            assert old_code is not None and new_code is not None  # checked above: both in their plans
            old_id, new_id = old_sheets[old_code], new_sheets[new_code]
            known = select(m.SheetCorrespondence).where(
                col(m.SheetCorrespondence.old_sheet_id) == old_id, col(m.SheetCorrespondence.new_sheet_id) == new_id
            )
            if conn.execute(known).first() is None:
                conn.execute(insert(m.SheetCorrespondence).values(old_sheet_id=old_id, new_sheet_id=new_id))
                added += 1
            already = select(col(m.ProjectSheet.project_id)).where(col(m.ProjectSheet.sheet_id) == new_id)
            continuing = (
                conn.execute(
                    select(col(m.Project.id))
                    .join(m.ProjectSheet, col(m.ProjectSheet.project_id) == col(m.Project.id))
                    .where(
                        col(m.ProjectSheet.sheet_id) == old_id,
                        col(m.Project.status).in_(open_steps),
                        col(m.Project.id).not_in(already),
                    )
                )
                .scalars()
                .all()
            )
            if continuing:
                conn.execute(insert(m.ProjectSheet), [{"project_id": p, "sheet_id": new_id} for p in continuing])
                links += len(continuing)
        permit.log(
            conn,
            f"Reprise {old_plan} → {new_plan} : {added} correspondance(s), {links} projet(s) rattaché(s)",
            now,
        )
    return CarriedOver(added, links)
