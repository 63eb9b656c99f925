"""Données: import partners' spreadsheets, export any filtered view, back up and restore the base."""

import streamlit as st

from essdash.ui import data_views
from essdash.ui import frame as ui

ctx = ui.page_frame("Données", ":material/database:")
importing, exporting, saving = st.tabs(["Importer", "Exporter", "Sauvegardes"])
with importing:
    data_views.import_tab(ctx.engine)
with exporting:
    data_views.export_tab(ctx.engine, ctx.filters)
with saving:
    data_views.backup_tab(ctx.engine)
