"""Équité: does every territory and every commune, whatever its size and distance, benefit?"""

from essdash.ui import equity_views
from essdash.ui import frame as ui

ctx = ui.page_frame("Équité territoriale", ":material/balance:")
equity_views.equity_check(ctx.filters)
