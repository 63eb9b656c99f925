"""Streamlit views of the evaluation indicators: the entry grid, an indicator against its target and
as a table, and the column labels of the catalogue and of the history of values."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from essdash.domain import fmt
from essdash.domain.vocabulary import Provenance
from essdash.read.indicators import Indicator

CATALOGUE_COLUMNS = {
    "category": st.column_config.TextColumn("Catégorie"),
    "label": st.column_config.TextColumn("Indicateur", width="medium"),
    "unit": st.column_config.TextColumn("Unité"),
    "direction": st.column_config.TextColumn("Sens", help="up : plus c'est mieux ; down : moins c'est mieux"),
    "level": st.column_config.TextColumn("Niveau"),
    "kind": st.column_config.TextColumn("Type", help="entered : saisi ; computed : calculé à partir du registre"),
    "formula": st.column_config.TextColumn("Formule", width="large"),
    "definition": st.column_config.TextColumn("Définition", width="large"),
    "source": st.column_config.TextColumn("Source"),
}
HISTORY_COLUMNS = {
    "territory_code": "Territoire",
    "commune_code": "Commune",
    "value": "Valeur",
    "provenance": "Provenance",
    "source": "Source",
    "recorded_at": st.column_config.DatetimeColumn("Enregistré le", format="DD/MM/YYYY HH:mm"),
    "recorded_by": "Par",
    "superseded_at": st.column_config.DatetimeColumn("Remplacé le", format="DD/MM/YYYY HH:mm"),
}


def entry_grid(grid: pd.DataFrame, unit: str, scope: str) -> list[dict]:
    """The entry grid inside a form: per territory, the value (typed in French habits, « 12,5 »),
    its provenance and its source. Returns the rows as typed; keys depend on ``scope``."""
    provenances = Provenance.labels()
    head = st.columns([2, 2, 2, 3])
    for column, title in zip(head, ("Territoire", f"Valeur ({unit})", "Provenance", "Source")):
        column.markdown(f"**{title}**")
    rows = []
    for row in grid.itertuples():
        name, value, provenance, source = st.columns([2, 2, 2, 3])
        name.markdown(row.name)
        rows.append(
            {
                "code": row.code,
                "value": value.text_input(
                    f"Valeur {row.name}", row.value, key=f"v-{scope}-{row.code}", label_visibility="collapsed"
                ),
                "provenance": provenance.selectbox(
                    f"Provenance {row.name}",
                    list(provenances),
                    key=f"p-{scope}-{row.code}",
                    format_func=provenances.get,
                    index=list(provenances).index(row.provenance) if isinstance(row.provenance, str) else 0,
                    label_visibility="collapsed",
                ),
                "source": source.text_input(
                    f"Source {row.name}",
                    row.source if isinstance(row.source, str) else "",
                    key=f"s-{scope}-{row.code}",
                    label_visibility="collapsed",
                ),
            }
        )
    return rows


def indicator_gaps(gaps: pd.DataFrame, indicator: Indicator) -> None:
    """Metropolitan value against target, with the gap, for the semesters that have a target."""
    if gaps.empty:
        st.caption("Pas de cible fixée pour cet indicateur.")
        return
    decimals = 0 if indicator.unit in ("emplois", "personnes", "€") else 1
    last = gaps.iloc[-1]
    verdict = "atteinte" if last["met"] else "non atteinte"
    st.metric(
        f"Métropole, {fmt.period_label(last['period'])}",
        f"{fmt.number(last['value'], decimals)} {indicator.unit}",
        delta=f"{fmt.number(last['gap'], decimals)} par rapport à la cible ({verdict})",
        delta_color="normal" if indicator.direction == "up" else "inverse",
    )


def indicator_table(values: pd.DataFrame, indicator: Indicator) -> None:
    """Values as a table: places in rows, semesters in columns."""
    table = values.pivot_table(index="place_name", columns="period", values="value", aggfunc="first")
    table.columns = [fmt.period_label(p) for p in table.columns]
    st.dataframe(
        table,
        width="stretch",
        column_config={c: st.column_config.NumberColumn(c, format="localized") for c in table.columns},
    )
