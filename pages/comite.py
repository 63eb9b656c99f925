"""Comité: the next committee's agenda and opinions, what changed since the last one, the
proposal pipeline, and the meetings of every body."""

from essdash.ui import committee
from essdash.ui import forms as ui_forms
from essdash.ui import frame as ui

ctx = ui.page_frame("Comité", ":material/groups:")
ui_forms.flash()
ui.tabs(
    {
        "Prochain comité": lambda: committee.agenda(ctx.engine, ctx.filters),
        "Depuis le dernier comité": lambda: committee.changes(ctx.filters),
        "Pipeline des propositions": lambda: committee.pipeline(ctx.filters),
        "Séances": lambda: committee.meetings(ctx.engine),
    },
    key="c_tab",
)
