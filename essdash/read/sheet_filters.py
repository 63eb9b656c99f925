"""The Plan d'actions page's narrowing of the fiche tree (as read by ``followup.sheet_tree``): pure pandas."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd


def narrow(
    tree: pd.DataFrame,
    *,
    axis: str | None = None,
    statuses: Iterable[str] = (),
    late_only: bool = False,
    with_projects: bool = False,
) -> pd.DataFrame:
    """The fiches of ``tree`` on ``axis``, with one of ``statuses`` (codes), late if ``late_only``, and
    served by at least one project of the selection if ``with_projects`` (a place is filtered).
    An empty criterion keeps every fiche; the tree's order is kept."""
    keep = pd.Series(True, index=tree.index)
    if axis:
        keep &= tree["axis"] == axis
    statuses = list(statuses)
    if statuses:
        keep &= tree["status"].isin(statuses)
    if late_only:
        keep &= tree["late"]
    if with_projects:
        keep &= tree["projects"] > 0
    return tree[keep]


def indented(tree: pd.DataFrame) -> pd.DataFrame:
    """``tree`` with a ``fiche`` column: the code, indented with an arrow under its parent fiche."""
    return tree.assign(fiche=tree["code"].where(tree["parent_code"].isna(), "   ↳ " + tree["code"]))
