"""The commands of the base itself: create it (``init-db``, ``demo``), describe it (``info``), save it
(``backup``) and put a saved copy back (``restore``)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from essdash.cli.registry import UsageError, command
from essdash.cli.shared import read, write
from essdash.cli.signing import actor
from essdash.domain import fmt
from essdash.domain.vocabulary import Deed
from essdash.read import queries
from essdash.store import db
from essdash.store.config import get_settings
from essdash.write import admin
from essdash.write.gate import authorize


def init_db_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dataset",
        choices=("demo", "empty"),
        default="demo",
        help="demo : données fictives de démonstration ; empty : base sans projets",
    )
    parser.add_argument("--scale", type=int, default=1, help="multiplicateur du nombre de projets de démo")
    parser.add_argument("--seed", type=int, default=None, help="graine du générateur de démo")


@command("init-db", "(re)crée la base : géographie, plan, et données de démo ou rien", init_db_arguments, signed=True)
def init_db(args: argparse.Namespace) -> None:
    _create(args, dataset=args.dataset)


def demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seed", type=int, default=None)


@command("demo", "recrée la base avec N fois les projets de démonstration", demo_arguments, signed=True)
def demo(args: argparse.Namespace) -> None:
    _create(args, dataset="demo")


def _create(args: argparse.Namespace, *, dataset: str) -> None:
    """(Re)create the base; over an existing one, the gate must let the actor change the settings."""
    if args.scale < 1:
        raise UsageError("--scale doit être un entier supérieur ou égal à 1")
    settings = get_settings()
    if db.exists(settings.database_url):
        current = db.open_database(settings)
        authorize(current, actor(args), Deed.SETTINGS, whole=True)
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


@command("info", "décrit la base configurée (DATABASE_URL)")
def info(_args: argparse.Namespace) -> None:
    engine = db.open_database()
    meta = db.check_database(engine)
    print(f"Base : {engine.url}")
    for key, value in sorted(meta.items()):
        print(f"  {key} = {value}")
    print(" · ".join(f"{fmt.number(n)} {name}" for name, n in queries.counts(engine).items()))


def backup_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", help="écrit une copie de la base dans ce fichier")


@command("backup", "sauvegarde la base (dossier des sauvegardes, ou --out)", backup_arguments, signed=True)
def backup(args: argparse.Namespace) -> None:
    engine = db.open_database()
    if args.out:
        write(args.out, admin.copy(engine, actor(args)), private=True)
        print(f"Copie de la base écrite dans « {args.out} ».")
    else:
        print(f"Sauvegarde : {admin.take(engine, actor(args))}")


def restore_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="fichier de sauvegarde (.db)")


@command(
    "restore", "remplace la base par une sauvegarde (l'état actuel est sauvegardé)", restore_arguments, signed=True
)
def restore(args: argparse.Namespace) -> None:
    engine = db.open_database()
    saved = admin.restore(engine, actor(args), read(args.file), Path(args.file).name)
    print(f"Base restaurée depuis « {args.file} ». L'état précédent est sauvegardé : {saved}")
