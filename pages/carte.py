"""Carte: choropleths of projects, money and jobs per inhabitant, with the projects' markers."""

from essdash.ui import frame as ui
from essdash.ui import map_views

ctx = ui.page_frame("Carte", ":material/map:")
map_views.place_map(ctx.filters)
