"""Comité: the next committee's agenda and opinions, what changed since the last one, the
proposal pipeline, and the meetings of every body."""

import streamlit as st

from essdash.read import proceedings
from essdash.ui import committee
from essdash.ui import forms as ui_forms
from essdash.ui import frame as ui

ctx = ui.page_frame("Comité", ":material/groups:")
ui_forms.flash()
agenda = ui.read(proceedings.agenda, ctx.filters)

tab_next, tab_since, tab_pipeline, tab_meetings = st.tabs(
    ["Prochain comité", "Depuis le dernier comité", "Pipeline des propositions", "Séances"]
)
with tab_next:
    committee.agenda(ctx.engine, agenda, ctx.filters)
with tab_since:
    committee.changes(ctx.filters)
with tab_pipeline:
    committee.pipeline(ctx.filters)
with tab_meetings:
    committee.meetings(ctx.engine)
