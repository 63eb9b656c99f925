"""Financements: « 1 € → x € », the euros of other funders that each euro of Lille Métropole and
of citizen savings came with, against the plan's aim of 2 €, by place, fiche, funder type and project."""

from essdash.ui import frame as ui
from essdash.ui import leverage_views

ctx = ui.page_frame("Financements", ":material/euro:")
leverage_views.leverage_report(ctx.filters)
