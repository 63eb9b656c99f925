"""Who may do what, and where: the permission table of the roles and the scope rule of territories.

Pure rules, no database: :func:`refusal` answers for a role, a kind of write (:class:`Deed`), the
place a write lands (:class:`Place`) and the place a person answers for (:class:`Scope`). The write
layer's gate (:mod:`essdash.write.gate`) looks the person and the place up and asks here; the
interface asks the same question to hide what a person may not do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from essdash.domain.vocabulary import Deed, Role

EVERYTHING = frozenset(Deed)
DATA = frozenset(
    {
        Deed.PROJECT,
        Deed.STEP,
        Deed.SHEET,
        Deed.MEETING,
        Deed.OPINION,
        Deed.COMMENT,
        Deed.MEASUREMENT,
        Deed.IMPORT,
        Deed.BACKUP,
        Deed.SUBMIT,
        Deed.VALIDATE,
        Deed.LOCK,
        Deed.INCIDENT,
    }
)

# What every member does for themselves: bind their account to the identity of their first login.
OWN = frozenset({Deed.LOGIN})

# What anyone may do without an account: answer a beneficiaries' questionnaire, the one-time link being
# the only proof (the write itself checks it). The anonymous respondent may do nothing else.
ANONYMOUS = frozenset({Deed.ANSWER})

# What each role may do at all.
ALLOWED: dict[Role, frozenset[Deed]] = {
    Role.ADMIN: EVERYTHING,
    Role.MISSION: DATA | OWN | {Deed.MAIL, Deed.QUESTIONNAIRE},
    Role.CHAIR: frozenset({Deed.OPINION, Deed.MEETING, Deed.COMMENT, Deed.INCIDENT}) | OWN,
    Role.TECHNICIAN: frozenset({Deed.PROJECT, Deed.STEP, Deed.COMMENT, Deed.MEASUREMENT, Deed.IMPORT, Deed.SUBMIT})
    | OWN,
    Role.MEMBER: frozenset({Deed.COMMENT}) | OWN,
}
# What a role may do only within its scope (its territory or its communes).
SCOPED: dict[Role, frozenset[Deed]] = {
    Role.TECHNICIAN: frozenset({Deed.PROJECT, Deed.STEP, Deed.COMMENT, Deed.MEASUREMENT, Deed.IMPORT, Deed.SUBMIT}),
}

# What a write of a scoped kind may be when it lands nowhere (no territory), even for a scoped role:
# a comment on a fiche of the plan, a saved placing of an import's columns. Any other scoped write
# that says no place is refused: it could not be checked against the person's scope.
PLACELESS = frozenset({Deed.COMMENT, Deed.IMPORT})


class Granted:
    """What the gate grants a write (:class:`essdash.write.gate.Permit`): the store opens its write
    transaction only with one (:func:`essdash.store.db.locked_transaction`)."""


@dataclass(frozen=True)
class Place:
    """Where a write lands: communes (INSEE codes) and territories (codes). Both empty: the whole
    metropolis (« toute la métropole »), e.g. a metropolitan indicator value."""

    communes: frozenset[str] = field(default_factory=frozenset)
    territories: frozenset[str] = field(default_factory=frozenset)

    @property
    def whole(self) -> bool:
        return not self.communes and not self.territories


@dataclass(frozen=True)
class Scope:
    """Where a person answers for: a territory (code and the INSEE codes of its communes) and single
    communes. Empty: nowhere in particular."""

    territory: str | None = None
    territory_communes: frozenset[str] = field(default_factory=frozenset)
    communes: frozenset[str] = field(default_factory=frozenset)

    def covers(self, place: Place) -> bool:
        """Whether every commune and territory of ``place`` lies within the scope (never the whole
        metropolis)."""
        if place.whole:
            return False
        within = self.territory_communes | self.communes
        return place.communes <= within and all(code == self.territory for code in place.territories)


def refusal(role: Role, deed: Deed, place: Place | None, scope: Scope) -> str | None:
    """Why ``role`` may not do ``deed`` at ``place`` (a French clause), or ``None`` when it may.

    ``place`` is ``None`` for a write with no territory (a fiche of the plan, a meeting, a member):
    only the role counts then, except for a write that the role may do only within its scope, which
    must say where it lands (but for the :data:`PLACELESS` kinds)."""
    if deed not in ALLOWED[role]:
        article = "d'" if deed.label[0] in "aeéiou" else "de "
        return f"le rôle « {role.label} » ne permet pas {article}{deed.label}"
    if place is None and deed in SCOPED.get(role, ()) and deed not in PLACELESS:
        return (
            "cette écriture ne dit pas où elle s'applique : elle ne peut pas être vérifiée dans votre "
            f"périmètre ({role.label})"
        )
    if place is not None and deed in SCOPED.get(role, ()) and not scope.covers(place):
        where = "toute la métropole" if place.whole else "ce lieu"
        return f"{where} est hors de votre périmètre ({role.label})"
    return None
