"""Streamlit views of the evaluation indicators: the entry grid, an indicator's headline (the selected
territory's value or the metropolis's, against its target) and table, the catalogue and the history
of values, in French (labels, not codes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from essdash.domain import fmt, rules
from essdash.domain.approval import SemesterState
from essdash.domain.vocabulary import Deed, Provenance
from essdash.read import approval, indicators, queries
from essdash.read.filters import Filters
from essdash.read.indicators import Indicator
from essdash.render import charts
from essdash.ui import forms as ui_forms
from essdash.ui import session
from essdash.ui.choices import labelled
from essdash.ui.frame import chart, folded, period_range, place_caption, read
from essdash.ui.records import without_none
from essdash.write.measurements import save_measurements

if TYPE_CHECKING:
    from streamlit.elements.lib.column_config_utils import ColumnConfigMappingInput

CATALOGUE_COLUMNS = {
    "category": st.column_config.TextColumn("Catégorie"),
    "label": st.column_config.TextColumn("Indicateur", width="medium"),
    "unit": st.column_config.TextColumn("Unité"),
    "direction": st.column_config.TextColumn("Sens"),
    "level": st.column_config.TextColumn("Niveau"),
    "kind": st.column_config.TextColumn("Type"),
    "formula": st.column_config.TextColumn("Formule", width="large"),
    "definition": st.column_config.TextColumn("Définition", width="large"),
    "source": st.column_config.TextColumn("Source"),
}
CATALOGUE_LABELS = {
    "direction": {"up": "plus c'est mieux", "down": "moins c'est mieux"},
    "kind": {"entered": "saisi", "computed": "calculé à partir du registre"},
    "level": {"commune": "commune", "territoire": "territoire", "metropole": "métropole"},
}
HISTORY_COLUMNS: ColumnConfigMappingInput = {
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
    its provenance and its source. Returns the rows as typed; keys depend on ``scope``.

    The provenance offered is the recorded value's (« Déclaré » for an empty row); a technician's
    values are declared, the mission checks them: for a technician every row offers « Déclaré », and
    a row saved as it was shown keeps its recorded provenance."""
    provenances = Provenance.labels()
    declared = session.scope(Deed.MEASUREMENT) is not None  # a technician, who answers for a territory
    head = st.columns([2, 2, 2, 3])
    for column, title in zip(head, ("Territoire", f"Valeur ({fmt.md_escape(unit)})", "Provenance", "Source")):
        column.markdown(f"**{title}**")
    rows = []
    for row in grid.itertuples():
        name, value, provenance, source = st.columns([2, 2, 2, 3])
        shown = fmt.md_escape(row.name)  # a territory's name from the base: text, never Markdown
        name.markdown(shown)
        recorded = row.provenance if isinstance(row.provenance, str) else Provenance.DECLARED.value
        recorded_source = row.source if isinstance(row.source, str) else ""
        typed = {
            "code": row.code,
            "value": value.text_input(
                f"Valeur {shown}", row.value, key=f"v-{scope}-{row.code}", label_visibility="collapsed"
            ),
            "provenance": provenance.selectbox(
                f"Provenance {shown}",
                list(provenances),
                key=f"p-{scope}-{row.code}",
                format_func=labelled(provenances),
                index=list(provenances).index(Provenance.DECLARED.value if declared else recorded),
                label_visibility="collapsed",
                placeholder=fmt.CHOOSE,
            ),
            "source": source.text_input(
                f"Source {shown}", recorded_source, key=f"s-{scope}-{row.code}", label_visibility="collapsed"
            ),
        }
        if declared and (typed["value"], typed["source"], typed["provenance"]) == (
            row.value,
            recorded_source,
            Provenance.DECLARED.value,
        ):
            typed["provenance"] = recorded  # left as it was shown: not a new declaration
        rows.append(typed)
    return rows


def catalogue_table(catalogue: pd.DataFrame) -> None:
    """The catalogue of indicators, with French words for direction, kind and level."""
    table = catalogue.copy()
    for column, labels in CATALOGUE_LABELS.items():
        table[column] = table[column].map(labels).fillna(table[column])
    shown, aligned = without_none(table)  # an entered indicator has no formula: « – », not Streamlit's « None »
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_order=CATALOGUE_COLUMNS.keys(),
        column_config=aligned | CATALOGUE_COLUMNS,
        placeholder=fmt.MISSING,
    )


def history_table(history: pd.DataFrame, territory_names: dict[str, str]) -> None:
    """The values of a semester, replaced ones included, with territory names and provenance labels."""
    table = history.assign(
        territory_code=history["territory_code"].map(territory_names).fillna(history["territory_code"]),
        provenance=history["provenance"].map(Provenance.labels()).fillna(history["provenance"]),
    )
    st.dataframe(table, hide_index=True, width="stretch", column_config=HISTORY_COLUMNS, placeholder=fmt.MISSING)


def indicator_headline(data: indicators.Series, place: str) -> None:
    """The latest value of ``place`` (a territory code or the metropolis), named, against its target
    (the gap, for the last semester that has a target for that place)."""
    values = data.values[(data.values["place"] == place) & data.values["value"].notna()]
    if values.empty:
        st.caption("Aucune valeur pour ce territoire sur la période.")
        return
    indicator = data.indicator
    decimals = 0 if indicator.unit in rules.SUMMED_UNITS else 1
    gaps = indicators.gaps(data.values, data.targets, indicator.direction, place)
    last = gaps.iloc[-1] if not gaps.empty else values.iloc[-1]
    name = fmt.md_escape(values["place_name"].iloc[0])
    shown = values[values["period"] == last["period"]]
    provisional = " (provisoire)" if bool(shown["provisional"].any()) else ""
    delta = None
    if not gaps.empty:
        verdict = "atteinte" if last["met"] else "non atteinte"
        delta = f"{fmt.number(last['gap'], decimals)} par rapport à la cible ({verdict})"
    st.metric(
        f"{name}, {fmt.period_label(last['period'])}{provisional}",
        f"{fmt.number(last['value'], decimals)} {fmt.md_escape(indicator.unit)}",
        delta=delta,
        delta_color="normal" if indicator.direction == "up" else "inverse",
    )
    if gaps.empty:
        st.caption(f"Pas de cible fixée pour {name}.")


def indicator_table(values: pd.DataFrame, indicator: Indicator) -> None:
    """Values as a table: places in rows, semesters in columns."""
    table = values.pivot_table(index="place_name", columns="period", values="value", aggfunc="first")
    table.columns = [fmt.period_label(p) for p in table.columns]
    table.index.name = "Lieu"
    st.dataframe(
        table,
        width="stretch",
        column_config={c: st.column_config.NumberColumn(c, format="localized") for c in table.columns},
        placeholder=fmt.MISSING,
    )


def provisional_note(values: pd.DataFrame) -> None:
    """Which semesters and places rest on values the mission ESS has not validated yet (« provisoire »)."""
    pending = values[values["provisional"].astype(bool) & (values["place"] != indicators.METRO)]
    if pending.empty:
        return
    said = "; ".join(
        f"{fmt.period_label(period)} : {', '.join(group['place_name'])}" for period, group in pending.groupby("period")
    )
    st.caption(
        ":material/pending: **Provisoire** — valeurs pas encore validées par la mission ESS (et chiffres de la "
        f"métropole qui en dépendent) : {fmt.md_escape(said)}. Leur état se suit sur la page Évaluation."
    )


def catalogue() -> pd.DataFrame:
    """The indicator catalogue, with each indicator's label in the selectors (« Catégorie · Libellé »)."""
    found = read(indicators.catalogue)
    return found.assign(choice=found["category"] + " · " + found["label"])


def series(filters: Filters, known: pd.DataFrame) -> None:
    """One indicator per semester, the metropolis and the territories, against its targets."""
    labels = dict(zip(known["code"], known["choice"]))
    code = st.selectbox("Indicateur", list(labels), format_func=labelled(labels), key="i_code", placeholder=fmt.CHOOSE)
    first, last = period_range(label="Période")
    data = read(indicators.series, code, filters.with_(territory=None, commune=None), first, last)
    indicator, values = data.indicator, data.values
    if filters.territory:
        values = values[values["place"].isin([filters.territory, indicators.METRO])]
    st.caption(
        f"{place_caption(filters.with_(commune=None))} · "
        f"{'Calculé à partir du registre' if indicator.kind == 'computed' else 'Saisi par semestre'} · "
        f"{fmt.md_escape(indicator.unit)} · {'plus' if indicator.direction == 'up' else 'moins'} c'est mieux · "
        + fmt.md_escape(f"Formule : {indicator.formula}" if indicator.formula else indicator.source)
    )
    if values.empty:
        st.info("Aucune valeur pour cet indicateur sur la période.")
    else:
        chart(charts.indicator_chart, values, data.targets, indicator)
        st.caption(
            "Trait noir épais : la métropole · traits fins : les territoires · tirets rouges : la cible "
            "(cibles des semestres du plan affiché)."
        )
        indicator_headline(data, filters.territory or indicators.METRO)
        indicator_table(values, indicator)
        provisional_note(values)


def entry(engine, known: pd.DataFrame) -> None:
    """The values of one entered indicator for one semester, per territory, and their history."""
    entered = known[known["kind"] == "entered"]
    labels = dict(zip(entered["code"], entered["choice"]))
    entry_code = st.selectbox(
        "Indicateur saisi", list(labels), format_func=labelled(labels), key="i_entry_code", placeholder=fmt.CHOOSE
    )
    semesters = read(indicators.reference_periods)
    period = st.selectbox(
        "Semestre", semesters[::-1], format_func=fmt.period_label, key="i_entry_period", placeholder=fmt.CHOOSE
    )
    unit = known.set_index("code").loc[entry_code, "unit"]
    states = read(approval.places, period)
    closed = states[states["state"] != SemesterState.ENTRY.value]
    if not closed.empty:
        st.caption(
            ":material/lock: Fermées à la saisie pour ce semestre (soumises, validées ou verrouillées) : "
            + fmt.md_escape(", ".join(f"{n} ({s.lower()})" for n, s in zip(closed["name"], closed["state_label"])))
        )
    if not session.may(Deed.MEASUREMENT):
        session.read_only("saisir des valeurs d'indicateurs")
    else:
        with st.form("entry"):
            grid = read(indicators.entry_grid, entry_code, period)
            if (mine := session.scope(Deed.MEASUREMENT)) is not None:  # a technician: their territory only
                grid = grid[grid["code"] == mine.territory]
            rows = entry_grid(grid, unit, f"{entry_code}-{period}")
            actor = ui_forms.signature("i_author")
            submitted = st.form_submit_button("Enregistrer les valeurs", type="primary")
        if submitted and ui_forms.run(
            lambda: save_measurements(engine, actor, entry_code, period, rows),
            lambda n: f"{fmt.plural(n, 'valeur enregistrée', 'valeurs enregistrées')} pour {fmt.period_label(period)}.",
            actor,
        ):
            st.rerun()

    def history() -> None:
        territories = read(queries.territory_options)
        names = dict(zip(territories["code"], territories["name"]))
        history_table(read(indicators.history, entry_code, period), names)

    folded("Historique des valeurs de ce semestre (valeurs remplacées comprises)", "i_history_open", history)
