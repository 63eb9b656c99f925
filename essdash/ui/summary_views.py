"""Streamlit views of the Synthèse page: the key figures of the selection, then its breakdowns
(projects by step, fiches by status, money by funder, jobs by territory)."""

from __future__ import annotations

import streamlit as st

from essdash.domain import fmt
from essdash.read import queries
from essdash.read.filters import Filters
from essdash.render import charts
from essdash.ui.frame import chart, place_caption, read, scope_caption


def key_figures(filters: Filters) -> None:
    """The place and scope, then projects, money, jobs and beneficiaries as metrics; a warning when the
    selection has no project."""
    figures = read(queries.key_figures, filters)
    st.subheader(place_caption(filters))
    st.caption(scope_caption(filters))
    cols = st.columns(5)
    cols[0].metric(
        "Projets",
        fmt.number(figures["projects"]),
        help=f"{fmt.plural(figures['carriers'], 'porteur')} · "
        f"{fmt.plural(figures['communes'], 'commune')} d'implantation",
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


def breakdowns(filters: Filters) -> None:
    """Two columns of charts: projects by step and fiches by status; money by funder and jobs by territory."""
    left, right = st.columns(2)
    with left:
        st.markdown("**Projets par étape**")
        chart(charts.projects_by_status, read(queries.projects_by_status, filters))
        st.markdown("**Fiches du plan par statut**")
        st.caption(
            "Fiches servies par les projets de la sélection."
            if filters.is_place_filtered
            else "Toutes les fiches du plan d'actions."
        )
        chart(charts.sheets_by_status, read(queries.sheets_by_status, filters))
    with right:
        st.markdown("**Montant engagé par financeur**")
        funders = read(queries.money_by_funder, filters)
        if funders.empty:
            st.caption("Aucun financement engagé.")
        else:
            chart(charts.money_by_funder, funders)
        st.markdown("**Emplois par territoire**")
        chart(charts.jobs_by_territory, read(queries.jobs_by_territory, filters))
