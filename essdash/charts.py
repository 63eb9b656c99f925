"""Altair chart builders with a French locale (decimal comma, narrow no-break space, € suffix).

Each builder takes a DataFrame from :mod:`essdash.queries` and returns an ``alt.Chart``; the
French number and time locale travels in the spec's ``config.locale`` so Vega renders it.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

FRENCH_LOCALE = {
    "number": {"decimal": ",", "thousands": "\u202f", "grouping": [3], "currency": ["", "\u00a0€"]},
    "time": {
        "dateTime": "%A %e %B %Y à %X", "date": "%d/%m/%Y", "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
        "shortDays": ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
        "months": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                   "septembre", "octobre", "novembre", "décembre"],
        "shortMonths": ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août",
                        "sept.", "oct.", "nov.", "déc."],
    },
}
# Okabe–Ito: distinguishable by colour-blind readers.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
MONEY_FORMAT = ",.0f"
LABEL_LIMIT = 240


def _french(chart: alt.Chart) -> alt.Chart:
    return chart.configure(locale=FRENCH_LOCALE).configure_range(category=PALETTE)


def projects_by_status(frame: pd.DataFrame) -> alt.Chart:
    """Horizontal bars: projects per lifecycle status, in lifecycle order."""
    chart = alt.Chart(frame).mark_bar(color=PALETTE[0]).encode(
        x=alt.X("projects:Q", title="Projets", axis=alt.Axis(format=",d", tickMinStep=1)),
        y=alt.Y("label:N", title=None, sort=alt.SortField("order"), axis=alt.Axis(labelLimit=LABEL_LIMIT)),
        tooltip=[alt.Tooltip("label:N", title="Statut"), alt.Tooltip("projects:Q", title="Projets", format=",d")],
    )
    labels = chart.mark_text(align="left", dx=3).encode(text=alt.Text("projects:Q", format=",d"))
    return _french(alt.layer(chart, labels).properties(height=alt.Step(22)))


def money_by_funder(frame: pd.DataFrame) -> alt.Chart:
    """Horizontal bars: money committed per funder, in euros."""
    chart = alt.Chart(frame).mark_bar(color=PALETTE[2]).encode(
        x=alt.X("amount:Q", title="Montant engagé (€)", axis=alt.Axis(format=MONEY_FORMAT)),
        y=alt.Y("funder:N", title=None, sort="-x", axis=alt.Axis(labelLimit=LABEL_LIMIT)),
        tooltip=[alt.Tooltip("funder:N", title="Financeur"), alt.Tooltip("kind:N", title="Type"),
                 alt.Tooltip("amount:Q", title="Montant (€)", format=MONEY_FORMAT),
                 alt.Tooltip("fundings:Q", title="Financements", format=",d")],
    )
    return _french(chart.properties(height=alt.Step(22)))


def sheets_by_status(frame: pd.DataFrame) -> alt.Chart:
    """Horizontal bars: fiches per status."""
    chart = alt.Chart(frame).mark_bar(color=PALETTE[1]).encode(
        x=alt.X("sheets:Q", title="Fiches", axis=alt.Axis(format=",d", tickMinStep=1)),
        y=alt.Y("label:N", title=None, sort=alt.SortField("order"), axis=alt.Axis(labelLimit=LABEL_LIMIT)),
        tooltip=[alt.Tooltip("label:N", title="Statut"), alt.Tooltip("sheets:Q", title="Fiches", format=",d")],
    )
    return _french(chart.properties(height=alt.Step(22)))


def jobs_by_territory(frame: pd.DataFrame) -> alt.Chart:
    """Grouped bars: jobs created and maintained per territory."""
    long = frame.melt(id_vars=["territory", "position"], value_vars=["jobs_created", "jobs_maintained"],
                      var_name="kind", value_name="jobs")
    long["kind"] = long["kind"].map({"jobs_created": "Emplois créés", "jobs_maintained": "Emplois maintenus"})
    chart = alt.Chart(long).mark_bar().encode(
        x=alt.X("jobs:Q", title="Emplois", axis=alt.Axis(format=",d")),
        y=alt.Y("territory:N", title=None, sort=alt.SortField("position"), axis=alt.Axis(labelLimit=LABEL_LIMIT)),
        yOffset="kind:N",
        color=alt.Color("kind:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("territory:N", title="Territoire"), alt.Tooltip("kind:N", title="Type"),
                 alt.Tooltip("jobs:Q", title="Emplois", format=",d")],
    )
    return _french(chart)
