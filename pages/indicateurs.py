"""Indicateurs: the evaluation catalogue, each indicator per semester against its target, and entry."""

from essdash.ui import forms as ui_forms
from essdash.ui import frame as ui
from essdash.ui import indicator_views as ui_views
from essdash.ui import voices_results

ctx = ui.page_frame("Indicateurs", ":material/monitoring:")
ui_forms.flash()
catalogue = ui_views.catalogue()
ui.tabs(
    {
        "Évolution": lambda: ui_views.series(ctx.filters, catalogue),
        "Saisie": lambda: ui_views.entry(ctx.engine, catalogue),
        "Catalogue": lambda: ui_views.catalogue_table(catalogue),
        "Avis des bénéficiaires": lambda: voices_results.by_semester(ctx.filters),
    },
    key="i_tab",
)
