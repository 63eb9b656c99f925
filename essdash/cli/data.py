"""The commands of the data that comes in and goes out: a partner's file (``import``), a filtered view
(``export``) and the open data (``opendata subventions | paquet | importer``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sqlalchemy.engine import Engine

from essdash.cli.registry import Group, UsageError, command
from essdash.cli.shared import place_options, read, write
from essdash.cli.signing import actor
from essdash.domain import fmt
from essdash.domain.errors import EssdashError
from essdash.read import exports as io_export
from essdash.read import selection
from essdash.read.filters import Filters
from essdash.spreadsheet.columns import KINDS
from essdash.store import db
from essdash.write import imports as io_import
from essdash.write.imports import preview
from essdash.write.imports.rows import ImportOptions


def import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="fichier .csv ou .xlsx")
    parser.add_argument("--kind", choices=tuple(KINDS), required=True, help="nature des lignes du fichier")
    parser.add_argument("--dry-run", action="store_true", help="valide et décrit l'import sans rien écrire")
    parser.add_argument(
        "--sheet", dest="worksheet", help="feuille du classeur à lire (par défaut : la première visible)"
    )
    parser.add_argument(
        "--mapping", help="correspondance des colonnes : fichier JSON {en-tête: champ} ou nom d'une source enregistrée"
    )
    parser.add_argument("--save-mapping", metavar="NOM", help="enregistre la correspondance appliquée sous ce nom")
    parser.add_argument(
        "--author", help="nom enregistré avec l'import en mode poste local (défaut : l'utilisateur système)"
    )


@command("import", "importe un fichier CSV ou XLSX (tout ou rien, sauvegarde préalable)", import_arguments, signed=True)
def import_file(args: argparse.Namespace) -> int:
    engine = db.open_database()
    options = ImportOptions(worksheet=args.worksheet, mapping=_mapping(engine, args))
    plan = preview.prepare(engine, read(args.file), Path(args.file).name, args.kind, options)
    print(plan.report())
    if args.save_mapping and plan.placed:
        io_import.save_mapping(engine, plan, args.save_mapping, actor(args))
        print(f"Correspondance enregistrée sous « {args.save_mapping} ».")
    if not plan.ok:
        print(
            f"Import refusé : {fmt.plural(len(plan.errors), 'erreur')}. La base n'a pas été modifiée.", file=sys.stderr
        )
        return 2
    if args.dry_run:
        print("Essai à blanc : rien n'a été écrit.")
        return 0
    result = io_import.apply(engine, plan, actor(args))
    print(f"Import terminé : {result.summary()}")
    if result.backup:
        print(f"Sauvegarde prise avant l'import : {result.backup}")
    return 0


def _mapping(engine: Engine, args: argparse.Namespace) -> tuple[tuple[str, str | None], ...] | None:
    """The mapping ``--mapping`` names: a JSON file (header → field key or null), else a saved source name."""
    if not args.mapping:
        return None
    if Path(args.mapping).is_file():
        try:
            given = json.loads(read(args.mapping).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise EssdashError(f"Correspondance illisible : « {args.mapping} » n'est pas un fichier JSON.") from exc
    else:
        given = preview.mapping_named(engine, args.kind, args.mapping)
        if given is None:
            raise EssdashError(f"Aucune correspondance enregistrée sous « {args.mapping} » pour ce type de fichier.")
    if not isinstance(given, dict) or not all(isinstance(v, (str, type(None))) for v in given.values()):
        raise EssdashError('Correspondance attendue : {"en-tête du fichier": "champ" ou null, …}.')
    return tuple(sorted(given.items()))


def export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kind", choices=tuple(io_export.VIEWS), required=True)
    parser.add_argument(
        "--format",
        choices=tuple(io_export.FORMATS),
        required=True,
        help="csv : Excel (Windows-1252) ; csv-utf8 ; xlsx ; geojson (projets seulement)",
    )
    parser.add_argument("--out", required=True, help="fichier à écrire")
    place_options(parser, territory_help="code du territoire (ex. roubaisien)", commune=True)


@command("export", "exporte une vue filtrée en CSV, XLSX ou GeoJSON", export_arguments)
def export(args: argparse.Namespace) -> None:
    if args.format == "geojson" and args.kind != "projects":
        raise UsageError("le format geojson ne vaut que pour --kind projects")
    engine = db.open_database()
    exported = io_export.export(engine, args.kind, _place_filters(engine, args), args.format)
    write(args.out, exported.data)
    size = fmt.number(len(exported.data))
    print(f"Export « {io_export.VIEWS[args.kind]} » écrit dans « {args.out} » ({size} octets). {exported.note}".strip())


def _place_filters(engine: Engine, args: argparse.Namespace) -> Filters:
    return selection.resolve(engine, territory=args.territory, commune=args.commune)


def subsidies_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--financeur", dest="funder", required=True, help="nom du financeur (ex. « Lille Métropole »)")
    parser.add_argument("--annee", dest="year", type=int, required=True, help="année d'attribution (ex. 2013)")
    parser.add_argument("--out", required=True, help="fichier CSV à écrire")


@command("subventions", "les subventions d'un financeur une année, au format SCDL 2.1.1", subsidies_arguments)
def subsidies(args: argparse.Namespace) -> int:
    from essdash.read.opendata import scdl

    result = scdl.subsidies(db.open_database(), funder=args.funder, year=args.year)
    for line in result.refused:
        print(f"Écartée : {line}", file=sys.stderr)
    write(args.out, scdl.csv_bytes(result))
    print(f"{result.summary()} Fichier : « {args.out} ».")
    return 1 if result.refused else 0


def package_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, help="dossier à écrire")


@command("paquet", "écrit le paquet de données ouvertes (datapackage.json et CSV)", package_arguments)
def package(args: argparse.Namespace) -> None:
    from essdash.read.opendata import package as opendata_package

    built = opendata_package.build(db.open_database())
    folder = Path(args.out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EssdashError(f"Impossible de créer le dossier « {folder} » ({exc.strerror}).") from exc
    for name, data in built.files.items():
        write(str(folder / name), data)
    tables = " · ".join(f"{fmt.number(n)} {name}" for name, n in built.counts.items())
    warning = " Données FICTIVES (base de démonstration)." if built.fictional else ""
    print(f"Paquet de données ouvertes écrit dans « {folder} » : {tables}.{warning}")


def reimport_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", help="dossier du paquet (datapackage.json)")


@command("importer", "réimporte un paquet dans une base vide (tout ou rien)", reimport_arguments, signed=True)
def reimport(args: argparse.Namespace) -> None:
    from essdash.write.opendata import reimport as reimporting

    done = reimporting.import_package(db.open_database(), actor(args), Path(args.folder))
    print(f"Paquet réimporté : {done.summary()}")


OPENDATA = Group(
    "opendata",
    "données ouvertes : subventions (SCDL), paquet Frictionless, réimport d'un paquet",
    (subsidies, package, reimport),
)
