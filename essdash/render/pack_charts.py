"""Drawing the charts of the meeting pack: each :class:`essdash.read.pack.Chart` (rows and kind)
becomes the altair chart that the presentation, the PDF and the PowerPoint show; :func:`chart_table`
gives the rows behind it with French column labels (the JSON export)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from essdash.domain import fields, leverage
from essdash.read import leverage as read_leverage
from essdash.read.pack.model import Chart
from essdash.render import charts, static_map


def draw(chart: Chart) -> alt.TopLevelMixin:
    """The altair chart of one pack chart."""
    if chart.kind == "projects_by_status":
        return charts.projects_by_status(chart.rows)
    if chart.kind == "choropleth":
        return static_map.static_choropleth(
            chart.rows, chart.options["level"], chart.options["measure"], width=480, height=440
        )
    if chart.kind == "leverage":
        lever = chart.options["lever"]
        rows = chart.rows[chart.rows[lever] > 0]
        reference = leverage.ratio(float(rows[f"{lever}_others"].sum()), float(rows[lever].sum()))
        return charts.leverage_by_place(chart.rows, lever, reference)
    if chart.kind == "indicator" and chart.indicator is not None and chart.targets is not None:
        return charts.indicator_chart(chart.rows, chart.targets, chart.indicator)
    raise ValueError(f"unknown pack chart kind: {chart.kind}")


COLUMNS = {
    "projects_by_status": {"status": "Code de l'étape", "label": "Étape", "projects": "Projets"},
    "choropleth": {
        "code": "Code INSEE",
        "name": "Commune",
        "territory": "Territoire",
        "member": "Commune membre",
        "population": "Habitants",
        "projects": "Projets proposés",
        "money": fields.PROJECTS.label("amount"),
        "jobs_created": fields.PROJECTS.label("jobs_created"),
        "projects_per_10k": "Projets proposés pour 10 000 habitants",
        "money_per_inhabitant": "Montant engagé par habitant (€)",
        "jobs_per_10k": f"{fields.PROJECTS.label('jobs_created')} pour 10 000 habitants",
    },
    "leverage": {
        "code": "Code",
        "name": "Territoire",
        **{column: read_leverage.HEADERS[column] for column in read_leverage.LEVER_COLUMNS},
    },
    "indicator": {"period": "Semestre", "place": "Code du lieu", "place_name": "Lieu", "value": "Valeur"},
}
TARGET_COLUMNS = {"period": "Semestre", "place": "Code du lieu", "value": "Cible"}


def chart_table(chart: Chart) -> pd.DataFrame:
    """The rows behind ``chart`` with French column labels (an indicator's value column says its unit)."""
    columns = dict(COLUMNS[chart.kind])
    if chart.kind == "indicator" and chart.indicator is not None:
        columns["value"] = f"Valeur ({chart.indicator.unit})"
    kept = [c for c in columns if c in chart.rows.columns]
    return chart.rows[kept].rename(columns=columns).reset_index(drop=True)


def target_table(chart: Chart) -> pd.DataFrame | None:
    """An indicator chart's targets with French column labels, else None."""
    if chart.targets is None:
        return None
    kept = [c for c in TARGET_COLUMNS if c in chart.targets.columns]
    return chart.targets[kept].rename(columns=TARGET_COLUMNS).reset_index(drop=True)
