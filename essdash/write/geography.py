"""Facts of the reference geography that writes check against: the box a project's point may lie in."""

from __future__ import annotations

from functools import lru_cache

from essdash.domain.rules import Box
from essdash.store import reference

MARGIN = 0.05  # degrees (about 5 km north–south, 3.5 km east–west): a point just past the border


@lru_cache(maxsize=1)
def metropolis_box() -> Box:
    """The bounding box of the territories' boundaries, widened by :data:`MARGIN`."""
    corners = [
        corner
        for territory in reference.load_reference().territories
        for corner in reference.bounds("territory", territory.code) or ()
    ]
    return Box.around(corners, MARGIN)
