"""Présentation: the chair's semester presentation, view by view, and the meeting pack to download."""

import streamlit as st

from essdash.ui import frame as ui
from essdash.ui import presentation as ui_presentation

presenting = st.session_state.get("presenting", False)
ctx = ui.page_frame("Présentation", ":material/slideshow:", presenting=presenting)
if not presenting:
    ui_presentation.preparation(ctx.engine, ctx.filters)
else:
    ui_presentation.slideshow(ctx.filters)
