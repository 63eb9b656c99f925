"""The meeting pack as data: the :class:`essdash.read.pack.Pack` of a semester written as JSON, with
the same sections, sentences, figures, tables and chart rows that the presentation, the PDF and the
PowerPoint show.

Every number is given twice where the pack shows text: its raw value (``value``) and the French
text the pack shows (``text``). Tables give their columns, the rows as shown (``rows``) and the raw
cells (``values``); charts give their kind and the rows behind them with French column labels.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from essdash.domain import fmt
from essdash.read.pack.model import Chart, Pack, Section
from essdash.render.pack_charts import chart_table, target_table
from essdash.render.report.common import cell_text


def _raw(value: Any) -> Any:
    """A cell as a JSON value: numbers as numbers, dates ISO, missing values null."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def _frame(frame: pd.DataFrame) -> dict[str, Any]:
    header = [str(c) for c in frame.columns]
    return {
        "columns": header,
        "rows": [[cell_text(v, header[i]) for i, v in enumerate(row)] for row in frame.itertuples(index=False)],
        "values": [[_raw(v) for v in row] for row in frame.itertuples(index=False)],
    }


def _chart(title: str, chart: Chart) -> dict[str, Any]:
    data: dict[str, Any] = {"title": title, "kind": chart.kind, "options": dict(chart.options)}
    data |= _frame(chart_table(chart))
    if chart.indicator is not None:
        data["indicator"] = {
            "code": chart.indicator.code,
            "label": chart.indicator.label,
            "unit": chart.indicator.unit,
        }
    targets = target_table(chart)
    if targets is not None:
        data["targets"] = _frame(targets)
    return data


def _section(section: Section) -> dict[str, Any]:
    return {
        "title": section.title,
        "sentences": list(section.sentences),
        "figures": [
            {"label": label, "text": text, "change": change, "value": _raw(section.values.get(label))}
            for label, text, change in section.figures
        ],
        "tables": [{"title": title} | _frame(frame) for title, frame in section.tables],
        "charts": [_chart(title, chart) for title, chart in section.charts],
    }


def as_data(pack: Pack) -> dict[str, Any]:
    """The pack as plain JSON-ready data."""
    return {
        "title": pack.title,
        "subtitle": pack.subtitle,
        "period": pack.period,
        "period_label": fmt.period_label(pack.period),
        "situation_au": pack.day.isoformat() if pack.day else None,
        "situation_au_texte": fmt.short_day(pack.day) if pack.day else None,
        "place": pack.place,
        "territory": pack.territory,
        "demo": pack.demo,
        "meeting": ({"date": pack.meeting.date.isoformat(), "title": pack.meeting.title} if pack.meeting else None),
        "sections": [_section(section) for section in pack.sections],
    }


def to_json(pack: Pack) -> bytes:
    """The pack as UTF-8 JSON, indented, French text as is."""
    return json.dumps(as_data(pack), ensure_ascii=False, indent=2).encode("utf-8")
