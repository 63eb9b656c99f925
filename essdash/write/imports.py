"""Import of partners' spreadsheets: recognise the columns, validate every row, write all or nothing.

``prepare(engine, data, file_name, kind)`` reads a CSV or XLSX file, finds its header row (title
lines above it are skipped), maps its columns to the kind's fields, validates every row against
the database and returns an :class:`ImportPlan`: how columns were understood, every issue by row
and column, and how many rows would be created, updated or left unchanged. Nothing is written.

``apply(engine, plan, actor)`` refuses a plan with errors; otherwise it backs the database up,
validates the file again against the current data without holding other writers back, then takes
the write lock and writes everything in one transaction, logged in ``importbatch``: all rows or
none. If anyone wrote in between (:func:`essdash.store.db.write_token` changed), nothing is written
and the validation starts again (three times, then once holding the lock), so a file is never written
against data it was not checked on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from essdash.domain import fmt
from essdash.domain import models as m
from essdash.domain.errors import ImportFileError
from essdash.spreadsheet import files as io_files
from essdash.spreadsheet.cells import is_blank
from essdash.spreadsheet.columns import KINDS, Column, Kind
from essdash.store import backup, clock
from essdash.store.db import locked_transaction, write_token
from essdash.write.actor import Actor, signed
from essdash.write.import_kinds import BUILDERS
from essdash.write.import_rows import Builder, Context, Issue, Row

HEADER_SEARCH = 10
UNLOCKED_TRIES = 3  # validations outside the write lock before one under it, when others keep writing


@dataclass
class ImportPlan:
    """What an import would do; ``ok`` when it can be applied."""

    kind: Kind
    table: io_files.Table
    header_row: int | None
    columns: list[tuple[str, str]]
    errors: list[Issue]
    warnings: list[Issue]
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    created: dict[str, list[str]] = field(default_factory=dict)
    previous: list[str] = field(default_factory=list)
    sample: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def ok(self) -> bool:
        return not self.errors and self.rows > 0

    def summary(self) -> str:
        parts = [
            fmt.plural(self.rows, "ligne") + " lue" + ("s" if self.rows > 1 else ""),
            f"{fmt.number(self.inserted)} à créer",
            f"{fmt.number(self.updated)} à mettre à jour",
            f"{fmt.number(self.unchanged)} inchangée" + ("s" if self.unchanged > 1 else ""),
        ]
        if self.skipped:
            parts.append(f"{fmt.number(self.skipped)} sans valeur, ignorée" + ("s" if self.skipped > 1 else ""))
        return " · ".join(parts)

    def issues_frame(self) -> pd.DataFrame:
        """Every error, then every warning: the report shown to the user."""
        return pd.DataFrame(
            [
                {"Ligne": i.row, "Colonne": i.column or "", "Problème": i.message, "Gravité": level}
                for level, issues in (("erreur", self.errors), ("avertissement", self.warnings))
                for i in issues
            ],
            columns=["Ligne", "Colonne", "Problème", "Gravité"],
        )

    def columns_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.columns, columns=["Colonne du fichier", "Comprise comme"])

    def report(self) -> str:
        """The whole preview as plain French text (for the command line)."""
        lines = [
            f"Fichier « {self.table.file_name} » : {self.table.description} ; {self.kind.label.lower()}, "
            f"en-tête ligne {self.header_row}.",
            "Colonnes :",
        ]
        lines += [f"  {header} → {meaning}" for header, meaning in self.columns]
        lines.append(self.summary())
        lines += [f"Seront créés ({what}) : {', '.join(names)}" for what, names in self.created.items()]
        lines += [f"Ce fichier a déjà été importé {when}." for when in self.previous]
        lines += [f"Avertissement — {issue}" for issue in self.warnings]
        lines += [f"Erreur — {issue}" for issue in self.errors]
        return "\n".join(lines)


@dataclass(frozen=True)
class ImportResult:
    inserted: int
    updated: int
    unchanged: int
    created: dict[str, list[str]]
    backup: Path | None
    batch_id: int

    def summary(self) -> str:
        return (
            f"{fmt.number(self.inserted)} ligne(s) créée(s), {fmt.number(self.updated)} mise(s) à jour, "
            f"{fmt.number(self.unchanged)} inchangée(s)."
        )


def _header(cell) -> str:
    return "" if is_blank(cell) else " ".join(str(cell).split())


def _recognise(kind: Kind, table: io_files.Table):
    """The header row (the most recognisable of the first lines) and the column mapping."""
    candidates = table.rows[:HEADER_SEARCH]
    scores = [sum(kind.match(_header(c)) is not None for c in cells) for _, cells in candidates]
    index = scores.index(max(scores))
    number, cells = candidates[index]
    mapping: dict[int, Column] = {}
    described, errors, warnings, seen = [], [], [], {}
    if index:
        warnings.append(
            Issue(None, None, f"{fmt.plural(index, 'ligne')} au-dessus de l'en-tête (ligne {number}) ignorée(s).")
        )
    for position, cell in enumerate(cells):
        header = _header(cell)
        column = kind.match(header) if header else None
        if not header:
            described.append((f"(colonne {position + 1} sans titre)", "ignorée"))
        elif column is None:
            described.append((header, "ignorée : colonne inconnue"))
            warnings.append(Issue(number, header, "colonne inconnue, ignorée."))
        elif column.computed:
            described.append((header, f"ignorée : « {column.header} » est calculé par l'application"))
        elif column.key in seen:
            described.append((header, f"en double avec « {seen[column.key]} »"))
            errors.append(
                Issue(
                    number,
                    header,
                    f"même rôle (« {column.header} ») que la colonne « {seen[column.key]} » : n'en gardez qu'une.",
                )
            )
        else:
            mapping[position] = column
            seen[column.key] = header
            described.append((header, column.header))
    for group in kind.required:
        if not any(key in seen for key in group):
            names = " ou ".join(f"« {kind.header(key)} »" for key in group)
            errors.append(Issue(number, None, f"colonne obligatoire absente : {names}."))
    return index, mapping, described, errors, warnings


def _plan(conn: Connection, engine: Engine, kind: Kind, table: io_files.Table) -> tuple[ImportPlan, Builder | None]:
    """The plan of an import, and the builder holding its sorted rows (``None`` if the header is refused)."""
    index, mapping, described, errors, warnings = _recognise(kind, table)
    header_row, header_cells = table.rows[index]
    data_rows = table.rows[index + 1 :]
    plan = ImportPlan(kind, table, header_row, described, errors, warnings, rows=len(data_rows))
    plan.previous = [
        f"le {fmt.day(b.imported_at)} à {b.imported_at:%H:%M} par {b.author}"
        for b in conn.execute(
            select(m.ImportBatch).where(m.ImportBatch.sha256 == table.sha256).order_by(m.ImportBatch.id)
        )
    ]
    if not data_rows:
        errors.append(Issue(None, None, "aucune ligne de données sous l'en-tête."))
    if errors:
        return plan, None
    headers = {column.key: _header(header_cells[i]) for i, column in mapping.items()}
    context = Context(conn, engine, table.file_name, warnings)
    builder = BUILDERS[kind.code](context)
    for number, cells in data_rows:
        row = Row(number, {c.key: cells[i] if i < len(cells) else None for i, c in mapping.items()}, headers, errors)
        if any(not is_blank(c) for c in cells[len(header_cells) :]):
            row.error(
                "",
                f"{len(cells)} cellules pour {len(header_cells)} colonnes d'en-tête : une valeur déborde "
                "(séparateur ou guillemet en trop ?).",
            )
        builder.add(row)
    builder.finish()
    plan.sample = pd.DataFrame(
        [[cells[i] if i < len(cells) else None for i in mapping] for _, cells in data_rows[:5]],
        columns=[c.header for c in mapping.values()],
    ).astype("string")
    plan.inserted, plan.updated, plan.unchanged = builder.inserted, builder.updated, builder.unchanged
    plan.skipped, plan.created = builder.skipped, builder.created
    return plan, builder


def kind_of(code: str) -> Kind:
    if code not in KINDS:
        raise ImportFileError(f"Type d'import inconnu « {code} » (attendu : {', '.join(KINDS)}).")
    return KINDS[code]


def prepare(engine: Engine, data: bytes, file_name: str, kind: str) -> ImportPlan:
    """Read and validate a file without writing anything; ``ImportFileError`` if it cannot be read."""
    spec = kind_of(kind)
    table = io_files.read_table(data, file_name)
    with engine.connect() as conn:
        return _plan(conn, engine, spec, table)[0]


def apply(engine: Engine, plan: ImportPlan, actor: Actor) -> ImportResult:
    """Back up, then write the whole plan in one transaction; ``ImportFileError`` and nothing written otherwise."""
    actor = signed(actor)
    if not plan.ok:
        raise ImportFileError(
            f"Import refusé : {fmt.plural(len(plan.errors), 'erreur')} à corriger dans "
            f"« {plan.table.file_name} ». La base n'a pas été modifiée."
        )
    path = backup.database_file(engine)
    saved = backup.take(path, "avant-import") if path else None
    now = clock.now(engine)
    author = actor.label
    try:
        for _ in range(UNLOCKED_TRIES):  # validated again without holding other writers back…
            with engine.connect() as conn:
                token = write_token(conn)
                fresh, builder = _checked(conn, engine, plan)
            try:
                with locked_transaction(engine) as conn:
                    if write_token(conn) != token:
                        raise _WrittenMeanwhile
                    batch_id = _write(conn, plan, fresh, builder, author, now, saved)
                break
            except _WrittenMeanwhile:
                continue
        else:  # …others kept writing: validated once more while holding the lock
            with locked_transaction(engine) as conn:
                fresh, builder = _checked(conn, engine, plan)
                batch_id = _write(conn, plan, fresh, builder, author, now, saved)
    except SQLAlchemyError as exc:
        raise ImportFileError(f"Import annulé : {_refusal(exc)}. Rien n'a été écrit.") from exc
    return ImportResult(fresh.inserted, fresh.updated, fresh.unchanged, fresh.created, saved, batch_id)


class _WrittenMeanwhile(Exception):
    """Someone wrote between the import's validation and its write lock: nothing is written, try again."""


def _write(conn: Connection, plan: ImportPlan, fresh: ImportPlan, builder: Builder, author: str, now, saved) -> int:
    """Write the validated rows and the import's log entry; the log entry's id."""
    builder.write(conn, author, now)
    return conn.execute(
        insert(m.ImportBatch).values(
            kind=plan.kind.code,
            file_name=plan.table.file_name,
            sha256=plan.table.sha256,
            rows_inserted=fresh.inserted,
            rows_updated=fresh.updated,
            rows_unchanged=fresh.unchanged,
            author=author,
            imported_at=now,
            backup_file=saved.name if saved else None,
        )
    ).inserted_primary_key[0]


def _checked(conn: Connection, engine: Engine, plan: ImportPlan) -> tuple[ImportPlan, Builder]:
    """The plan validated again against the database as ``conn`` sees it; refused if it no longer passes."""
    fresh, builder = _plan(conn, engine, plan.kind, plan.table)
    if not fresh.ok or builder is None:
        raise ImportFileError(
            "Les données ont changé depuis l'aperçu et le fichier ne passe plus la "
            f"validation ({fmt.plural(len(fresh.errors), 'erreur')}) : relancez l'aperçu. "
            "Rien n'a été écrit."
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
