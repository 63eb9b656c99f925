"""What a field of the register is: its type, its declaration (:class:`Field`: label, import
aliases, model column, form widget, views, rule) and a kind's ordered set of fields (:class:`FieldSet`).
The declarations themselves are in :mod:`essdash.domain.fields`.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any, Literal

from sqlmodel import SQLModel

from essdash.domain import rules
from essdash.domain.vocabulary import LabelledEnum

Widget = Literal["text", "long_text", "number", "date", "checkbox", "choice", "choices"]
# Where a project's field shows: a column of the register, a line of its record, a widget of the
# new-proposal form, of the edit form (the forms' fields, those the writes of projects check).
View = Literal["register", "record", "proposal", "edit"]


class FieldType(Enum):
    """What a field holds, which says how a cell is read and a number shown."""

    TEXT = "text"
    IDENTIFIER = "identifier"  # a record's n°
    INTEGER = "integer"
    COUNT = "count"  # a whole number, 0 or more (jobs, people)
    MONEY = "money"  # euros
    NUMBER = "number"  # a decimal number (coordinates, shares)
    DATE = "date"
    BOOLEAN = "boolean"
    CODE = "code"  # the code of an enumeration, shown by its label
    CODES = "codes"  # several codes or names


@dataclass(frozen=True)
class Field:
    """One field of a kind of record (see the module's docstring)."""

    key: str
    label: str
    type: FieldType = FieldType.TEXT
    aliases: tuple[str, ...] = ()
    computed: bool = False
    exported: bool = True  # False: a column only partners' files give (a projects file's funding line)
    column: str | None = None  # the column of the kind's model it is stored in, if any
    widget: Widget | None = None  # how a form asks for it
    rule: Callable[..., Any] | None = None  # the domain rule a value passes
    open_data: bool = False  # a fact of the SCDL « Subventions » format
    views: tuple[View, ...] = ()  # where the pages show it (a project's field)
    codes: builtins.type[LabelledEnum] | None = None  # the enumeration of a CODE field's values

    def check(self, value: Any) -> Any:
        """``value`` as stored, checked by the declared rule (else by its type: a trimmed text, a
        whole number, a count, a number, a date or none): a truth for a BOOLEAN, one of the codes
        of a CODE field's enumeration. Raises :class:`ValueError` with a French message."""
        if self.type is FieldType.BOOLEAN:
            return bool(value)
        if self.codes is not None and value not in self.codes.labels():
            raise ValueError(f"valeur « {value} » inconnue.")
        if self.rule is not None:
            return self.rule(value)
        if self.widget == "long_text":
            return rules.text(value or "", max_length=rules.LONG_LENGTH, multiline=True)
        return _BY_TYPE.get(self.type, lambda given: given)(value)

    def with_aliases(self, *aliases: str) -> Field:
        """The same field, accepting ``aliases`` too at import."""
        return replace(self, aliases=(*self.aliases, *aliases))


def own(key: str, label: str, kind: FieldType = FieldType.TEXT, *aliases: str, **more: Any) -> Field:
    """A field stored in the column ``key`` of its kind's model."""
    return Field(key, label, kind, aliases, column=key, **more)


@dataclass(frozen=True)
class FieldSet:
    """A kind's fields, in the order of its files' columns, and the model its own fields are stored in."""

    code: str
    model: type[SQLModel]
    fields: tuple[Field, ...]

    def __getitem__(self, key: str) -> Field:
        return next(f for f in self.fields if f.key == key)

    def label(self, key: str) -> str:
        return self[key].label

    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)

    def stored(self) -> tuple[Field, ...]:
        """The fields stored in a column of the model."""
        return tuple(f for f in self.fields if f.column is not None)

    def shown_in(self, view: View) -> tuple[Field, ...]:
        """The fields ``view`` shows, in the declared order."""
        return tuple(f for f in self.fields if view in f.views)

    def with_aliases(self, key: str, *aliases: str) -> FieldSet:
        """The same fields, the field ``key`` accepting ``aliases`` too at import."""
        return replace(self, fields=tuple(f.with_aliases(*aliases) if f.key == key else f for f in self.fields))


_BY_TYPE: dict[FieldType, Callable[[Any], Any]] = {  # a value's check, when no rule is declared
    FieldType.TEXT: lambda value: rules.text(value or ""),
    FieldType.INTEGER: rules.integer,
    FieldType.COUNT: rules.count,
    FieldType.MONEY: rules.number,
    FieldType.NUMBER: rules.number,
    FieldType.DATE: rules.optional_day,
}
