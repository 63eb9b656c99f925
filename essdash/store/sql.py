"""SQL expressions that each store spells its own way, for the read layer's queries, and :func:`new_id`, the
key of the row an INSERT has written."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class joined(FunctionElement[str]):
    """The values of a column in a group joined by a separator, in the order of a second column:
    ``joined(code, ", ", order)``. SQLite (``group_concat``) follows its scan, which is the order
    of the rows it joins; PostgreSQL's ``string_agg`` is told the order."""

    type = String()
    inherit_cache = True
    name = "joined"


@compiles(joined)
def _group_concat(element: joined, compiler: SQLCompiler, **kw: Any) -> str:
    value, separator, _order = list(element.clauses)
    return f"group_concat({compiler.process(value, **kw)}, {compiler.process(separator, **kw)})"


@compiles(joined, "postgresql")
def _string_agg(element: joined, compiler: SQLCompiler, **kw: Any) -> str:
    value, separator, order = list(element.clauses)
    return (
        f"string_agg({compiler.process(value, **kw)}, {compiler.process(separator, **kw)} "
        f"ORDER BY {compiler.process(order, **kw)})"
    )


def new_id(result: CursorResult[Any]) -> int:
    """The primary key of the row an INSERT has just written."""
    key = result.inserted_primary_key
    assert key is not None  # an INSERT of one row has its key
    return int(key[0])
