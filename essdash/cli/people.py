"""The members of the shared dashboard: ``users add | list | remove``."""

from __future__ import annotations

import argparse

from essdash.cli.registry import Group, command
from essdash.cli.shared import place_options
from essdash.cli.signing import actor
from essdash.domain.vocabulary import Role
from essdash.read import members as read_members
from essdash.store import db
from essdash.write import members


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("email", help="adresse électronique, telle que le fournisseur d'identité la donne")
    parser.add_argument("--role", required=True, choices=tuple(Role.labels()), help="rôle du membre")
    parser.add_argument("--nom", dest="name", help="nom affiché (défaut : tiré de l'adresse)")
    place_options(parser, territory_help="territoire dont répond un technicien (ex. roubaisien)")
    parser.add_argument("--communes", metavar="CODES", help="codes INSEE séparés par des virgules (ex. 59512,59599)")


@command("add", "ajoute un membre, ou change son rôle et son périmètre", add_arguments, signed=True)
def add(args: argparse.Namespace) -> None:
    communes = [c for c in (args.communes or "").split(",") if c.strip()]
    done = members.save_member(
        db.open_database(),
        actor(args),
        args.email,
        args.role,
        name=args.name or "",
        territory=args.territory,
        communes=communes,
    )
    print(f"Membre « {args.email} » {done} ({Role(args.role).label}).")


@command("list", "liste les membres, leur rôle et leur périmètre")
def listing(_args: argparse.Namespace) -> None:
    listed = read_members.members(db.open_database())
    if listed.empty:
        print("Aucun membre.")
    for row in listed.itertuples():
        where = ", ".join(part for part in (row.territory, row.communes) if part)
        print(f"{row.email}\t{row.role}\t{row.name}" + (f"\t{where}" if where else ""))


def remove_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("email")


@command("remove", "retire un membre (il perd l'accès à sa prochaine requête)", remove_arguments, signed=True)
def remove(args: argparse.Namespace) -> None:
    members.remove_member(db.open_database(), actor(args), args.email)
    print(f"Membre « {args.email} » retiré : il perd l'accès à sa prochaine requête.")


USERS = Group("users", "membres du tableau de bord partagé : add, list, remove", (add, listing, remove))
