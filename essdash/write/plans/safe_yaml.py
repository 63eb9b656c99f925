"""Loading a plan's YAML safely: PyYAML's safe loader, with anchors and aliases refused and the
nesting bounded, both as the document is composed, before any Python object is built.

A few bytes of aliases can stand for millions of nodes (77 s and 961 MB for 3,4 Ko), or for a node
inside itself; thousands of nested « [ » or ``children:`` exhaust Python's recursion. Every refusal
is an ``ImportFileError`` in French.
"""

from __future__ import annotations

from typing import Any

import yaml

from essdash.domain.errors import ImportFileError

MAX_DEPTH = 20  # nested YAML nodes, scalars included (a plan's deepest, an action's title, is at 10)


class _Refused(Exception):
    """What the plan loader refuses in a YAML document, said in French."""


class _PlanLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses anchors and aliases, and nodes nested deeper than
    :data:`MAX_DEPTH`, as the document is composed: before any Python object is built."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        event = self.peek_event()
        where = f"ligne {event.start_mark.line + 1}"
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused(
                f"{where} : les ancres et alias YAML (« & », « * ») ne sont pas acceptés ; "
                "écrivez chaque valeur en entier"
            )
        if self.depth >= MAX_DEPTH:
            raise _Refused(f"{where} : plus de {MAX_DEPTH} niveaux imbriqués, bien plus qu'un plan n'en a")
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def load(data: bytes, name: str) -> Any:
    """The YAML document as Python data, or a French ``ImportFileError``."""
    try:
        return yaml.load(data.decode("utf-8"), Loader=_PlanLoader)  # a SafeLoader, stricter still
    except _Refused as exc:
        raise ImportFileError(f"Le fichier « {name} » est refusé : {exc}.") from exc
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"Le fichier « {name} » n'est pas un YAML lisible : il n'est pas en UTF-8 (octet n° {exc.start + 1})."
        ) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" : erreur ligne {mark.line + 1}, colonne {mark.column + 1}" if mark else ""
        raise ImportFileError(f"Le fichier « {name} » n'est pas un YAML lisible{where}.") from exc
    except (yaml.YAMLError, ValueError) as exc:  # a bad character, a number of thousands of digits…
        raise ImportFileError(
            f"Le fichier « {name} » n'est pas un YAML lisible : une valeur ne peut pas être lue."
        ) from exc
