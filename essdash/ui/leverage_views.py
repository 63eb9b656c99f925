"""Streamlit views of the Financements page: the projects' filters, the two leverages of the
selection (« 1 € → x € ») against the plan's aim, then one view per tab (territories, communes,
fiches, funder types, projects, equity of leverage), with the column labels of
:data:`essdash.read.leverage.HEADERS`."""

from __future__ import annotations

import streamlit as st

from essdash.domain import fmt
from essdash.domain import leverage as lv
from essdash.read import leverage
from essdash.read.filters import Filters
from essdash.read.leverage import LeverageEquity, LeverageOverview, LeverageSummary
from essdash.render import charts
from essdash.ui.cache import chart
from essdash.ui.frame import place_caption, project_filters, read, scope_caption, tabs
from essdash.ui.records import paged


def _columns(headers: dict[str, str]) -> dict:
    """Column labels; amounts and leverages stay numbers (they sort), shown in the reader's locale."""
    config: dict = {key: st.column_config.TextColumn(label) for key, label in headers.items()}
    for key in ("projects", "funded", "id"):
        config[key] = st.column_config.NumberColumn(headers[key], format="%d")
    for key in ("total", "metropolis", "metropolis_others", "citizen", "citizen_others"):
        config[key] = st.column_config.NumberColumn(headers[key], format="localized")
    for key in ("metropolis_leverage", "citizen_leverage", "metropolis_per_euro", "citizen_per_euro", "lq"):
        config[key] = st.column_config.NumberColumn(headers[key], format="localized", step=0.01)
    return config


COLUMNS = _columns(leverage.HEADERS)
KIND_COLUMNS = _columns(leverage.KIND_HEADERS)


def leverage_report(base: Filters) -> None:
    """The Financements page under its frame: the projects' filters, the leverages of the selection
    against the plan's aim, and the tabs."""
    with st.expander("Filtres des projets"):
        filters = project_filters(base, search=False)
    st.subheader(f"Effet levier — {place_caption(filters)}")
    st.caption(f"{scope_caption(filters)} · financements des années écoulées à cette date. {lv.DEFINITION}")
    view = read(leverage.overview, filters)
    headline(view.summary)
    tabs(
        {
            "Territoires": lambda: _territories(view),
            "Communes": lambda: _communes(view, filters),
            "Fiches": lambda: _sheets(view),
            "Natures de financeurs": lambda: kinds(view.summary),
            "Projets": lambda: projects(view.projects),
            "Équité du levier": lambda: equity(view.equity),
        },
        key="f_tab",
    )


def _territories(view: LeverageOverview) -> None:
    st.caption("Tous les territoires, pour comparer ; projets rattachés à leur commune principale.")
    places(view.territories, "territory")


def _communes(view: LeverageOverview, filters: Filters) -> None:
    """The communes of the filtered territory (else of the metropolis)."""
    shown = view.communes
    if filters.territory:
        shown = shown[shown["territory_code"] == filters.territory]
    st.caption("Communes où un levier finance un projet ; projets rattachés à leur commune principale.")
    places(shown, "commune")


def _sheets(view: LeverageOverview) -> None:
    st.caption("Une fiche compte les projets de ses sous-fiches ; un projet peut servir plusieurs fiches.")
    sheets(view.sheets)


def headline(result: LeverageSummary) -> None:
    """Each lever's figure against the plan's aim, and its sentence."""
    for column, lever in zip(st.columns(len(lv.LEVERS)), lv.LEVERS):
        value = result.results[lever]["leverage"]
        column.metric(
            f"{lv.LEVER_LABELS[lever]} → euros d'autres financeurs",
            lv.figure(value),
            help=lv.DEFINITION,
        )
        column.caption(lv.against_aim(value).capitalize())
        column.markdown(fmt.md_escape(result.sentence(lever)))


def _lever(key: str) -> str:
    return st.radio(
        "Levier",
        list(lv.LEVERS),
        key=key,
        horizontal=True,
        format_func=lambda lever: "Lille Métropole" if lever == "metropolis" else "Épargne citoyenne",
    )


# An empty cell shows « – » (placeholder=fmt.MISSING); these stay numbers (they sort).
DASH_MEANS = "« – » : aucun euro de ce levier sur la ligne, donc pas d'effet levier."


def _table(frame, columns: list[str], config: dict = COLUMNS) -> None:
    """The columns of ``frame`` shown; beneath, what an empty leverage means when there is one."""
    st.dataframe(
        frame, hide_index=True, width="stretch", column_order=columns, column_config=config, placeholder=fmt.MISSING
    )
    if frame[columns].isna().to_numpy().any():
        st.caption(DASH_MEANS)


def places(frame, level: str) -> None:
    """Both leverages per territory or commune; territories also as bars against the aim."""
    place = ["name", "territory"] if level == "commune" else ["name"]
    config = COLUMNS | {"name": st.column_config.TextColumn("Commune" if level == "commune" else "Territoire")}
    if level == "territory":
        lever = _lever("f_lever")
        shown = frame[frame[lever] > 0]
        if shown.empty:
            st.caption("Aucun euro de ce levier dans la sélection.")
        else:
            reference = lv.ratio(float(shown[f"{lever}_others"].sum()), float(shown[lever].sum()))
            chart(charts.leverage_by_place, frame, lever, reference)
            st.caption(
                f"Trait rouge : objectif du plan ({fmt.money(lv.AIM)}) ; trait gris : ensemble des territoires "
                f"({lv.figure(reference)})."
            )
    else:
        frame = frame[(frame["metropolis"] > 0) | (frame["citizen"] > 0)]
    _table(frame, [*place, "projects", "funded", *leverage.LEVER_COLUMNS], config)


def sheets(frame) -> None:
    if frame.empty:
        st.caption("Aucune fiche servie par les projets de la sélection.")
        return
    config = COLUMNS | {"code": st.column_config.TextColumn("Fiche"), "title": st.column_config.TextColumn("Intitulé")}
    _table(frame, ["code", "title", "projects", "funded", *leverage.LEVER_COLUMNS], config)


def kinds(result: LeverageSummary) -> None:
    """The other funders' euros per kind: the parts of each leverage."""
    table = leverage.kind_table(result)
    if table.empty:
        st.caption("Aucun autre financeur avec ces leviers dans la sélection.")
        return
    st.caption(
        "Euros des autres financeurs, par nature, sur les projets que chaque levier finance ; la colonne « par "
        "euro » s'additionne en l'effet levier."
    )
    _table(table, ["kind", "metropolis", "metropolis_per_euro", "citizen", "citizen_per_euro"], KIND_COLUMNS)


def projects(frame) -> None:
    if frame.empty:
        st.caption("Aucun projet financé dans la sélection.")
        return
    shown = paged(frame, "lv_page_projects", "Page", ("projet", "projets"))
    _table(shown, ["id", "title", "commune", "territory", "total", *leverage.LEVER_COLUMNS])


def equity(result: LeverageEquity) -> None:
    """The equity of the metropolis's leverage: figures, sentences, and the territories' quotients."""
    figures = result.figures
    for column, finding in zip(st.columns(len(figures)), figures):
        column.metric(finding.label, finding.value, help=finding.help or None)
    for finding in result.findings:
        st.markdown(f"- {fmt.md_escape(finding.sentence)}")
    st.caption(
        "Mêmes statistiques que la page Équité, les euros de Lille Métropole tenant lieu de population et ceux "
        "des autres financeurs sur ses projets tenant lieu d'effectifs : indices calculés sur les communes "
        "(projets rattachés à leur commune principale)."
    )
    config = COLUMNS | {"name": st.column_config.TextColumn("Territoire")}
    columns = ["name", "funded", "metropolis", "metropolis_others", "metropolis_leverage", "lq"]
    _table(result.territories, columns, config)
