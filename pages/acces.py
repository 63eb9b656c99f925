"""Accès: members, roles and territories of the shared dashboard, and the journal (administrateurs)."""

from essdash.ui import access_views
from essdash.ui import frame as ui
from essdash.ui.forms import flash

ctx = ui.page_frame("Accès", ":material/admin_panel_settings:")
flash()
access_views.page(ctx.engine)
