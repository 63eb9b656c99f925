"""Import of partners' spreadsheets: recognise the columns, validate every row, write all or nothing.

``prepare(engine, data, file_name, kind, options)`` reads a CSV or XLSX file (the sheet chosen),
finds its header row (title lines above it and a totals row below are left out, a merged header
read as it shows), places its columns on the kind's fields (:mod:`essdash.spreadsheet.mapping`, or
as ``options.mapping`` says), validates every row against the database and returns an
:class:`ImportPlan`: how columns were placed, every issue by row and column, the defaults taken,
and how many rows would be created, updated or left unchanged. Nothing is written. A confirmed
mapping is saved under its source's name (:func:`save_mapping`) and offered again for a file with
the same headers (``plan.saved``).

``apply(engine, plan, actor)`` refuses a plan with errors; otherwise it backs the database up,
validates the file again against the current data without holding other writers back, then takes
the write lock and writes everything in one transaction, logged in ``importbatch``: all rows or
none. If anyone wrote in between (:func:`essdash.store.db.write_token` changed), nothing is written
and the validation starts again (three times, then once holding the lock), so a file is never written
against data it was not checked on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from essdash.domain import fmt, rules
from essdash.domain import models as m
from essdash.domain.errors import ImportFileError
from essdash.domain.vocabulary import Deed
from essdash.spreadsheet import files as io_files
from essdash.spreadsheet import mapping
from essdash.spreadsheet.cells import fold, is_blank
from essdash.spreadsheet.columns import KINDS, Kind
from essdash.store import backup, clock
from essdash.store.db import locked_transaction, write_token
from essdash.write.actor import Actor
from essdash.write.gate import Permit, authorize, scope_of
from essdash.write.import_kinds import BUILDERS
from essdash.write.import_rows import Builder, Context, ImportOptions, Issue, Row

HEADER_SEARCH = 10
UNLOCKED_TRIES = 3  # validations outside the write lock before one under it, when others keep writing
SHOWN_ISSUES = 20  # rows named in the message of an import refused at writing time


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
    placed: list[mapping.Placed] = field(default_factory=list)
    options: ImportOptions = field(default_factory=ImportOptions)
    signature: str = ""
    saved: list[tuple[str, dict]] = field(default_factory=list)
    defaulted: dict[str, int] = field(default_factory=dict)
    fundings: int = 0
    funding_total: float = 0.0
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
        if self.fundings:
            lines.append(f"{fmt.plural(self.fundings, 'financement')} créés, {fmt.money(self.funding_total)}")
        return lines

    def summary(self) -> str:
        parts = [
            fmt.plural(self.rows, "ligne") + " lue" + ("s" if self.rows > 1 else ""),
            f"{fmt.number(self.inserted)} à créer",
            f"{fmt.number(self.updated)} à mettre à jour",
            f"{fmt.number(self.unchanged)} inchangée" + ("s" if self.unchanged > 1 else ""),
        ]
        if self.skipped:
            parts.append(f"{fmt.number(self.skipped)} sans valeur, ignorée" + ("s" if self.skipped > 1 else ""))
        if self.fundings:
            created = "créé" + ("s" if self.fundings > 1 else "")
            parts.append(f"{fmt.plural(self.fundings, 'financement')} {created}, {fmt.money(self.funding_total)}")
        return " · ".join(parts)

    def issues_frame(self) -> pd.DataFrame:
        """Every error, then every warning: the report shown to the user."""
        return pd.DataFrame(
            [
                {
                    "Ligne": "" if i.row is None else str(i.row),
                    "Colonne": i.column or "",
                    "Problème": i.message,
                    "Gravité": level,
                }
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
        lines += [f"Par défaut : {what} — {fmt.plural(n, 'ligne')}" for what, n in self.defaulted.items()]
        lines += [f"Commune « {typed} » → {name} ({code})" for typed, name, code in self.communes if typed != name]
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


def _header_cells(table: io_files.Table, index: int) -> tuple[str, ...]:
    """The headers of row ``index``; under a row of merged group cells, each header is completed by
    its group (« Emplois » over « créés » reads « Emplois créés »)."""
    headers = [_header(c) for c in table.rows[index][1]]
    if index and table.rows[index - 1][0] in table.merged:
        above = [_header(c) for c in table.rows[index - 1][1]]
        width = max(len(above), len(headers))
        above += [""] * (width - len(above))
        headers += [""] * (width - len(headers))
        headers = [f"{up} {low}" if up and low and up != low else (low or up) for up, low in zip(above, headers)]
    return tuple(headers)


def _score(kind: Kind, headers: tuple[str, ...]) -> float:
    return sum(score for score in (mapping.header_score(kind, h)[1] for h in headers if h) if score >= mapping.SIMILAR)


def _exact(kind: Kind, headers: tuple[str, ...]) -> int:
    """How many headers name a field of ``kind`` exactly (once folded)."""
    return sum(mapping.header_score(kind, h)[1] == 1.0 for h in headers if h)


def _is_total(cells: tuple) -> bool:
    first = next((c for c in cells if not is_blank(c)), "")
    return isinstance(first, str) and fold(first).startswith(("total", "sous total", "somme"))


@dataclass
class _Shape:
    """Where the header and the data are, and how each column is placed."""

    index: int
    headers: tuple[str, ...]
    data: list
    placed: list[mapping.Placed]


def _recognise(kind: Kind, table: io_files.Table, places, options: ImportOptions, errors, warnings) -> _Shape:
    """The header row (the most recognisable of the first lines), the data rows (a totals row at the
    bottom left out) and the placing of each column; refusals and warnings go to the lists given."""
    candidates = [_header_cells(table, i) for i in range(min(HEADER_SEARCH, len(table.rows)))]
    scores = [_score(kind, headers) for headers in candidates]
    index = scores.index(max(scores))
    headers = candidates[index]
    number = table.rows[index][0]
    for above, cells in table.rows[:index]:
        shown = " ".join(_header(c) for c in cells if not is_blank(c))
        if above not in table.merged or above != table.rows[index - 1][0]:
            warnings.append(Issue(above, None, f"ligne au-dessus de l'en-tête, ignorée : « {shown[:200]} »."))
    data = list(table.rows[index + 1 :])
    while data and _is_total(data[-1][1]):
        warnings.append(Issue(data[-1][0], None, "ligne de total, ignorée."))
        data.pop()
    sample = [
        [cells[i] if i < len(cells) else None for _, cells in data[: mapping.SAMPLE]] for i in range(len(headers))
    ]
    chosen = dict(options.mapping or ())
    placed = mapping.propose(kind, headers, sample, places.known, chosen)
    keys = {c.key: c for c in kind.columns if not c.computed}
    seen: dict[str, str] = {}
    for p in placed:
        shown = p.header or f"colonne {p.position + 1}"
        if p.key is not None and p.key not in keys:
            errors.append(Issue(number, shown, f"champ « {p.key} » inconnu pour des {kind.label.lower()}."))
        elif p.key in seen:
            errors.append(
                Issue(
                    number,
                    shown,
                    f"même rôle (« {keys[p.key].header} ») que la colonne « {seen[p.key]} » : n'en gardez qu'une.",
                )
            )
        elif p.key is not None:
            seen[p.key] = shown
        elif p.header and not p.how:
            warnings.append(Issue(number, p.header, "colonne non reconnue, ignorée (choisissez son rôle si besoin)."))
    considered = ", ".join(f"« {h} »" for h in headers if h) or "aucune"
    for group in kind.required:
        if not any(key in seen for key in group):
            names = " ou ".join(f"« {kind.header(key)} »" for key in group)
            errors.append(
                Issue(number, None, f"colonne obligatoire absente : {names} (colonnes examinées : {considered}).")
            )
    other = max((k for k in KINDS.values() if k is not kind), key=lambda k: _exact(k, headers))
    if _exact(other, headers) > _exact(kind, headers):
        errors.append(
            Issue(
                number,
                None,
                f"ce fichier ressemble à un fichier de « {other.label} » ({_exact(other, headers)} colonnes "
                f"reconnues, contre {_exact(kind, headers)} pour des {kind.label.lower()}) : choisissez cette nature.",
            )
        )
    return _Shape(index, headers, data, placed)


def _meaning(kind: Kind, p: mapping.Placed) -> str:
    if p.key is None:
        if p.how.startswith("calculé : "):
            return f"ignorée : {p.how.removeprefix('calculé : ')} est calculé par l'application"
        return {"vide": "ignorée : colonne vide", "": "ignorée : colonne inconnue"}.get(p.how, "ignorée")
    return kind.header(p.key) + (f" ({p.how})" if p.how not in ("en-tête", "choisi") else "")


def _plan(
    conn: Connection, engine: Engine, kind: Kind, table: io_files.Table, options: ImportOptions
) -> tuple[ImportPlan, Builder | None]:
    """The plan of an import, and the builder holding its sorted rows (``None`` if the header is refused)."""
    errors: list[Issue] = []
    warnings: list[Issue] = []
    context = Context(conn, engine, table.file_name, warnings, options)
    shape = _recognise(kind, table, context.places, options, errors, warnings)
    header_row = table.rows[shape.index][0]
    described = [(p.header or f"(colonne {p.position + 1} sans titre)", _meaning(kind, p)) for p in shape.placed]
    plan = ImportPlan(kind, table, header_row, described, errors, warnings, rows=len(shape.data))
    plan.placed, plan.options = shape.placed, options
    plan.signature = mapping.signature(shape.headers)
    plan.previous = [
        f"le {fmt.day(b.imported_at)} à {b.imported_at:%H:%M} par {b.author}"
        for b in conn.execute(
            select(m.ImportBatch)
            .where(m.ImportBatch.sha256 == table.sha256, m.ImportBatch.kind == kind.code)
            .order_by(m.ImportBatch.id)
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
        row = Row(number, {key: cells[i] if i < len(cells) else None for i, key in mapped.items()}, headers, errors)
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
    table = io_files.read_table(data, file_name, options.sheet)
    with engine.connect() as conn:
        return _plan(conn, engine, spec, table, options)[0]


def saved_mappings(conn: Connection, kind: str, signature: str) -> list[tuple[str, dict]]:
    """The mappings saved for files of ``kind`` with these headers, newest first, by source name."""
    rows = conn.execute(
        select(m.ImportMapping.name, m.ImportMapping.mapping)
        .where(m.ImportMapping.kind == kind, m.ImportMapping.headers == signature)
        .order_by(m.ImportMapping.saved_at.desc(), m.ImportMapping.id.desc())
    )
    return [(name, json.loads(text)) for name, text in rows]


def mapping_named(engine: Engine, kind: str, name: str) -> dict[str, str | None] | None:
    """The mapping saved under ``name`` for files of ``kind``, if any."""
    with engine.connect() as conn:
        text = conn.execute(
            select(m.ImportMapping.mapping).where(m.ImportMapping.kind == kind, m.ImportMapping.name == name)
        ).scalar_one_or_none()
    return None if text is None else json.loads(text)


def save_mapping(engine: Engine, plan: ImportPlan, name: str, actor: Actor) -> None:
    """Save the plan's placing of columns under the source's ``name`` (replacing one of that name)."""
    permit = authorize(engine, actor, Deed.IMPORT)
    actor = permit.actor
    try:
        name = rules.text(name)
    except ValueError as exc:
        raise ImportFileError(f"Nom de la source : {exc}") from exc
    if not name:
        raise ImportFileError("Donnez le nom de la source (le partenaire) sous lequel enregistrer la correspondance.")
    values = {
        "kind": plan.kind.code,
        "name": name,
        "headers": plan.signature,
        "mapping": json.dumps(plan.mapping(), ensure_ascii=False),
        "saved_at": clock.now(engine),
        "author": actor.label,
        "account": actor.account,
    }
    with locked_transaction(engine) as conn:
        conn.execute(
            m.ImportMapping.__table__.delete().where(
                m.ImportMapping.kind == plan.kind.code, m.ImportMapping.name == name
            )
        )
        conn.execute(insert(m.ImportMapping).values(values))
        permit.log(conn, f"Correspondance de colonnes « {name} » enregistrée", values["saved_at"])


def apply(engine: Engine, plan: ImportPlan, actor: Actor) -> ImportResult:
    """Back up, then write the whole plan in one transaction; ``ImportFileError`` and nothing written otherwise.

    The gate checks the person, then every row against their scope (a technician's file with one
    row elsewhere is refused whole, naming its rows)."""
    actor, scope = scope_of(engine, actor, Deed.IMPORT)
    plan = replace(plan, options=replace(plan.options, scope=scope))
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
                with locked_transaction(engine) as conn:
                    if write_token(conn) != token:
                        raise _WrittenMeanwhile
                    batch_id = _write(conn, plan, fresh, builder, actor, now, saved)
                break
            except _WrittenMeanwhile:
                continue
        else:  # …others kept writing: validated once more while holding the lock
            with locked_transaction(engine) as conn:
                fresh, builder = _checked(conn, engine, plan)
                batch_id = _write(conn, plan, fresh, builder, actor, now, saved)
    except SQLAlchemyError as exc:
        raise ImportFileError(f"Import annulé : {_refusal(exc)}. Rien n'a été écrit.") from exc
    return ImportResult(fresh.inserted, fresh.updated, fresh.unchanged, fresh.created, saved, batch_id)


class _WrittenMeanwhile(Exception):
    """Someone wrote between the import's validation and its write lock: nothing is written, try again."""


def _write(conn: Connection, plan: ImportPlan, fresh: ImportPlan, builder: Builder, actor: Actor, now, saved) -> int:
    """Write the validated rows, the import's log entry and its journal line; the log entry's id."""
    builder.write(conn, actor.label, now)
    Permit(actor, Deed.IMPORT, "—").log(conn, f"Import de « {plan.table.file_name} » : {fresh.summary()}", now)
    return conn.execute(
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
    ).inserted_primary_key[0]


def _checked(conn: Connection, engine: Engine, plan: ImportPlan) -> tuple[ImportPlan, Builder]:
    """The plan validated again against the database as ``conn`` sees it; refused if it no longer passes."""
    fresh, builder = _plan(conn, engine, plan.kind, plan.table, plan.options)
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
