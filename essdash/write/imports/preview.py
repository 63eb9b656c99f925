"""The preview of an import: what a partner's file would do, with every issue, before anything is written.

``prepare(engine, data, file_name, kind, options)`` reads a CSV or XLSX file (the worksheet chosen),
finds its header and places its columns (:func:`essdash.write.imports.header.recognise`), validates
every row against the database with the kind's builder (:mod:`essdash.write.imports.kinds`) and
returns an :class:`ImportPlan`: how columns were placed, every issue by row and column, the defaults
taken, and how many rows would be created, updated or left unchanged. Nothing is written. The
mappings saved under a source's name (:func:`essdash.write.imports.save_mapping`) are offered again
for a file with the same headers (``plan.saved``). :func:`build_plan` is also how
:func:`essdash.write.imports.apply` validates the file again before writing it. Its notes say how
rough cells were read (« 03/2012 » as the 01/03/2012); they refuse nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import col

from essdash.domain import fmt
from essdash.domain import models as m
from essdash.domain.errors import ImportFileError
from essdash.spreadsheet import files as io_files
from essdash.spreadsheet import mapping
from essdash.spreadsheet.cells import is_blank
from essdash.spreadsheet.columns import KINDS, Kind
from essdash.write.imports.header import recognise
from essdash.write.imports.kinds import BUILDERS
from essdash.write.imports.rows import Builder, Context, ImportOptions, Issue, Row


@dataclass
class ImportPlan:
    """What an import would do; ``ok`` when it can be applied."""

    kind: Kind
    table: io_files.Table
    header_row: int | None
    columns: list[tuple[str, str]]
    errors: list[Issue]
    warnings: list[Issue]
    notes: list[Issue] = field(default_factory=list)  # how rough cells were read: shown, refusing nothing
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    created: dict[str, list[str]] = field(default_factory=dict)
    previous: list[str] = field(default_factory=list)
    sample: pd.DataFrame = field(default_factory=pd.DataFrame)
    placed: list[mapping.Placed] = field(default_factory=list)
    options: ImportOptions = field(default_factory=ImportOptions)
    signature: str = ""
    saved: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    defaulted: dict[str, int] = field(default_factory=dict)
    fundings: int = 0  # funding lines created, and their euros
    funding_total: float = 0.0
    funding_updates: int = 0  # funding lines changed (amount or funder), and the euros they add
    funding_change: float = 0.0
    communes: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and self.rows > 0

    def mapping(self) -> dict[str, str | None]:
        """The placing of the file's columns (header → field key, ``None`` if ignored), as saved."""
        return {p.header: p.key for p in self.placed if p.header}

    def default_lines(self) -> list[str]:
        """The defaults rows took, in French (« Filière : « À qualifier » — 12 lignes »)."""
        lines = [f"{what} — {fmt.plural(n, 'ligne')}" for what, n in self.defaulted.items()]
        return lines + funding_parts(self.fundings, self.funding_total, 0, 0.0)

    def summary(self) -> str:
        parts = [
            fmt.plural(self.rows, "ligne") + " lue" + ("s" if self.rows > 1 else ""),
            f"{fmt.number(self.inserted)} à créer",
            f"{fmt.number(self.updated)} à mettre à jour",
            f"{fmt.number(self.unchanged)} inchangée" + ("s" if self.unchanged > 1 else ""),
        ]
        if self.skipped:
            parts.append(f"{fmt.number(self.skipped)} sans valeur, ignorée" + ("s" if self.skipped > 1 else ""))
        parts += funding_parts(self.fundings, self.funding_total, self.funding_updates, self.funding_change)
        return " · ".join(parts)

    def issues_frame(self) -> pd.DataFrame:
        """Every error, then every warning, then every note: the report shown to the user."""
        return pd.DataFrame(
            [
                {
                    "Ligne": "" if i.row is None else str(i.row),
                    "Colonne": i.column or "",
                    "Problème": i.message,
                    "Gravité": level,
                }
                for level, issues in (("erreur", self.errors), ("avertissement", self.warnings), ("note", self.notes))
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
        lines += [f"Par défaut : {what} — {fmt.plural(n, 'ligne')}" for what, n in self.defaulted.items()]
        lines += [f"Commune « {typed} » → {name} ({code})" for typed, name, code in self.communes if typed != name]
        lines += [f"Seront créés ({what}) : {', '.join(names)}" for what, names in self.created.items()]
        lines += [f"Ce fichier a déjà été importé {when}." for when in self.previous]
        lines += [f"Avertissement — {issue}" for issue in self.warnings]
        lines += [f"Erreur — {issue}" for issue in self.errors]
        lines += [f"Note — {issue}" for issue in self.notes]
        return "\n".join(lines)


def funding_parts(created: int, total: float, changed: int, change: float) -> list[str]:
    """What an import does to funding lines, in French: « 2 financements créés, 15 500 € »,
    « 10 financements modifiés, montant total inchangé » (the preview and the result say the same)."""
    parts = []
    if created:
        parts.append(f"{fmt.plural(created, 'financement')} créé{'s' if created > 1 else ''}, {fmt.money(total)}")
    if changed:
        sign = "+" if change > 0 else "−"
        euros = f"{sign}{fmt.money(abs(change), 0 if float(change).is_integer() else 2)}"
        money = "montant total inchangé" if change == 0 else f"{euros} au total"
        parts.append(f"{fmt.plural(changed, 'financement')} modifié{'s' if changed > 1 else ''}, {money}")
    return parts


def _meaning(kind: Kind, p: mapping.Placed) -> str:
    if p.key is None:
        if p.how.startswith("calculé : "):
            return f"ignorée : {p.how.removeprefix('calculé : ')} est calculé par l'application"
        return {"vide": "ignorée : colonne vide", "": "ignorée : colonne inconnue"}.get(p.how, "ignorée")
    return kind.header(p.key) + (f" ({p.how})" if p.how not in ("en-tête", "choisi") else "")


def build_plan(
    conn: Connection, engine: Engine, kind: Kind, table: io_files.Table, options: ImportOptions
) -> tuple[ImportPlan, Builder | None]:
    """The plan of an import, and the builder holding its sorted rows (``None`` if the header is refused)."""
    errors: list[Issue] = []
    warnings: list[Issue] = []
    context = Context(conn, engine, table.file_name, warnings, options)
    shape = recognise(kind, table, context.places, options, errors, warnings)
    header_row = table.rows[shape.index][0]
    described = [(p.header or f"(colonne {p.position + 1} sans titre)", _meaning(kind, p)) for p in shape.placed]
    plan = ImportPlan(kind, table, header_row, described, errors, warnings, rows=len(shape.data))
    plan.placed, plan.options = shape.placed, options
    plan.signature = mapping.signature(shape.headers)
    plan.previous = [
        f"le {fmt.day(b.imported_at)} à {b.imported_at:%H:%M} par {b.author}"
        for b in conn.execute(
            select(m.ImportBatch)
            .where(col(m.ImportBatch.sha256) == table.sha256, col(m.ImportBatch.kind) == kind.code)
            .order_by(col(m.ImportBatch.id))
        )
    ]
    plan.saved = saved_mappings(conn, kind.code, plan.signature)
    if not shape.data:
        errors.append(Issue(None, None, "aucune ligne de données sous l'en-tête."))
    if errors:
        return plan, None
    mapped = {p.position: p.key for p in shape.placed if p.key is not None}
    headers = {key: shape.headers[i] or f"colonne {i + 1}" for i, key in mapped.items()}
    builder = BUILDERS[kind.code](context)
    width = len(shape.headers)
    for number, cells in shape.data:
        values = {key: cells[i] if i < len(cells) else None for i, key in mapped.items()}
        row = Row(number, values, headers, errors, notes=plan.notes)
        if any(not is_blank(c) for c in cells[width:]):
            row.error(
                "",
                f"{len(cells)} cellules pour {width} colonnes d'en-tête : une valeur déborde "
                "(séparateur ou guillemet en trop ?).",
            )
        builder.add(row)
    builder.finish()
    plan.sample = pd.DataFrame(
        [
            ["" if is_blank(v := cells[i] if i < len(cells) else None) else v for i in mapped]
            for _, cells in shape.data[:5]
        ],
        columns=[kind.header(key) for key in mapped.values()],
    ).astype("string")
    plan.inserted, plan.updated, plan.unchanged = builder.inserted, builder.updated, builder.unchanged
    plan.skipped, plan.created = builder.skipped, builder.created
    plan.defaulted, plan.fundings, plan.funding_total = dict(builder.defaulted), builder.fundings, builder.funding_total
    plan.funding_updates, plan.funding_change = builder.funding_updates, builder.funding_change
    places = context.places
    plan.communes = [(typed, places.names[code], code) for typed, code in sorted(places.resolved.items())]
    return plan, builder


def kind_of(code: str) -> Kind:
    if code not in KINDS:
        raise ImportFileError(f"Type d'import inconnu « {code} » (attendu : {', '.join(KINDS)}).")
    return KINDS[code]


def prepare(engine: Engine, data: bytes, file_name: str, kind: str, options: ImportOptions | None = None) -> ImportPlan:
    """Read and validate a file without writing anything; ``ImportFileError`` if it cannot be read."""
    spec = kind_of(kind)
    options = options or ImportOptions()
    table = io_files.read_table(data, file_name, options.worksheet)
    with engine.connect() as conn:
        return build_plan(conn, engine, spec, table, options)[0]


def saved_mappings(conn: Connection, kind: str, signature: str) -> list[tuple[str, dict[str, Any]]]:
    """The mappings saved for files of ``kind`` with these headers, newest first, by source name."""
    rows = conn.execute(
        select(col(m.ImportMapping.name), col(m.ImportMapping.mapping))
        .where(col(m.ImportMapping.kind) == kind, col(m.ImportMapping.headers) == signature)
        .order_by(col(m.ImportMapping.saved_at).desc(), col(m.ImportMapping.id).desc())
    )
    return [(name, json.loads(text)) for name, text in rows]


def mapping_named(engine: Engine, kind: str, name: str) -> dict[str, str | None] | None:
    """The mapping saved under ``name`` for files of ``kind``, if any."""
    with engine.connect() as conn:
        text = conn.execute(
            select(col(m.ImportMapping.mapping)).where(
                col(m.ImportMapping.kind) == kind, col(m.ImportMapping.name) == name
            )
        ).scalar_one_or_none()
    return None if text is None else json.loads(text)
