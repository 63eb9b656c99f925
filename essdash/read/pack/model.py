"""The meeting pack as data: a :class:`Pack` of :class:`Section` s (sentences, figures, tables and
:class:`Chart` s: the rows behind a chart and its kind), the day it describes and its place. Built
by :func:`essdash.read.pack.build`; drawn by the renderers of :mod:`essdash.render`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy.engine import Engine

from essdash.domain import periods
from essdash.read import followup
from essdash.read.indicators import Indicator
from essdash.read.proceedings import Meeting

PLAN_START = "2011-S1"
KEY_INDICATORS = ("projets_pour_10000_hab", "emplois_crees", "part_cdi")
NO_DATA = "Aucune donnée pour ce semestre."
METROPOLIS = "toute la métropole"
PROPOSED_PER_10K = "Projets proposés pour 10 000 habitants"
JOBS_PLANNED = "Emplois prévus par les projets"


@dataclass(frozen=True)
class Chart:
    """The rows behind one chart of the pack, and which drawing of :mod:`essdash.render.pack_charts` shows them."""

    kind: str  # "projects_by_status", "choropleth", "indicator" or "leverage"
    rows: pd.DataFrame
    options: dict[str, str] = field(default_factory=dict)  # the choropleth's level and measure, the leverage's lever
    indicator: Indicator | None = None  # an indicator chart's indicator…
    targets: pd.DataFrame | None = None  # …and its targets


@dataclass
class Section:
    """One part of the pack: a title, sentences, tables (title → DataFrame) and charts.

    ``values`` gives, for a figure's label, the raw number its text shows (for the JSON export)."""

    title: str
    sentences: list[str] = field(default_factory=list)
    figures: list[tuple[str, str, str]] = field(default_factory=list)  # (label, value, change)
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    charts: list[tuple[str, Chart]] = field(default_factory=list)
    values: dict[str, float] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.figures or any(not t.empty for _, t in self.tables) or self.charts)


@dataclass
class Pack:
    """The meeting pack of a semester: ``day`` is the day whose situation every figure gives."""

    period: str
    title: str
    subtitle: str
    meeting: Meeting | None
    territory: str | None
    place: str
    demo: bool
    sections: list[Section]
    day: date | None = None


def situation_day(engine: Engine, period: str) -> date:
    """The day the pack of ``period`` describes: the semester's last day, or the data's reference
    date when the semester is not over by then."""
    return min(periods.bounds(period)[1], followup.as_of(engine))


def scope_name(place: str | None) -> str:
    """The scope a figure's label names: the territory's name, else « toute la métropole »."""
    return place or METROPOLIS
