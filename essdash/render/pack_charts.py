"""Drawing the charts of the meeting pack: each :class:`essdash.read.pack.Chart` (rows and kind)
becomes the altair chart that the presentation, the PDF and the PowerPoint show."""

from __future__ import annotations

import altair as alt

from essdash.read.pack import Chart
from essdash.render import charts, maps


def draw(chart: Chart) -> alt.Chart:
    """The altair chart of one pack chart."""
    if chart.kind == "projects_by_status":
        return charts.projects_by_status(chart.rows)
    if chart.kind == "choropleth":
        return maps.static_choropleth(
            chart.rows, chart.options["level"], chart.options["measure"], width=480, height=440
        )
    if chart.kind == "indicator" and chart.indicator is not None and chart.targets is not None:
        return charts.indicator_chart(chart.rows, chart.targets, chart.indicator)
    raise ValueError(f"unknown pack chart kind: {chart.kind}")
