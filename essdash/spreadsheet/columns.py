"""The spreadsheet vocabulary shared by import and export: the columns of each kind of file.

The columns are views of the fields declared once in :mod:`essdash.domain.fields`: each has the
French header that exports write (the field's label) and the other headers imports accept (compared
after :func:`essdash.spreadsheet.cells.fold`: case, accents, spaces, underscores and units in
parentheses do not matter). Computed columns are exported for reading and ignored at import, so
that an exported file imports back as it is: a projects file's « Montant engagé (€) » is the sum the
application computes, while a partner's « Montant » becomes funding lines.
"""

from __future__ import annotations

from dataclasses import dataclass

from essdash.domain import fields
from essdash.domain.field_kinds import Field, FieldSet
from essdash.domain.fields import INSEE
from essdash.spreadsheet.cells import fold

__all__ = ["FUNDINGS", "INSEE", "KINDS", "MEASUREMENTS", "ORGANISATIONS", "PROJECTS", "Column", "Kind", "kind_of"]


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...] = ()
    computed: bool = False

    @classmethod
    def of(cls, field: Field) -> Column:
        """The column of a declared field: its label as header."""
        return cls(field.key, field.label, field.aliases, field.computed)


@dataclass(frozen=True)
class Kind:
    """A kind of importable file: its columns, the required ones (one key of each group), its natural key."""

    code: str
    label: str
    columns: tuple[Column, ...]
    required: tuple[tuple[str, ...], ...]
    natural_key: str

    def header(self, key: str) -> str:
        return next(c.header for c in self.columns if c.key == key)

    def match(self, header) -> Column | None:
        folded = fold(header)
        return next((c for c in self.columns if folded in (fold(c.header), *map(fold, c.aliases))), None)


def kind_of(declared: FieldSet, label: str, required: tuple[tuple[str, ...], ...], natural_key: str) -> Kind:
    """The kind of file whose columns are the fields ``declared``, in their order."""
    return Kind(declared.code, label, tuple(map(Column.of, declared.fields)), required, natural_key)


ORGANISATIONS = kind_of(
    fields.ORGANISATIONS,
    "Porteurs",
    required=(("name",),),
    natural_key="le nom (sans tenir compte de la casse ni des espaces en trop)",
)
PROJECTS = kind_of(
    fields.PROJECTS,
    "Projets",
    required=(("title",), ("carrier",), ("commune", "insee_code")),
    natural_key="le titre, le porteur et la commune principale (et le n° s'il est donné)",
)
FUNDINGS = kind_of(
    fields.FUNDINGS,
    "Financements",
    required=(("project", "project_id"), ("funder",), ("type",), ("amount",), ("year",)),
    natural_key="le projet, le financeur, l'année et le type de financement",
)
MEASUREMENTS = kind_of(
    fields.MEASUREMENTS,
    "Valeurs d'indicateurs",
    required=(("indicator", "indicator_label"), ("period",), ("value",)),
    natural_key="l'indicateur, le semestre et le lieu (territoire, commune, ou métropole si aucun)",
)

KINDS = {kind.code: kind for kind in (PROJECTS, ORGANISATIONS, FUNDINGS, MEASUREMENTS)}
