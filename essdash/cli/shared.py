"""What several commands share: reading the files they are given, writing the files they make, and the
place options spelt like the URL's parameters."""

from __future__ import annotations

import argparse
from pathlib import Path

from essdash.domain.errors import EssdashError
from essdash.store import backup_files


def read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise EssdashError(f"Fichier illisible : « {path} » ({exc.strerror}).") from exc


def write(path: str, data: bytes, *, private: bool = False) -> None:
    """Write a file the command makes; ``private``: readable by its owner only (a copy of the base)."""
    try:
        if private:
            backup_files.create_private(Path(path), data)
        else:
            Path(path).write_bytes(data)
    except OSError as exc:
        raise EssdashError(f"Impossible d'écrire « {path} » ({exc.strerror}).") from exc


def place_options(parser: argparse.ArgumentParser, *, territory_help: str, commune: bool = False) -> None:
    """The place options, spelt like the URL's parameters (``?territoire=`` and ``?commune=``); the
    English ``--territory`` of earlier versions is still accepted, but not shown in the help."""
    parser.add_argument("--territoire", dest="territory", metavar="CODE", help=territory_help)
    parser.add_argument("--territory", dest="territory", help=argparse.SUPPRESS)
    if commune:
        parser.add_argument("--commune", metavar="INSEE", help="code INSEE de la commune (ex. 59512)")
