"""Indicateurs: the evaluation catalogue, each indicator per semester against its target, and entry."""

import streamlit as st

from essdash.domain import fmt
from essdash.domain.vocabulary import Deed
from essdash.read import indicators, queries
from essdash.render import charts
from essdash.ui import forms as ui_forms
from essdash.ui import frame as ui
from essdash.ui import indicator_views as ui_views
from essdash.ui import session
from essdash.write.measurements import save_measurements

ctx = ui.page_frame("Indicateurs", ":material/monitoring:")
ui_forms.flash()
catalogue = ui.read(indicators.catalogue)
labels = dict(zip(catalogue["code"], catalogue["category"] + " · " + catalogue["label"]))


def series() -> None:
    """One indicator per semester, the metropolis and the territories, against its targets."""
    code = st.selectbox("Indicateur", list(labels), format_func=labels.get, key="i_code", placeholder=fmt.CHOOSE)
    first, last = ui.period_range(label="Période")
    data = ui.read(indicators.series, code, first, last, ctx.filters.with_(territory=None, commune=None))
    indicator, values = data.indicator, data.values
    if ctx.filters.territory:
        values = values[values["place"].isin([ctx.filters.territory, indicators.METRO])]
    st.caption(
        f"{ui.place_caption(ctx.filters.with_(commune=None))} · "
        f"{'Calculé à partir du registre' if indicator.kind == 'computed' else 'Saisi par semestre'} · "
        f"{indicator.unit} · {'plus' if indicator.direction == 'up' else 'moins'} c'est mieux · "
        + (f"Formule : {indicator.formula}" if indicator.formula else indicator.source)
    )
    if values.empty:
        st.info("Aucune valeur pour cet indicateur sur la période.")
    else:
        ui.chart(charts.indicator_chart, values, data.targets, indicator)
        st.caption(
            "Trait noir épais : la métropole · traits fins : les territoires · tirets rouges : la cible "
            "(cibles des semestres du plan affiché)."
        )
        ui_views.indicator_headline(data, ctx.filters.territory or indicators.METRO)
        ui_views.indicator_table(values, indicator)


def entry() -> None:
    """The values of one entered indicator for one semester, per territory, and their history."""
    entered = [c for c in labels if catalogue.set_index("code").loc[c, "kind"] == "entered"]
    entry_code = st.selectbox(
        "Indicateur saisi", entered, format_func=labels.get, key="i_entry_code", placeholder=fmt.CHOOSE
    )
    semesters = ui.read(indicators.reference_periods)
    period = st.selectbox(
        "Semestre", semesters[::-1], format_func=fmt.period_label, key="i_entry_period", placeholder=fmt.CHOOSE
    )
    unit = catalogue.set_index("code").loc[entry_code, "unit"]
    if not session.may(Deed.MEASUREMENT):
        session.read_only("saisir des valeurs d'indicateurs")
    else:
        with st.form("entry"):
            grid = ui.read(indicators.entry_grid, entry_code, period)
            if (mine := session.scope(Deed.MEASUREMENT)) is not None:  # a technician: their territory only
                grid = grid[grid["code"] == mine.territory]
            rows = ui_views.entry_grid(grid, unit, f"{entry_code}-{period}")
            actor = ui_forms.signature("i_author")
            submitted = st.form_submit_button("Enregistrer les valeurs", type="primary")
        if submitted and ui_forms.run(
            lambda: save_measurements(ctx.engine, actor, entry_code, period, rows),
            lambda n: f"{fmt.plural(n, 'valeur enregistrée', 'valeurs enregistrées')} pour {fmt.period_label(period)}.",
            actor,
        ):
            st.rerun()

    def history() -> None:
        territories = ui.read(queries.territory_options)
        names = dict(zip(territories["code"], territories["name"]))
        ui_views.history_table(ui.read(indicators.history, entry_code, period), names)

    ui.folded("Historique des valeurs de ce semestre (valeurs remplacées comprises)", "i_history_open", history)


ui.tabs(
    {"Évolution": series, "Saisie": entry, "Catalogue": lambda: ui_views.catalogue_table(catalogue)},
    key="i_tab",
)
