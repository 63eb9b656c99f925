"""Command line: ``python -m essdash init-db | demo | info | bench | bench-import | load | import | export | backup
| restore | report | users | plan | opendata | envoyer``.

Messages are French, like the application; errors exit with status 2 and a one-line message. Writing
commands (import, backup, restore, init-db or demo over an existing base, users add/remove, plan import) pass the
same gate as the interface: ``--as EMAIL`` acts as that member in either mode; without it, in « poste
local » mode, the system user signs (``signing.py``).

Each command is one function of the parsed arguments, declared with its arguments beside it
(``registry.command``) in the module of its kind: ``base.py``, ``measure.py``, ``data.py``, ``people.py``,
``committee.py``. :data:`COMMANDS` lists them in the order the help shows them. This package is the top
layer: nothing but ``essdash/__main__.py`` imports it.
"""

from __future__ import annotations

import argparse
import sys

from essdash.cli import base, committee, data, measure, people
from essdash.cli.registry import Command, Group, UsageError
from essdash.cli.signing import RIGHTS
from essdash.domain.errors import EssdashError

DESCRIPTION = "Tableau de bord ESS de Lille Métropole."
COMMANDS: tuple[Command | Group, ...] = (
    base.init_db,
    base.demo,
    base.info,
    measure.bench,
    measure.load,
    measure.bench_import,
    data.import_file,
    data.export,
    base.backup,
    base.restore,
    people.USERS,
    committee.PLAN,
    committee.report,
    data.OPENDATA,
    committee.send,
)


def parser() -> argparse.ArgumentParser:
    """The whole command line: every command of :data:`COMMANDS` with its arguments."""
    whole = argparse.ArgumentParser(prog="python -m essdash", description=DESCRIPTION, epilog=RIGHTS)
    commands = whole.add_subparsers(dest="command", required=True)
    for each in COMMANDS:
        each.add_to(commands)
    return whole


def main(argv: list[str] | None = None) -> int:
    """Run the command ``argv`` names; its exit status (2 for a refusal, with a one-line French message)."""
    whole = parser()
    args = whole.parse_args(argv)
    try:
        return args.func(args) or 0
    except UsageError as exc:
        whole.error(str(exc))
    except EssdashError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
