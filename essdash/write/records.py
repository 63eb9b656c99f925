"""What the writes of the register, the plan and the committee share: text fields checked by the
rule book (:mod:`essdash.domain.rules`) and optimistic locking on a record's ``version``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection
from sqlmodel import col

from essdash.domain import models as m
from essdash.domain import rules
from essdash.domain.errors import ConflictError, ValidationError


def text_field(
    issues: list[Any],
    where: str,
    column: str,
    value: object,
    *,
    required: str | None = None,
    max_length: int = rules.NAME_LENGTH,
    multiline: bool = False,
) -> str:
    """The clean text of a field; a refusal (or an empty field when ``required`` gives the
    message) is added to ``issues`` and the field comes back empty."""
    try:
        clean = rules.text("" if value is None else value, max_length=max_length, multiline=multiline)
    except ValueError as exc:
        issues.append((where, column, str(exc)))
        return ""
    if required and not clean:
        issues.append((where, column, required))
    return clean


def locked_update(
    conn: Connection,
    table: type[m.Project] | type[m.ActionSheet],
    row_id: int,
    loaded: dict[str, Any],
    values: dict[str, Any],
    labels: dict[str, Any],
    what: str,
) -> None:
    """UPDATE … WHERE version = loaded version; on a miss, explain what changed meanwhile."""
    current = conn.execute(select(table).where(col(table.id) == row_id)).mappings().first()
    if current is None:
        raise ValidationError([(what, "N°", f"{what} n° {row_id} introuvable.")])
    done = conn.execute(
        update(table)
        .where(col(table.id) == row_id, col(table.version) == loaded["version"])
        .values(**values, version=col(table.version) + 1)
    ).rowcount
    if done != 1:
        changes = [
            (labels.get(k, k), str(loaded[k]), str(current[k]))
            for k in labels
            if k in loaded and loaded[k] != current[k]
        ]
        raise ConflictError(what, changes)
