"""Export of filtered views as files: the list of views, their formats, file names and contents.

The views come from :mod:`essdash.read.export_records` (projects, carriers, fundings, fiches,
indicator values; importable ones import back unchanged) and :mod:`essdash.read.export_tables`
(equity and leverage tables). Formats: French CSV (``;``, decimal comma, Windows-1252), CSV in
UTF-8 with BOM, XLSX (:mod:`essdash.spreadsheet.files`, which neutralises text a spreadsheet would
run as a formula), and GeoJSON for projects (points placed as on the map, :mod:`essdash.read.geo_export`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy.engine import Engine

from essdash.read import export_records, export_tables
from essdash.read.filters import Filters
from essdash.read.geo_export import geojson
from essdash.spreadsheet import files as io_files
from essdash.spreadsheet.columns import KINDS

VIEWS = {
    "projects": "Projets",
    "organisations": "Porteurs",
    "fundings": "Financements",
    "sheets": "Fiches du plan",
    "measurements": "Valeurs d'indicateurs",
    "equity_communes": "Équité par commune",
    "equity_territories": "Équité par territoire",
    "leverage_projects": "Effet levier par projet",
    "leverage_sheets": "Effet levier par fiche",
    "leverage_territories": "Effet levier par territoire",
    "leverage_communes": "Effet levier par commune",
    "leverage_kinds": "Effet levier par nature de financeur",
}
SLUGS = {
    "projects": "projets",
    "organisations": "porteurs",
    "fundings": "financements",
    "sheets": "fiches",
    "measurements": "valeurs-indicateurs",
    "equity_communes": "equite-communes",
    "equity_territories": "equite-territoires",
    "leverage_projects": "levier-projets",
    "leverage_sheets": "levier-fiches",
    "leverage_territories": "levier-territoires",
    "leverage_communes": "levier-communes",
    "leverage_kinds": "levier-financeurs",
}
FORMATS = {
    "csv": "CSV pour Excel (Windows-1252)",
    "csv-utf8": "CSV UTF-8",
    "xlsx": "Classeur Excel (.xlsx)",
    "geojson": "GeoJSON (carte)",
}
MIME = {
    "csv": "text/csv",
    "csv-utf8": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
}


@dataclass(frozen=True)
class ExportFile:
    data: bytes
    file_name: str
    mime: str
    note: str = ""


def frame(engine: Engine, view: str, filters: Filters) -> pd.DataFrame:
    """The view ``view`` (a key of :data:`VIEWS`) for ``filters``."""
    if view.startswith("leverage_"):
        return export_tables.leverage_table(engine, filters, view)
    if view.startswith("equity_"):
        return export_tables.equity_table(engine, filters, "commune" if view == "equity_communes" else "territory")
    return {
        "projects": export_records.projects,
        "organisations": export_records.organisations,
        "fundings": export_records.fundings,
        "sheets": export_records.sheets,
        "measurements": export_records.measurements,
    }[view](engine, filters)


def file_name(view: str, filters: Filters, file_format: str) -> str:
    place = filters.commune or filters.territory
    extension = {"csv": "csv", "csv-utf8": "csv", "xlsx": "xlsx", "geojson": "geojson"}[file_format]
    return f"essdash-{SLUGS[view]}{'-' + place if place else ''}-{date.today():%Y%m%d}.{extension}"


def export(engine: Engine, view: str, filters: Filters, file_format: str) -> ExportFile:
    """The view as a file in ``file_format`` (a key of :data:`FORMATS`; GeoJSON for projects only)."""
    name = file_name(view, filters, file_format)
    if file_format == "geojson":
        if view != "projects":
            raise ValueError("Le format GeoJSON ne vaut que pour les projets.")
        return ExportFile(geojson(engine, filters), name, MIME[file_format])
    return _encoded(frame(engine, view, filters), VIEWS[view], name, file_format)


def _encoded(table: pd.DataFrame, title: str, name: str, file_format: str) -> ExportFile:
    """``table`` as an XLSX file (sheet ``title``) or a CSV (French, or UTF-8 with ``csv-utf8``) named ``name``."""
    if file_format == "xlsx":
        return ExportFile(io_files.xlsx_bytes(table, title), name, MIME[file_format])
    data, encoding = io_files.csv_bytes(table, utf8=file_format == "csv-utf8")
    note = (
        "Certains caractères n'existent pas en Windows-1252 : le fichier est en UTF-8 (avec BOM)."
        if file_format == "csv" and encoding == "UTF-8"
        else ""
    )
    return ExportFile(data, name, MIME[file_format], note)


def table_file_name(stem: str, file_format: str, today: date) -> str:
    """The name of a table's file: ``essdash-{stem}-{date}.csv`` or ``.xlsx``."""
    return f"essdash-{stem}-{today:%Y%m%d}.{'xlsx' if file_format == 'xlsx' else 'csv'}"


def table_file(table: pd.DataFrame, title: str, stem: str, file_format: str, today: date) -> ExportFile:
    """A table a page shows (the register, the reminders…) as a file, like the views of :func:`export`."""
    return _encoded(table, title, table_file_name(stem, file_format, today), file_format)


def file_bytes(engine: Engine, view: str, filters: Filters, file_format: str) -> bytes:
    """The content of :func:`export` alone (for a deferred download)."""
    return export(engine, view, filters, file_format).data


def template(kind: str) -> bytes:
    """An empty CSV with the headers an import of ``kind`` reads."""
    columns = [c.header for c in KINDS[kind].columns if not c.computed]
    return io_files.csv_bytes(pd.DataFrame(columns=columns))[0]
