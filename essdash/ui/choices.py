"""How the app's choice boxes (select boxes, radios, multiselects) show their options."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any, TypeVar, cast

E = TypeVar("E", bound=Enum)


def labelled(labels: Mapping[Any, str]) -> Callable[[Any], str]:
    """``labels.get`` as a choice box's ``format_func``: each option shown by its label.

    Streamlit types ``format_func`` as returning text; ``get`` gives ``None`` for a value that is no
    longer an option (a stale one kept in the session), which Streamlit then takes as no choice."""
    return cast(Callable[[Any], str], labels.get)


def options_of(enum: type[E]) -> list[E]:
    """An enumeration's members as a choice box's options, in their order: ``list(enum)``, typed (given
    ``list(enum)`` itself, the checker picks Streamlit's overload for no options and types the choice None)."""
    return list(enum)
