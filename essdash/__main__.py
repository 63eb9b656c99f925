"""Command line: ``python -m essdash init-db | demo | info | bench``.

Messages are French, like the application; errors exit with status 2 and a one-line message.
"""

from __future__ import annotations

import argparse
import sys
import time

from essdash import db, fmt, queries
from essdash.config import get_settings
from essdash.errors import EssdashError


def _init(args: argparse.Namespace, *, dataset: str) -> None:
    settings = get_settings()
    started = time.perf_counter()
    engine = db.init_db(settings.database_url, dataset=dataset, scale=args.scale,
                        seed=settings.demo_seed if args.seed is None else args.seed)
    elapsed = time.perf_counter() - started
    counts = queries.counts(engine)
    label = "vide (géographie et plan seulement)" if dataset == "empty" else f"de démonstration ×{args.scale}"
    print(f"Base {label} créée en {fmt.number(elapsed, 2)} s : {settings.database_url}")
    print(" · ".join(f"{fmt.number(n)} {name}" for name, n in counts.items()))


def _info(_args: argparse.Namespace) -> None:
    engine = db.open_database()
    meta = db.check_database(engine)
    print(f"Base : {engine.url}")
    for key, value in sorted(meta.items()):
        print(f"  {key} = {value}")
    print(" · ".join(f"{fmt.number(n)} {name}" for name, n in queries.counts(engine).items()))


def _bench(args: argparse.Namespace) -> None:
    from essdash import ui_bench

    ui_bench.run(scales=[int(s) for s in args.scales.split(",")], repeat=args.repeat)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m essdash", description="Tableau de bord ESS de Lille Métropole.")
    commands = parser.add_subparsers(dest="command", required=True)
    init = commands.add_parser("init-db", help="(re)crée la base : géographie, plan, et données de démo ou rien")
    init.add_argument("--dataset", choices=("demo", "empty"), default="demo",
                      help="demo : données fictives de démonstration ; empty : base sans projets")
    init.add_argument("--scale", type=int, default=1, help="multiplicateur du nombre de projets de démo")
    init.add_argument("--seed", type=int, default=None, help="graine du générateur de démo")
    init.set_defaults(func=lambda a: _init(a, dataset=a.dataset))
    demo = commands.add_parser("demo", help="recrée la base avec N fois les projets de démonstration")
    demo.add_argument("--scale", type=int, default=1)
    demo.add_argument("--seed", type=int, default=None)
    demo.set_defaults(func=lambda a: _init(a, dataset="demo"))
    info = commands.add_parser("info", help="décrit la base configurée (DATABASE_URL)")
    info.set_defaults(func=_info)
    bench = commands.add_parser("bench", help="mesure le temps serveur de chaque page à 1×, 10×, 100×")
    bench.add_argument("--scales", default="1,10,100")
    bench.add_argument("--repeat", type=int, default=7, help="exécutions mesurées par page")
    bench.set_defaults(func=_bench)
    args = parser.parse_args(argv)
    if getattr(args, "scale", 1) < 1:
        parser.error("--scale doit être un entier supérieur ou égal à 1")
    try:
        args.func(args)
    except EssdashError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
