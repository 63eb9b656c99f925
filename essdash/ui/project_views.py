"""Streamlit views of the Projets page: the new proposal's form, and the register of projects with
its filters, the chosen project's record and the actions on it."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.engine import Engine

from essdash.domain import fmt
from essdash.read import queries
from essdash.read.filters import Filters
from essdash.ui import project_forms, records
from essdash.ui.frame import chosen, place_caption, project_filters, read


def new_proposal(engine: Engine, filters: Filters) -> None:
    """The form of a new project proposal, on the fiches of the plan shown."""
    project_forms.new_project(engine, filters.plan)


def register(engine: Engine, base: Filters) -> None:
    """The projects' filters, the register of the selection with its totals, and the record of the
    chosen project with the actions on it."""
    filters = project_filters(base)
    found = read(queries.project_register, filters)
    st.caption(
        f"{fmt.plural(len(found), 'projet')} · {place_caption(filters)} · "
        f"{fmt.money(found['amount'].sum())} engagés · {fmt.number(found['jobs_created'].sum())} emplois prévus"
    )
    shown = records.register_page(found)
    selection = st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="register",
        column_order=records.REGISTER_COLUMNS.keys(),
        column_config=records.REGISTER_COLUMNS,
        placeholder=fmt.MISSING,
    )
    project_id = chosen(selection, shown, "id", "projet")
    if project_id is not None:
        if records.project_record(project_id):
            project_forms.project_actions(engine, int(project_id))
    else:
        st.caption("Sélectionnez une ligne du registre pour afficher la fiche du projet.")
