"""Financements: « 1 € → x € », the euros of other funders that each euro of Lille Métropole and
of citizen savings came with, against the plan's aim of 2 €, by place, fiche, funder type and project."""

import streamlit as st

from essdash.domain import leverage as lv
from essdash.read import leverage
from essdash.ui import frame as ui
from essdash.ui import leverage_views

ctx = ui.page_frame("Financements", ":material/euro:")
with st.expander("Filtres des projets"):
    filters = ui.project_filters(ctx.filters, search=False)

st.subheader(f"Effet levier — {ui.place_caption(filters)}")
st.caption(f"{ui.scope_caption(filters)} · financements des années écoulées à cette date. {lv.DEFINITION}")
leverage_views.headline(ui.read(leverage.summary, filters))

tabs = st.tabs(["Territoires", "Communes", "Fiches", "Natures de financeurs", "Projets", "Équité du levier"])
with tabs[0]:
    st.caption("Tous les territoires, pour comparer ; projets rattachés à leur commune principale.")
    leverage_views.places(ui.read(leverage.place_table, filters, "territory"), "territory")
with tabs[1]:
    communes = ui.read(leverage.place_table, filters, "commune")
    if filters.territory:
        communes = communes[communes["territory_code"] == filters.territory]
    st.caption("Communes où un levier finance un projet ; projets rattachés à leur commune principale.")
    leverage_views.places(communes, "commune")
with tabs[2]:
    st.caption("Une fiche compte les projets de ses sous-fiches ; un projet peut servir plusieurs fiches.")
    leverage_views.sheets(ui.read(leverage.sheet_table, filters))
with tabs[3]:
    leverage_views.kinds(ui.read(leverage.summary, filters))
with tabs[4]:
    leverage_views.projects(ui.read(leverage.project_table, filters))
with tabs[5]:
    leverage_views.equity(ui.read(leverage.equity_of_leverage, filters))
