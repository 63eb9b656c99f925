"""Projets: the register of ESS projects, filterable and sortable, with a project record."""

import streamlit as st

from essdash import fmt, ui
from essdash.models import InterventionMode, ProjectStatus, Sector

ctx = ui.page_frame("Projets", ":material/folder_open:")

sheets = ui.read("sheet_options")
sheet_titles = dict(zip(sheets["code"], sheets["title"]))
c1, c2, c3, c4 = st.columns([2, 2, 2, 2])
statuses = c1.multiselect("Étape", list(ProjectStatus), format_func=lambda s: s.label, placeholder="Toutes", key="f_status")
sheet = c2.selectbox("Fiche du plan", [None, *sheet_titles], key="f_sheet", placeholder="Toutes les fiches",
                     format_func=lambda c: "Toutes les fiches" if c is None else f"{c} — {sheet_titles[c]}")
sector = c3.selectbox("Filière", [None, *Sector], key="f_sector", placeholder="Toutes les filières", format_func=lambda s: "Toutes les filières" if s is None else s.label)
mode = c4.selectbox("Mode d'intervention", [None, *InterventionMode], key="f_mode", placeholder="Tous les modes",
                    format_func=lambda s: "Tous les modes" if s is None else s.label)
search = st.text_input("Rechercher", placeholder="Titre, description ou porteur…", key="f_search")

filters = ctx.filters.with_(statuses=tuple(s.value for s in statuses), sheet=sheet,
                            sector=sector and sector.value, mode=mode and mode.value, search=search)
register = ui.read("project_register", filters)
st.caption(f"{fmt.plural(len(register), 'projet')} · {ui.place_caption(filters)} · "
           f"{fmt.money(register['amount'].sum())} engagés · {fmt.number(register['jobs_created'].sum())} emplois créés")

selection = st.dataframe(
    register, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
    key="register", column_order=ui.REGISTER_COLUMNS.keys(), column_config=ui.REGISTER_COLUMNS,
)
rows = selection.selection.rows if selection else []
project_id = int(register.iloc[rows[0]]["id"]) if rows else st.query_params.get("projet")

if project_id is not None:
    ui.project_record(project_id)
else:
    st.caption("Sélectionnez une ligne du registre pour afficher la fiche du projet.")
