"""The rows of a ``pg_dump`` custom-format file, read without running anything the file holds.

``pg_restore --list`` gives the file's table of contents. Only its TABLE DATA entries are ever
extracted, one at a time (``pg_restore --file=- --use-list``, which connects to no server), as the
text of a ``COPY … FROM stdin`` block: essdash checks the block's column list against the table it
built itself and sends the data lines to a ``COPY`` statement of its own, which the server parses
as values of each column's type and nothing else. Functions, triggers, constraints, settings,
ownership and grants in the file are never executed; those that essdash never makes (functions,
triggers, views, rules, unknown tables) are named in a refusal: the file is not an intact essdash
backup.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from essdash.domain.errors import BackupError

# Objects a dump of essdash never holds, with their French names.
FOREIGN = {
    "FUNCTION": "fonction",
    "PROCEDURE": "procédure",
    "AGGREGATE": "agrégat",
    "EVENT TRIGGER": "déclencheur d'événement",
    "TRIGGER": "déclencheur",
    "MATERIALIZED VIEW": "vue matérialisée",
    "VIEW": "vue",
    "RULE": "règle",
    "POLICY": "politique d'accès",
    "FOREIGN TABLE": "table étrangère",
    "EXTENSION": "extension",
}
_NAMED_SECOND = {"TRIGGER", "RULE", "POLICY"}  # their tag is « table name »
_DESCRIPTORS = sorted([*FOREIGN, "TABLE DATA", "TABLE"], key=len, reverse=True)
_ENTRY = re.compile(r"^(?P<id>\d+); \d+ \d+ (?P<rest>.+)$")
_IDENT = r'(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)'
_COPY = re.compile(rf"^COPY (?:{_IDENT}\.)?(?P<table>{_IDENT}) \((?P<columns>{_IDENT}(?:, {_IDENT})*)\) FROM stdin;$")
_ENCODING = re.compile(rb"^SET client_encoding = '(?P<name>[^']*)';$")
_ESCAPE = re.compile(rb"\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|(.))", re.DOTALL)
_ESCAPED = {b"b": b"\b", b"f": b"\f", b"n": b"\n", b"r": b"\r", b"t": b"\t", b"v": b"\v"}
END = b"\\.\n"
MAX_SMALL_ROWS = 10_000  # a table read whole in memory (the meta entries) holds fewer rows


@dataclass(frozen=True)
class Contents:
    """What a dump holds: its TABLE DATA entries by table (their lines of the list), and the names
    of what essdash never makes."""

    data: dict[str, str]
    foreign: list[str]


def shown(value: str) -> str:
    """A name from the file for a message: short, harmless characters only."""
    return re.sub(r"[^\w .,;:'()-]", "?", value[:120])


def _unquoted(identifier: str) -> str:
    return identifier[1:-1].replace('""', '"') if identifier.startswith('"') else identifier


def _run(command: list[str], label: str) -> str:
    try:
        done = subprocess.run(command, capture_output=True, check=False)
    except OSError as exc:
        raise BackupError(
            f"Restauration impossible : l'outil PostgreSQL « {command[0]} » est introuvable ({exc})."
        ) from exc
    if done.returncode != 0:
        raise BackupError(f"Restauration depuis « {label} » impossible (pg_restore : {_last_line(done.stderr)}).")
    return done.stdout.decode("utf-8", errors="replace")


def _last_line(stderr: bytes) -> str:
    lines = stderr.decode("utf-8", errors="replace").strip().splitlines()
    return shown(lines[-1]) if lines else "erreur inconnue"


def contents(dump: Path, tables: set[str], label: str) -> Contents:
    """The table of contents of the file ``dump`` (``tables``: the names essdash's tables may have)."""
    data: dict[str, str] = {}
    foreign: set[str] = set()
    for line in _run(["pg_restore", "--list", str(dump)], label).splitlines():
        entry = _ENTRY.match(line)
        kind = next((d for d in _DESCRIPTORS if entry and entry["rest"].startswith(d + " ")), None)
        if kind is None or entry is None:  # a kind is found only in an entry
            continue
        fields = entry["rest"][len(kind) + 1 :].split(" ")
        name = fields[2] if kind in _NAMED_SECOND and len(fields) > 2 else fields[1] if len(fields) > 1 else ""
        name = name.split("(")[0]
        if kind in FOREIGN:
            foreign.add(f"{FOREIGN[kind]} « {shown(name)} »")
        elif name not in tables:
            foreign.add(f"table « {shown(name)} »")
        elif kind == "TABLE DATA":
            if name in data:
                raise BackupError(
                    f"« {label} » contient deux fois les données de la table « {name} » ; elle n'est pas restaurée."
                )
            data[name] = line
    return Contents(data, sorted(foreign))


class _Extract:
    """``pg_restore`` writing the COPY block of one TABLE DATA entry on its standard output."""

    def __init__(self, dump: Path, line: str, work: Path) -> None:
        listing, self.errors = work / "entree.list", work / "pg_restore.err"
        listing.write_text(line + "\n", encoding="utf-8")
        self.err = self.errors.open("wb")
        self.proc = subprocess.Popen(
            ["pg_restore", "--file=-", f"--use-list={listing}", str(dump)], stdout=subprocess.PIPE, stderr=self.err
        )

    def close(self, label: str) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        assert self.proc.stdout is not None
        self.proc.stdout.close()
        failed = self.proc.wait() not in (0, -9)
        self.err.close()
        if failed:
            raise BackupError(
                f"Restauration depuis « {label} » impossible (pg_restore : {_last_line(self.errors.read_bytes())})."
            )


def _header(line: bytes, table: str, columns: list[str], label: str) -> list[str]:
    """The columns of a COPY block's header line, refused unless they are exactly the table's."""
    try:
        match = _COPY.match(line.decode("utf-8").rstrip("\n"))
    except UnicodeDecodeError:
        match = None
    found = [_unquoted(c) for c in re.findall(_IDENT, match["columns"])] if match else []
    if not match or _unquoted(match["table"]) != table or sorted(found) != sorted(columns):
        raise BackupError(
            f"« {label} » : la table « {table} » n'a pas les colonnes d'essdash "
            f"(attendues : {', '.join(columns)} ; trouvées : {shown(', '.join(found)) or 'aucune'})."
        )
    return found


def blocks(dump: Path, line: str, table: str, columns: list[str], work: Path, label: str):
    """The columns of the COPY block of the TABLE DATA entry ``line``, then its data lines (COPY's
    text format, one row each, ending in a line feed): a generator, to be read to its end."""
    extract = _Extract(dump, line, work)
    try:
        assert extract.proc.stdout is not None
        lines = iter(extract.proc.stdout)
        for text in lines:
            encoding = _ENCODING.match(text.rstrip(b"\n"))
            if encoding and encoding["name"].upper() not in (b"UTF8", b"UTF-8", b"SQL_ASCII"):
                raise BackupError(f"« {label} » est encodé en {shown(encoding['name'].decode())} : seul UTF-8 est lu.")
            if text.startswith(b"COPY "):
                yield _header(text, table, columns, label)
                break
        else:
            raise BackupError(f"« {label} » : les données de la table « {table} » ne sont pas au format COPY.")
        for text in lines:
            if text == END:
                break
            yield text
        else:
            raise BackupError(f"« {label} » : les données de la table « {table} » sont tronquées.")
    finally:
        extract.close(label)


def _field(raw: bytes) -> str | None:
    if raw == b"\\N":
        return None

    def unescape(match: re.Match) -> bytes:
        if match[1]:
            return bytes([int(match[1], 8) & 0xFF])
        if match[2]:
            return bytes([int(match[2], 16)])
        return _ESCAPED.get(match[3], match[3])

    return _ESCAPE.sub(unescape, raw).decode("utf-8")


def small_table(dump: Path, line: str, table: str, columns: list[str], work: Path, label: str) -> list[dict]:
    """The rows of a small table (the meta entries), read by essdash itself from the COPY block."""
    read = blocks(dump, line, table, columns, work, label)
    order = next(read)
    rows: list[dict[str, str | None]] = []
    for text in read:
        if len(rows) >= MAX_SMALL_ROWS:
            read.close()
            raise BackupError(f"« {label} » : la table « {table} » a trop de lignes pour une sauvegarde essdash.")
        values = text.rstrip(b"\n").split(b"\t")
        if len(values) != len(order):
            read.close()
            raise BackupError(f"« {label} » : une ligne de la table « {table} » est illisible.")
        try:
            rows.append(dict(zip(order, map(_field, values), strict=True)))
        except UnicodeDecodeError as exc:
            read.close()
            raise BackupError(f"« {label} » : une ligne de la table « {table} » n'est pas en UTF-8.") from exc
    return rows
