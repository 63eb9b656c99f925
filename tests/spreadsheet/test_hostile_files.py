"""Hostile XLSX files, built in code: each is refused with a French message, or read to the data it holds.

Before the streaming reader, openpyxl padded every row to the sheet's declared width, so a 5 KB
file with one cell in XFD1048576 walked 16 384 × 1 048 576 cells; here the same file is refused at
once. Tests assert the outcome, never the time.
"""

from __future__ import annotations

import io
import struct
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook

from essdash.domain.errors import ImportFileError
from essdash.spreadsheet import files as io_files
from essdash.spreadsheet import workbook
from essdash.write import imports

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
    '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="Porteurs" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def _sheet(body: str, dimension: str = "A1") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        f'2006/main"><dimension ref="{dimension}"/><sheetData>{body}</sheetData></worksheet>'
    )


def _cell(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


def _xlsx(sheet_xml: str | bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return buffer.getvalue()


def _declare_size(data: bytes, member: str, size: int) -> bytes:
    """The archive with the central directory lying about ``member``'s uncompressed size."""
    data = bytearray(data)
    entry = data.index(b"PK\x01\x02")
    while True:
        name_length = struct.unpack_from("<H", data, entry + 28)[0]
        if data[entry + 46 : entry + 46 + name_length].decode() == member:
            struct.pack_into("<I", data, entry + 24, size)
            return bytes(data)
        extra, comment = struct.unpack_from("<HH", data, entry + 30)
        entry += 46 + name_length + extra + comment


def test_a_cell_in_the_last_column_and_row_is_refused_at_once(empty_engine):
    book = Workbook()
    sheet = book.active
    sheet["A1"], sheet["A2"], sheet["XFD1048576"] = "Nom", "X", "x"
    buffer = io.BytesIO()
    book.save(buffer)
    assert len(buffer.getvalue()) < 10_000
    with pytest.raises(ImportFileError, match=r"« b\.xlsx », ligne 1048576") as refused:
        imports.prepare(empty_engine, buffer.getvalue(), "b.xlsx", "organisations")
    assert "plus de 200 colonnes" in str(refused.value)


def test_a_huge_declared_dimension_is_ignored_and_the_cells_present_are_read():
    body = "".join(
        f'<row r="{n}">{_cell(f"A{n}", name)}{_cell(f"B{n}", form)}</row>'
        for n, (name, form) in enumerate([("Nom", "Forme juridique"), ("SCOP Roule", "scop")], start=1)
    )
    table = io_files.read_table(_xlsx(_sheet(body, "A1:XFD1048576")), "porteurs.xlsx")
    assert table.rows == ((1, ("Nom", "Forme juridique")), (2, ("SCOP Roule", "scop")))
    assert table.description == "classeur Excel (.xlsx), feuille « Porteurs »"


def test_gaps_and_blank_cells_far_away_do_not_pad_the_rows():
    body = (
        f'<row r="1">{_cell("A1", "Nom")}</row>'
        f'<row r="500000">{_cell("A500000", "X")}<c r="XFD500000" s="1"/></row>'
        '<row r="1048576"><c r="XFD1048576"/></row>'
    )
    table = io_files.read_table(_xlsx(_sheet(body, "A1:XFD1048576")), "porteurs.xlsx")
    assert table.rows == ((1, ("Nom",)), (500000, ("X",)))


def test_a_part_that_decompresses_far_larger_than_it_is_is_refused():
    body = '<row r="1"><c r="A1"/></row>' * 200_000  # 5,4 MB of XML that deflates ~1 000 times
    with pytest.raises(ImportFileError, match=r"anormalement compressé .*xl/worksheets/sheet1\.xml"):
        io_files.read_table(_xlsx(_sheet(body)), "bombe.xlsx")


def test_a_zip_declaring_a_huge_size_is_refused_before_reading():
    data = _declare_size(_xlsx(_sheet(f'<row r="1">{_cell("A1", "Nom")}</row>')), "xl/worksheets/sheet1.xml", 2**31)
    with pytest.raises(ImportFileError, match="trop volumineux une fois décompressé"):
        io_files.read_table(data, "menteur.xlsx")


def test_a_zip_declaring_a_smaller_size_than_its_content_is_refused_as_damaged():
    body = "".join(f'<row r="{n}">{_cell(f"A{n}", "texte")}</row>' for n in range(1, 2000))
    data = _declare_size(_xlsx(_sheet(body)), "xl/worksheets/sheet1.xml", 300)
    with pytest.raises(ImportFileError, match="endommagé ou illisible") as refused:
        io_files.read_table(data, "menteur.xlsx")
    assert "Error" not in str(refused.value)


def test_more_cells_than_the_limit_are_refused(monkeypatch):
    monkeypatch.setattr(workbook, "MAX_CELLS", 50)
    body = "".join(f'<row r="{n}"><c r="A{n}"/></row>' for n in range(1, 52))
    with pytest.raises(ImportFileError, match="plus de 50 cellules : découpez-le"):
        io_files.read_table(_xlsx(_sheet(f'<row r="1">{_cell("A1", "Nom")}</row>' + body)), "large.xlsx")


def test_the_budget_stops_a_part_larger_than_allowed(monkeypatch):
    data = _xlsx(_sheet(f'<row r="1">{_cell("A1", "Nom")}</row>'))
    monkeypatch.setattr(workbook, "check_archive", lambda archive, name: None)  # as if the sizes lied
    monkeypatch.setattr(workbook, "MAX_UNZIPPED_BYTES", 400)
    with pytest.raises(ImportFileError, match="trop volumineux une fois décompressé"):
        io_files.read_table(data, "menteur.xlsx")


def test_shared_strings_dates_booleans_and_numbers_are_read_as_openpyxl_wrote_them():
    book = Workbook()
    sheet = book.active
    sheet.append(["Nom", "Date", "Actif", "Nombre", "Décimal"])
    sheet.append(["Régie", date(2012, 3, 5), True, 42, 2.5])
    buffer = io.BytesIO()
    book.save(buffer)
    table = io_files.read_table(buffer.getvalue(), "mixte.xlsx")
    assert table.rows == (
        (1, ("Nom", "Date", "Actif", "Nombre", "Décimal")),
        (2, ("Régie", date(2012, 3, 5), True, 42, 2.5)),
    )


def test_an_absurd_amount_is_refused_in_french(empty_engine):
    """Found by the long fuzz run: an amount of 1.5e73 crashed the message that refuses it."""
    data = (
        "Projet;Porteur;Commune;Financeur;Nature du financeur;Type de financement;Montant (€);Année\r\n"
        ";;;;;;1.549523573233886e+73;\r\n"
    ).encode("cp1252")
    plan = imports.prepare(empty_engine, data, "financements.csv", "fundings")
    messages = " ".join(str(issue) for issue in plan.errors)
    assert not plan.ok and "montant invraisemblable" in messages
