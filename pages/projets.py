"""Projets: the register of ESS projects, filterable and sortable, with a project record."""

import streamlit as st

from essdash.domain import fmt
from essdash.read import followup, queries
from essdash.ui import forms as ui_forms
from essdash.ui import frame as ui
from essdash.ui import records as ui_records

ctx = ui.page_frame("Projets", ":material/folder_open:")
ui_forms.flash()
ui.folded(
    "Nouvelle proposition de projet",
    "p_new_open",
    lambda: ui_forms.new_project(ctx.engine, ui.read(followup.plan_code, ctx.filters)),
)

filters = ui.project_filters(ctx.filters)
register = ui.read(queries.project_register, filters)
st.caption(
    f"{fmt.plural(len(register), 'projet')} · {ui.place_caption(filters)} · "
    f"{fmt.money(register['amount'].sum())} engagés · {fmt.number(register['jobs_created'].sum())} emplois prévus"
)

shown = ui_records.register_page(register)
selection = st.dataframe(
    shown,
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="single-row",
    key="register",
    column_order=ui_records.REGISTER_COLUMNS.keys(),
    column_config=ui_records.REGISTER_COLUMNS,
)
project_id = ui.chosen(selection, shown, "id", "projet")

if project_id is not None:
    if ui_records.project_record(project_id):
        ui_forms.project_actions(ctx.engine, int(project_id))
else:
    st.caption("Sélectionnez une ligne du registre pour afficher la fiche du projet.")
