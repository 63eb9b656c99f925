"""Spreadsheet files the French way: reading what partners send, writing what Excel opens.

Reading recognises an XLSX workbook by its content (a zip archive), a CSV file's encoding (UTF-8
with or without BOM, UTF-16 with BOM, else Windows-1252) and separator (``;``, tab or ``,``),
and refuses anything else with a French message. Cell parsers accept French habits: « 1 234,50 € »,
« 05/03/2012 », « oui », enumerations by label or code. Writers produce ``;``-separated CSV with
decimal commas and dd/mm/yyyy dates (Windows-1252, or UTF-8 with BOM) and typed XLSX; any text a
spreadsheet would run as a formula is neutralised with a leading apostrophe, which reading removes.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd

from essdash import fmt
from essdash.errors import ImportFileError

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 200
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
REFUSED_STARTS = ("=", "+", "@")
_SIGNATURES = {b"%PDF": "un document PDF", b"\x89PNG": "une image PNG", b"\xff\xd8\xff": "une image JPEG",
               b"GIF8": "une image GIF", b"\x1f\x8b": "une archive gzip", b"SQLite format 3": "une base SQLite",
               b"{\\rtf": "un document RTF", b"\xd0\xcf\x11\xe0": "un classeur Excel 97-2003 (.xls)"}
_MOJIBAKE = re.compile("[ÃÂâ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
                       "\u2013-\u203a\u20ac\u2122]+")
_CSV_ERRORS = {"unexpected end of data": "un guillemet ouvert n'est jamais refermé",
               "expected after": "du texte suit un guillemet fermant",
               "field larger than field limit": "une cellule dépasse 131 072 caractères"}


@dataclass(frozen=True)
class Table:
    """A file's non-empty rows as ``(row number as the spreadsheet shows it, cells)``."""

    file_name: str
    description: str
    sha256: str
    rows: tuple[tuple[int, tuple], ...]


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _trimmed(cells) -> tuple:
    cells = list(cells)
    while cells and _blank(cells[-1]):
        cells.pop()
    return tuple(cells)


def read_table(data: bytes, file_name: str) -> Table:
    """Read a CSV or XLSX file; ``ImportFileError`` (French) if it cannot be read as a table."""
    name = file_name or "fichier sans nom"
    if not data:
        raise ImportFileError(f"Le fichier « {name} » est vide.")
    if len(data) > MAX_BYTES:
        raise ImportFileError(f"Le fichier « {name} » est trop volumineux ({fmt.number(len(data) / 1024 / 1024, 1)} Mo) : "
                              f"{MAX_BYTES // 1024 // 1024} Mo au plus. Découpez-le en plusieurs fichiers.")
    if data.startswith(b"PK\x03\x04"):
        rows, description = _xlsx_rows(data, name)
    else:
        for signature, what in _SIGNATURES.items():
            if data.startswith(signature):
                raise ImportFileError(f"« {name} » est {what}, pas un fichier CSV ni un classeur .xlsx : "
                                      "enregistrez les données au format .xlsx ou CSV.")
        rows, description = _csv_rows(data, name)
    if not rows:
        raise ImportFileError(f"Le fichier « {name} » ne contient aucune donnée.")
    if len(rows) > MAX_ROWS + 1:
        raise ImportFileError(f"Le fichier « {name} » a plus de {fmt.number(MAX_ROWS)} lignes : découpez-le.")
    return Table(name, description, hashlib.sha256(data).hexdigest(), tuple(rows))


def _decode(data: bytes, name: str) -> tuple[str, str]:
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8):].decode("utf-8"), "UTF-8 avec BOM"
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16"), "UTF-16"
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"« {name} » annonce un encodage Unicode mais contient des octets invalides "
                              f"(position {exc.start}).") from exc
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"« {name} » : encodage non reconnu (octet 0x{data[exc.start]:02X} à la position "
                              f"{exc.start}). Enregistrez le fichier en « CSV UTF-8 » ou en « CSV (séparateur : "
                              "point-virgule) ».") from exc


def _sniff(text: str) -> str:
    """The separator that splits the first lines into the most filled cells (median over the lines)."""
    sample = text[:65536].rsplit("\n", 1)[0] if len(text) > 65536 else text
    best, best_score = ";", 1
    for delimiter in (";", "\t", ","):
        rows = [r for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter) if any(c.strip() for c in r)]
        filled = sorted(sum(1 for c in r if c.strip()) for r in rows[:20])
        score = filled[(len(filled) - 1) // 2] if filled else 0
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_rows(data: bytes, name: str) -> tuple[list, str]:
    text, encoding = _decode(data, name)
    if "\x00" in text:
        raise ImportFileError(f"« {name} » n'est pas un tableur : son contenu est binaire.")
    for match in list(_MOJIBAKE.finditer(text))[:50]:
        try:
            fixed = match.group(0).encode("cp1252").decode("utf-8")
        except UnicodeError:
            continue
        raise ImportFileError(f"« {name} » semble mal encodé : on y lit « {match.group(0)} » là où l'on attend "
                              f"« {fixed} ». Enregistrez-le à nouveau en « CSV UTF-8 » depuis le tableur d'origine.")
    delimiter = _sniff(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows = []
    try:
        for number, cells in enumerate(reader, start=1):
            cells = _trimmed(cells)
            if any(not _blank(c) for c in cells):
                if len(cells) > MAX_COLUMNS:
                    raise ImportFileError(f"« {name} », ligne {number} : plus de {MAX_COLUMNS} colonnes.")
                rows.append((number, cells))
                if len(rows) > MAX_ROWS + 1:
                    break
    except csv.Error as exc:
        reason = next((fr for en, fr in _CSV_ERRORS.items() if en in str(exc)), "ligne mal formée")
        raise ImportFileError(f"« {name} », ligne {reader.line_num} : {reason}.") from exc
    separator = {";": "point-virgule", "\t": "tabulation", ",": "virgule"}[delimiter]
    return rows, f"CSV, séparateur {separator}, encodage {encoding}"


def _xlsx_value(value):
    if isinstance(value, datetime):
        return value.date() if value.time() == time(0) else value
    if isinstance(value, (time, timedelta)):
        return str(value)
    return value


def _xlsx_rows(data: bytes, name: str) -> tuple[list, str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" not in names:
                ods = "mimetype" in names and b"spreadsheet" in archive.read("mimetype")[:200]
                what = ("un classeur OpenDocument (.ods)" if ods else
                        "un document Word" if "word/document.xml" in names else "une archive zip")
                raise ImportFileError(f"« {name} » est {what}, pas un classeur .xlsx ni un fichier CSV : "
                                      "enregistrez les données au format .xlsx ou CSV.")
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise ImportFileError(f"« {name} » est trop volumineux une fois décompressé : découpez-le.")
    except zipfile.BadZipFile as exc:
        raise ImportFileError(f"« {name} » est un classeur .xlsx endommagé (archive illisible).") from exc
    import openpyxl

    rows = []
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheets = book.worksheets
            if not sheets:
                raise ImportFileError(f"« {name} » ne contient aucune feuille de calcul.")
            for number, values in enumerate(sheets[0].iter_rows(values_only=True), start=1):
                cells = _trimmed(_xlsx_value(v) for v in values)
                if any(not _blank(c) for c in cells):
                    if len(cells) > MAX_COLUMNS:
                        raise ImportFileError(f"« {name} », ligne {number} : plus de {MAX_COLUMNS} colonnes.")
                    rows.append((number, cells))
                    if len(rows) > MAX_ROWS + 1:
                        break
            title, count = sheets[0].title, len(sheets)
        finally:
            book.close()
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl fails in many ways on malformed workbooks; all mean "unreadable"
        raise ImportFileError(f"« {name} » : classeur .xlsx illisible ({exc.__class__.__name__}).") from exc
    more = f" (la 1re de {count} feuilles)" if count > 1 else ""
    return rows, f"classeur Excel (.xlsx), feuille « {title} »{more}"


def fold(text) -> str:
    """Text reduced for matching: no case, accents, punctuation or units in parentheses."""
    text = re.sub(r"\([^)]*\)", " ", str(text)).replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def is_blank(cell) -> bool:
    return _blank(cell) or (isinstance(cell, float) and math.isnan(cell))


def _shown(cell) -> str:
    return cell.strftime("%d/%m/%Y") if isinstance(cell, date) else str(cell)


def text(cell, *, max_length: int = 200, multiline: bool = False) -> str:
    """A text cell, trimmed; formulas, HTML tags and control characters are refused."""
    if isinstance(cell, bool):
        raise ValueError(f"« {cell} » n'est pas un texte.")
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    value = _shown(cell).replace("\r\n", "\n").replace("\r", "\n").strip()
    value = value if multiline else " ".join(value.split())
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in value):
        raise ValueError("caractères de contrôle refusés.")
    if re.search(r"<[a-zA-Z!/?][^<>]*>", value):
        raise ValueError("les balises HTML sont refusées (texte brut seulement).")
    if value.startswith("'") and value.lstrip("'")[:1] in FORMULA_TRIGGERS:
        value = value[1:]
    elif value.startswith(REFUSED_STARTS):
        raise ValueError(f"le texte commence par « {value[0]} », comme une formule de tableur : refusé. "
                         "Si c'est voulu, faites-le précéder d'une apostrophe (').")
    if len(value) > max_length:
        raise ValueError(f"texte trop long ({fmt.number(len(value))} caractères, {fmt.number(max_length)} au plus).")
    return value


_SPACES = re.compile(r"[\s\u00a0\u202f\u2007\u2009]")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def number(cell) -> float:
    """« 1 234,50 € », « 45 % », « (200) », « 1.234,5 », 1234.5 → a finite float."""
    if isinstance(cell, bool) or isinstance(cell, date):
        raise ValueError(f"« {_shown(cell)} » n'est pas un nombre.")
    if isinstance(cell, (int, float)):
        value = float(cell)
    else:
        raw = str(cell).strip()
        s = raw.replace("\u2212", "-")
        negative = s.startswith("(") and s.endswith(")")
        s = re.sub(r"(?i)(€|eur|euros|%)$", "", s[1:-1] if negative else s).strip()
        s = _SPACES.sub("", s)
        if "," in s and "." in s:
            s = s.replace(".", "").replace(",", ".") if s.rfind(",") > s.rfind(".") else s.replace(",", "")
        elif s.count(",") == 1:
            s = s.replace(",", ".")
        elif re.fullmatch(r"[+-]?\d{1,3}(\.\d{3}){2,}", s):
            s = s.replace(".", "")
        if not _DECIMAL.fullmatch(s):
            raise ValueError(f"« {raw} » n'est pas un nombre.")
        value = -float(s) if negative else float(s)
    if not math.isfinite(value):
        raise ValueError(f"« {cell} » n'est pas un nombre fini.")
    return value


def integer(cell) -> int:
    value = number(cell)
    if not value.is_integer() or abs(value) > 1e12:
        raise ValueError(f"« {_shown(cell)} » n'est pas un nombre entier.")
    return int(value)


_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_EXCEL_EPOCH = date(1899, 12, 30)


def day(cell) -> date:
    """A date: dd/mm/yyyy (or dd-mm-yy, dd.mm.yyyy), yyyy-mm-dd, a date cell, an Excel serial number."""
    if isinstance(cell, datetime):
        value = cell.date()
    elif isinstance(cell, date):
        value = cell
    elif isinstance(cell, (int, float)) and not isinstance(cell, bool):
        if not 1 <= cell <= 80000 or not float(cell).is_integer():
            raise ValueError(f"« {cell} » n'est pas une date (format attendu : jj/mm/aaaa).")
        value = _EXCEL_EPOCH + timedelta(days=int(cell))
    else:
        raw = str(cell).strip()
        if match := _DMY.fullmatch(raw):
            d, m, y = (int(g) for g in match.groups())
            y = y + (2000 if y < 70 else 1900) if len(match.group(3)) == 2 else y
        elif match := _YMD.fullmatch(raw):
            y, m, d = (int(g) for g in match.groups())
        else:
            raise ValueError(f"« {raw} » n'est pas une date (format attendu : jj/mm/aaaa).")
        try:
            value = date(y, m, d)
        except ValueError as exc:
            raise ValueError(f"date impossible : « {raw} ».") from exc
    if not 1900 <= value.year <= 2100:
        raise ValueError(f"date hors des limites : « {value:%d/%m/%Y} ».")
    return value


_TRUE = {"oui", "o", "vrai", "true", "yes", "y", "1", "x"}
_FALSE = {"non", "n", "faux", "false", "no", "0"}


def boolean(cell) -> bool:
    if isinstance(cell, bool):
        return cell
    folded = fold(_shown(int(cell)) if isinstance(cell, float) and cell.is_integer() else _shown(cell))
    if folded in _TRUE | _FALSE:
        return folded in _TRUE
    raise ValueError(f"« {cell} » : attendu « oui » ou « non ».")


def choice(cell, enum, what: str) -> str:
    """The code of a :class:`LabelledEnum` member given by its French label or its code."""
    folded = fold(_shown(cell))
    for member in enum:
        if folded in (fold(member.value), fold(member.label)):
            return member.value
    allowed = ", ".join(member.label for member in enum)
    raise ValueError(f"« {_shown(cell)} » n'est pas {what} connu(e) (valeurs admises : {allowed}).")


_PERIODS = (re.compile(r"(\d{4}) s([12])"), re.compile(r"s([12]) (\d{4})"),
            re.compile(r"([12]) ?(?:er|re|e|eme|nd)? semestre (\d{4})"))


def period(cell) -> str:
    """« 2012-S1 », « S1 2012 », « 1er semestre 2012 » → ``"2012-S1"``."""
    folded = fold(_shown(cell))
    for i, pattern in enumerate(_PERIODS):
        if match := pattern.fullmatch(folded):
            year, half = match.groups() if i == 0 else reversed(match.groups())
            return f"{year}-S{half}"
    raise ValueError(f"« {_shown(cell)} » n'est pas un semestre (format attendu : 2012-S1).")


def neutralise(value: str) -> str:
    """Text that no spreadsheet will run as a formula: a leading apostrophe where needed."""
    return "'" + value if value.lstrip("'")[:1] in FORMULA_TRIGGERS else value


def _missing(value) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, (float, np.floating)) and math.isnan(value))


def csv_cell(value) -> str:
    """One value as French CSV text: decimal comma, dd/mm/yyyy, oui/non, neutralised text."""
    if _missing(value):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "oui" if value else "non"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return np.format_float_positional(float(value), trim="-").replace(".", ",")
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M") if value.time() != time(0) else value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return neutralise(str(value))


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


def xlsx_bytes(frame: pd.DataFrame, title: str) -> bytes:
    """The frame as a one-sheet workbook: bold frozen header, filters, typed numbers and dates."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(re.sub(r"[\[\]:*?/\\]", " ", title)[:31])
    sheet.freeze_panes = "A2"
    for i, column in enumerate(frame.columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(50, max(12, len(str(column)) + 4))

    def cell(value):
        if _missing(value):
            return None
        if isinstance(value, (bool, np.bool_)):
            return "oui" if value else "non"
        if isinstance(value, (int, np.integer)):
            return int(value)
        if isinstance(value, (float, np.floating)):
            return float(value)
        if isinstance(value, date):
            dated = WriteOnlyCell(sheet, value=value)
            dated.number_format = "DD/MM/YYYY" if not isinstance(value, datetime) else "DD/MM/YYYY HH:MM"
            return dated
        return ILLEGAL_CHARACTERS_RE.sub("", neutralise(str(value)))

    header = []
    for column in frame.columns:
        head = WriteOnlyCell(sheet, value=neutralise(str(column)))
        head.font = Font(bold=True)
        header.append(head)
    sheet.append(header)
    for row in frame.itertuples(index=False, name=None):
        sheet.append([cell(v) for v in row])
    if len(frame.columns):
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
