"""Who acts: every write takes the acting person, recorded with the change.

A person is either the local person of « poste local » mode (a name and a role given once per
session, ``account`` is ``None``) or a member of the shared dashboard (``account``: the e-mail their
OpenID provider gave). The gate (:mod:`essdash.write.gate`) decides what each may do.
"""

from __future__ import annotations

from dataclasses import dataclass

from essdash.domain import rules
from essdash.domain.errors import ValidationError
from essdash.domain.vocabulary import Role


@dataclass(frozen=True)
class Actor:
    """The person who writes: a name, a role, and the member's account (e-mail) when there is one."""

    name: str
    role: str
    account: str | None = None

    @property
    def role_label(self) -> str:
        """The role in French: a member's role code (``presidence``) becomes its label."""
        return Role.labels().get(self.role.strip(), self.role.strip())

    @property
    def label(self) -> str:
        """The signature kept with a change: « Claire Martin (mission ESS) »."""
        return f"{self.name.strip()} ({self.role_label})"

    def checked(self) -> Actor:
        """The actor, trimmed; a missing name or role is refused in French (nothing is written)."""
        issues = []
        for value, column, missing, length in (
            (self.name, "Saisi par", "indiquez votre nom : chaque modification est signée.", rules.NAME_LENGTH),
            (
                self.role,
                "Rôle",
                "indiquez à quel titre vous agissez : chaque modification est signée.",
                rules.SHORT_LENGTH,
            ),
        ):
            try:
                if not rules.text(value or "", max_length=length):
                    raise ValueError(missing)
            except ValueError as exc:
                issues.append(("Saisie", column, str(exc)))
        if issues:
            raise ValidationError(issues)
        return Actor(rules.text(self.name), rules.text(self.role, max_length=rules.SHORT_LENGTH), self.account)


def signed(actor: Actor | None) -> Actor:
    """The checked actor of a write; ``None`` is refused like a blank name."""
    if not isinstance(actor, Actor):
        raise ValidationError([("Saisie", "Saisi par", "indiquez votre nom : chaque modification est signée.")])
    return actor.checked()
