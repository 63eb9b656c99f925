"""Files within the size limit that used to cost seconds and hundreds of megabytes, built in code:
each is refused with its French message, and the memory the reading took (``tracemalloc``'s peak,
counted from after the file is built) stays within a budget. No stopwatch: the work is bounded by
refusing before it is done, and the message says which bound held.

On main before these budgets: the XLSX of 5,5 M shared strings took +350 MB, the « Ã© » CSV
+700 MB, the line of « ; » +630 MB, and the CSV of ``\\r`` alone read 19 M empty lines.
"""

from __future__ import annotations

import io
import random
import tracemalloc
import zipfile

import pytest

from essdash.domain.errors import ImportFileError
from essdash.spreadsheet import files as io_files
from essdash.spreadsheet import workbook
from tests.spreadsheet.test_hostile_files import _RELS, _WORKBOOK

MB = 1_000_000
BUDGET = 200 * MB  # what one reading may take on top of the file itself
NEAR_LIMIT = 19 * 1024 * 1024  # within the import's 20 MiB

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _xlsx(sheet_data: str, shared: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _RELS)
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}"><sheetData>{sheet_data}'
            "</sheetData></worksheet>",
        )
        if shared is not None:
            archive.writestr("xl/sharedStrings.xml", shared)
    return buffer.getvalue()


def _read_measured(data: bytes, name: str):
    """What reading ``data`` gives (its table, or the refusal) and the peak of memory it took."""
    tracemalloc.start()
    try:
        try:
            outcome = io_files.read_table(data, name)
        except ImportFileError as exc:
            outcome = exc
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return outcome, peak


def _many_shared_strings(count: int) -> bytes:
    """A sharedStrings part of ``count`` two-letter strings, random enough that it compresses only
    some ten times (the archive check refuses a part that compresses more than 150 times)."""
    letters = "abcdefghijklmnop"
    items = [f"<si><t>{letters[b >> 4]}{letters[b & 15]}</t></si>".encode() for b in range(256)]
    body = b"".join(items[b] for b in random.Random(7).randbytes(count))
    head = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}" count="{count}" uniqueCount="{count}">'
    return head.encode() + body + b"</sst>"


def test_a_workbook_of_five_million_shared_strings_and_one_row_is_refused_within_budget():
    data = _xlsx('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', _many_shared_strings(5_500_000))
    assert len(data) < io_files.MAX_BYTES
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # within the archive's own checks, so they pass
        workbook.check_archive(archive, "chaines.xlsx")
    outcome, peak = _read_measured(data, "chaines.xlsx")
    assert isinstance(outcome, ImportFileError)
    assert str(outcome) == (
        "« chaines.xlsx » contient plus de 500\u202f000 textes différents : enregistrez la feuille à importer "
        "seule dans un classeur, ou découpez-la."
    )
    assert peak < BUDGET


def test_a_csv_of_mojibake_repeated_to_the_size_limit_is_refused_at_its_first_pair_within_budget():
    data = "Ã©".encode() * (NEAR_LIMIT // 4)
    outcome, peak = _read_measured(data, "accents.csv")
    assert isinstance(outcome, ImportFileError)
    assert "semble mal encodé : on y lit « Ã© » là où l'on attend « é »" in str(outcome)
    assert peak < BUDGET


def test_one_line_of_separators_to_the_size_limit_is_refused_before_it_is_split_within_budget():
    outcome, peak = _read_measured(b";" * NEAR_LIMIT, "points-virgules.csv")
    assert isinstance(outcome, ImportFileError)
    assert str(outcome) == (
        "« points-virgules.csv », ligne 1 : plus de 1\u202f048\u202f576 caractères sur une seule ligne. "
        "Ce n'est pas un tableau lisible : enregistrez-le à nouveau depuis le tableur."
    )
    assert peak < BUDGET


@pytest.mark.parametrize("breaks", ["\r", "\n", "\r\n"])
def test_a_csv_of_line_breaks_only_is_refused_before_any_line_is_read(breaks):
    count = NEAR_LIMIT // len(breaks)
    outcome, peak = _read_measured(breaks.encode() * count, "vide.csv")
    assert isinstance(outcome, ImportFileError)
    assert str(outcome).startswith(f"« vide.csv » compte {count:,} retours à la ligne".replace(",", "\u202f"))
    assert "plus de 1\u202f000\u202f000 (lignes vides comprises)" in str(outcome)
    assert peak < BUDGET


def test_a_file_just_within_the_line_bounds_is_read():
    long_cell = "x" * 100_000  # within the CSV reader's 131 072 characters a cell
    blank_lines = "\r\n" * 5_000
    text = f"Nom;Commune\r\n{long_cell};Lille\r\n{blank_lines}Le Panier;Roubaix\r\n"
    table = io_files.read_table(text.encode(), "porteurs.csv")
    assert [cells for _, cells in table.rows] == [("Nom", "Commune"), (long_cell, "Lille"), ("Le Panier", "Roubaix")]
    assert [number for number, _ in table.rows] == [1, 2, 5_003]


def test_a_csv_keeping_too_many_cells_is_refused(monkeypatch):
    monkeypatch.setattr(io_files, "MAX_CELLS_KEPT", 10)
    data = b"a;b;c\r\n" * 4  # 12 cells
    with pytest.raises(
        ImportFileError, match=r"^« cellules.csv » contient plus de 10 cellules \(ligne 4\) : découpez-le\.$"
    ):
        io_files.read_table(data, "cellules.csv")
    assert len(io_files.read_table(b"a;b;c\r\n" * 3, "cellules.csv").rows) == 3


def test_a_workbook_cell_longer_than_a_csv_cell_is_refused_as_it_is_read():
    limit = workbook.MAX_TEXT_CHARS
    fits = _xlsx(f'<row r="1"><c r="A1" t="inlineStr"><is><t>{"y" * limit}</t></is></c></row>')
    assert io_files.read_table(fits, "long.xlsx").rows == ((1, ("y" * limit,)),)
    inline = _xlsx(f'<row r="1"><c r="A1" t="inlineStr"><is><t>{"y" * (limit + 1)}</t></is></c></row>')
    shared = _xlsx(
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row>',
        f'<sst xmlns="{_MAIN}"><si><r><t>{"y" * limit}</t></r><r><t>z</t></r></si></sst>'.encode(),
    )
    for data in (inline, shared):
        with pytest.raises(ImportFileError, match=r"une cellule dépasse 131\u202f072 caractères"):
            io_files.read_table(data, "long.xlsx")


def test_a_workbook_of_more_empty_rows_than_excel_holds_is_refused(monkeypatch):
    monkeypatch.setattr(workbook, "MAX_ROW_ELEMENTS", 5)
    rows = "".join(f'<row r="{n}"/>' for n in range(1, 7))
    with pytest.raises(ImportFileError, match=r"déclare plus de 5 lignes, plus qu'une feuille Excel n'en peut"):
        io_files.read_table(_xlsx(rows + '<row r="7"><c r="A7" t="inlineStr"><is><t>a</t></is></c></row>'), "v.xlsx")
    fewer = "".join(f'<row r="{n}"/>' for n in range(1, 5))
    read = io_files.read_table(
        _xlsx(fewer + '<row r="5"><c r="A5" t="inlineStr"><is><t>a</t></is></c></row>'), "v.xlsx"
    )
    assert read.rows == ((5, ("a",)),)


def test_the_csv_lines_are_those_python_reads_without_translating_line_ends():
    rng = random.Random(2011)
    for _ in range(2000):
        text = "".join(rng.choice(["a", "é", "\r", "\n", "\r\n", ";", '"', "\x85", "\u2028"]) for _ in range(20))
        assert list(io_files._bounded_lines(text, "x.csv")) == list(io.StringIO(text, newline=""))
