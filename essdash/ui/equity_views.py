"""Streamlit views of the equity check (the Équité page): the measure and period, the findings,
then one view per tab (territories, communes, size and distance, Lorenz curve, funnel, white spots),
and the column labels of their tables."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from essdash.domain import fmt
from essdash.read import equity_report, places
from essdash.read.equity_report import EQUITY_MEASURES, EquityMeasure, EquityReport
from essdash.read.filters import Filters
from essdash.render import charts
from essdash.ui.frame import chart, compute, period_range, read, scope_caption, tabs

if TYPE_CHECKING:
    from streamlit.elements.lib.column_config_utils import ColumnConfigMappingInput


def equity_columns(spec: EquityMeasure) -> dict:
    """Column labels of the equity tables for one measure; decimals in the reader's locale (« 1,47 »
    in French), the columns staying numbers so that they sort."""
    return {
        "name": st.column_config.TextColumn("Lieu"),
        "territory": st.column_config.TextColumn("Territoire"),
        "communes": st.column_config.NumberColumn("Communes", format="%d"),
        "population": st.column_config.NumberColumn("Habitants", format="localized"),
        "size_class": st.column_config.TextColumn("Taille"),
        "distance_km": st.column_config.NumberColumn("Distance à Lille (km)", format="localized", step=0.1),
        spec.count: st.column_config.NumberColumn(spec.label, format="localized"),
        spec.rate: st.column_config.NumberColumn(spec.rate_title, format="localized", step=0.01),
        "lq": st.column_config.NumberColumn(
            "Quotient de localisation",
            format="localized",
            step=0.01,
            help="1 = part des projets égale à la part de la population",
        ),
        "flag": st.column_config.TextColumn("Entonnoir (99,8 %)"),
    }


COVERAGE_COLUMNS: ColumnConfigMappingInput = {
    "classe": "Classe",
    "communes": st.column_config.NumberColumn("Communes", format="%d"),
    "communes_touchees": st.column_config.NumberColumn("Communes touchées", format="%d"),
    "part_communes": st.column_config.NumberColumn("Part des communes", format="percent"),
    "population": st.column_config.NumberColumn("Habitants", format="localized"),
    "part_population": st.column_config.NumberColumn("Part des habitants touchés", format="percent"),
    "total": st.column_config.NumberColumn("Total", format="localized"),
}
WHITE_SPOT_COLUMNS: ColumnConfigMappingInput = {
    "insee_code": "Code INSEE",
    "name": "Commune",
    "territory": "Territoire",
    "population": st.column_config.NumberColumn("Habitants", format="localized"),
    "latest": "Dernier projet proposé",  # a date, or « jamais » (Streamlit would write « None »)
}


def equity_check(base: Filters) -> None:
    """The Équité page under its frame: the measure and the period, the scope, the findings, and the
    tabs; with a territory chosen, its communes only (do all the communes of my territory benefit?)."""
    c1, c2 = st.columns([1, 3])
    measure = c1.radio("Mesure", list(EQUITY_MEASURES), key="e_measure", format_func=lambda k: EQUITY_MEASURES[k].label)
    with c2:
        first, last = period_range()
    filters = base.with_(period_from=first, period_to=last)
    commune_figures = read(places.place_figures, filters, "commune")
    territory_figures = read(places.place_figures, filters, "territory")
    if filters.territory:  # a technician's question: do all the communes of my territory benefit?
        commune_figures = commune_figures[commune_figures["territory_code"] == filters.territory]
    result = compute(equity_report.report, commune_figures, territory_figures, measure)
    st.caption(
        f"{scope_caption(filters.with_(commune=None))} · communes membres sur la période · "
        "projets rattachés à leur commune principale. " + result.metro_sentence
    )
    findings(result)
    tabs(
        {
            "Territoires": lambda: territories(result),
            "Communes": lambda: communes(result),
            "Taille et distance": lambda: size_and_distance(result),
            "Lorenz": lambda: lorenz(result),
            "Entonnoir": lambda: funnel(result),
            "Zones blanches": lambda: white_spots(filters, int(commune_figures["member"].sum())),
        },
        key="e_tab",
    )


def findings(result: EquityReport) -> None:
    """The findings: each figure as a metric, then every sentence, in the report's order."""
    figures = result.figures
    for column, finding in zip(st.columns(len(figures)), figures):
        column.metric(finding.label, finding.value, help=finding.help or None)
    for finding in result.findings:
        st.markdown(f"- {fmt.md_escape(finding.sentence)}")  # names communes and territories of the base


def _sentence(result: EquityReport, key: str) -> str:
    finding = result.finding(key)
    return fmt.md_escape(finding.sentence) if finding else ""


def territories(result: EquityReport) -> None:
    """The rate of every territory against the metropolitan rate, and their table."""
    spec = result.measure
    chart(charts.rates_by_place, result.territories, spec.rate, spec.rate_title, result.metro_rate)
    st.dataframe(
        result.territories,
        hide_index=True,
        width="stretch",
        column_order=["name", "communes", "population", spec.count, spec.rate, "lq"],
        column_config=equity_columns(spec),
        placeholder=fmt.MISSING,
    )


def communes(result: EquityReport) -> None:
    """The member communes, highest rate first."""
    spec = result.measure
    st.dataframe(
        result.communes.sort_values(spec.rate, ascending=False),
        hide_index=True,
        width="stretch",
        column_order=[
            "name",
            "territory",
            "population",
            "size_class",
            "distance_km",
            spec.count,
            spec.rate,
            "lq",
            "flag",
        ],
        column_config=equity_columns(spec),
        placeholder=fmt.MISSING,
    )


def size_and_distance(result: EquityReport) -> None:
    """Coverage by size class and by distance band to the centre of Lille."""
    st.markdown("**Par taille de commune**")
    st.dataframe(
        result.by_size, hide_index=True, width="stretch", column_config=COVERAGE_COLUMNS, placeholder=fmt.MISSING
    )
    st.markdown("**Par distance au centre de Lille**")
    st.dataframe(
        result.by_distance, hide_index=True, width="stretch", column_config=COVERAGE_COLUMNS, placeholder=fmt.MISSING
    )


def lorenz(result: EquityReport) -> None:
    """The Lorenz curve and the Gini sentence."""
    if result.lorenz.empty:
        st.info("Rien à répartir sur cette période.")
    else:
        chart(charts.lorenz, result.lorenz, result.measure.word)
    st.caption(_sentence(result, "gini"))


def funnel(result: EquityReport) -> None:
    """The funnel plot of the communes' rates, for counts only."""
    if result.funnel is None:
        st.info(
            "L'entonnoir compare des effectifs (projets, emplois) à ce que le hasard expliquerait ; "
            "il ne s'applique pas à des montants."
        )
        return
    spec = result.measure
    points = result.communes.assign(rate=result.communes[spec.rate])
    chart(charts.funnel, points, result.funnel, spec.rate_title)
    st.caption(_sentence(result, "funnel"))


def white_spots(filters: Filters, members: int) -> None:
    """The member communes without any proposal in the last semesters chosen with a slider."""
    last_n = st.slider("Sans projet depuis (semestres)", 1, 8, 4, key="e_last_n")
    spots = read(places.white_spots, filters, last_n)
    st.markdown(fmt.md_escape(equity_report.white_spots_sentence(spots, last_n, members)))
    shown = spots.assign(latest=[fmt.short_day(d) if pd.notna(d) else "jamais" for d in spots["latest"]])
    st.dataframe(shown, hide_index=True, width="stretch", column_config=WHITE_SPOT_COLUMNS, placeholder=fmt.MISSING)
