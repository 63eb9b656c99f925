"""How a command is declared: one function of the parsed arguments, with its name, its help, the function
that adds its arguments (written right beside it) and whether it writes (then it takes ``--as``); a group
gathers such commands under one name (``users add``, ``plan reprise``).

    def demo_arguments(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--scale", type=int, default=1)

    @command("demo", "recrée la base …", demo_arguments, signed=True)
    def demo(args: argparse.Namespace) -> int | None: …
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

from essdash.cli.signing import as_option

Run = Callable[[argparse.Namespace], int | None]
Arguments = Callable[[argparse.ArgumentParser], None]
# what add_subparsers returns: where commands are added
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


class UsageError(Exception):
    """A misuse that argparse cannot see alone (two options that do not go together): reported as argparse
    reports its own (the program's usage, status 2). A command raises it before it reads or writes."""


def no_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of a command that takes none."""


@dataclass(frozen=True)
class Command:
    """One command: ``run`` receives the parsed arguments and returns the exit status (None: 0)."""

    name: str
    help: str
    run: Run
    arguments: Arguments = no_arguments
    signed: bool = False

    def add_to(self, commands: Commands) -> None:
        parser = commands.add_parser(self.name, help=self.help)
        self.arguments(parser)
        if self.signed:
            as_option(parser)
        parser.set_defaults(func=self.run)


def command(
    name: str, help: str, arguments: Arguments = no_arguments, *, signed: bool = False
) -> Callable[[Run], Command]:
    """Declare the decorated function as the command ``name``; ``signed``: it writes, and takes ``--as``."""

    def declare(run: Run) -> Command:
        return Command(name, help, run, arguments, signed)

    return declare


@dataclass(frozen=True)
class Group:
    """Commands under one name; the one chosen is the ``action`` (``users add``)."""

    name: str
    help: str
    commands: tuple[Command, ...]

    def add_to(self, commands: Commands) -> None:
        parser = commands.add_parser(self.name, help=self.help)
        actions = parser.add_subparsers(dest="action", required=True)
        for each in self.commands:
            each.add_to(actions)
