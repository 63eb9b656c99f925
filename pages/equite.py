"""Équité: does every territory and every commune, whatever its size and distance, benefit?"""

import streamlit as st

from essdash.read import equity_report, places
from essdash.read.equity_report import EQUITY_MEASURES
from essdash.ui import equity_views
from essdash.ui import frame as ui

ctx = ui.page_frame("Équité territoriale", ":material/balance:")

c1, c2 = st.columns([1, 3])
measure = c1.radio("Mesure", list(EQUITY_MEASURES), key="e_measure", format_func=lambda k: EQUITY_MEASURES[k].label)
with c2:
    first, last = ui.period_range()
filters = ctx.filters.with_(period_from=first, period_to=last)
communes = ui.read(places.place_figures, filters, "commune")
territories = ui.read(places.place_figures, filters, "territory")
if filters.territory:  # a technician's question: do all the communes of my territory benefit?
    communes = communes[communes["territory_code"] == filters.territory]
result = ui.compute(equity_report.report, communes, territories, measure)
st.caption(
    f"{ui.scope_caption(filters.with_(commune=None))} · communes membres sur la période · "
    "projets rattachés à leur commune principale. " + result.metro_sentence
)
equity_views.findings(result)

ui.tabs(
    {
        "Territoires": lambda: equity_views.territories(result),
        "Communes": lambda: equity_views.communes(result),
        "Taille et distance": lambda: equity_views.size_and_distance(result),
        "Lorenz": lambda: equity_views.lorenz(result),
        "Entonnoir": lambda: equity_views.funnel(result),
        "Zones blanches": lambda: equity_views.white_spots(filters, int(communes["member"].sum())),
    },
    key="e_tab",
)
