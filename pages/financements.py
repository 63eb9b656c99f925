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
view = ui.read(leverage.overview, filters)
leverage_views.headline(view.summary)


def territories() -> None:
    st.caption("Tous les territoires, pour comparer ; projets rattachés à leur commune principale.")
    leverage_views.places(view.territories, "territory")


def communes() -> None:
    shown = view.communes
    if filters.territory:
        shown = shown[shown["territory_code"] == filters.territory]
    st.caption("Communes où un levier finance un projet ; projets rattachés à leur commune principale.")
    leverage_views.places(shown, "commune")


def sheets() -> None:
    st.caption("Une fiche compte les projets de ses sous-fiches ; un projet peut servir plusieurs fiches.")
    leverage_views.sheets(view.sheets)


ui.tabs(
    {
        "Territoires": territories,
        "Communes": communes,
        "Fiches": sheets,
        "Natures de financeurs": lambda: leverage_views.kinds(view.summary),
        "Projets": lambda: leverage_views.projects(view.projects),
        "Équité du levier": lambda: leverage_views.equity(view.equity),
    },
    key="f_tab",
)
