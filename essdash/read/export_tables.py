"""The exported analysis tables: equity per commune or territory, and the leverage tables.

Each table is a DataFrame with French headers, rounded as the pages show it, built from
:func:`essdash.read.places.place_figures` and :mod:`essdash.read.leverage`.
:mod:`essdash.read.exports` picks a table and writes it as a file.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy.engine import Engine

from essdash.domain import equity, fields
from essdash.read import leverage, places
from essdash.read.filters import Filters


def equity_table(engine: Engine, filters: Filters, level: str) -> pd.DataFrame:
    """Projects, money and jobs per commune or territory, per-capita rates and location quotients."""
    figures = places.place_figures(engine, filters, level)
    figures["lq"] = equity.location_quotients(figures["projects"], figures["population"])
    columns = {"code": "Code", "name": "Commune" if level == "commune" else "Territoire"}
    if level == "commune":
        columns |= {"territory": "Territoire", "member": "Membre sur la période"}
    columns |= {
        "population": "Habitants",
        "projects": "Projets",
        "money": fields.PROJECTS.label("amount"),
        "jobs_created": fields.PROJECTS.label("jobs_created"),
        "jobs_maintained": fields.PROJECTS.label("jobs_maintained"),
        "projects_per_10k": "Projets pour 10 000 hab.",
        "money_per_inhabitant": "Montant par habitant (€)",
        "jobs_per_10k": f"{fields.PROJECTS.label('jobs_created')} pour 10 000 hab.",
        "lq": "Quotient de localisation des projets",
    }
    frame = figures[list(columns)].round({"projects_per_10k": 2, "money_per_inhabitant": 2, "jobs_per_10k": 2, "lq": 3})
    for column in ("population", "projects", "jobs_created", "jobs_maintained"):
        frame[column] = frame[column].astype("int64")
    return frame.rename(columns=columns)


def leverage_table(engine: Engine, filters: Filters, view: str) -> pd.DataFrame:
    """A leverage table (:mod:`essdash.read.leverage`) with its French headers; amounts in euros,
    leverages (euros per euro) to two decimals."""
    if view == "leverage_kinds":
        table = leverage.kind_table(leverage.summary(engine, filters))
        return table.round({"metropolis_per_euro": 2, "citizen_per_euro": 2}).rename(columns=leverage.KIND_HEADERS)
    if view == "leverage_projects":
        table = leverage.project_table(engine, filters)
        columns = ["id", "title", "commune", "territory", "total", *leverage.LEVER_COLUMNS]
    elif view == "leverage_sheets":
        table = leverage.sheet_table(engine, filters).rename(columns={"title": "sheet_title"})
        columns = ["code", "sheet_title", "projects", "funded", *leverage.LEVER_COLUMNS]
    else:
        level = "commune" if view == "leverage_communes" else "territory"
        table = leverage.place_table(engine, filters, level)
        if level == "commune" and filters.territory:
            table = table[table["territory_code"] == filters.territory]
        place = ["code", "name", "territory"] if level == "commune" else ["code", "name"]
        columns = [*place, "projects", "funded", *leverage.LEVER_COLUMNS, "lq"]
    headers = leverage.HEADERS | {"name": "Commune" if view == "leverage_communes" else "Territoire"}
    headers |= {"sheet_title": "Fiche"}
    rounded = {c: 2 for c in ("metropolis_leverage", "citizen_leverage")} | {"lq": 3}
    return table[columns].round(rounded).rename(columns=headers).reset_index(drop=True)
