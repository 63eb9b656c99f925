"""Spreadsheet files: reading what partners send (CSV or XLSX), writing what Excel opens.

Reading recognises an XLSX workbook by its content (a zip archive), a CSV file's encoding (UTF-8
with or without BOM, UTF-16 with BOM, else Windows-1252) and separator (``;``, tab or ``,``), and
refuses anything else — empty, too large, binary, badly encoded, badly quoted — with a French
message. What a reading may cost is bounded before the work is done: the file's size, its line
breaks, each line's length and the cells kept (and, for a workbook, :mod:`.workbook`'s budgets), so
that no file within the size limit takes more than a few seconds or a few tens of megabytes.
Writing produces ``;``-separated CSV with French cells (Windows-1252, or UTF-8 with BOM)
and typed XLSX workbooks; see :mod:`essdash.spreadsheet.cells` for the cells themselves.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd

from essdash.domain import fmt, limits
from essdash.domain.errors import ImportFileError
from essdash.spreadsheet import workbook
from essdash.spreadsheet.cells import csv_cell, is_blank, missing, neutralise

MAX_BYTES = limits.IMPORT_BYTES
MAX_ROWS = 100_000
MAX_COLUMNS = 200
MAX_LINE_BREAKS = 10 * MAX_ROWS  # blank lines and line breaks inside quoted cells included
MAX_LINE_CHARS = 1 << 20  # one physical line of a CSV file; 200 columns of 5 000 characters fit
MAX_CELLS_KEPT = 4_000_000  # over the whole file, a row's trailing empty cells left out
_SIGNATURES = {
    b"%PDF": "un document PDF",
    b"\x89PNG": "une image PNG",
    b"\xff\xd8\xff": "une image JPEG",
    b"GIF8": "une image GIF",
    b"\x1f\x8b": "une archive gzip",
    b"SQLite format 3": "une base SQLite",
    b"{\\rtf": "un document RTF",
    b"\xd0\xcf\x11\xe0": "un classeur Excel 97-2003 (.xls)",
}
_MOJIBAKE = re.compile(
    "[ÃÂâ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]+"
)
_CSV_ERRORS = {
    "unexpected end of data": "un guillemet ouvert n'est jamais refermé",
    "expected after": "du texte suit un guillemet fermant",
    "field larger than field limit": "une cellule dépasse 131 072 caractères",
}


MERGED_HEADER_ROWS = 30  # merged cells are spread over their range in the first rows only (headers)


@dataclass(frozen=True)
class Table:
    """A file's non-empty rows as ``(row number as the spreadsheet shows it, cells)``; for a workbook,
    its visible worksheets and the rows where a merged cell spans several columns (a header's group)."""

    file_name: str
    description: str
    sha256: str
    rows: tuple[tuple[int, tuple], ...]
    worksheets: tuple[str, ...] = ()
    merged: frozenset[int] = frozenset()


def _trimmed(cells) -> tuple:
    cells = list(cells)
    while cells and is_blank(cells[-1]):
        cells.pop()
    return tuple(cells)


def read_table(data: bytes, file_name: str, worksheet: str | None = None) -> Table:
    """Read a CSV or XLSX file (of a workbook, the ``worksheet`` named, else the first visible one);
    ``ImportFileError`` (French) if it cannot be read as a table."""
    name = file_name or "fichier sans nom"
    if not data:
        raise ImportFileError(f"Le fichier « {name} » est vide.")
    if len(data) > MAX_BYTES:
        size = fmt.number(len(data) / 1024 / 1024, 1)
        raise ImportFileError(
            f"Le fichier « {name} » est trop volumineux ({size} Mio) : "
            f"{limits.at_most(MAX_BYTES // limits.MIB)}. Découpez-le en plusieurs fichiers."
        )
    worksheets: tuple[str, ...] = ()
    merged: frozenset[int] = frozenset()
    if data.startswith(b"PK\x03\x04"):
        rows, description, worksheets, merged = _xlsx_rows(data, name, worksheet)
    else:
        for signature, what in _SIGNATURES.items():
            if data.startswith(signature):
                raise ImportFileError(
                    f"« {name} » est {what}, pas un fichier CSV ni un classeur .xlsx : "
                    "enregistrez les données au format .xlsx ou CSV."
                )
        rows, description = _csv_rows(data, name)
    if not rows:
        raise ImportFileError(f"Le fichier « {name} » ne contient aucune donnée.")
    if len(rows) > MAX_ROWS + 1:
        raise ImportFileError(f"Le fichier « {name} » a plus de {fmt.number(MAX_ROWS)} lignes : découpez-le.")
    return Table(name, description, hashlib.sha256(data).hexdigest(), tuple(rows), worksheets, merged)


def _decode(data: bytes, name: str) -> tuple[str, str]:
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "UTF-8 avec BOM"
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16"), "UTF-16"
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"« {name} » annonce un encodage Unicode mais contient des octets invalides (position {exc.start})."
        ) from exc
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"« {name} » : encodage non reconnu (octet 0x{data[exc.start]:02X} à la position "
            f"{exc.start}). Enregistrez le fichier en « CSV UTF-8 » ou en « CSV (séparateur : "
            "point-virgule) »."
        ) from exc


def _sniff(text: str) -> str:
    """The separator that splits the first lines into the most filled cells (median over the lines)."""
    sample = text[:65536].rsplit("\n", 1)[0] if len(text) > 65536 else text
    best, best_score = ";", 1
    for delimiter in (";", "\t", ","):
        try:
            rows = [
                r for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter) if any(c.strip() for c in r)
            ]
        except csv.Error:
            continue
        filled = sorted(sum(1 for c in r if c.strip()) for r in rows[:20])
        score = filled[(len(filled) - 1) // 2] if filled else 0
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_rows(data: bytes, name: str) -> tuple[list, str]:
    text, encoding = _decode(data, name)
    if "\x00" in text:
        raise ImportFileError(f"« {name} » n'est pas un tableur : son contenu est binaire.")
    _check_lines(text, name)
    for match in itertools.islice(_MOJIBAKE.finditer(text), 50):
        try:
            fixed = match.group(0).encode("cp1252").decode("utf-8")
        except UnicodeError:
            continue
        raise ImportFileError(
            f"« {name} » semble mal encodé : on y lit « {match.group(0)} » là où l'on attend "
            f"« {fixed} ». Enregistrez-le à nouveau en « CSV UTF-8 » depuis le tableur "
            "d'origine."
        )
    delimiter = _sniff(text)
    reader = csv.reader(_bounded_lines(text, name), delimiter=delimiter, strict=True)
    shared: dict[str, str] = {}  # one string per distinct cell: a file repeats its communes, steps, dates…
    try:
        rows = _filled_rows(
            (
                (number, _trimmed([shared.setdefault(c, c) for c in cells]))
                for number, cells in enumerate(reader, start=1)
            ),
            name,
        )
    except csv.Error as exc:
        reason = next((fr for en, fr in _CSV_ERRORS.items() if en in str(exc)), "ligne mal formée")
        raise ImportFileError(f"« {name} », ligne {reader.line_num} : {reason}.") from exc
    separator = {";": "point-virgule", "\t": "tabulation", ",": "virgule"}[delimiter]
    return rows, f"CSV, séparateur {separator}, encodage {encoding}"


def _check_lines(text: str, name: str) -> None:
    """Refuse a text of too many line breaks before any line is read (three passes in C)."""
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    if breaks > MAX_LINE_BREAKS:
        raise ImportFileError(
            f"« {name} » compte {fmt.number(breaks)} retours à la ligne, plus de {fmt.number(MAX_LINE_BREAKS)} "
            "(lignes vides comprises) : ce n'est pas un tableau lisible. Découpez-le ou enregistrez-le à nouveau."
        )


def _bounded_lines(text: str, name: str):
    """The text's lines with their ends (``\r\n``, ``\r`` or ``\n``) for the CSV reader, as
    ``io.StringIO(newline="")`` gives them but without its copy of the text four bytes a character;
    a line too long is refused before it is copied or split into cells."""
    size, start, number = len(text), 0, 0
    cr, lf = text.find("\r"), text.find("\n")
    while start < size:
        if -1 < cr < start:
            cr = text.find("\r", start)
        if -1 < lf < start:
            lf = text.find("\n", start)
        end = min((p for p in (cr, lf) if p != -1), default=size - 1) + 1
        if end < size and text[end - 1] == "\r" and text[end] == "\n":
            end += 1
        number += 1
        if end - start > MAX_LINE_CHARS:
            raise ImportFileError(
                f"« {name} », ligne {number} : plus de {fmt.number(MAX_LINE_CHARS)} caractères sur une seule "
                "ligne. Ce n'est pas un tableau lisible : enregistrez-le à nouveau depuis le tableur."
            )
        yield text[start:end]
        start = end


def _filled_rows(numbered, name: str) -> list:
    """The ``(line number, cells)`` pairs that hold something, up to the row limit (plus one, to tell)."""
    rows, kept = [], 0
    for number, cells in numbered:
        if any(not is_blank(c) for c in cells):
            if len(cells) > MAX_COLUMNS:
                raise ImportFileError(f"« {name} », ligne {number} : plus de {MAX_COLUMNS} colonnes.")
            kept += len(cells)
            if kept > MAX_CELLS_KEPT:
                raise ImportFileError(
                    f"« {name} » contient plus de {fmt.number(MAX_CELLS_KEPT)} cellules (ligne {number}) : découpez-le."
                )
            rows.append((number, cells))
            if len(rows) > MAX_ROWS + 1:
                break
    return rows


_PLAIN = frozenset({str, int, float, bool, type(None)})  # cell values kept as they are read


def _xlsx_value(value):
    if isinstance(value, datetime):
        return value.date() if value.time() == time(0) else value
    if isinstance(value, (time, timedelta)):
        return str(value)
    return value


def _spread_merges(rows: list, merges: list[tuple[int, int, int, int]]) -> tuple[list, frozenset[int]]:
    """Header rows as they show: a merged cell's value in every cell of its range (first rows only),
    and the rows where a merged cell spans several columns."""
    merges = [m for m in merges if m[0] <= MERGED_HEADER_ROWS and m[3] - m[1] < MAX_COLUMNS]
    if not merges:
        return rows, frozenset()
    by_number = {number: list(cells) for number, cells in rows if number <= MERGED_HEADER_ROWS}
    spanning = set()
    for r1, c1, r2, c2 in merges:
        value = by_number.get(r1, [])[c1 - 1] if c1 - 1 < len(by_number.get(r1, [])) else None
        if value is None or (r1, c1) == (r2, c2):
            continue
        if c2 > c1:
            spanning.add(r1)
        for number in range(r1, min(r2, MERGED_HEADER_ROWS) + 1):
            cells = by_number.setdefault(number, [])
            cells.extend([None] * (c2 - len(cells)))
            for column in range(c1, c2 + 1):
                cells[column - 1] = value
    known = {number for number, _ in rows}
    spread = [(number, tuple(by_number[number]) if number in by_number else cells) for number, cells in rows]
    spread += [(number, tuple(cells)) for number, cells in by_number.items() if number not in known]
    return sorted(spread, key=lambda r: r[0]), frozenset(spanning)


def _workbook_rows(data: bytes, name: str, chosen: str | None) -> tuple[list, str, tuple[str, ...], frozenset[int]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names:
            ods = "mimetype" in names and b"spreadsheet" in archive.open("mimetype").read(200)
            what = (
                "un classeur OpenDocument (.ods)"
                if ods
                else "un document Word"
                if "word/document.xml" in names
                else "une archive zip"
            )
            raise ImportFileError(
                f"« {name} » est {what}, pas un classeur .xlsx ni un fichier CSV : "
                "enregistrez les données au format .xlsx ou CSV."
            )
        worksheet = workbook.worksheet_rows(archive, name, MAX_COLUMNS, chosen)
        filled = _filled_rows(
            (
                (number, _trimmed([v if v.__class__ in _PLAIN else _xlsx_value(v) for v in cells]))
                for number, cells in worksheet.rows
            ),
            name,
        )
        filled, merged = _spread_merges(filled, worksheet.merges())
        return filled, f"classeur Excel (.xlsx), {worksheet.description}", worksheet.names, merged


def _xlsx_rows(data: bytes, name: str, chosen: str | None) -> tuple[list, str, tuple[str, ...], frozenset[int]]:
    try:
        return _workbook_rows(data, name, chosen)
    except ImportFileError:
        raise
    except Exception as exc:  # zip, zlib and expat fail in many ways on damaged files; all mean "unreadable"
        raise ImportFileError(f"« {name} » est un classeur .xlsx endommagé ou illisible.") from exc


def csv_bytes(frame: pd.DataFrame, *, utf8: bool = False) -> tuple[bytes, str]:
    """The frame as ``;``-separated CSV; Windows-1252 unless ``utf8`` or a character needs UTF-8 (with BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(str(c)) for c in frame.columns])
    writer.writerows([csv_cell(v) for v in row] for row in frame.itertuples(index=False, name=None))
    content = buffer.getvalue()
    if not utf8:
        try:
            return content.encode("cp1252"), "Windows-1252"
        except UnicodeEncodeError:
            pass
    return content.encode("utf-8-sig"), "UTF-8"


XLSX_WIDTHS = (8, 60)  # a column's width in characters, whatever its header and cells


def _shown_width(text: str) -> int:
    """The characters a cell's text takes on its widest line."""
    return max(map(len, text.splitlines()), default=0)


def column_width(header: str, values: pd.Series) -> int:
    """The width that shows a column's header and its widest cell (as Excel shows them: French
    numbers, dd/mm/yyyy, oui/non), with a margin for the filter button, within :data:`XLSX_WIDTHS`."""
    widest = max((_shown_width(csv_cell(v)) for v in values), default=0)
    low, high = XLSX_WIDTHS
    return min(high, max(low, _shown_width(neutralise(header)) + 4, widest + 2))


def xlsx_bytes(frame: pd.DataFrame, title: str) -> bytes:
    """The frame as a one-worksheet workbook readable as soon as it opens: columns as wide as their
    header and cells, bold frozen header, filters over every row, typed numbers and dates."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    worksheet = book.create_sheet(re.sub(r"[\[\]:*?/\\]", " ", title)[:31])
    worksheet.freeze_panes = "A2"
    for i, column in enumerate(frame.columns, start=1):
        worksheet.column_dimensions[get_column_letter(i)].width = column_width(str(column), frame.iloc[:, i - 1])

    def cell(value):
        if missing(value):
            return None
        if isinstance(value, (bool, np.bool_)):
            return "oui" if value else "non"
        if isinstance(value, (int, np.integer)):
            return int(value)
        if isinstance(value, (float, np.floating)):
            return float(value)
        if isinstance(value, date):
            dated = WriteOnlyCell(worksheet, value=value)
            dated.number_format = "DD/MM/YYYY" if not isinstance(value, datetime) else "DD/MM/YYYY HH:MM"
            return dated
        return ILLEGAL_CHARACTERS_RE.sub("", neutralise(str(value)))

    header = []
    for column in frame.columns:
        head = WriteOnlyCell(worksheet, value=neutralise(str(column)))
        head.font = Font(bold=True)
        header.append(head)
    worksheet.append(header)
    for row in frame.itertuples(index=False, name=None):
        worksheet.append([cell(v) for v in row])
    if len(frame.columns):
        worksheet.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
