"""Données: import partners' spreadsheets, export any filtered view, publish open data, back up and restore
the base."""

from essdash.ui import data_views, opendata_views
from essdash.ui import frame as ui

ctx = ui.page_frame("Données", ":material/database:")
ui.tabs(
    {
        "Importer": lambda: data_views.import_tab(ctx.engine),
        "Exporter": lambda: data_views.export_tab(ctx.engine, ctx.filters),
        "Données ouvertes": lambda: opendata_views.open_data_tab(ctx.engine),
        "Sauvegardes": lambda: data_views.backup_tab(ctx.engine),
    },
    key="d_tab",
)
