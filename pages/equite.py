"""Équité: does every territory and every commune, whatever its size and distance, benefit?"""

import streamlit as st

from essdash.domain import fmt
from essdash.read import equity_report, places
from essdash.read.equity_report import EQUITY_MEASURES
from essdash.render import charts
from essdash.ui import frame as ui
from essdash.ui import views as ui_views

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
spec, sentences = result["measure"], result["sentences"]
st.caption(
    f"{fmt.period_label(first)} – {fmt.period_label(last)} · communes membres sur la période"
    f"{' du ' + ui.place_caption(filters) if filters.territory else ''} · "
    "projets rattachés à leur commune principale. " + sentences["metro"]
)

m1, m2, m3, m4 = st.columns(4)
m1.metric(
    "Communes touchées",
    fmt.percent(result["coverage"]["units_share"]),
    help="Part des communes membres ayant au moins un projet",
)
m2.metric("Indice de Gini", fmt.number(result["gini"], 2), help="0 = égalité parfaite, 1 = tout au même endroit")
m3.metric(
    "Theil : part entre territoires",
    fmt.percent(result["theil"]["between"] / result["theil"]["total"]) if result["theil"]["total"] else "–",
    help=f"Indice de Theil total : {fmt.number(result['theil']['total'], 3)}",
)
m4.metric("Indice de Hoover", fmt.percent(result["hoover"]), help="Part qui devrait changer de commune")
for key in ("coverage", "gini", "theil", "hoover", "funnel"):
    if key in sentences:
        st.markdown(f"- {sentences[key]}")

tabs = st.tabs(["Territoires", "Communes", "Taille et distance", "Lorenz", "Entonnoir", "Zones blanches"])
with tabs[0]:
    st.altair_chart(
        charts.rates_by_place(result["territories"], spec.rate, spec.rate_title, result["metro_rate"]), width="stretch"
    )
    st.dataframe(
        result["territories"],
        hide_index=True,
        width="stretch",
        column_order=["name", "communes", "population", spec.count, spec.rate, "lq"],
        column_config=ui_views.equity_columns(spec),
    )
with tabs[1]:
    st.dataframe(
        result["communes"].sort_values(spec.rate, ascending=False),
        hide_index=True,
        width="stretch",
        column_order=[
            "name",
            "territory",
            "population",
            "size_class",
            "distance_km",
            spec.count,
            spec.rate,
            "lq",
            "flag",
        ],
        column_config=ui_views.equity_columns(spec),
    )
with tabs[2]:
    st.markdown("**Par taille de commune**")
    st.dataframe(result["by_size"], hide_index=True, width="stretch", column_config=ui_views.COVERAGE_COLUMNS)
    st.markdown("**Par distance au centre de Lille**")
    st.dataframe(result["by_distance"], hide_index=True, width="stretch", column_config=ui_views.COVERAGE_COLUMNS)
with tabs[3]:
    if result["lorenz"].empty:
        st.info("Rien à répartir sur cette période.")
    else:
        st.altair_chart(charts.lorenz(result["lorenz"], spec.word), width="stretch")
    st.caption(sentences["gini"])
with tabs[4]:
    if result["funnel"] is None:
        st.info(
            "L'entonnoir compare des effectifs (projets, emplois) à ce que le hasard expliquerait ; "
            "il ne s'applique pas à des montants."
        )
    else:
        points = result["communes"].assign(rate=result["communes"][spec.rate])
        st.altair_chart(charts.funnel(points, result["funnel"], spec.rate_title), width="stretch")
        st.caption(sentences["funnel"])
with tabs[5]:
    last_n = st.slider("Sans projet depuis (semestres)", 1, 8, 4, key="e_last_n")
    spots = ui.read(places.white_spots, filters, last_n)
    st.markdown(equity_report.white_spots_sentence(spots, last_n, int(communes["member"].sum())))
    st.dataframe(spots, hide_index=True, width="stretch", column_config=ui_views.WHITE_SPOT_COLUMNS)
