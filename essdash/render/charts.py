"""Altair chart builders with a French locale (decimal comma, narrow no-break space, € suffix).

Each builder takes a DataFrame from :mod:`essdash.read.queries` and returns an altair chart; the
French number and time locale travels in the spec's ``config.locale`` so Vega renders it.
"""

from __future__ import annotations

import threading
from typing import TypeVar

import altair as alt
import pandas as pd

from essdash.domain import leverage
from essdash.read.indicators import Indicator

FRENCH_LOCALE = {
    "number": {"decimal": ",", "thousands": "\u202f", "grouping": [3], "currency": ["", "\u00a0€"]},
    "time": {
        "dateTime": "%A %e %B %Y à %X",
        "date": "%d/%m/%Y",
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
        "shortDays": ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
        "months": [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ],
        "shortMonths": [
            "janv.",
            "févr.",
            "mars",
            "avr.",
            "mai",
            "juin",
            "juil.",
            "août",
            "sept.",
            "oct.",
            "nov.",
            "déc.",
        ],
    },
}
# Okabe–Ito, distinguishable by colour-blind readers (wine in place of black, kept for the metropolis).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#882255"]
# The indicator charts' territory lines: PALETTE with olive in place of vermillion, so that no territory
# looks like the targets, drawn in red.
TERRITORY_COLOURS = [*PALETTE[:5], "#999933", *PALETTE[6:]]
TARGET_COLOUR = "#E3000F"
MONEY_FORMAT = ",.0f"
LABEL_LIMIT = 320
# Text sizes (px) of a chart shown on a projector: read from the back of a room.
PROJECTOR_TEXT = {"label": 18, "title": 20, "chart_title": 24, "bar_step": 36}


# Altair's theme and data transformer are global to the process: one spec is made at a time.
_ALTAIR_GLOBALS = threading.Lock()


def vega_lite(chart: alt.TopLevelMixin) -> dict:
    """The chart's Vega-Lite spec with its data inline, as Streamlit draws an altair chart: without
    Altair's default theme (its 300 px sizes) and without a row limit. It is not validated against
    the Vega-Lite schema here, which costs more than building the chart: the tests validate every
    chart the pages draw (``tests/ui/test_charts_valid.py``)."""
    with _ALTAIR_GLOBALS, alt.theme.enable("none"), alt.data_transformers.enable("default", max_rows=None):
        return chart.to_dict(validate=False)


Drawn = TypeVar("Drawn", bound=alt.TopLevelMixin)  # a top-level chart: one mark, or marks in layers


def _french(chart: Drawn) -> Drawn:
    return chart.configure(locale=FRENCH_LOCALE).configure_range(category=PALETTE)


def for_projector(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The same chart with text readable on a projector: larger axis, legend, title and mark labels,
    and wider bars where the height is counted in bars."""
    size = PROJECTOR_TEXT
    chart = (
        chart.configure_axis(labelFontSize=size["label"], titleFontSize=size["title"])
        .configure_legend(labelFontSize=size["label"], titleFontSize=size["title"], labelLimit=0, titleLimit=0)
        .configure_title(fontSize=size["chart_title"])
        .configure_text(fontSize=size["label"])
    )
    if isinstance(chart, (alt.Chart, alt.LayerChart)) and isinstance(chart.height, alt.Step):
        chart = chart.properties(height=alt.Step(size["bar_step"]))
    return chart


def projects_by_status(frame: pd.DataFrame) -> alt.TopLevelMixin:
    """Horizontal bars: projects per lifecycle status, in lifecycle order."""
    chart = (
        alt.Chart(frame)
        .mark_bar(color=PALETTE[0])
        .encode(
            x=alt.X("projects:Q", title="Projets", axis=alt.Axis(format=",d", tickMinStep=1)),
            y=alt.Y("label:N", title=None, sort=alt.SortField("order"), axis=alt.Axis(labelLimit=LABEL_LIMIT)),
            tooltip=[alt.Tooltip("label:N", title="Statut"), alt.Tooltip("projects:Q", title="Projets", format=",d")],
        )
    )
    labels = chart.mark_text(align="left", dx=3).encode(text=alt.Text("projects:Q", format=",d"))
    return _french(alt.layer(chart, labels).properties(height=alt.Step(22)))


def money_by_funder(frame: pd.DataFrame) -> alt.Chart:
    """Horizontal bars: money committed per funder, in euros."""
    chart = (
        alt.Chart(frame)
        .mark_bar(color=PALETTE[2])
        .encode(
            x=alt.X("amount:Q", title="Montant engagé (€)", axis=alt.Axis(format=MONEY_FORMAT)),
            y=alt.Y("funder:N", title=None, sort="-x", axis=alt.Axis(labelLimit=LABEL_LIMIT)),
            tooltip=[
                alt.Tooltip("funder:N", title="Financeur"),
                alt.Tooltip("kind:N", title="Type"),
                alt.Tooltip("amount:Q", title="Montant (€)", format=MONEY_FORMAT),
                alt.Tooltip("fundings:Q", title="Financements", format=",d"),
            ],
        )
    )
    return _french(chart.properties(height=alt.Step(22)))


def sheets_by_status(frame: pd.DataFrame) -> alt.Chart:
    """Horizontal bars: fiches per status."""
    chart = (
        alt.Chart(frame)
        .mark_bar(color=PALETTE[1])
        .encode(
            x=alt.X("sheets:Q", title="Fiches", axis=alt.Axis(format=",d", tickMinStep=1)),
            y=alt.Y("label:N", title=None, sort=alt.SortField("order"), axis=alt.Axis(labelLimit=LABEL_LIMIT)),
            tooltip=[alt.Tooltip("label:N", title="Statut"), alt.Tooltip("sheets:Q", title="Fiches", format=",d")],
        )
    )
    return _french(chart.properties(height=alt.Step(22)))


def jobs_by_territory(frame: pd.DataFrame) -> alt.Chart:
    """Grouped bars: jobs created and maintained per territory."""
    long = frame.melt(
        id_vars=["territory", "position"],
        value_vars=["jobs_created", "jobs_maintained"],
        var_name="kind",
        value_name="jobs",
    )
    long["kind"] = long["kind"].map({"jobs_created": "Emplois prévus", "jobs_maintained": "Emplois maintenus"})
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("jobs:Q", title="Emplois", axis=alt.Axis(format=",d")),
            y=alt.Y("territory:N", title=None, sort=alt.SortField("position"), axis=alt.Axis(labelLimit=LABEL_LIMIT)),
            yOffset="kind:N",
            color=alt.Color("kind:N", title=None, legend=alt.Legend(orient="bottom")),
            tooltip=[
                alt.Tooltip("territory:N", title="Territoire"),
                alt.Tooltip("kind:N", title="Type"),
                alt.Tooltip("jobs:Q", title="Emplois", format=",d"),
            ],
        )
    )
    return _french(chart)


def _period_axis(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["semestre"] = frame["period"].map(lambda p: f"{p[-2:]} {p[:4]}")
    return frame


def indicator_chart(
    values: pd.DataFrame, targets: pd.DataFrame, indicator: Indicator, *, metro: str = "metropole"
) -> alt.TopLevelMixin:
    """An indicator per semester: one thin line per territory, the metropolis in bold, the
    targets as red ticks joined by a dashed line."""
    values = _period_axis(values)
    order = sorted(values["semestre"].unique(), key=lambda s: (s[-4:], s[:2]))
    x = alt.X("semestre:O", title="Semestre", sort=order, axis=alt.Axis(labelAngle=0))
    y_title = indicator.unit
    tooltip = [
        alt.Tooltip("place_name:N", title="Lieu"),
        alt.Tooltip("semestre:O", title="Semestre"),
        alt.Tooltip("value:Q", title=indicator.unit, format=",.1f"),
    ]
    places = values[values["place"] != metro]
    lines = (
        alt.Chart(places)
        .mark_line(point=True, strokeWidth=1.5, opacity=0.75)
        .encode(
            x=x,
            y=alt.Y("value:Q", title=y_title, axis=alt.Axis(format=",.1~f")),
            color=alt.Color(
                "place_name:N",
                title="Territoire",
                scale=alt.Scale(range=TERRITORY_COLOURS),
                legend=alt.Legend(orient="right"),
            ),
            tooltip=tooltip,
        )
    )
    metro_line = (
        alt.Chart(values[values["place"] == metro])
        .mark_line(point=alt.OverlayMarkDef(size=60, color="#000000"), color="#000000", strokeWidth=3.5)
        .encode(x=x, y="value:Q", tooltip=tooltip)
    )
    layers = [lines, metro_line]
    if not targets.empty:
        targets = _period_axis(targets[targets["place"] == metro])
        layers.append(
            alt.Chart(targets)
            .mark_line(strokeDash=[6, 4], color=TARGET_COLOUR, strokeWidth=2.5)
            .encode(x=x, y="value:Q")
        )
        layers.append(
            alt.Chart(targets)
            .mark_tick(color=TARGET_COLOUR, thickness=3, size=28)
            .encode(
                x=x,
                y="value:Q",
                tooltip=[
                    alt.Tooltip("semestre:O", title="Semestre"),
                    alt.Tooltip("value:Q", title="Cible", format=",.1f"),
                ],
            )
        )
    return _french(alt.layer(*layers).properties(height=380))


def rates_by_place(frame: pd.DataFrame, column: str, title: str, metro_rate: float) -> alt.TopLevelMixin:
    """Horizontal bars of a per-capita rate by place, with the metropolitan rate as a rule."""
    bars = (
        alt.Chart(frame)
        .mark_bar(color=PALETTE[0])
        .encode(
            x=alt.X(f"{column}:Q", title=title, axis=alt.Axis(format=",.1~f")),
            y=alt.Y("name:N", title=None, sort="-x", axis=alt.Axis(labelLimit=LABEL_LIMIT)),
            tooltip=[
                alt.Tooltip("name:N", title="Lieu"),
                alt.Tooltip(f"{column}:Q", title=title, format=",.2f"),
                alt.Tooltip("population:Q", title="Habitants", format=",d"),
            ],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"metro": [metro_rate]}))
        .mark_rule(color="#D55E00", strokeDash=[5, 3], strokeWidth=2)
        .encode(x="metro:Q")
    )
    return _french(alt.layer(bars, rule).properties(height=alt.Step(20)))


def leverage_by_place(frame: pd.DataFrame, lever: str, reference: float) -> alt.TopLevelMixin:
    """Horizontal bars of a lever's euros of other funders per euro (``{lever}_leverage``) by place
    (``name``), places without a euro of the lever left out; the plan's aim of 2 € as a solid red
    rule, ``reference`` (all places together) as a dashed one."""
    column, title = f"{lever}_leverage", leverage.LEVER_LABELS[lever] + " → euros d'autres financeurs"
    shown = frame[frame[lever] > 0]
    bars = (
        alt.Chart(shown[["name", lever, column]])
        .mark_bar(color=PALETTE[0])
        .encode(
            x=alt.X(f"{column}:Q", title=title, axis=alt.Axis(format=",.1~f")),
            y=alt.Y("name:N", title=None, sort="-x", axis=alt.Axis(labelLimit=LABEL_LIMIT)),
            tooltip=[
                alt.Tooltip("name:N", title="Lieu"),
                alt.Tooltip(f"{column}:Q", title="Euros d'autres financeurs par euro", format=",.2f"),
                alt.Tooltip(f"{lever}:Q", title="Euros du levier", format=MONEY_FORMAT),
            ],
        )
    )
    rules = pd.DataFrame({"value": [leverage.AIM, reference], "label": ["Objectif du plan", "Ensemble"]})
    tooltip = [alt.Tooltip("label:N", title="Repère"), alt.Tooltip("value:Q", title="Euros par euro", format=",.2f")]
    aim = alt.Chart(rules.iloc[:1]).mark_rule(color=TARGET_COLOUR, strokeWidth=2).encode(x="value:Q", tooltip=tooltip)
    mean = (
        alt.Chart(rules.iloc[1:].dropna())
        .mark_rule(color="#555555", strokeDash=[5, 3], strokeWidth=2)
        .encode(x="value:Q", tooltip=tooltip)
    )
    return _french(alt.layer(bars, aim, mean).properties(height=alt.Step(20)))


def lorenz(curve: pd.DataFrame, what: str) -> alt.TopLevelMixin:
    """The Lorenz curve against the line of perfect equality."""
    line = (
        alt.Chart(curve)
        .mark_line(point=True, color=PALETTE[0], interpolate="linear")
        .encode(
            x=alt.X("population_share:Q", title="Part cumulée de la population", axis=alt.Axis(format="%")),
            y=alt.Y("count_share:Q", title=f"Part cumulée des {what}", axis=alt.Axis(format="%")),
            tooltip=[
                alt.Tooltip("population_share:Q", title="Population", format=".1%"),
                alt.Tooltip("count_share:Q", title=what.capitalize(), format=".1%"),
            ],
        )
    )
    equality = (
        alt.Chart(pd.DataFrame({"x": [0.0, 1.0], "y": [0.0, 1.0]}))
        .mark_line(color="#888888", strokeDash=[4, 4])
        .encode(x="x:Q", y="y:Q")
    )
    return _french(alt.layer(equality, line).properties(height=340))


def funnel(points: pd.DataFrame, limits: pd.DataFrame, rate_title: str) -> alt.TopLevelMixin:
    """Funnel plot: each commune's rate against its population, with Poisson control limits."""
    long = limits.melt(
        id_vars=["population"],
        value_vars=["lower_95", "upper_95", "lower_998", "upper_998"],
        var_name="limit",
        value_name="rate",
    )
    long["limite"] = long["limit"].map(
        {"lower_95": "95 %", "upper_95": "95 %", "lower_998": "99,8 %", "upper_998": "99,8 %"}
    )
    long["side"] = long["limit"].str.split("_").str[0]
    x = alt.X(
        "population:Q",
        title="Population (échelle logarithmique)",
        scale=alt.Scale(type="log"),
        axis=alt.Axis(format=",d"),
    )
    bands = (
        alt.Chart(long)
        .mark_line(interpolate="step-after", strokeDash=[4, 3])
        .encode(
            x=x,
            y=alt.Y("rate:Q", title=rate_title),
            detail="limit:N",
            color=alt.Color("limite:N", title="Limites de contrôle", scale=alt.Scale(range=["#999999", "#444444"])),
        )
    )
    dots = (
        alt.Chart(points)
        .mark_circle(size=60, opacity=0.85)
        .encode(
            x=x,
            y="rate:Q",
            fill=alt.Fill(
                "flag:N",
                title="Position",
                scale=alt.Scale(
                    domain=["au-dessus", "dans la norme", "en dessous"], range=["#0072B2", "#BBBBBB", "#D55E00"]
                ),
            ),
            tooltip=[
                alt.Tooltip("name:N", title="Commune"),
                alt.Tooltip("population:Q", title="Habitants", format=",d"),
                alt.Tooltip("count:Q", title="Nombre", format=",d"),
                alt.Tooltip("rate:Q", title=rate_title, format=",.2f"),
                alt.Tooltip("flag:N", title="Position"),
            ],
        )
    )
    return _french(alt.layer(bands, dots).resolve_scale(color="independent").properties(height=380))


def pipeline(frame: pd.DataFrame) -> alt.Chart:
    """Stacked bars: proposals waiting at each step, per territory."""
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("projects:Q", title="Propositions en attente", axis=alt.Axis(format=",d", tickMinStep=1)),
            y=alt.Y("territory:N", title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
            color=alt.Color("step:N", title="Étape", legend=alt.Legend(orient="bottom")),
            tooltip=[
                alt.Tooltip("territory:N", title="Territoire"),
                alt.Tooltip("step:N", title="Étape"),
                alt.Tooltip("projects:Q", title="Projets", format=",d"),
                alt.Tooltip("median_days:Q", title="Attente médiane (jours)", format=",d"),
            ],
        )
    )
    return _french(chart)
