"""Questionnaires: the mission ESS opens the beneficiaries' questionnaires and hands out their links."""

from essdash.ui import forms as ui_forms
from essdash.ui import frame as ui
from essdash.ui import voices_views

ctx = ui.page_frame("Questionnaires des bénéficiaires", ":material/rate_review:")
ui_forms.flash()
voices_views.opened_links()
ui.folded("Ouvrir un questionnaire", "vq_open", lambda: voices_views.open_form(ctx.filters))
voices_views.questionnaire_list()
