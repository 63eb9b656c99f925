"""Who acts: every write takes the acting person, with a name and a role, recorded with the change."""

from __future__ import annotations

from dataclasses import dataclass

from essdash.domain import rules
from essdash.domain.errors import ValidationError


@dataclass(frozen=True)
class Actor:
    """The person who writes: a name and a role (« groupe des techniciens », « mission ESS »…)."""

    name: str
    role: str

    @property
    def label(self) -> str:
        return f"{self.name.strip()} ({self.role.strip()})"

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
        return Actor(rules.text(self.name), rules.text(self.role, max_length=rules.SHORT_LENGTH))


def signed(actor: Actor | None) -> Actor:
    """The checked actor of a write; ``None`` is refused like a blank name."""
    if not isinstance(actor, Actor):
        raise ValidationError([("Saisie", "Saisi par", "indiquez votre nom : chaque modification est signée.")])
    return actor.checked()
