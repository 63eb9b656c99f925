"""Présentation: the chair's semester presentation, view by view, and the meeting pack to download."""

import streamlit as st

from essdash.domain import fmt
from essdash.read import indicators, pack
from essdash.ui import frame as ui
from essdash.ui import presentation as ui_presentation

presenting = st.session_state.get("presenting", False)
ctx = ui.page_frame("Présentation", ":material/slideshow:", presenting=presenting)
semesters = ui.read(indicators.reference_periods)

if not presenting:
    period = st.selectbox(
        "Semestre", semesters[::-1], format_func=fmt.period_label, key="p_period", placeholder=fmt.CHOOSE
    )
    scope = ui.place_caption(ctx.filters.with_(commune=None))
    st.caption(
        f"Périmètre : {scope}. Choisissez un territoire dans le menu pour le dossier d'un technicien, "
        "comparé à la moyenne métropolitaine."
    )
    if st.button("Lancer la présentation", type="primary", icon=":material/slideshow:"):
        st.session_state.update(presenting=True, slide=0, presented_period=period)
        st.rerun()
    ui_presentation.pack_downloads(ctx.engine, period, ctx.filters.territory, ctx.filters.plan)
else:
    period = st.session_state["presented_period"]
    meeting_pack = ui.read(pack.build, period, ctx.filters.territory, ctx.filters.plan)
    slides = ui_presentation.views(meeting_pack)
    slide = min(st.session_state.get("slide", 0), len(slides))
    ui_presentation.presentation_view(meeting_pack, slides, slide)
    back, position, forward, leave = st.columns([2, 2, 2, 3])
    if back.button("◀ Précédent", disabled=slide == 0, width="stretch"):
        st.session_state["slide"] = slide - 1
        st.rerun()
    position.markdown(f"<div style='text-align:center'>{slide + 1} / {len(slides) + 1}</div>", unsafe_allow_html=True)
    if forward.button("Suivant ▶", disabled=slide == len(slides), width="stretch", type="primary"):
        st.session_state["slide"] = slide + 1
        st.rerun()
    if leave.button("Quitter la présentation", width="stretch"):
        # The semester's selectbox was not on screen while presenting, so Streamlit forgot its value.
        st.session_state.update(presenting=False, slide=0, p_period=period)
        st.rerun()
