"""Reading one worksheet of an XLSX workbook in bounded time and memory, whatever the file claims.

The worksheet is the one chosen by name, else the first visible one (hidden worksheets are left out unless
chosen); its merged cells are reported so that a merged header can be read as it shows.

An XLSX file is a zip archive of XML parts. A hostile or broken file can declare a worksheet of
16 384 × 1 048 576 cells, hold parts that decompress a thousand times larger than they are, or lie
about their sizes. So the archive's parts are checked before anything is read (total size once
decompressed, compression ratio), each part is streamed with a byte budget, and the worksheet's XML is
parsed event by event (expat): only the cells actually written in the file are visited, the
declared dimension is ignored, and reading stops at the first cell beyond the column limit or the
cell limit. What is kept in memory is bounded as it is read: the shared strings (no more than a
worksheet has cells), each text (the CSV reader's limit), the rows (no more than Excel's). Refusals are
``ImportFileError`` with a French message.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterator
from datetime import datetime
from typing import TypedDict
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel

from essdash.domain import fmt
from essdash.domain.errors import ImportFileError

MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 150
MAX_CELLS = 500_000
MAX_MERGES = 1000  # merged ranges kept (a header has a few)
MAX_SHARED_STRINGS = MAX_CELLS  # a worksheet cannot use more distinct texts than it has cells
MAX_TEXT_CHARS = 131_072  # one cell's text, as for a CSV file
MAX_ROW_ELEMENTS = 1_048_576  # rows written in a worksheet, empty ones included: Excel's own limit
_CHUNK = 1 << 20


def check_archive(archive: zipfile.ZipFile, name: str) -> None:
    """Refuse an archive whose parts would decompress too large, or far larger than they are."""
    infos = archive.infolist()
    if sum(info.file_size for info in infos) > MAX_UNZIPPED_BYTES:
        raise ImportFileError(
            f"« {name} » est trop volumineux une fois décompressé (plus de "
            f"{MAX_UNZIPPED_BYTES // 1024 // 1024} Mio) : découpez-le."
        )
    for info in infos:
        if info.file_size > _CHUNK and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ImportFileError(
                f"« {name} » est anormalement compressé (la partie « {info.filename} » se décompresse "
                f"{fmt.number(info.file_size / max(info.compress_size, 1))} fois plus grosse) : il ne peut "
                "pas être lu. Enregistrez-le à nouveau depuis le tableur."
            )


class _Budget:
    """The bytes that may still be decompressed from the archive, shared by all its parts."""

    def __init__(self) -> None:
        self.left = MAX_UNZIPPED_BYTES

    def chunks(self, archive: zipfile.ZipFile, part: str, name: str) -> Iterator[bytes]:
        with archive.open(part) as stream:
            while chunk := stream.read(_CHUNK):
                self.left -= len(chunk)
                if self.left < 0:
                    raise ImportFileError(f"« {name} » est trop volumineux une fois décompressé : découpez-le.")
                yield chunk


def _local(name: str) -> str:
    """A tag or attribute name without its namespace prefix (``x:row`` → ``row``)."""
    return name.rpartition(":")[2]


def _parse(chunks: Iterator[bytes], start, end, text=None) -> Iterator[None]:
    """Feed the chunks to expat (names keep their prefixes); yields after each chunk so callers can stop early."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    for chunk in chunks:
        parser.Parse(chunk, False)
        yield
    parser.Parse(b"", True)
    yield


def _drain(parsing: Iterator[None]) -> None:
    for _ in parsing:
        pass


def _worksheet(
    archive: zipfile.ZipFile, budget: _Budget, name: str, chosen: str | None
) -> tuple[str, str, bool, tuple[str, ...]]:
    """The chosen (else first visible) worksheet's description and part, whether dates count from 1904,
    and the names of the visible worksheets."""
    worksheets, date1904 = [], [False]

    def start(tag, attrs):
        tag = _local(tag)
        if tag == "sheet":
            rid = next((v for k, v in attrs.items() if _local(k) == "id"), None)
            worksheets.append((attrs.get("name", ""), rid, attrs.get("state", "visible") != "visible"))
        elif tag == "workbookPr":
            date1904[0] = attrs.get("date1904", "0").lower() in ("1", "true")

    _drain(_parse(budget.chunks(archive, "xl/workbook.xml", name), start, lambda tag: None))
    if not worksheets:
        raise ImportFileError(f"« {name} » ne contient aucune feuille de calcul.")
    targets = {}

    def relation(tag, attrs):
        if _local(tag) == "Relationship":
            targets[attrs.get("Id")] = attrs.get("Target", "")

    if "xl/_rels/workbook.xml.rels" in archive.namelist():
        _drain(_parse(budget.chunks(archive, "xl/_rels/workbook.xml.rels", name), relation, lambda tag: None))
    visible = tuple(title for title, _, hidden in worksheets if not hidden)
    if chosen is not None:
        found = [(title, rid) for title, rid, _ in worksheets if title == chosen]
        if not found:
            names = ", ".join(f"« {title} »" for title in visible)
            raise ImportFileError(f"« {name} » n'a pas de feuille « {chosen} » (feuilles : {names}).")
        title, rid = found[0]
    elif visible:
        title, rid = next((title, rid) for title, rid, hidden in worksheets if not hidden)
    else:
        raise ImportFileError(f"« {name} » ne contient aucune feuille visible.")
    target = targets.get(rid, "worksheets/sheet1.xml")
    part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    if part not in archive.namelist():
        raise ImportFileError(f"« {name} » est un classeur .xlsx endommagé : la feuille « {title} » est introuvable.")
    hidden = [t for t, _, h in worksheets if h]
    more = [f"{len(visible)} feuilles visibles"] if len(visible) > 1 else []
    more += [f"masquée{'s' if len(hidden) > 1 else ''} : " + ", ".join(f"« {t} »" for t in hidden)] if hidden else []
    return f"feuille « {title} »" + (f" ({' ; '.join(more)})" if more else ""), part, date1904[0], visible


def _too_long(name: str) -> ImportFileError:
    return ImportFileError(
        f"« {name} » : une cellule dépasse {fmt.number(MAX_TEXT_CHARS)} caractères ; ce classeur ne peut pas "
        "être lu. Raccourcissez ce texte ou découpez-le."
    )


class _StringsState(TypedDict):
    """Where the reading of the shared strings is: the text parts of the current string (None between
    strings), inside a text element or not, how deep in phonetic runs (skipped), and the string's length."""

    parts: list[str] | None
    in_t: bool
    skip: int
    length: int


def _shared_strings(archive: zipfile.ZipFile, budget: _Budget, name: str) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    strings: list[str] = []
    state: _StringsState = {"parts": None, "in_t": False, "skip": 0, "length": 0}

    def start(tag, attrs):
        tag = _local(tag)
        if tag == "si":
            if len(strings) >= MAX_SHARED_STRINGS:
                raise ImportFileError(
                    f"« {name} » contient plus de {fmt.number(MAX_SHARED_STRINGS)} textes différents : "
                    "enregistrez la feuille à importer seule dans un classeur, ou découpez-la."
                )
            state["parts"], state["length"] = [], 0
        elif tag in ("rPh", "phoneticPr"):
            state["skip"] += 1
        elif tag == "t" and not state["skip"]:
            state["in_t"] = True

    def end(tag):
        tag = _local(tag)
        if tag == "si":
            strings.append("".join(state["parts"] or ()))
            state["parts"] = None
        elif tag in ("rPh", "phoneticPr"):
            state["skip"] -= 1
        elif tag == "t":
            state["in_t"] = False

    def text(data):
        if state["in_t"] and state["parts"] is not None:
            state["parts"].append(data)
            state["length"] += len(data)
            if state["length"] > MAX_TEXT_CHARS:
                raise _too_long(name)

    _drain(_parse(budget.chunks(archive, "xl/sharedStrings.xml", name), start, end, text))
    return strings


def _date_styles(archive: zipfile.ZipFile, budget: _Budget, name: str) -> set[int]:
    """The indexes of the cell styles whose number format shows a date or a time."""
    if "xl/styles.xml" not in archive.namelist():
        return set()
    custom: dict[int, str] = {}
    formats: list[int] = []
    inside = {"cellXfs": False}

    def start(tag, attrs):
        tag = _local(tag)
        if tag == "numFmt" and attrs.get("numFmtId", "").isdigit():
            custom[int(attrs["numFmtId"])] = attrs.get("formatCode", "")
        elif tag == "cellXfs":
            inside["cellXfs"] = True
        elif tag == "xf" and inside["cellXfs"]:
            number = attrs.get("numFmtId", "0")
            formats.append(int(number) if number.isdigit() else 0)

    def end(tag):
        if _local(tag) == "cellXfs":
            inside["cellXfs"] = False

    _drain(_parse(budget.chunks(archive, "xl/styles.xml", name), start, end))
    return {
        index
        for index, number in enumerate(formats)
        if is_date_format(custom.get(number, BUILTIN_FORMATS.get(number, "General")))
    }


def _number(text: str):
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


class _SheetReader:
    """Turns the worksheet's XML events into ``(row number, cells)`` for the rows that hold a value.

    The handlers run once per XML event, so they keep to plain attributes and cached lookups."""

    def __init__(self, name, strings, dates, epoch, max_columns):
        self.name, self.strings, self.dates, self.epoch, self.max_columns = name, strings, dates, epoch, max_columns
        self.ready: list[tuple[int, tuple]] = []
        self.tags: dict[str, str] = {}
        self.columns: dict[str, int] = {}
        self.row_number = self.column = self.count = self.row_count = self.length = 0
        self.cells: dict[int, object] = {}
        self.in_cell = False
        self.kind = self.style = self.raw = None
        self.inline: list[str] = []
        self.text: list[str] | None = None
        self.merges: list[str] = []
        self.inlined: dict[str, str] = {}  # one string per distinct inline text, as shared strings are

    def _tag(self, name: str) -> str:
        tag = self.tags.get(name)
        if tag is None:
            tag = self.tags[name] = _local(name)
        return tag

    def _column_of(self, reference: str) -> int:
        letters = reference.rstrip("0123456789")
        column = self.columns.get(letters)
        if column is None:
            column = 0
            for letter in letters.upper():
                column = column * 26 + ord(letter) - 64 if "A" <= letter <= "Z" else column
            self.columns[letters] = column
        return column

    def start(self, name, attrs):
        tag = self.tags.get(name) or self._tag(name)
        if tag == "c":
            self.count += 1
            if self.count > MAX_CELLS:
                raise ImportFileError(
                    f"« {self.name} » contient plus de {fmt.number(MAX_CELLS)} cellules : découpez-le."
                )
            reference = attrs.get("r")
            self.column = self._column_of(reference) if reference else self.column + 1
            self.kind, self.style, self.raw, self.in_cell = attrs.get("t", "n"), attrs.get("s"), None, True
            if self.inline:
                self.inline = []
        elif tag == "v" or tag == "t":
            if self.in_cell:
                self.text, self.length = [], 0
        elif tag == "row":
            self.row_count += 1
            if self.row_count > MAX_ROW_ELEMENTS:
                raise ImportFileError(
                    f"« {self.name} » déclare plus de {fmt.number(MAX_ROW_ELEMENTS)} lignes, plus qu'une feuille "
                    "Excel n'en peut contenir : il ne peut pas être lu."
                )
            reference = attrs.get("r", "")
            self.row_number = int(reference) if reference.isdigit() else self.row_number + 1
            self.cells, self.column = {}, 0
        elif tag == "mergeCell" and len(self.merges) < MAX_MERGES:
            self.merges.append(attrs.get("ref", ""))

    def end(self, name):
        tag = self.tags.get(name) or self._tag(name)
        if tag == "c":
            self.in_cell = False
            value = self._value()
            if value is not None and not (value.__class__ is str and not value.strip()):
                if self.column > self.max_columns:
                    raise ImportFileError(
                        f"« {self.name} », ligne {self.row_number} : plus de {self.max_columns} colonnes."
                    )
                self.cells[self.column] = value
        elif tag == "v" or tag == "t":
            if self.text is not None:
                if tag == "v":
                    self.raw = "".join(self.text)
                else:
                    self.inline.append("".join(self.text))
                self.text = None
        elif tag == "row":
            if self.cells:
                width = max(self.cells)
                self.ready.append((self.row_number, tuple(self.cells.get(i) for i in range(1, width + 1))))
            self.cells = {}

    def characters(self, data):
        if self.text is not None:
            self.text.append(data)
            self.length += len(data)
            if self.length > MAX_TEXT_CHARS:
                raise _too_long(self.name)

    def _value(self):
        kind, raw = self.kind, self.raw
        if kind == "inlineStr":
            text = "".join(self.inline)
            return self.inlined.setdefault(text, text)
        if raw is None:
            return None
        if kind == "n":
            value = _number(raw)
            if self.style is not None and self.dates and isinstance(value, (int, float)):
                style = int(self.style) if self.style.isdigit() else 0
                if style in self.dates:
                    try:
                        return from_excel(value, self.epoch)
                    except (ValueError, OverflowError):
                        return value
            return value
        if kind == "s":
            index = int(raw) if raw.strip().isdigit() else -1
            return self.strings[index] if 0 <= index < len(self.strings) else None
        if kind == "b":
            return raw.strip() in ("1", "true")
        if kind == "d":
            try:
                return datetime.fromisoformat(raw)
            except ValueError:
                return raw
        return raw


class Worksheet:
    """One worksheet being read: its rows (lazily), its description, the workbook's visible worksheets, and,
    once the rows are read, its merged ranges as ``(first row, first column, last row, last column)``."""

    def __init__(self, rows: Iterator[tuple[int, tuple]], description: str, names: tuple[str, ...], reader):
        self.rows, self.description, self.names, self._reader = rows, description, names, reader

    def merges(self) -> list[tuple[int, int, int, int]]:
        found = []
        for ref in self._reader.merges:
            first, _, last = ref.partition(":")
            try:
                (c1, r1), (c2, r2) = (_split(first), _split(last or first))
            except ValueError:
                continue
            found.append((r1, c1, r2, c2))
        return found


def _split(reference: str) -> tuple[int, int]:
    """« B3 » → ``(2, 3)`` (column, row), both counted from 1."""
    letters = reference.rstrip("0123456789")
    if not letters or not letters.isalpha() or len(letters) > 3:
        raise ValueError(reference)
    column = 0
    for letter in letters.upper():
        column = column * 26 + ord(letter) - 64
    return column, int(reference[len(letters) :])


def worksheet_rows(archive: zipfile.ZipFile, name: str, max_columns: int, chosen: str | None = None) -> Worksheet:
    """A worksheet's non-empty rows (lazily) and what describes it; refusals as ``ImportFileError``."""
    check_archive(archive, name)
    budget = _Budget()
    description, part, date1904, names = _worksheet(archive, budget, name, chosen)
    strings = _shared_strings(archive, budget, name)
    dates = _date_styles(archive, budget, name)
    reader = _SheetReader(name, strings, dates, MAC_EPOCH if date1904 else WINDOWS_EPOCH, max_columns)

    def rows() -> Iterator[tuple[int, tuple]]:
        for _ in _parse(budget.chunks(archive, part, name), reader.start, reader.end, reader.characters):
            yield from reader.ready
            reader.ready.clear()

    return Worksheet(rows(), description, names, reader)
