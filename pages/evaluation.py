"""Évaluation: a semester's indicator values (state per territory, steps, completeness, reminders) and
the register of the plan's « dysfonctionnements » and reorientations."""

from essdash.ui import evaluation_views as ui_views
from essdash.ui import forms as ui_forms
from essdash.ui import frame as ui

ctx = ui.page_frame("Évaluation", ":material/fact_check:")
ui_forms.flash()
ui_views.fictional_note(ctx.info)
ui.tabs(
    {
        "Semestre": lambda: ui_views.states(ctx.engine),
        "Complétude et relances": lambda: ui_views.completeness(ctx.engine),
        ui_views.REGISTER_TAB: lambda: ui_views.register(ctx.engine, ctx.filters),
    },
    key=ui_views.TAB_KEY,
)
