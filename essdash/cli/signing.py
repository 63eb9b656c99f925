"""Who signs a write made from the command line — the one place of the shared-mode rules.

``--as EMAIL`` acts as that member, with the same rights as in the interface, in either mode; without it,
in « poste local » mode (``ESSDASH_MODE`` unset or ``local``), the system user signs with every right, and
in shared mode (``ESSDASH_MODE=partage``) the gate refuses the write. A command declared ``signed`` gets
the option; it asks :func:`actor` who acts only when it writes.
"""

from __future__ import annotations

import argparse
import getpass
import os

from essdash.write.actor import Actor

RIGHTS = (
    "Droits : sans ESSDASH_MODE (ou avec ESSDASH_MODE=local), la ligne de commande agit comme la personne "
    "du poste local, qui a tous les droits ; l'utilisateur système signe. Avec ESSDASH_MODE=partage, une "
    "commande qui écrit exige --as EMAIL et n'a que les droits de ce membre."
)


def as_option(parser: argparse.ArgumentParser) -> None:
    """The ``--as EMAIL`` option of a writing command (added after its own arguments)."""
    parser.add_argument(
        "--as",
        dest="as_member",
        metavar="EMAIL",
        help="agit comme ce membre (mêmes droits que dans l'interface) ; sans lui, en mode poste local "
        "(ESSDASH_MODE absent), l'utilisateur système signe, avec tous les droits",
    )


def actor(args: argparse.Namespace) -> Actor:
    """Who runs a writing command: the member of ``--as``, else (« poste local » mode only, the gate
    checks) the name given by ``--author`` or the system user."""
    email = getattr(args, "as_member", None)
    if email:
        return Actor(email, "compte", email.strip().lower())
    return Actor(getattr(args, "author", None) or _system_user(), "ligne de commande")


def _system_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER") or os.environ.get("USERNAME") or "inconnu"
