"""Plan d'actions: the chosen plan (the 2011–2014 one by default) as a tree of fiches, their progress and history."""

from essdash.ui import forms as ui_forms
from essdash.ui import frame as ui
from essdash.ui import plan_views

ctx = ui.page_frame("Plan d'actions", ":material/account_tree:")
ui_forms.flash()
plan_views.sheet_tree(ctx.engine, ctx.filters)
ui.folded(
    "Reprise des projets d'un plan antérieur (correspondance des fiches)",
    "co_open",
    lambda: plan_views.carry_over(ctx.engine, ctx.filters),
)
