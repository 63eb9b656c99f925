"""Synthèse: the key figures of the plan for the current territory or commune, on the reference date."""

import streamlit as st

from essdash.domain import fmt
from essdash.read import queries
from essdash.render import charts
from essdash.ui import frame as ui

ctx = ui.page_frame("Synthèse", ":material/dashboard:")
filters = ctx.filters
figures = ui.read(queries.key_figures, filters)

st.subheader(ui.place_caption(filters))
st.caption(ui.scope_caption(filters))
cols = st.columns(5)
cols[0].metric(
    "Projets",
    fmt.number(figures["projects"]),
    help=f"{fmt.plural(figures['carriers'], 'porteur')} · {fmt.plural(figures['communes'], 'commune')} d'implantation",
)
cols[1].metric("Montant engagé", fmt.money_short(figures["money"]), help=fmt.money(figures["money"]))
cols[2].metric("Emplois prévus", fmt.number(figures["jobs_created"]))
cols[3].metric("Emplois maintenus", fmt.number(figures["jobs_maintained"]))
cols[4].metric(
    "Bénéficiaires",
    fmt.number(figures["beneficiaries"]),
    help=f"{fmt.plural(figures['priority_district'], 'projet')} en quartier prioritaire",
)

if not figures["projects"]:
    st.warning("Aucun projet pour cette sélection.")

left, right = st.columns(2)
with left:
    st.markdown("**Projets par étape**")
    ui.chart(charts.projects_by_status, ui.read(queries.projects_by_status, filters))
    st.markdown("**Fiches du plan par statut**")
    st.caption(
        "Fiches servies par les projets de la sélection."
        if filters.is_place_filtered
        else "Toutes les fiches du plan d'actions."
    )
    ui.chart(charts.sheets_by_status, ui.read(queries.sheets_by_status, filters))
with right:
    st.markdown("**Montant engagé par financeur**")
    funders = ui.read(queries.money_by_funder, filters)
    if funders.empty:
        st.caption("Aucun financement engagé.")
    else:
        ui.chart(charts.money_by_funder, funders)
    st.markdown("**Emplois par territoire**")
    ui.chart(charts.jobs_by_territory, ui.read(queries.jobs_by_territory, filters))
