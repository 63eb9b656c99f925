"""Writes of the members of the shared dashboard: add or change one (role, territory, communes),
remove one. Only an administrateur may, through the gate; every change is in the journal.

The last administrateur can be neither removed nor given another role: the dashboard would have
nobody left to manage it.

:func:`bind_login` is the member's own write at login (:data:`Deed.LOGIN`, which every role may do, for
their own account only): the first login binds the member to the provider's identity ``(iss, sub)``;
a later login with the same e-mail but another identity is journaled and refused. Removing a member
and adding them again clears the binding (a new account at the provider, say).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import col

from essdash.domain import models as m
from essdash.domain import rules
from essdash.domain.errors import AccessError, ValidationError
from essdash.domain.vocabulary import Deed, Role
from essdash.store import clock
from essdash.store.db import locked_transaction
from essdash.write.actor import Actor
from essdash.write.gate import authorize, member
from essdash.write.records import text_field

ADDED = "ajouté"
CHANGED = "modifié"
BOUND = "lié"
KNOWN = "reconnu"
CLAIM_MAX = 255  # characters of an issuer or a subject


def save_member(
    engine: Engine,
    actor: Actor | None,
    email: str,
    role: str,
    *,
    name: str = "",
    territory: str | None = None,
    communes: list[str] | tuple[str, ...] = (),
) -> str:
    """Add a member, or change the one with that e-mail; « ajouté » or « modifié »."""
    permit = authorize(engine, actor, Deed.MEMBERS, nowhere=True)
    issues: list[Any] = []
    try:
        email = rules.email(email)
    except ValueError as exc:
        issues.append(("Membre", "Adresse électronique", str(exc)))
    role = {label: code for code, label in Role.labels().items()}.get(role, role)  # a label or a code
    if role not in Role.labels():
        issues.append(("Membre", "Rôle", f"rôle « {role} » inconnu (rôles : {', '.join(Role.labels())})."))
    name = text_field(issues, "Membre", "Nom", name) or _name_of(email)
    codes = sorted({code.strip() for code in communes if code and code.strip()})
    with engine.connect() as conn:
        known_territories = set(conn.execute(select(col(m.Territory.code))).scalars())
        known_communes = set(conn.execute(select(col(m.Commune.insee_code))).scalars())
    if territory and territory not in known_territories:
        issues.append(("Membre", "Territoire", f"territoire « {territory} » inconnu."))
    issues += [("Membre", "Communes", f"code INSEE « {c} » inconnu.") for c in codes if c not in known_communes]
    if role == Role.TECHNICIAN.value and not territory and not codes:
        issues.append(("Membre", "Territoire", "un technicien répond d'un territoire ou de communes : indiquez-les."))
    if issues:
        raise ValidationError(issues)
    values = {"name": name, "role": role, "territory_code": territory or None, "communes": ",".join(codes)}
    now = clock.now(engine)
    label = f"{name} <{email}> : {Role(role).label}" + (f", {territory}" if territory else "")
    with locked_transaction(engine, permit) as conn:
        current = member(conn, email)  # read again under the lock: another write may have come first
        if current is not None and role != Role.ADMIN.value:
            _keep_an_admin(conn, current)
        if current is None:
            conn.execute(insert(m.Member).values(email=email, added_at=now, version=1, **values))
        else:
            conn.execute(
                update(m.Member)
                .where(col(m.Member.id) == current.id)
                .values(**values, version=col(m.Member.version) + 1)
            )
        permit.log(conn, f"Membre {ADDED if current is None else CHANGED} — {label}", now)
    return ADDED if current is None else CHANGED


def remove_member(engine: Engine, actor: Actor | None, email: str) -> None:
    """Remove a member: their next request finds no membership."""
    permit = authorize(engine, actor, Deed.MEMBERS, nowhere=True)
    with locked_transaction(engine, permit) as conn:
        current = member(conn, email)
        if current is None:
            raise ValidationError([("Membre", "Adresse électronique", f"aucun membre « {email} ».")])
        _keep_an_admin(conn, current)
        conn.execute(delete(m.Member).where(col(m.Member.id) == current.id))
        permit.log(conn, f"Membre retiré — {current.name} <{current.email}>", clock.now(engine))


def bind_login(engine: Engine, actor: Actor | None, issuer: str, subject: str) -> str:
    """Bind the member logging in (``actor``: their own account) to the identity their provider vouched
    for, ``issuer`` and ``subject``: « lié » at the first login, « reconnu » when already bound to it.

    Bound to another identity, the attempt is written to the journal (the one thing written then) and
    refused with :class:`AccessError` in French: the same e-mail from another account of the
    provider, or from another provider, does not open the member's access."""
    if actor is None or actor.account is None:
        raise AccessError("Connexion refusée : seul un membre lie son compte à son identité. Rien n'a été enregistré.")
    permit = authorize(engine, actor, Deed.LOGIN, nowhere=True)
    if not all(isinstance(v, str) and 0 < len(v.strip()) <= CLAIM_MAX for v in (issuer, subject)):
        raise ValidationError([("Connexion", "Identité", "le fournisseur n'a pas donné d'émetteur et d'identifiant.")])
    now = clock.now(engine)
    with locked_transaction(engine, permit) as conn:
        current = member(conn, actor.account)  # read again under the lock: a first login may race another
        if current is None:
            raise AccessError(f"Connexion refusée : « {actor.account} » n'est pas (ou plus) membre du tableau de bord.")
        if (current.issuer, current.subject) == (issuer, subject):
            return KNOWN
        who = f"{current.name} <{current.email}>"
        if current.issuer is None:
            conn.execute(
                update(m.Member)
                .where(col(m.Member.id) == current.id)
                .values(issuer=issuer, subject=subject, version=m.Member.version + 1)
            )
            permit.log(conn, f"Première connexion — {who} lié(e) à l'identité « {subject} » de {issuer}", now)
            return BOUND
        permit.log(
            conn,
            f"Connexion refusée — {who} : identité « {subject} » de {issuer}, et non celle de la première "
            f"connexion (« {current.subject} » de {current.issuer})",
            now,
        )
    raise AccessError(
        f"Connexion refusée : l'adresse « {actor.account} » est liée à un autre compte du fournisseur d'identité "
        "(celui de la première connexion). La tentative est notée au journal."
    )


def _keep_an_admin(conn: Connection, current: m.Member) -> None:
    """Refuse to demote or remove the last administrateur. Checked inside the write's locked
    transaction, so two administrateurs demoting each other at once leave one of them."""
    admins = conn.execute(select(func.count()).where(m.Member.role == Role.ADMIN.value)).scalar_one()
    if current.role == Role.ADMIN.value and admins == 1:
        raise ValidationError([("Membre", "Rôle", "c'est le dernier administrateur : nommez-en un autre d'abord.")])


def _name_of(email: str) -> str:
    """« marie.dupont@… » → « Marie Dupont », when no name is given."""
    return " ".join(part.capitalize() for part in email.split("@")[0].replace("_", ".").split(".") if part) or email
