"""Shared pieces of the meeting pack renderers: cell text, table rows, chart images, limits."""

from __future__ import annotations

import math
import re
import struct
from datetime import date, datetime

import numpy as np
import pandas as pd
import vl_convert

from essdash.domain import fmt
from essdash.read.pack.model import Chart, Pack
from essdash.render.pack_charts import draw

DEMO_NOTICE = "Données de démonstration fictives"
FORMATS = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
CHART_WIDTH = 420  # vega-lite width (px) given to charts that set none, so they fill a page
CHART_SCALE = 2
PDF_MAX_ROWS = 60
PDF_MAX_CELL = 400
SLIDE_ROWS = 12
SLIDE_MAX_ROWS = 48
SLIDE_MAX_CELL = 90
TABLE_PT = 12
FIGURE_PT = 16
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_NUMERIC = re.compile(r"^[-+]?[\d\u202f\u00a0 ]+(,\d+)?(\s?[%€])?$")
BLUE, GREY, RED = "#1F4E79", "#595959", "#B00020"


# ---- shared: text of cells, chart images ---------------------------------------------------------


def clean_text(text) -> str:
    """Control characters (invalid in XML and in PDF text) become spaces."""
    return _CONTROL.sub(" ", str(text))


def cut_text(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def cell_text(value, column: str = "") -> str:
    """A table value as French text: numbers grouped, dates spelled out, missing values blank."""
    if (
        value is None
        or (isinstance(value, (float, np.floating)) and math.isnan(value))
        or value is pd.NA
        or value is pd.NaT
    ):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "oui" if value else "non"
    if isinstance(value, (int, np.integer)):
        return str(int(value)) if column.startswith("N°") else fmt.number(int(value))
    if isinstance(value, (float, np.floating)):
        return fmt.number(float(value), 0 if float(value).is_integer() else 1)
    if isinstance(value, (date, datetime)):
        return fmt.day(value)
    return clean_text(value)


def table_rows(frame: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    header = [clean_text(c) for c in frame.columns]
    return header, [[cell_text(v, header[i]) for i, v in enumerate(row)] for row in frame.itertuples(index=False)]


def numeric_columns(rows: list[list[str]], ncols: int) -> list[bool]:
    return [bool(rows) and all(not r[i] or _NUMERIC.match(r[i]) for r in rows) for i in range(ncols)]


def chart_png(chart: Chart) -> bytes:
    """The pack's chart drawn as a PNG (scale 2), widened to ``CHART_WIDTH`` when its spec sets no width."""
    spec = draw(chart).to_dict()
    if "width" not in spec and not any(k in spec for k in ("hconcat", "vconcat", "concat", "facet", "repeat")):
        spec["width"] = CHART_WIDTH
    return vl_convert.vegalite_to_png(spec, scale=CHART_SCALE)


def png_size(png: bytes) -> tuple[int, int]:
    return struct.unpack(">II", png[16:24])


def figure_header(figures) -> tuple[list[str], int]:
    """Indicateur / Valeur / Évolution, without the last column when no figure has a change; a
    territory's comparison with the metropolis (« métropole : … ») is headed « Comparaison »."""
    changes = [change for _, _, change in figures if change]
    if not changes:
        return ["Indicateur", "Valeur"], 2
    third = "Comparaison" if all(c.startswith("métropole") for c in changes) else "Évolution"
    return ["Indicateur", "Valeur", third], 3


def more_rows_note(count: int) -> str:
    return f"… et {fmt.plural(count, 'autre ligne', 'autres lignes')}."


def situation_of(pack: Pack) -> str:
    return f"Séance du comité : {fmt.day(pack.meeting.date)}" if pack.meeting else "Pas de séance du comité ce semestre"


def column_widths(natural: list[float], minimum: list[float], total: float) -> list[float]:
    """Share ``total`` in proportion to ``natural``, but give each column at least its ``minimum``."""
    if sum(minimum) >= total:
        return [total * m / sum(minimum) for m in minimum]
    fixed: set[int] = set()
    while True:
        free = [i for i in range(len(natural)) if i not in fixed]
        room = total - sum(minimum[i] for i in fixed)
        shares = {i: room * natural[i] / sum(natural[j] for j in free) for i in free}
        under = [i for i in free if shares[i] < minimum[i]]
        if not under:
            return [minimum[i] if i in fixed else shares[i] for i in range(len(natural))]
        fixed.update(under)


def natural_widths(header: list[str], rows: list[list[str]], cap: int) -> list[float]:
    return [min(max([len(header[i])] + [len(r[i]) for r in rows]), cap) + 3 for i in range(len(header))]
