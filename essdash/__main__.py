"""Command line: ``python -m essdash init-db | demo | info | bench | bench-import | load | import | export | backup
| restore | report | users | plan | opendata | envoyer``.

Messages are French, like the application; errors exit with status 2 and a one-line message. Writing
commands (import, backup, restore, init-db or demo over an existing base, users add/remove, plan import) pass the
same gate as the interface: ``--as EMAIL`` acts as that member in either mode; without it, in « poste
local » mode, the system user signs.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import time
from pathlib import Path

from essdash.domain import fmt
from essdash.domain.errors import EssdashError
from essdash.domain.vocabulary import Deed, Role
from essdash.read import exports as io_export
from essdash.read import members as read_members
from essdash.read import plans as read_plans
from essdash.read import queries, selection
from essdash.read.filters import Filters
from essdash.spreadsheet.columns import KINDS
from essdash.store import backup_files, db
from essdash.store.config import get_settings
from essdash.write import admin, members, plans
from essdash.write import imports as io_import
from essdash.write.actor import Actor
from essdash.write.gate import authorize
from essdash.write.imports import preview
from essdash.write.imports.rows import ImportOptions
from essdash.write.plans import carry_over as plan_carry_over
from essdash.write.plans import file as plan_file


def _system_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER") or os.environ.get("USERNAME") or "inconnu"


def _actor(args: argparse.Namespace) -> Actor:
    """Who runs a writing command: the member of ``--as``, else (« poste local » mode only, the gate
    checks) the system user."""
    email = getattr(args, "as_member", None)
    if email:
        return Actor(email, "compte", email.strip().lower())
    return Actor(getattr(args, "author", None) or _system_user(), "ligne de commande")


def _init(args: argparse.Namespace, *, dataset: str) -> None:
    settings = get_settings()
    if db.exists(settings.database_url):
        current = db.open_database(settings)
        authorize(current, _actor(args), Deed.SETTINGS, whole=True)
        current.dispose()
    started = time.perf_counter()
    engine = db.init_db(
        settings.database_url,
        dataset=dataset,
        scale=args.scale,
        seed=settings.demo_seed if args.seed is None else args.seed,
    )
    elapsed = time.perf_counter() - started
    counts = queries.counts(engine)
    label = "vide (géographie et plan seulement)" if dataset == "empty" else f"de démonstration ×{args.scale}"
    print(f"Base {label} créée en {fmt.number(elapsed, 2)} s : {engine.url}")
    print(" · ".join(f"{fmt.number(n)} {name}" for name, n in counts.items()))


def _info(_args: argparse.Namespace) -> None:
    engine = db.open_database()
    meta = db.check_database(engine)
    print(f"Base : {engine.url}")
    for key, value in sorted(meta.items()):
        print(f"  {key} = {value}")
    print(" · ".join(f"{fmt.number(n)} {name}" for name, n in queries.counts(engine).items()))


def _bench(args: argparse.Namespace) -> None:
    from essdash.tools import bench as ui_bench

    if args.browser:
        from essdash.tools import bench_browser

        if args.base:
            raise EssdashError(
                "--base ne vaut que pour le banc du serveur : --browser mesure sur ses propres bases SQLite de démo."
            )

        bench_browser.run(scales=[int(s) for s in args.scales.split(",")], repeat=args.repeat, as_json=args.json)
        return
    ui_bench.run(scales=[int(s) for s in args.scales.split(",")], repeat=args.repeat, as_json=args.json, base=args.base)


def _load(args: argparse.Namespace) -> int:
    from essdash.tools import load

    sessions = _counts(args.sessions or ("50,100,200" if args.through else "50"), "--sessions")
    if args.seconds <= 0 or args.pause < 0:
        raise EssdashError("--seconds doit être positif, --pause positive ou nulle.")
    if args.through:
        ports, processes = _counts(args.ports, "--ports"), _counts(args.processes, "--processes")
        if max(processes) > len(ports):
            raise EssdashError(f"--processes demande {max(processes)} processus pour {len(ports)} ports (--ports).")
        rows = load.scale(
            args.through.rstrip("/"),
            ports=ports,
            processes=processes,
            sessions=sessions,
            seconds=args.seconds,
            pause=args.pause,
            base=args.base,
        )
        return 1 if any(figures.errors for _, figures in rows) else 0
    if len(sessions) != 1:
        raise EssdashError("Plusieurs nombres de sessions ne valent qu'avec --through.")
    figures = load.run(sessions=sessions[0], seconds=args.seconds, pause=args.pause, base=args.base)
    return 1 if figures.errors else 0


def _counts(text: str, option: str) -> list[int]:
    """Positive whole numbers separated by commas (``50,100,200``)."""
    try:
        numbers = [int(part) for part in text.split(",")]
    except ValueError:
        numbers = []
    if not numbers or min(numbers) < 1:
        raise EssdashError(f"{option} attend des nombres entiers positifs séparés par des virgules (ex. 50,100).")
    return numbers


def _bench_import(args: argparse.Namespace) -> None:
    from essdash.tools import import_bench

    print(import_bench.run(args.rows).report())


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise EssdashError(f"Fichier illisible : « {path} » ({exc.strerror}).") from exc


def _write(path: str, data: bytes, *, private: bool = False) -> None:
    """Write a file the command makes; ``private``: readable by its owner only (a copy of the base)."""
    try:
        if private:
            backup_files.create_private(Path(path), data)
        else:
            Path(path).write_bytes(data)
    except OSError as exc:
        raise EssdashError(f"Impossible d'écrire « {path} » ({exc.strerror}).") from exc


def _mapping(engine, args: argparse.Namespace) -> tuple[tuple[str, str | None], ...] | None:
    """The mapping ``--mapping`` names: a JSON file (header → field key or null), else a saved source name."""
    if not args.mapping:
        return None
    if Path(args.mapping).is_file():
        try:
            given = json.loads(_read(args.mapping).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise EssdashError(f"Correspondance illisible : « {args.mapping} » n'est pas un fichier JSON.") from exc
    else:
        given = preview.mapping_named(engine, args.kind, args.mapping)
        if given is None:
            raise EssdashError(f"Aucune correspondance enregistrée sous « {args.mapping} » pour ce type de fichier.")
    if not isinstance(given, dict) or not all(isinstance(v, (str, type(None))) for v in given.values()):
        raise EssdashError('Correspondance attendue : {"en-tête du fichier": "champ" ou null, …}.')
    return tuple(sorted(given.items()))


def _import(args: argparse.Namespace) -> int:
    engine = db.open_database()
    options = ImportOptions(worksheet=args.worksheet, mapping=_mapping(engine, args))
    plan = preview.prepare(engine, _read(args.file), Path(args.file).name, args.kind, options)
    print(plan.report())
    if args.save_mapping and plan.placed:
        io_import.save_mapping(engine, plan, args.save_mapping, _actor(args))
        print(f"Correspondance enregistrée sous « {args.save_mapping} ».")
    if not plan.ok:
        print(
            f"Import refusé : {fmt.plural(len(plan.errors), 'erreur')}. La base n'a pas été modifiée.", file=sys.stderr
        )
        return 2
    if args.dry_run:
        print("Essai à blanc : rien n'a été écrit.")
        return 0
    result = io_import.apply(engine, plan, _actor(args))
    print(f"Import terminé : {result.summary()}")
    if result.backup:
        print(f"Sauvegarde prise avant l'import : {result.backup}")
    return 0


def _place_filters(engine, args: argparse.Namespace) -> Filters:
    return selection.resolve(engine, territory=args.territory, commune=args.commune)


def _export(args: argparse.Namespace) -> None:
    engine = db.open_database()
    exported = io_export.export(engine, args.kind, _place_filters(engine, args), args.format)
    _write(args.out, exported.data)
    size = fmt.number(len(exported.data))
    print(f"Export « {io_export.VIEWS[args.kind]} » écrit dans « {args.out} » ({size} octets). {exported.note}".strip())


def _backup(args: argparse.Namespace) -> None:
    engine = db.open_database()
    if args.out:
        _write(args.out, admin.copy(engine, _actor(args)), private=True)
        print(f"Copie de la base écrite dans « {args.out} ».")
    else:
        print(f"Sauvegarde : {admin.take(engine, _actor(args))}")


def _restore(args: argparse.Namespace) -> None:
    engine = db.open_database()
    saved = admin.restore(engine, _actor(args), _read(args.file), Path(args.file).name)
    print(f"Base restaurée depuis « {args.file} ». L'état précédent est sauvegardé : {saved}")


def _users(args: argparse.Namespace) -> None:
    engine = db.open_database()
    if args.action == "list":
        listed = read_members.members(engine)
        if listed.empty:
            print("Aucun membre.")
        for row in listed.itertuples():
            where = ", ".join(part for part in (row.territory, row.communes) if part)
            print(f"{row.email}\t{row.role}\t{row.name}" + (f"\t{where}" if where else ""))
        return
    if args.action == "remove":
        members.remove_member(engine, _actor(args), args.email)
        print(f"Membre « {args.email} » retiré : il perd l'accès à sa prochaine requête.")
        return
    communes = [c for c in (args.communes or "").split(",") if c.strip()]
    done = members.save_member(
        engine, _actor(args), args.email, args.role, name=args.name or "", territory=args.territory, communes=communes
    )
    print(f"Membre « {args.email} » {done} ({Role(args.role).label}).")


def _plan(args: argparse.Namespace) -> None:
    engine = db.open_database()
    if args.action == "list":
        for plan in read_plans.plans(engine):
            print(f"{plan.label}\t{plan.sheets} fiches\t{plan.title}\tsource : {plan.source or 'non renseignée'}")
        return
    if args.action == "reprise":
        pairs = plan_carry_over.read_correspondence(_read(args.file), Path(args.file).name)
        carried = plan_carry_over.carry_over(engine, _actor(args), args.old_plan, args.new_plan, pairs)
        print(
            f"Reprise {args.old_plan} → {args.new_plan} : {carried.correspondences} correspondance(s) ajoutée(s), "
            f"{carried.links} projet(s) rattaché(s) aux nouvelles fiches (historique conservé)."
        )
        return
    given = (args.code, args.title, args.start, args.end, args.source, args.motto, args.adopted_on, args.fictional)
    facts = None
    if any(given):
        facts = plan_file.PlanFacts(
            code=args.code or "",
            title=args.title or "",
            start=args.start or "",
            end=args.end or "",
            source=args.source or "",
            motto=args.motto or "",
            adopted_on=args.adopted_on or "",
            fictional=args.fictional,
        )
    done = plans.import_plan(engine, _actor(args), _read(args.file), Path(args.file).name, facts)
    print(f"Plan « {done.code} » importé : {done.axes} axes, {done.sheets} fiches, {done.actions} actions.")


DESCRIPTION = "Tableau de bord ESS de Lille Métropole."
RIGHTS = (
    "Droits : sans ESSDASH_MODE (ou avec ESSDASH_MODE=local), la ligne de commande agit comme la personne "
    "du poste local, qui a tous les droits ; l'utilisateur système signe. Avec ESSDASH_MODE=partage, une "
    "commande qui écrit exige --as EMAIL et n'a que les droits de ce membre."
)


def _as_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--as",
        dest="as_member",
        metavar="EMAIL",
        help="agit comme ce membre (mêmes droits que dans l'interface) ; sans lui, en mode poste local "
        "(ESSDASH_MODE absent), l'utilisateur système signe, avec tous les droits",
    )


def _report(args: argparse.Namespace) -> None:
    from essdash.read import pack
    from essdash.render import report

    engine = db.open_database()
    try:
        built = pack.build(engine, args.period.strip(), territory=args.territory, plan_code=args.plan)
    except ValueError as exc:
        raise EssdashError(str(exc)) from exc
    data = report.render(built, args.format)
    out = args.out or report.filename(built, args.format)
    _write(out, data)
    print(
        f"Pack du comité ({fmt.period_label(built.period)}, {built.place}) écrit dans « {out} » "
        f"({fmt.number(len(data))} octets)."
    )


def _opendata_subsidies(args: argparse.Namespace) -> int:
    from essdash.read.opendata import scdl

    result = scdl.subsidies(db.open_database(), funder=args.funder, year=args.year)
    for line in result.refused:
        print(f"Écartée : {line}", file=sys.stderr)
    _write(args.out, scdl.csv_bytes(result))
    print(f"{result.summary()} Fichier : « {args.out} ».")
    return 1 if result.refused else 0


def _opendata_package(args: argparse.Namespace) -> None:
    from essdash.read.opendata import package as opendata_package

    built = opendata_package.build(db.open_database())
    folder = Path(args.out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EssdashError(f"Impossible de créer le dossier « {folder} » ({exc.strerror}).") from exc
    for name, data in built.files.items():
        _write(str(folder / name), data)
    tables = " · ".join(f"{fmt.number(n)} {name}" for name, n in built.counts.items())
    warning = " Données FICTIVES (base de démonstration)." if built.fictional else ""
    print(f"Paquet de données ouvertes écrit dans « {folder} » : {tables}.{warning}")


def _opendata_import(args: argparse.Namespace) -> None:
    from essdash.write.opendata import reimport

    done = reimport.import_package(db.open_database(), _actor(args), Path(args.folder))
    print(f"Paquet réimporté : {done.summary()}")


def _opendata_parser(commands) -> None:
    opendata = commands.add_parser(
        "opendata", help="données ouvertes : subventions (SCDL), paquet Frictionless, réimport d'un paquet"
    )
    actions = opendata.add_subparsers(dest="action", required=True)
    grants = actions.add_parser("subventions", help="les subventions d'un financeur une année, au format SCDL 2.1.1")
    grants.add_argument("--financeur", dest="funder", required=True, help="nom du financeur (ex. « Lille Métropole »)")
    grants.add_argument("--annee", dest="year", type=int, required=True, help="année d'attribution (ex. 2013)")
    grants.add_argument("--out", required=True, help="fichier CSV à écrire")
    grants.set_defaults(func=_opendata_subsidies)
    package = actions.add_parser("paquet", help="écrit le paquet de données ouvertes (datapackage.json et CSV)")
    package.add_argument("--out", required=True, help="dossier à écrire")
    package.set_defaults(func=_opendata_package)
    reload = actions.add_parser("importer", help="réimporte un paquet dans une base vide (tout ou rien)")
    reload.add_argument("folder", help="dossier du paquet (datapackage.json)")
    _as_option(reload)
    reload.set_defaults(func=_opendata_import)


def _send(args: argparse.Namespace) -> int:
    from essdash.render import convocation
    from essdash.write import mail

    engine = db.open_database()
    report = mail.send_convocation(
        engine,
        _actor(args),
        args.meeting,
        lambda called, place, url: convocation.compose(engine, called, place, url),
        place=args.place or "",
        again=args.again,
    )
    print(report.summary())
    for line in report.lines():
        print(f"  {line}")
    return 1 if report.failed else 0


def _place_options(command: argparse.ArgumentParser, *, territory_help: str, commune: bool = False) -> None:
    """The place options, spelt like the URL's parameters (``?territoire=`` and ``?commune=``); the
    English ``--territory`` of earlier versions is still accepted, but not shown in the help."""
    command.add_argument("--territoire", dest="territory", metavar="CODE", help=territory_help)
    command.add_argument("--territory", dest="territory", help=argparse.SUPPRESS)
    if commune:
        command.add_argument("--commune", metavar="INSEE", help="code INSEE de la commune (ex. 59512)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m essdash", description=DESCRIPTION, epilog=RIGHTS)
    commands = parser.add_subparsers(dest="command", required=True)
    init = commands.add_parser("init-db", help="(re)crée la base : géographie, plan, et données de démo ou rien")
    init.add_argument(
        "--dataset",
        choices=("demo", "empty"),
        default="demo",
        help="demo : données fictives de démonstration ; empty : base sans projets",
    )
    init.add_argument("--scale", type=int, default=1, help="multiplicateur du nombre de projets de démo")
    init.add_argument("--seed", type=int, default=None, help="graine du générateur de démo")
    _as_option(init)
    init.set_defaults(func=lambda a: _init(a, dataset=a.dataset))
    demo = commands.add_parser("demo", help="recrée la base avec N fois les projets de démonstration")
    demo.add_argument("--scale", type=int, default=1)
    demo.add_argument("--seed", type=int, default=None)
    _as_option(demo)
    demo.set_defaults(func=lambda a: _init(a, dataset="demo"))
    info = commands.add_parser("info", help="décrit la base configurée (DATABASE_URL)")
    info.set_defaults(func=_info)
    bench = commands.add_parser("bench", help="mesure le temps serveur de chaque page à 1×, 10×, 100×")
    bench.add_argument("--scales", default="1,10,100")
    bench.add_argument(
        "--repeat", type=int, default=7, help="exécutions mesurées par page (avec --browser : tours à chaud)"
    )
    bench.add_argument("--json", action="store_true", help="les mêmes mesures en JSON (secondes, octets)")
    bench.add_argument(
        "--base",
        metavar="URL",
        help="base PostgreSQL (postgresql+psycopg://…) reconstruite à chaque échelle et mesurée en plus d'un "
        "fichier SQLite temporaire, ses ratios à côté de ceux de SQLite : son contenu est remplacé",
    )
    bench.add_argument(
        "--browser", action="store_true", help="attentes ressenties dans Chromium (navigation, territoire) par page"
    )
    bench.set_defaults(func=_bench)
    load_test = commands.add_parser(
        "load", help="N sessions Streamlit simultanées (sans navigateur) ouvrent des pages et filtrent, pendant S s"
    )
    load_test.add_argument(
        "--sessions", help="sessions simultanées (50 ; avec --through, une liste : 50,100,200 par défaut)"
    )
    load_test.add_argument("--seconds", type=float, default=60, help="durée de la charge (et de la mesure seule)")
    load_test.add_argument(
        "--pause",
        type=float,
        default=30.0,
        help="pause moyenne entre deux pages d'une session (le temps de lire la page), en secondes ; 0 : sans pause",
    )
    load_test.add_argument(
        "--base",
        metavar="URL",
        help="base servie telle quelle (ex. postgresql+psycopg://…), au lieu d'un fichier SQLite de démonstration "
        "temporaire ; rien n'y est écrit",
    )
    load_test.add_argument(
        "--through",
        metavar="URL",
        help="adresse du mandataire inverse (deploy/nginx) : les sessions passent par lui, devant 1, 2, 4 processus "
        "lancés sur ses ports",
    )
    load_test.add_argument("--processes", default="1,2,4", help="avec --through : nombres de processus à mesurer")
    load_test.add_argument(
        "--ports", default="8501,8502,8503,8504", help="avec --through : les ports de l'upstream du mandataire"
    )
    load_test.set_defaults(func=_load)
    bench_import = commands.add_parser(
        "bench-import", help="mesure l'aperçu et l'import d'un fichier partenaire de N lignes générées (temps, mémoire)"
    )
    bench_import.add_argument("--rows", type=int, default=100_000, help="lignes du fichier généré")
    bench_import.set_defaults(func=_bench_import)
    load = commands.add_parser("import", help="importe un fichier CSV ou XLSX (tout ou rien, sauvegarde préalable)")
    load.add_argument("file", help="fichier .csv ou .xlsx")
    load.add_argument("--kind", choices=tuple(KINDS), required=True, help="nature des lignes du fichier")
    load.add_argument("--dry-run", action="store_true", help="valide et décrit l'import sans rien écrire")
    load.add_argument("--sheet", dest="worksheet", help="feuille du classeur à lire (par défaut : la première visible)")
    load.add_argument(
        "--mapping", help="correspondance des colonnes : fichier JSON {en-tête: champ} ou nom d'une source enregistrée"
    )
    load.add_argument("--save-mapping", metavar="NOM", help="enregistre la correspondance appliquée sous ce nom")
    load.add_argument(
        "--author", help="nom enregistré avec l'import en mode poste local (défaut : l'utilisateur système)"
    )
    _as_option(load)
    load.set_defaults(func=_import)
    export = commands.add_parser("export", help="exporte une vue filtrée en CSV, XLSX ou GeoJSON")
    export.add_argument("--kind", choices=tuple(io_export.VIEWS), required=True)
    export.add_argument(
        "--format",
        choices=tuple(io_export.FORMATS),
        required=True,
        help="csv : Excel (Windows-1252) ; csv-utf8 ; xlsx ; geojson (projets seulement)",
    )
    export.add_argument("--out", required=True, help="fichier à écrire")
    _place_options(export, territory_help="code du territoire (ex. roubaisien)", commune=True)
    export.set_defaults(func=_export)
    save = commands.add_parser("backup", help="sauvegarde la base (dossier des sauvegardes, ou --out)")
    save.add_argument("--out", help="écrit une copie de la base dans ce fichier")
    _as_option(save)
    save.set_defaults(func=_backup)
    restore = commands.add_parser("restore", help="remplace la base par une sauvegarde (l'état actuel est sauvegardé)")
    restore.add_argument("file", help="fichier de sauvegarde (.db)")
    _as_option(restore)
    restore.set_defaults(func=_restore)
    users = commands.add_parser("users", help="membres du tableau de bord partagé : add, list, remove")
    user_actions = users.add_subparsers(dest="action", required=True)
    add = user_actions.add_parser("add", help="ajoute un membre, ou change son rôle et son périmètre")
    add.add_argument("email", help="adresse électronique, telle que le fournisseur d'identité la donne")
    add.add_argument("--role", required=True, choices=tuple(Role.labels()), help="rôle du membre")
    add.add_argument("--nom", dest="name", help="nom affiché (défaut : tiré de l'adresse)")
    _place_options(add, territory_help="territoire dont répond un technicien (ex. roubaisien)")
    add.add_argument("--communes", metavar="CODES", help="codes INSEE séparés par des virgules (ex. 59512,59599)")
    _as_option(add)
    listing = user_actions.add_parser("list", help="liste les membres, leur rôle et leur périmètre")
    listing.set_defaults()
    remove = user_actions.add_parser("remove", help="retire un membre (il perd l'accès à sa prochaine requête)")
    remove.add_argument("email")
    _as_option(remove)
    users.set_defaults(func=_users)
    plan = commands.add_parser(
        "plan", help="plans d'actions : import (YAML ou XLSX, tout ou rien), list, reprise (correspondance de fiches)"
    )
    plan_actions = plan.add_subparsers(dest="action", required=True)
    plan_import = plan_actions.add_parser("import", help="importe un plan (YAML comme data/plan.yaml, ou XLSX)")
    plan_import.add_argument("file", help="fichier .yaml ou .xlsx (une ligne par fiche ou par action)")
    for option, dest, text in (
        ("--code", "code", "code du plan (XLSX)"),
        ("--titre", "title", "titre du plan (XLSX)"),
        ("--debut", "start", "début du plan, jj/mm/aaaa (XLSX)"),
        ("--fin", "end", "fin du plan, jj/mm/aaaa (XLSX)"),
        ("--source", "source", "texte dont le plan est tiré (XLSX)"),
        ("--devise", "motto", "devise du plan (XLSX, facultatif)"),
        ("--adopte", "adopted_on", "date d'adoption (XLSX, défaut : le début)"),
    ):
        plan_import.add_argument(option, dest=dest, help=text)
    plan_import.add_argument("--fictif", dest="fictional", action="store_true", help="plan fictif (XLSX)")
    _as_option(plan_import)
    plan_actions.add_parser("list", help="liste les plans de la base")
    carry = plan_actions.add_parser(
        "reprise", help="rattache les projets en cours aux fiches du plan suivant (ancienne fiche → nouvelle fiche)"
    )
    carry.add_argument("file", help="fichier CSV ou XLSX à deux colonnes : ancienne fiche, nouvelle fiche")
    carry.add_argument("--de", dest="old_plan", required=True, help="code du plan d'origine")
    carry.add_argument("--vers", dest="new_plan", required=True, help="code du plan suivant")
    _as_option(carry)
    plan.set_defaults(func=_plan)
    pack_report = commands.add_parser(
        "report", help="écrit le pack de séance d'un semestre en PDF, PowerPoint ou JSON (données)"
    )
    pack_report.add_argument("--period", required=True, help="semestre, ex. 2013-S2")
    pack_report.add_argument("--format", choices=("pdf", "pptx", "json"), required=True)
    pack_report.add_argument("--out", help="fichier à écrire (défaut : pack-comite-SEMESTRE[-TERRITOIRE].FORMAT)")
    _place_options(pack_report, territory_help="code du territoire comparé à la métropole (ex. roubaisien)")
    pack_report.add_argument("--plan", help="code du plan dont le pack suit les fiches (défaut : le plan en vigueur)")
    pack_report.set_defaults(func=_report)
    _opendata_parser(commands)
    send = commands.add_parser(
        "envoyer", help="envoie la convocation et le dossier de séance (PDF) aux membres de l'instance, par SMTP"
    )
    send.add_argument("--seance", dest="meeting", type=int, required=True, metavar="ID", help="numéro de la séance")
    send.add_argument("--lieu", dest="place", help="lieu et heure (défaut : ceux de la convocation précédente)")
    send.add_argument(
        "--renvoyer", dest="again", action="store_true", help="envoie aussi aux adresses déjà servies pour cette séance"
    )
    _as_option(send)
    send.set_defaults(func=_send)
    args = parser.parse_args(argv)
    if args.command == "export" and args.format == "geojson" and args.kind != "projects":
        parser.error("le format geojson ne vaut que pour --kind projects")
    if getattr(args, "scale", 1) < 1:
        parser.error("--scale doit être un entier supérieur ou égal à 1")
    try:
        return args.func(args) or 0
    except EssdashError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
