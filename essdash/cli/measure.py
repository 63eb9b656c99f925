"""The measuring commands: the pages' server time (``bench``), simultaneous sessions (``load``) and a
partner's file of N generated rows (``bench-import``). Each imports its tool from ``essdash/tools`` only
when it runs."""

from __future__ import annotations

import argparse

from essdash.cli.registry import command
from essdash.domain.errors import EssdashError


def bench_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument(
        "--repeat", type=int, default=7, help="exécutions mesurées par page (avec --browser : tours à chaud)"
    )
    parser.add_argument("--json", action="store_true", help="les mêmes mesures en JSON (secondes, octets)")
    parser.add_argument(
        "--base",
        metavar="URL",
        help="base PostgreSQL (postgresql+psycopg://…) reconstruite à chaque échelle et mesurée en plus d'un "
        "fichier SQLite temporaire, ses ratios à côté de ceux de SQLite : son contenu est remplacé",
    )
    parser.add_argument(
        "--browser", action="store_true", help="attentes ressenties dans Chromium (navigation, territoire) par page"
    )


@command("bench", "mesure le temps serveur de chaque page à 1×, 10×, 100×", bench_arguments)
def bench(args: argparse.Namespace) -> None:
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


def load_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sessions", help="sessions simultanées (50 ; avec --through, une liste : 50,100,200 par défaut)"
    )
    parser.add_argument("--seconds", type=float, default=60, help="durée de la charge (et de la mesure seule)")
    parser.add_argument(
        "--pause",
        type=float,
        default=30.0,
        help="pause moyenne entre deux pages d'une session (le temps de lire la page), en secondes ; 0 : sans pause",
    )
    parser.add_argument(
        "--base",
        metavar="URL",
        help="base servie telle quelle (ex. postgresql+psycopg://…), au lieu d'un fichier SQLite de démonstration "
        "temporaire ; rien n'y est écrit",
    )
    parser.add_argument(
        "--through",
        metavar="URL",
        help="adresse du mandataire inverse (deploy/nginx) : les sessions passent par lui, devant 1, 2, 4 processus "
        "lancés sur ses ports",
    )
    parser.add_argument("--processes", default="1,2,4", help="avec --through : nombres de processus à mesurer")
    parser.add_argument(
        "--ports", default="8501,8502,8503,8504", help="avec --through : les ports de l'upstream du mandataire"
    )


@command(
    "load",
    "N sessions Streamlit simultanées (sans navigateur) ouvrent des pages et filtrent, pendant S s",
    load_arguments,
)
def load(args: argparse.Namespace) -> int:
    from essdash.tools import load as load_tool

    sessions = counts(args.sessions or ("50,100,200" if args.through else "50"), "--sessions")
    if args.seconds <= 0 or args.pause < 0:
        raise EssdashError("--seconds doit être positif, --pause positive ou nulle.")
    if args.through:
        ports, processes = counts(args.ports, "--ports"), counts(args.processes, "--processes")
        if max(processes) > len(ports):
            raise EssdashError(f"--processes demande {max(processes)} processus pour {len(ports)} ports (--ports).")
        rows = load_tool.scale(
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
    figures = load_tool.run(sessions=sessions[0], seconds=args.seconds, pause=args.pause, base=args.base)
    return 1 if figures.errors else 0


def counts(text: str, option: str) -> list[int]:
    """Positive whole numbers separated by commas (``50,100,200``)."""
    try:
        numbers = [int(part) for part in text.split(",")]
    except ValueError:
        numbers = []
    if not numbers or min(numbers) < 1:
        raise EssdashError(f"{option} attend des nombres entiers positifs séparés par des virgules (ex. 50,100).")
    return numbers


def bench_import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rows", type=int, default=100_000, help="lignes du fichier généré")


@command(
    "bench-import",
    "mesure l'aperçu et l'import d'un fichier partenaire de N lignes générées (temps, mémoire)",
    bench_import_arguments,
)
def bench_import(args: argparse.Namespace) -> None:
    from essdash.tools import import_bench

    print(import_bench.run(args.rows).report())
