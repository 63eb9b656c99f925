"""Projets: the register of ESS projects, filterable and sortable, with a project record."""

from essdash.ui import forms as ui_forms
from essdash.ui import frame as ui
from essdash.ui import project_views

ctx = ui.page_frame("Projets", ":material/folder_open:")
ui_forms.flash()
ui.folded("Nouvelle proposition de projet", "p_new_open", lambda: project_views.new_proposal(ctx.engine, ctx.filters))
project_views.register(ctx.engine, ctx.filters)
