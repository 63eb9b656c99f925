"""The one gate of every write: forms, indicator entry, import, restore, backup download, members
and the command line all ask :func:`authorize` first, with the person, the kind of write
(:class:`~essdash.domain.vocabulary.Deed`) and where it lands.

- No person: refused.
- The local person (« poste local » mode, ``account`` is ``None``) may do everything, but only
  while the dashboard runs in that mode (``ESSDASH_MODE``).
- A member is looked up by e-mail on every write, so a removed member or a changed role takes
  effect on the next request; their role and scope come from the database, never from the caller.
- The anonymous respondent (:data:`RESPONDENT`, in either mode) may only answer a beneficiaries'
  questionnaire (:data:`essdash.domain.access.ANONYMOUS`), the write checking the one-time link.
- The rules themselves are :mod:`essdash.domain.access`.

A refusal raises :class:`AccessError` in French before anything is written. A permitted write
gets a :class:`Permit`, whose :meth:`Permit.log` adds the write to the journal in the write's own
transaction (so a write and its trace stand or fall together). Only this module issues permits, and
the store's write transaction (:func:`essdash.store.db.locked_transaction`) opens only with one: a
write cannot skip the gate.

Every call says where the write lands: a project, communes, territories, the whole metropolis, or
explicitly nowhere (``nowhere=True``: a fiche, a meeting, a member). A call that says nothing is a
programming error (:class:`TypeError`); a write that a role may do only within its scope is refused
when it lands nowhere (:data:`essdash.domain.access.PLACELESS` excepted).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import col

from essdash.domain import access
from essdash.domain import models as m
from essdash.domain.access import Granted, Place, Scope
from essdash.domain.errors import AccessError, ValidationError
from essdash.domain.vocabulary import Deed, Role
from essdash.store.config import get_settings
from essdash.write.actor import Actor, signed

WHOLE = Place()
NOWHERE = None  # a write with no territory: a fiche of the plan, a meeting, a member
# Whoever answers a beneficiaries' questionnaire through its one-time link: no account, no name kept.
RESPONDENT = Actor("Répondant anonyme", "bénéficiaire")
ANONYMOUS_REFUSAL = "Action refusée : sans compte, on ne peut que répondre à un questionnaire. Rien n'a été enregistré."
_SEAL = object()  # what only this module's permits carry


@dataclass(frozen=True)
class Permit(Granted):
    """A write the gate let through: the signed person, what and where (the place in French), and,
    for a write checked row by row (:func:`scope_of`), where the person may write (``None``: anywhere)."""

    actor: Actor
    deed: Deed
    place: str
    scope: Scope | None = None
    seal: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.seal is not _SEAL:
            raise TypeError("Only the gate (essdash.write.gate) issues a write permit.")

    def log(self, conn: Connection, summary: str, at: datetime) -> None:
        """Add the write to the journal, inside the write's transaction."""
        conn.execute(
            insert(m.JournalEntry).values(
                at=at,
                account=self.actor.account,
                name=self.actor.name,
                role=self.actor.role_label,
                deed=self.deed.value,
                place=self.place,
                summary=summary[:500],
            )
        )


def authorize(
    engine: Engine,
    actor: Actor | None,
    deed: Deed,
    *,
    project_id: int | None = None,
    communes: Iterable[str] | None = None,
    territories: Iterable[str] | None = None,
    whole: bool = False,
    nowhere: bool = False,
) -> Permit:
    """Whether ``actor`` may do ``deed`` there: the permit of the write, or :class:`AccessError`.

    The place is a project (its communes), communes, territories, the whole metropolis
    (``whole``), or, said explicitly, no place (``nowhere``) for a write with no territory."""
    said = [project_id is not None, communes is not None, territories is not None, whole]
    if nowhere == any(said):
        raise TypeError("authorize: say where the write lands (project_id, communes, territories, whole) or nowhere.")
    with engine.connect() as conn:
        person, scope = _person(conn, actor)
        place = NOWHERE if nowhere else _place(conn, project_id, communes, territories, whole)
        label = place_label(conn, place)
    if person == RESPONDENT and deed not in access.ANONYMOUS:
        raise AccessError(ANONYMOUS_REFUSAL)
    if person.account is not None:
        reason = access.refusal(Role(person.role), deed, place, scope)
        if reason:
            raise AccessError(f"Action refusée à {person.label} : {reason}. Rien n'a été enregistré.")
    return Permit(person, deed, label, seal=_SEAL)


def allowed(engine: Engine, actor: Actor | None, deed: Deed, **where: Any) -> bool:
    """What :func:`authorize` would answer, for the interface to hide what a person may not do;
    without a place (``where`` empty or all unset), whether the person may do ``deed`` anywhere."""
    try:
        if any(value is not None and value is not False for value in where.values()):
            authorize(engine, actor, deed, **where)
        else:
            scope_of(engine, actor, deed)
    except (AccessError, ValidationError):
        return False
    return True


def scope_of(engine: Engine, actor: Actor | None, deed: Deed) -> Permit:
    """The permit of a write that checks many places itself, like an import row by row: its
    ``scope`` says where the person may do ``deed`` (``None``: everywhere), and each row must lie
    within it. Refused like :func:`authorize` when the role does not allow ``deed`` at all."""
    with engine.connect() as conn:
        person, scope = _person(conn, actor)
    if person == RESPONDENT and deed not in access.ANONYMOUS:
        raise AccessError(ANONYMOUS_REFUSAL)
    if person.account is None:
        return Permit(person, deed, "—", None, seal=_SEAL)
    role = Role(person.role)
    if deed not in access.ALLOWED[role]:
        reason = access.refusal(role, deed, None, scope)
        raise AccessError(f"Action refusée à {person.label} : {reason}. Rien n'a été enregistré.")
    return Permit(person, deed, "—", scope if deed in access.SCOPED.get(role, ()) else None, seal=_SEAL)


def member(conn: Connection, email: str) -> m.Member | None:
    """The member of that e-mail (case does not matter), if any."""
    row = conn.execute(select(m.Member).where(func.lower(m.Member.email) == email.strip().lower())).mappings().first()
    return None if row is None else m.Member.model_validate(dict(row))


def person_of(conn: Connection, email: str) -> Actor | None:
    """The member's :class:`Actor` (name, role code, e-mail), or ``None`` for an unknown e-mail."""
    found = member(conn, email)
    return None if found is None else Actor(found.name, found.role, found.email)


def place_label(conn: Connection, place: Place | None) -> str:
    """A place in French: « toute la métropole », « Roubaix », « Roubaisien »…, « — » for none."""
    if place is None:
        return "—"
    if place.whole:
        return "toute la métropole"
    names: list[str] = []
    if place.territories:
        names += conn.execute(
            select(col(m.Territory.name))
            .where(col(m.Territory.code).in_(place.territories))
            .order_by(col(m.Territory.name))
        ).scalars()
    if place.communes:
        names += conn.execute(
            select(col(m.Commune.name))
            .where(col(m.Commune.insee_code).in_(place.communes))
            .order_by(col(m.Commune.name))
        ).scalars()
    return ", ".join(names) or ", ".join(sorted(place.communes | place.territories))


def _person(conn: Connection, actor: Actor | None) -> tuple[Actor, Scope]:
    if actor is None:
        raise AccessError("Action refusée : aucune personne connue ne la demande. Rien n'a été enregistré.")
    if actor == RESPONDENT:
        return RESPONDENT, Scope()
    if actor.account is None:
        if get_settings().shared:
            raise AccessError(
                "Action refusée : en mode partagé, seul un membre connecté peut écrire. Rien n'a été enregistré."
            )
        return signed(actor), Scope()
    found = member(conn, actor.account)
    if found is None:
        raise AccessError(
            f"Action refusée : le compte « {actor.account} » n'est pas (ou plus) membre du tableau de bord. "
            "Rien n'a été enregistré."
        )
    communes = frozenset(code for code in found.communes.split(",") if code)
    territory_communes = frozenset(
        conn.execute(
            select(col(m.Commune.insee_code)).where(col(m.Commune.territory_code) == found.territory_code)
        ).scalars()
        if found.territory_code
        else ()
    )
    person = signed(Actor(found.name, found.role, found.email))
    return person, Scope(found.territory_code, territory_communes, communes)


def _place(
    conn: Connection,
    project_id: int | None,
    communes: Iterable[str] | None,
    territories: Iterable[str] | None,
    whole: bool,
) -> Place | None:
    if whole:
        return WHOLE
    codes = set(communes or ())
    if project_id is not None:
        codes |= set(
            conn.execute(
                select(col(m.ProjectCommune.commune_code)).where(col(m.ProjectCommune.project_id) == project_id)
            ).scalars()
        )
        codes |= set(conn.execute(select(col(m.Project.commune_code)).where(col(m.Project.id) == project_id)).scalars())
    areas = frozenset(territories or ())
    if not codes and not areas:
        return WHOLE
    return Place(frozenset(codes), areas)
