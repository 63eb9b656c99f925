"""Questionnaire: the beneficiaries' answer page, opened by a one-time link (``/reponse?jeton=…``), no account."""

from essdash.ui import public_views, voices_views

public_views.public_frame("Questionnaire")
voices_views.answer_page()
