"""Writes of the members of the shared dashboard: add or change one (role, territory, communes),
remove one. Only an administrateur may, through the gate; every change is in the journal.

The last administrateur can be neither removed nor given another role: the dashboard would have
nobody left to manage it.
"""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine

from essdash.domain import models as m
from essdash.domain import rules
from essdash.domain.errors import ValidationError
from essdash.domain.vocabulary import Deed, Role
from essdash.store import clock
from essdash.store.db import locked_transaction
from essdash.write.actor import Actor
from essdash.write.gate import authorize, member
from essdash.write.records import text_field

ADDED = "ajouté"
CHANGED = "modifié"


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
    issues: list = []
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
        known_territories = set(conn.execute(select(m.Territory.code)).scalars())
        known_communes = set(conn.execute(select(m.Commune.insee_code)).scalars())
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
                update(m.Member).where(m.Member.id == current.id).values(**values, version=m.Member.version + 1)
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
        conn.execute(delete(m.Member).where(m.Member.id == current.id))
        permit.log(conn, f"Membre retiré — {current.name} <{current.email}>", clock.now(engine))


def _keep_an_admin(conn: Connection, current: m.Member) -> None:
    """Refuse to demote or remove the last administrateur. Checked inside the write's locked
    transaction, so two administrateurs demoting each other at once leave one of them."""
    admins = conn.execute(select(func.count()).where(m.Member.role == Role.ADMIN.value)).scalar_one()
    if current.role == Role.ADMIN.value and admins == 1:
        raise ValidationError([("Membre", "Rôle", "c'est le dernier administrateur : nommez-en un autre d'abord.")])


def _name_of(email: str) -> str:
    """« marie.dupont@… » → « Marie Dupont », when no name is given."""
    return " ".join(part.capitalize() for part in email.split("@")[0].replace("_", ".").split(".") if part) or email
