"""Meeting pack exports: the :class:`essdash.read.pack.Pack` of a semester as a PDF report (reportlab,
A4 portrait), as a PowerPoint deck (python-pptx, 16:9) and as JSON data, with the same content, offline.

Charts are the pack's altair specs rendered to PNG by vl-convert (no network). Every piece of
text is data, never markup: PDF paragraphs are XML-escaped before reportlab parses them, slides
get plain runs. Nothing is cached between calls.
"""

from __future__ import annotations

import re

from essdash.read.pack.model import Pack
from essdash.render.report.data import to_json
from essdash.render.report.deck import to_pptx
from essdash.render.report.pdf import to_pdf

FORMATS = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "json": "application/json",
}


def filename(pack: Pack, fmt_name: str) -> str:
    """``pack-comite-2013-S2.pdf``, ``pack-comite-2014-S2-roubaisien.pptx``."""
    return filename_of(pack.period, pack.territory, fmt_name)


def filename_of(period: str, territory: str | None, fmt_name: str) -> str:
    """The file name of the pack of ``period`` for the territory of code ``territory`` (None: the metropolis)."""
    place = "-" + re.sub(r"[^a-z0-9-]+", "-", territory.lower()).strip("-") if territory else ""
    return f"pack-comite-{period}{place}.{fmt_name}"


def render(pack: Pack, fmt_name: str) -> bytes:
    if fmt_name == "pdf":
        return to_pdf(pack)
    if fmt_name == "pptx":
        return to_pptx(pack)
    if fmt_name == "json":
        return to_json(pack)
    raise ValueError(f"Format « {fmt_name} » inconnu : choisissez pdf, pptx ou json.")
