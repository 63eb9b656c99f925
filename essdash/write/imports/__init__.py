"""Writing an accepted import of a partner's spreadsheet, all or nothing, and saving its column mapping.

``apply(engine, plan, actor)`` refuses a plan with errors; otherwise it backs the database up,
validates the file again against the current data without holding other writers back, then takes
the write lock and writes everything in one transaction, logged in ``importbatch``: all rows or
none. If anyone wrote in between (:func:`essdash.store.db.write_token` changed), nothing is written
and the validation starts again (three times, then once holding the lock), so a file is never written
against data it was not checked on. A confirmed mapping is saved under its source's name
(:func:`save_mapping`).

The plan itself, read and validated without writing anything, comes from
:func:`essdash.write.imports.preview.prepare` (also reachable here as ``imports.prepare``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlmodel import col

from essdash.domain import fmt, rules
from essdash.domain import models as m
from essdash.domain.errors import ImportFileError
from essdash.domain.vocabulary import Deed, Role
from essdash.store import backup, clock
from essdash.store.db import locked_transaction, write_token
from essdash.store.sql import new_id
from essdash.write.actor import Actor
from essdash.write.gate import Permit, allowed, authorize, member, scope_of
from essdash.write.imports.preview import ImportPlan, build_plan, funding_parts, prepare
from essdash.write.imports.rows import Builder, ImportOptions

__all__ = ["ImportPlan", "ImportResult", "apply", "limited", "prepare", "save_mapping"]

UNLOCKED_TRIES = 3  # validations outside the write lock before one under it, when others keep writing
SHOWN_ISSUES = 20  # rows named in the message of an import refused at writing time


@dataclass(frozen=True)
class ImportResult:
    inserted: int
    updated: int
    unchanged: int
    created: dict[str, list[str]]
    backup: Path | None
    batch_id: int
    fundings: int = 0  # funding lines created, and their euros
    funding_total: float = 0.0
    funding_updates: int = 0  # funding lines changed, and the euros they added
    funding_change: float = 0.0

    def summary(self) -> str:
        parts = funding_parts(self.fundings, self.funding_total, self.funding_updates, self.funding_change)
        return (
            f"{fmt.number(self.inserted)} ligne(s) créée(s), {fmt.number(self.updated)} mise(s) à jour, "
            f"{fmt.number(self.unchanged)} inchangée(s)" + "".join(f" ; {part}" for part in parts) + "."
        )


def limited(engine: Engine, actor: Actor | None, options: ImportOptions) -> tuple[Permit, ImportOptions]:
    """The gate's permit of the import and ``options`` bound to what it lets the person write, which
    every row is checked against: their scope, and whether they may record the committee's opinions
    (its steps); :class:`AccessError` when they may not import at all."""
    permit = scope_of(engine, actor, Deed.IMPORT)
    return permit, replace(options, scope=permit.scope, opinions=allowed(engine, permit.actor, Deed.OPINION))


# Who may replace a saved mapping: the roles that import, from fewest rights to most; the local person
# (« poste local » mode, the command line) ranks with the administrateur.
MAPPING_RANKS = {Role.TECHNICIAN.value: 1, Role.MISSION.value: 2, Role.ADMIN.value: 3}
LOCAL_RANK = MAPPING_RANKS[Role.ADMIN.value]


def save_mapping(engine: Engine, plan: ImportPlan, name: str, actor: Actor) -> None:
    """Save the plan's placing of columns under the source's ``name``.

    A saved mapping belongs to its author's role. A mapping of that name (and kind) is replaced only by
    someone whose role has at least the rights of its author's: a technicien replaces a technicien's,
    the mission ESS a technicien's or the mission's, an administrateur (or the local person) any. The
    author's role is the role their account has now; a mapping saved by the local person ranks with
    the administrateur's, one whose author is no longer a member with nobody's. Anyone else gets
    :class:`ImportFileError` in French (« … existe déjà : choisissez un autre nom ») and nothing is
    written; the check runs under the write lock."""
    permit = authorize(engine, actor, Deed.IMPORT, nowhere=True)
    actor = permit.actor
    try:
        name = rules.text(name)
    except ValueError as exc:
        raise ImportFileError(f"Nom de la source : {exc}") from exc
    if not name:
        raise ImportFileError("Donnez le nom de la source (le partenaire) sous lequel enregistrer la correspondance.")
    values: dict[str, Any] = {
        "kind": plan.kind.code,
        "name": name,
        "headers": plan.signature,
        "mapping": json.dumps(plan.mapping(), ensure_ascii=False),
        "saved_at": clock.now(engine),
        "author": actor.label,
        "account": actor.account,
    }
    same = (col(m.ImportMapping.kind) == plan.kind.code) & (col(m.ImportMapping.name) == name)
    with locked_transaction(engine, permit) as conn:
        saved = conn.execute(select(col(m.ImportMapping.author), col(m.ImportMapping.account)).where(same)).first()
        if saved is not None and _rank(conn, actor.account, actor.role) < _rank(conn, saved.account):
            raise ImportFileError(
                f"Une correspondance « {name} » enregistrée par {saved.author} existe déjà : choisissez un autre nom."
            )
        conn.execute(m.table_of(m.ImportMapping).delete().where(same))
        conn.execute(insert(m.ImportMapping).values(values))
        permit.log(conn, f"Correspondance de colonnes « {name} » enregistrée", values["saved_at"])


def _rank(conn: Connection, account: str | None, role: str | None = None) -> int:
    """The rank (:data:`MAPPING_RANKS`) of a person: the local person's without an account; else the
    role given, or the role the account's member has now (0 for an account that is no member)."""
    if account is None:
        return LOCAL_RANK
    if role is None:
        found = member(conn, account)
        role = found.role if found is not None else None
    return MAPPING_RANKS.get(role or "", 0)


def apply(engine: Engine, plan: ImportPlan, actor: Actor) -> ImportResult:
    """Back up, then write the whole plan in one transaction; ``ImportFileError`` and nothing written otherwise.

    The gate checks the person, then every row against their scope and role (a technician's file with
    one row elsewhere, or one committee step, is refused whole, naming its rows): see :func:`limited`."""
    permit, options = limited(engine, actor, plan.options)
    plan = replace(plan, options=options)
    if not plan.ok:
        raise ImportFileError(
            f"Import refusé : {fmt.plural(len(plan.errors), 'erreur')} à corriger dans "
            f"« {plan.table.file_name} ». La base n'a pas été modifiée."
        )
    saved = backup.take_for(engine, "avant-import")
    now = clock.now(engine)
    try:
        for _ in range(UNLOCKED_TRIES):  # validated again without holding other writers back…
            with engine.connect() as conn:
                token = write_token(conn)
                fresh, builder = _checked(conn, engine, plan)
            try:
                with locked_transaction(engine, permit) as conn:
                    if write_token(conn) != token:
                        raise _WrittenMeanwhile
                    batch_id = _write(conn, plan, fresh, builder, permit, now, saved)
                break
            except _WrittenMeanwhile:
                continue
        else:  # …others kept writing: validated once more while holding the lock
            with locked_transaction(engine, permit) as conn:
                fresh, builder = _checked(conn, engine, plan)
                batch_id = _write(conn, plan, fresh, builder, permit, now, saved)
    except SQLAlchemyError as exc:
        raise ImportFileError(f"Import annulé : {_refusal(exc)}. Rien n'a été écrit.") from exc
    return ImportResult(
        fresh.inserted,
        fresh.updated,
        fresh.unchanged,
        fresh.created,
        saved,
        batch_id,
        fresh.fundings,
        fresh.funding_total,
        fresh.funding_updates,
        fresh.funding_change,
    )


class _WrittenMeanwhile(Exception):
    """Someone wrote between the import's validation and its write lock: nothing is written, try again."""


def _write(
    conn: Connection,
    plan: ImportPlan,
    fresh: ImportPlan,
    builder: Builder,
    permit: Permit,
    now: datetime,
    saved: Path | None,
) -> int:
    """Write the validated rows, the import's log entry and its journal line; the log entry's id."""
    actor = permit.actor
    builder.write(conn, actor.label, now)
    permit.log(conn, f"Import de « {plan.table.file_name} » : {fresh.summary()}", now)
    return new_id(
        conn.execute(
            insert(m.ImportBatch).values(
                kind=plan.kind.code,
                file_name=plan.table.file_name,
                sha256=plan.table.sha256,
                rows_inserted=fresh.inserted,
                rows_updated=fresh.updated,
                rows_unchanged=fresh.unchanged,
                author=actor.label,
                account=actor.account,
                imported_at=now,
                backup_file=saved.name if saved else None,
            )
        )
    )


def _checked(conn: Connection, engine: Engine, plan: ImportPlan) -> tuple[ImportPlan, Builder]:
    """The plan validated again against the database as ``conn`` sees it; refused if it no longer passes."""
    fresh, builder = build_plan(conn, engine, plan.kind, plan.table, plan.options)
    if not fresh.ok or builder is None:
        shown = " ; ".join(str(issue).rstrip(".") for issue in fresh.errors[:SHOWN_ISSUES])
        more = len(fresh.errors) - SHOWN_ISSUES
        raise ImportFileError(
            "Les données ont changé depuis l'aperçu, ou des lignes sortent de votre périmètre : le fichier ne "
            f"passe plus la validation ({fmt.plural(len(fresh.errors), 'erreur')}) : {shown}"
            + (f" ; et {fmt.plural(more, 'autre erreur')}" if more > 0 else "")
            + ". Rien n'a été écrit : relancez l'aperçu."
        )
    return fresh, builder


def _refusal(exc: SQLAlchemyError) -> str:
    """Why the database refused the import's transaction, in French."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return "la base est occupée par une autre écriture, réessayez dans un instant"
    if isinstance(exc, IntegrityError):
        return (
            "la base a refusé une écriture qui contredirait ses règles (une valeur en double ou une référence absente)"
        )
    if isinstance(exc, OperationalError):
        return "la base n'a pas pu enregistrer l'écriture (disque plein, fichier en lecture seule ou endommagé ?)"
    return "la base a refusé une écriture"
