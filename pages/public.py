"""Vue publique: the published figures of the plan, read-only, without an account."""

from essdash.ui import public_views

public_views.public_frame("Vue publique")
public_views.public_view()
