"""Synthèse: the key figures of the plan for the current territory or commune, on the reference date."""

from essdash.ui import frame as ui
from essdash.ui import summary_views

ctx = ui.page_frame("Synthèse", ":material/dashboard:")
summary_views.key_figures(ctx.filters)
summary_views.breakdowns(ctx.filters)
